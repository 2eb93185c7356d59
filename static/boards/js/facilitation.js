// The workshop bar: the phase and its instruction (for everyone), the palette following the
// phase, the lock, and the timer, dots and "follow me" beside them. The facilitator gets the
// controls; participants see the same facts. The server enforces all of it (docs/protocol.md);
// the page only avoids offering what would be refused.

import { kindInfo, NOTE_KINDS } from "./kinds.js";
import { toast } from "./toast.js";
import { el, glyph, isBoardKey } from "./ui.js";
import { PHASES, allowedIn, phaseInfo, phaseThatAllows } from "./workshop.js";
import { mountTimer } from "./timer.js";
import { mountDots } from "./dots.js";
import { mountFollow } from "./follow.js";
import { participantId } from "./identity.js";

const FRAME_KEYS = { a: "aggregate", k: "bounded_context", w: "lane" };

export function mountFacilitation(host, ctx) {
  const { state, socket, config } = ctx;
  let myRole = config.role || null;
  const role = () => myRole || "editor";
  const isFacilitator = () => role() === "facilitator";
  const locked = () => state.view.workshop.locked && !isFacilitator();
  const canEdit = () => role() !== "viewer" && !locked();
  const more = {
    ...ctx,
    isFacilitator,
    canEdit,
    get me() {
      return participantId();
    },
  };

  // --- phase and instruction ------------------------------------------------------------
  const phaseSelect = el("select", { className: "phase-select", "aria-label": "Workshop phase", title: "Switch the workshop phase for everyone" });
  PHASES.forEach((p, i) => phaseSelect.append(el("option", { value: p.phase }, i ? `${i}. ${p.title}` : p.title)));
  const phaseName = el("span", { className: "phase-name" });
  const instruction = el("span", { className: "phase-instruction" });
  const phaseBlock = el("div", { className: "phase-block" }, glyph("flag", "icon phase-icon"), phaseSelect, phaseName);

  const lockButton = el("button", { type: "button", className: "bar-button lock-toggle", "aria-pressed": "false" });
  const lockBadge = el("span", { className: "lock-badge", role: "status" }, glyph("lock"), "Locked by the facilitator");
  const tools = el("div", { className: "bar-tools" });
  const silentButton = el("button", { type: "button", className: "bar-button silent-toggle", "aria-pressed": "false" });
  const silentBadge = el("span", { className: "silent-badge", role: "status" }, glyph("eye-off"), "Silent round");
  const timerHost = el("div", { className: "bar-group timer-group" });
  const dotsHost = el("div", { className: "bar-group dots-group" });
  const followHost = el("div", { className: "bar-group follow-group" });
  tools.append(
    el("div", { className: "bar-group silent-group" }, silentButton, silentBadge),
    timerHost, dotsHost, el("div", { className: "bar-group lock-group" }, lockButton, lockBadge), followHost,
  );
  host.replaceChildren(phaseBlock, tools, instruction);
  host.hidden = false;

  phaseSelect.addEventListener("change", () => state.submit("board.configure", { phase: phaseSelect.value }));
  lockButton.addEventListener("click", () => state.submit("board.configure", { locked: !state.view.workshop.locked }));
  // A silent round: participants' new stickies are face down for everyone else (the server sends
  // them no text) until the facilitator turns them all over at once.
  silentButton.addEventListener("click", () => {
    state.submit(state.view.workshop.silent ? "silent.reveal" : "silent.start", {});
  });

  const timer = mountTimer(timerHost, { state, isFacilitator });
  const dots = mountDots(dotsHost, more);
  const follow = mountFollow(followHost, more);

  // --- the palette follows the phase ----------------------------------------------------
  const palette = document.getElementById("palette");
  const kindButtons = () => palette.querySelectorAll(".palette-item[data-kind], .tool[data-tool=aggregate], .tool[data-tool=bounded_context], .tool[data-tool=lane]");
  const kindOf = (b) => b.dataset.kind || b.dataset.tool;
  const offMessage = (kind) => {
    const label = kindInfo(kind).label;
    return `${label}s come in the “${phaseThatAllows(kind).title}” phase; now it is “${phaseInfo(state.view.workshop.phase).title}”.`;
  };
  const blocked = (kind) => role() === "editor" && !allowedIn(state.view.workshop.phase, kind);

  function paintPalette() {
    for (const b of kindButtons()) {
      if (!("title" in b.dataset)) b.dataset.title = b.title;
      const off = blocked(kindOf(b));
      b.classList.toggle("phase-off", off);
      b.setAttribute("aria-disabled", String(off));
      b.title = off ? offMessage(kindOf(b)) : b.dataset.title;
    }
  }
  // Capture phase: the palette's own handlers (add, drag to place) never see a refused kind.
  const refuse = (e) => {
    const b = e.target instanceof Element ? e.target.closest("[aria-disabled=true]") : null;
    if (!b || !palette.contains(b)) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (e.type === "click") toast(offMessage(kindOf(b)));
  };
  for (const type of ["pointerdown", "click"]) palette.addEventListener(type, refuse, true);
  window.addEventListener("keydown", (e) => {
    if (!isBoardKey(e) || e.shiftKey) return;
    const kind = NOTE_KINDS.find((k) => k.key === e.key)?.kind || FRAME_KEYS[e.key.toLowerCase()];
    if (!kind || !blocked(kind)) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    toast(offMessage(kind));
  }, true);

  // --- everything that follows the workshop state and my role ----------------------------
  let shownPhase = null;
  let shownSilent = null;
  let shownAnonymous = null;
  const faceDownCount = () => [...state.view.notes.values()].filter((n) => n.hidden).length;
  function renderSilent(w, facilitator) {
    silentButton.hidden = !facilitator;
    silentButton.setAttribute("aria-pressed", String(w.silent));
    const count = faceDownCount();
    silentButton.replaceChildren(glyph("eye-off"), w.silent ? `Reveal (${count})` : "Silent round");
    silentButton.title = w.silent
      ? "Turn every face-down sticky over for everyone at once (ends the silent round)"
      : "Start a silent round: each participant sees only their own new stickies until you reveal them";
    silentBadge.hidden = facilitator || !w.silent;
    silentBadge.title = "Silent round: your new stickies are face down for the others until the facilitator reveals them";
    document.body.classList.toggle("silent-round", Boolean(w.silent));
    if (state.loaded && shownSilent !== null && shownSilent !== w.silent) {
      const started = facilitator
        ? "Silent round started: each participant's new stickies are face down for the others (and you) until you reveal them."
        : "Silent round: write your ideas; the others see them face down until the facilitator reveals them.";
      toast(w.silent ? started : "Revealed: every sticky of the silent round is face up now.", { timeout: 6000 });
    }
    if (state.loaded && shownAnonymous === true && !w.anonymous_votes) toast("The dots are revealed.");
    if (state.loaded) {
      shownSilent = w.silent;
      shownAnonymous = w.anonymous_votes;
    }
  }
  function render() {
    const w = state.view.workshop;
    const facilitator = isFacilitator();
    const info = phaseInfo(w.phase);
    host.dataset.phase = w.phase;
    phaseSelect.hidden = !facilitator;
    phaseSelect.value = w.phase;
    phaseName.hidden = facilitator;
    phaseName.textContent = info.title;
    instruction.textContent = info.instruction;
    instruction.title = info.instruction;
    if (shownPhase !== null && shownPhase !== w.phase) {
      host.classList.remove("flash");
      void host.offsetWidth; // restart the highlight
      host.classList.add("flash");
      if (!facilitator) toast(`Next phase: ${info.title}. ${info.instruction}`, { timeout: 7000 });
    }
    if (state.loaded) shownPhase = w.phase; // the first snapshot sets the scene, it is no news

    renderSilent(w, facilitator);
    lockButton.hidden = !facilitator;
    lockButton.setAttribute("aria-pressed", String(w.locked));
    lockButton.replaceChildren(glyph(w.locked ? "lock" : "unlock"), w.locked ? "Locked" : "Lock");
    lockButton.title = w.locked ? "Participants cannot change the board; click to unlock" : "Stop participants from changing the board";
    lockBadge.hidden = facilitator || !w.locked;
    document.body.classList.toggle("board-locked", locked());

    // A locked board is read-only for participants, like a view-only link, with its own reason.
    state.readOnly = role() === "viewer" || locked();
    state.readOnlyMessage = locked() && role() !== "viewer" ? "The facilitator has locked the board for now." : null;
    paintPalette();
  }

  state.addEventListener("change", (e) => {
    if (e.detail.workshop) render();
    else if (e.detail.notes.size && state.view.workshop.silent) renderSilent(state.view.workshop, isFacilitator());
  });
  socket.addEventListener("frame", (e) => {
    if (e.detail.type !== "welcome") return;
    myRole = e.detail.you?.role || "editor";
    render();
    timer.render();
    dots.render();
    follow.render();
  });
  render();
  return { render };
}
