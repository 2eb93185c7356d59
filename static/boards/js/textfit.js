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

const widths = new Map(); // character -> em, learnt as met

// Rough advance of a character in em for a sans-serif face.
export function charWidth(c) {
  let w = widths.get(c);
  if (w === undefined) {
    if (NARROW.has(c)) w = 0.3;
    else if (WIDE.has(c)) w = 0.88;
    else if (/\p{Lu}|\p{Nd}/u.test(c)) w = 0.66;
    else if (c.codePointAt(0) > 0x2e7f) w = 1.0; // CJK and emoji take a full em
    else w = 0.54;
    widths.set(c, w);
  }
  return w;
}

function em(text) {
  let sum = 0;
  for (const c of text) sum += charWidth(c);
  return sum;
}

export function textWidth(text, size) {
  return em(text) * size;
}

// The text as paragraphs of [word, width in em], measured once for every size tried.
function measure(text) {
  return text.split("\n").map((p) => p.split(/\s+/).filter(Boolean).map((word) => [word, em(word)]));
}

// Lines no wider than `width`, broken at spaces, and inside words that cannot fit. Widths are
// added up as the line grows, so a long text costs one pass, not one per word.
export function wrap(text, width, size, measured = measure(text)) {
  const room = width / size; // in em
  const space = charWidth(" ");
  const lines = [];
  for (const paragraph of measured) {
    let line = "";
    let used = 0;
    for (const [word, w] of paragraph) {
      if (line && used + space + w <= room) {
        line += ` ${word}`;
        used += space + w;
        continue;
      }
      if (line) lines.push(line);
      line = "";
      used = 0;
      if (w <= room) {
        line = word;
        used = w;
        continue;
      }
      // A word wider than the line: cut it where it fills a line.
      for (const c of word) {
        const cw = charWidth(c);
        if (line && used + cw > room) {
          lines.push(line);
          line = "";
          used = 0;
        }
        line += c;
        used += cw;
      }
    }
    lines.push(line);
  }
  while (lines.length && !lines[lines.length - 1]) lines.pop();
  return lines;
}

// {size, lines, overflows}: the first size whose lines fit width x height; else the smallest,
// with overflows true (the board then lets the text scroll, a picture grows the sticky).
export function fitText(text, width, height, sizes = SIZES) {
  const measured = measure(text);
  let lines = [];
  let size = sizes[sizes.length - 1];
  for (size of sizes) {
    lines = wrap(text, width, size, measured);
    if (lines.length * size * LINE_HEIGHT <= height) return { size, lines, overflows: false };
  }
  return { size, lines, overflows: true };
}

// The fit of a sticky's text in its sticky.
export function fitNote(kind, text, w, h) {
  return fitText(text || "", w - INSET.w, h - INSET.h, kind === "actor" ? ACTOR_SIZES : SIZES);
}
