// The legend: every kind with its colour, icon, shape and naming rule, the frames, and
// the flow grammar of DESIGN.md, and swimlanes. One click (the Legend button) or one key (L) away.

import { icon } from "./kinds.js";
import { el } from "./ui.js";

const NOTES = [
  { kind: "event", name: "Domain event", shape: "orange sticky", rule: "Past tense: something that happened.", example: "Order Placed" },
  { kind: "command", name: "Command", shape: "blue sticky, notched left edge", rule: "Imperative: an intention or request.", example: "Place Order" },
  { kind: "policy", name: "Policy", shape: "lilac sticky, rounded corner", rule: "Starts with “Whenever”: a reaction.", example: "Whenever payment fails, cancel the order" },
  { kind: "external_system", name: "External system", shape: "pink, wide", rule: "The name of a system outside.", example: "Payment Provider" },
  { kind: "actor", name: "Actor", shape: "small yellow", rule: "A person or role.", example: "Customer" },
  { kind: "read_model", name: "Read model", shape: "green, folded corner", rule: "A noun: the information someone needs.", example: "Order Summary" },
  { kind: "hotspot", name: "Hotspot", shape: "red, tilted", rule: "A question, risk or problem.", example: "What if payment times out?" },
];

const FRAMES = [
  { kind: "aggregate", name: "Aggregate", shape: "yellow header, solid border", rule: "A noun; decides commands and emits events." },
  { kind: "bounded_context", name: "Bounded context", shape: "dashed border, label", rule: "A name, unique on the board; one meaning per word inside." },
  { kind: "lane", name: "Lane", shape: "light blue band, label at the left", rule: "An actor or a context: its stickies stay in it along the timeline (layout only)." },
];

// The flows of the grammar, each a chain read left to right.
const FLOWS = [
  { chain: ["actor", "command", "aggregate", "event", "policy", "command"], note: "The main loop: someone decides, the aggregate records what happened, a policy reacts." },
  { chain: ["event", "read_model", "actor"], note: "What people see to decide next." },
  { chain: ["command", "external_system", "event"], note: "A system outside does the work and answers with events." },
  { chain: ["event", "event"], note: "Big-picture timeline only: one event after another." },
];

const LABELS = {
  event: "Event", command: "Command", policy: "Policy", external_system: "External system",
  actor: "Actor", read_model: "Read model", hotspot: "Hotspot", aggregate: "Aggregate",
};

function sample(kind) {
  return el("span", { className: "legend-sample", dataset: { kind } }, icon(kind));
}

function chip(kind) {
  return el("span", { className: "legend-chip", dataset: { kind } }, icon(kind), LABELS[kind]);
}

function build() {
  const notes = el("ul", { className: "legend-kinds" }, ...NOTES.map((k) =>
    el("li", { className: "legend-kind" }, sample(k.kind),
      el("div", { className: "legend-kind-text" },
        el("strong", {}, k.name), el("span", { className: "legend-shape" }, ` · ${k.shape}`),
        el("p", { className: "legend-rule" }, k.rule),
        el("p", { className: "legend-example" }, `e.g. “${k.example}”`)))));
  const frames = el("ul", { className: "legend-kinds" }, ...FRAMES.map((k) =>
    el("li", { className: "legend-kind" }, sample(k.kind),
      el("div", { className: "legend-kind-text" },
        el("strong", {}, k.name), el("span", { className: "legend-shape" }, ` · ${k.shape}`),
        el("p", { className: "legend-rule" }, k.rule)))));
  const flows = el("ol", { className: "legend-flows" }, ...FLOWS.map((f) => {
    const row = el("div", { className: "legend-chain" });
    f.chain.forEach((kind, i) => {
      if (i) row.append(el("span", { className: "legend-arrow", "aria-label": "leads to" }, "→"));
      row.append(chip(kind));
    });
    return el("li", {}, row, el("p", { className: "legend-rule" }, f.note));
  }));
  return [
    el("h3", { className: "legend-heading" }, "Stickies"), notes,
    el("h3", { className: "legend-heading" }, "Frames"), frames,
    el("h3", { className: "legend-heading" }, "Flow"), flows,
    el("p", { className: "legend-aside" }, chip("hotspot"),
      " go anywhere and link to anything. Links that break the flow show up in ", el("strong", {}, "Checks"), "."),
  ];
}

export function mountLegend({ panel, button, onOpen, actions }) {
  const body = panel.querySelector(".legend-body");
  let built = false;
  const toggle = (open = panel.hidden) => {
    if (open && !built) {
      body.replaceChildren(...build());
      built = true;
    }
    if (open) onOpen?.(panel);
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("with-legend", open);
  };
  button.addEventListener("click", () => toggle());
  panel.querySelector("[data-close-legend]").addEventListener("click", () => toggle(false));
  actions.register({ name: "legend", label: "Show or hide the legend", keys: ["l"], run: () => toggle() });
  return { toggle };
}
