// Open questions: the hotspots of the board, listed in reading order, for the facilitator to
// walk through at the end of a workshop ("Next" jumps to each in turn). Q opens the panel.

import { focusOn } from "./focus.js";
import { el } from "./ui.js";

export function openQuestions(view) {
  return [...view.notes.values()]
    .filter((n) => n.kind === "hotspot")
    .sort((a, b) => Math.round(a.y / 40) - Math.round(b.y / 40) || a.x - b.x);
}

export function mountQuestions({ panel, button, onOpen, state, camera, renderer, selection, actions }) {
  const list = panel.querySelector(".questions-list");
  const count = button.querySelector(".questions-count");
  const next = panel.querySelector("[data-next-question]");
  let at = -1;

  const where = (n) => state.view.frames.get(n.aggregate)?.name || state.view.frames.get(n.context)?.name || "";
  const render = () => {
    const questions = openQuestions(state.view);
    count.textContent = String(questions.length);
    count.hidden = questions.length === 0;
    if (panel.hidden) return;
    next.disabled = questions.length === 0;
    list.replaceChildren(...(questions.length ? questions.map((q, i) => {
      const b = el("button", { type: "button", className: "question", dataset: { id: q.id } },
        el("span", { className: "question-text" }, q.text || "(empty hotspot)"),
        el("span", { className: "question-where" }, where(q)));
      b.addEventListener("click", () => {
        at = i;
        focusOn(q.id, { state, camera, renderer, selection });
      });
      return el("li", { className: i === at ? "current" : "" }, b);
    }) : [el("li", { className: "panel-hint" }, "No hotspots on the board: no open questions.")]));
  };
  const toggle = (open = panel.hidden) => {
    if (open) onOpen?.(panel);
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("with-questions", open);
    render();
  };
  next.addEventListener("click", () => {
    const questions = openQuestions(state.view);
    if (!questions.length) return;
    at = (at + 1) % questions.length;
    focusOn(questions[at].id, { state, camera, renderer, selection });
    render();
  });
  button.addEventListener("click", () => toggle());
  panel.querySelector("[data-close-questions]").addEventListener("click", () => toggle(false));
  state.addEventListener("change", (e) => {
    if (e.detail.notes.size) render();
  });
  actions.register({ name: "questions", label: "Show or hide the open questions (hotspots)", keys: ["q"], run: () => toggle() });
  render();
  return { toggle };
}
