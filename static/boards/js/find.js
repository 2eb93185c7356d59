// Ctrl+F: find stickies (and frames) by their text and jump from one to the next.

import { focusOn } from "./focus.js";

// The ids whose text holds every word of the query (any case, any accents), in reading
// order: top to bottom, then left to right.
export function findMatches(view, query) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const hits = [];
  for (const n of view.notes.values()) if (holds(n.text, words)) hits.push(n);
  for (const f of view.frames.values()) if (holds(f.name, words)) hits.push(f);
  hits.sort((a, b) => Math.round(a.y / 40) - Math.round(b.y / 40) || a.x - b.x);
  return hits.map((e) => e.id);
}

function fold(text) {
  return (text || "").normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

function holds(text, words) {
  const t = fold(text);
  return words.every((w) => t.includes(w));
}

export function mountFind({ host, state, camera, renderer, selection, actions }) {
  const input = host.querySelector("input");
  const count = host.querySelector(".find-count");
  let matches = [];
  let at = -1;

  const show = () => {
    count.textContent = !input.value.trim() ? "" : matches.length ? `${at + 1} of ${matches.length}` : "no match";
    host.dataset.found = String(matches.length > 0);
  };
  const search = () => {
    matches = findMatches(state.view, input.value);
    at = -1;
    show();
  };
  const go = (step) => {
    if (!matches.length) return;
    at = (at + step + matches.length) % matches.length;
    focusOn(matches[at], { state, camera, renderer, selection });
    show();
  };
  const open = () => {
    host.hidden = false;
    input.focus();
    input.select();
    search();
  };
  const close = () => {
    host.hidden = true;
    document.getElementById("viewport").focus({ preventScroll: true });
  };

  input.addEventListener("input", () => {
    search();
    go(1);
  });
  input.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Enter") {
      e.preventDefault();
      go(e.shiftKey ? -1 : 1);
    } else if (e.key === "Escape") {
      e.preventDefault();
      close();
    } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "f") {
      e.preventDefault();
      input.select();
    }
  });
  host.querySelector("[data-find-next]").addEventListener("click", () => go(1));
  host.querySelector("[data-find-prev]").addEventListener("click", () => go(-1));
  host.querySelector("[data-find-close]").addEventListener("click", close);
  actions.register({ name: "find", label: "Find stickies by text", keys: ["Mod+f"], run: open });
  return { open, close };
}
