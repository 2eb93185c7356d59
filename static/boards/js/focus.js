// "Show me that sticky": glide the camera to an element, select it and make it blink once.
// Used by the checks panel and the dot-voting results.

const GLIDE_MS = 280;
const COMFORT_ZOOM = { min: 0.8, max: 1.4 };

// The part of the viewport not covered by the palette or an open panel, in viewport pixels.
function openArea(camera) {
  const r = camera.rect;
  let left = 0;
  let right = r.width;
  const palette = document.getElementById("palette");
  if (palette && palette.offsetParent) left = Math.max(left, palette.getBoundingClientRect().right - r.left + 12);
  for (const panel of document.querySelectorAll(".workspace > .side-panel:not([hidden])")) {
    const p = panel.getBoundingClientRect();
    // Docked on the right, one panel or two side by side (a thread beside the open questions).
    if (p.left > r.left + r.width / 3) right = Math.min(right, p.left - r.left - 12);
  }
  if (right - left < 200) return { left: 0, width: r.width, height: r.height };
  return { left, width: right - left, height: r.height };
}

// Board rectangle of a note, a frame or a link (the box around its two ends).
function boundsOf(id, state, renderer) {
  const g = renderer.geometry(id);
  if (g) return g;
  const link = state.view.links.get(id);
  if (!link) return null;
  const a = renderer.geometry(link.from);
  const b = renderer.geometry(link.to);
  if (!a || !b) return a || b;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

export function focusOn(id, { state, camera, renderer, selection }) {
  const box = boundsOf(id, state, renderer);
  if (!box) return false;
  const area = openArea(camera);
  let zoom = Math.min(COMFORT_ZOOM.max, Math.max(COMFORT_ZOOM.min, camera.zoom));
  // Big things (a bounded context) must fit whole.
  zoom = Math.min(zoom, (area.width - 80) / box.w, (area.height - 80) / box.h);
  zoom = Math.max(0.1, zoom);
  const target = {
    zoom,
    x: area.left + area.width / 2 - (box.x + box.w / 2) * zoom,
    y: area.height / 2 - (box.y + box.h / 2) * zoom,
  };
  glide(camera, target);
  selection.set([id]);
  const el = renderer.elementFor(id);
  if (el) {
    el.classList.remove("focus-flash");
    void el.getBoundingClientRect(); // restart the animation when asked twice in a row
    el.classList.add("focus-flash");
    setTimeout(() => el.classList.remove("focus-flash"), 1400);
  }
  return true;
}

// Glide so that a board point (where someone's cursor is) is in the middle of the open area.
export function focusPoint(x, y, camera) {
  const area = openArea(camera);
  const zoom = Math.min(COMFORT_ZOOM.max, Math.max(COMFORT_ZOOM.min, camera.zoom));
  glide(camera, { zoom, x: area.left + area.width / 2 - x * zoom, y: area.height / 2 - y * zoom });
}

function glide(camera, target) {
  const from = { x: camera.x, y: camera.y, zoom: camera.zoom };
  const start = performance.now();
  const step = (now) => {
    const t = Math.min(1, (now - start) / GLIDE_MS);
    const k = 1 - (1 - t) ** 3; // ease out
    camera.zoom = from.zoom + (target.zoom - from.zoom) * k;
    camera.x = from.x + (target.x - from.x) * k;
    camera.y = from.y + (target.y - from.y) * k;
    camera.apply();
    if (t < 1) requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}
