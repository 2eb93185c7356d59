// How big a sticky's text can be: the largest of a few sizes at which its wrapped lines fit
// the sticky, down to a legible minimum; below that the text scrolls instead of being cut.
// Pure and estimated from rough character widths (no layout is read), so painting 2,000
// stickies costs no reflow. boards/pictures.py uses the same widths and sizes, so a
// downloaded picture wraps like the board.

export const LINE_HEIGHT = 1.28;
export const SIZES = [15, 13, 11.5, 10];
export const ACTOR_SIZES = [13, 11.5, 10];
export const MIN_SIZE = 10;
// The sticky's padding and head (board.css): the text box is this much smaller than the sticky.
export const INSET = { w: 20, h: 31 };

const NARROW = new Set("iljtf.,:;'!|I ()[]");
const WIDE = new Set("mwMW@");

// Rough advance of a character in em for a sans-serif face.
export function charWidth(c) {
  if (NARROW.has(c)) return 0.3;
  if (WIDE.has(c)) return 0.88;
  if (/\p{Lu}|\p{Nd}/u.test(c)) return 0.66;
  if (c.codePointAt(0) > 0x2e7f) return 1.0; // CJK and emoji take a full em
  return 0.54;
}

export function textWidth(text, size) {
  let em = 0;
  for (const c of text) em += charWidth(c);
  return em * size;
}

// Lines no wider than `width`, broken at spaces, and inside words that cannot fit.
export function wrap(text, width, size) {
  const lines = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (let word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (textWidth(candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = "";
      while (word.length > 1 && textWidth(word, size) > width) {
        const chars = [...word];
        let cut = 1;
        while (cut < chars.length && textWidth(chars.slice(0, cut + 1).join(""), size) <= width) cut += 1;
        lines.push(chars.slice(0, cut).join(""));
        word = chars.slice(cut).join("");
      }
      line = word;
    }
    lines.push(line);
  }
  while (lines.length && !lines[lines.length - 1]) lines.pop();
  return lines;
}

// {size, lines, overflows}: the first size whose lines fit width x height; else the smallest,
// with overflows true (the board then lets the text scroll, a picture grows the sticky).
export function fitText(text, width, height, sizes = SIZES) {
  let lines = [];
  let size = sizes[sizes.length - 1];
  for (size of sizes) {
    lines = wrap(text, width, size);
    if (lines.length * size * LINE_HEIGHT <= height) return { size, lines, overflows: false };
  }
  return { size, lines, overflows: true };
}

// The fit of a sticky's text in its sticky.
export function fitNote(kind, text, w, h) {
  return fitText(text || "", w - INSET.w, h - INSET.h, kind === "actor" ? ACTOR_SIZES : SIZES);
}
