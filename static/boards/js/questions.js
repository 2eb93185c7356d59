// Open questions: the hotspots and the stickies with an unresolved thread, in reading order, for
// the facilitator to walk through at the end of a workshop. A click, "Next" or "Previous" jumps
// to one and opens its thread; resolving the thread takes it off the list. Q opens the panel.

import { focusOn } from "./focus.js";
import { kindInfo } from "./kinds.js";
import { commentCounts } from "./state.js";
import { el } from "./ui.js";

// Rows of about a sticky's height read left to right, top to bottom.
export function readingOrder(a, b) {
  return Math.round(a.y / 40) - Math.round(b.y / 40) || a.x - b.x;
}

// The open questions of a board: hotspots, and stickies with comments, whose thread is not resolved.
export function openQuestions(view) {
  return unsorted(view).sort(readingOrder);
}

function unsorted(view) {
  const resolved = view.resolved || {};
  const counts = view.comments ? commentCounts(view) : new Map();
  return [...view.notes.values()].filter((n) => !resolved[n.id] && (n.kind === "hotspot" || counts.has(n.id)));
}

export function mountQuestions({ panel, button, onOpen, state, camera, renderer, selection, actions, threads }) {
  const list = panel.querySelector(".questions-list");
  const count = button.querySelector(".questions-count");
  const next = panel.querySelector("[data-next-question]");
  const previous = panel.querySelector("[data-previous-question]");
  const where = panel.querySelector(".questions-at");
  let current = null; // the id of the question shown last

  const place = (n) => state.view.frames.get(n.aggregate)?.name || state.view.frames.get(n.context)?.name || "";
  const show = (id) => {
    current = id;
    // The thread first: its panel takes room, and the sticky is centred in what is left.
    threads?.open(id);
    focusOn(id, { state, camera, renderer, selection });
    render();
  };
  const render = () => {
    // The button's count on every change; the sorted list only while the panel is open.
    if (panel.hidden) {
      const open = unsorted(state.view).length;
      count.textContent = String(open);
      count.hidden = open === 0;
      return;
    }
    const questions = openQuestions(state.view);
    count.textContent = String(questions.length);
    count.hidden = questions.length === 0;
    next.disabled = previous.disabled = questions.length === 0;
    const at = questions.findIndex((q) => q.id === current);
    where.textContent = questions.length ? `${at >= 0 ? at + 1 : "–"} of ${questions.length}` : "";
    const counts = commentCounts(state.view);
    list.replaceChildren(...(questions.length ? questions.map((q, i) => {
      const comments = counts.get(q.id) || 0;
      const b = el("button", { type: "button", className: "question", dataset: { id: q.id, kind: q.kind } },
        el("span", { className: "question-text" }, q.text || `(empty ${kindInfo(q.kind).label.toLowerCase()})`),
        el("span", { className: "question-where" },
          [q.kind === "hotspot" ? "" : kindInfo(q.kind).label, place(q), comments ? `${comments} comment${comments === 1 ? "" : "s"}` : ""]
            .filter(Boolean).join(" · ")));
      b.addEventListener("click", () => show(q.id));
      return el("li", { className: i === at ? "current" : "" }, b);
    }) : [el("li", { className: "panel-hint" }, "No open questions: no hotspots and no unresolved threads.")]));
  };
  // From the one shown last, or from where it stood in the list before it was resolved.
  const step = (by) => {
    const questions = openQuestions(state.view);
    if (!questions.length) return;
    let at = questions.findIndex((q) => q.id === current);
    if (at < 0) {
      const gone = current && state.view.notes.get(current);
      const after = gone ? questions.findIndex((q) => readingOrder(q, gone) > 0) : -1;
      at = by > 0 ? (after < 0 ? questions.length : after) - 1 : after < 0 ? questions.length : after;
    }
    show(questions[(at + by + questions.length) % questions.length].id);
  };
  const toggle = (open = panel.hidden) => {
    if (open) onOpen?.(panel);
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("with-questions", open);
    render();
  };
  next.addEventListener("click", () => step(1));
  previous.addEventListener("click", () => step(-1));
  button.addEventListener("click", () => toggle());
  panel.querySelector("[data-close-questions]").addEventListener("click", () => toggle(false));
  state.addEventListener("change", (e) => {
    if (e.detail.notes.size || e.detail.threads.size) render();
  });
  actions.register({ name: "questions", label: "Show or hide the open questions (hotspots, unresolved threads)", keys: ["q"], run: () => toggle() });
  actions.register({ name: "next-question", label: "Next open question", keys: ["]"], when: () => !panel.hidden, run: () => step(1) });
  actions.register({ name: "previous-question", label: "Previous open question", keys: ["["], when: () => !panel.hidden, run: () => step(-1) });
  render();
  return { toggle };
}
