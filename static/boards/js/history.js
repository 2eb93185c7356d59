// Time travel: the History panel's slider shows the board as it was after any event, read
// only, in place of the live board (GET /api/boards/<id>/?at=<seq>). Live events keep
// arriving underneath; "Back to live" shows them again. "Restore this version" sends
// `board.restore` {seq}, which adds the changes that bring that version back.

import { BoardState } from "./state.js";
import { Renderer } from "./render.js";
import { icon } from "./kinds.js";
import { toast } from "./toast.js";
import { formatWhen, mountActivity } from "./activity.js";
import { boardFetch } from "./board-key.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const BLOCKED_TOAST_MS = 2500;
const CLOCK_ICON = "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M12 7v5l3 2";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function clockIcon() {
  const svg = icon("select");
  svg.querySelector("path").setAttribute("d", CLOCK_ICON);
  return svg;
}

async function getJson(url, signal) {
  const response = await boardFetch(url, { signal, headers: { Accept: "application/json" } });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error?.message || `The server answered ${response.status}.`);
  return data;
}

export class TimeTravel extends EventTarget {
  constructor({ state, camera, selection, viewport, boardId }) {
    super();
    this.state = state;
    this.camera = camera;
    this.selection = selection;
    this.viewport = viewport;
    this.boardId = boardId;
    this.seq = null; // the seq shown, or null when live
    this.wanted = null;
    this.loading = false;
    this.pastState = null;
    this.world = null;
    this.lastBlockedToast = 0;
    // While the past is on screen nothing may change the board from this page.
    state.addEventListener("beforesubmit", (e) => {
      if (this.seq === null) return;
      e.preventDefault();
      const now = Date.now();
      if (now - this.lastBlockedToast > BLOCKED_TOAST_MS) {
        this.lastBlockedToast = now;
        toast("You are looking at an earlier version: go back to live to make changes.");
      }
    });
  }

  get active() {
    return this.seq !== null;
  }

  // The past is drawn by a second renderer into a world of its own, under the same camera.
  ensureWorld() {
    if (this.world) return;
    const world = el("div", "world history-world");
    world.setAttribute("aria-label", "The board at an earlier point (read only)");
    const frames = el("div", "layer frames-layer");
    const notes = el("div", "layer notes-layer");
    const links = document.createElementNS(SVG_NS, "svg");
    links.setAttribute("class", "layer links-layer");
    const group = document.createElementNS(SVG_NS, "g");
    links.append(group);
    world.append(frames, links, notes);
    document.getElementById("world").after(world);
    this.world = world;
    this.pastState = new BoardState();
    this.pastRenderer = new Renderer({
      state: this.pastState, camera: this.camera, framesLayer: frames, notesLayer: notes, linksLayer: links, linksGroup: group,
    });
    const follow = () => {
      world.style.transform = this.camera.world.style.transform;
    };
    this.camera.addEventListener("change", follow);
    follow();
  }

  // Show the board after event `seq`; fetches are coalesced so a fast drag stays smooth.
  async show(seq) {
    this.wanted = seq;
    if (this.loading) return;
    this.loading = true;
    try {
      while (this.wanted !== null && this.wanted !== this.seq) {
        const target = this.wanted;
        const base = `/api/boards/${encodeURIComponent(this.boardId)}`;
        const [board, page] = await Promise.all([
          getJson(`${base}/?at=${target}`),
          target > 0 ? getJson(`${base}/history/?before=${target + 1}&limit=1`) : Promise.resolve({ events: [] }),
        ]);
        if (this.wanted === null) break; // back to live meanwhile
        this.enter();
        this.pastState.loadSnapshot(target, board);
        this.seq = target;
        this.event = page.events[0] || null;
        this.dispatchEvent(new CustomEvent("change"));
      }
    } catch (err) {
      toast(`Could not load that version: ${err.message}`, { kind: "error" });
      this.wanted = this.seq;
    } finally {
      this.loading = false;
    }
  }

