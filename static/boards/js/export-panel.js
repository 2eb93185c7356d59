// The export preview: options, topics, warnings and files, and a link to download the ZIP.
// Every text from the board or the server goes through textContent.

import { mountContractSection } from "./contract-release.js";
import { boardFetch, downloadWithKey } from "./board-key.js";

const DAY_MS = 24 * 3600 * 1000;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function field(label, input, hint) {
  const wrap = el("label", { class: "export-field" }, el("span", { text: label }), input);
  if (hint) wrap.append(el("small", { text: hint }));
  return wrap;
}

function select(name, choices) {
  const node = el("select", { name });
  for (const [value, label] of choices) node.append(el("option", { value, text: label }));
  return node;
}

function buildForm() {
  const form = el("form", { class: "export-options", novalidate: "" });
  form.append(
    field("Topics", select("topic_layout", [["aggregate", "one per aggregate"], ["event", "one per event"]])),
    field("Partitions", el("input", { name: "partitions", type: "number", min: "1", max: "1000" })),
    field("Replicas", el("input", { name: "replication_factor", type: "number", min: "1", max: "10" })),
    field("Retention (days)", el("input", { name: "retention_days", type: "number", min: "-1", step: "any" }),
      "-1 keeps events forever"),
    field("Cleanup", select("cleanup_policy", [["delete", "delete"], ["compact", "compact"], ["compact,delete", "compact, delete"]])),
    field("Value format", select("value_format", [["json", "JSON"], ["avro", "Avro"]])),
    field("Compatibility", select("compatibility", [
      ["BACKWARD", "backward"], ["BACKWARD_TRANSITIVE", "backward, transitive"], ["FORWARD", "forward"],
      ["FORWARD_TRANSITIVE", "forward, transitive"], ["FULL", "full"], ["FULL_TRANSITIVE", "full, transitive"],
      ["NONE", "none"],
    ]), "the Schema Registry level changes are judged at"),
    field("Package", el("input", { name: "package_name", type: "text", maxlength: "40", spellcheck: "false" })),
  );
  return form;
}

function fillForm(form, options) {
  for (const [key, value] of Object.entries(options)) {
    if (form.elements[key]) form.elements[key].value = String(value);
  }
  const ms = options.retention_ms;
  form.elements.retention_days.value = ms === -1 ? "-1" : String(Math.round((ms / DAY_MS) * 1000) / 1000);
}

function query(form) {
  const params = new URLSearchParams();
  for (const name of ["topic_layout", "partitions", "replication_factor", "cleanup_policy", "value_format", "compatibility", "package_name"]) {
    const value = form.elements[name].value.trim();
    if (value !== "") params.set(name, value);
  }
  const days = form.elements.retention_days.value.trim();
  if (days !== "") params.set("retention_ms", days === "-1" ? "-1" : String(Math.round(Number(days) * DAY_MS)));
  return params;
}

function retention(ms) {
  if (ms === -1) return "forever";
  const days = ms / DAY_MS;
  return days >= 1 ? `${Math.round(days * 10) / 10} d` : `${Math.round(ms / 60000)} min`;
}

function topicsTable(topics) {
  const columns = [["Topic", "Topic"], ["Part.", "Partitions"], ["Key", "Record key"], ["Cleanup", "Cleanup policy"], ["Kept", "Retention"]];
  const head = el("tr", {}, ...columns.map(([text, title]) => el("th", { scope: "col", title, text })));
  const body = el("tbody");
  for (const topic of topics) {
    const name = el("td", { class: "export-topic-name" }, el("code", { text: topic.name }));
    const what = topic.kind === "dlq" ? `dead letters of ${topic.consumer_group}` : topic.events.join(", ");
    name.append(el("small", { text: what }));
    body.append(el("tr", { class: `export-topic export-${topic.kind}` },
      name,
      el("td", { text: String(topic.partitions) }),
      el("td", { text: topic.key }),
      el("td", { text: topic.cleanup_policy }),
      el("td", { text: retention(topic.retention_ms) })));
  }
  return el("table", { class: "export-topics" }, el("thead", {}, head), body);
}

function section(title, ...content) {
  return el("section", { class: "export-section" }, el("h3", { text: title }), ...content);
}

