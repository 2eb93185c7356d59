// Board state: what the server confirmed, plus this client's pending ops on top.
//
// `confirmed` only ever changes through server events applied strictly in seq order.
// `view` is confirmed + pending ops replayed, and is what the page shows. Elements are
// never mutated in place (an update makes a new object), so view and confirmed can share
// them and a change is found by comparing references.

import { newId } from "./ids.js";
import { applyWorkshopEvent, emptyWorkshop, isWorkshopEvent, workshopFromSnapshot } from "./workshop.js";

// Comments are kept like elements (keyed by id); `resolved` (sticky id -> who, when) is
// replaced on every change, like the workshop.
const COLLECTIONS = ["notes", "frames", "links", "comments"];

function emptyBoard() {
  return {
    name: "", notes: new Map(), frames: new Map(), links: new Map(), comments: new Map(), resolved: {},
    workshop: emptyWorkshop(),
  };
}

function copyBoard(board) {
  return {
    name: board.name,
    notes: new Map(board.notes),
    frames: new Map(board.frames),
    links: new Map(board.links),
    comments: new Map(board.comments),
    resolved: board.resolved, // replaced, never changed in place
    workshop: board.workshop, // replaced, never changed in place
  };
}

// `threads` lists the stickies whose thread changed (a comment on it, or its resolution).
function noChanges() {
  return {
    notes: new Set(), frames: new Set(), links: new Set(), comments: new Set(), threads: new Set(),
    name: false, workshop: false,
  };
}

function isEmpty(changes) {
  return !changes.name && !changes.workshop && changes.threads.size === 0 &&
    COLLECTIONS.every((c) => changes[c].size === 0);
}

function collectionOf(name) {
  const prefix = name.split(".")[0];
  return { note: "notes", frame: "frames", link: "links", comment: "comments" }[prefix];
}

// The comments of one sticky, oldest first.
export function threadOf(board, noteId) {
  return [...board.comments.values()].filter((c) => c.note === noteId).sort((a, b) => a.at - b.at);
}

// The number of comments on each sticky that has any: Map note id -> count.
export function commentCounts(board) {
  const counts = new Map();
  for (const c of board.comments.values()) counts.set(c.note, (counts.get(c.note) || 0) + 1);
  return counts;
}

// Apply one server event to a board, returning which elements it touched.
export function applyEvent(board, event, data, changes = noChanges()) {
  if (event === "board.renamed") {
    board.name = data.name;
    changes.name = true;
    return changes;
  }
  if (event === "silent.revealed") {
    // Every face-down sticky turns over at once: the event carries them whole.
    for (const note of (data && data.notes) || []) {
      board.notes.set(note.id, normalise("notes", note));
      changes.notes.add(note.id);
    }
    board.workshop = applyWorkshopEvent(board.workshop, event, data || {});
    changes.workshop = true;
    return changes;
  }
  if (isWorkshopEvent(event)) {
    board.workshop = applyWorkshopEvent(board.workshop, event, data || {});
    changes.workshop = true;
    return changes;
  }
  if (event === "thread.resolved" || event === "thread.reopened") {
    if (!data || !data.id) return changes;
    const resolved = { ...board.resolved };
    if (event === "thread.resolved") resolved[data.id] = { author: data.author, name: data.name, at: data.at };
    else delete resolved[data.id];
    board.resolved = resolved;
    changes.threads.add(data.id);
    return changes;
  }
  const coll = collectionOf(event);
  if (!coll || !data || !data.id) return changes; // an event this client does not know yet
  const map = board[coll];
  const verb = event.split(".")[1];
  if (coll === "comments") {
    const note = data.note || map.get(data.id)?.note;
    if (note && changes.threads) changes.threads.add(note);
  }
  if (verb === "created") {
    map.set(data.id, normalise(coll, data));
  } else if (verb === "updated") {
    const old = map.get(data.id);
    if (old) map.set(data.id, { ...old, ...data });
  } else if (verb === "deleted") {
    map.delete(data.id);
  }
  changes[coll].add(data.id);
  return changes;
}

function normalise(coll, data) {
  if (coll === "notes") return { text: "", fields: [], aggregate: null, context: null, ...data };
  if (coll === "frames") return { name: "", context: null, ...data };
  if (coll === "comments") return { edited: null, ...data };
  return { label: "", ...data };
}

