// The WebSocket to the board: connect, say hello, reconnect with backoff, and deliver
// every op at least once. Ops wait in an outbox (kept in localStorage, so a reload keeps
// them) until the server acks them; on reconnect they are resent with their original
// op_id, which the server uses to apply each op exactly once.

const MAX_BACKOFF_MS = 10000;
// The server's close codes for "sign in first", "forbidden", "not found", "reload: the page is
// older than the server" and "too many new participants": reconnecting cannot help.
const DENIED = new Set([4401, 4403, 4404, 4426, 4429]);
// Rejections that say "not now" rather than "no" (docs/protocol.md): send the op again later.
const RETRYABLE = new Set(["unavailable", "rate_limited"]);
// Without the server's retry_after_ms (an outage): this, give or take.
const RETRY_MS = 2000;

// How long to wait after a "not now": at least what the server asked, plus a little spread so
// that a roomful of pages told the same does not come back in the same millisecond.
export function retryDelay(error, random = Math.random) {
  const asked = Number(error?.retry_after_ms);
  if (Number.isFinite(asked) && asked > 0) return asked + random() * Math.min(asked, 1000) * 0.2;
  return RETRY_MS + random() * RETRY_MS;
}

export class BoardSocket extends EventTarget {
  constructor(url, { boardId, hello, storage = window.localStorage }) {
    super();
    this.url = url;
    this.hello = hello; // () => hello frame, built at connect time (since = last seq)
    this.storage = storage;
    this.storageKey = `storming:outbox:${boardId}`;
    this.outbox = this.loadOutbox();
    this.ws = null;
    this.attempts = 0;
    this.timer = null;
    this.status = "reconnecting";
    this.browserOffline = typeof navigator !== "undefined" && navigator.onLine === false;
    this.stopped = false;
    // After a "not now", ops wait until this time (ms since the epoch): the budget is the
    // participant's, so sending the others meanwhile would only be refused too. Then what is
    // owed goes in order, at the pace of the server's waits (see retryLater), or all at once
    // after an outage (no hint: the database is back or it is not).
    this.holdUntil = 0;
    this.owed = new Set(); // op_ids to send when the hold ends
    this.holdTimer = null;
    this.pace = 0;
    // The same for sync: the since still wanted when its wait is over.
    this.syncHoldUntil = 0;
    this.syncOwed = null;
    this.lastSync = null;
    this.syncTimer = null;
  }

  start() {
    window.addEventListener("offline", () => {
      // The browser knows before the socket does; stop pretending to be connected.
      this.browserOffline = true;
      if (this.ws) this.ws.close();
      this.setStatus("offline");
    });
    window.addEventListener("online", () => {
      this.browserOffline = false;
      this.reconnectNow();
    });
    this.connect();
  }

