// Threads on stickies: a comment badge on every sticky that has comments (and on the selected one,
// to start a thread), and the thread panel: the comments with their author and time, a box to add
// one, edit and delete for your own, resolve and reopen. Opened by the badge or the T key; the
// open-questions list opens it too. Viewers read threads and get no box and no buttons. The server
// signs and checks every comment (docs/protocol.md, boards/domain/threads.py).

import { kindInfo } from "./kinds.js";
import { newId } from "./ids.js";
import { participantId } from "./identity.js";
import { formatWhen } from "./activity.js";
import { focusOn } from "./focus.js";
import { commentCounts, threadOf } from "./state.js";
import { toast } from "./toast.js";
import { el } from "./ui.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const BUBBLE = "M4 5h16v11H9l-5 4z";

function bubble() {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", BUBBLE);
  svg.append(path);
  return svg;
}

const when = (seconds) => (seconds ? formatWhen(new Date(seconds * 1000).toISOString()) : "");
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

export function mountThreads({ host, state, socket, selection, camera, renderer, actions, maxText = 2000, onOpen }) {
  let noteId = null;
  let stale = false;
  const drafts = new Map(); // note id -> a comment written and not sent, while another thread is open
  const me = () => participantId();
  const facilitator = () => document.body.dataset.role === "facilitator";
  const canWrite = () => !state.readOnly;

  // --- the panel ---------------------------------------------------------------------------
  const title = el("span", { className: "panel-title" }, "Thread");
  const close = el("button", { type: "button", className: "icon-button", title: "Close (Esc)", "aria-label": "Close the thread" }, "×");
  const sticky = el("button", { type: "button", className: "thread-sticky", title: "Show the sticky" });
  const status = el("p", { className: "thread-status", role: "status" });
  const resolve = el("button", { type: "button", className: "button small thread-resolve" });
  const list = el("ol", { className: "thread-comments", "aria-label": "Comments" });
  const box = el("textarea", {
    className: "thread-input", rows: 3, placeholder: "Add a comment… (Enter sends, Shift+Enter: new line)",
    "aria-label": "Add a comment",
  });
  const reason = el("p", { className: "thread-reason", role: "alert", hidden: true });
  const send = el("button", { type: "submit", className: "button primary small" }, "Comment");
  const compose = el("form", { className: "thread-compose" }, box, reason, el("div", { className: "thread-send" }, send));
  const readOnly = el("p", { className: "panel-hint thread-read-only" });
  host.replaceChildren(
    el("header", { className: "panel-head" }, title, close),
    sticky, el("div", { className: "thread-state" }, status, resolve), list, compose, readOnly,
  );

  close.addEventListener("click", () => hide());
  sticky.addEventListener("click", () => {
    if (noteId && state.view.notes.has(noteId)) focusOn(noteId, { state, camera, renderer, selection });
  });
  resolve.addEventListener("click", () => {
    if (!noteId) return;
    state.submit(state.view.resolved[noteId] ? "thread.reopen" : "thread.resolve", { id: noteId });
  });
  compose.addEventListener("submit", (e) => {
    e.preventDefault();
    submitComment();
  });
  box.addEventListener("keydown", (e) => {
    e.stopPropagation(); // the board's keys are not for this box
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submitComment();
    } else if (e.key === "Escape") {
      box.blur(); // a second Escape closes the thread
    }
  });
  box.addEventListener("input", () => showReason(""));
  host.addEventListener("focusout", () => {
    setTimeout(() => {
      if (stale && !host.contains(document.activeElement)) render();
    });
  });

  function showReason(text) {
    reason.textContent = text;
    reason.hidden = !text;
  }

  function submitComment() {
    const text = box.value.trim();
    if (!noteId || !text) return;
    if (text.length > maxText) {
      // Kept in the box with the reason, never thrown away.
      showReason(`This comment has ${text.length.toLocaleString("en")} characters; a comment holds ${maxText.toLocaleString("en")}. Shorten it to send it.`);
      return;
    }
    if (state.submit("comment.create", { id: newId(), note: noteId, text }) !== null) box.value = "";
  }

  // A refused comment comes back into the box, unless something new was typed there since.
  state.addEventListener("reject", (e) => {
    const op = e.detail.op;
    if (op?.op === "comment.create" && op.data.note === noteId && !box.value.trim()) box.value = op.data.text;
  });

  function commentItem(c) {
    const mine = c.pending || (c.author && c.author === me());
    const item = el("li", { className: "thread-comment", dataset: { id: c.id, mine: String(Boolean(mine)) } },
      el("div", { className: "comment-meta" },
        el("strong", { className: "comment-author" }, c.name || "Someone"),
        el("time", { className: "comment-time", dateTime: new Date(c.at * 1000).toISOString(), title: when(c.at) },
          c.pending ? "sending…" : when(c.at)),
        c.edited ? el("span", { className: "comment-edited", title: `Edited ${when(c.edited)}` }, "(edited)") : null),
      el("p", { className: "comment-text" }, c.text));
    if (!canWrite() || c.pending) return item;
    const tools = el("div", { className: "comment-actions" });
    if (mine) {
      const edit = el("button", { type: "button", className: "link-button", "aria-label": "Edit your comment" }, "Edit");
      edit.addEventListener("click", () => editComment(item, c));
      tools.append(edit);
    }
    if (mine || facilitator()) {
      const remove = el("button", { type: "button", className: "link-button danger", "aria-label": mine ? "Delete your comment" : `Delete ${c.name}'s comment` }, "Delete");
      remove.addEventListener("click", () => state.submit("comment.delete", { id: c.id }));
      tools.append(remove);
    }
    if (tools.childElementCount) item.append(tools);
    return item;
  }

  function editComment(item, c) {
    const input = el("textarea", { className: "thread-input", rows: 3, "aria-label": "Edit your comment" });
    input.value = c.text;
    const save = el("button", { type: "button", className: "button primary small" }, "Save");
    const cancel = el("button", { type: "button", className: "button small" }, "Cancel");
    const done = (keep) => {
      const text = input.value.trim();
      if (keep && !text) {
        toast("A comment needs some text; Delete takes it away.", { kind: "error" });
        return;
      }
      if (keep && text !== c.text) {
        if (text.length > maxText) {
          toast(`A comment holds ${maxText.toLocaleString("en")} characters; this one has ${text.length.toLocaleString("en")}.`, { kind: "error" });
          return;
        }
        state.submit("comment.update", { id: c.id, text });
      }
      input.blur();
      render(true);
    };
    input.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        done(true);
      } else if (e.key === "Escape") {
        done(false);
      }
    });
    save.addEventListener("click", () => done(true));
    cancel.addEventListener("click", () => done(false));
    item.querySelector(".comment-text").replaceWith(input);
    item.querySelector(".comment-actions")?.replaceChildren(save, cancel);
    input.focus();
  }

  function render(force = false) {
    const note = noteId && state.view.notes.get(noteId);
    if (!note) {
      if (noteId) {
        const text = box.value.trim();
        box.value = "";
        keepUnsent(text);
        hide();
      }
      return;
    }
    // Not while someone types in the panel (their edit would be rebuilt away); after they leave.
    const active = document.activeElement;
    if (!force && host.contains(active) && active !== box && active.matches("textarea")) {
      stale = true;
      return;
    }
    stale = false;
    const comments = threadOf(state.view, noteId);
    const done = state.view.resolved[noteId];
    title.textContent = comments.length ? `Thread · ${plural(comments.length, "comment", "comments")}` : "Thread";
    sticky.replaceChildren(
      el("span", { className: "kind-chip", dataset: { kind: note.kind } }, kindInfo(note.kind).label),
      el("span", { className: "thread-sticky-text" }, note.text || "(empty)"));
    host.dataset.resolved = String(Boolean(done));
    status.textContent = done
      ? `Resolved by ${done.name || "someone"}${done.at && !done.pending ? ` · ${when(done.at)}` : ""}`
      : comments.length || note.kind === "hotspot" ? "Open question" : "No comments yet";
    const resolvable = Boolean(done) || comments.length > 0 || note.kind === "hotspot";
    resolve.hidden = !canWrite() || !resolvable;
    resolve.textContent = done ? "Reopen" : "Resolve";
    resolve.title = done ? "Open this question again" : "Mark this question as answered: it leaves the open questions";
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 8;
    list.replaceChildren(...comments.map(commentItem));
    if (atBottom) list.scrollTop = list.scrollHeight;
    compose.hidden = !canWrite();
    readOnly.hidden = canWrite();
    readOnly.textContent = state.readOnlyMessage
      ? `${state.readOnlyMessage} You can read the thread.`
      : "You are watching: you can read the thread; comments need the edit link.";
  }

  // The sticky went while a comment was being written: the words stay, to copy elsewhere.
  function keepUnsent(text) {
    if (!text) return;
    toast(`The sticky you were commenting on was deleted. Your comment, not sent: “${text}”`, {
      kind: "error",
      actions: [
        { label: "Copy it", run: () => void navigator.clipboard?.writeText(text).catch(() => {}) },
        { label: "Dismiss", run: () => true },
      ],
    });
  }

  function open(id, { compose: typing = false } = {}) {
    if (!state.view.notes.has(id)) return false;
    if (noteId !== id) {
      // An unsent comment waits in its thread for when it is opened again.
      if (noteId && box.value.trim()) drafts.set(noteId, box.value);
      box.value = drafts.get(id) || "";
      drafts.delete(id);
      showReason("");
    }
    noteId = id;
    onOpen?.();
    host.hidden = false;
    document.body.classList.add("with-thread");
    render(true);
    list.scrollTop = list.scrollHeight;
    paint(id);
    if (typing && canWrite()) box.focus({ preventScroll: true });
    return true;
  }

  function hide() {
    const was = noteId;
    if (was && box.value.trim()) drafts.set(was, box.value);
    box.value = "";
    noteId = null;
    host.hidden = true;
    document.body.classList.remove("with-thread");
    if (was) paint(was);
  }

  // --- badges on the stickies ----------------------------------------------------------------
  const badges = new Map(); // note id -> badge button

  function badgeFor(id) {
    const noteEl = renderer.records.get(id)?.el;
    if (!noteEl) return null;
    let b = badges.get(id);
    if (b && b.parentNode === noteEl) return b;
    b = el("button", { type: "button", className: "thread-badge", dataset: { id } }, bubble(), el("span", { className: "thread-count" }));
    // A button on a draggable sticky: no drag, no text editing from it.
    b.addEventListener("pointerdown", (e) => e.stopPropagation());
    b.addEventListener("dblclick", (e) => e.stopPropagation());
    b.addEventListener("click", (e) => {
      e.stopPropagation();
      if (noteId === id) hide();
      else {
        selection.set([id]);
        open(id, { compose: true });
      }
    });
    noteEl.append(b);
    badges.set(id, b);
    return b;
  }

  function paint(id, counts = null) {
    const note = state.view.notes.get(id);
    const count = note ? (counts ? counts.get(id) || 0 : threadOf(state.view, id).length) : 0;
    const selected = selection.ids.size === 1 && selection.ids.has(id);
    const offer = note && count === 0 && (selected || noteId === id) && canWrite();
    if (!note || (count === 0 && !offer && noteId !== id)) {
      badges.get(id)?.remove();
      badges.delete(id);
      return;
    }
    const b = badgeFor(id);
    if (!b) return;
    const done = Boolean(state.view.resolved[id]);
    b.querySelector(".thread-count").textContent = count ? String(count) : "+";
    b.classList.toggle("resolved", done);
    b.classList.toggle("empty", count === 0);
    b.classList.toggle("open", noteId === id);
    const what = count ? `${plural(count, "comment", "comments")}${done ? ", resolved" : ""}` : "Comment on this sticky";
    b.title = `${what}: click to open the thread (T)`;
    b.setAttribute("aria-label", what);
  }

  function paintAll() {
    const counts = commentCounts(state.view);
    const ids = new Set([...badges.keys(), ...counts.keys(), ...selection.ids]);
    for (const id of ids) paint(id, counts);
  }

  let selected = new Set();
  selection.addEventListener("change", () => {
    const now = new Set(selection.ids);
    for (const id of new Set([...selected, ...now])) paint(id);
    selected = now;
    // An open thread follows the selection to another sticky, like the side panel.
    const [only] = now;
    if (noteId && now.size === 1 && only !== noteId && state.view.notes.has(only)) open(only);
  });

  state.addEventListener("change", (e) => {
    const d = e.detail;
    for (const [id, text] of drafts) {
      if (d.notes.has(id) && !state.view.notes.has(id)) {
        drafts.delete(id);
        keepUnsent(text.trim());
      }
    }
    if (d.workshop) {
      paintAll(); // the lock changes who may comment
      if (noteId) render();
      return;
    }
    const ids = new Set([...d.threads, ...d.notes]);
    if (ids.size) {
      const counts = commentCounts(state.view);
      for (const id of ids) paint(id, counts);
    }
    if (noteId && (d.threads.has(noteId) || d.notes.has(noteId))) render();
  });
  socket.addEventListener("frame", (e) => {
    if (e.detail.type === "snapshot") paintAll();
    if (e.detail.type === "welcome" && noteId) render(); // the role is known now
  });

  // T comments on the selected sticky: its thread, the cursor in the box (already open: the
  // cursor goes back to the box). Where there is no box to type in (a viewer), T opens and closes.
  actions.register({
    name: "thread", label: "Comment on the selected sticky: open its thread", keys: ["t"],
    when: () => noteId !== null || [...selection.ids].some((id) => state.view.notes.has(id)),
    run: () => {
      const [id] = [...selection.ids].filter((x) => state.view.notes.has(x));
      if (noteId !== null && (!id || id === noteId) && !canWrite()) hide();
      else open(id || noteId, { compose: true });
    },
  });
  actions.register({
    name: "close-thread", label: "Close the thread", keys: ["Escape"], when: () => noteId !== null,
    run: () => {
      hide();
      return false; // Escape also clears the selection
    },
  });

  return {
    open, close: hide,
    get noteId() {
      return noteId;
    },
  };
}
