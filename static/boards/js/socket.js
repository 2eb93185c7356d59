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
const RETRY_MS = 2000;

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
      for (const frame of this.outbox) ws.send(JSON.stringify(frame));
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
        this.retryLater(frame.op_id);
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
    this.send(frame);
  }

  retryLater(opId) {
    this.retryTimers = this.retryTimers || new Map();
    if (this.retryTimers.has(opId)) return;
    this.retryTimers.set(opId, setTimeout(() => {
      this.retryTimers.delete(opId);
      const frame = this.outbox.find((f) => f.op_id === opId);
      if (frame) this.send(frame); // if offline, the reconnect resends the whole outbox
    }, RETRY_MS + Math.random() * RETRY_MS));
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
