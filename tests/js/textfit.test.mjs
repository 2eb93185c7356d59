// node --test: the sticky text fitting of static/boards/js/textfit.js.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fitNote, fitText, wrap, MIN_SIZE } from "../../static/boards/js/textfit.js";

test("a short name keeps the largest type", () => {
  assert.equal(fitNote("event", "Order Placed", 160, 110).size, 15);
});

test("longer text gets smaller type but never below the legible minimum", () => {
  const medium = fitNote("event", "Payment declined by the card issuer after the third retry, so the order waits for the customer", 160, 110);
  assert.ok(medium.size < 15 && medium.size >= MIN_SIZE);
  assert.equal(medium.overflows, false);
  const long = fitNote("event", "word ".repeat(300), 160, 110);
  assert.equal(long.size, MIN_SIZE);
  assert.equal(long.overflows, true);
});

test("wrapping keeps every word and breaks words too long for a line", () => {
  const text = "Supercalifragilisticexpialidocious order placed";
  const lines = wrap(text, 80, 15);
  assert.ok(lines.length > 2);
  assert.equal(lines.join("").replace(/\s/g, ""), text.replace(/\s/g, ""));
});

test("line breaks typed by the user are kept", () => {
  assert.deepEqual(fitText("a\nb", 200, 200).lines, ["a", "b"]);
});
