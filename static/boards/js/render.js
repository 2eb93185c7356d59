// Draws the board: notes and frames as positioned DOM elements, links as SVG paths.
// Only what changed is touched, and elements far off-screen are hidden and brought up to
// date when they scroll into view, so a board of thousands of stickies stays smooth.

import { icon, kindInfo, FIELD_KINDS } from "./kinds.js";
import { fitNote } from "./textfit.js";

const SVG_NS = "http://www.w3.org/2000/svg";
// Elements come into the page within CULL_MARGIN_PX of the view and leave it only past
// KEEP_MARGIN_PX: the gap between the two means a pan back and forth, or a slow drift,
// does not add and remove the same stickies frame after frame (each costs a repaint).
const CULL_MARGIN_PX = 600;
const KEEP_MARGIN_PX = 1500;
const TRIM_MS = 250;

export class Renderer {
  constructor({ state, camera, framesLayer, notesLayer, linksLayer, linksGroup = null }) {
    this.state = state;
    this.camera = camera;
    this.framesLayer = framesLayer;
    this.notesLayer = notesLayer;
    this.linksGroup = linksGroup || linksLayer.querySelector("#links");
    this.linksLayer = linksLayer;
    this.linksExtent = null; // the board rectangle the links layer covers
    this.records = new Map(); // element id -> {el, coll, visible, dirty}
    this.links = new Map(); // link id -> SVG <g>
    this.linkBoxes = new Map(); // link id -> the board rectangle its line and label cover
    this.linksByElement = new Map(); // element id -> Set of link ids
    this.selection = new Set();
    this.overrides = new Map(); // id -> partial geometry during a drag or resize
    this.editing = null; // id whose text is being edited in place
    this.onEditedGone = null; // called before the element being edited leaves the page
    this.visibleBox = null;
    this.keepBox = null;
    this.trimming = null;
    state.addEventListener("change", (e) => this.update(e.detail));
    camera.addEventListener("change", () => this.refreshVisibility());
  }

  // --- geometry -------------------------------------------------------------------

  geometry(id) {
    const el = this.state.view.notes.get(id) || this.state.view.frames.get(id);
    if (!el) return null;
    const o = this.overrides.get(id);
    return o ? { ...el, ...o } : el;
  }

  isVisible(g, b = this.visibleBox) {
    if (!b) return true;
    return g.x < b.x + b.w && g.x + g.w > b.x && g.y < b.y + b.h && g.y + g.h > b.y;
  }

  // Whether an element belongs in the page: near the view, or already in it and not far off.
  wanted(g, shown) {
    return this.isVisible(g) || (shown && this.isVisible(g, this.keepBox));
  }

  measureView() {
    this.visibleBox = this.camera.visibleWorld(CULL_MARGIN_PX);
    this.keepBox = this.camera.visibleWorld(KEEP_MARGIN_PX);
  }

  // --- updates ----------------------------------------------------------------------

  update(changes) {
    if (!this.visibleBox) this.measureView();
    const touched = new Set();
    for (const id of changes.frames) {
      this.drawElement(id, "frames");
      touched.add(id);
    }
    for (const id of changes.notes) {
      this.drawElement(id, "notes");
      touched.add(id);
    }
    for (const id of changes.links) this.drawLink(id);
    for (const id of touched) this.redrawLinksOf(id);
  }

  drawElement(id, coll) {
    const data = this.geometry(id);
    let rec = this.records.get(id);
    if (!data) {
      if (rec) {
        if (this.editing === id) this.onEditedGone?.(id);
        rec.el.remove();
        this.records.delete(id);
        this.selection.delete(id);
      }
      return;
    }
    if (!rec) {
      const el = coll === "notes" ? createNote(data) : createFrame(data);
      rec = { el, coll, visible: true, dirty: true };
      this.records.set(id, rec);
      (coll === "notes" ? this.notesLayer : this.framesLayer).append(el);
    }
    const visible = this.wanted(data, rec.visible) || this.selection.has(id) || this.editing === id;
    if (!visible) {
      if (rec.visible) rec.el.classList.add("offscreen");
      rec.visible = false;
      rec.dirty = true;
      return;
    }
    if (!rec.visible) rec.el.classList.remove("offscreen");
    rec.visible = true;
    rec.dirty = false;
    if (coll === "notes") this.paintNote(rec.el, data);
    else this.paintFrame(rec.el, data);
  }

