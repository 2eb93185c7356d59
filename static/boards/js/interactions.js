// Pointer and keyboard: turns what the user does on the canvas into ops (through
// state.submit) and into view changes (camera, selection, drag previews).

import { FRAME_KINDS, NOTE_KINDS, kindInfo } from "./kinds.js";
import { newId } from "./ids.js";
import { membersOf } from "./state.js";
import { toast } from "./toast.js";

const DRAG_THRESHOLD_PX = 4;
const MIN_NOTE = { w: 60, h: 40 };
const MIN_FRAME = { w: 120, h: 80 };
const DEFAULT_FRAME = { aggregate: { w: 520, h: 340 }, bounded_context: { w: 960, h: 600 } };
const PASTE_OFFSET = 24;
const CLIPBOARD_KEY = "storming:clipboard";
const FRAME_TOOLS = new Set(FRAME_KINDS.map((k) => k.kind));

function isTyping(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

const round = (v) => Math.round(v);

export class Interactions extends EventTarget {
  constructor({ state, camera, renderer, selection, presence, viewport, draft, selectionBox, onHelp }) {
    super();
    this.state = state;
    this.camera = camera;
    this.renderer = renderer;
    this.selection = selection;
    this.presence = presence;
    this.viewport = viewport;
    this.draft = draft; // {frame: div in world, link: svg path}
    this.selectionBox = selectionBox;
    this.onHelp = onHelp;
    this.tool = "select";
    this.spaceDown = false;
    this.gesture = null;
    this.editor = null;
    this.pasteCount = 0;

    viewport.addEventListener("pointerdown", (e) => this.pointerDown(e));
    viewport.addEventListener("pointermove", (e) => this.pointerMove(e));
    viewport.addEventListener("pointerup", (e) => this.pointerUp(e));
    viewport.addEventListener("pointercancel", (e) => this.pointerUp(e, true));
    viewport.addEventListener("dblclick", (e) => this.doubleClick(e));
    viewport.addEventListener("wheel", (e) => this.wheel(e), { passive: false });
    document.addEventListener("keydown", (e) => this.keyDown(e));
    document.addEventListener("keyup", (e) => this.keyUp(e));
    window.addEventListener("blur", () => this.setSpace(false));
  }

  setTool(tool) {
    this.tool = tool;
    this.viewport.dataset.tool = tool;
    this.dispatchEvent(new CustomEvent("tool", { detail: { tool } }));
  }

  // --- pointer ----------------------------------------------------------------------

  pointerDown(e) {
    if (this.gesture) return;
    if (this.editor && !this.editor.node.contains(e.target)) this.editor.commit();
    if (this.editor) return; // a click inside the text being edited
    const world = this.camera.screenToWorld(e.clientX, e.clientY);
    const base = { startX: e.clientX, startY: e.clientY, startWorld: world, moved: false, id: e.pointerId };
    const target = e.target instanceof Element ? e.target : null;
    const owner = target?.closest(".note, .frame");
    const ownerId = owner?.dataset.id;

    if (e.button === 1 || (e.button === 0 && (this.spaceDown || this.tool === "hand"))) {
      this.begin(e, { ...base, type: "pan" });
      return;
    }
    if (e.button !== 0) return;
    this.viewport.focus({ preventScroll: true });

    if (target?.closest(".resize-handle") && ownerId) {
      const g = this.renderer.geometry(ownerId);
      this.begin(e, { ...base, type: "resize", target: ownerId, start: { w: g.w, h: g.h }, isFrame: owner.classList.contains("frame") });
      return;
    }
    if (target?.closest(".connect-handle") && ownerId) {
      this.begin(e, { ...base, type: "connect", from: ownerId });
      return;
    }
    if (FRAME_TOOLS.has(this.tool)) {
      this.begin(e, { ...base, type: "draw", kind: this.tool });
      return;
    }
    const grabbable = target?.closest(".note") || target?.closest(".frame-header");
    if (grabbable && ownerId) {
      if (this.tool === "connect") {
        this.begin(e, { ...base, type: "connect", from: ownerId });
        return;
      }
      this.grab(e, base, ownerId);
      return;
    }
    const link = target?.closest(".link");
    if (link) {
      if (e.shiftKey) this.selection.toggle(link.dataset.id);
      else this.selection.set([link.dataset.id]);
      return;
    }
    if (e.shiftKey || this.tool === "box") {
      this.begin(e, { ...base, type: "box", additive: e.shiftKey, before: new Set(this.selection.ids) });
      return;
    }
    this.begin(e, { ...base, type: "pan", clearOnClick: true });
  }

  grab(e, base, id) {
    if (this.state.readOnly) {
      this.selection.set([id]); // a viewer may look at a sticky's fields, not move it
      return;
    }
    let clickSelectsOnly = false;
    if (e.shiftKey) {
      this.selection.toggle(id);
      if (!this.selection.has(id)) return;
    } else if (!this.selection.has(id)) {
      this.selection.set([id]);
    } else {
      clickSelectsOnly = true; // a click (no drag) on one of several selected narrows to it
    }
    const selected = [...this.selection.ids].filter((x) => this.renderer.geometry(x));
    const carried = new Set();
    for (const x of selected) {
      if (this.state.view.frames.has(x)) for (const m of membersOf(this.state.view, x)) carried.add(m);
    }
    // The server moves a frame's members with it; an op of their own would move them twice.
    const moving = selected.filter((x) => !carried.has(x));
    const starts = new Map();
    for (const x of [...moving, ...carried]) {
      const g = this.renderer.geometry(x);
      starts.set(x, { x: g.x, y: g.y });
    }
    this.begin(e, { ...base, type: "move", primary: id, moving, starts, clickSelectsOnly });
  }

  begin(e, gesture) {
    this.gesture = gesture;
    this.viewport.setPointerCapture(e.pointerId);
    if (gesture.type === "pan") this.viewport.classList.add("panning");
    e.preventDefault();
  }

  pointerMove(e) {
    const world = this.camera.screenToWorld(e.clientX, e.clientY);
    this.presence.sendCursor(round(world.x), round(world.y));
    const g = this.gesture;
    if (!g || e.pointerId !== g.id) return;
    if (!g.moved) {
      if (Math.hypot(e.clientX - g.startX, e.clientY - g.startY) < DRAG_THRESHOLD_PX) return;
      g.moved = true;
    }
    const dx = world.x - g.startWorld.x;
    const dy = world.y - g.startWorld.y;
    switch (g.type) {
      case "pan":
        this.camera.panBy(e.clientX - (g.lastX ?? g.startX), e.clientY - (g.lastY ?? g.startY));
        g.lastX = e.clientX;
        g.lastY = e.clientY;
        break;
      case "move": {
        const overrides = new Map();
        for (const [x, s] of g.starts) overrides.set(x, { x: s.x + dx, y: s.y + dy });
        this.renderer.setOverrides(overrides);
        const p = overrides.get(g.primary);
        this.presence.sendPreview(g.primary, round(p.x), round(p.y));
        break;
      }
      case "resize": {
        const min = g.isFrame ? MIN_FRAME : MIN_NOTE;
        const size = { w: Math.max(min.w, g.start.w + dx), h: Math.max(min.h, g.start.h + dy) };
        this.renderer.setOverrides(new Map([[g.target, size]]));
        break;
      }
      case "draw":
        this.showDraftFrame(g.startWorld, world, g.kind);
        break;
      case "connect":
        this.showDraftLink(g, world, e);
        break;
      case "box":
        this.showBox(g, e);
        break;
      default:
        break;
    }
  }

  pointerUp(e, cancelled = false) {
    const g = this.gesture;
    if (!g || e.pointerId !== g.id) return;
    this.gesture = null;
    this.viewport.classList.remove("panning");
    if (this.viewport.hasPointerCapture(e.pointerId)) this.viewport.releasePointerCapture(e.pointerId);
    const world = this.camera.screenToWorld(e.clientX, e.clientY);
    const dx = world.x - g.startWorld.x;
    const dy = world.y - g.startWorld.y;
    switch (g.type) {
      case "pan":
        if (!g.moved && g.clearOnClick) this.selection.clear();
        break;
      case "move":
        if (g.moved && !cancelled) {
          for (const id of g.moving) {
            const s = g.starts.get(id);
            const op = this.state.view.frames.has(id) ? "frame.update" : "note.update";
            this.state.submit(op, { id, x: round(s.x + dx), y: round(s.y + dy) });
          }
        } else if (!g.moved && g.clickSelectsOnly && !e.shiftKey) {
          this.selection.set([g.primary]);
        }
        this.renderer.clearOverrides();
        if (g.moved) this.presence.endPreview();
        break;
      case "resize": {
        const override = this.renderer.overrides.get(g.target);
        if (g.moved && override && !cancelled) {
          this.state.submit(g.isFrame ? "frame.update" : "note.update", {
            id: g.target, w: round(override.w), h: round(override.h),
          });
        }
        this.renderer.clearOverrides();
        break;
      }
      case "draw":
        this.draft.frame.hidden = true;
        if (!cancelled) this.finishFrame(g, world);
        break;
      case "connect":
        this.draft.link.setAttribute("d", "");
        this.highlightTarget(null);
        if (!cancelled && g.target) {
          const id = newId();
          this.state.submit("link.create", { id, from: g.from, to: g.target, label: "" });
          this.selection.set([id]);
        }
        break;
      case "box":
        this.selectionBox.hidden = true;
        break;
      default:
        break;
    }
  }

  finishFrame(g, world) {
    const kind = g.kind;
    let rect;
    if (g.moved && Math.abs(world.x - g.startWorld.x) > 40 && Math.abs(world.y - g.startWorld.y) > 40) {
      rect = normalRect(g.startWorld, world);
    } else {
      const size = DEFAULT_FRAME[kind];
      rect = { x: g.startWorld.x, y: g.startWorld.y, ...size };
    }
    const id = newId();
    this.state.submit("frame.create", {
      id, kind, name: this.unusedFrameName(kind),
      x: round(rect.x), y: round(rect.y), w: round(rect.w), h: round(rect.h),
    });
    this.setTool("select");
    this.selection.set([id]);
    this.editFrameName(id);
  }

  unusedFrameName(kind) {
    const base = kind === "aggregate" ? "Aggregate" : "Context";
    const names = new Set([...this.state.view.frames.values()].map((f) => f.name));
    let n = 1;
    while (names.has(`${base} ${n}`)) n += 1;
    return `${base} ${n}`;
  }

  showDraftFrame(a, b, kind) {
    const r = normalRect(a, b);
    const el = this.draft.frame;
    el.hidden = false;
    el.dataset.kind = kind;
    el.style.transform = `translate(${r.x}px, ${r.y}px)`;
    el.style.width = `${r.w}px`;
    el.style.height = `${r.h}px`;
  }

  showDraftLink(g, world, e) {
    const from = this.renderer.geometry(g.from);
    if (!from) return;
    const hit = document.elementFromPoint(e.clientX, e.clientY)?.closest(".note, .frame");
    const target = hit && hit.dataset.id !== g.from ? hit.dataset.id : null;
    g.target = target;
    this.highlightTarget(target);
    const cx = from.x + from.w / 2;
    const cy = from.y + from.h / 2;
    this.draft.link.setAttribute("d", `M${cx},${cy} L${world.x},${world.y}`);
  }

  highlightTarget(id) {
    for (const el of this.viewport.querySelectorAll(".link-target")) el.classList.remove("link-target");
    if (id) this.renderer.elementFor(id)?.classList.add("link-target");
  }

  showBox(g, e) {
    const r = this.viewport.getBoundingClientRect();
    const x1 = Math.min(g.startX, e.clientX) - r.left;
    const y1 = Math.min(g.startY, e.clientY) - r.top;
    const w = Math.abs(e.clientX - g.startX);
    const h = Math.abs(e.clientY - g.startY);
    Object.assign(this.selectionBox.style, { left: `${x1}px`, top: `${y1}px`, width: `${w}px`, height: `${h}px` });
    this.selectionBox.hidden = false;
    const a = this.camera.screenToWorld(Math.min(g.startX, e.clientX), Math.min(g.startY, e.clientY));
    const b = this.camera.screenToWorld(Math.max(g.startX, e.clientX), Math.max(g.startY, e.clientY));
    const ids = new Set(g.additive ? g.before : []);
    // Notes are caught by touching the box, frames only when wholly inside it, so that
    // a box drawn inside a big context does not grab the context itself.
    for (const n of this.state.view.notes.values()) {
      if (n.x < b.x && n.x + n.w > a.x && n.y < b.y && n.y + n.h > a.y) ids.add(n.id);
    }
    for (const f of this.state.view.frames.values()) {
      if (f.x >= a.x && f.x + f.w <= b.x && f.y >= a.y && f.y + f.h <= b.y) ids.add(f.id);
    }
    this.selection.set(ids);
  }

  wheel(e) {
    // A sticky whose text is longer than it can show scrolls under the wheel.
    const long = e.target instanceof Element ? e.target.closest(".note-text[data-overflow]") : null;
    if (long && !e.ctrlKey && !e.shiftKey && canScroll(long, e.deltaY)) return;
    e.preventDefault();
    const scale = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    const dy = e.deltaY * scale;
    if (e.shiftKey && !e.ctrlKey) {
      this.camera.panBy(-dy, 0);
      return;
    }
    // ctrl+wheel is what a trackpad pinch sends; its deltas are small, so weigh them more.
    const factor = Math.exp(-dy * (e.ctrlKey ? 0.01 : 0.0015));
    this.camera.zoomAt(factor, e.clientX, e.clientY);
  }

  doubleClick(e) {
    // With pointer capture on the viewport, a dblclick is aimed at the viewport itself;
    // what the user double-clicked is what lies under the pointer.
    const target = document.elementFromPoint(e.clientX, e.clientY);
    if (this.state.readOnly || this.editor || target?.closest(".handle")) return;
    const note = target?.closest(".note");
    if (note) return this.editNote(note.dataset.id);
    const header = target?.closest(".frame-header");
    if (header) return this.editFrameName(header.closest(".frame").dataset.id);
    const link = target?.closest(".link");
    if (link) return this.editLinkLabel(link.dataset.id, e);
    const world = this.camera.screenToWorld(e.clientX, e.clientY);
    const info = kindInfo("event");
    this.placeNote("event", world.x - info.w / 2, world.y - info.h / 2, { edit: true });
  }

  // --- placing and editing ----------------------------------------------------------

  placeNote(kind, x, y, { edit = false } = {}) {
    const info = kindInfo(kind);
    const id = newId();
    this.state.submit("note.create", {
      id, kind, text: "", x: round(x), y: round(y), w: info.w, h: info.h, fields: [],
    });
    this.selection.set([id]);
    if (edit) this.editNote(id);
    return id;
  }

  // A click on the palette puts the sticky in the middle of the view, stepping aside
  // from one already there so repeated clicks do not stack them invisibly.
  placeAtCentre(kind) {
    const info = kindInfo(kind);
    const c = this.camera.centreWorld();
    let x = c.x - info.w / 2;
    let y = c.y - info.h / 2;
    const taken = (px, py) =>
      [...this.state.view.notes.values()].some((n) => Math.abs(n.x - px) < 8 && Math.abs(n.y - py) < 8);
    for (let i = 0; i < 20 && taken(x, y); i++) {
      x += PASTE_OFFSET;
      y += PASTE_OFFSET;
    }
    return this.placeNote(kind, x, y, { edit: true });
  }

  placeAtScreen(kind, clientX, clientY) {
    const info = kindInfo(kind);
    const w = this.camera.screenToWorld(clientX, clientY);
    return this.placeNote(kind, w.x - info.w / 2, w.y - info.h / 2, { edit: true });
  }

  editNote(id) {
    const rec = this.renderer.records.get(id);
    const note = this.state.view.notes.get(id);
    if (!rec || !note) return;
    this.selection.set([id]);
    const textarea = document.createElement("textarea");
    textarea.className = "note-editor";
    textarea.value = note.text;
    textarea.setAttribute("aria-label", `${kindInfo(note.kind).label} text`);
    textarea.spellcheck = true;
    this.renderer.setEditing(id);
    rec.el.classList.add("editing");
    rec.el.append(textarea);
    this.openEditor(textarea, rec.el, (value) => {
      rec.el.classList.remove("editing");
      const current = this.state.view.notes.get(id);
      if (current && value !== current.text) this.state.submit("note.update", { id, text: value });
    }, { multiline: true });
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
    this.openEditor(input, rec.el, (value) => {
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
    this.draft.frame.parentElement.append(holder);
    this.openEditor(input, holder, (value) => {
      holder.remove();
      const current = this.state.view.links.get(id);
      if (current && value.trim() !== (current.label || "")) {
        this.state.submit("link.update", { id, label: value.trim() });
      }
    }, { multiline: false });
  }

  // Enter, Escape and leaving the field all commit (Shift+Enter makes a new line).
  openEditor(field, node, onCommit, { multiline }) {
    let done = false;
    const commit = () => {
      if (done) return;
      done = true;
      const value = multiline ? field.value.replace(/\s+$/, "") : field.value;
      this.editor = null;
      field.remove();
      this.renderer.setEditing(null);
      onCommit(value);
      this.viewport.focus({ preventScroll: true });
    };
    field.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if ((e.key === "Enter" && !(multiline && e.shiftKey)) || e.key === "Escape") {
        e.preventDefault();
        commit();
      }
    });
    field.addEventListener("blur", commit);
    field.addEventListener("pointerdown", (e) => e.stopPropagation());
    field.addEventListener("dblclick", (e) => e.stopPropagation());
    this.editor = { node, commit };
    field.focus();
    field.select();
  }

  // --- keyboard ---------------------------------------------------------------------

  setSpace(down) {
    this.spaceDown = down;
    this.viewport.classList.toggle("space-pan", down);
  }

  keyDown(e) {
    if (isTyping(e.target) || document.querySelector("dialog[open]")) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key;
    if (key === " ") {
      e.preventDefault();
      this.setSpace(true);
      return;
    }
    if (mod) {
      const k = key.toLowerCase();
      if (k === "c") this.copy();
      else if (k === "v") this.paste();
      else if (k === "d") this.duplicate();
      else if (k === "a") this.selectAll();
      else return;
      e.preventDefault();
      return;
    }
    if (e.altKey) return;
    if (key === "Delete" || key === "Backspace") {
      e.preventDefault();
      this.deleteSelection();
    } else if (key === "Escape") {
      this.selection.clear();
      this.setTool("select");
    } else if (key === "?") {
      this.onHelp();
    } else if (key === "Enter") {
      const [id] = this.selection.ids;
      if (this.selection.size !== 1) return;
      e.preventDefault();
      if (this.state.view.notes.has(id)) this.editNote(id);
      else if (this.state.view.frames.has(id)) this.editFrameName(id);
    } else if (key.startsWith("Arrow")) {
      e.preventDefault();
      const step = e.shiftKey ? 50 : 10;
      const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[key];
      this.nudge(d[0], d[1]);
    } else if (key === "+" || key === "=") {
      this.camera.zoomAt(1.2);
    } else if (key === "-" || key === "_") {
      this.camera.zoomAt(1 / 1.2);
    } else if (key === "0") {
      this.camera.setZoom(1);
    } else {
      const note = NOTE_KINDS.find((k) => k.key === key);
      if (note) {
        e.preventDefault(); // the digit must not land in the new sticky's editor
        this.placeAtCentre(note.kind);
        return;
      }
      const tools = { v: "select", h: "hand", b: "box", c: "connect", a: "aggregate", k: "bounded_context" };
      if (tools[key.toLowerCase()]) this.setTool(tools[key.toLowerCase()]);
      else if (key.toLowerCase() === "f") this.fit();
    }
  }

  keyUp(e) {
    if (e.key === " ") this.setSpace(false);
  }

  fit() {
    this.camera.fit(this.renderer.contentBounds());
  }

  selectAll() {
    this.selection.set([...this.state.view.notes.keys(), ...this.state.view.frames.keys()]);
  }

  nudge(dx, dy) {
    for (const id of this.selection.ids) {
      const n = this.state.view.notes.get(id);
      const f = this.state.view.frames.get(id);
      const el = n || f;
      if (!el) continue;
      this.state.submit(n ? "note.update" : "frame.update", { id, x: el.x + dx, y: el.y + dy });
    }
  }

  deleteSelection() {
    const ids = [...this.selection.ids];
    const view = this.state.view;
    // Links first: deleting a note deletes its links on the server too, and a second
    // delete of the same link would only be rejected.
    for (const id of ids) if (view.links.has(id)) this.state.submit("link.delete", { id });
    for (const id of ids) if (view.notes.has(id)) this.state.submit("note.delete", { id });
    for (const id of ids) if (view.frames.has(id)) this.state.submit("frame.delete", { id });
    this.selection.clear();
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

  copy() {
    const data = this.selectedSubset();
    if (!data.notes.length && !data.frames.length) return;
    this.clipboard = data;
    this.pasteCount = 0;
    try {
      // Kept in storage so that copy in one board and paste in another works.
      localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(data));
    } catch {
      // Only this tab can paste then.
    }
    const n = data.notes.length + data.frames.length;
    toast(`Copied ${n} element${n === 1 ? "" : "s"}`);
  }

  paste() {
    let data = null;
    try {
      data = JSON.parse(localStorage.getItem(CLIPBOARD_KEY) || "null");
    } catch {
      data = null;
    }
    data = data || this.clipboard;
    if (!data) return;
    this.pasteCount += 1;
    this.insertCopy(data, PASTE_OFFSET * this.pasteCount);
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

function canScroll(el, dy) {
  return dy < 0 ? el.scrollTop > 0 : el.scrollTop + el.clientHeight < el.scrollHeight - 1;
}

function normalRect(a, b) {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
}
