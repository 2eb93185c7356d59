// The view onto the unlimited canvas: pan offset and zoom, and the conversions between
// screen pixels and board units. Everything else asks the camera, never the DOM.

export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 3;
const GRID = 24;
const SETTLE_MS = 200;

function mod(a, n) {
  return ((a % n) + n) % n;
}

function toDevicePixel(v) {
  const ratio = window.devicePixelRatio || 1;
  return Math.round(v * ratio) / ratio;
}

export class Camera extends EventTarget {
  constructor(viewport, world) {
    super();
    this.viewport = viewport;
    this.world = world;
    this.x = 0; // screen position of board point (0, 0)
    this.y = 0;
    this.zoom = 1;
    this.frame = null;
    this.drawnZoom = null;
    this.settle = null;
    this.insets = null; // () => {left, right} in pixels, set by the page
    this.grid = viewport.querySelector(".grid");
    this.gridPeriod = GRID * 5;
    this.styledZoom = null;
    this.knownRect = null;
    if (typeof ResizeObserver !== "undefined") new ResizeObserver(() => this.forgetRect()).observe(viewport);
    window.addEventListener("resize", () => this.forgetRect());
  }

  // Where the viewport is on the page. Asking the page each time lays it out first whenever
  // something changed, and the camera is asked on every frame, so the answer is kept until the
  // viewport's size changes or the window resizes (opening a 2,000-sticky board laid it out
  // twice more for this).
  get rect() {
    if (!this.knownRect) this.knownRect = this.viewport.getBoundingClientRect();
    return this.knownRect;
  }

  forgetRect() {
    this.knownRect = null;
  }

  screenToWorld(clientX, clientY) {
    const r = this.rect;
    return { x: (clientX - r.left - this.x) / this.zoom, y: (clientY - r.top - this.y) / this.zoom };
  }

  worldToScreen(x, y) {
    return { x: x * this.zoom + this.x, y: y * this.zoom + this.y };
  }

  // The board rectangle on screen, grown by `margin` screen pixels on each side.
  visibleWorld(margin = 0) {
    const r = this.rect;
    return {
      x: (-margin - this.x) / this.zoom,
      y: (-margin - this.y) / this.zoom,
      w: (r.width + 2 * margin) / this.zoom,
      h: (r.height + 2 * margin) / this.zoom,
    };
  }

  centreWorld() {
    const r = this.rect;
    return this.screenToWorld(r.left + r.width / 2, r.top + r.height / 2);
  }

  panBy(dx, dy) {
    this.x += dx;
    this.y += dy;
    this.changed();
  }

  // Zoom keeping the board point under (clientX, clientY) where it is.
  zoomAt(factor, clientX, clientY) {
    const r = this.rect;
    const sx = clientX === undefined ? r.width / 2 : clientX - r.left;
    const sy = clientY === undefined ? r.height / 2 : clientY - r.top;
    const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.zoom * factor));
    const k = zoom / this.zoom;
    this.x = sx - (sx - this.x) * k;
    this.y = sy - (sy - this.y) * k;
    this.zoom = zoom;
    this.changed();
  }

  setZoom(zoom) {
    this.zoomAt(zoom / this.zoom);
  }

  // Overlays (palette, side panel) cover part of the viewport; fit into what is left.
  fit(bounds, padding = 60, maxZoom = 1.5) {
    const full = this.rect;
    const inset = this.insets ? this.insets() : { left: 0, right: 0 };
    const r = { width: full.width - inset.left - inset.right, height: full.height };
    if (!bounds || bounds.w <= 0 || bounds.h <= 0) {
      this.x = inset.left + r.width / 2;
      this.y = r.height / 2;
      this.zoom = 1;
    } else {
      const zoom = Math.min(
        maxZoom,
        (r.width - 2 * padding) / bounds.w,
        (r.height - 2 * padding) / bounds.h,
      );
      this.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
      this.x = inset.left + r.width / 2 - (bounds.x + bounds.w / 2) * this.zoom;
      this.y = r.height / 2 - (bounds.y + bounds.h / 2) * this.zoom;
    }
    this.changed();
  }

  changed() {
    // Many wheel events can arrive within one frame; draw once per frame.
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.apply();
    });
  }

  apply() {
    this.keepLayer();
    // Whole device pixels: the board's layer stays while the zoom holds still, and Chromium
    // does not redraw a layer that a pan left half a pixel off, so its text would stay soft.
    this.x = toDevicePixel(this.x);
    this.y = toDevicePixel(this.y);
    this.world.style.transform = `translate(${this.x}px, ${this.y}px) scale(${this.zoom})`;
    if (this.zoom !== this.styledZoom) this.applyZoom();
    // The grid is a layer of its own, a period bigger than the view: a pan step slides it by
    // less than a period instead of repainting the whole background.
    if (this.grid) {
      const p = this.gridPeriod;
      const gx = toDevicePixel(mod(this.x, p) - p);
      const gy = toDevicePixel(mod(this.y, p) - p);
      this.grid.style.transform = `translate(${gx}px, ${gy}px)`;
    }
    this.dispatchEvent(new CustomEvent("change"));
  }

  // What depends on the zoom alone; a pan changes none of it, so it is left untouched.
  applyZoom() {
    this.styledZoom = this.zoom;
    // Zoomed out, a fine grid turns to grey noise: step up to a coarser one.
    let step = GRID;
    while (step * this.zoom < 12) step *= 5;
    const g = step * this.zoom;
    this.gridPeriod = g * 5;
    if (this.grid) {
      this.grid.style.backgroundSize = `${g}px ${g}px, ${g * 5}px ${g * 5}px`;
      this.grid.style.setProperty("--grid-period", `${g * 5}px`);
    }
    this.viewport.style.setProperty("--zoom", String(this.zoom));
    // Far out, details are unreadable anyway; dropping them keeps big boards smooth.
    this.viewport.classList.toggle("far", this.zoom < 0.4);
    // Further out, a sticky's text is about two pixels high: colour tells more, and not
    // laying out thousands of texts makes a large board open and zoom faster.
    this.viewport.classList.toggle("tiny", this.zoom < 0.15);
  }

  // While the zoom holds still, the board keeps a compositor layer of its own (CSS on
  // .layered), so a pan step moves pixels already drawn instead of repainting every sticky
  // and link. Zooming drops it, so the board is drawn again sharp at the new scale, and it
  // comes back once the zoom has settled: making the layer costs a full redraw, better paid
  // then than on the first frame of the next pan. (Dropping it whenever a pan paused made a
  // single slow frame drop it again mid-pan, and 2,000 stickies stuttered.)
  keepLayer() {
    if (this.zoom === this.drawnZoom) return;
    this.drawnZoom = this.zoom;
    clearTimeout(this.settle);
    this.viewport.classList.remove("layered");
    this.settle = setTimeout(() => this.viewport.classList.add("layered"), SETTLE_MS);
  }
}
