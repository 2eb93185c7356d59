// Who else is on the board: the roster in the top bar (click a person to jump to them), their
// cursors, ghosts of what they are dragging and the sticky each is typing in (a soft lock).
// Also sends this user's cursor (with the sticky being typed in) and drag previews,
// throttled, since these are volatile and never stored.

const SEND_INTERVAL_MS = 50; // about 20 Hz, the server's coalescing tick

function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  let pendingArgs = null;
  return (...args) => {
    pendingArgs = args;
    const wait = last + ms - Date.now();
    if (wait <= 0) {
      last = Date.now();
      fn(...pendingArgs);
      pendingArgs = null;
    } else if (!timer) {
      // Trailing call: the last position must always be sent, or a cursor stops short.
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        if (pendingArgs) fn(...pendingArgs);
        pendingArgs = null;
      }, wait);
    }
  };
}

import { initials } from "./people.js";

const SVG_NS = "http://www.w3.org/2000/svg";

function cursorArrow() {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", "M1 1l5 14 2-6 6-2z");
  svg.append(path);
  return svg;
}

export class Presence {
  constructor({ socket, state, camera, list, cursorsLayer, ghostsLayer }) {
    this.socket = socket;
    this.state = state;
    this.camera = camera;
    this.list = list;
    this.cursorsLayer = cursorsLayer;
    this.ghostsLayer = ghostsLayer;
    this.me = null;
    this.users = new Map(); // connection id -> {id, name, color, cursor, preview}
    this.editing = null; // the sticky this person types in, told to others with the cursor
    this.lastCursor = null;
    this.onJump = null; // (user) => void, set by the page
    this.sendCursor = throttle((x, y) => {
      this.lastCursor = { x, y };
      socket.send({ type: "cursor", x, y, editing: this.editing });
    }, SEND_INTERVAL_MS);
    this.throttledPreview = throttle((id, x, y) => socket.send({ type: "preview", id, x, y }), SEND_INTERVAL_MS);
    camera.addEventListener("change", () => this.placeCursors());
    state.addEventListener("change", () => this.drawGhosts());
  }

  welcome(you) {
    this.me = you;
    // A new connection gets the full roster again; start from a clean slate.
    this.users.clear();
    this.users.set(you.id, { ...you, cursor: null, preview: null });
    this.render();
  }

  disconnected() {
    for (const id of [...this.users.keys()]) if (!this.me || id !== this.me.id) this.users.delete(id);
    this.render();
  }

  receive(frame) {
    for (const u of frame.users || []) {
      const old = this.users.get(u.id) || {};
      this.users.set(u.id, { ...old, ...u });
    }
    for (const id of frame.left || []) this.users.delete(id);
    this.render();
  }

  // Others see a name on the sticky while this person types in it.
  setEditing(id) {
    if (this.editing === id) return;
    this.editing = id;
    let at = this.lastCursor;
    if (!at && id) {
      const n = this.state.view.notes.get(id);
      at = n ? { x: Math.round(n.x + n.w / 2), y: Math.round(n.y + n.h / 2) } : { x: 0, y: 0 };
    }
    if (at) this.sendCursor(at.x, at.y);
  }

  // Who is typing in a sticky, other than this person.
  editorOf(noteId) {
    return this.others().find((u) => u.cursor?.editing === noteId) || null;
  }

  colour(u) {
    // The server gives each participant a colour of their own, kept across reconnects.
    return u.color || "#868e96";
  }

  sendPreview(id, x, y) {
    this.throttledPreview(id, x, y);
  }

  endPreview() {
    // Sent through the throttle so it cannot overtake the drag's last position.
    this.throttledPreview(null, null, null);
  }

  render() {
    this.renderRoster();
    this.placeCursors();
    this.drawGhosts();
  }

