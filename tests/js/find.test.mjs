// node --test: finding stickies by text (static/boards/js/find.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { findMatches } from "../../static/boards/js/find.js";

const view = {
  notes: new Map([
    ["b", { id: "b", text: "Payment Declined", x: 400, y: 0 }],
    ["a", { id: "a", text: "Order placed", x: 0, y: 0 }],
    ["c", { id: "c", text: "Café order paid", x: 0, y: 300 }],
  ]),
  frames: new Map([["f", { id: "f", name: "Ordering", x: 0, y: -200 }]]),
};

test("every word must appear, in any case and without accents, in reading order", () => {
  assert.deepEqual(findMatches(view, "ORDER"), ["f", "a", "c"]);
  assert.deepEqual(findMatches(view, "cafe paid"), ["c"]);
  assert.deepEqual(findMatches(view, "declined"), ["b"]);
  assert.deepEqual(findMatches(view, "   "), []);
});
