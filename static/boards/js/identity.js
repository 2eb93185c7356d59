// The display name others see. Asked once, then remembered in this browser.

import { newId } from "./ids.js";

const NAME_KEY = "storming:name";
const PARTICIPANT_KEY = "storming:participant";

// A stable id for this browser across reconnects and reloads: whose undo and whose votes.
export function participantId() {
  try {
    let id = localStorage.getItem(PARTICIPANT_KEY);
    if (!id) {
      id = newId();
      localStorage.setItem(PARTICIPANT_KEY, id);
    }
    return id;
  } catch {
    return newId();
  }
}

export function savedName() {
  try {
    return (localStorage.getItem(NAME_KEY) || "").trim();
  } catch {
    return "";
  }
}

export function askName(dialog) {
  const known = savedName();
  if (known) return Promise.resolve(known);
  return new Promise((resolve) => {
    const form = dialog.querySelector("form");
    const input = dialog.querySelector("input");
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const name = input.value.trim().slice(0, 40);
      if (!name) {
        input.focus();
        return;
      }
      try {
        localStorage.setItem(NAME_KEY, name);
      } catch {
        // Not remembered, but this visit still works.
      }
      dialog.close();
      resolve(name);
    });
    // The board needs a name to join; Escape must not leave the dialog unanswered.
    dialog.addEventListener("cancel", (e) => e.preventDefault());
    dialog.showModal();
    input.focus();
  });
}
