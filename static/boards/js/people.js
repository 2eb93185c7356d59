// People on a board, as pure functions: initials from the letters of a name.
// Colours are the server's: each participant identity gets the next colour of a palette in the
// order people joined the board, kept with the identity (boards/identity.py).

// "Fran (facilitator)" -> "F" ... first letters of the first and last words made of letters.
export function initials(name) {
  const words = (name || "").match(/[\p{L}\p{N}]+/gu) || [];
  if (!words.length) return "?";
  const first = [...words[0]][0];
  const last = words.length > 1 ? [...words[words.length - 1]][0] : "";
  return (first + last).toUpperCase();
}