  enter() {
    if (this.seq !== null) return;
    this.ensureWorld();
    this.selection.clear();
    document.body.classList.add("time-travel");
  }

  live() {
    this.wanted = null;
    if (this.seq === null) return;
    this.seq = null;
    this.event = null;
    document.body.classList.remove("time-travel");
    this.pastState.loadSnapshot(0, {}); // empties the past's drawing
    this.dispatchEvent(new CustomEvent("change"));
  }

  restore() {
    const seq = this.seq;
    if (seq === null) return;
    this.live();
    const opId = this.state.submit("board.restore", { seq });
    if (opId) toast(`Restoring the version of seq ${seq}. Undo (Ctrl+Z) takes it back.`);
  }
}

function confirmDialog(text, confirmLabel) {
  const dialog = el("dialog", "dialog history-confirm");
  dialog.append(el("h2", "", "Restore this version?"), el("p", "", text));
  const actions = el("div", "dialog-actions");
  const cancel = el("button", "button", "Cancel");
  cancel.type = "button";
  const ok = el("button", "button primary", confirmLabel);
  ok.type = "button";
  actions.append(cancel, ok);
  dialog.append(actions);
  document.body.append(dialog);
  return new Promise((resolve) => {
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener("click", () => done(false));
    ok.addEventListener("click", () => done(true));
    dialog.addEventListener("cancel", () => done(false));
    dialog.showModal();
    ok.focus();
  });
}

