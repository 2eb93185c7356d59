// The side panel for one selected sticky: its text and kind and, for events and commands,
// its fields (name, type, required, doc; enum values; list items). Every edit sends one
// note.update carrying the whole fields array, as docs/protocol.md asks.

import { FIELD_KINDS, FIELD_TYPES, NOTE_KINDS, icon, kindInfo } from "./kinds.js";
import { toast } from "./toast.js";

const ITEM_TYPES = FIELD_TYPES.filter((t) => t !== "enum" && t !== "list");

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function select(options, value, props) {
  const s = el("select", props);
  for (const o of options) s.append(el("option", { value: o, textContent: o }));
  s.value = value;
  return s;
}

export class FieldsPanel {
  constructor({ host, state, selection }) {
    this.host = host;
    this.state = state;
    this.selection = selection;
    this.noteId = null;
    this.shown = null; // the note object the panel was built from
    this.stale = false;
    selection.addEventListener("change", () => this.follow());
    state.addEventListener("change", (e) => {
      if (this.noteId && e.detail.notes.has(this.noteId)) this.refresh();
    });
    host.addEventListener("focusout", () => {
      // Rebuild after the user leaves a field, not while they type in it.
      setTimeout(() => {
        if (this.stale && !this.host.contains(document.activeElement)) this.refresh();
      });
    });
  }

  follow() {
    const ids = [...this.selection.ids];
    const note = ids.length === 1 ? this.state.view.notes.get(ids[0]) : null;
    this.noteId = note ? note.id : null;
    this.shown = null;
    this.refresh();
  }

  refresh() {
    const note = this.noteId ? this.state.view.notes.get(this.noteId) : null;
    if (!note) {
      this.host.hidden = true;
      this.host.replaceChildren();
      this.noteId = null;
      document.body.classList.remove("with-side-panel");
      return;
    }
    if (note === this.shown) return;
    const active = document.activeElement;
    const typing = this.host.contains(active) && active.matches("input:not([type=checkbox]), textarea");
    if (typing && this.shown && this.shown.id === note.id) {
      this.stale = true;
      return;
    }
    this.stale = false;
    this.shown = note;
    this.build(note);
    this.host.hidden = false;
    document.body.classList.add("with-side-panel");
  }

  update(data) {
    this.state.submit("note.update", { id: this.noteId, ...data });
  }

  build(note) {
    const info = kindInfo(note.kind);
    const close = el("button", {
      type: "button", className: "icon-button panel-close", title: "Close", textContent: "×",
    });
    close.setAttribute("aria-label", "Close panel");
    close.addEventListener("click", () => this.selection.clear());
    const head = el("header", { className: "panel-head" },
      el("span", { className: "panel-kind", dataset: { kind: note.kind } }, icon(note.kind), info.label),
      close);

    const text = el("textarea", { id: "panel-text", className: "panel-text", rows: 2, value: note.text });
    text.addEventListener("change", () => this.update({ text: text.value }));
    const kind = el("select", { id: "panel-kind" });
    for (const k of NOTE_KINDS) kind.append(el("option", { value: k.kind, textContent: k.label }));
    kind.value = note.kind;
    kind.addEventListener("change", () => this.update({ kind: kind.value }));

    const parts = [
      head,
      el("label", { className: "panel-label", htmlFor: "panel-text" }, "Text"),
      text,
      el("label", { className: "panel-label", htmlFor: "panel-kind" }, "Kind"),
      kind,
      this.membership(note),
    ];
    if (FIELD_KINDS.has(note.kind)) parts.push(this.fieldsSection(note));
    this.host.replaceChildren(...parts);
  }

  membership(note) {
    const frameName = (id) => this.state.view.frames.get(id)?.name || "—";
    return el("dl", { className: "panel-membership" },
      el("dt", {}, "Aggregate"), el("dd", {}, note.aggregate ? frameName(note.aggregate) : "—"),
      el("dt", {}, "Context"), el("dd", {}, note.context ? frameName(note.context) : "—"));
  }

