// The chrome around the canvas: palette and tools on the left, the top bar (board name,
// connection state, share, export, help) and the zoom controls.

import { FRAME_KINDS, NOTE_KINDS, icon } from "./kinds.js";
import { toast } from "./toast.js";
import { boardFetch } from "./board-key.js";

const TOOLS = [
  { tool: "select", label: "Select", key: "V", hint: "Select and move; drag empty space to pan" },
  { tool: "hand", label: "Pan", key: "H", hint: "Drag to pan (or hold Space)" },
  { tool: "box", label: "Box select", key: "B", hint: "Drag a box to select (or Shift+drag)" },
  { tool: "connect", label: "Connect", key: "C", hint: "Drag from one element to another to link them" },
];

function button(className, label, title) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.title = title;
  const text = document.createElement("span");
  text.className = "label";
  text.textContent = label;
  b.append(text);
  return b;
}

export function mountPalette(palette, interactions, viewport) {
  const tools = document.createElement("div");
  tools.className = "palette-group";
  tools.setAttribute("role", "toolbar");
  tools.setAttribute("aria-label", "Tools");
  const toolButtons = new Map();
  for (const t of [...TOOLS, ...FRAME_KINDS.map((k) => ({ tool: k.kind, label: k.label, key: k.key.toUpperCase(), hint: k.hint }))]) {
    const b = button("tool", t.label, `${t.hint} (${t.key})`);
    b.dataset.tool = t.tool;
    b.prepend(icon(t.tool));
    b.setAttribute("aria-pressed", "false");
    b.addEventListener("click", () => interactions.setTool(interactions.tool === t.tool ? "select" : t.tool));
    toolButtons.set(t.tool, b);
    tools.append(b);
  }
  interactions.addEventListener("tool", (e) => {
    for (const [tool, b] of toolButtons) b.setAttribute("aria-pressed", String(tool === e.detail.tool));
  });
  toolButtons.get("select").setAttribute("aria-pressed", "true");

  const stickies = document.createElement("div");
  stickies.className = "palette-group stickies";
  stickies.setAttribute("aria-label", "Stickies: click to add, or drag onto the board");
  for (const k of NOTE_KINDS) {
    const b = button("palette-item", k.label, `${k.label}: ${k.hint}. Click or drag to add (${k.key})`);
    b.dataset.kind = k.kind;
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.dataset.kind = k.kind;
    swatch.append(icon(k.kind));
    const key = document.createElement("kbd");
    key.textContent = k.key;
    b.prepend(swatch);
    b.append(key);
    dragToPlace(b, k.kind, interactions, viewport);
    stickies.append(b);
  }
  const heading = (text) => {
    const h = document.createElement("h2");
    h.className = "palette-heading";
    h.textContent = text;
    return h;
  };
  // Collapsed, the palette is a strip of icons and the canvas gets its room back.
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "icon-button palette-toggle";
  toggle.id = "palette-toggle";
  const collapse = (collapsed) => {
    document.body.classList.toggle("palette-collapsed", collapsed);
    toggle.textContent = collapsed ? "»" : "«";
    toggle.title = collapsed ? "Show the palette's labels (P)" : "Collapse the palette (P)";
    toggle.setAttribute("aria-label", toggle.title);
    toggle.setAttribute("aria-expanded", String(!collapsed));
    try {
      localStorage.setItem(PALETTE_KEY, collapsed ? "collapsed" : "open");
    } catch {
      // Not remembered; this visit still works.
    }
  };
  let remembered = null;
  try {
    remembered = localStorage.getItem(PALETTE_KEY);
  } catch {
    remembered = null;
  }
  collapse(remembered === "collapsed");
  toggle.addEventListener("click", () => collapse(!document.body.classList.contains("palette-collapsed")));
  palette.replaceChildren(toggle, heading("Tools"), tools, heading("Stickies"), stickies);
  return { collapse, toggle: () => collapse(!document.body.classList.contains("palette-collapsed")) };
}

const PALETTE_KEY = "storming:palette";

