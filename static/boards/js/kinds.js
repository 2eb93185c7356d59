// The element kinds of DESIGN.md: colour, size, label and icon for each.
// Colour is never the only signal, so every kind also has a label and an icon.

// Icons are stroke-only 24x24 paths so they take the text colour of where they sit.
const ICONS = {
  event: "M13 2 4 14h7l-1 8 9-12h-7l1-8z",
  command: "M7 4v16l13-8z",
  policy: "M12 2 22 12 12 22 2 12z M12 8v5 M12 16v.5",
  external_system: "M3 4h18v7H3z M3 13h18v7H3z M7 7.5h.01 M7 16.5h.01",
  actor: "M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M4 21c0-4 3.6-7 8-7s8 3 8 7",
  read_model: "M3 4h18v16H3z M3 9h18 M3 14.5h18 M9 9v11",
  hotspot: "M12 3 22 20H2z M12 9v5 M12 17v.5",
  aggregate: "M3 7l9-4 9 4v10l-9 4-9-4z M3 7l9 4 9-4 M12 11v10",
  bounded_context: "M4 4h4 M10 4h4 M16 4h4v4 M20 10v4 M20 16v4h-4 M14 20h-4 M8 20H4v-4 M4 14v-4 M4 8V4",
  lane: "M2 4h20 M2 12h20 M2 20h20 M6 4v16",
  connect: "M4 12h14 M13 6l6 6-6 6",
  select: "M5 3l14 8-6 2-3 6z",
  hand: "M12 2v20 M2 12h20 M12 2 9 5 M12 2l3 3 M12 22l-3-3 M12 22l3-3 M2 12l3-3 M2 12l3 3 M22 12l-3-3 M22 12l-3 3",
  box: "M4 4h3 M10 4h4 M17 4h3v3 M20 10v4 M20 17v3h-3 M14 20h-4 M7 20H4v-3 M4 14v-4 M4 7V4 M9 9h6v6H9z",
};

export const NOTE_KINDS = [
  { kind: "event", label: "Event", color: "#ffa94d", w: 160, h: 110, key: "1", hint: "Something that happened: past tense" },
  { kind: "command", label: "Command", color: "#74c0fc", w: 160, h: 110, key: "2", hint: "An intention: imperative" },
  { kind: "policy", label: "Policy", color: "#b197fc", w: 160, h: 110, key: "3", hint: "Whenever X, then Y" },
  { kind: "external_system", label: "External system", color: "#f783ac", w: 260, h: 110, key: "4", hint: "A system outside" },
  { kind: "actor", label: "Actor", color: "#ffe066", w: 110, h: 80, key: "5", hint: "A person or role" },
  { kind: "read_model", label: "Read model", color: "#8ce99a", w: 160, h: 110, key: "6", hint: "Information someone needs" },
  { kind: "hotspot", label: "Hotspot", color: "#ff6b6b", w: 150, h: 110, key: "7", hint: "A question or problem" },
];

export const FRAME_KINDS = [
  { kind: "aggregate", label: "Aggregate", key: "a", hint: "Draw an aggregate: drag on the board" },
  { kind: "bounded_context", label: "Bounded context", key: "k", hint: "Draw a bounded context: drag on the board" },
  { kind: "lane", label: "Lane", key: "w", hint: "Draw a swimlane for an actor or a context: drag, or click for a wide one (Shift+W: add one under the last)" },
];

export const FIELD_KINDS = new Set(["event", "command"]);

export const FIELD_TYPES = [
  "string", "integer", "number", "boolean", "uuid", "timestamp", "date", "decimal", "enum", "list", "object",
];

const byKind = new Map([...NOTE_KINDS, ...FRAME_KINDS].map((k) => [k.kind, k]));

export function kindInfo(kind) {
  return byKind.get(kind) || { kind, label: kind, color: "#dee2e6", w: 160, h: 110 };
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function icon(name, className = "icon") {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICONS[name] || ICONS.select);
  svg.append(path);
  return svg;
}
