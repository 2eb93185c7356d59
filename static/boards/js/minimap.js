// The minimap: the whole board in a corner, the part on screen outlined; a click or a drag
// on it moves the view there. The board is redrawn at most a few times a second, the outline
// on every camera move (one transform).

import { kindInfo } from "./kinds.js";

const REDRAW_MS = 300;
const PAD = 6;
const MAX_SCALE = 0.06;

export function mountMinimap({ host, state, camera, renderer, actions }) {
  const canvas = host.querySelector("canvas");
  const view = host.querySelector(".minimap-view");
  const ctx = canvas.getContext("2d");
  const W = canvas.width;
  const H = canvas.height;
  let map = null; // {x, y, scale}: board point -> minimap pixel
  let timer = null;
  let last = 0;

  const toMap = (x, y) => ({ x: PAD + (x - map.x) * map.scale, y: PAD + (y - map.y) * map.scale });

  function draw() {
    timer = null;
    last = performance.now();
    const b = renderer.contentBounds();
    host.hidden = host.dataset.off === "true" || !b;
    if (!b) return;
    // A small board stays small: a sticky is a dot, not half the minimap.
    const scale = Math.min((W - 2 * PAD) / b.w, (H - 2 * PAD) / b.h, MAX_SCALE);
    // Centred in the minimap.
    map = { x: b.x - ((W - 2 * PAD) / scale - b.w) / 2, y: b.y - ((H - 2 * PAD) / scale - b.h) / 2, scale, bounds: b };
    ctx.clearRect(0, 0, W, H);
    for (const f of state.view.frames.values()) {
      const p = toMap(f.x, f.y);
      ctx.strokeStyle = f.kind === "aggregate" ? "#fab005" : "#868e96";
      ctx.lineWidth = 1;
      ctx.strokeRect(p.x, p.y, Math.max(1, f.w * scale), Math.max(1, f.h * scale));
    }
    for (const n of state.view.notes.values()) {
      const p = toMap(n.x, n.y);
      ctx.fillStyle = kindInfo(n.kind).color || "#adb5bd";
      ctx.fillRect(p.x, p.y, Math.max(1.5, n.w * scale), Math.max(1.5, n.h * scale));
    }
    outline();
  }

  function schedule() {
    if (timer) return;
    timer = setTimeout(() => requestAnimationFrame(draw), Math.max(0, REDRAW_MS - (performance.now() - last)));
  }

  function outline() {
    if (!map) return;
    const v = camera.visibleWorld(0);
    const p = toMap(v.x, v.y);
    const x1 = Math.max(0, p.x);
    const y1 = Math.max(0, p.y);
    const x2 = Math.min(W, p.x + v.w * map.scale);
    const y2 = Math.min(H, p.y + v.h * map.scale);
    // The whole board already in view: the minimap steps back (it would only repeat it).
    const b = map.bounds;
    host.classList.toggle("idle", v.x <= b.x && v.y <= b.y && v.x + v.w >= b.x + b.w && v.y + v.h >= b.y + b.h);
    view.style.transform = `translate(${x1}px, ${y1}px)`;
    view.style.width = `${Math.max(4, x2 - x1)}px`;
    view.style.height = `${Math.max(4, y2 - y1)}px`;
  }

  // Centre the view on the board point under the pointer.
  function goTo(e) {
    if (!map) return;
    const r = canvas.getBoundingClientRect();
    const x = map.x + (e.clientX - r.left - PAD) / map.scale;
    const y = map.y + (e.clientY - r.top - PAD) / map.scale;
    const c = camera.centreWorld();
    camera.panBy((c.x - x) * camera.zoom, (c.y - y) * camera.zoom);
  }
  let dragging = false;
  host.addEventListener("pointerdown", (e) => {
    dragging = true;
    host.setPointerCapture(e.pointerId);
    goTo(e);
  });
  host.addEventListener("pointermove", (e) => dragging && goTo(e));
  host.addEventListener("pointerup", () => {
    dragging = false;
  });
  host.addEventListener("wheel", (e) => e.preventDefault(), { passive: false });

  state.addEventListener("change", schedule);
  camera.addEventListener("change", outline);
  actions.register({
    name: "minimap", label: "Show or hide the minimap", keys: ["m"],
    run: () => {
      host.dataset.off = String(host.dataset.off !== "true");
      draw();
    },
  });
  schedule();
  return { draw };
}