// A palette item is both a button (click: add in the middle of the view) and a drag
// source (drop where the pointer is).
function dragToPlace(b, kind, interactions, viewport) {
  let drag = null;
  let draggedAt = 0;
  b.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    b.setPointerCapture(e.pointerId);
    drag = { x: e.clientX, y: e.clientY, ghost: null };
  });
  b.addEventListener("pointermove", (e) => {
    if (!drag) return;
    if (!drag.ghost && Math.hypot(e.clientX - drag.x, e.clientY - drag.y) < 5) return;
    if (!drag.ghost) {
      drag.ghost = document.createElement("div");
      drag.ghost.className = "palette-ghost";
      drag.ghost.dataset.kind = kind;
      drag.ghost.append(icon(kind));
      document.body.append(drag.ghost);
    }
    drag.ghost.style.transform = `translate(${e.clientX}px, ${e.clientY}px)`;
  });
  const end = (e, cancelled) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (!d.ghost) return; // a click: handled by the click event
    d.ghost.remove();
    if (cancelled) return;
    const r = viewport.getBoundingClientRect();
    if (e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom) {
      interactions.placeAtScreen(kind, e.clientX, e.clientY);
    }
    draggedAt = Date.now();
  };
  b.addEventListener("pointerup", (e) => end(e, false));
  b.addEventListener("pointercancel", (e) => end(e, true));
  b.addEventListener("click", () => {
    // The click that ends a drag is not a second request to place one.
    if (Date.now() - draggedAt < 400) return;
    interactions.placeAtCentre(kind);
  });
}

export function mountConnectionState(el, socket) {
  const render = () => {
    const status = socket.status;
    const n = socket.waiting;
    const waiting = `${n} change${n === 1 ? "" : "s"} waiting`;
    el.dataset.state = status;
    el.dataset.waiting = String(n);
    const text = el.querySelector(".conn-text");
    if (status === "connected") text.textContent = n ? `connected, sending ${n}` : "connected";
    else if (status === "reconnecting") text.textContent = n ? `reconnecting…, ${waiting}` : "reconnecting…";
    else text.textContent = n ? `offline, ${waiting}` : "offline";
  };
  socket.addEventListener("status", render);
  socket.addEventListener("outbox", render);
  render();
}

export function mountTopBar({ state, camera, interactions, config, helpDialog }) {
  const title = document.getElementById("board-name");
  const showName = () => {
    const name = state.view.name || config.boardName || "Untitled board";
    if (!title.querySelector("input")) title.textContent = name;
    document.title = `${name} · Storming`;
  };
  state.addEventListener("change", (e) => {
    if (e.detail.name) showName();
  });
  title.addEventListener("dblclick", () => renameBoard(title, state, showName));
  title.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !title.querySelector("input")) renameBoard(title, state, showName);
  });

  mountShare(config);
  document.getElementById("help-button").addEventListener("click", () => helpDialog.showModal());
  document.getElementById("export-button").addEventListener("click", () => toggleExport(config));
  document.querySelector("[data-close-export]").addEventListener("click", () => toggleExport(config));
  for (const b of document.querySelectorAll("[data-close-dialog]")) {
    b.addEventListener("click", () => b.closest("dialog").close());
  }

  document.getElementById("zoom-in").addEventListener("click", () => camera.zoomAt(1.2));
  document.getElementById("zoom-out").addEventListener("click", () => camera.zoomAt(1 / 1.2));
  document.getElementById("zoom-fit").addEventListener("click", () => interactions.fit());
  const level = document.getElementById("zoom-level");
  level.addEventListener("click", () => camera.setZoom(1));
  camera.addEventListener("change", () => {
    // Writing text, even the same, lays the bar out again: a pan changes no zoom.
    const text = `${Math.round(camera.zoom * 100)}%`;
    if (level.textContent !== text) level.textContent = text;
  });
}

