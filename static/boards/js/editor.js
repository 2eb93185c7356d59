// Text edited in place: a sticky's text, a frame's name, a link's label. Enter, Escape or
// leaving the field saves; nothing typed is lost: text over the board's limit stays in the
// editor with the reason, and text typed in a sticky someone else deletes (or changes) is kept
// in a message from which it can be put back. While a person types in a sticky, the others see
// it (presence.setEditing: a soft lock).

import { kindInfo } from "./kinds.js";
import { newId } from "./ids.js";
import { toast } from "./toast.js";

const PASTE_OFFSET = 24;

export class InPlaceEditor {
  // host: the canvas's interactions, whose parts the editor works with (and the board's text
  // limit, host.maxText); world: the element the editors are placed in.
  constructor(host, world) {
    ({ state: this.state, camera: this.camera, renderer: this.renderer } = host);
    ({ selection: this.selection, presence: this.presence, viewport: this.viewport } = host);
    this.host = host;
    this.world = world;
    this.current = null; // {node, commit, field} while something is edited
    // The sticky being typed in is deleted by someone else: close the editor (keeping the
    // text as a draft) before its element leaves the page.
    this.renderer.onEditedGone = () => this.current?.commit({ giveUp: true });
  }

  editNote(id) {
    const rec = this.renderer.records.get(id);
    const note = this.state.view.notes.get(id);
    if (!rec || !note) return;
    if (note.face_down) {
      toast("This sticky is face down until the facilitator reveals the silent round; only its author can change it.");
      return;
    }
    this.selection.set([id]);
    const base = note.text;
    const textarea = document.createElement("textarea");
    textarea.className = "note-editor";
    textarea.value = note.text;
    textarea.setAttribute("aria-label", `${kindInfo(note.kind).label} text`);
    textarea.spellcheck = true;
    this.renderer.setEditing(id);
    this.presence.setEditing(id);
    rec.el.classList.add("editing");
    rec.el.append(textarea);
    const tooLong = (value) => value.length > this.host.maxText
      ? `This text has ${value.length.toLocaleString("en")} characters; a sticky holds ${this.host.maxText.toLocaleString("en")}. ` +
        "Shorten it to save it (Escape twice keeps it as a draft instead)."
      : null;
    this.open(textarea, rec.el, (value) => {
      rec.el.classList.remove("editing");
      this.presence.setEditing(null);
      const current = this.state.view.notes.get(id);
      if (!current) {
        if (value.trim()) keepDraft(this.state, note, value, "The sticky you were typing in was deleted by someone else.", this.host.maxText);
        return;
      }
      if (value === current.text) return;
      if (tooLong(value)) {
        keepDraft(this.state, current, value, "Your text was too long for a sticky and was not saved.", this.host.maxText);
        return;
      }
      const theirs = current.text !== base && value !== base ? current.text : null;
      this.state.submit("note.update", { id, text: value });
      if (theirs !== null) {
        toast("Someone else changed this sticky while you typed; yours is saved.", {
          actions: [
            { label: "Put theirs back", run: () => this.state.submit("note.update", { id, text: theirs }) },
            { label: "Keep mine", run: () => {} },
          ],
        });
      }
    }, { multiline: true, check: tooLong });
  }

  editFrameName(id) {
    const rec = this.renderer.records.get(id);
    const frame = this.state.view.frames.get(id);
    if (!rec || !frame) return;
    const input = document.createElement("input");
    input.className = "frame-name-editor";
    input.value = frame.name;
    input.setAttribute("aria-label", `${kindInfo(frame.kind).label} name`);
    this.renderer.setEditing(id);
    rec.el.classList.add("editing");
    rec.el.querySelector(".frame-header").append(input);
    this.open(input, rec.el, (value) => {
      rec.el.classList.remove("editing");
      const current = this.state.view.frames.get(id);
      const name = value.trim();
      if (current && name && name !== current.name) this.state.submit("frame.update", { id, name });
    }, { multiline: false });
  }

  editLinkLabel(id, e) {
    const link = this.state.view.links.get(id);
    if (!link) return;
    this.selection.set([id]);
    const at = this.camera.screenToWorld(e.clientX, e.clientY);
    const holder = document.createElement("div");
    holder.className = "link-label-editor";
    holder.style.transform = `translate(${at.x}px, ${at.y}px)`;
    const input = document.createElement("input");
    input.value = link.label || "";
    input.placeholder = "Label";
    input.setAttribute("aria-label", "Link label");
    holder.append(input);
    this.world.append(holder);
    this.open(input, holder, (value) => {
      holder.remove();
      const current = this.state.view.links.get(id);
      if (current && value.trim() !== (current.label || "")) {
        this.state.submit("link.update", { id, label: value.trim() });
      }
    }, { multiline: false });
  }

  // Enter, Escape and leaving the field all commit (Shift+Enter makes a new line). A check
  // that finds a problem keeps the editor open with the reason; a second Escape gives up.
  open(field, node, onCommit, { multiline, check = () => null }) {
    let done = false;
    const reason = document.createElement("div");
    reason.className = "editor-reason";
    reason.setAttribute("role", "alert");
    const finish = (value) => {
      done = true;
      this.current = null;
      reason.remove();
      // Not while the sticky itself is being taken out of the page (a remote delete).
      if (field.isConnected) field.remove();
      this.renderer.setEditing(null);
      onCommit(value);
      this.viewport.focus({ preventScroll: true });
    };
    const commit = ({ giveUp = false } = {}) => {
      if (done) return;
      const value = multiline ? field.value.replace(/\s+$/, "") : field.value;
      const problem = node.isConnected && !giveUp ? check(value) : null;
      if (problem) {
        reason.textContent = problem;
        if (!reason.isConnected) node.append(reason);
        field.classList.add("refused");
        return;
      }
      finish(value);
    };
    field.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Escape" && field.classList.contains("refused")) {
        e.preventDefault();
        commit({ giveUp: true });
      } else if ((e.key === "Enter" && !(multiline && e.shiftKey)) || e.key === "Escape") {
        e.preventDefault();
        commit();
      }
    });
    field.addEventListener("input", () => {
      if (!field.classList.contains("refused")) return;
      const problem = check(multiline ? field.value.replace(/\s+$/, "") : field.value);
      reason.textContent = problem || "";
      reason.hidden = !problem;
    });
    field.addEventListener("blur", () => commit());
    field.addEventListener("pointerdown", (e) => e.stopPropagation());
    field.addEventListener("dblclick", (e) => e.stopPropagation());
    this.current = { node, commit, field };
    field.focus();
    field.select();
  }
}

// Text that could not be saved, kept where the person can take it back.
function keepDraft(state, note, text, why, limit) {
  const el = toast(`${why} Your text is kept: “${text.length > 80 ? `${text.slice(0, 80)}…` : text}”`, {
    kind: "error",
    actions: [
      {
        label: "Put it back as a new sticky",
        run: () => {
          state.submit("note.create", {
            id: newId(), kind: note.kind, text: text.slice(0, limit), x: note.x + PASTE_OFFSET, y: note.y + PASTE_OFFSET,
            w: note.w, h: note.h, fields: note.fields || [],
          });
        },
      },
      {
        label: "Copy the text",
        run: () => {
          navigator.clipboard?.writeText(text).catch(() => {});
          return false; // stays, the draft is still there
        },
      },
      { label: "Dismiss", run: () => {} },
    ],
  });
  if (el) el.classList.add("draft");
}
