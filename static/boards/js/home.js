// The home page: create a board (empty or from the example) and open it; list the boards
// this browser has opened.

import { recentBoards } from "./recent.js";

const form = document.getElementById("new-board");
const nameInput = document.getElementById("new-board-name");
const exampleButton = document.getElementById("new-example-board");
const errorBox = document.getElementById("new-board-error");

function csrfToken() {
  return form.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
}

async function createBoard(body, button) {
  errorBox.hidden = true;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    const response = await fetch("/api/boards/", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(data.error?.message || `The server answered ${response.status}.`);
    }
    // Whoever creates a board is its facilitator; the share links come from the board page.
    window.location.assign(data.facilitator_url || data.url);
  } catch (err) {
    errorBox.textContent = `Could not create the board: ${err.message}`;
    errorBox.hidden = false;
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const name = nameInput.value.trim() || "Untitled board";
  createBoard({ name }, form.querySelector("button[type=submit]"));
});

exampleButton.addEventListener("click", () => {
  const name = nameInput.value.trim() || "Checkout (example)";
  createBoard({ name, example: "checkout" }, exampleButton);
});

function showRecent() {
  const list = document.getElementById("local-boards");
  const boards = recentBoards();
  const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  for (const b of boards) {
    const a = document.createElement("a");
    a.href = `/b/${encodeURIComponent(b.id)}/`;
    a.dataset.boardId = b.id;
    const title = document.createElement("span");
    title.className = "board-title";
    title.textContent = b.name;
    const time = document.createElement("time");
    time.dateTime = b.at;
    time.textContent = when.format(new Date(b.at));
    a.append(title, time);
    const li = document.createElement("li");
    li.append(a);
    list.append(li);
  }
  list.hidden = boards.length === 0;
  document.getElementById("local-boards-empty").hidden = boards.length > 0;
}

showRecent();
