// The activity feed: the board's changes in words, newest first ("Ana added event 'Order
// Placed' to Ordering"). Live events are described against a mirror of the board as it was
// just before them; older pages come from /history/ and are replayed from the snapshot just
// before the page (?at=), so a rename can say what the old name was.
//
// One line per op (its events share an op_id), and consecutive ops of the same kind by the
// same person within a moment (a multi-select move, a delete of a selection) share a line.
// Membership updates that follow from a move are not news and are left out.

import { applyEvent } from "./state.js";
import { kindInfo } from "./kinds.js";
import { toast } from "./toast.js";
import { boardFetch } from "./board-key.js";

const PAGE = 100;
const MAX_ENTRIES = 1000;
const MERGE_WINDOW_MS = 150; // one gesture's ops (a paste, a delete of a selection) commit together
const MOVE_MERGE_WINDOW_MS = 3000;
const NAME_AFTER_CREATE_LOOKBACK = 12;
const QUOTE_MAX = 48;
const MEMBERSHIP = new Set(["id", "aggregate", "context"]);
const MERGEABLE = new Set(["move", "delete", "add", "resize"]);

// --- boards as plain maps --------------------------------------------------------------

function boardFrom(snapshot) {
  const board = {
    name: snapshot.name || "", notes: new Map(), frames: new Map(), links: new Map(), comments: new Map(),
    resolved: { ...(snapshot.resolved || {}) },
  };
  for (const c of ["notes", "frames", "links", "comments"]) for (const e of snapshot[c] || []) board[c].set(e.id, e);
  return board;
}

function apply(board, frame) {
  const prefix = frame.event.split(".")[0];
  if (frame.event === "board.renamed" || frame.event === "silent.revealed" || ["note", "frame", "link", "comment", "thread"].includes(prefix)) {
    applyEvent(board, frame.event, frame.data);
  }
}

// --- words -----------------------------------------------------------------------------

function quote(text) {
  const t = (text || "").replace(/\s+/g, " ").trim();
  if (!t) return "(empty)";
  return `'${t.length > QUOTE_MAX ? `${t.slice(0, QUOTE_MAX - 1)}…` : t}'`;
}

const kindWord = (kind) => kindInfo(kind).label.toLowerCase();

function elementName(board, id) {
  const n = board.notes.get(id);
  if (n) return n.text;
  const f = board.frames.get(id);
  return f ? f.name : "";
}