function renameBoard(title, state, showName) {
  const input = document.createElement("input");
  input.className = "board-name-editor";
  input.value = state.view.name;
  input.setAttribute("aria-label", "Board name");
  title.replaceChildren(input);
  input.focus();
  input.select();
  let done = false;
  const commit = (save) => {
    if (done) return;
    done = true;
    const name = input.value.trim();
    input.remove();
    if (save && name && name !== state.view.name) state.submit("board.rename", { name });
    showName();
  };
  input.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Enter") commit(true);
    if (e.key === "Escape") commit(false);
  });
  input.addEventListener("blur", () => commit(true));
}

// The share dialog shows the links this person's key may hand out (edit and view-only),
// fetched from the server, which alone knows the keys of the other roles.
function mountShare(config) {
  const dialog = document.getElementById("share-dialog");
  const editUrl = document.getElementById("share-edit-url");
  const viewUrl = document.getElementById("share-view-url");
  const note = document.getElementById("share-facilitator-note");

  const fill = (links) => {
    const canEdit = links.role !== "viewer";
    editUrl.value = canEdit ? links.url : "";
    editUrl.closest(".share-row").hidden = !canEdit;
    editUrl.closest(".share-row").previousElementSibling.hidden = !canEdit;
    viewUrl.value = links.view_url || "";
    note.hidden = links.role !== "facilitator";
    members.hidden = note.hidden || !config.signedIn;
  };
  const members = document.getElementById("share-members");
  const membersOnly = document.getElementById("share-members-only");
  const access = async (body) => {
    const response = await boardFetch(`/api/boards/${config.boardId}/access/`, {
      method: body ? "POST" : "GET",
      headers: { "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error?.message || `The server answered ${response.status}.`);
    return data;
  };
  membersOnly.addEventListener("change", async () => {
    try {
      membersOnly.checked = (await access({ members_only: membersOnly.checked })).members_only;
      toast(membersOnly.checked ? "Only signed-in people can open this board now." : "Anyone with a link can open this board.");
    } catch (err) {
      membersOnly.checked = !membersOnly.checked;
      toast(`Could not change who opens the board: ${err.message}`, { kind: "error" });
    }
  });

  const load = async (method = "GET") => {
    const response = await boardFetch(`/api/boards/${config.boardId}/links/`, {
      method,
      headers: { "Content-Type": "application/json" },
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error?.message || `The server answered ${response.status}.`);
    return data;
  };

  document.getElementById("share-button").addEventListener("click", async () => {
    try {
      fill(await load());
      if (!members.hidden) membersOnly.checked = (await access()).members_only;
      dialog.showModal();
      (editUrl.value ? editUrl : viewUrl).select();
    } catch (err) {
      toast(`Could not get the share links: ${err.message}`, { kind: "error" });
    }
  });

  for (const b of dialog.querySelectorAll("[data-copy]")) {
    b.addEventListener("click", async () => {
      const input = document.getElementById(b.dataset.copy);
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        // No clipboard API outside secure contexts: fall back to the selection.
        input.select();
        document.execCommand("copy");
      }
      toast("Link copied.");
    });
  }

  document.getElementById("share-rotate").addEventListener("click", async () => {
    try {
      const links = await load("POST");
      // This page's own (facilitator) key is unchanged, so it stays connected.
      fill(links);
      toast("New links made; the old ones no longer work.");
    } catch (err) {
      toast(`Could not replace the links: ${err.message}`, { kind: "error" });
    }
  });
}

let exportMounted = false;

async function toggleExport(config) {
  const panel = document.getElementById("export-panel");
  const button = document.getElementById("export-button");
  const open = panel.hidden;
  panel.hidden = !open;
  button.setAttribute("aria-expanded", String(open));
  document.body.classList.toggle("with-export-panel", open);
  if (!open || exportMounted) return;
  exportMounted = true;
  const body = panel.querySelector(".export-body");
  try {
    const module = await import("./export-panel.js");
    body.replaceChildren();
    module.mountExportPanel(body, { boardId: config.boardId, exportUrl: config.exportUrl });
  } catch (err) {
    exportMounted = false;
    const p = document.createElement("p");
    p.className = "panel-hint";
    p.textContent = "Export is not available on this server yet.";
    body.replaceChildren(p);
    console.warn("export panel could not load", err);
  }
}
