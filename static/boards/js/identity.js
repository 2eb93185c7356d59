// Who you are on a board. The display name is yours to choose, asked once and remembered in
// this browser. The participant identity (whose dots, whose undo) is the server's to issue:
// the page keeps the signed token of its welcome per board and shows it in the next hello.

let current = null;

const NAME_KEY = "storming:name";
const tokenKey = (boardId) => `storming:identity:${boardId}`;

// The identity of this page on its board, once the server welcomed it (null before).
export function participantId() {
  return current;
}

export function savedToken(boardId) {
  try {
    return localStorage.getItem(tokenKey(boardId)) || undefined;
  } catch {
    return undefined;
  }
}

export function keepIdentity(boardId, you, token) {
  current = you?.participant || null;
  if (!token) return;
  try {
    localStorage.setItem(tokenKey(boardId), token);
  } catch {
    // Not remembered: a reload gets a new identity, this visit keeps this one.
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