// What one event says, given the board just before it; null for what is not news.
function fact(board, frame) {
  // What only follows from another change (members carried along, membership) is not news.
  if (frame.derived) return null;
  const { event, data = {} } = frame;
  const [entity, verb] = event.split(".");
  const keys = Object.keys(data).filter((k) => !MEMBERSHIP.has(k));
  if (entity === "note" || entity === "frame") {
    const coll = entity === "note" ? "notes" : "frames";
    const old = board[coll].get(data.id);
    const label = (e) => (entity === "note" ? e.text : e.name);
    const base = { id: data.id, entity };
    if (verb === "created") {
      const where = data.context ? board.frames.get(data.context) : data.aggregate ? board.frames.get(data.aggregate) : null;
      if (data.face_down) return { ...base, verb: "add-face-down", kind: data.kind };
      return { ...base, verb: "add", kind: data.kind, name: label(data), where: where ? where.name : "" };
    }
    if (!old) return null;
    const kind = old.kind;
    if (verb === "deleted") return { ...base, verb: "delete", kind, name: label(old) };
    if (verb !== "updated" || keys.length === 0) return null;
    const field = entity === "note" ? "text" : "name";
    if (field in data) return { ...base, verb: "rename", kind, from: label(old), name: data[field] };
    if ("kind" in data) return { ...base, verb: "rekind", kind: data.kind, name: label(old), was: old.kind };
    if ("fields" in data) return { ...base, verb: "fields", kind, name: label(old) };
    if ("x" in data || "y" in data) return { ...base, verb: "move", kind, name: label(old) };
    if ("w" in data || "h" in data) return { ...base, verb: "resize", kind, name: label(old) };
    return { ...base, verb: "change", kind, name: label(old) };
  }
  if (entity === "comment" || entity === "thread") {
    const comment = entity === "comment" ? (verb === "created" ? data : board.comments.get(data.id)) : null;
    const noteId = entity === "thread" ? data.id : comment?.note;
    const note = noteId && board.notes.get(noteId);
    if (!note) return null;
    const base = { id: noteId, entity, kind: note.kind, name: note.text };
    if (entity === "thread") return { ...base, verb: verb === "resolved" ? "resolve" : "reopen" };
    if (verb === "created") return { ...base, verb: "comment", text: data.text };
    if (verb === "updated") return { ...base, verb: "comment-edit", text: data.text };
    return { ...base, verb: "uncomment" };
  }
  if (entity === "link") {
    const link = verb === "created" ? data : board.links.get(data.id);
    if (!link) return null;
    const base = { id: data.id, entity, from: elementName(board, link.from), to: elementName(board, link.to), anchor: link.from };
    if (verb === "created") return { ...base, verb: "link" };
    if (verb === "deleted") return { ...base, verb: "unlink" };
    if ("label" in data) return { ...base, verb: "label", name: data.label };
    return null;
  }
  switch (event) {
    case "board.renamed": return { verb: "board-rename", name: data.name };
    case "board.configured": return { verb: "configure", data };
    case "timer.started": return { verb: "timer-start", seconds: data.seconds };
    case "timer.stopped": return { verb: "timer-stop" };
    // Someone else's anonymous dot comes without the sticky it went on.
    case "vote.cast": return data.hidden ? { verb: "vote-hidden" } : { verb: "vote", id: data.id, name: elementName(board, data.id) };
    case "vote.retracted": return data.hidden ? { verb: "unvote-hidden" } : { verb: "unvote", id: data.id, name: elementName(board, data.id) };
    case "votes.revealed": return { verb: "votes-reveal" };
    case "silent.started": return { verb: "silent-start" };
    case "silent.revealed": return { verb: "silent-reveal", count: (data.notes || []).length };
    case "votes.cleared": return { verb: "votes-clear" };
    default: return { verb: "other", event };
  }
}

// The facts of one op that are worth a line: a frame's move carries its members along, and
// a delete takes its links with it; those follow from the primary change.
function primaryFacts(facts) {
  const frameMoves = new Set(facts.filter((f) => f.entity === "frame" && f.verb === "move").map((f) => f.id));
  const deleted = facts.some((f) => f.verb === "delete");
  // A sticky's thread goes and comes back with it; a new comment reopens its thread.
  const carried = new Set(facts.filter((f) => f.entity === "note" && (f.verb === "delete" || f.verb === "add")).map((f) => f.id));
  const commented = new Set(facts.filter((f) => f.verb === "comment").map((f) => f.id));
  return facts.filter((f) => {
    if (frameMoves.size && f.verb === "move" && !frameMoves.has(f.id)) return false;
    if (deleted && f.verb === "unlink") return false;
    if ((f.entity === "comment" || f.entity === "thread") && carried.has(f.id)) return false;
    if (f.verb === "reopen" && commented.has(f.id)) return false;
    return true;
  });
}

function nounFor(fact) {
  return ["frame", "note", "comment", "thread"].includes(fact.entity) ? kindWord(fact.kind) : "";
}

