// The wrap-up of a workshop as Markdown: bounded contexts with their aggregates, events (with
// fields), commands, policies, read models and external systems; the open questions (hotspots
// and unresolved threads, with their comments) and the resolved ones; the dot votes; the swimlanes,
// each with its stickies left to right. A pure function of the board's view, so it is the same for everyone.

import { kindInfo } from "./kinds.js";
import { ranking } from "./workshop.js";

const ORDER = ["event", "command", "policy", "read_model", "external_system", "actor"];
const HEADINGS = {
  event: "Events", command: "Commands", policy: "Policies", read_model: "Read models",
  external_system: "External systems", actor: "Actors",
};

// Markdown text of one line: no line breaks, and the characters that would start markup escaped.
function md(text) {
  return (text || "").replace(/\s+/g, " ").trim().replace(/([\\`*_[\]<>|#])/g, "\\$1") || "(empty)";
}

function byPlace(a, b) {
  return a.x - b.x || a.y - b.y;
}

function inBand(r, x, y) {
  return r.x <= x && x <= r.x + r.w && r.y <= y && y <= r.y + r.h;
}

function fieldType(f) {
  if (f.type === "enum") return `enum (${(f.values || []).join(", ")})`;
  if (f.type === "list") return `list of ${f.items || "string"}`;
  return f.type;
}

function stickies(notes, lines, depth) {
  for (const kind of ORDER) {
    const of = notes.filter((n) => n.kind === kind).sort(byPlace);
    if (!of.length) continue;
    lines.push("", `${"#".repeat(depth)} ${HEADINGS[kind]}`, "");
    for (const n of of) {
      lines.push(`- ${md(n.text)}`);
      for (const f of n.fields || []) {
        lines.push(`  - \`${f.name}\`: ${fieldType(f)}${f.required ? ", required" : ""}${f.doc ? ` — ${md(f.doc)}` : ""}`);
      }
    }
  }
}

export function markdownSummary(view) {
  const notes = [...view.notes.values()];
  const frames = [...view.frames.values()];
  const contexts = frames.filter((f) => f.kind === "bounded_context").sort(byPlace);
  const aggregates = frames.filter((f) => f.kind === "aggregate").sort(byPlace);
  const lines = [`# ${md(view.name || "Board")}`, ""];
  lines.push(`${notes.length} stickies, ${contexts.length} bounded contexts, ${aggregates.length} aggregates.`);

  const place = (contextId) => {
    const here = aggregates.filter((a) => (a.context || null) === contextId);
    for (const a of here) {
      lines.push("", `${contextId ? "###" : "##"} Aggregate: ${md(a.name)}`);
      stickies(notes.filter((n) => n.aggregate === a.id && n.kind !== "hotspot"), lines, contextId ? 4 : 3);
    }
    stickies(notes.filter((n) => (n.context || null) === contextId && !n.aggregate && n.kind !== "hotspot"), lines, contextId ? 3 : 2);
  };
  for (const c of contexts) {
    lines.push("", `## Bounded context: ${md(c.name)}`);
    place(c.id);
  }
  const outside = notes.some((n) => !n.context && !n.aggregate && n.kind !== "hotspot") || aggregates.some((a) => !a.context);
  if (outside) {
    lines.push("", "## Outside any bounded context");
    place(null);
  }

  // Swimlanes: who (or which context) does what, in timeline order.
  const lanes = frames.filter((f) => f.kind === "lane").sort((a, b) => a.y - b.y || a.x - b.x);
  if (lanes.length) lines.push("", "## Lanes");
  for (const lane of lanes) {
    const inside = (n) => inBand(lane, n.x + n.w / 2, n.y + n.h / 2);
    const here = notes.filter(inside).sort(byPlace);
    lines.push("", `### ${md(lane.name)}`, "");
    if (!here.length) lines.push("Nothing in this lane yet.");
    for (const n of here) lines.push(`- ${kindInfo(n.kind).label}: ${md(n.text)}`);
  }

  const frameName = (id) => view.frames.get(id)?.name;
  const resolved = view.resolved || {};
  const threads = new Map();
  for (const c of [...(view.comments?.values() || [])].sort((x, y) => x.at - y.at)) {
    if (!threads.has(c.note)) threads.set(c.note, []);
    threads.get(c.note).push(c);
  }
  const question = (q, done) => {
    const where = frameName(q.aggregate) || frameName(q.context);
    const what = q.kind === "hotspot" ? md(q.text) : `${kindInfo(q.kind).label} “${md(q.text)}”`;
    const by = done ? ` — resolved by ${md(done.name || "someone")}` : "";
    lines.push(`- [${done ? "x" : " "}] ${what}${where ? ` (in ${md(where)})` : ""}${by}`);
    for (const c of threads.get(q.id) || []) lines.push(`  - ${md(c.name || "Someone")}: ${md(c.text)}`);
  };
  // Hotspots and stickies with comments: open ones first, then what the workshop settled.
  const asked = notes.filter((n) => n.kind === "hotspot" || threads.has(n.id)).sort(byPlace);
  const open = asked.filter((q) => !resolved[q.id]);
  lines.push("", "## Open questions", "");
  if (!open.length) lines.push(asked.length ? "None: every question was resolved." : "None: no hotspots or comments on the board.");
  for (const q of open) question(q, null);
  const settled = asked.filter((q) => resolved[q.id]);
  if (settled.length) {
    lines.push("", "## Resolved questions", "");
    for (const q of settled) question(q, resolved[q.id]);
  }

  const workshop = view.workshop || { votes: {} };
  const rows = ranking({ votes: workshop.votes || {} }, (id) => view.notes.has(id) || view.frames.has(id));
  lines.push("", "## Votes", "");
  if (!rows.length) lines.push("No dots yet.");
  for (const r of rows) {
    const e = view.notes.get(r.id) || view.frames.get(r.id);
    const label = kindInfo(e.kind).label;
    lines.push(`- ${r.total} dot${r.total === 1 ? "" : "s"}: ${label} “${md(e.text ?? e.name)}”`);
  }
  return `${lines.join("\n")}\n`;
}