// --- local prediction of what the server will do with an op ---------------------------

function centreInside(x, y, w, h, f) {
  const cx = x + w / 2;
  const cy = y + h / 2;
  return cx >= f.x && cx <= f.x + f.w && cy >= f.y && cy <= f.y + f.h;
}

function smallestContaining(board, kind, el, excludeId) {
  let best = null;
  for (const f of board.frames.values()) {
    if (f.kind !== kind || f.id === excludeId) continue;
    if (!centreInside(el.x, el.y, el.w, el.h, f)) continue;
    if (!best || f.w * f.h < best.w * best.h) best = f;
  }
  return best;
}

// Membership follows geometry (docs/protocol.md): predicted here so a move looks right
// before the server's events arrive; the server's answer replaces it.
function withMembership(board, el, isFrame) {
  if (isFrame) {
    if (el.kind !== "aggregate") return el.context === null ? el : { ...el, context: null };
    const ctx = smallestContaining(board, "bounded_context", el, el.id);
    const context = ctx ? ctx.id : null;
    return el.context === context ? el : { ...el, context };
  }
  const agg = smallestContaining(board, "aggregate", el);
  const aggregate = agg ? agg.id : null;
  let context = agg && agg.context ? agg.context : null;
  if (!context) {
    const ctx = smallestContaining(board, "bounded_context", el);
    context = ctx ? ctx.id : null;
  }
  if (el.aggregate === aggregate && el.context === context) return el;
  return { ...el, aggregate, context };
}

function recomputeAllMembership(board) {
  for (const f of board.frames.values()) {
    if (f.kind === "aggregate") board.frames.set(f.id, withMembership(board, f, true));
  }
  for (const n of board.notes.values()) board.notes.set(n.id, withMembership(board, n, false));
}

function dropLinksTouching(board, id) {
  for (const l of board.links.values()) {
    if (l.from === id || l.to === id) board.links.delete(l.id);
  }
}

function dropThread(board, noteId) {
  for (const c of board.comments.values()) if (c.note === noteId) board.comments.delete(c.id);
  if (board.resolved[noteId]) {
    board.resolved = { ...board.resolved };
    delete board.resolved[noteId];
  }
}

// What this page's own comment looks like until the server signs it.
const YOU = { author: null, name: "You", pending: true };

const GEOMETRY = ["x", "y", "w", "h"];

export function simulateOp(board, op, data) {
  switch (op) {
    case "note.create":
      board.notes.set(data.id, withMembership(board, normalise("notes", data), false));
      break;
    case "note.update": {
      const old = board.notes.get(data.id);
      if (!old) break;
      let note = { ...old, ...data };
      if (GEOMETRY.some((k) => k in data)) note = withMembership(board, note, false);
      board.notes.set(note.id, note);
      break;
    }
    case "note.delete":
      dropLinksTouching(board, data.id);
      dropThread(board, data.id);
      board.notes.delete(data.id);
      break;
    case "comment.create":
      if (board.notes.has(data.note)) {
        board.comments.set(data.id, { ...YOU, ...data, at: Date.now() / 1000, edited: null });
        if (board.resolved[data.note]) {
          board.resolved = { ...board.resolved };
          delete board.resolved[data.note];
        }
      }
      break;
    case "comment.update": {
      const old = board.comments.get(data.id);
      if (old) board.comments.set(old.id, { ...old, text: data.text, edited: Date.now() / 1000 });
      break;
    }
    case "comment.delete":
      board.comments.delete(data.id);
      break;
    case "thread.resolve":
      board.resolved = { ...board.resolved, [data.id]: { ...YOU, at: Date.now() / 1000 } };
      break;
    case "thread.reopen":
      if (board.resolved[data.id]) {
        board.resolved = { ...board.resolved };
        delete board.resolved[data.id];
      }
      break;
    case "frame.create":
      board.frames.set(data.id, normalise("frames", data));
      recomputeAllMembership(board);
      break;
    case "frame.update": {
      const old = board.frames.get(data.id);
      if (!old) break;
      const dx = "x" in data ? data.x - old.x : 0;
      const dy = "y" in data ? data.y - old.y : 0;
      if (dx || dy) moveMembers(board, old.id, dx, dy);
      board.frames.set(old.id, { ...old, ...data });
      if ("w" in data || "h" in data || dx || dy) recomputeAllMembership(board);
      break;
    }
    case "frame.delete":
      dropLinksTouching(board, data.id);
      board.frames.delete(data.id);
      recomputeAllMembership(board);
      break;
    case "link.create":
      board.links.set(data.id, normalise("links", data));
      break;
    case "link.update": {
      const old = board.links.get(data.id);
      if (old) board.links.set(old.id, { ...old, ...data });
      break;
    }
    case "link.delete":
      board.links.delete(data.id);
      break;
    case "board.rename":
      board.name = data.name;
      break;
    default:
      break;
  }
}