function sentence(f) {
  const noun = nounFor(f);
  switch (f.verb) {
    case "add":
      if (f.entity === "frame") return `drew ${noun} ${quote(f.name)}`;
      return f.name ? `added ${noun} ${quote(f.name)}${f.where ? ` to ${f.where}` : ""}` : `added ${article(noun)}${f.where ? ` to ${f.where}` : ""}`;
    case "delete": return `deleted ${noun} ${quote(f.name)}`;
    case "rename": return f.from ? `renamed ${noun} ${quote(f.from)} to ${quote(f.name)}` : `named ${article(noun)} ${quote(f.name)}`;
    case "rekind": return `turned ${quote(f.name)} into ${article(noun)}`;
    case "fields": return `edited the fields of ${noun} ${quote(f.name)}`;
    case "move": return `moved ${noun} ${quote(f.name)}`;
    case "resize": return `resized ${noun} ${quote(f.name)}`;
    case "change": return `changed ${noun} ${quote(f.name)}`;
    case "link": return `linked ${quote(f.from)} to ${quote(f.to)}`;
    case "unlink": return `removed the link from ${quote(f.from)} to ${quote(f.to)}`;
    case "label": return f.name ? `labelled the link from ${quote(f.from)} to ${quote(f.to)} ${quote(f.name)}` : `cleared the label of the link from ${quote(f.from)} to ${quote(f.to)}`;
    case "board-rename": return `renamed the board to ${quote(f.name)}`;
    case "configure": return configureSentence(f.data || {});
    case "timer-start": return `started a ${Math.round((f.seconds || 0) / 60) || 1}-minute timer`;
    case "timer-stop": return "stopped the timer";
    case "vote": return `voted for ${quote(f.name)}`;
    case "unvote": return `took back a vote on ${quote(f.name)}`;
    case "votes-clear": return "cleared all votes";
    case "add-face-down": return `wrote ${article(noun)}, face down until the reveal`;
    case "vote-hidden": return "cast an anonymous dot";
    case "unvote-hidden": return "took back an anonymous dot";
    case "votes-reveal": return "revealed the dots";
    case "silent-start": return "started a silent round";
    case "silent-reveal": return `revealed the silent round (${f.count} ${f.count === 1 ? "sticky" : "stickies"})`;
    case "comment": return `commented on ${noun} ${quote(f.name)}: ${quote(f.text)}`;
    case "comment-edit": return `edited a comment on ${noun} ${quote(f.name)}`;
    case "uncomment": return `deleted a comment on ${noun} ${quote(f.name)}`;
    case "resolve": return `resolved the thread on ${noun} ${quote(f.name)}`;
    case "reopen": return `reopened the thread on ${noun} ${quote(f.name)}`;
    default: return `made a change (${f.event})`;
  }
}

function configureSentence(data) {
  const parts = [];
  if ("phase" in data) parts.push(`moved the workshop to the ${String(data.phase).replace(/_/g, " ")} phase`);
  if ("locked" in data) parts.push(data.locked ? "locked the board" : "unlocked the board");
  if ("follow" in data) parts.push(data.follow ? "asked everyone to follow their view" : "stopped follow-me");
  if ("votes_per_person" in data) parts.push(`set ${data.votes_per_person} votes per person`);
  if ("anonymous_votes" in data) parts.push(data.anonymous_votes ? "made the dots anonymous until revealed" : "revealed the dots");
  return parts.length ? parts.join(" and ") : "changed the board's settings";
}

