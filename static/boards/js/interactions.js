// Pointer and keyboard: turns what the user does on the canvas into ops (through
// state.submit) and into view changes (camera, selection, drag previews).

import { FRAME_KINDS, NOTE_KINDS, kindInfo } from "./kinds.js";
import { newId } from "./ids.js";
import { laneOf, membersOf } from "./state.js";
import { toast } from "./toast.js";
import { isTyping } from "./actions.js";
import { Clipboard } from "./clipboard.js";
import { InPlaceEditor } from "./editor.js";
import { align, distribute, freeSpot, nextToTheRight, sortLeftToRight, timeOrder } from "./layout.js";

const DRAG_THRESHOLD_PX = 4;
const MIN_NOTE = { w: 60, h: 40 };
const MIN_FRAME = { w: 120, h: 80 };
const DEFAULT_FRAME = { aggregate: { w: 520, h: 340 }, bounded_context: { w: 960, h: 600 }, lane: { w: 2400, h: 240 } };
const FRAME_TOOLS = new Set(FRAME_KINDS.map((k) => k.kind));

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
    this.maxText = 2000; // board.js sets the server's limit
    this.editors = new InPlaceEditor(this, draft.frame.parentElement);

    viewport.addEventListener("pointerdown", (e) => this.pointerDown(e));
    viewport.addEventListener("pointermove", (e) => this.pointerMove(e));
    viewport.addEventListener("pointerup", (e) => this.pointerUp(e));
    viewport.addEventListener("pointercancel", (e) => this.pointerUp(e, true));
    viewport.addEventListener("dblclick", (e) => this.doubleClick(e));
    viewport.addEventListener("wheel", (e) => this.wheel(e), { passive: false });
    document.addEventListener("keydown", (e) => this.spaceKey(e));
    this.clipboard = new Clipboard({ state, selection, viewport, host: this });
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
    if (this.editor) {
      // A click inside the text being edited, or elsewhere while its text cannot be saved yet:
      // the editor keeps the focus, so keys do not land on the board meanwhile.
      if (!this.editor.node.contains(e.target)) {
        e.preventDefault();
        this.editor.field.focus();
      }
      return;
    }
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
    const base = { aggregate: "Aggregate", bounded_context: "Context", lane: "Lane" }[kind] || "Frame";
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
    if (this.editor || target?.closest(".handle")) return;
    const note = target?.closest(".note");
    // The head of a sticky (its kind), or any of it for a viewer, opens the side panel.
    if (note && (this.state.readOnly || target.closest(".note-head"))) {
      this.selection.set([note.dataset.id]);
      return this.onInspect?.();
    }
    if (this.state.readOnly) return;
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

  // A click on the palette (or a kind's key) puts the sticky in free space nearest the middle
  // of the part of the view that no panel covers, never on top of another sticky.
  placeAtCentre(kind) {
    const info = kindInfo(kind);
    const spot = freeSpot({ w: info.w, h: info.h }, this.openCentre(), [...this.state.view.notes.values()]);
    return this.placeNote(kind, spot.x, spot.y, { edit: true });
  }

  openCentre() {
    const r = this.camera.rect;
    const inset = this.camera.insets ? this.camera.insets() : { left: 0, right: 0 };
    return this.camera.screenToWorld(r.left + inset.left + (r.width - inset.left - inset.right) / 2, r.top + r.height / 2);
  }

  // "Next event": a new event right of the selected sticky, on its row, ready to type in.
  nextEvent() {
    const [id] = this.selection.ids;
    const from = this.state.view.notes.get(id);
    if (!from) return false;
    const info = kindInfo("event");
    const spot = nextToTheRight(from, { w: info.w, h: info.h }, [...this.state.view.notes.values()]);
    // In a lane, the new event stays in it: a lane too short for it grows to the right.
    const lane = laneOf(this.state.view, from);
    const end = spot.x + info.w + 40;
    if (lane && end > lane.x + lane.w) this.state.submit("frame.update", { id: lane.id, w: round(end - lane.x) });
    // Keep the new event in view: a timeline grows to the right, the view follows it.
    const view = this.camera.visibleWorld(0);
    const inset = this.camera.insets ? this.camera.insets().right / this.camera.zoom : 0;
    const over = spot.x + info.w + 40 - (view.x + view.w - inset);
    if (over > 0) this.camera.panBy(-over * this.camera.zoom, 0);
    this.placeNote("event", spot.x, spot.y, { edit: true });
  }

  // Moves from the timeline tools (layout.js), one op per sticky that moves.
  moveTo(positions) {
    for (const [id, p] of positions) {
      const n = this.state.view.notes.get(id);
      if (n && (n.x !== p.x || n.y !== p.y)) this.state.submit("note.update", { id, x: p.x, y: p.y });
    }
  }

  selectedNotes() {
    return [...this.selection.ids].map((id) => this.state.view.notes.get(id)).filter(Boolean);
  }

  arrange(how) {
    const notes = this.selectedNotes();
    const links = [...this.state.view.links.values()];
    const moves = {
      row: () => align(notes, "top"),
      column: () => align(notes, "left"),
      spread: () => distribute(notes, "x"),
      "spread-down": () => distribute(notes, "y"),
      time: () => sortLeftToRight(timeOrder(notes, links), (r) => laneOf(this.state.view, r)?.id ?? null),
    }[how]();
    this.moveTo(moves);
  }

  // A lane under the lowest one, as wide as it; the first lane spans the view. Then its name.
  addLane() {
    const lanes = [...this.state.view.frames.values()].filter((f) => f.kind === "lane");
    let rect;
    if (lanes.length) {
      const last = lanes.reduce((a, b) => (b.y + b.h > a.y + a.h ? b : a));
      rect = { x: last.x, y: last.y + last.h, w: last.w, h: last.h };
    } else {
      const view = this.camera.visibleWorld(0);
      const inset = this.camera.insets ? this.camera.insets() : { left: 0, right: 0 };
      const left = view.x + (inset.left + 24) / this.camera.zoom;
      const right = view.x + view.w - (inset.right + 24) / this.camera.zoom;
      rect = { x: left, y: view.y + 80 / this.camera.zoom, w: Math.max(right - left, 800), h: DEFAULT_FRAME.lane.h };
    }
    const id = newId();
    this.state.submit("frame.create", {
      id, kind: "lane", name: this.unusedFrameName("lane"),
      x: round(rect.x), y: round(rect.y), w: round(rect.w), h: round(rect.h),
    });
    // Keep the new lane's label in view, then type its name (an actor or a context).
    const view = this.camera.visibleWorld(0);
    const below = rect.y + rect.h + 20 - (view.y + view.h);
    if (below > 0) this.camera.panBy(0, -below * this.camera.zoom);
    this.selection.set([id]);
    this.editFrameName(id);
  }

  setKind(kind) {
    const notes = this.selectedNotes().filter((n) => n.kind !== kind);
    for (const n of notes) this.state.submit("note.update", { id: n.id, kind });
    if (notes.length) toast(`${notes.length} stick${notes.length === 1 ? "y" : "ies"} made ${article(kindInfo(kind).label)}.`);
  }

  placeAtScreen(kind, clientX, clientY) {
    const info = kindInfo(kind);
    const w = this.camera.screenToWorld(clientX, clientY);
    return this.placeNote(kind, w.x - info.w / 2, w.y - info.h / 2, { edit: true });
  }

  // In-place text editing lives in editor.js.
  get editor() {
    return this.editors.current;
  }

  editNote(id) {
    return this.editors.editNote(id);
  }

  editFrameName(id) {
    return this.editors.editFrameName(id);
  }

  editLinkLabel(id, e) {
    return this.editors.editLinkLabel(id, e);
  }

  // --- keyboard ---------------------------------------------------------------------

  setSpace(down) {
    this.spaceDown = down;
    this.viewport.classList.toggle("space-pan", down);
  }

  // Space held down pans; it needs its key-up too, so it is not an action.
  spaceKey(e) {
    if (e.key !== " " || isTyping(e.target) || document.querySelector("dialog[open]")) return;
    e.preventDefault();
    this.setSpace(true);
  }

  // The canvas's own actions, in the page's one registry (actions.js).
  registerActions(actions) {
    const one = () => this.selection.size === 1;
    // A viewer gets no editor; the keys that change the board go ahead, and state.js refuses
    // them with the reason (a view-only link, a locked board), shown once however often pressed.
    const editable = () => true;
    const writable = () => !this.state.readOnly;
    const any = () => this.selection.size > 0;
    const list = [
      { name: "copy", label: "Copy the selection", keys: ["Mod+c"], run: () => this.clipboard.copy() },
      { name: "paste", label: "Paste (a copy, or lines of text: one sticky per line)", keys: ["Mod+v"], when: editable, run: () => this.clipboard.paste() },
      { name: "duplicate", label: "Duplicate the selection", keys: ["Mod+d"], when: editable, run: () => this.clipboard.duplicate() },
      { name: "select-all", label: "Select everything", keys: ["Mod+a"], run: () => this.selectAll() },
      { name: "delete", label: "Delete the selection", keys: ["Delete", "Backspace"], when: editable, run: () => this.deleteSelection() },
      {
        name: "escape", label: "Clear the selection, back to Select", keys: ["Escape"],
        run: () => {
          this.selection.clear();
          this.setTool("select");
          return false; // others (voting, time travel) may close on Escape too
        },
      },
      { name: "help", label: "Show the keys", keys: ["?"], run: () => this.onHelp() },
      {
        name: "edit", label: "Edit the selected sticky's text or frame's name", keys: ["Enter"],
        when: () => one() && writable(),
        run: () => {
          const [id] = this.selection.ids;
          if (this.state.view.notes.has(id)) this.editNote(id);
          else if (this.state.view.frames.has(id)) this.editFrameName(id);
          else return false;
        },
      },
      { name: "zoom-in", label: "Zoom in", keys: ["+", "="], run: () => this.camera.zoomAt(1.2) },
      { name: "zoom-out", label: "Zoom out", keys: ["-", "_"], run: () => this.camera.zoomAt(1 / 1.2) },
      { name: "zoom-100", label: "Zoom to 100 %", keys: ["0"], run: () => this.camera.setZoom(1) },
      { name: "fit", label: "Fit the board", keys: ["f"], run: () => this.fit() },
    ];
    for (const [key, dx, dy] of [["ArrowLeft", -1, 0], ["ArrowRight", 1, 0], ["ArrowUp", 0, -1], ["ArrowDown", 0, 1]]) {
      list.push({
        name: `nudge-${key}`, label: "Nudge the selection (Shift: further)", keys: [key, `Shift+${key}`],
        when: () => any() && editable(), run: (e) => this.nudge(dx * (e?.shiftKey ? 50 : 10), dy * (e?.shiftKey ? 50 : 10)),
      });
    }
    const several = () => this.selectedNotes().length > 1 && editable();
    list.push(
      { name: "next-event", label: "Next event: a new event right of the selected sticky", keys: ["n"], when: () => one() && editable(), run: () => this.nextEvent() },
      { name: "align-row", label: "Align the selection on a row (tops)", keys: ["Shift+H"], when: several, run: () => this.arrange("row") },
      { name: "align-column", label: "Align the selection in a column (left edges)", keys: ["Shift+V"], when: several, run: () => this.arrange("column") },
      { name: "distribute", label: "Distribute the selection evenly left to right", keys: ["Shift+D"], when: () => this.selectedNotes().length > 2 && editable(), run: () => this.arrange("spread") },
      { name: "distribute-down", label: "Distribute the selection evenly top to bottom", keys: ["Shift+E"], when: () => this.selectedNotes().length > 2 && editable(), run: () => this.arrange("spread-down") },
      { name: "add-lane", label: "Add a lane under the last one (or across the view)", keys: ["Shift+W"], when: editable, run: () => this.addLane() },
      { name: "sort-time", label: "Sort the selection left to right by time (following links)", keys: ["Shift+S"], when: several, run: () => this.arrange("time") },
    );
    for (const k of NOTE_KINDS) {
      list.push({
        name: `kind-${k.kind}`, label: `Make the selected stickies ${article(k.label)}`, keys: [`Shift+Digit${k.key}`],
        when: () => this.selectedNotes().length > 0 && editable(), run: () => this.setKind(k.kind),
      });
    }
    for (const k of NOTE_KINDS) {
      list.push({ name: `add-${k.kind}`, label: `Add ${k.label}`, keys: [k.key], when: editable, run: () => this.placeAtCentre(k.kind) });
    }
    const tools = { v: "select", h: "hand", b: "box", c: "connect", a: "aggregate", k: "bounded_context", w: "lane" };
    for (const [key, tool] of Object.entries(tools)) {
      list.push({ name: `tool-${tool}`, label: `Tool: ${tool}`, keys: [key], run: () => this.setTool(tool) });
    }
    for (const a of list) actions.register(a);
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

}

function article(word) {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

function canScroll(el, dy) {
  return dy < 0 ? el.scrollTop > 0 : el.scrollTop + el.clientHeight < el.scrollHeight - 1;
}

function normalRect(a, b) {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
}
