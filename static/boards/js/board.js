// The board page: wires state, socket, rendering, interactions and panels together.

import { readConfig, takeBoardKey } from "./config.js";
import { BoardState } from "./state.js";
import { BoardSocket } from "./socket.js";
import { Camera } from "./camera.js";
import { Renderer } from "./render.js";
import { Selection } from "./selection.js";
import { Presence } from "./presence.js";
import { Interactions } from "./interactions.js";
import { FieldsPanel } from "./panel.js";
import { mountConnectionState, mountPalette, mountTopBar } from "./toolbar.js";
import { askName, keepIdentity, savedToken } from "./identity.js";
import { useBoardKey } from "./board-key.js";
import { toast } from "./toast.js";
import { rememberBoard } from "./recent.js";
import { mountUndo } from "./undo.js";
import { mountHistory } from "./history.js";
import { mountDownloads } from "./downloads.js";
import { mountFacilitation } from "./facilitation.js";
import { mountDock } from "./dock.js";
import { focusPoint } from "./focus.js";
import { ActionRegistry } from "./actions.js";
import { mountFind } from "./find.js";
import { mountMinimap } from "./minimap.js";
import { mountThreads } from "./threads.js";

const SYNC_RETRY_MS = 2000;
const $ = (id) => document.getElementById(id);

// What the denied screen says: what happened (title, message) and what to do (advice), each once.
const NO_KEY = {
  title: "This link has no key",
  message: "The key is the part of a board's link after #; an address copied from the address bar leaves it out.",
  advice: "Ask the facilitator for the board's link.",
};
const RELOAD = {
  title: "Storming was updated: reload",
  message: "This page is older than the server. Reload it to go on; changes not yet saved are kept.",
  advice: "",
};

async function main() {
  const config = readConfig();
  // Without a key the page asks for nothing: the server would not answer, and the page holds
  // no board data of its own (boards/views.py board_page).
  const key = takeBoardKey(config.boardId);
  if (!key) {
    showDenied(NO_KEY);
    return;
  }
  useBoardKey(key);
  config.key = key;
  const viewport = $("viewport");
  const state = new BoardState();
  const camera = new Camera(viewport, $("world"));
  const selection = new Selection();
  // The palette's width, kept as it changes: asking for it when the board is fitted, right
  // after 2,000 stickies were added, would lay the whole page out just for that.
  let paletteWidth = $("palette").offsetWidth;
  new ResizeObserver(([entry]) => {
    paletteWidth = entry.borderBoxSize?.[0]?.inlineSize ?? entry.target.offsetWidth;
  }).observe($("palette"));
  camera.insets = () => ({
    left: paletteWidth + 24,
    right: ($("side-panel").hidden && $("thread-panel").hidden ? 0 : 340) + ($("export-panel").hidden ? 0 : 340),
  });
  const renderer = new Renderer({
    state, camera, framesLayer: $("frames-layer"), notesLayer: $("notes-layer"), linksLayer: $("links-layer"),
  });
  selection.addEventListener("change", () => renderer.setSelection(selection.ids));
  state.addEventListener("change", (e) => {
    if (e.detail.name) rememberBoard(config.boardId, state.view.name);
    selection.prune((id) => state.element(id) !== null);
    $("empty-hint").hidden = state.view.notes.size + state.view.frames.size > 0;
  });

  let name = "";
  const socket = new BoardSocket(config.wsUrl, {
    boardId: config.boardId,
    hello: () => ({
      type: "hello", protocol: config.protocol, since: state.seq, name, key, token: savedToken(config.boardId),
    }),
  });
  state.transport = (frame) => socket.sendOp(frame);
  // Changes made before a reload (offline, or not yet acked) are still owed to the server.
  for (const frame of socket.outbox) state.addPending(frame);

  const presence = new Presence({
    socket, state, camera, list: $("presence"), cursorsLayer: $("cursors-layer"), ghostsLayer: $("ghosts-layer"),
  });
  // "Jump to person": to the sticky they type in, else to their cursor.
  presence.onJump = (who) => {
    const typing = who.cursor?.editing && state.view.notes.get(who.cursor.editing);
    if (typing) focusPoint(typing.x + typing.w / 2, typing.y + typing.h / 2, camera);
    else if (who.cursor) focusPoint(who.cursor.x, who.cursor.y, camera);
    else toast(`${who.name} has not pointed at anything on the board yet.`);
  };
  const helpDialog = $("help-dialog");
  const interactions = new Interactions({
    state, camera, renderer, selection, presence, viewport,
    draft: { frame: $("draft-frame"), link: $("draft-link") },
    selectionBox: $("selection-box"),
    onHelp: () => helpDialog.showModal(),
  });
  interactions.maxText = config.maxText || interactions.maxText;
  // Every key of the board goes through one registry (actions.js).
  const actions = new ActionRegistry();
  interactions.registerActions(actions);
  actions.listen();
  const panel = new FieldsPanel({ host: $("side-panel"), state, selection, actions });
  // The thread of a sticky and the side panel take the same place: one at a time.
  let threads = null;
  actions.register({
    name: "inspect", label: "Open or close the side panel of the selection", keys: ["i"],
    when: () => selection.size > 0 || !$("side-panel").hidden,
    run: () => {
      threads?.close();
      panel.toggle();
    },
  });
  interactions.onInspect = () => {
    threads?.close();
    panel.toggle(true);
  };
  const palette = mountPalette($("palette"), interactions, viewport);
  actions.register({ name: "palette", label: "Collapse or expand the palette", keys: ["p"], run: () => palette.toggle() });
  mountFind({ host: $("find-box"), state, camera, renderer, selection, actions });
  mountMinimap({ host: $("minimap"), state, camera, renderer, actions });
  mountTopBar({ state, camera, interactions, config, helpDialog });
  mountConnectionState($("connection-state"), socket);
  // Undo/redo, the History panel (time travel and activity) and downloads: before the
  // socket starts, so that they see the first snapshot.
  const undo = mountUndo({ state, socket, anchor: $("connection-state"), actions });
  mountHistory({ state, socket, camera, selection, viewport, boardId: config.boardId, anchor: $("share-button"), actions });
  mountDownloads({ boardId: config.boardId, selection, state, anchor: $("export-button") });

  let firstSnapshot = true;
  let syncAsked = { since: -1, at: 0 };
  const askSync = (since) => {
    if (since === null) return;
    const now = Date.now();
    if (syncAsked.since === since && now - syncAsked.at < SYNC_RETRY_MS) return;
    syncAsked = { since, at: now };
    socket.sync(since);
  };

  socket.addEventListener("frame", (e) => {
    const f = e.detail;
    switch (f.type) {
      case "welcome":
        keepIdentity(config.boardId, f.you, f.token);
        presence.welcome(f.you);
        config.role = f.you.role || "editor";
        document.body.dataset.role = config.role;
        state.readOnly = config.role === "viewer";
        break;
      case "snapshot":
        state.loadSnapshot(f.seq, f.board);
        rememberBoard(config.boardId, state.view.name || config.boardName);
        if (firstSnapshot) {
          firstSnapshot = false;
          $("empty-hint").hidden = state.view.notes.size + state.view.frames.size > 0;
          openingView(camera, state, renderer);
          camera.apply(); // now, not on the next frame: "loaded" means drawn where it will stay
          document.body.dataset.loaded = "true";
        }
        break;
      case "event":
        askSync(state.receiveEvents([f]));
        break;
      case "events":
        askSync(state.receiveEvents(f.events || []));
        break;
      case "ack":
        state.ack(f.op_id, f.seq);
        break;
      case "reject":
        state.reject(f.op_id, f.error);
        break;
      case "presence":
        presence.receive(f);
        break;
      case "error":
        if (f.code === "reload") showDenied(RELOAD);
        else if (DENIALS.has(f.code)) showDenied({ message: f.message, advice: SELF_HELP.has(f.code) ? "" : undefined });
        else toast(f.message || "The server could not use a message.", { kind: "error" });
        break;
      default:
        break;
    }
  });
  socket.addEventListener("status", (e) => {
    if (e.detail.status !== "connected") presence.disconnected();
  });
  socket.addEventListener("denied", () => showDenied());
  state.addEventListener("reject", (e) => {
    const err = e.detail.error || {};
    toast(err.message || "The server refused a change.", { kind: "error", timeout: 6000 });
  });

  // The workshop (phase, lock, timer, dots, follow), the legend and the checks: after the
  // frame handler above, so they see the role it sets.
  const workshop = { state, socket, camera, renderer, selection, interactions, presence, config, actions };
  mountFacilitation($("workshop-bar"), workshop);
  threads = mountThreads({
    host: $("thread-panel"), state, socket, selection, camera, renderer, actions, maxText: interactions.maxText,
    onOpen: () => panel.open && panel.toggle(false),
  });
  workshop.threads = threads;
  mountDock(workshop);

  camera.fit(null);
  // The board is drawn and usable around the name dialog; joining waits for the name.
  name = await askName($("name-dialog"));
  socket.start();
  // Handy in the browser console and for tests; the page itself never reads it.
  window.storming = { state, socket, camera, selection, renderer, undo, actions, presence, threads };
}

