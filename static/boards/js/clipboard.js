// Copy and paste: through the browser's own clipboard events, so that stickies copied here
// paste elsewhere as lines of text, and lines of text pasted here become stickies (one a line,
// of a kind the person picks). The stickies themselves (kinds, fields, links) are kept in storage
// beside that text, so copy in one board and paste in another works. Duplicate too.

import { NOTE_KINDS, kindInfo } from "./kinds.js";
import { newId } from "./ids.js";
import { toast } from "./toast.js";
import { isTyping } from "./actions.js";
import { freeSpot } from "./layout.js";

const PASTE_OFFSET = 24;
const CLIPBOARD_KEY = "storming:clipboard";
const MAX_PASTED_LINES = 200;
const round = (v) => Math.round(v);

export class Clipboard {
  // host: the canvas's interactions (the board's text limit, the middle of the open view).
  constructor({ state, selection, viewport, host }) {
    this.state = state;
    this.selection = selection;
    this.viewport = viewport;
    this.host = host;
    this.copied = null;
    this.pasteCount = 0;
    document.addEventListener("copy", (e) => this.onCopy(e));
    document.addEventListener("paste", (e) => this.onPaste(e));
  }

  // --- clipboard --------------------------------------------------------------------

  selectedSubset() {
    const view = this.state.view;
    const ids = new Set(this.selection.ids);
    const notes = [...ids].map((id) => view.notes.get(id)).filter(Boolean);
    const frames = [...ids].map((id) => view.frames.get(id)).filter(Boolean);
    const inside = new Set([...notes, ...frames].map((e) => e.id));
    const links = [...view.links.values()].filter((l) => inside.has(l.from) && inside.has(l.to));
    return {
      notes: notes.map(({ id, kind, text, x, y, w, h, fields }) => ({ id, kind, text, x, y, w, h, fields })),
      frames: frames.map(({ id, kind, name, x, y, w, h }) => ({ id, kind, name, x, y, w, h })),
      links: links.map(({ from, to, label }) => ({ from, to, label })),
    };
  }

  // Copy and paste go through the browser's own clipboard events, so that stickies copied
  // here paste elsewhere as lines of text, and lines of text pasted here become stickies.
  // The stickies themselves (kinds, fields, links) are kept in storage beside that text, so
  // copy in one board and paste in another works.
  copy() {
    return false; // the "copy" event that follows does it
  }