  paintNote(el, n) {
    place(el, n);
    if (el.dataset.kind !== n.kind) {
      el.dataset.kind = n.kind;
      const info = kindInfo(n.kind);
      el.querySelector(".note-kind").textContent = info.label;
      el.querySelector(".note-head svg").replaceWith(icon(n.kind));
    }
    const fieldsEl = el.querySelector(".note-fields");
    const count = FIELD_KINDS.has(n.kind) ? (n.fields || []).length : 0;
    fieldsEl.textContent = count ? `${count} field${count === 1 ? "" : "s"}` : "";
    el.dataset.aggregate = n.aggregate || "";
    el.dataset.context = n.context || "";
    if (this.editing !== n.id) {
      const textEl = el.querySelector(".note-text");
      if (textEl.textContent !== n.text) textEl.textContent = n.text;
      // The largest type that fits; below the legible minimum the text scrolls, never cut.
      const key = `${n.kind}|${n.w}|${n.h}|${n.text}`;
      if (textEl.fitted !== key) {
        textEl.fitted = key;
        const fit = fitNote(n.kind, n.text, n.w, n.h);
        textEl.style.fontSize = `${fit.size}px`;
        if (fit.overflows) textEl.dataset.overflow = "true";
        else delete textEl.dataset.overflow;
      }
    }
    // A silent round: someone else's sticky arrives face down, without its text (the server
    // withholds it); the author's own carries `hidden` and a "only you" mark.
    el.classList.toggle("face-down", Boolean(n.face_down));
    el.classList.toggle("private", Boolean(n.hidden && !n.face_down));
    el.setAttribute("aria-label", n.face_down
      ? `${kindInfo(n.kind).label}, face down until the facilitator reveals it`
      : `${kindInfo(n.kind).label}: ${n.text || "(empty)"}${n.hidden ? " (only you see it until the reveal)" : ""}`);
  }

  paintFrame(el, f) {
    place(el, f);
    el.dataset.context = f.context || "";
    if (this.editing !== f.id) {
      const nameEl = el.querySelector(".frame-name");
      if (nameEl.textContent !== f.name) nameEl.textContent = f.name;
    }
    el.setAttribute("aria-label", `${kindInfo(f.kind).label}: ${f.name || "(unnamed)"}`);
    // Smaller frames above bigger ones, so a nested aggregate's header stays reachable.
    // Lanes lie under every other frame: they are background bands across the timeline.
    el.style.zIndex = f.kind === "lane" ? "1" : String(Math.max(2, 1000000 - Math.round((f.w * f.h) / 100)));
  }

  // On every camera move: what comes near the view is drawn at once; what went far off is
  // taken out only once the view has been still for TRIM_MS. Taking stickies out mid-pan can
  // shrink the board's layer, and Chromium then redraws all of it: a 250 ms frame.
  refreshVisibility() {
    this.measureView();
    let farOff = false;
    for (const [id, rec] of this.records) {
      const g = this.geometry(id);
      if (!g) continue;
      const visible = this.wanted(g, rec.visible) || this.selection.has(id);
      if (visible && (rec.dirty || !rec.visible)) this.drawElement(id, rec.coll);
      else if (!visible && rec.visible) farOff = true;
    }
    // Only links that change visibility are touched: a pan step rewrites no attribute.
    for (const [id, g] of this.links) farOff = this.cullLink(id, g, false) || farOff;
    clearTimeout(this.trimming);
    if (farOff) this.trimming = setTimeout(() => this.trim(), TRIM_MS);
  }

