// The shared countdown: everyone computes what is left from the server's `ends_at`, so all
// screens agree. The facilitator starts it (presets or custom minutes) and stops it.

import { toast } from "./toast.js";
import { closeOnOutside, el, glyph } from "./ui.js";

const PRESETS = [2, 5, 10];
const TICK_MS = 250;
const SHOW_DONE_S = 60; // how long "Time's up" stays for participants

// Seconds to add to this browser's clock to get the server's (set from a Date header).
let clockSkew = 0;

export function setServerDate(dateHeader) {
  const server = Date.parse(dateHeader || "");
  if (Number.isNaN(server)) return;
  const skew = (server - Date.now()) / 1000;
  // The header has whole seconds: only a clearly wrong clock is worth correcting.
  clockSkew = Math.abs(skew) > 2 ? skew : 0;
}

export function remainingSeconds(timer, now = Date.now() / 1000 + clockSkew) {
  if (!timer) return null;
  return Math.max(0, timer.ends_at - now);
}

export function formatClock(seconds) {
  const s = Math.ceil(seconds);
  const m = Math.floor(s / 60);
  const rest = String(s % 60).padStart(2, "0");
  if (m >= 60) return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${rest}`;
  return `${m}:${rest}`;
}

export function mountTimer(host, { state, isFacilitator }) {
  const clock = el("span", { className: "timer-clock", role: "timer", "aria-live": "off" });
  const label = el("span", { className: "timer-label" });
  const pill = el("div", { className: "timer-pill", hidden: true }, glyph("clock"), clock, label);
  const stop = el("button", { type: "button", className: "bar-icon-button timer-stop", title: "Stop the timer", "aria-label": "Stop the timer" }, "■");
  const more = el("button", { type: "button", className: "bar-icon-button timer-more", title: "One more minute", "aria-label": "Add one minute" }, "+1");
  pill.append(more, stop);

  const menuButton = el("button", { type: "button", className: "bar-button timer-button", title: "Start a countdown everyone sees", "aria-haspopup": "true", "aria-expanded": "false" },
    glyph("clock"), "Timer");
  const custom = el("input", { type: "number", className: "timer-custom", min: "1", max: "240", step: "1", value: "3", "aria-label": "Minutes" });
  const startCustom = el("button", { type: "button", className: "button primary small" }, "Start");
  const presets = PRESETS.map((m) => {
    const b = el("button", { type: "button", className: "button timer-preset", dataset: { minutes: String(m) } }, `${m} min`);
    b.addEventListener("click", () => start(m * 60));
    return b;
  });
  const menu = el("div", { className: "bar-menu timer-menu", hidden: true, role: "group", "aria-label": "Start a timer" },
    el("p", { className: "bar-menu-title" }, "Countdown for everyone"),
    el("div", { className: "timer-presets" }, ...presets),
    el("div", { className: "timer-custom-row" }, custom, el("span", {}, "minutes"), startCustom));
  const menuWrap = el("div", { className: "bar-menu-wrap" }, menuButton, menu);
  host.append(pill, menuWrap);
  const toggleMenu = closeOnOutside(menuWrap, menu, menuButton);

  function start(seconds) {
    state.submit("timer.start", { seconds: Math.round(seconds) });
    toggleMenu(false);
  }
  startCustom.addEventListener("click", () => {
    const minutes = Number(custom.value);
    if (!(minutes > 0 && minutes <= 240)) {
      toast("Give the timer 1 to 240 minutes.", { kind: "error" });
      return;
    }
    start(minutes * 60);
  });
  custom.addEventListener("keydown", (e) => {
    e.stopPropagation(); // digits here are minutes, not "add a sticky"
    if (e.key === "Enter") startCustom.click();
  });
  stop.addEventListener("click", () => state.submit("timer.stop", {}));
  more.addEventListener("click", () => {
    const left = remainingSeconds(state.view.workshop.timer) || 0;
    state.submit("timer.start", { seconds: Math.round(left) + 60 });
  });

  let ticker = null;
  let announcedFor = null; // the ends_at whose end was already announced

  const render = () => {
    const timer = state.view.workshop.timer;
    const facilitator = isFacilitator();
    menuWrap.hidden = !facilitator || Boolean(timer && remainingSeconds(timer) > 0);
    stop.hidden = !facilitator;
    more.hidden = !facilitator;
    const left = remainingSeconds(timer);
    const expiredLong = left === 0 && Date.now() / 1000 + clockSkew - timer.ends_at > SHOW_DONE_S;
    pill.hidden = left === null || (expiredLong && !facilitator);
    if (left === null) {
      stopTicking();
      return;
    }
    const done = left === 0;
    clock.textContent = formatClock(left);
    label.textContent = done ? "Time's up" : "";
    pill.classList.toggle("done", done);
    pill.classList.toggle("ending", !done && left <= 30);
    pill.title = done ? "The timer has run out" : `${formatClock(left)} left of ${formatClock(timer.seconds)}`;
    if (done) {
      if (announcedFor !== timer.ends_at) {
        // Only for a countdown this page saw running; a stale one from a snapshot is quiet.
        if (ticker) toast("Time's up.", { timeout: 5000 });
        announcedFor = timer.ends_at;
      }
      if (expiredLong) stopTicking();
      else startTicking();
    } else {
      announcedFor = null;
      startTicking();
    }
  };
  const startTicking = () => {
    if (!ticker) ticker = setInterval(render, TICK_MS);
  };
  const stopTicking = () => {
    clearInterval(ticker);
    ticker = null;
  };

  state.addEventListener("change", (e) => {
    if (e.detail.workshop) render();
  });
  return { render };
}
