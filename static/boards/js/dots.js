// Dot-voting on events and hotspots: a dot counter on each votable sticky (a button in vote
// mode), "dots left", the results, and the facilitator's settings (dots per person, clear).

import { kindInfo } from "./kinds.js";
import { toast } from "./toast.js";
import { closeOnOutside, el } from "./ui.js";
import { dotsOn, dotsUsed, ranking } from "./workshop.js";
import { focusOn } from "./focus.js";

const VOTABLE = new Set(["event", "hotspot"]);
const RESULTS_SHOWN = 10;

export function mountDots(host, ctx) {
  const { state, renderer, isFacilitator, canEdit } = ctx;
  const me = () => ctx.me; // the identity the server issues on welcome: known only then
  const exists = (id) => VOTABLE.has(state.view.notes.get(id)?.kind);
  let voting = false;

  // --- the bar: vote mode, dots left, results ------------------------------------------
  const left = el("span", { className: "dots-left" });
  const anonymousTag = el("span", { className: "dots-anonymous-tag", hidden: true }, "anonymous");
  const modeButton = el("button", {
    type: "button", className: "bar-button dots-mode", "aria-pressed": "false",
  }, el("span", { className: "dot-icon", "aria-hidden": "true" }), "Vote", anonymousTag, left);

  const resultsList = el("ol", { className: "dots-results" });
  const perPerson = el("input", { type: "number", min: "0", max: "50", step: "1", className: "dots-per-person", "aria-label": "Dots per person" });
  const clear = el("button", { type: "button", className: "button small danger dots-clear" }, "Clear all dots");
  const anonymous = el("input", { type: "checkbox", className: "dots-anonymous" });
  const reveal = el("button", { type: "button", className: "button small primary dots-reveal" }, "Reveal the dots");
  const settings = el("div", { className: "dots-settings" },
    el("label", { className: "dots-setting" }, "Dots per person", perPerson),
    el("label", { className: "dots-setting", title: "Each person sees only their own dots until you reveal them" }, anonymous, "Anonymous until revealed"),
    reveal, clear);
  const anonymousNote = el("p", { className: "dots-anonymous-note", hidden: true },
    "Anonymous vote: you see only your own dots until the facilitator reveals them.");
  const menuButton = el("button", { type: "button", className: "bar-icon-button dots-menu-button", title: "Results", "aria-label": "Voting results", "aria-haspopup": "true", "aria-expanded": "false" }, "▾");
  const menu = el("div", { className: "bar-menu dots-menu", hidden: true },
    el("p", { className: "bar-menu-title" }, "Most dots"), anonymousNote, resultsList, settings);
  const wrap = el("div", { className: "bar-menu-wrap dots-wrap" }, modeButton, menuButton, menu);
  host.append(wrap);
  const toggleMenu = closeOnOutside(wrap, menu, menuButton);

  modeButton.addEventListener("click", () => setVoting(!voting));
  perPerson.addEventListener("keydown", (e) => e.stopPropagation());
  perPerson.addEventListener("change", () => {
    const n = Math.round(Number(perPerson.value));
    if (n >= 0 && n <= 50 && n !== state.view.workshop.votes_per_person) state.submit("board.configure", { votes_per_person: n });
  });
  anonymous.addEventListener("change", () => {
    // Unticking is a reveal too (the server sends everyone the dots then).
    state.submit("board.configure", { anonymous_votes: anonymous.checked });
  });
  reveal.addEventListener("click", () => {
    state.submit("votes.reveal", {});
    toggleMenu(false);
  });
  let armed = null;
  clear.addEventListener("click", () => {
    // Two clicks: clearing everyone's dots cannot be taken back.
    if (!armed) {
      clear.textContent = "Click again to clear";
      armed = setTimeout(() => {
        armed = null;
        clear.textContent = "Clear all dots";
      }, 3000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    clear.textContent = "Clear all dots";
    state.submit("votes.clear", {});
    toggleMenu(false);
  });

  function setVoting(on) {
    voting = on;
    document.body.classList.toggle("voting", on);
    modeButton.setAttribute("aria-pressed", String(on));
    if (on && !canEdit()) {
      toast(state.readOnlyMessage ? `${state.readOnlyMessage} Your dots wait until it is unlocked.` : "You can watch the vote; dots need the edit link.");
    }
    paintAll();
  }

  // --- the dots on the stickies ----------------------------------------------------------
  const badges = new Map(); // note id -> badge element

  function badgeFor(id) {
    let b = badges.get(id);
    const host = renderer.records.get(id)?.el;
    if (!host) return null;
    if (b && b.parentNode === host) return b;
    b = el("button", { type: "button", className: "dots-badge", dataset: { id } },
      el("span", { className: "dot-icon", "aria-hidden": "true" }), el("span", { className: "dots-count" }));
    // The badge is a button on a draggable sticky: it must not start a drag or an edit.
    b.addEventListener("pointerdown", (e) => e.stopPropagation());
    b.addEventListener("dblclick", (e) => e.stopPropagation());
    b.addEventListener("click", (e) => {
      e.stopPropagation();
      vote(id, e.shiftKey || e.altKey ? -1 : 1);
    });
    b.addEventListener("contextmenu", (e) => {
      e.preventDefault();
      e.stopPropagation();
      vote(id, -1);
    });
    host.append(b);
    badges.set(id, b);
    return b;
  }

  function vote(id, step) {
    if (!voting) return;
    const w = state.view.workshop;
    if (step > 0) {
      const used = dotsUsed(w, me(), exists);
      if (used >= w.votes_per_person) {
        toast(`You have used all ${w.votes_per_person} of your dots; Shift+click one to take it back.`, { kind: "error" });
        return;
      }
      state.submit("vote.cast", { id });
    } else if (dotsOn(w, id, me()).mine > 0) {
      state.submit("vote.retract", { id });
    }
  }

  function paint(id) {
    const note = state.view.notes.get(id);
    const votable = note && VOTABLE.has(note.kind);
    const { total, mine } = votable ? dotsOn(state.view.workshop, id, me()) : { total: 0, mine: 0 };
    const active = voting && canEdit(); // watchers see the dots, without a "+" to press
    if (!votable || (total === 0 && !active)) {
      badges.get(id)?.remove();
      badges.delete(id);
      return;
    }
    const b = badgeFor(id);
    if (!b) return;
    b.querySelector(".dots-count").textContent = total ? String(total) : "+";
    b.classList.toggle("mine", mine > 0);
    b.classList.toggle("empty", total === 0);
    b.disabled = !active;
    const yours = mine ? ` (${mine} yours)` : "";
    b.title = active
      ? `${total} dot${total === 1 ? "" : "s"}${yours}. Click to add a dot; Shift+click or right-click to take yours back.`
      : `${total} dot${total === 1 ? "" : "s"}${yours}`;
    b.setAttribute("aria-label", `${total} dots${yours}`);
  }

  function paintAll() {
    const ids = new Set([...badges.keys()]);
    for (const id of Object.keys(state.view.workshop.votes)) ids.add(id);
    if (voting) for (const n of state.view.notes.values()) if (VOTABLE.has(n.kind)) ids.add(n.id);
    for (const id of ids) paint(id);
    renderBar();
  }

  function renderBar() {
    const w = state.view.workshop;
    const used = dotsUsed(w, me(), exists);
    const remaining = Math.max(0, w.votes_per_person - used);
    left.textContent = canEdit() ? `${remaining} left` : "";
    left.hidden = !canEdit();
    left.classList.toggle("none", remaining === 0);
    modeButton.title = canEdit()
      ? `Dot-voting: ${remaining} of your ${w.votes_per_person} dots left. Put them on the events and hotspots that matter most.`
      : "Dot-voting: see the dots on the events and hotspots";
    settings.hidden = !isFacilitator();
    if (document.activeElement !== perPerson) perPerson.value = String(w.votes_per_person);
    anonymous.checked = Boolean(w.anonymous_votes);
    reveal.hidden = !w.anonymous_votes;
    anonymousNote.hidden = !w.anonymous_votes;
    anonymousTag.hidden = !w.anonymous_votes;
    modeButton.classList.toggle("anonymous", Boolean(w.anonymous_votes));
    if (w.anonymous_votes) modeButton.title += " The vote is anonymous: you see only your own dots until the facilitator reveals them.";
    renderResults();
  }

  function renderResults() {
    const rows = ranking(state.view.workshop, exists, me()).slice(0, RESULTS_SHOWN);
    if (!rows.length) {
      resultsList.replaceChildren(el("li", { className: "dots-results-empty" }, "No dots yet. Turn on Vote and click the dot button on a sticky."));
      return;
    }
    resultsList.replaceChildren(...rows.map((r) => {
      const note = state.view.notes.get(r.id);
      const item = el("button", { type: "button", className: "dots-result", title: "Show it on the board" },
        el("span", { className: "dots-result-count" }, String(r.total)),
        el("span", { className: "kind-chip", dataset: { kind: note.kind } }, kindInfo(note.kind).label),
        el("span", { className: "dots-result-text" }, note.text || "(empty)"));
      item.addEventListener("click", () => {
        focusOn(r.id, ctx);
        toggleMenu(false);
      });
      return el("li", {}, item);
    }));
  }

  state.addEventListener("change", (e) => {
    const d = e.detail;
    if (d.workshop) {
      paintAll();
      return;
    }
    if (d.notes.size) {
      for (const id of d.notes) paint(id);
      renderBar();
    }
  });
  ctx.actions.register({
    name: "stop-voting", label: "Stop dot-voting", keys: ["Escape"], when: () => voting, run: () => setVoting(false),
  });
  return { render: paintAll, setVoting, get voting() { return voting; } };
}
