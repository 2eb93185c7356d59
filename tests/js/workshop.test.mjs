// node --test: the workshop's silent round and anonymous dots (static/boards/js/workshop.js, state.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyWorkshopEvent, dotsOn, emptyWorkshop, ranking, workshopFromSnapshot } from "../../static/boards/js/workshop.js";
import { applyEvent } from "../../static/boards/js/state.js";

test("someone else's anonymous dot changes nothing; the reveal brings everyone's", () => {
  let w = applyWorkshopEvent(emptyWorkshop(), "board.configured", { anonymous_votes: true });
  w = applyWorkshopEvent(w, "vote.cast", { id: "n1", voter: "me", anonymous: true });
  w = applyWorkshopEvent(w, "vote.cast", { hidden: true });
  assert.deepEqual(dotsOn(w, "n1", "me"), { total: 1, mine: 1 });
  w = applyWorkshopEvent(w, "votes.revealed", { votes: { n1: { me: 1, bo: 2 } } });
  assert.equal(w.anonymous_votes, false);
  assert.deepEqual(dotsOn(w, "n1", "me"), { total: 3, mine: 1 });
  assert.deepEqual(ranking(w, () => true, "me"), [{ id: "n1", total: 3 }]);
});

test("while dots are anonymous a page counts only its own, even those it saw before", () => {
  const w = { ...workshopFromSnapshot({ votes: { n1: { me: 1, bo: 4 } } }), anonymous_votes: true };
  assert.deepEqual(dotsOn(w, "n1", "me"), { total: 1, mine: 1 });
});

test("a reveal turns every face-down sticky over and ends the round", () => {
  const board = {
    name: "", notes: new Map([["n1", { id: "n1", kind: "event", text: "", fields: [], hidden: true, face_down: true }]]),
    frames: new Map(), links: new Map(), workshop: { ...emptyWorkshop(), silent: true },
  };
  const changes = applyEvent(board, "silent.revealed", { notes: [{ id: "n1", kind: "event", text: "Refund Issued", x: 0, y: 0, w: 160, h: 100 }] });
  assert.equal(board.notes.get("n1").text, "Refund Issued");
  assert.equal(board.notes.get("n1").face_down, undefined);
  assert.equal(board.workshop.silent, false);
  assert.ok(changes.notes.has("n1") && changes.workshop);
});
