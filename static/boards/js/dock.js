// The right-hand dock of the workshop: the legend, the open questions and the checks panel, one
// open at a time,
// and neither on top of the export panel.

import { mountLegend } from "./legend.js";
import { mountChecksPanel } from "./checks-panel.js";
import { mountQuestions } from "./questions.js";

export function mountDock(ctx) {
  const $ = (id) => document.getElementById(id);
  const panels = [];
  const closeOthers = (open) => {
    for (const p of panels) if (p.panel !== open && !p.panel.hidden) p.toggle(false);
    if (!$("export-panel").hidden) document.querySelector("[data-close-export]")?.click();
  };
  const legend = mountLegend({
    panel: $("legend-panel"), button: $("legend-button"), onOpen: closeOthers, actions: ctx.actions,
  });
  panels.push({ panel: $("legend-panel"), toggle: legend.toggle });
  const checks = mountChecksPanel({ ...ctx, panel: $("checks-panel"), button: $("checks-button"), onOpen: closeOthers });
  panels.push({ panel: $("checks-panel"), toggle: checks.toggle });
  const questions = mountQuestions({ ...ctx, panel: $("questions-panel"), button: $("questions-button"), onOpen: closeOthers });
  panels.push({ panel: $("questions-panel"), toggle: questions.toggle });
  $("export-button").addEventListener("click", () => {
    for (const p of panels) if (!p.panel.hidden) p.toggle(false);
  });
  return { legend, checks, questions };
}
