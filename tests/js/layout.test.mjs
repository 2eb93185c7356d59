// node --test: placement and the timeline tools (static/boards/js/layout.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { align, distribute, freeSpot, nextToTheRight, sortLeftToRight, timeOrder } from "../../static/boards/js/layout.js";

const box = (id, x, y, w = 160, h = 110) => ({ id, x, y, w, h });
const overlap = (a, b) => a.x < b.x + b.w && a.x + a.w > b.x && a.y < b.y + b.h && a.y + a.h > b.y;

test("a new sticky goes in the middle of the view when it is free", () => {
  assert.deepEqual(freeSpot({ w: 160, h: 110 }, { x: 500, y: 300 }, []), { x: 420, y: 245 });
});

test("a new sticky never lands on one already there, and stays near the centre", () => {
  const taken = [box("a", 420, 245)];
  for (let i = 0; i < 12; i++) {
    const spot = freeSpot({ w: 160, h: 110 }, { x: 500, y: 300 }, taken);
    const placed = box(`n${i}`, spot.x, spot.y);
    assert.ok(!taken.some((t) => overlap(t, placed)), `sticky ${i} overlaps`);
    assert.ok(Math.hypot(spot.x - 420, spot.y - 245) < 700);
    taken.push(placed);
  }
});

test("the next event goes right of the selected one, past what is in the way", () => {
  const a = box("a", 0, 0);
  const b = box("b", 200, 0);
  const spot = nextToTheRight(a, { w: 160, h: 110 }, [a, b]);
  assert.equal(spot.y, 0);
  assert.ok(spot.x >= 360);
});

test("align lines up edges and distribute makes equal gaps", () => {
  const items = [box("a", 0, 10), box("b", 300, 50), box("c", 700, 30)];
  const top = align(items, "top");
  assert.deepEqual([...top.values()].map((p) => p.y), [10, 10, 10]);
  const spread = distribute([box("a", 0, 0), box("b", 200, 0), box("c", 1000, 0)], "x");
  assert.deepEqual([...spread.values()].map((p) => p.x), [0, 500, 1000]);
});

test("sort by time follows the links, then left to right", () => {
  const placed = box("placed", 600, 0);
  const paid = box("paid", 0, 40);
  const shipped = box("shipped", 300, 80);
  const links = [{ from: "placed", to: "policy" }, { from: "policy", to: "paid" }, { from: "paid", to: "shipped" }];
  const order = timeOrder([paid, shipped, placed], links).map((r) => r.id);
  assert.deepEqual(order, ["placed", "paid", "shipped"]);
  const moved = sortLeftToRight(timeOrder([paid, shipped, placed], links));
  assert.ok(moved.get("placed").x < moved.get("paid").x && moved.get("paid").x < moved.get("shipped").x);
  assert.equal(new Set([...moved.values()].map((p) => p.y)).size, 1);
});

test("sorting by time keeps each sticky in its swimlane and reads left to right across lanes", () => {
  const placed = box("placed", 500, 40);
  const paid = box("paid", 100, 300);
  const shipped = box("shipped", 300, 60);
  const lanes = { placed: "customer", shipped: "customer", paid: "payment" };
  const links = [{ from: "placed", to: "paid" }, { from: "paid", to: "shipped" }];
  const moved = sortLeftToRight(timeOrder([paid, shipped, placed], links), (r) => lanes[r.id]);
  assert.ok(moved.get("placed").x < moved.get("paid").x && moved.get("paid").x < moved.get("shipped").x);
  assert.equal(moved.get("placed").y, 40); // the customer lane's row
  assert.equal(moved.get("shipped").y, 40);
  assert.equal(moved.get("paid").y, 300); // still in the payment lane
});