// A big board fitted whole is unreadable (the example at 19 %): open on its first bounded
// context instead, or on its top-left corner, at a zoom where stickies can be read.
const READABLE_ZOOM = 0.6;

function openingView(camera, state, renderer) {
  camera.fit(renderer.contentBounds(), 80, 1);
  if (camera.zoom >= READABLE_ZOOM) return;
  const contexts = [...state.view.frames.values()].filter((f) => f.kind === "bounded_context")
    .sort((a, b) => a.y - b.y || a.x - b.x);
  if (contexts.length) {
    camera.fit(contexts[0], 40, 1);
    if (camera.zoom >= READABLE_ZOOM) return;
  }
  const all = renderer.contentBounds();
  const inset = camera.insets ? camera.insets() : { left: 0, right: 0 };
  camera.zoom = READABLE_ZOOM;
  camera.x = inset.left + 40 - all.x * READABLE_ZOOM;
  camera.y = 40 - all.y * READABLE_ZOOM;
  camera.changed();
}

const DENIALS = new Set(["forbidden", "revoked", "not_found", "too_many_participants", "sign_in"]);
// Denials whose message already says what to do: no advice to ask the facilitator.
const SELF_HELP = new Set(["too_many_participants", "sign_in"]);

// Unset parts keep the page's wording (board.html); an empty advice hides that line.
function showDenied({ title, message, advice } = {}) {
  const box = $("denied");
  if (title) box.querySelector("h2").textContent = title;
  if (message) box.querySelector(".denied-message").textContent = message;
  const adviceLine = box.querySelector(".denied-advice");
  if (advice !== undefined) adviceLine.textContent = advice;
  adviceLine.hidden = !adviceLine.textContent;
  box.hidden = false;
}

main();