  trim() {
    this.measureView();
    for (const [id, rec] of this.records) {
      const g = this.geometry(id);
      if (g && rec.visible && !this.wanted(g, true) && !this.selection.has(id) && this.editing !== id) {
        rec.el.classList.add("offscreen");
        rec.visible = false;
      }
    }
    for (const [id, g] of this.links) this.cullLink(id, g);
  }

  // --- links ------------------------------------------------------------------------

  drawLink(id) {
    const link = this.state.view.links.get(id);
    let g = this.links.get(id);
    if (!link) {
      if (g) {
        g.remove();
        this.links.delete(id);
        this.linkBoxes.delete(id);
        this.unindexLink(id, g.dataset.from, g.dataset.to);
        this.selection.delete(id);
      }
      return;
    }
    if (!g) {
      g = createLink(link);
      this.links.set(id, g);
      this.linksGroup.append(g);
    }
    if (g.dataset.from !== link.from || g.dataset.to !== link.to) {
      this.unindexLink(id, g.dataset.from, g.dataset.to);
      g.dataset.from = link.from;
      g.dataset.to = link.to;
      this.indexLink(id, link.from, link.to);
    }
    const label = g.querySelector("text");
    if (label.textContent !== (link.label || "")) label.textContent = link.label || "";
    this.routeLink(g);
  }

  routeLink(g) {
    const a = this.geometry(g.dataset.from);
    const b = this.geometry(g.dataset.to);
    if (!a || !b) {
      g.classList.add("dangling");
      return;
    }
    g.classList.remove("dangling");
    const [x1, y1, x2, y2] = linkEnds(a, b);
    const d = `M${x1.toFixed(1)},${y1.toFixed(1)} L${x2.toFixed(1)},${y2.toFixed(1)}`;
    for (const p of g.querySelectorAll("path")) p.setAttribute("d", d);
    const label = g.querySelector("text");
    label.setAttribute("x", ((x1 + x2) / 2).toFixed(1));
    label.setAttribute("y", ((y1 + y2) / 2 - 6).toFixed(1));
    // The line's box, grown by what the arrowhead and label reach past its ends.
    const pad = LINK_PAD + (label.textContent ? label.textContent.length * 4 : 0);
    const x = Math.min(x1, x2) - pad, y = Math.min(y1, y2) - pad;
    const box = { x, y, w: Math.abs(x2 - x1) + 2 * pad, h: Math.abs(y2 - y1) + 2 * pad };
    this.linkBoxes.set(g.dataset.id, box);
    this.coverLink(box);
    this.cullLink(g.dataset.id, g);
  }

