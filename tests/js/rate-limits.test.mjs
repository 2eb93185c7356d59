// node --test: the page waits as long as the server asks after `rate_limited` before sending
// again (static/boards/js/socket.js for ops and sync, board-key.js for fetches).
import assert from "node:assert/strict";
import { afterEach, beforeEach, test, mock } from "node:test";
import { BoardSocket, retryDelay } from "../../static/boards/js/socket.js";
import { boardFetch } from "../../static/boards/js/board-key.js";

class FakeWebSocket extends EventTarget {
  static OPEN = 1;
  static last = null;
  constructor(url) {
    super();
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeWebSocket.last = this;
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close() {}
  open() {
    this.readyState = FakeWebSocket.OPEN;
    this.dispatchEvent(new Event("open"));
  }
  receive(frame) {
    const event = new Event("message");
    event.data = JSON.stringify(frame);
    this.dispatchEvent(event);
  }
}

const memory = () => {
  const items = new Map();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, v), removeItem: (k) => items.delete(k) };
};
const flush = () => new Promise((resolve) => setImmediate(resolve));

function connectedSocket() {
  const socket = new BoardSocket("ws://board", { boardId: "b", hello: () => ({ type: "hello" }), storage: memory() });
  socket.connect();
  FakeWebSocket.last.open();
  return { socket, ws: FakeWebSocket.last };
}

const op = (n) => ({ type: "op", op_id: `op-${n}`, op: "note.create", data: { n } });
const opsSent = (ws) => ws.sent.filter((f) => f.type === "op").map((f) => f.op_id);

beforeEach(() => {
  globalThis.WebSocket = FakeWebSocket;
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 });
});

afterEach(() => {
  mock.timers.reset();
  delete globalThis.WebSocket;
});

test("an op refused with rate_limited goes again only after retry_after_ms, and later ops wait with it", () => {
  const { socket, ws } = connectedSocket();
  socket.sendOp(op(1));
  ws.receive({ type: "reject", op_id: "op-1", error: { code: "rate_limited", message: "Too fast", retry_after_ms: 1500 } });
  socket.sendOp(op(2)); // the budget is the participant's: this one would only be refused too
  assert.deepEqual(opsSent(ws), ["op-1"]);

  mock.timers.tick(1499);
  assert.deepEqual(opsSent(ws), ["op-1"], "sent again before the server said it would take it");
  mock.timers.tick(301); // the spread is at most a fifth of the wait (of a second at most)
  assert.deepEqual(opsSent(ws), ["op-1", "op-1"], "the owed ops go at the budget's pace, not all at once");
  mock.timers.tick(1499);
  assert.deepEqual(opsSent(ws), ["op-1", "op-1"]);
  mock.timers.tick(301);
  assert.deepEqual(opsSent(ws), ["op-1", "op-1", "op-2"]);
  assert.equal(socket.waiting, 2, "both stay owed until acked");
});

test("the owed ops keep the pace of the longest wait asked, not of a later, shorter one", () => {
  const { socket, ws } = connectedSocket();
  for (const n of [1, 2, 3]) socket.sendOp(op(n));
  ws.receive({ type: "reject", op_id: "op-2", error: { code: "rate_limited", retry_after_ms: 500 } });
  ws.receive({ type: "reject", op_id: "op-3", error: { code: "rate_limited", retry_after_ms: 100 } });
  mock.timers.tick(600);
  assert.deepEqual(opsSent(ws), ["op-1", "op-2", "op-3", "op-2"]);
  mock.timers.tick(499);
  assert.deepEqual(opsSent(ws), ["op-1", "op-2", "op-3", "op-2"], "op-3 went at the shorter pace");
  mock.timers.tick(101);
  assert.deepEqual(opsSent(ws), ["op-1", "op-2", "op-3", "op-2", "op-3"]);
});

test("ops refused during a database outage go again all at once, in order, after about two seconds", () => {
  const { socket, ws } = connectedSocket();
  for (const n of [1, 2, 3]) socket.sendOp(op(n));
  for (const n of [1, 2, 3]) ws.receive({ type: "reject", op_id: `op-${n}`, error: { code: "unavailable", message: "Try again" } });
  mock.timers.tick(1999);
  assert.deepEqual(opsSent(ws), ["op-1", "op-2", "op-3"]);
  mock.timers.tick(2001);
  assert.deepEqual(opsSent(ws), ["op-1", "op-2", "op-3", "op-1", "op-2", "op-3"]);
});

test("a rejection of a rate-limited op is not shown to the person: the page just waits", () => {
  const { socket, ws } = connectedSocket();
  const shown = [];
  socket.addEventListener("frame", (e) => shown.push(e.detail));
  socket.sendOp(op(1));
  ws.receive({ type: "reject", op_id: "op-1", error: { code: "rate_limited", message: "Too fast", retry_after_ms: 200 } });
  ws.receive({ type: "error", code: "rate_limited", message: "Too many syncs; wait a moment.", retry_after_ms: 500 });
  assert.deepEqual(shown, []);
});

test("a sync refused with rate_limited is asked again once, after the wait, from the lowest since", () => {
  const { socket, ws } = connectedSocket();
  const syncs = () => ws.sent.filter((f) => f.type === "sync").map((f) => f.since);
  socket.sync(10);
  ws.receive({ type: "error", code: "rate_limited", message: "Too many syncs; wait a moment.", retry_after_ms: 800 });
  socket.sync(12);
  socket.sync(11);
  assert.deepEqual(syncs(), [10]);
  mock.timers.tick(799);
  assert.deepEqual(syncs(), [10]);
  mock.timers.tick(161);
  assert.deepEqual(syncs(), [10, 10]);
});

test("a reconnect during the wait does not resend early", () => {
  const { socket, ws } = connectedSocket();
  socket.sendOp(op(1));
  ws.receive({ type: "reject", op_id: "op-1", error: { code: "rate_limited", retry_after_ms: 2000 } });
  socket.connect();
  const again = FakeWebSocket.last;
  again.open();
  assert.deepEqual(opsSent(again), []);
  mock.timers.tick(2400);
  assert.deepEqual(opsSent(again), ["op-1"]);
});

test("the wait is never shorter than asked, and without a hint about two seconds", () => {
  for (const random of [() => 0, () => 0.5, () => 0.999]) {
    const wait = retryDelay({ code: "rate_limited", retry_after_ms: 5000 }, random);
    assert.ok(wait >= 5000 && wait <= 5200, String(wait));
  }
  assert.equal(retryDelay({ code: "unavailable" }, () => 0), 2000);
});

test("a fetch refused with 429 rate_limited is sent again after retry_after_ms, not before", async () => {
  const calls = [];
  const answers = [
    new Response(JSON.stringify({ error: { code: "rate_limited", message: "Slow down", retry_after_ms: 800 } }), {
      status: 429,
      headers: { "Content-Type": "application/json", "Retry-After": "1" },
    }),
    new Response("{}", { status: 200 }),
  ];
  globalThis.fetch = async (url) => {
    calls.push([url, Date.now()]);
    return answers.shift();
  };
  try {
    const answered = boardFetch("/api/boards/b/checks/");
    await flush();
    assert.equal(calls.length, 1);
    mock.timers.tick(999); // Retry-After (1 s) is the longer of the two
    await flush();
    assert.equal(calls.length, 1);
    mock.timers.tick(1);
    await flush();
    assert.equal((await answered).status, 200);
    assert.equal(calls[1][1] - calls[0][1], 1000);
  } finally {
    delete globalThis.fetch;
  }
});
