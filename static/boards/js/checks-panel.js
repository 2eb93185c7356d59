// The model checks, live: GET /api/boards/<id>/checks/ again shortly after the board changes,
// list the findings by severity (counts on the toolbar button), pan to an element on click,
// and mark elements with errors on the board.

import { kindInfo } from "./kinds.js";
import { focusOn } from "./focus.js";
import { setServerDate } from "./timer.js";
import { el, glyph } from "./ui.js";
import { boardFetch } from "./board-key.js";

const DEBOUNCE_MS = 400;
// Closed, the panel only feeds the button's count: fewer requests when a busy board has many
// people on it (each of their pages asks for itself).
const IDLE_DEBOUNCE_MS = 2000;
const SEVERITIES = [
  { severity: "error", title: "Errors", one: "error", many: "errors", hint: "break the model" },
  { severity: "warning", title: "Warnings", one: "warning", many: "warnings", hint: "worth a second look" },
  { severity: "info", title: "Notes", one: "note", many: "notes", hint: "open questions" },
];
const tally = (s, n) => `${n} ${n === 1 ? s.one : s.many}`;

export function mountChecksPanel({ panel, button, onOpen, ...ctx }) {
  const { state, socket, config } = ctx;
  const body = panel.querySelector(".checks-body");
  const summary = panel.querySelector(".checks-summary");
  const badge = button.querySelector(".checks-count");
  let findings = [];
  let failed = false;
  let timer = null;
  let inFlight = false;
  let again = false;
  const marked = new Set(); // elements carrying an error marker

  async function refresh() {
    if (inFlight) {
      again = true; // the board changed during the request: ask once more after it
      return;
    }
    inFlight = true;
    try {
      const response = await boardFetch(`/api/boards/${config.boardId}/checks/`, { headers: { Accept: "application/json" } });
      setServerDate(response.headers.get("Date"));
      if (!response.ok) throw new Error(`The server answered ${response.status}.`);
      findings = (await response.json()).findings || [];
      failed = false;
    } catch (err) {
      failed = true;
      console.warn("checks could not load", err);
    } finally {
      inFlight = false;
    }
    render();
    if (again) {
      again = false;
      schedule();
    }
  }

  function schedule(soon = false) {
    clearTimeout(timer);
    timer = setTimeout(refresh, soon || !panel.hidden ? DEBOUNCE_MS : IDLE_DEBOUNCE_MS);
  }

  const counts = () => {
    const c = { error: 0, warning: 0, info: 0 };
    for (const f of findings) c[f.severity] = (c[f.severity] || 0) + 1;
    return c;
  };

  function render() {
    const c = counts();
    const serious = c.error + c.warning;
    badge.textContent = serious ? String(serious) : "";
    badge.hidden = serious === 0;
    badge.dataset.severity = c.error ? "error" : "warning";
    button.title = `Model checks: ${SEVERITIES.map((s) => tally(s, c[s.severity])).join(", ")}`;
    markErrors();
    if (panel.hidden) return;
    renderList(c);
  }

  function renderList(c) {
    summary.replaceChildren(...SEVERITIES.map((s) =>
      el("span", { className: "checks-tally", dataset: { severity: s.severity } }, glyph(s.severity), tally(s, c[s.severity]))));
    if (failed) {
      body.replaceChildren(el("p", { className: "panel-hint" }, "The checks could not be loaded; they will be tried again on the next change."));
      return;
    }
    if (!findings.length) {
      body.replaceChildren(el("div", { className: "checks-clean" }, glyph("check", "icon checks-clean-icon"),
        el("p", {}, "Nothing to point at: the model follows the grammar."),
        el("p", { className: "panel-hint" }, "Checks run again whenever the board changes.")));
      return;
    }
    const groups = [];
    for (const s of SEVERITIES) {
      const items = findings.filter((f) => f.severity === s.severity);
      if (!items.length) continue;
      groups.push(el("section", { className: "checks-group", dataset: { severity: s.severity } },
        el("h3", { className: "checks-group-title" }, `${s.title} · ${items.length}`, el("span", { className: "checks-group-hint" }, ` ${s.hint}`)),
        el("ul", { className: "checks-list" }, ...items.map(findingItem))));
    }
    body.replaceChildren(...groups);
  }

  function findingItem(f) {
    const target = state.element(f.element_id);
    const kind = target?.kind ? kindInfo(target.kind).label : target ? "Link" : "";
    const item = el("button", {
      type: "button", className: "check-finding", dataset: { severity: f.severity, code: f.code, elementId: f.element_id },
      title: target ? "Show it on the board" : "The element is no longer on the board",
    }, glyph(f.severity, "icon check-icon"),
    el("span", { className: "check-text" }, el("span", { className: "check-message" }, f.message),
      kind ? el("span", { className: "check-kind" }, kind) : null));
    item.disabled = !target;
    item.addEventListener("click", () => focusOn(f.element_id, ctx));
    return el("li", {}, item);
  }

  // A subtle marker on elements with errors, so the board itself shows where to look.
  function markErrors() {
    const now = new Map();
    for (const f of findings) if (f.severity === "error" && !now.has(f.element_id)) now.set(f.element_id, f.message);
    for (const id of marked) {
      if (now.has(id)) continue;
      const node = ctx.renderer.elementFor(id);
      node?.classList.remove("check-error");
      node?.querySelector(":scope > .check-marker")?.remove();
      marked.delete(id);
    }
    for (const [id, message] of now) {
      const node = ctx.renderer.elementFor(id);
      if (!node) continue;
      node.classList.add("check-error");
      marked.add(id);
      if (node instanceof SVGElement) continue; // a link: the CSS colours it
      let marker = node.querySelector(":scope > .check-marker");
      if (!marker) {
        marker = el("span", { className: "check-marker", "aria-hidden": "true" }, "!");
        node.append(marker);
      }
      marker.title = message;
    }
  }

  const toggle = (open = panel.hidden) => {
    if (open) onOpen?.(panel);
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("with-checks", open);
    if (open) {
      render();
      refresh();
    }
  };
  button.addEventListener("click", () => toggle());
  panel.querySelector("[data-close-checks]").addEventListener("click", () => toggle(false));

  // Only confirmed changes change what the server finds; a local drag in progress does not.
  socket.addEventListener("frame", (e) => {
    const t = e.detail.type;
    if (t === "snapshot") schedule(true); // the count on the button from the start
    else if (t === "event" || t === "events") schedule();
  });
  // A release changes what the board's changes break, without a change on the board.
  document.addEventListener("storming:contract-released", () => schedule(true));
  // The renderer makes elements as they arrive: put markers back on new ones.
  state.addEventListener("change", () => {
    if (marked.size || findings.some((f) => f.severity === "error")) markErrors();
  });
  return { toggle, refresh };
}