function article(noun) {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

const PLURAL_VERBS = { add: "added", delete: "deleted", move: "moved", resize: "resized", link: "linked", unlink: "unlinked" };

const COUNTED = [
  ["note", "sticky", "stickies"], ["frame", "frame", "frames"], ["link", "link", "links"],
  ["comment", "comment", "comments"], ["thread", "thread", "threads"],
];

// "3 stickies", "4 stickies and a frame".
function plural(facts) {
  const parts = [];
  for (const [entity, one, many] of COUNTED) {
    const n = facts.filter((f) => f.entity === entity).length;
    if (n) parts.push(n === 1 ? `a ${one}` : `${n} ${many}`);
  }
  const others = facts.filter((f) => !COUNTED.some(([entity]) => entity === f.entity)).length;
  if (others) parts.push(others === 1 ? "a setting" : `${others} settings`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}` : parts[0];
}

// The words of an entry (without the actor), from its primary facts.
// Said before what a restore did: "Ana restored an earlier version: moved event 'Order Placed'".
const OP_WORDS = { "board.restore": "restored an earlier version: " };

// An undo says what was undone, not what the undo did: undoing a paste deletes stickies,
// and "Fran undid adding 3 stickies" says so where "undid: deleted 3 stickies" misleads.
const UNDONE = {
  delete: "adding", add: "deleting", link: "unlinking", unlink: "linking", move: "a move of", resize: "a resize of",
  uncomment: "a comment on", comment: "deleting a comment on", "comment-edit": "an edit of a comment on",
  reopen: "resolving the thread on", resolve: "reopening the thread on",
};

export function describeUndo(facts) {
  const verbs = new Set(facts.map((f) => f.verb));
  const [verb] = verbs;
  if (verbs.size !== 1 || !UNDONE[verb]) return `undid a change: ${describe(facts)}`;
  if (verb === "link" || verb === "unlink") return `undid ${UNDONE[verb]} ${facts.length === 1 ? "a pair" : `${facts.length} pairs`}`;
  if (facts.length === 1) {
    const f = facts[0];
    const noun = nounFor(f);
    return f.name ? `undid ${UNDONE[verb]} ${noun} ${quote(f.name)}` : `undid ${UNDONE[verb]} ${article(noun)}`;
  }
  return `undid ${UNDONE[verb]} ${plural(facts)}`;
}

function describe(facts) {
  if (facts.length === 1) return sentence(facts[0]);
  const verbs = new Set(facts.map((f) => f.verb));
  if (verbs.size === 1 && PLURAL_VERBS[facts[0].verb]) {
    if (facts[0].verb === "link" || facts[0].verb === "unlink") return `${PLURAL_VERBS[facts[0].verb]} ${facts.length} pairs`;
    return `${PLURAL_VERBS[facts[0].verb]} ${plural(facts)}`;
  }
  return `changed ${plural(facts)}`;
}

function relative(iso, now = Date.now()) {
  const at = new Date(iso).getTime();
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 45) return "just now";
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  return formatWhen(iso);
}

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateAndTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

// "10:42" today, with the date on other days.
export function formatWhen(iso) {
  if (!iso) return "";
  const at = new Date(iso);
  const today = new Date().toDateString() === at.toDateString();
  return today ? timeOnly.format(at) : dateAndTime.format(at);
}

// --- entries ---------------------------------------------------------------------------

// Add one event (described against `board`, the state just before it) to `entries`
// (newest first). Returns the entries that changed or were added.
function addEvent(entries, board, frame) {
  const f = fact(board, frame);
  const latest = entries[0];
  if (latest && latest.opIds.has(frame.op_id) && frame.op_id) {
    if (f) latest.facts.push(f);
    latest.lastSeq = Math.max(latest.lastSeq, frame.seq);
    latest.at = frame.at || latest.at;
    return latest;
  }
  const entry = {
    op: frame.op || "",
    opIds: new Set([frame.op_id]), actor: frame.actor || "Someone", at: frame.at, firstSeq: frame.seq,
    lastSeq: frame.seq, facts: f ? [f] : [], el: null,
  };
  entries.unshift(entry);
  return entry;
}

// Once an op is complete: fold it into the line before it when it continues it.
function settleLatest(entries) {
  const entry = entries[0];
  if (!entry) return;
  const facts = primaryFacts(entry.facts);
  // A sticky placed empty and then written on is one change: "added event 'Order Placed'".
  if (facts.length === 1 && facts[0].verb === "rename" && !facts[0].from && facts[0].entity === "note") {
    const named = facts[0];
    for (const other of entries.slice(1, NAME_AFTER_CREATE_LOOKBACK)) {
      if (other.actor !== entry.actor) continue;
      const added = other.facts.find((x) => x.verb === "add" && x.id === named.id && !x.name);
      if (added) {
        added.name = named.name;
        other.lastSeq = entry.lastSeq;
        for (const id of entry.opIds) other.opIds.add(id);
        entries.shift();
        return other;
      }
    }
  }
  const prev = entries[1];
  if (!prev || prev.actor !== entry.actor || !facts.length) return null;
  const prevFacts = primaryFacts(prev.facts);
  const verb = facts[0].verb;
  // A gesture's ops arrive together; a move may be nudged on for a while and still be one.
  const span = facts[0].verb === "move" ? MOVE_MERGE_WINDOW_MS : MERGE_WINDOW_MS;
  const close = Math.abs(new Date(entry.at) - new Date(prev.at)) <= span;
  const same = MERGEABLE.has(verb) && [...facts, ...prevFacts].every((x) => x.verb === verb);
  if (!close || !same) return null;
  // A move of the same things again is the same news, only later.
  prev.facts.push(...entry.facts.filter((x) => !prev.facts.some((p) => p.id === x.id && p.verb === x.verb)));
  for (const id of entry.opIds) prev.opIds.add(id);
  prev.lastSeq = Math.max(prev.lastSeq, entry.lastSeq);
  prev.at = entry.at;
  entries.shift();
  return prev;
}

// Describe a run of events in seq order, starting from `board` (changed in place).
function describeRun(board, frames, entries = []) {
  let lastOp;
  for (const frame of frames) {
    if (lastOp !== undefined && frame.op_id !== lastOp) settleLatest(entries);
    addEvent(entries, board, frame);
    apply(board, frame);
    lastOp = frame.op_id;
  }
  if (frames.length) settleLatest(entries);
  return entries;
}

// --- the feed --------------------------------------------------------------------------

export class ActivityFeed {
  constructor({ host, socket, state, camera, selection, boardId, onTravel }) {
    this.state = state;
    this.camera = camera;
    this.selection = selection;
    this.boardId = boardId;
    this.onTravel = onTravel;
    this.entries = []; // newest first
    this.mirror = null;
    this.mirrorSeq = 0;
    this.held = new Map();
    this.olderBefore = null; // the next page of the log ends before this seq
    this.exhausted = false;
    this.loadingOlder = false;

    this.list = document.createElement("ol");
    this.list.className = "activity-list";
    this.list.setAttribute("aria-live", "polite");
    this.empty = document.createElement("p");
    this.empty.className = "panel-hint activity-empty";
    this.empty.textContent = "No changes yet.";
    this.more = document.createElement("button");
    this.more.type = "button";
    this.more.className = "button activity-more";
    this.more.textContent = "Show older changes";
    this.more.hidden = true;
    this.more.addEventListener("click", () => this.loadOlder());
    host.append(this.list, this.empty, this.more);

    socket.addEventListener("frame", (e) => this.receive(e.detail));
    setInterval(() => this.refreshTimes(), 30_000);
  }

  receive(f) {
    if (f.type === "snapshot") {
      const fresh = this.mirror === null || f.seq !== this.mirrorSeq;
      this.mirror = boardFrom(f.board);
      this.mirrorSeq = f.seq;
      this.held.clear();
      if (fresh) {
        // What happened before this snapshot comes from the log, a page at a time.
        this.entries = [];
        this.list.replaceChildren();
        this.olderBefore = f.seq + 1;
        this.exhausted = f.seq === 0;
        this.pagesLoaded = 0;
        this.render();
      }
    } else if (f.type === "event" || f.type === "events") {
      if (!this.mirror) return;
      for (const e of f.type === "event" ? [f] : f.events || []) if (e.seq > this.mirrorSeq) this.held.set(e.seq, e);
      const run = [];
      while (this.held.has(this.mirrorSeq + 1)) {
        run.push(this.held.get(this.mirrorSeq + 1));
        this.held.delete(this.mirrorSeq + 1);
        this.mirrorSeq += 1;
      }
      if (!run.length) return;
      // Continue the newest line if the run continues its op (events of one op may come split).
      describeRun(this.mirror, run, this.entries);
      if (this.entries.length > MAX_ENTRIES) this.entries.length = MAX_ENTRIES;
      this.render();
    }
  }

  async loadOlder() {
    if (this.loadingOlder || this.exhausted || this.olderBefore === null) return;
    this.loadingOlder = true;
    this.more.disabled = true;
    const base = `/api/boards/${encodeURIComponent(this.boardId)}`;
    try {
      const page = await getJson(`${base}/history/?before=${this.olderBefore}&limit=${PAGE}`);
      const events = (page.events || []).slice().sort((a, b) => a.seq - b.seq);
      if (!events.length) {
        this.exhausted = true;
        return;
      }
      const first = events[0].seq;
      const board = boardFrom(await getJson(`${base}/?at=${first - 1}`));
      const older = describeRun(board, events);
      this.entries.push(...older);
      this.olderBefore = first;
      this.exhausted = first <= 1;
      this.pagesLoaded = (this.pagesLoaded || 0) + 1;
    } catch (err) {
      toast(`Could not load older changes: ${err.message}`, { kind: "error" });
    } finally {
      this.loadingOlder = false;
      this.more.disabled = false;
      this.render();
    }
  }

  // The first page comes when someone first looks.
  opened() {
    if (!this.pagesLoaded && !this.exhausted) this.loadOlder();
  }

  render() {
    const shown = this.entries.filter((e) => primaryFacts(e.facts).length);
    const keep = new Set(shown);
    for (const child of [...this.list.children]) if (!keep.has(child.entry)) child.remove();
    let cursor = this.list.firstChild;
    for (const entry of shown) {
      if (!entry.el) entry.el = this.createItem(entry);
      const version = `${entry.facts.length}:${entry.lastSeq}`;
      if (entry.painted !== version) this.paint(entry);
      entry.painted = version;
      if (entry.el === cursor) cursor = cursor.nextSibling;
      else this.list.insertBefore(entry.el, cursor);
    }
    this.empty.hidden = shown.length > 0 || this.loadingOlder;
    this.more.hidden = this.exhausted;
    this.markAt(this.travelSeq ?? null);
  }

  createItem(entry) {
    const li = document.createElement("li");
    li.className = "activity-entry";
    li.entry = entry;
    const main = document.createElement("button");
    main.type = "button";
    main.className = "activity-main";
    const swatch = document.createElement("span");
    swatch.className = "activity-swatch";
    swatch.setAttribute("aria-hidden", "true");
    const text = document.createElement("span");
    text.className = "activity-text";
    const who = document.createElement("strong");
    who.className = "activity-actor";
    const what = document.createElement("span");
    what.className = "activity-what";
    text.append(who, what);
    const time = document.createElement("time");
    time.className = "activity-time";
    main.append(swatch, text, time);
    main.addEventListener("click", () => this.reveal(entry));
    const travel = document.createElement("button");
    travel.type = "button";
    travel.className = "icon-button activity-travel";
    travel.title = "See the board right after this change";
    travel.setAttribute("aria-label", "See the board right after this change");
    travel.textContent = "⟲";
    travel.addEventListener("click", () => this.onTravel?.(entry.lastSeq));
    li.append(main, travel);
    return li;
  }

  paint(entry) {
    const facts = primaryFacts(entry.facts);
    const li = entry.el;
    li.querySelector(".activity-actor").textContent = entry.actor;
    const what = entry.op === "undo" ? describeUndo(facts) : `${OP_WORDS[entry.op] || ""}${describe(facts)}`;
    li.querySelector(".activity-what").textContent = ` ${what}`;
    const kinds = new Set(facts.map((f) => f.kind).filter(Boolean));
    li.querySelector(".activity-swatch").dataset.kind = kinds.size === 1 ? [...kinds][0] : "";
    li.dataset.seq = String(entry.lastSeq);
    li.dataset.verb = facts.length === 1 ? facts[0].verb : "many";
    const time = li.querySelector(".activity-time");
    time.dateTime = entry.at || "";
    time.textContent = entry.at ? relative(entry.at) : "";
    time.title = entry.at ? formatWhen(entry.at) : "";
  }

  refreshTimes() {
    for (const entry of this.entries) {
      if (!entry.el || !entry.at) continue;
      entry.el.querySelector(".activity-time").textContent = relative(entry.at);
    }
  }

  // While the board shows the past, the lines after that point are greyed out.
  markAt(seq) {
    this.travelSeq = seq;
    for (const entry of this.entries) {
      if (entry.el) entry.el.classList.toggle("after-shown", seq !== null && entry.firstSeq > seq);
    }
  }

  // Pan to what the line is about, if it is still on the board.
  reveal(entry) {
    const view = this.state.view;
    for (const f of primaryFacts(entry.facts)) {
      const id = f.entity === "link" ? (view.links.has(f.id) ? view.links.get(f.id).from : f.anchor) : f.id;
      const target = id && (view.notes.get(id) || view.frames.get(id));
      if (!target) continue;
      centreOn(this.camera, target);
      this.selection.set([f.entity === "link" && view.links.has(f.id) ? f.id : target.id]);
      return;
    }
    toast("That is no longer on the board.");
  }
}

function centreOn(camera, box) {
  const r = camera.rect;
  camera.x = r.width / 2 - (box.x + box.w / 2) * camera.zoom;
  camera.y = r.height / 2 - (box.y + box.h / 2) * camera.zoom;
  camera.changed();
}

async function getJson(url) {
  const response = await boardFetch(url, { headers: { Accept: "application/json" } });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error?.message || `The server answered ${response.status}.`);
  return data;
}

export function mountActivity(options) {
  return new ActivityFeed(options);
}
