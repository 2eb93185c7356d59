// node --test: initials (static/boards/js/people.js); colours are the server's (tests/boards/test_identity.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import { initials } from "../../static/boards/js/people.js";

test("initials come from letters, never punctuation", () => {
  assert.equal(initials("Fran (facilitator)"), "FF");
  assert.equal(initials("ana"), "A");
  assert.equal(initials("Jean-Luc Picard"), "JP");
  assert.equal(initials("  (((  "), "?");
  assert.equal(initials("Åsa Öberg"), "ÅÖ");
});