  onCopy(e) {
    if (isTyping(e.target) || document.querySelector("dialog[open]")) return;
    const data = this.selectedSubset();
    if (!data.notes.length && !data.frames.length) return;
    e.preventDefault();
    const text = [...data.notes.map((n) => n.text), ...data.frames.map((f) => f.name)].filter(Boolean).join("\n");
    e.clipboardData?.setData("text/plain", text);
    this.copied = { ...data, text };
    this.pasteCount = 0;
    try {
      localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(this.copied));
    } catch {
      // Only this tab can paste then.
    }
    const n = data.notes.length + data.frames.length;
    toast(`Copied ${n} element${n === 1 ? "" : "s"}`);
  }

  paste() {
    return false; // the "paste" event that follows does it
  }

  onPaste(e) {
    if (isTyping(e.target) || document.querySelector("dialog[open]") || this.state.readOnly) return;
    let data = null;
    try {
      data = JSON.parse(localStorage.getItem(CLIPBOARD_KEY) || "null");
    } catch {
      data = null;
    }
    data = data || this.copied;
    const text = e.clipboardData?.getData("text/plain") || "";
    e.preventDefault();
    if (text.trim() && (!data || data.text !== text)) {
      this.pasteLines(text);
      return;
    }
    if (!data) return;
    this.pasteCount += 1;
    this.insertCopy(data, PASTE_OFFSET * this.pasteCount);
  }

  // Lines of text (a list from a document or a chat) become one sticky each, of a kind the
  // person picks, in a row in free space near the middle of the view.
  async pasteLines(text) {
    const lines = text.split(/\r?\n/).map((l) => l.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, "").trim()).filter(Boolean);
    if (!lines.length) return;
    if (lines.length > MAX_PASTED_LINES) {
      toast(`That is ${lines.length} lines; paste at most ${MAX_PASTED_LINES} at a time.`, { kind: "error" });
      return;
    }
    const kind = await this.askKind(lines.length);
    if (!kind) return;
    const info = kindInfo(kind);
    const perRow = Math.min(lines.length, 8);
    const rows = Math.ceil(lines.length / perRow);
    const block = { w: perRow * (info.w + 24) - 24, h: rows * (info.h + 24) - 24 };
    const spot = freeSpot(block, this.host.openCentre(), [...this.state.view.notes.values()]);
    const ids = lines.map((line, i) => {
      const id = newId();
      this.state.submit("note.create", {
        id, kind, text: line.slice(0, this.host.maxText), fields: [], w: info.w, h: info.h,
        x: round(spot.x + (i % perRow) * (info.w + 24)), y: round(spot.y + Math.floor(i / perRow) * (info.h + 24)),
      });
      return id;
    });
    this.selection.set(ids);
    toast(`Pasted ${ids.length} ${ids.length === 1 ? info.label.toLowerCase() : "stickies"}.`);
  }

  // A small question: which kind the pasted lines become (keys 1-7 pick one).
  askKind(count) {
    const dialog = document.getElementById("paste-kind-dialog");
    const list = dialog.querySelector(".paste-kinds");
    dialog.querySelector(".paste-count").textContent = `${count} line${count === 1 ? "" : "s"}`;
    return new Promise((resolve) => {
      let answer = null;
      list.replaceChildren(...NOTE_KINDS.map((k) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "button paste-kind";
        b.dataset.kind = k.kind;
        const key = document.createElement("kbd");
        key.textContent = k.key;
        b.append(key, ` ${k.label}`);
        b.addEventListener("click", () => {
          answer = k.kind;
          dialog.close();
        });
        return b;
      }));
      const onKey = (e) => {
        const k = NOTE_KINDS.find((x) => x.key === e.key);
        if (!k) return;
        e.preventDefault();
        answer = k.kind;
        dialog.close();
      };
      dialog.addEventListener("keydown", onKey);
      dialog.addEventListener("close", () => {
        dialog.removeEventListener("keydown", onKey);
        this.viewport.focus({ preventScroll: true });
        resolve(answer);
      }, { once: true });
      dialog.showModal();
      list.querySelector('[data-kind="event"]').focus();
    });
  }

  duplicate() {
    const data = this.selectedSubset();
    if (!data.notes.length && !data.frames.length) return;
    this.insertCopy(data, PASTE_OFFSET);
  }

  // New ids for everything; frames first so pasted stickies land inside pasted frames.
  insertCopy(data, offset) {
    const ids = new Map();
    const names = new Set([...this.state.view.frames.values()].map((f) => f.name));
    for (const f of data.frames) {
      const id = newId();
      ids.set(f.id, id);
      let name = f.name;
      // Context names are unique per board; a copy gets a name of its own.
      while (names.has(name)) name = `${name} copy`;
      names.add(name);
      this.state.submit("frame.create", { ...f, id, name, x: f.x + offset, y: f.y + offset });
    }
    for (const n of data.notes) {
      const id = newId();
      ids.set(n.id, id);
      this.state.submit("note.create", { ...n, id, x: n.x + offset, y: n.y + offset, fields: n.fields || [] });
    }
    for (const l of data.links) {
      if (!ids.has(l.from) || !ids.has(l.to)) continue;
      this.state.submit("link.create", { id: newId(), from: ids.get(l.from), to: ids.get(l.to), label: l.label || "" });
    }
    this.selection.set([...ids.values()]);
  }
}