  renderRoster() {
    const seen = new Set();
    for (const u of this.users.values()) {
      seen.add(u.id);
      let li = this.list.querySelector(`[data-user-id="${CSS.escape(u.id)}"]`);
      if (!li) {
        li = document.createElement("li");
        li.dataset.userId = u.id;
        li.className = "person";
        const badge = document.createElement("span");
        badge.className = "person-badge";
        const name = document.createElement("span");
        name.className = "person-name";
        li.append(badge, name);
        const jump = () => {
          const who = this.users.get(li.dataset.userId);
          if (who && this.onJump && !(this.me && who.id === this.me.id)) this.onJump(who);
        };
        li.addEventListener("click", jump);
        li.addEventListener("keydown", (e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            jump();
          }
        });
        this.list.append(li);
      }
      const mine = this.me && u.id === this.me.id;
      li.classList.toggle("me", Boolean(mine));
      li.style.setProperty("--person", this.colour(u));
      li.querySelector(".person-badge").textContent = initials(u.name);
      li.querySelector(".person-name").textContent = mine ? `${u.name} (you)` : u.name;
      li.title = mine ? `${u.name} (you)` : `${u.name}: click to jump to where they are`;
      li.tabIndex = mine ? -1 : 0;
    }
    for (const li of [...this.list.children]) if (!seen.has(li.dataset.userId)) li.remove();
    const count = document.getElementById("presence-count");
    if (count) count.textContent = String(this.users.size);
  }

  others() {
    return [...this.users.values()].filter((u) => !this.me || u.id !== this.me.id);
  }

  placeCursors() {
    const seen = new Set();
    for (const u of this.others()) {
      if (!u.cursor) continue;
      seen.add(u.id);
      let el = this.cursorsLayer.querySelector(`[data-user-id="${CSS.escape(u.id)}"]`);
      if (!el) {
        el = document.createElement("div");
        el.className = "remote-cursor";
        el.dataset.userId = u.id;
        el.append(cursorArrow());
        const label = document.createElement("span");
        label.className = "remote-cursor-name";
        el.append(label);
        this.cursorsLayer.append(el);
      }
      el.style.setProperty("--person", this.colour(u));
      const name = el.querySelector(".remote-cursor-name");
      if (name.textContent !== u.name) name.textContent = u.name;
      const p = this.camera.worldToScreen(u.cursor.x, u.cursor.y);
      el.style.transform = `translate(${p.x}px, ${p.y}px)`;
    }
    for (const el of [...this.cursorsLayer.children]) if (!seen.has(el.dataset.userId)) el.remove();
  }

  drawGhosts() {
    const seen = new Set();
    for (const u of this.others()) {
      const p = u.preview;
      if (!p || !p.id) continue;
      const target = this.state.element(p.id);
      if (!target || target.w === undefined) continue;
      seen.add(u.id);
      const el = this.overlay(u, "ghost");
      el.dataset.elementId = p.id;
      el.querySelector(".ghost-name").textContent = `${u.name} is moving`;
      el.style.transform = `translate(${p.x}px, ${p.y}px)`;
      el.style.width = `${target.w}px`;
      el.style.height = `${target.h}px`;
    }
    this.drop("ghost", seen);
    this.drawLocks();
  }

  // A soft lock: the name and colour of whoever types in a sticky, on that sticky.
  drawLocks() {
    const seen = new Set();
    for (const u of this.others()) {
      const id = u.cursor?.editing;
      const n = id ? this.state.view.notes.get(id) : null;
      if (!n) continue;
      seen.add(u.id);
      const el = this.overlay(u, "typing-lock");
      el.dataset.elementId = id;
      el.querySelector(".ghost-name").textContent = `${u.name} is typing…`;
      el.style.transform = `translate(${n.x}px, ${n.y}px)`;
      el.style.width = `${n.w}px`;
      el.style.height = `${n.h}px`;
    }
    this.drop("typing-lock", seen);
  }

  overlay(u, className) {
    let el = this.ghostsLayer.querySelector(`.${className}[data-user-id="${CSS.escape(u.id)}"]`);
    if (!el) {
      el = document.createElement("div");
      el.className = className;
      el.dataset.userId = u.id;
      const label = document.createElement("span");
      label.className = "ghost-name";
      el.append(label);
      this.ghostsLayer.append(el);
    }
    el.style.setProperty("--person", this.colour(u));
    return el;
  }

  drop(className, seen) {
    for (const el of [...this.ghostsLayer.querySelectorAll(`.${className}`)]) {
      if (!seen.has(el.dataset.userId)) el.remove();
    }
  }
}