// Moving a frame moves what is in it; the server does the same, this only predicts it.
function moveMembers(board, frameId, dx, dy) {
  for (const n of board.notes.values()) {
    if (n.aggregate === frameId || n.context === frameId) {
      board.notes.set(n.id, { ...n, x: n.x + dx, y: n.y + dy });
    }
  }
  for (const f of board.frames.values()) {
    if (f.context === frameId) board.frames.set(f.id, { ...f, x: f.x + dx, y: f.y + dy });
  }
}

// The elements a frame move carries along (used for the drag preview as well).
export function membersOf(board, frameId) {
  const ids = [];
  const frame = board.frames.get(frameId);
  // A lane holds the stickies whose centre is in its band (boards/domain/membership.py in_lane).
  if (frame?.kind === "lane") {
    for (const n of board.notes.values()) if (inRect(frame, n.x + n.w / 2, n.y + n.h / 2)) ids.push(n.id);
    return ids;
  }
  for (const n of board.notes.values()) {
    if (n.aggregate === frameId || n.context === frameId) ids.push(n.id);
  }
  for (const f of board.frames.values()) {
    if (f.context === frameId) ids.push(f.id);
  }
  return ids;
}

function inRect(r, x, y) {
  return r.x <= x && x <= r.x + r.w && r.y <= y && y <= r.y + r.h;
}

// The lane a rectangle's centre lies in (the smallest, if lanes overlap), or null.
export function laneOf(board, r) {
  const x = r.x + r.w / 2;
  const y = r.y + r.h / 2;
  let best = null;
  for (const f of board.frames.values()) {
    if (f.kind === "lane" && inRect(f, x, y) && (!best || f.w * f.h < best.w * best.h)) best = f;
  }
  return best;
}

function diffBoards(before, after) {
  const changes = noChanges();
  changes.name = before.name !== after.name;
  changes.workshop = before.workshop !== after.workshop;
  for (const c of COLLECTIONS) {
    for (const [id, el] of after[c]) if (before[c].get(id) !== el) changes[c].add(id);
    for (const id of before[c].keys()) if (!after[c].has(id)) changes[c].add(id);
  }
  for (const id of changes.comments) {
    const note = (after.comments.get(id) || before.comments.get(id))?.note;
    if (note) changes.threads.add(note);
  }
  if (before.resolved !== after.resolved) {
    for (const id of new Set([...Object.keys(before.resolved), ...Object.keys(after.resolved)])) {
      if (before.resolved[id] !== after.resolved[id]) changes.threads.add(id);
    }
  }
  return changes;
}

// --- the state object ---------------------------------------------------------------

export class BoardState extends EventTarget {
  constructor() {
    super();
    this.seq = 0;
    this.loaded = false;
    this.confirmed = emptyBoard();
    this.view = emptyBoard();
    this.pending = []; // {op_id, op, data, ackSeq}
    this.held = new Map(); // seq -> event frame that arrived ahead of a gap
    this.transport = null; // set by the page: sends an op frame (socket.sendOp)
    this.readOnly = false; // a view-only link: the server would refuse every op
    this.readOnlyMessage = null; // why, when it is not the link (a locked board)
  }