// The History button, the panel with the slider (and a host for the activity feed), and
// the banner over the board while it shows the past.
export function mountHistory({ state, socket, camera, selection, viewport, boardId, anchor, actions }) {
  const travel = new TimeTravel({ state, camera, selection, viewport, boardId });

  const button = el("button", "button history-button");
  button.type = "button";
  button.id = "history-button";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "history-panel");
  button.title = "Time travel and the activity of this board";
  button.append(clockIcon(), el("span", "", "History"));
  anchor.before(button);

  const panel = el("aside", "side-panel history-side");
  panel.id = "history-panel";
  panel.setAttribute("aria-label", "History");
  panel.hidden = true;
  const head = el("header", "panel-head");
  const close = el("button", "icon-button", "×");
  close.type = "button";
  close.setAttribute("aria-label", "Close history");
  head.append(el("span", "panel-title", "History"), close);

  const travelBox = el("section", "time-travel-box");
  const label = el("label", "history-label", "Time travel");
  label.htmlFor = "history-slider";
  const slider = el("input", "history-slider");
  slider.type = "range";
  slider.id = "history-slider";
  slider.min = "0";
  slider.step = "1";
  const ends = el("div", "history-ends");
  const startLabel = el("span", "", "Empty board");
  const position = el("output", "history-position");
  position.htmlFor = "history-slider";
  const endLabel = el("span", "", "Now");
  ends.append(startLabel, position, endLabel);
  const steps = el("div", "history-steps");
  const back = el("button", "button", "‹ Earlier");
  back.type = "button";
  back.title = "One change earlier";
  const forward = el("button", "button", "Later ›");
  forward.type = "button";
  forward.title = "One change later";
  const liveButton = el("button", "button", "Now");
  liveButton.type = "button";
  steps.append(back, forward, liveButton);
  const hint = el("p", "panel-hint", "Drag the slider (or use the arrow keys) to see the board as it was. Nothing changes until you restore.");
  travelBox.append(label, slider, ends, steps, hint);

  const feedHost = el("section", "activity");
  feedHost.setAttribute("aria-label", "Activity");
  feedHost.append(el("h3", "activity-title", "Activity"));
  panel.append(head, travelBox, feedHost);
  document.querySelector(".workspace").append(panel);

  const banner = el("div", "time-travel-banner");
  banner.setAttribute("role", "status");
  banner.hidden = true;
  const bannerIcon = clockIcon();
  const bannerText = el("div", "banner-text");
  const bannerMain = el("strong", "banner-main");
  const bannerWho = el("span", "banner-who");
  bannerText.append(bannerMain, bannerWho);
  const restoreButton = el("button", "button banner-restore", "Restore this version");
  restoreButton.type = "button";
  const backButton = el("button", "button primary banner-live", "Back to live");
  backButton.type = "button";
  banner.append(bannerIcon, bannerText, restoreButton, backButton);
  document.querySelector(".workspace").append(banner);

  const liveSeq = () => state.seq;
  const render = () => {
    const max = liveSeq();
    slider.max = String(max);
    const shown = travel.active ? travel.seq : max;
    slider.value = String(travel.wanted ?? shown);
    const when = travel.event ? formatWhen(travel.event.at) : "";
    position.textContent = travel.active ? `${when ? `${when} · ` : ""}seq ${travel.seq} of ${max}` : `Live · seq ${max}`;
    slider.setAttribute("aria-valuetext", travel.active ? `seq ${travel.seq} of ${max}${when ? `, ${when}` : ""}` : `now, seq ${max}`);
    back.disabled = shown <= 0;
    forward.disabled = !travel.active;
    liveButton.disabled = !travel.active;
    banner.hidden = !travel.active;
    if (travel.active) {
      bannerMain.textContent = `Viewing the board at ${when || "the start"} — seq ${travel.seq} of ${max} — read only`;
      bannerWho.textContent = travel.event && travel.event.actor ? `Last change by ${travel.event.actor}` : "";
    }
  };

  const goTo = (seq) => {
    const max = liveSeq();
    const target = Math.max(0, Math.min(max, seq));
    if (target >= max) travel.live();
    else travel.show(target);
    render();
  };

  const toggle = (open = panel.hidden) => {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("with-history-panel", open);
    if (open) {
      // One panel on the right at a time: close the others (export, legend, checks).
      for (const other of document.querySelectorAll("aside.side-panel:not(#side-panel)")) {
        if (other !== panel && !other.hidden) other.querySelector(".panel-head .icon-button")?.click();
      }
      render();
      activity.opened();
    } else {
      travel.live();
    }
  };
  button.addEventListener("click", () => toggle());
  close.addEventListener("click", () => toggle(false));
  // ... and opening another panel from the top bar closes this one.
  document.querySelector(".topbar").addEventListener("click", (e) => {
    const other = e.target.closest("button[aria-controls]");
    if (other && other !== button && /-panel$/.test(other.getAttribute("aria-controls")) && !panel.hidden) toggle(false);
  });

  slider.addEventListener("input", () => goTo(Number(slider.value)));
  back.addEventListener("click", () => goTo((travel.active ? travel.seq : liveSeq()) - 1));
  forward.addEventListener("click", () => goTo((travel.active ? travel.seq : liveSeq()) + 1));
  liveButton.addEventListener("click", () => goTo(liveSeq()));
  backButton.addEventListener("click", () => goTo(liveSeq()));
  restoreButton.addEventListener("click", async () => {
    const seq = travel.seq;
    const when = travel.event ? formatWhen(travel.event.at) : "the start";
    const ok = await confirmDialog(
      `The board goes back to how it was at ${when} (seq ${seq}) for everyone. Nothing is erased: the changes since stay in the history, and you can undo the restore.`,
      "Restore",
    );
    if (ok && travel.seq === seq) travel.restore();
  });
  actions.register({
    name: "back-to-live", label: "Back to the live board", keys: ["Escape"], when: () => travel.active,
    run: () => goTo(liveSeq()),
  });

  const activity = mountActivity({
    host: feedHost, socket, state, camera, selection, boardId, onTravel: (seq) => goTo(seq),
  });
  travel.addEventListener("change", () => {
    render();
    activity.markAt(travel.seq);
  });
  // The live board goes on underneath: the slider's end follows it.
  socket.addEventListener("frame", (e) => {
    if (["event", "events", "snapshot"].includes(e.detail.type)) queueMicrotask(render);
  });

  return { travel, activity, panel, open: () => toggle(true), goTo };
}
