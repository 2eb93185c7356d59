// Where things go on the board, as pure functions of rectangles ({x, y, w, h}): free space
// for a new sticky, and the timeline tools (align, distribute, sort by time, next event).

const GAP = 16;

function overlaps(a, b, gap = 0) {
  return a.x < b.x + b.w + gap && a.x + a.w + gap > b.x && a.y < b.y + b.h + gap && a.y + a.h + gap > b.y;
}

// The top-left corner nearest to `centre` where a w x h sticky touches none of `taken`:
// candidates on rings of growing size around the centre, nearest first.
export function freeSpot({ w, h }, centre, taken, { maxRings = 12 } = {}) {
  const x0 = centre.x - w / 2;
  const y0 = centre.y - h / 2;
  const near = taken.filter((r) => Math.abs(r.x - x0) < (maxRings + 2) * (w + GAP) && Math.abs(r.y - y0) < (maxRings + 2) * (h + GAP));
  const free = (x, y) => !near.some((r) => overlaps({ x, y, w, h }, r, GAP));
  if (free(x0, y0)) return { x: x0, y: y0 };
  const sx = (w + GAP) / 2;
  const sy = (h + GAP) / 2;
  for (let ring = 1; ring <= maxRings * 2; ring++) {
    const candidates = [];
    for (let i = -ring; i <= ring; i++) {
      for (let j = -ring; j <= ring; j++) {
        if (Math.max(Math.abs(i), Math.abs(j)) !== ring) continue;
        candidates.push({ x: x0 + i * sx, y: y0 + j * sy });
      }
    }
    candidates.sort((a, b) => Math.hypot(a.x - x0, a.y - y0) - Math.hypot(b.x - x0, b.y - y0));
    const spot = candidates.find((c) => free(c.x, c.y));
    if (spot) return spot;
  }
  return { x: x0, y: y0 };
}

// Right of `from`, on its row: past anything already in the way.
export function nextToTheRight(from, size, taken) {
  let x = from.x + from.w + GAP * 2;
  const y = from.y;
  for (let tries = 0; tries < 200; tries++) {
    const box = { x, y, w: size.w, h: size.h };
    const hit = taken.find((r) => r !== from && overlaps(box, r, GAP / 2));
    if (!hit) return { x, y };
    x = hit.x + hit.w + GAP * 2;
  }
  return { x, y };
}

// New positions ({id: {x, y}}) lining the items up along one edge or centre line.
// edge: left, right, top, bottom, middle (vertical centres), centre (horizontal centres).
export function align(items, edge) {
  const out = new Map();
  if (items.length < 2) return out;
  const min = (f) => Math.min(...items.map(f));
  const max = (f) => Math.max(...items.map(f));
  const avg = (f) => items.reduce((s, r) => s + f(r), 0) / items.length;
  for (const r of items) {
    let { x, y } = r;
    if (edge === "left") x = min((a) => a.x);
    if (edge === "right") x = max((a) => a.x + a.w) - r.w;
    if (edge === "top") y = min((a) => a.y);
    if (edge === "bottom") y = max((a) => a.y + a.h) - r.h;
    if (edge === "middle") y = avg((a) => a.y + a.h / 2) - r.h / 2;
    if (edge === "centre") x = avg((a) => a.x + a.w / 2) - r.w / 2;
    out.set(r.id, { x: Math.round(x), y: Math.round(y) });
  }
  return out;
}

// Equal gaps between the items along an axis ("x" or "y"), the outermost staying put.
export function distribute(items, axis) {
  const out = new Map();
  if (items.length < 3) return out;
  const size = axis === "x" ? "w" : "h";
  const sorted = [...items].sort((a, b) => a[axis] - b[axis]);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const span = last[axis] + last[size] - first[axis];
  const total = sorted.reduce((s, r) => s + r[size], 0);
  const gap = (span - total) / (sorted.length - 1);
  let at = first[axis];
  for (const r of sorted) {
    out.set(r.id, { x: Math.round(axis === "x" ? at : r.x), y: Math.round(axis === "y" ? at : r.y) });
    at += r[size] + gap;
  }
  return out;
}

// Left to right in time order: `order` is the items sorted by when they happen (the caller's
// notion of time); they take the left-to-right slots the selection already occupies, keeping at
// least a gap between them. `laneOf(item)` names the swimlane an item is in (or null): each
// item stays in its lane, on one row at the top of that lane's items, so the timeline reads
// left to right across the lanes. Without lanes: one row at the top of the selection.
export function sortLeftToRight(order, laneOf = () => null) {
  const out = new Map();
  if (order.length < 2) return out;
  const slots = [...order].sort((a, b) => a.x - b.x);
  const rows = new Map();
  for (const r of order) {
    const lane = laneOf(r);
    rows.set(lane, Math.min(rows.has(lane) ? rows.get(lane) : Infinity, r.y));
  }
  let x = slots[0].x;
  for (const r of order) {
    out.set(r.id, { x: Math.round(x), y: Math.round(rows.get(laneOf(r))) });
    x += r.w + GAP * 2;
  }
  return out;
}

// The items in the order things happen: A before B when a chain of links leads from A to B
// (event -> policy -> command -> event); otherwise left before right, as they stand.
// links: [{from, to}] of the whole board.
export function timeOrder(items, links) {
  const next = new Map();
  for (const l of links) {
    if (!next.has(l.from)) next.set(l.from, []);
    next.get(l.from).push(l.to);
  }
  const ids = new Set(items.map((r) => r.id));
  const after = new Map(); // id -> selected ids reachable from it
  for (const r of items) {
    const seen = new Set([r.id]);
    const queue = [r.id];
    while (queue.length) {
      for (const n of next.get(queue.shift()) || []) {
        if (!seen.has(n)) {
          seen.add(n);
          queue.push(n);
        }
      }
    }
    after.set(r.id, new Set([...seen].filter((id) => id !== r.id && ids.has(id))));
  }
  // Kahn's order over "comes before", taking the leftmost ready item each time.
  const before = new Map(items.map((r) => [r.id, 0]));
  for (const r of items) for (const id of after.get(r.id)) if (!after.get(id).has(r.id)) before.set(id, before.get(id) + 1);
  const left = [...items].sort((a, b) => a.x - b.x || a.y - b.y);
  const out = [];
  while (left.length) {
    let i = left.findIndex((r) => before.get(r.id) === 0);
    if (i < 0) i = 0; // a cycle: fall back to left to right
    const [r] = left.splice(i, 1);
    out.push(r);
    for (const id of after.get(r.id)) if (!after.get(id).has(r.id)) before.set(id, before.get(id) - 1);
  }
  return out;
}