  // The links layer is an SVG as big as the links it holds, with a viewBox in board units.
  // A 1x1 SVG whose content overflows draws the same, but Chromium then re-examines every
  // link on each pan frame (17 ms of 2,000 stickies' 22 ms frame, measured by bench/browser.py).
  // It only grows, by a generous step, so dragging a sticky about rarely resizes it.
  coverLink(box) {
    const e = this.linksExtent;
    if (e && box.x >= e.x && box.y >= e.y && box.x + box.w <= e.x + e.w && box.y + box.h <= e.y + e.h) return;
    const x1 = Math.floor(Math.min(box.x, e ? e.x : Infinity) - LINKS_SLACK);
    const y1 = Math.floor(Math.min(box.y, e ? e.y : Infinity) - LINKS_SLACK);
    const x2 = Math.ceil(Math.max(box.x + box.w, e ? e.x + e.w : -Infinity) + LINKS_SLACK);
    const y2 = Math.ceil(Math.max(box.y + box.h, e ? e.y + e.h : -Infinity) + LINKS_SLACK);
    this.linksExtent = { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
    const layer = this.linksLayer;
    layer.style.left = `${x1}px`;
    layer.style.top = `${y1}px`;
    layer.style.width = `${x2 - x1}px`;
    layer.style.height = `${y2 - y1}px`;
    layer.setAttribute("viewBox", `${x1} ${y1} ${x2 - x1} ${y2 - y1}`);
  }

  // Off-screen links leave the render tree like off-screen notes do: shown as their box nears
  // the view, hidden once it is far off. With hide false, only says whether it would hide it
  // (refreshVisibility leaves hiding to trim).
  cullLink(id, g, hide = true) {
    const box = this.linkBoxes.get(id);
    const shown = !g.classList.contains("offscreen");
    const hidden = Boolean(box) && !this.wanted(box, shown) && !this.selection.has(id);
    if (shown !== hidden) return false;
    if (hidden && !hide) return true;
    g.classList.toggle("offscreen", hidden);
    return false;
  }

  redrawLinksOf(elementId) {
    const ids = this.linksByElement.get(elementId);
    if (!ids) return;
    for (const id of ids) {
      const g = this.links.get(id);
      if (g) this.routeLink(g);
    }
  }

  indexLink(id, from, to) {
    for (const e of [from, to]) {
      if (!this.linksByElement.has(e)) this.linksByElement.set(e, new Set());
      this.linksByElement.get(e).add(id);
    }
  }

  unindexLink(id, from, to) {
    for (const e of [from, to]) this.linksByElement.get(e)?.delete(id);
  }

  // --- selection, drag previews -----------------------------------------------------

  setSelection(ids) {
    for (const id of this.selection) this.elementFor(id)?.classList.remove("selected");
    this.selection = new Set(ids);
    for (const el of this.notesLayer.querySelectorAll(".handle")) el.remove();
    for (const el of this.framesLayer.querySelectorAll(".handle")) el.remove();
    for (const id of this.selection) this.elementFor(id)?.classList.add("selected");
    if (this.selection.size === 1) {
      const [id] = this.selection;
      const rec = this.records.get(id);
      if (rec) {
        const resize = document.createElement("div");
        resize.className = "handle resize-handle";
        resize.title = "Drag to resize";
        const connect = document.createElement("div");
        connect.className = "handle connect-handle";
        connect.title = "Drag to another element to link them";
        rec.el.append(resize, connect);
      }
    }
  }

  elementFor(id) {
    return this.records.get(id)?.el || this.links.get(id) || null;
  }

  // During a drag the elements follow the pointer without any op being made.
  setOverrides(map) {
    const ids = new Set([...this.overrides.keys(), ...map.keys()]);
    this.overrides = map;
    for (const id of ids) {
      const rec = this.records.get(id);
      if (rec) this.drawElement(id, rec.coll);
      this.redrawLinksOf(id);
    }
  }

  clearOverrides() {
    this.setOverrides(new Map());
  }

  setEditing(id) {
    const prev = this.editing;
    this.editing = id;
    if (prev && prev !== id) {
      const rec = this.records.get(prev);
      if (rec) this.drawElement(prev, rec.coll);
    }
  }

  // The bounding box of everything, for "fit to content".
  contentBounds() {
    let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    for (const coll of [this.state.view.notes, this.state.view.frames]) {
      for (const e of coll.values()) {
        x1 = Math.min(x1, e.x);
        y1 = Math.min(y1, e.y);
        x2 = Math.max(x2, e.x + e.w);
        y2 = Math.max(y2, e.y + e.h);
      }
    }
    return x1 === Infinity ? null : { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
  }
}

function place(el, g) {
  // The tilt (a hotspot's) goes after the translate, so it turns the sticky about its own
  // centre; the CSS `rotate` property would apply first and swing it about the origin.
  el.style.transform = `translate(${g.x}px, ${g.y}px) rotate(var(--tilt, 0deg))`;
  el.style.width = `${g.w}px`;
  el.style.height = `${g.h}px`;
}

function createNote(n) {
  const el = document.createElement("div");
  el.className = "note";
  el.dataset.id = n.id;
  el.dataset.kind = n.kind;
  el.setAttribute("role", "group");
  const head = document.createElement("div");
  head.className = "note-head";
  const kind = document.createElement("span");
  kind.className = "note-kind";
  kind.textContent = kindInfo(n.kind).label;
  const fields = document.createElement("span");
  fields.className = "note-fields";
  head.append(icon(n.kind), kind, fields);
  const text = document.createElement("div");
  text.className = "note-text";
  el.append(head, text);
  return el;
}

function createFrame(f) {
  const el = document.createElement("div");
  el.className = "frame";
  el.dataset.id = f.id;
  el.dataset.kind = f.kind;
  el.setAttribute("role", "group");
  const header = document.createElement("div");
  header.className = "frame-header";
  header.title = "Drag to move, double-click to rename";
  const kind = document.createElement("span");
  kind.className = "frame-kind";
  kind.textContent = kindInfo(f.kind).label;
  const name = document.createElement("span");
  name.className = "frame-name";
  header.append(icon(f.kind), kind, name);
  el.append(header);
  return el;
}

function createLink(link) {
  const g = document.createElementNS(SVG_NS, "g");
  g.setAttribute("class", "link");
  g.dataset.id = link.id;
  const hit = document.createElementNS(SVG_NS, "path");
  hit.setAttribute("class", "link-hit");
  const line = document.createElementNS(SVG_NS, "path");
  line.setAttribute("class", "link-line");
  line.setAttribute("marker-end", "url(#arrowhead)");
  const label = document.createElementNS(SVG_NS, "text");
  label.setAttribute("class", "link-label");
  label.setAttribute("text-anchor", "middle");
  g.append(hit, line, label);
  return g;
}

const HEADER = 30; // a frame's header height in board units
const LINK_PAD = 20; // board units: half an arrowhead and a label's height, with room to spare
const LINKS_SLACK = 2000; // board units the links layer reaches past its outermost link

function containsCentre(outer, inner) {
  const cx = inner.x + inner.w / 2, cy = inner.y + inner.h / 2;
  return outer.w * outer.h > inner.w * inner.h &&
    cx > outer.x && cx < outer.x + outer.w && cy > outer.y && cy < outer.y + outer.h;
}

// Where the straight line between two rectangles' centres leaves each of them. A link
// between a frame and something inside it (an aggregate emitting its event) runs from the
// frame's header down to the inner element instead of ending nowhere in the frame.
export function linkEnds(a, b) {
  if (containsCentre(a, b) || containsCentre(b, a)) {
    const [outer, inner] = containsCentre(a, b) ? [a, b] : [b, a];
    const x = inner.x + inner.w / 2;
    const top = [x, outer.y + HEADER];
    const edge = [x, top[1] < inner.y ? inner.y : inner.y + inner.h];
    return outer === a ? [...top, ...edge] : [...edge, ...top];
  }
  const ax = a.x + a.w / 2, ay = a.y + a.h / 2;
  const bx = b.x + b.w / 2, by = b.y + b.h / 2;
  const dx = bx - ax, dy = by - ay;
  // The fraction of the centre-to-centre line that lies inside a rectangle.
  const inside = (r) => Math.min(
    dx === 0 ? Infinity : r.w / 2 / Math.abs(dx),
    dy === 0 ? Infinity : r.h / 2 / Math.abs(dy),
  );
  let ta = inside(a);
  let tb = inside(b);
  if (ta + tb >= 1) {
    // Overlapping (e.g. a sticky linked to the frame around it): meet in the middle.
    ta = Math.min(ta, 0.45);
    tb = Math.min(tb, 0.45);
  }
  return [ax + dx * ta, ay + dy * ta, bx - dx * tb, by - dy * tb];
}
