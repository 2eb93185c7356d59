// What the user has selected: element ids (notes, frames, links). The renderer, the side
// panel and the keyboard shortcuts all follow it.

export class Selection extends EventTarget {
  constructor() {
    super();
    this.ids = new Set();
  }

  set(ids) {
    const next = new Set(ids);
    if (next.size === this.ids.size && [...next].every((id) => this.ids.has(id))) return;
    this.ids = next;
    this.dispatchEvent(new CustomEvent("change"));
  }

  toggle(id) {
    const next = new Set(this.ids);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.set(next);
  }

  has(id) {
    return this.ids.has(id);
  }

  clear() {
    this.set([]);
  }

  get size() {
    return this.ids.size;
  }

  // Drop ids that no longer exist (someone else deleted them).
  prune(exists) {
    const kept = [...this.ids].filter(exists);
    if (kept.length !== this.ids.size) this.set(kept);
  }
}
