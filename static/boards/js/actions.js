// One registry of what a person can do on the board, and one key dispatcher for it.
// An action: {name, label, keys, when, run}. keys are like "i", "Shift+ArrowLeft", "Mod+F"
// (Mod is Ctrl, or Cmd on a Mac); when() says whether it applies now; run(event) does it and
// may return false to let the key through. The help dialog lists the labels and keys.

const LETTER = /^[a-z]$/i;

export function isTyping(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function parse(spec) {
  const parts = spec.split("+");
  const key = parts.pop() || "+";
  const mods = new Set(parts.map((p) => p.toLowerCase()));
  return { key, mod: mods.has("mod"), shift: mods.has("shift"), alt: mods.has("alt") };
}

// Whether a key event is `spec`. A letter matches either case; for other printable
// characters ("?", "+") Shift is whatever the keyboard needs to type them.
export function matches(spec, e) {
  const k = parse(spec);
  const mod = e.ctrlKey || e.metaKey;
  if (k.mod !== mod || k.alt !== e.altKey) return false;
  // "Digit1": the key itself, whatever Shift makes it type ("!" on most layouts).
  if (/^Digit[0-9]$/.test(k.key)) return e.code === k.key && k.shift === e.shiftKey;
  if (LETTER.test(k.key)) return e.key.toLowerCase() === k.key.toLowerCase() && k.shift === e.shiftKey;
  if (k.key.length === 1 && !/[0-9]/.test(k.key)) return e.key === k.key;
  return e.key === k.key && k.shift === e.shiftKey;
}

export class ActionRegistry extends EventTarget {
  constructor() {
    super();
    this.actions = new Map();
  }

  register(action) {
    this.actions.set(action.name, { when: () => true, keys: [], ...action });
  }

  run(name, event = null) {
    const a = this.actions.get(name);
    if (!a || !a.when()) return false;
    return a.run(event) !== false;
  }

  // The one keydown listener of the board: none of it while typing or in a dialog.
  dispatch(e) {
    if (e.defaultPrevented || isTyping(e.target) || document.querySelector("dialog[open]")) return;
    for (const a of this.actions.values()) {
      if (!a.keys.some((spec) => matches(spec, e)) || !a.when()) continue;
      if (a.run(e) === false) continue;
      e.preventDefault();
      return;
    }
  }

  listen(target = document) {
    target.addEventListener("keydown", (e) => this.dispatch(e));
  }
}
