// The side panel, opened on request (the I key, or a double-click on a sticky's head) and
// then following the selection until closed: for one sticky its text and kind and, for
// events and commands, its fields (name, type, required, doc; enum values; list items); for
// several, their kind at once and the timeline tools. Every edit sends one note.update
// carrying the whole fields array, as docs/protocol.md asks. A viewer gets the same facts
// to read, without a single edit field.

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
  constructor({ host, state, selection, actions }) {
    this.host = host;
    this.state = state;
    this.selection = selection;
    this.actions = actions;
    this.open = false;
    this.noteId = null;
    this.shown = null; // the note object the panel was built from
    this.stale = false;
    selection.addEventListener("change", () => this.follow());
    state.addEventListener("change", (e) => {
      if (this.noteId && e.detail.notes.has(this.noteId)) this.refresh();
      else if (this.several && this.several.some((id) => e.detail.notes.has(id))) this.follow();
    });
    host.addEventListener("focusout", () => {
      // Rebuild after the user leaves a field, not while they type in it.
      setTimeout(() => {
        if (this.stale && !this.host.contains(document.activeElement)) this.refresh();
      });
    });
  }

  toggle(open = !this.open) {
    this.open = open;
    this.follow();
    if (open && this.host.hidden) this.open = false; // nothing selected to show
  }

  follow() {
    const ids = [...this.selection.ids];
    const note = ids.length === 1 ? this.state.view.notes.get(ids[0]) : null;
    if (!ids.length) this.open = false;
    this.noteId = note ? note.id : null;
    this.shown = null;
    this.several = null;
    const several = ids.filter((id) => this.state.view.notes.has(id)).length > 1;
    if (this.open && several) {
      this.showSeveral(ids.filter((id) => this.state.view.notes.has(id)));
      return;
    }
    this.refresh();
  }

  hide() {
    this.several = null;
    this.host.hidden = true;
    this.host.replaceChildren();
    this.noteId = null;
    document.body.classList.remove("with-side-panel");
  }

  refresh() {
    const note = this.open && this.noteId ? this.state.view.notes.get(this.noteId) : null;
    if (!note) {
      if (!this.several) this.hide();
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

  closeButton() {
    const close = el("button", {
      type: "button", className: "icon-button panel-close", title: "Close (I)", textContent: "×",
    });
    close.setAttribute("aria-label", "Close panel");
    close.addEventListener("click", () => this.toggle(false));
    return close;
  }

  // Several stickies: change their kind at once, line them up on the timeline.
  showSeveral(ids) {
    this.several = ids;
    const notes = ids.map((id) => this.state.view.notes.get(id));
    const kinds = new Set(notes.map((n) => n.kind));
    const head = el("header", { className: "panel-head" },
      el("span", { className: "panel-kind" }, `${notes.length} stickies selected`), this.closeButton());
    const parts = [head];
    if (!this.state.readOnly) {
      const kind = el("select", { id: "panel-bulk-kind" });
      if (kinds.size > 1) kind.append(el("option", { value: "", textContent: "Mixed kinds" }));
      for (const k of NOTE_KINDS) kind.append(el("option", { value: k.kind, textContent: k.label }));
      kind.value = kinds.size === 1 ? [...kinds][0] : "";
      kind.addEventListener("change", () => {
        if (kind.value) this.actions?.run(`kind-${kind.value}`);
      });
      const tool = (name, label) => {
        const b = el("button", { type: "button", className: "button panel-tool", textContent: label, dataset: { action: name } });
        b.addEventListener("click", () => this.actions?.run(name));
        return b;
      };
      parts.push(
        el("label", { className: "panel-label", htmlFor: "panel-bulk-kind" }, "Kind of all of them"), kind,
        el("h3", {}, "Timeline"),
        el("div", { className: "panel-tools" },
          tool("align-row", "Align on a row"), tool("align-column", "Align in a column"),
          tool("distribute", "Space evenly"), tool("sort-time", "Sort by time")),
        el("p", { className: "panel-hint", textContent: "Sort by time follows the links between them (event → policy → command → event), then left to right." }),
      );
    }
    this.host.replaceChildren(...parts);
    this.host.hidden = false;
    document.body.classList.add("with-side-panel");
  }

  // A viewer's panel: what the sticky says and holds, as text.
  buildReadOnly(note) {
    const info = kindInfo(note.kind);
    const head = el("header", { className: "panel-head" },
      el("span", { className: "panel-kind", dataset: { kind: note.kind } }, icon(note.kind), info.label), this.closeButton());
    const parts = [head,
      el("p", { className: "panel-read-text", textContent: note.text || "(no text)" }),
      this.membership(note)];
    if (FIELD_KINDS.has(note.kind)) {
      const fields = note.fields || [];
      const list = el("dl", { className: "panel-read-fields" });
      for (const f of fields) {
        const type = f.type === "enum" ? `enum (${(f.values || []).join(", ")})` : f.type === "list" ? `list of ${f.items || "string"}` : f.type;
        list.append(el("dt", {}, f.name), el("dd", {}, `${type}${f.required ? ", required" : ""}${f.doc ? ` — ${f.doc}` : ""}`));
      }
      parts.push(el("h3", {}, "Fields"), fields.length ? list : el("p", { className: "panel-hint", textContent: "No fields." }));
    }
    parts.push(el("p", { className: "panel-hint", textContent: "You are watching this board: ask the facilitator for the edit link to change it." }));
    this.host.replaceChildren(...parts);
  }

  build(note) {
    if (this.state.readOnly) return this.buildReadOnly(note);
    const info = kindInfo(note.kind);
    const head = el("header", { className: "panel-head" },
      el("span", { className: "panel-kind", dataset: { kind: note.kind } }, icon(note.kind), info.label),
      this.closeButton());

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
