// node --test: initials and participant colours (static/boards/js/people.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { PALETTE, assignColours, initials } from "../../static/boards/js/people.js";

test("initials come from letters, never punctuation", () => {
  assert.equal(initials("Fran (facilitator)"), "FF");
  assert.equal(initials("ana"), "A");
  assert.equal(initials("Jean-Luc Picard"), "JP");
  assert.equal(initials("  (((  "), "?");
  assert.equal(initials("Åsa Öberg"), "ÅÖ");
});

test("as many people as the palette has colours never share one", () => {
  const users = PALETTE.map((_, i) => ({ id: `c${i}`, name: `Person ${i % 3}` }));
  const colours = assignColours(users);
  assert.equal(new Set(colours.values()).size, PALETTE.length);
});

test("a colour stays with its person when others join", () => {
  const first = assignColours([{ id: "a", name: "Ana" }, { id: "b", name: "Ben" }]);
  const later = assignColours(
    [{ id: "a", name: "Ana" }, { id: "b", name: "Ben" }, { id: "c", name: "Aaron" }, { id: "d", name: "Ana" }],
    first,
  );
  assert.equal(later.get("a"), first.get("a"));
  assert.equal(later.get("b"), first.get("b"));
  assert.equal(new Set(later.values()).size, 4);
});

test("a person who reconnects gets the same colour back", () => {
  const before = assignColours([{ id: "old", name: "Ben" }, { id: "x", name: "Ana" }]);
  const after = assignColours([{ id: "x", name: "Ana" }, { id: "new", name: "Ben" }], new Map([["x", before.get("x")]]));
  assert.equal(after.get("new"), before.get("old"));
});
