// Short messages at the bottom of the page (a rejected change, a copied link). The same
// message shown again while it is still up is not stacked: the one shown stays longer and
// counts the repeats. A message with actions (a kept draft) stays until one is chosen.

const shown = new Map(); // kind + message -> {el, timer, count}

export function toast(message, { kind = "info", timeout = 4000, actions = null } = {}) {
  const host = document.getElementById("toasts");
  if (!host) return null;
  const key = `${kind}\u0000${message}`;
  const same = actions ? null : shown.get(key);
  if (same) {
    same.count += 1;
    same.el.dataset.count = String(same.count);
    same.el.querySelector(".toast-count").textContent = `×${same.count}`;
    clearTimeout(same.timer);
    same.timer = setTimeout(() => leave(key, same.el), timeout);
    return same.el;
  }
  const el = document.createElement("div");
  el.className = `toast toast-${kind}`;
  el.setAttribute("role", kind === "error" ? "alert" : "status");
  const text = document.createElement("span");
  text.className = "toast-text";
  text.textContent = message;
  const count = document.createElement("span");
  count.className = "toast-count";
  el.append(text, count);
  host.append(el);
  if (actions) {
    el.classList.add("with-actions");
    const row = document.createElement("div");
    row.className = "toast-actions";
    for (const { label, run } of actions) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "button";
      b.textContent = label;
      b.addEventListener("click", () => {
        if (run() !== false) leave(null, el);
      });
      row.append(b);
    }
    el.append(row);
    return el;
  }
  const entry = { el, count: 1, timer: setTimeout(() => leave(key, el), timeout) };
  shown.set(key, entry);
  return el;
}

function leave(key, el) {
  if (key && shown.get(key)?.el === el) shown.delete(key);
  el.classList.add("leaving");
  setTimeout(() => el.remove(), 300);
}