function renderPreview(target, preview) {
  const all = [...preview.warnings, ...(preview.checks || [])];
  const warnings = all.length
    ? el("ul", { class: "export-warnings" }, ...all.map((w) => el("li", { text: w.message })))
    : el("p", { class: "panel-hint", text: "No warnings." });
  const files = el("details", { class: "export-files" },
    el("summary", { text: `${preview.files.length} files` }),
    el("ul", {}, ...preview.files.map((f) => el("li", {}, el("code", { text: f.path })))));
  const schemas = el("ul", { class: "export-schemas" }, ...preview.schemas.map((p) => el("li", {}, el("code", { text: p }))));
  target.replaceChildren(
    section(`Warnings (${all.length})`, warnings),
    section(`Topics (${preview.topics.length})`, topicsTable(preview.topics)),
    section(`Schemas (${preview.schemas.length})`, schemas),
    section("Files", files),
  );
}

// Create the topics on the server's Kafka cluster (shown only when the server has one).
function provisionButton(base, boardId, form) {
  const button = el("button", { type: "button", class: "button export-provision", hidden: "", text: "Create topics on Kafka" });
  const report = el("div", { class: "export-provision-report", "aria-live": "polite" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    report.replaceChildren(el("p", { class: "panel-hint", text: "Creating topics…" }));
    const params = query(form);
    try {
      const response = await boardFetch(`${base}/provision/${[...params].length ? `?${params}` : ""}`, {
        method: "POST",
        headers: { Accept: "application/json" },
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body?.error?.message || `The server answered ${response.status}.`);
      report.replaceChildren(
        el("p", { class: "panel-hint", text: `On ${body.cluster}:` }),
        el("ul", {}, ...body.topics.map((t) => el("li", { text: `${t.status}: ${t.name} ${t.detail || ""}`.trim() }))),
      );
    } catch (err) {
      report.replaceChildren(el("p", { class: "export-error", role: "alert", text: err.message }));
    } finally {
      button.disabled = false;
    }
  });
  return { button, report };
}

export function mountExportPanel(container, { boardId }) {
  const base = `/api/boards/${encodeURIComponent(boardId)}`;
  const form = buildForm();
  const error = el("p", { class: "export-error", role: "alert", hidden: "" });
  // A button, not a link: the download needs the board's key in a header.
  const download = el("button", { type: "button", class: "button export-download", text: "Download ZIP" });
  let zipUrl = `${base}/export.zip`;
  download.addEventListener("click", async () => {
    download.disabled = true;
    try {
      await downloadWithKey(zipUrl, "export.zip");
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    } finally {
      download.disabled = download.getAttribute("aria-disabled") === "true";
    }
  });
  const preview = el("div", { class: "export-preview", "aria-live": "polite" }, el("p", { class: "panel-hint", text: "Loading…" }));
  const provisioning = provisionButton(base, boardId, form);
  const contract = el("div", { class: "export-contract" });
  container.replaceChildren(form, error, download, provisioning.button, provisioning.report, contract, preview);
  // Releases and what breaks them, judged for the options chosen above.
  const contractSection = mountContractSection(contract, {
    boardId,
    options: () => query(form),
    onRelease: () => refresh(query(form)), // a release renamed on the wire changes the preview
  });

  let latest = 0;
  async function refresh(params) {
    const ticket = ++latest;
    const suffix = params && [...params].length ? `?${params}` : "";
    let response, body;
    try {
      response = await boardFetch(`${base}/export/${suffix}`, { headers: { Accept: "application/json" } });
      body = await response.json();
    } catch (err) {
      body = { error: { message: `The preview could not be loaded: ${err.message}` } };
    }
    if (ticket !== latest) return; // a newer request is on its way
    if (!response || !response.ok) {
      error.textContent = body?.error?.message || `The server answered ${response?.status}.`;
      error.hidden = false;
      download.setAttribute("aria-disabled", "true");
      download.disabled = true;
      return;
    }
    error.hidden = true;
    download.removeAttribute("aria-disabled");
    download.disabled = false;
    zipUrl = `${base}/export.zip${suffix}`;
    if (!params) fillForm(form, body.options);
    provisioning.button.hidden = !body.provisioning;
    renderPreview(preview, body);
  }

  let timer = null;
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      refresh(query(form));
      contractSection.refresh();
    }, 300);
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  refresh(null);
  return { refresh: () => refresh(query(form)) };
}