  fieldsSection(note) {
    const fields = note.fields || [];
    const list = el("ol", { className: "fields", id: "fields" });
    fields.forEach((f, i) => list.append(this.fieldRow(fields, f, i)));
    const add = el("button", { type: "button", id: "add-field", className: "button", textContent: "+ Add field" });
    add.addEventListener("click", () => {
      const names = new Set(fields.map((f) => f.name));
      let n = fields.length + 1;
      while (names.has(`field_${n}`)) n += 1;
      this.setFields([...fields, { name: `field_${n}`, type: "string", required: true, doc: "" }]);
      // Focus the new row's name once the panel is rebuilt from the optimistic view.
      requestAnimationFrame(() => {
        const inputs = this.host.querySelectorAll(".field-name");
        inputs[inputs.length - 1]?.select();
      });
    });
    const empty = fields.length ? "" : "No fields yet. Fields become the schema of this " + note.kind + ".";
    return el("section", { className: "panel-fields" },
      el("h3", {}, "Fields"),
      el("p", { className: "panel-hint", textContent: empty }),
      list, add);
  }

  fieldRow(fields, f, i) {
    const change = (patch) => {
      const next = fields.map((x, j) => (j === i ? { ...x, ...patch } : x));
      this.setFields(next);
    };
    const name = el("input", { className: "field-name", value: f.name, "aria-label": "Field name", spellcheck: false });
    name.addEventListener("change", () => {
      const value = name.value.trim();
      if (!value) return toast("A field needs a name.", { kind: "error" });
      if (fields.some((x, j) => j !== i && x.name === value)) {
        name.value = f.name;
        return toast(`There is already a field called “${value}”.`, { kind: "error" });
      }
      change({ name: value });
    });
    name.addEventListener("keydown", (e) => {
      if (e.key === "Enter") name.blur();
    });
    const type = select(FIELD_TYPES, f.type, { className: "field-type", "aria-label": "Field type" });
    type.addEventListener("change", () => {
      const patch = { type: type.value };
      const next = { ...f, ...patch };
      delete next.values;
      delete next.items;
      if (type.value === "enum") next.values = f.values || [];
      if (type.value === "list") next.items = f.items || "string";
      this.setFields(fields.map((x, j) => (j === i ? next : x)));
    });
    const required = el("input", { type: "checkbox", className: "field-required", checked: Boolean(f.required) });
    required.addEventListener("change", () => change({ required: required.checked }));
    const doc = el("input", { className: "field-doc", value: f.doc || "", placeholder: "What it means", "aria-label": "Description" });
    doc.addEventListener("change", () => change({ doc: doc.value }));
    doc.addEventListener("keydown", (e) => {
      if (e.key === "Enter") doc.blur();
    });
    const remove = el("button", { type: "button", className: "icon-button field-remove", title: "Remove field", textContent: "×" });
    remove.setAttribute("aria-label", `Remove field ${f.name}`);
    remove.addEventListener("click", () => this.setFields(fields.filter((_, j) => j !== i)));

    const row = el("li", { className: "field-row", dataset: { fieldName: f.name } },
      el("div", { className: "field-line" }, name, type,
        el("label", { className: "field-required-label", title: "Required" }, required, "req"), remove),
      doc);
    if (f.type === "enum") {
      const values = el("input", {
        className: "field-values", value: (f.values || []).join(", "),
        placeholder: "Values, comma separated", "aria-label": "Enum values",
      });
      values.addEventListener("change", () => {
        const list = values.value.split(",").map((v) => v.trim()).filter(Boolean);
        change({ values: [...new Set(list)] });
      });
      row.append(values);
    }
    if (f.type === "list") {
      const items = select(ITEM_TYPES, f.items || "string", { className: "field-items", "aria-label": "List item type" });
      items.addEventListener("change", () => change({ items: items.value }));
      row.append(el("label", { className: "field-items-label" }, "items: ", items));
    }
    return row;
  }

  setFields(fields) {
    this.update({ fields });
  }
}
