// "Download SVG" and "Download PNG": the server draws the board as SVG (boards/pictures.py);
// the PNG is that SVG rasterised here, so there is one drawing of the board, not two.

import { boardFetch, failureMessage, saveBlob as save } from "./board-key.js";

const PNG_SCALE = 2;
// Browsers refuse canvases past about 16k pixels a side or ~268M pixels; stay well inside.
const MAX_SIDE = 16384;
const MAX_AREA = 120_000_000;

function svgUrl(boardId, ids) {
  const url = `/api/boards/${encodeURIComponent(boardId)}/board.svg`;
  const list = ids ? [...ids] : [];
  return list.length ? `${url}?ids=${list.map(encodeURIComponent).join(",")}` : url;
}

async function fetchSvg(boardId, ids) {
  const response = await boardFetch(svgUrl(boardId, ids), { headers: { Accept: "image/svg+xml" } });
  if (!response.ok) throw new Error(await failureMessage(response, "The picture could not be made"));
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  return { text: await response.text(), filename: name ? name[1] : "board.svg" };
}

export async function downloadSvg(boardId, ids = null) {
  const { text, filename } = await fetchSvg(boardId, ids);
  save(new Blob([text], { type: "image/svg+xml" }), filename);
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("The browser could not draw the board's picture."));
    img.src = url;
  });
}

function svgSize(svgText) {
  const root = new DOMParser().parseFromString(svgText, "image/svg+xml").documentElement;
  return { root, width: parseFloat(root.getAttribute("width")) || 800, height: parseFloat(root.getAttribute("height")) || 600 };
}

// The SVG drawn on a canvas at `scale` times its size, over `background` when given, encoded as
// `type`; a canvas too large to encode fails with `tooLarge`.
async function rasterise(svgText, { scale, type, tooLarge, background = null, quality }) {
  const { width, height } = svgSize(svgText);
  // A blob URL keeps the canvas untainted (same origin), so toBlob is allowed.
  const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
  try {
    const img = await loadImage(url);
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const ctx = canvas.getContext("2d");
    if (background) {
      ctx.fillStyle = background;
      ctx.fillRect(0, 0, canvas.width, canvas.height);
    }
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error(tooLarge))), type, quality),
    );
    return { blob, width: canvas.width, height: canvas.height };
  } finally {
    URL.revokeObjectURL(url);
  }
}

export async function svgToPngBlob(svgText) {
  const { width, height } = svgSize(svgText);
  const scale = Math.min(PNG_SCALE, MAX_SIDE / width, MAX_SIDE / height, Math.sqrt(MAX_AREA / (width * height)));
  const { blob } = await rasterise(svgText, { scale, type: "image/png", tooLarge: "The picture is too large for a PNG." });
  return blob;
}

export async function downloadPng(boardId, ids = null) {
  const { text, filename } = await fetchSvg(boardId, ids);
  save(await svgToPngBlob(text), filename.replace(/\.svg$/, "") + ".png");
}

// The board (or some elements) as a JPEG for a page of a PDF (pdf.js): {jpeg, width, height,
// drawn, place}: the ids of the elements drawn, and place(rect) from board units to the image's
// pixels (for the PDF's text layer).
export async function pictureJpeg(boardId, ids = null, maxSide = 2400) {
  const { text } = await fetchSvg(boardId, ids);
  const { root, width, height } = svgSize(text);
  const scale = Math.min(PNG_SCALE, maxSide / width, maxSide / height);
  const [vx, vy, vw] = (root.getAttribute("viewBox") || `0 0 ${width} ${height}`).split(/\s+/).map(Number);
  const drawn = [...root.querySelectorAll("g[data-id]")].map((g) => g.getAttribute("data-id"));
  const picture = await rasterise(text, {
    scale,
    type: "image/jpeg",
    quality: 0.9,
    background: "#fff", // a JPEG has no transparency
    tooLarge: "The picture is too large for a PDF page.",
  });
  const k = picture.width / vw;
  const place = (r) => ({ x: (r.x - vx) * k, y: (r.y - vy) * k, w: r.w * k, h: r.h * k });
  return { jpeg: new Uint8Array(await picture.blob.arrayBuffer()), width: picture.width, height: picture.height, drawn, place };
}