  connect() {
    clearTimeout(this.timer);
    this.timer = null;
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      if (this.ws !== ws) return;
      this.attempts = 0;
      ws.send(JSON.stringify(this.hello()));
      if (this.held) {
        for (const frame of this.outbox) this.owed.add(frame.op_id);
        if (!this.holdTimer) this.holdTimer = setTimeout(() => this.sendOwed(), this.holdUntil - Date.now());
      } else {
        for (const frame of this.outbox) ws.send(JSON.stringify(frame));
        this.owed.clear();
        this.pace = 0;
      }
      this.setStatus("connected");
      this.dispatchEvent(new CustomEvent("open"));
    });
    ws.addEventListener("message", (e) => {
      if (this.ws !== ws) return;
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      if (frame.type === "reject" && RETRYABLE.has(frame.error?.code)) {
        // Not applied, but not wrong either: the op stays owed and goes again later.
        this.retryLater(frame.op_id, retryDelay(frame.error), Boolean(frame.error.retry_after_ms));
        return;
      }
      if (frame.type === "error" && frame.code === "rate_limited" && frame.retry_after_ms) {
        // A sync asked too often: ask again once the server will answer (nothing to show).
        this.holdSync(retryDelay(frame));
        return;
      }
      if (frame.type === "ack" || frame.type === "reject") this.removeFromOutbox(frame.op_id);
      this.dispatchEvent(new CustomEvent("frame", { detail: frame }));
    });
    ws.addEventListener("close", (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (DENIED.has(e.code)) {
        // A wrong or revoked link, or no such board: retrying cannot help.
        this.stopped = true;
        this.setStatus("offline");
        this.dispatchEvent(new CustomEvent("denied", { detail: { code: e.code } }));
        return;
      }
      this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    if (this.stopped) return;
    this.attempts += 1;
    // After a second failed try the server is probably gone, not just blinking.
    this.setStatus(this.browserOffline || this.attempts > 2 ? "offline" : "reconnecting");
    const base = Math.min(MAX_BACKOFF_MS, 300 * 2 ** Math.min(this.attempts, 6));
    const delay = base / 2 + Math.random() * (base / 2);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.stopped) return;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    this.attempts = 0;
    this.connect();
  }

  get connected() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN && this.status === "connected";
  }

  // Volatile frames (cursor, preview, sync) are dropped when there is no connection.
  send(frame) {
    if (!this.connected) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  sendOp(frame) {
    this.outbox.push(frame);
    this.saveOutbox();
    if (this.held) this.owed.add(frame.op_id);
    else this.send(frame);
  }

  get held() {
    return Date.now() < this.holdUntil;
  }

  // Hold every op for `delay` ms (longer if already held), then send what is owed, in order;
  // `paced`: one op per the longest wait asked since the hold began (the nearest to the
  // budget's own pace: a later refusal comes with a bucket partly refilled), else all at once.
  retryLater(opId, delay = retryDelay(null), paced = false) {
    this.owed.add(opId);
    this.pace = paced ? Math.max(this.pace, delay) : 0;
    this.hold(delay);
  }

  hold(delay) {
    const until = Date.now() + delay;
    if (until <= this.holdUntil) return;
    this.holdUntil = until;
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => this.sendOwed(), delay);
  }

  sendOwed() {
    this.holdTimer = null;
    if (!this.connected) return; // the reconnect resends the whole outbox
    for (const frame of this.outbox) {
      if (!this.owed.has(frame.op_id)) continue;
      this.owed.delete(frame.op_id);
      this.send(frame);
      if (this.pace && this.owed.size) {
        this.hold(this.pace);
        return;
      }
    }
    this.owed.clear(); // acked or refused for good meanwhile
    this.pace = 0;
  }

  // `sync` (volatile: dropped while offline), held while the server asked to wait.
  sync(since) {
    this.lastSync = since;
    if (Date.now() < this.syncHoldUntil) {
      this.syncOwed = this.syncOwed === null ? since : Math.min(this.syncOwed, since);
      return false;
    }
    return this.send({ type: "sync", since });
  }

  holdSync(delay) {
    this.syncHoldUntil = Date.now() + delay;
    if (this.syncOwed === null) this.syncOwed = this.lastSync;
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => {
      const since = this.syncOwed;
      this.syncOwed = null;
      if (since !== null) this.sync(since);
    }, delay);
  }

  removeFromOutbox(opId) {
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((f) => f.op_id !== opId);
    if (this.outbox.length !== before) this.saveOutbox();
  }

  get waiting() {
    return this.outbox.length;
  }

  loadOutbox() {
    try {
      const list = JSON.parse(this.storage.getItem(this.storageKey) || "[]");
      return Array.isArray(list) ? list.filter((f) => f && f.op_id && f.op) : [];
    } catch {
      return [];
    }
  }

  saveOutbox() {
    try {
      if (this.outbox.length) this.storage.setItem(this.storageKey, JSON.stringify(this.outbox));
      else this.storage.removeItem(this.storageKey);
    } catch {
      // Storage full or disabled: the ops still wait in memory.
    }
    this.dispatchEvent(new CustomEvent("outbox", { detail: { waiting: this.outbox.length } }));
  }

  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.dispatchEvent(new CustomEvent("status", { detail: { status } }));
  }
}