  // Every change the user makes goes through here. Listeners see it first ("beforesubmit",
  // which may hold it back, e.g. while the page shows the past) and after it was sent ("submit").
  submit(op, data) {
    if (this.readOnly) {
      this.dispatchEvent(new CustomEvent("reject", {
        detail: { op: { op, data }, error: { code: "read_only", message: this.readOnlyMessage || "This is a view-only link: ask the facilitator for the edit link." } },
      }));
      return null;
    }
    const frame = { type: "op", op_id: newId(), op, data };
    if (!this.dispatchEvent(new CustomEvent("beforesubmit", { detail: frame, cancelable: true }))) return null;
    this.addPending(frame);
    if (this.transport) this.transport(frame);
    this.dispatchEvent(new CustomEvent("submit", { detail: frame }));
    return frame.op_id;
  }

  // Ops that were waiting in the outbox (e.g. restored after a reload) re-join the view.
  addPending(frame) {
    if (this.pending.some((p) => p.op_id === frame.op_id)) return;
    this.pending.push({ op_id: frame.op_id, op: frame.op, data: frame.data, ackSeq: null });
    if (this.loaded) {
      const before = this.view;
      const view = copyBoard(before);
      simulateOp(view, frame.op, frame.data);
      this.view = view;
      this.emitChange(diffBoards(before, view));
    }
  }

  loadSnapshot(seq, board) {
    const confirmed = emptyBoard();
    confirmed.name = board.name || "";
    confirmed.workshop = workshopFromSnapshot(board);
    confirmed.resolved = { ...(board.resolved || {}) };
    for (const c of COLLECTIONS) {
      for (const el of board[c] || []) confirmed[c].set(el.id, normalise(c, el));
    }
    this.confirmed = confirmed;
    this.seq = seq;
    this.loaded = true;
    for (const s of [...this.held.keys()]) if (s <= seq) this.held.delete(s);
    this.drainHeld(noChanges());
    this.settle(null);
  }

  // Returns the seq to ask a `sync` from when a gap was found, or null.
  receiveEvents(frames) {
    const changes = noChanges();
    for (const f of frames) {
      if (f.seq <= this.seq) continue; // already applied: a duplicate
      this.held.set(f.seq, f);
    }
    this.drainHeld(changes);
    this.settle(changes);
    return this.held.size ? this.seq : null;
  }

  drainHeld(changes) {
    while (this.held.has(this.seq + 1)) {
      const f = this.held.get(this.seq + 1);
      this.held.delete(this.seq + 1);
      applyEvent(this.confirmed, f.event, f.data, changes);
      this.seq = f.seq;
    }
    return changes;
  }

  ack(opId, seq) {
    const p = this.pending.find((x) => x.op_id === opId);
    if (p) p.ackSeq = seq;
    this.settle(noChanges());
  }

  reject(opId, error) {
    const i = this.pending.findIndex((x) => x.op_id === opId);
    if (i < 0) return;
    const [p] = this.pending.splice(i, 1);
    this.settle(null);
    this.dispatchEvent(new CustomEvent("reject", { detail: { op: p, error } }));
  }

  // Drop pending ops whose events are all in `confirmed`, then bring `view` up to date.
  // `changes` lists what confirmed events touched; null means "unknown, diff everything".
  settle(changes) {
    if (!this.loaded) return;
    const before = this.pending.length;
    this.pending = this.pending.filter((p) => p.ackSeq === null || p.ackSeq > this.seq);
    const old = this.view;
    if (this.pending.length === 0 && before === 0 && changes) {
      // Fast path, the common case: nothing of ours in flight, copy only what changed.
      if (isEmpty(changes)) return;
      for (const c of COLLECTIONS) {
        for (const id of changes[c]) {
          const el = this.confirmed[c].get(id);
          if (el) this.view[c].set(id, el);
          else this.view[c].delete(id);
        }
      }
      this.view.name = this.confirmed.name;
      this.view.workshop = this.confirmed.workshop;
      this.view.resolved = this.confirmed.resolved;
      this.emitChange(changes);
      return;
    }
    const view = copyBoard(this.confirmed);
    for (const p of this.pending) simulateOp(view, p.op, p.data);
    this.view = view;
    const diff = diffBoards(old, view);
    if (!isEmpty(diff)) this.emitChange(diff);
  }

  emitChange(changes) {
    this.dispatchEvent(new CustomEvent("change", { detail: changes }));
  }

  element(id) {
    return this.view.notes.get(id) || this.view.frames.get(id) || this.view.links.get(id) || null;
  }
}
