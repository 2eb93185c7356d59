// node --test: the hand-written PDF (static/boards/js/pdf.js) is well formed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pdfFromJpegs } from "../../static/boards/js/pdf.js";

const text = (bytes) => Buffer.from(bytes).toString("latin1");

test("every object sits at the offset its cross-reference table gives", () => {
  const jpeg = new Uint8Array([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
  const pdf = text(pdfFromJpegs([
    { title: "Checkout (board)", jpeg, width: 400, height: 300 },
    { title: "Zahlung: Ä ✓", jpeg, width: 100, height: 400 },
  ]));
  assert.ok(pdf.startsWith("%PDF-1.4"));
  assert.ok(pdf.trimEnd().endsWith("%%EOF"));
  const xref = Number(/startxref\n(\d+)/.exec(pdf)[1]);
  assert.ok(pdf.slice(xref).startsWith("xref\n0 10\n"));
  const rows = pdf.slice(xref).split("\n").slice(3, 12);
  rows.forEach((row, i) => assert.ok(pdf.slice(Number(row.slice(0, 10))).startsWith(`${i + 1} 0 obj`), row));
  assert.equal(pdf.match(/\/Type \/Page /g).length, 2);
  assert.match(pdf, /\(Checkout \\\(board\\\)\) Tj/);
  assert.match(pdf, /\(Zahlung: Ä \?\) Tj/);
});

test("the text of each sticky lies over the picture, invisible, where the sticky is", () => {
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
  const pdf = text(pdfFromJpegs([
    { title: "Checkout", jpeg, width: 400, height: 300, texts: [{ x: 0, y: 0, w: 200, h: 100, text: "Order (Placed)" }] },
  ]));
  const layer = /BT 3 Tr \/F1 ([\d.]+) Tf ([\d.]+) Tz ([\d.]+) ([\d.]+) Td \(Order \\\(Placed\\\)\) Tj ET/.exec(pdf);
  assert.ok(layer, "an invisible line of real text");
  // The picture fills the page's height (515 pt for 300 px), centred: the text starts at its top left.
  const scale = 515 / 300;
  assert.equal(Number(layer[3]), Number((28 + (786 - 400 * scale) / 2).toFixed(2)));
  assert.equal(Number(layer[4]), Number((28 + 515 - 12).toFixed(2)));
});
