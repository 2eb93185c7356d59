// People on a board, as pure functions: initials from the letters of a name, and colours
// that are distinct and stay with a person.
//
// The server gives each connection a colour from its connection id, which changes on every
// reconnect and clashes often. Instead every page works out the same colours from the roster:
// a person prefers the palette slot their name hashes to, and whoever is already in a slot
// keeps it; newcomers probe on to the next free slot, so up to PALETTE.length people never share
// a colour. A person keeps their colour across reconnects as long as their slot is free.

export const PALETTE = [
  "#e8590c", "#1971c2", "#2f9e44", "#9c36b5", "#c2255c",
  "#0c8599", "#e67700", "#5f3dc4", "#364fc7", "#087f5b",
  "#d6336c", "#5c940d",
];

// "Fran (facilitator)" -> "F" ... first letters of the first and last words made of letters.
export function initials(name) {
  const words = (name || "").match(/[\p{L}\p{N}]+/gu) || [];
  if (!words.length) return "?";
  const first = [...words[0]][0];
  const last = words.length > 1 ? [...words[words.length - 1]][0] : "";
  return (first + last).toUpperCase();
}

function slotOf(name) {
  let h = 2166136261;
  for (const c of (name || "").trim().toLowerCase()) {
    h ^= c.codePointAt(0);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h % PALETTE.length;
}

// users: [{id, name}]; previous: Map id -> colour this page already shows, so nobody's
// colour changes under them. Newcomers are placed in name order, so pages that see the same
// roster at once agree. Returns Map id -> colour.
export function assignColours(users, previous = new Map()) {
  const colours = new Map();
  const taken = new Set();
  users = [...users].sort((a, b) => (a.name || "").localeCompare(b.name || "") || (a.id < b.id ? -1 : 1));
  for (const u of users) {
    const held = previous.get(u.id);
    if (held && !taken.has(held)) {
      colours.set(u.id, held);
      taken.add(held);
    }
  }
  for (const u of users) {
    if (colours.has(u.id)) continue;
    let slot = slotOf(u.name);
    for (let i = 0; i < PALETTE.length && taken.has(PALETTE[slot]); i++) slot = (slot + 1) % PALETTE.length;
    const colour = PALETTE[slot];
    colours.set(u.id, colour);
    taken.add(colour);
  }
  return colours;
}
