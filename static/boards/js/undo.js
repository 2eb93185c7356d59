// Undo and redo of this person's own changes (docs/protocol.md: `undo` {op_ids}).
//
// Every op the page sends is recorded; the ops of one gesture (a drag of a selection, a
// delete of several, a paste) are submitted in one go, so ops submitted before the page
// returns to the event loop form one step. The server checks an undo like any op and may
// refuse it (someone changed or deleted the same thing since): that step is dropped, and
// the page's usual toast shows the server's words. Redo is the undo of the undo op.

import { icon } from "./kinds.js";

// Ops that are not changes of the model: taking them back makes no sense.
const NOT_UNDOABLE = new Set(["undo", "timer.start", "timer.stop", "votes.clear", "silent.start"]);
const MAX_STEPS = 200;
const MAX_OPS_A_STEP = 500; // the server's limit for one undo

const UNDO_ICON = "M9 14 4 9l5-5 M4 9h10.5a5.5 5.5 0 0 1 0 11H11";
const REDO_ICON = "M15 14l5-5-5-5 M20 9H9.5a5.5 5.5 0 0 0 0 11H13";

export class UndoHistory extends EventTarget {
  constructor({ state, socket }) {
    super();
    this.state = state;
    this.undoStack = []; // steps: {opIds: [], waiting: Set of op ids not yet acked}
    this.redoStack = []; // {undoOpId}: the undo op whose undo brings the step back
    this.gesture = null;
    this.inFlight = null; // {opId, kind: "undo" | "redo"}
    this.queued = []; // presses made while a step was still on its way: "undo" | "redo"
    this.sending = false;
    state.addEventListener("submit", (e) => this.record(e.detail));
    socket.addEventListener("frame", (e) => {
      const f = e.detail;
      if (f.type === "ack") this.acked(f.op_id);
      else if (f.type === "reject") this.refused(f.op_id);
    });
  }

  get canUndo() {
    const top = this.undoStack[this.undoStack.length - 1];
    return !this.inFlight && !!top && top.waiting.size === 0;
  }

  get canRedo() {
    return !this.inFlight && this.redoStack.length > 0;
  }

  record(frame) {
    if (this.sending || NOT_UNDOABLE.has(frame.op)) return;
    if (!this.gesture) {
      this.gesture = { opIds: [], waiting: new Set() };
      this.undoStack.push(this.gesture);
      if (this.undoStack.length > MAX_STEPS) this.undoStack.shift();
      queueMicrotask(() => {
        this.gesture = null;
      });
    }
    if (this.gesture.opIds.length < MAX_OPS_A_STEP) {
      this.gesture.opIds.push(frame.op_id);
      this.gesture.waiting.add(frame.op_id);
    }
    this.redoStack = []; // a new change of one's own: what was undone stays undone
    this.queued = [];
    this.changed();
  }

  acked(opId) {
    if (this.inFlight && this.inFlight.opId === opId) {
      const { kind } = this.inFlight;
      this.inFlight = null;
      if (kind === "undo") this.redoStack.push({ undoOpId: opId });
      else this.undoStack.push({ opIds: [opId], waiting: new Set() });
      this.changed();
      this.drain();
      return;
    }
    for (const step of this.undoStack) {
      if (step.waiting.delete(opId)) {
        this.changed();
        this.drain();
        return;
      }
    }
  }

  // Ctrl+Z pressed three times quickly undoes three steps, each after the one before is in.
  drain() {
    while (this.queued.length && !this.inFlight) {
      const kind = this.queued.shift();
      if (!(kind === "undo" ? this.undo() : this.redo())) break;
    }
  }

  press(kind) {
    const busy = this.inFlight || (kind === "undo" && this.undoStack.length && !this.canUndo);
    if (busy) {
      if (this.queued.length < MAX_STEPS) this.queued.push(kind);
      return;
    }
    if (kind === "undo") this.undo();
    else this.redo();
  }

  refused(opId) {
    if (this.inFlight && this.inFlight.opId === opId) {
      // The step cannot be taken back (or redone) any more; the toast says why. Presses
      // queued behind it were meant for a history that went otherwise: drop them.
      this.inFlight = null;
      this.queued = [];
      this.changed();
      return;
    }
    const i = this.undoStack.findIndex((s) => s.waiting.has(opId));
    if (i < 0) return;
    const step = this.undoStack[i];
    step.waiting.delete(opId);
    step.opIds = step.opIds.filter((id) => id !== opId);
    if (step.opIds.length === 0) this.undoStack.splice(i, 1);
    this.changed();
  }

  undo() {
    if (!this.canUndo) return false;
    const step = this.undoStack.pop();
    const opId = this.send({ op_ids: step.opIds });
    if (!opId) {
      this.undoStack.push(step);
      return false;
    }
    this.inFlight = { opId, kind: "undo" };
    this.changed();
    return true;
  }

  redo() {
    if (!this.canRedo) return false;
    const entry = this.redoStack.pop();
    const opId = this.send({ op_ids: [entry.undoOpId] });
    if (!opId) {
      this.redoStack.push(entry);
      return false;
    }
    this.inFlight = { opId, kind: "redo" };
    this.changed();
    return true;
  }

  send(data) {
    this.sending = true;
    try {
      return this.state.submit("undo", data);
    } finally {
      this.sending = false;
    }
  }

  changed() {
    this.dispatchEvent(new CustomEvent("change"));
  }
}

function iconButton(id, label, path) {
  const b = document.createElement("button");
  b.type = "button";
  b.id = id;
  b.className = "icon-button undo-button";
  b.setAttribute("aria-label", label);
  b.disabled = true;
  const svg = icon("select");
  svg.querySelector("path").setAttribute("d", path);
  b.append(svg);
  return b;
}

// Ctrl+Z / Cmd+Z undo; Ctrl+Shift+Z, Cmd+Shift+Z and Ctrl+Y redo; two buttons in the top bar.
export function mountUndo({ state, socket, anchor, actions }) {
  const history = new UndoHistory({ state, socket });
  const mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
  const mod = mac ? "⌘" : "Ctrl+";
  const group = document.createElement("div");
  group.className = "undo-group";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Undo and redo");
  const undoButton = iconButton("undo-button", "Undo", UNDO_ICON);
  const redoButton = iconButton("redo-button", "Redo", REDO_ICON);
  undoButton.title = `Undo your last change (${mod}Z)`;
  redoButton.title = `Redo (${mod}Shift+Z)`;
  group.append(undoButton, redoButton);
  anchor.before(group);

  const render = () => {
    undoButton.disabled = !history.canUndo;
    redoButton.disabled = !history.canRedo;
  };
  history.addEventListener("change", render);
  undoButton.addEventListener("click", () => history.press("undo"));
  redoButton.addEventListener("click", () => history.press("redo"));

  // Keys through the page's one registry; in a text field it does not act, and the browser's
  // own undo of the typing is what the user wants.
  actions.register({ name: "undo", label: "Undo your own last change", keys: ["Mod+z"], run: () => history.press("undo") });
  actions.register({ name: "redo", label: "Redo", keys: ["Mod+Shift+z", "Mod+y"], run: () => history.press("redo") });
  render();
  return history;
}
