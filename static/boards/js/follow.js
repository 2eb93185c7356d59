// "Follow me": with the board's `follow` on, the facilitator's page sends where it looks
// (the board point at the centre of the view, and the zoom) as a volatile `viewport` frame,
// and every participant's camera goes there, until they pan away or press "Stop following".

import { toast } from "./toast.js";
import { el, glyph } from "./ui.js";

const SEND_MS = 120;
const MOVED_PX = 2; // a camera this far from where following put it has moved
const INPUT_MS = 600; // ...and it was the user's doing if they touched the board just before

export function mountFollow(host, { state, socket, camera, isFacilitator }) {
  let leader = null; // {id, name, viewport} of the facilitator being followed
  let brokeAway = false;
  let expected = null; // the camera position following last set
  const viewportEl = camera.viewport;
  let lastInput = 0;
  const touched = () => {
    lastInput = Date.now();
  };
  for (const type of ["pointerdown", "keydown", "wheel"]) document.addEventListener(type, touched, { capture: true, passive: true });

  // --- the bar ---------------------------------------------------------------------
  const toggle = el("button", { type: "button", className: "bar-button follow-toggle", "aria-pressed": "false",
    title: "Bring everyone's view to yours, and keep it there while you move" },
  glyph("eye"), "Follow me");
  const status = el("span", { className: "follow-status" });
  const stop = el("button", { type: "button", className: "button small follow-stop" }, "Stop following");
  const again = el("button", { type: "button", className: "button small follow-again" }, "Follow");
  const pill = el("div", { className: "follow-pill", hidden: true, role: "status" }, glyph("eye"), status, stop, again);
  host.append(toggle, pill);

  toggle.addEventListener("click", () => state.submit("board.configure", { follow: !state.view.workshop.follow }));
  stop.addEventListener("click", () => breakAway());
  again.addEventListener("click", () => {
    brokeAway = false;
    render();
    apply();
  });

  function breakAway() {
    brokeAway = true;
    expected = null;
    viewportEl.classList.remove("following");
    render();
  }

  function following() {
    return state.view.workshop.follow && !isFacilitator() && !brokeAway;
  }

  function render() {
    const on = state.view.workshop.follow;
    const facilitator = isFacilitator();
    toggle.hidden = !facilitator;
    toggle.setAttribute("aria-pressed", String(on));
    toggle.classList.toggle("on", on);
    pill.hidden = facilitator || !on;
    const who = leader ? leader.name : "the facilitator";
    status.textContent = brokeAway ? `${who} is leading` : `Following ${who}`;
    pill.classList.toggle("away", brokeAway);
    stop.hidden = brokeAway;
    again.hidden = !brokeAway;
    viewportEl.classList.toggle("following", following());
  }

  // --- participants: go where the facilitator looks -----------------------------------
  function apply() {
    if (!following() || !leader?.viewport) return;
    const v = leader.viewport;
    const r = camera.rect;
    camera.zoom = v.zoom;
    camera.x = r.width / 2 - v.x * v.zoom;
    camera.y = r.height / 2 - v.y * v.zoom;
    expected = { x: camera.x, y: camera.y, zoom: camera.zoom };
    camera.changed();
  }

  camera.addEventListener("change", () => {
    if (isFacilitator()) {
      sendViewport();
      return;
    }
    if (!following() || !expected) return;
    const moved = Math.abs(camera.x - expected.x) > MOVED_PX || Math.abs(camera.y - expected.y) > MOVED_PX ||
      Math.abs(camera.zoom - expected.zoom) > 0.001;
    if (!moved) return;
    if (Date.now() - lastInput > INPUT_MS) {
      apply(); // the page moved the camera (a first fit): following wins
    } else {
      breakAway();
      toast("You stopped following; press Follow in the bar to go back.");
    }
  });

  socket.addEventListener("frame", (e) => {
    const f = e.detail;
    if (f.type === "welcome") {
      render();
      if (isFacilitator() && state.view.workshop.follow) sendViewport(true);
    }
    if (f.type !== "presence") return;
    for (const u of f.users || []) {
      if (u.role !== "facilitator" || !u.viewport) continue;
      leader = { id: u.id, name: u.name, viewport: u.viewport };
    }
    if (leader && (f.left || []).includes(leader.id)) leader = null;
    render();
    apply();
  });

  // --- the facilitator: say where I look ----------------------------------------------
  let lastSent = 0;
  let trailing = null;
  function sendViewport(now = false) {
    if (!state.view.workshop.follow) return;
    const wait = lastSent + SEND_MS - Date.now();
    if (!now && wait > 0) {
      if (!trailing) trailing = setTimeout(() => {
        trailing = null;
        sendViewport(true);
      }, wait);
      return;
    }
    lastSent = Date.now();
    const c = camera.centreWorld();
    socket.send({ type: "viewport", x: round(c.x), y: round(c.y), zoom: Math.round(camera.zoom * 1000) / 1000 });
  }

  let wasOn = state.view.workshop.follow;
  state.addEventListener("change", (e) => {
    if (!e.detail.workshop) return;
    const on = state.view.workshop.follow;
    if (on && !wasOn) {
      brokeAway = false;
      if (isFacilitator()) sendViewport(true);
      else toast("The facilitator is leading: your view follows theirs.");
    }
    wasOn = on;
    render();
    apply();
  });
  return { render };
}

const round = (v) => Math.round(v * 10) / 10;
