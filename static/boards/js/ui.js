// Small DOM helpers shared by the workshop bar, the legend and the checks panel.

// el("button", {type: "button", className: "x", dataset: {id}}, "text", child): text
// children become text nodes, so user text is never parsed as HTML.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (k in node && !k.includes("-")) node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// A drop-down menu under a button: the button toggles it; a click elsewhere or Escape
// closes it. Returns toggle(open?).
export function closeOnOutside(wrap, menu, button) {
  const toggle = (open = menu.hidden) => {
    menu.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) menu.querySelector("input, button")?.focus({ preventScroll: true });
  };
  button.addEventListener("click", () => toggle());
  document.addEventListener("pointerdown", (e) => {
    if (!menu.hidden && !wrap.contains(e.target)) toggle(false);
  });
  menu.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      toggle(false);
      button.focus();
    }
  });
  return toggle;
}

// Keys typed on the board (not in a text box, no dialog open, no modifier).
export function isBoardKey(e) {
  const t = e.target;
  if (t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return false;
  if (document.querySelector("dialog[open]")) return false;
  return !(e.ctrlKey || e.metaKey || e.altKey);
}

const SVG_NS = "http://www.w3.org/2000/svg";

// Stroke icons on a 24x24 grid, like kinds.js's, for the workshop bar and panels.
export const GLYPHS = {
  lock: "M6 11h12v10H6z M8.5 11V7.5a3.5 3.5 0 0 1 7 0V11",
  unlock: "M6 11h12v10H6z M8.5 11V7.5a3.5 3.5 0 0 1 6.8-1.2",
  clock: "M12 21a8 8 0 1 0 0-16 8 8 0 0 0 0 16z M12 9v4l2.5 2 M9.5 2.5h5",
  eye: "M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
  "eye-off": "M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M3 3l18 18",
  flag: "M5 21V4 M5 4h11l-2 4 2 4H5",
  check: "M4 12l5 5L20 6",
  book: "M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2z M4 21V5 M8 7h7",
  error: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z M12 8v5 M12 16v.5",
  warning: "M12 3 22 20H2z M12 9v5 M12 17v.5",
  info: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z M12 11v6 M12 7.5v.5",
};

export function glyph(name, className = "icon") {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", GLYPHS[name]);
  svg.append(path);
  return svg;
}
