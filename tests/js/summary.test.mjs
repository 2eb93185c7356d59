// node --test: the Markdown wrap-up (static/boards/js/summary.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { markdownSummary } from "../../static/boards/js/summary.js";

const view = {
  name: "Checkout",
  frames: new Map([
    ["c", { id: "c", kind: "bounded_context", name: "Ordering", x: 0, y: 0 }],
    ["a", { id: "a", kind: "aggregate", name: "Order", x: 10, y: 10, context: "c" }],
  ]),
  notes: new Map([
    ["e", { id: "e", kind: "event", text: "Order Placed", x: 20, y: 20, aggregate: "a", context: "c",
      fields: [{ name: "order_id", type: "uuid", required: true, doc: "" }] }],
    ["p", { id: "p", kind: "policy", text: "Whenever *paid*, ship", x: 50, y: 20, context: "c" }],
    ["h", { id: "h", kind: "hotspot", text: "Who refunds?", x: 60, y: 20, context: "c" }],
  ]),
  workshop: { votes: { h: { ana: 2, ben: 1 } } },
};

test("contexts, aggregates, events with fields, policies, questions and votes", () => {
  const text = markdownSummary(view);
  assert.match(text, /^# Checkout\n/);
  assert.match(text, /## Bounded context: Ordering\n\n### Aggregate: Order\n\n#### Events\n\n- Order Placed\n  - `order_id`: uuid, required/);
  assert.match(text, /### Policies\n\n- Whenever \\\*paid\\\*, ship/);
  assert.match(text, /## Open questions\n\n- \[ \] Who refunds\? \(in Ordering\)/);
  assert.match(text, /## Votes\n\n- 3 dots: Hotspot “Who refunds\?”/);
});

test("open questions include unresolved threads with their comments; resolved ones are listed apart", () => {
  const threaded = {
    ...view,
    comments: new Map([
      ["c2", { id: "c2", note: "e", text: "The shop pays.", name: "Ben", at: 20 }],
      ["c1", { id: "c1", note: "e", text: "Who pays the *postage*?", name: "Ana", at: 10 }],
      ["c3", { id: "c3", note: "p", text: "Ship when paid in full", name: "Ana", at: 30 }],
    ]),
    resolved: { p: { name: "Fran", at: 40 } },
  };
  const text = markdownSummary(threaded);
  assert.match(text, /## Open questions\n\n- \[ \] Event “Order Placed” \(in Order\)\n  - Ana: Who pays the \\\*postage\\\*\?\n  - Ben: The shop pays\.\n- \[ \] Who refunds\? \(in Ordering\)/);
  assert.match(text, /## Resolved questions\n\n- \[x\] Policy “Whenever \\\*paid\\\*, ship” \(in Ordering\) — resolved by Fran\n  - Ana: Ship when paid in full/);
});

test("each swimlane lists its stickies left to right", () => {
  const lanes = {
    name: "Checkout",
    frames: new Map([
      ["l1", { id: "l1", kind: "lane", name: "Customer", x: 0, y: 0, w: 2000, h: 200 }],
      ["l2", { id: "l2", kind: "lane", name: "Payment", x: 0, y: 200, w: 2000, h: 200 }],
    ]),
    notes: new Map([
      ["b", { id: "b", kind: "event", text: "Order Shipped", x: 600, y: 40, w: 160, h: 110 }],
      ["a", { id: "a", kind: "command", text: "Place Order", x: 100, y: 40, w: 160, h: 110 }],
      ["p", { id: "p", kind: "event", text: "Payment Received", x: 300, y: 240, w: 160, h: 110 }],
    ]),
    workshop: { votes: {} },
  };
  const text = markdownSummary(lanes);
  assert.match(text, /## Lanes\n\n### Customer\n\n- Command: Place Order\n- Event: Order Shipped\n\n### Payment\n\n- Event: Payment Received/);
});
