// The boards this browser has opened, newest first. Boards are private to their links,
// so the server does not list them; the browser remembers its own (the key stays in
// storming:key:<id>, so these links open without it).

const RECENT_KEY = "storming:boards";
const MAX_RECENT = 30;

export function recentBoards() {
  try {
    const list = JSON.parse(localStorage.getItem(RECENT_KEY) || "[]");
    return Array.isArray(list) ? list.filter((b) => b && typeof b.id === "string") : [];
  } catch {
    return [];
  }
}

export function rememberBoard(id, name) {
  const list = recentBoards().filter((b) => b.id !== id);
  list.unshift({ id, name: String(name || "Untitled board"), at: new Date().toISOString() });
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, MAX_RECENT)));
  } catch {
    // Not remembered; the board itself works.
  }
}
