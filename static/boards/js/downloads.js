// The Download menu of the top bar: the board (or the selection) as an SVG or PNG picture,
// and the whole board as a JSON backup that the home page can import.

import { downloadPng, downloadSvg, pictureJpeg } from "./picture.js";
import { pdfFromJpegs } from "./pdf.js";
import { downloadWithKey, saveBlob } from "./board-key.js";
import { toast } from "./toast.js";
import { markdownSummary } from "./summary.js";

function item(label, hint) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "menu-item";
  b.setAttribute("role", "menuitem");
  const main = document.createElement("span");
  main.className = "menu-label";
  main.textContent = label;
  const sub = document.createElement("span");
  sub.className = "menu-hint";
  sub.textContent = hint;
  b.append(main, sub);
  return b;
}

export function mountDownloads({ boardId, selection, state, anchor }) {
  const wrap = document.createElement("div");
  wrap.className = "menu-wrap";
  const button = document.createElement("button");
  button.type = "button";
  button.id = "download-button";
  button.className = "button";
  button.textContent = "Download";
  button.setAttribute("aria-haspopup", "menu");
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "download-menu");
  const menu = document.createElement("div");
  menu.id = "download-menu";
  menu.className = "menu";
  menu.setAttribute("role", "menu");
  menu.setAttribute("aria-label", "Download");
  menu.hidden = true;
  const svg = item("Picture (SVG)", "");
  svg.dataset.download = "svg";
  const png = item("Picture (PNG)", "");
  png.dataset.download = "png";
  const json = item("Board backup (JSON)", "Everything on the board; import it from the home page");
  json.dataset.download = "json";
  const summary = item("Summary (Markdown)", "Contexts, aggregates, events with fields, lanes, open questions, votes");
  summary.dataset.download = "md";
  const pdf = item("Wrap-up (PDF)", "");
  pdf.dataset.download = "pdf";
  menu.append(svg, png, json, summary, pdf);
  wrap.append(button, menu);
  anchor.before(wrap);

  // One selected bounded context: the PDF is of that context alone.
  const selectedContext = () => {
    const ids = selectedIds();
    const f = ids.length === 1 ? state.view.frames.get(ids[0]) : null;
    return f?.kind === "bounded_context" ? f : null;
  };
  // Only elements that are on the board count as a selection to draw.
  const selectedIds = () => [...selection.ids].filter((id) => state.view.notes.has(id) || state.view.frames.has(id) || state.view.links.has(id));

  const open = () => {
    const n = selectedIds().length;
    const what = n ? `The ${n} selected element${n === 1 ? "" : "s"}` : "The whole board";
    svg.querySelector(".menu-label").textContent = n ? "Selection as SVG" : "Board as SVG";
    png.querySelector(".menu-label").textContent = n ? "Selection as PNG" : "Board as PNG";
    svg.querySelector(".menu-hint").textContent = `${what}, a picture that scales`;
    png.querySelector(".menu-hint").textContent = `${what}, an image for slides and chats`;
    const context = selectedContext();
    pdf.querySelector(".menu-label").textContent = context ? "Context as PDF" : "Wrap-up (PDF)";
    pdf.querySelector(".menu-hint").textContent = context
      ? `The bounded context “${context.name}” alone, its text searchable`
      : "The whole board, then a page for each bounded context, its text searchable";
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    svg.focus();
  };
  const close = (focusButton = false) => {
    if (menu.hidden) return;
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (focusButton) button.focus();
  };
  button.addEventListener("click", () => (menu.hidden ? open() : close()));
  document.addEventListener("pointerdown", (e) => {
    if (!wrap.contains(e.target)) close();
  });
  menu.addEventListener("keydown", (e) => {
    const items = [...menu.querySelectorAll(".menu-item")];
    const i = items.indexOf(document.activeElement);
    if (e.key === "Escape") close(true);
    else if (e.key === "ArrowDown") items[(i + 1) % items.length].focus();
    else if (e.key === "ArrowUp") items[(i - 1 + items.length) % items.length].focus();
    else return;
    e.preventDefault();
    e.stopPropagation();
  });

  const run = async (what) => {
    const ids = selectedIds();
    close();
    try {
      if (what === "svg") await downloadSvg(boardId, ids.length ? ids : null);
      else if (what === "png") await downloadPng(boardId, ids.length ? ids : null);
      else if (what === "pdf") await downloadPdf(boardId, state, selectedContext());
      else if (what === "md") saveText(markdownSummary(state.view), `${fileName(state.view.name)}.md`, "text/markdown");
      else await downloadWithKey(`/api/boards/${encodeURIComponent(boardId)}/export.json`, "board.storming.json");
    } catch (err) {
      toast(err.message || "The download failed.", { kind: "error" });
    }
  };
  for (const b of [svg, png, json, summary, pdf]) b.addEventListener("click", () => run(b.dataset.download));
}

// The board, then each bounded context on a page of its own, as one PDF; or one context alone.
async function downloadPdf(boardId, state, only = null) {
  toast("Making the PDF…");
  const name = state.view.name || "Board";
  const contexts = [...state.view.frames.values()].filter((f) => f.kind === "bounded_context")
    .sort((a, b) => a.y - b.y || a.x - b.x);
  const page = async (title, ids) => {
    const picture = await pictureJpeg(boardId, ids);
    return { title, ...picture, texts: textsOf(state.view, picture) };
  };
  const pages = only ? [] : [await page(name, null)];
  for (const c of only ? [only] : contexts) pages.push(await page(`${name}: ${c.name}`, [c.id]));
  const filename = only ? `${fileName(name)}-${fileName(only.name)}.pdf` : `${fileName(name)}.pdf`;
  saveBlob(new Blob([pdfFromJpegs(pages)], { type: "application/pdf" }), filename);
}

// The words of each drawn sticky and frame, where the picture shows them: the PDF's text layer.
function textsOf(view, picture) {
  const texts = [];
  for (const id of picture.drawn) {
    const n = view.notes.get(id);
    const f = n ? null : view.frames.get(id);
    if (n) texts.push({ ...picture.place(n), text: n.text });
    else if (f) texts.push({ ...picture.place({ x: f.x, y: f.y, w: f.w, h: 40 }), text: f.name });
  }
  return texts;
}

function fileName(name) {
  return (name || "board").normalize("NFKD").replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "").toLowerCase() || "board";
}

// A file made in the page (the Markdown summary).
function saveText(text, name, type) {
  saveBlob(new Blob([text], { type: `${type};charset=utf-8` }), name);
}
