// node --test: the open questions (static/boards/js/questions.js) and threads in the board state.
import assert from "node:assert/strict";
import { test } from "node:test";
import { openQuestions } from "../../static/boards/js/questions.js";
import { applyEvent, commentCounts, threadOf } from "../../static/boards/js/state.js";

function board() {
  return { name: "", notes: new Map(), frames: new Map(), links: new Map(), comments: new Map(), resolved: {}, workshop: {} };
}

function sticky(b, id, kind, x, y = 0) {
  applyEvent(b, "note.created", { id, kind, text: id, x, y, w: 160, h: 100 });
}

test("hotspots and stickies with an unresolved thread are open questions, in reading order", () => {
  const b = board();
  sticky(b, "late", "event", 500);
  sticky(b, "why", "hotspot", 300);
  sticky(b, "quiet", "event", 100);
  sticky(b, "below", "hotspot", 0, 400);
  applyEvent(b, "comment.created", { id: "c1", note: "late", text: "When?", author: "a", name: "Ana", at: 2 });
  assert.deepEqual(openQuestions(b).map((n) => n.id), ["why", "late", "below"]);

  const changes = applyEvent(b, "thread.resolved", { id: "late", author: "b", name: "Ben", at: 3 });
  assert.deepEqual([...changes.threads], ["late"]);
  applyEvent(b, "thread.resolved", { id: "why", author: "b", name: "Ben", at: 4 });
  assert.deepEqual(openQuestions(b).map((n) => n.id), ["below"]);

  applyEvent(b, "thread.reopened", { id: "late" });
  assert.deepEqual(openQuestions(b).map((n) => n.id), ["late", "below"]);
});

test("a thread lists its comments oldest first and follows edits and deletes", () => {
  const b = board();
  sticky(b, "n", "event", 0);
  applyEvent(b, "comment.created", { id: "c2", note: "n", text: "Second", author: "b", name: "Ben", at: 20 });
  applyEvent(b, "comment.created", { id: "c1", note: "n", text: "First", author: "a", name: "Ana", at: 10 });
  applyEvent(b, "comment.updated", { id: "c1", text: "First, edited", edited: 30 });
  assert.deepEqual(threadOf(b, "n").map((c) => [c.text, c.edited]), [["First, edited", 30], ["Second", null]]);
  const changes = applyEvent(b, "comment.deleted", { id: "c2" });
  assert.deepEqual([...changes.threads], ["n"]);
  assert.deepEqual(commentCounts(b), new Map([["n", 1]]));
});
