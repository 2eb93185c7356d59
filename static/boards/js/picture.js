// "Download SVG" and "Download PNG": the server draws the board as SVG (boards/pictures.py);
// the PNG is that SVG rasterised here, so there is one drawing of the board, not two.

import { boardFetch, saveBlob as save } from "./board-key.js";

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
  if (!response.ok) {
    let message = `The picture could not be made (HTTP ${response.status}).`;
    try {
      message = (await response.json()).error.message;
    } catch {
      // Not our JSON error: keep the generic message.
    }
    throw new Error(message);
  }
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

export async function svgToPngBlob(svgText) {
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  const root = doc.documentElement;
  const width = parseFloat(root.getAttribute("width")) || 800;
  const height = parseFloat(root.getAttribute("height")) || 600;
  const scale = Math.min(PNG_SCALE, MAX_SIDE / width, MAX_SIDE / height, Math.sqrt(MAX_AREA / (width * height)));
  // A blob URL keeps the canvas untainted (same origin), so toBlob is allowed.
  const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
  try {
    const img = await loadImage(url);
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("The picture is too large for a PNG."))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
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
  const root = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
  const width = parseFloat(root.getAttribute("width")) || 800;
  const height = parseFloat(root.getAttribute("height")) || 600;
  const scale = Math.min(PNG_SCALE, maxSide / width, maxSide / height);
  const [vx, vy, vw] = (root.getAttribute("viewBox") || `0 0 ${width} ${height}`).split(/\s+/).map(Number);
  const drawn = [...root.querySelectorAll("g[data-id]")].map((g) => g.getAttribute("data-id"));
  const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
  try {
    const img = await loadImage(url);
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff"; // a JPEG has no transparency
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("The picture is too large for a PDF page."))), "image/jpeg", 0.9),
    );
    const k = canvas.width / vw;
    const place = (r) => ({ x: (r.x - vx) * k, y: (r.y - vy) * k, w: r.w * k, h: r.h * k });
    return { jpeg: new Uint8Array(await blob.arrayBuffer()), width: canvas.width, height: canvas.height, drawn, place };
  } finally {
    URL.revokeObjectURL(url);
  }
}
