// The contract's releases, in the export panel: what changed on the wire since the latest
// release and whom it breaks (GET .../contract/compatibility/), the stickies whose released
// names are pinned, and for the facilitator "Release contract" (POST .../releases/).
// Every text from the board or the server goes through textContent.

import { boardFetch } from "./board-key.js";
import { el } from "./ui.js";

async function call(url, options = {}) {
  const response = await boardFetch(url, { ...options, headers: { Accept: "application/json", ...(options.headers || {}) } });
  const body = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, body };
}

function changeItem(change) {
  const item = el("li", { className: "contract-change", dataset: { breaking: String(change.breaking), change: change.change } });
  if (change.breaking) item.append(el("strong", { className: "contract-breaking" }, "Breaking: "));
  item.append(change.message); // names the consumer groups it breaks
  return item;
}

// `options()` gives the export options of the form (URLSearchParams), so the comparison judges
// the schemas the person is about to download.
export function mountContractSection(container, { boardId, options, onRelease = () => {} }) {
  const base = `/api/boards/${encodeURIComponent(boardId)}`;
  const status = el("p", { className: "contract-status", role: "status" }, "Loading releases…");
  const changes = el("div", { className: "contract-changes", "aria-live": "polite" });
  const pinned = el("div", { className: "contract-pinned" });
  const note = el("input", {
    type: "text", name: "release_note", maxLength: 2000, placeholder: "What changed, for the teams that use it",
    "aria-label": "Release note",
  });
  const releaseButton = el("button", { type: "button", className: "button contract-release" }, "Release contract");
  const compareButton = el("button", { type: "button", className: "button contract-compare" }, "Compare again");
  const form = el("div", { className: "contract-release-form", hidden: true }, note, releaseButton);
  const report = el("p", { className: "contract-report", role: "status" });
  const history = el("details", { className: "contract-history", hidden: true });
  container.replaceChildren(
    el("section", { className: "export-section contract-section" },
      el("h3", {}, "Contract"), status, changes, pinned, form, compareButton, report, history),
  );

  const renamed = new Set(); // stickies the person chose to rename on the wire at the next release
  let latest = 0;

  function renderHistory(releases) {
    history.hidden = releases.length === 0;
    history.replaceChildren(
      el("summary", {}, `Releases (${releases.length})`),
      el("ul", {}, ...[...releases].reverse().map((r) =>
        el("li", {}, el("strong", {}, `v${r.version}`), ` · seq ${r.seq} · ${r.at.slice(0, 10)} · ${r.by}`,
          r.note ? el("span", { className: "contract-note" }, ` — ${r.note}`) : null))),
    );
  }

  function renderPinned(list) {
    if (!list.length) {
      pinned.replaceChildren();
      return;
    }
    pinned.replaceChildren(
      el("p", { className: "panel-hint" }, "Renamed since the release, these keep their released names on the wire:"),
      el("ul", {}, ...list.map((p) => {
        const box = el("input", { type: "checkbox", checked: renamed.has(p.element), dataset: { element: p.element } });
        box.addEventListener("change", () => {
          if (box.checked) renamed.add(p.element);
          else renamed.delete(p.element);
          refresh();
        });
        return el("li", { className: "contract-pin" },
          el("label", {}, box, ` "${p.text}" stays ${p.wire}; rename it to ${p.text_name} on the wire (breaking)`));
      })),
    );
  }

  function renderComparison(body) {
    const breaking = body.changes.filter((c) => c.breaking).length;
    const count = (n, what) => `${n} ${what}${n === 1 ? "" : "s"}`;
    if (!body.changes.length) {
      status.textContent = `Release ${body.base} is current: nothing changed on the wire since.`;
    } else if (breaking) {
      status.textContent = `Since release ${body.base}: ${count(body.changes.length, "change")}, ${breaking} breaking (${body.level}, ${body.format}).`;
    } else {
      status.textContent = `Since release ${body.base}: ${count(body.changes.length, "compatible change")} (${body.level}, ${body.format}).`;
    }
    status.dataset.compatible = String(body.compatible);
    changes.replaceChildren(body.changes.length ? el("ul", {}, ...body.changes.map(changeItem)) : "");
    renderPinned(body.pinned);
  }

  async function refresh() {
    const ticket = ++latest;
    try {
      const listed = await call(`${base}/releases/`);
      if (ticket !== latest) return;
      if (!listed.ok) throw new Error(listed.body?.error?.message || `The server answered ${listed.status}.`);
      form.hidden = !listed.body.can_release;
      renderHistory(listed.body.releases);
      if (!listed.body.releases.length) {
        status.textContent = "Not released yet: names on the wire follow the stickies. A release fixes them as version 1.";
        delete status.dataset.compatible;
        changes.replaceChildren();
        pinned.replaceChildren();
        return;
      }
      const params = options();
      if (renamed.size) params.set("renamed", [...renamed].join(","));
      const compared = await call(`${base}/contract/compatibility/?${params}`);
      if (ticket !== latest) return;
      if (!compared.ok) throw new Error(compared.body?.error?.message || `The server answered ${compared.status}.`);
      renderComparison(compared.body);
    } catch (err) {
      if (ticket === latest) status.textContent = `The releases could not be loaded: ${err.message}`;
    }
  }

  releaseButton.addEventListener("click", async () => {
    releaseButton.disabled = true;
    report.textContent = "Releasing…";
    let by = "";
    try {
      by = localStorage.getItem("storming:name") || "";
    } catch {
      // anonymous
    }
    try {
      const released = await call(`${base}/releases/`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ note: note.value.trim(), renamed: [...renamed], by }),
      });
      if (!released.ok) throw new Error(released.body?.error?.message || `The server answered ${released.status}.`);
      report.textContent = `Released version ${released.body.version} (board seq ${released.body.seq}).`;
      note.value = "";
      renamed.clear();
      // The checks compare with the latest release: tell them there is a new one.
      document.dispatchEvent(new CustomEvent("storming:contract-released", { detail: released.body }));
      onRelease(released.body);
    } catch (err) {
      report.textContent = err.message;
    } finally {
      releaseButton.disabled = false;
    }
    refresh();
  });
  compareButton.addEventListener("click", () => refresh());

  // Opening the panel again compares the board as it is now.
  const panel = container.closest("aside") || container;
  new MutationObserver(() => {
    if (!panel.hidden) refresh();
  }).observe(panel, { attributes: true, attributeFilter: ["hidden"] });
  refresh();
  return { refresh };
}
