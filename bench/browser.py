"""Browser: how soon Chromium shows a 2,000-sticky board, and how smoothly it pans.

Run: .venv/bin/python bench/browser.py [--stickies 2000] [--loads 5] [--pan-seconds 3]

Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) opens the board page of a
real Daphne process. Figures:
- render: from navigation start until every sticky of the board has its element (data-id) and
  the next frame has painted, in the page's own clock (performance.now());
- panning: the page pans sideways by 12 px every animation frame for --pan-seconds, through the
  same wheel handler a mouse uses; frames per second and frame-time percentiles, counted by
  requestAnimationFrame. Headless Chromium paces frames at 60 Hz, so 60 is the ceiling. Five
  times: as the page opens the board (at a readable zoom on its top left), fitted (F: every
  sticky in view), the same with the stickies' box-shadows switched off (what software rasterising them costs), at 100 % zoom back and forth,
  and at 100 % sweeping one way, so that stickies keep coming into view (what culling costs).
  Each run starts once the page has settled (SETTLED): after a zoom the page draws the board
  once more into a layer of its own, and a pan started during that redraw measures the redraw.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

# Resolves when `count` stickies have elements, then waits two frames so that they have painted.
RENDERED = """
async (count) => {
  const ready = () => document.querySelectorAll('#notes-layer [data-id]').length >= count;
  const deadline = performance.now() + 60000;
  while (!ready() && performance.now() < deadline) await new Promise((r) => requestAnimationFrame(r));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return {
    at: performance.now(),
    elements: document.querySelectorAll('#notes-layer [data-id]').length,
    onscreen: document.querySelectorAll('#notes-layer [data-id]:not(.offscreen)').length,
  };
}
"""

# Switches the stickies' shadows off and on through the CSSOM (the page's CSP allows no inline style).
SHADOWS = """
(on) => {
  const sheet = document.styleSheets[document.styleSheets.length - 1];
  if (on) sheet.deleteRule(sheet.cssRules.length - 1);
  else sheet.insertRule('.note { box-shadow: none !important; }', sheet.cssRules.length);
}
"""

# Zooms to 100 % around the middle of the view, with the ctrl+wheel a trackpad pinch sends.
ZOOM_TO_100 = """
() => {
  const zoom = parseFloat(document.getElementById('zoom-level').textContent) / 100;
  const viewport = document.getElementById('viewport');
  const r = viewport.getBoundingClientRect();
  viewport.dispatchEvent(new WheelEvent('wheel', {deltaY: Math.log(zoom) * 100, ctrlKey: true,
    bubbles: true, cancelable: true, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2}));
}
"""

# Resolves once the page has drawn 20 frames in a row at the display's pace (or after 10 s).
SETTLED = """
async () => {
  await new Promise((r) => setTimeout(r, 500));
  const deadline = performance.now() + 10000;
  let calm = 0;
  let last = await new Promise((r) => requestAnimationFrame(r));
  while (calm < 20 && performance.now() < deadline) {
    const now = await new Promise((r) => requestAnimationFrame(r));
    calm = now - last < 20 ? calm + 1 : 0;
    last = now;
  }
  return calm >= 20;
}
"""

ONSCREEN = "document.querySelectorAll('#notes-layer [data-id]:not(.offscreen)').length"

# Pans with synthetic shift+wheel events, one per frame, and records every frame's duration.
PAN = """
async ([seconds, sweep]) => {
  const viewport = document.getElementById('viewport');
  const frames = [];
  let last = await new Promise((r) => requestAnimationFrame(r));
  const end = last + seconds * 1000;
  let direction = 1;
  while (last < end) {
    viewport.dispatchEvent(new WheelEvent('wheel', {deltaY: 12 * direction, shiftKey: true,
      bubbles: true, cancelable: true, clientX: 400, clientY: 300}));
    const now = await new Promise((r) => requestAnimationFrame(r));
    frames.push(now - last);
    last = now;
    // Back and forth, so the same part of the board stays in view; or one way, across it.
    if (!sweep && frames.length % 30 === 0) direction = -direction;
  }
  return frames;
}
"""


def run(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    info = harness.machine()
    with harness.bench_database("sqlite") as database:
        harness.migrate(harness.server_env(database))
        board, key = harness.create_large_board(database, args.stickies)
        with harness.running_servers(database, "inmemory") as (server,), sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            version = chromium.version
            renders, onscreen, frames, zoomed, plain, sweep, opening = [], 0, [], {}, [], [], {}
            try:
                for i in range(args.loads):
                    # A fresh context each time: a first visit, with nothing cached.
                    context = chromium.new_context(viewport={"width": 1440, "height": 900})
                    context.add_init_script("localStorage.setItem('storming:name', 'Bench')")
                    page = context.new_page()
                    errors: list[str] = []
                    page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                    page.goto(f"{server.url}/b/{board}/#key={key}", wait_until="commit")
                    shown = page.evaluate(RENDERED, args.stickies)
                    if shown["elements"] < args.stickies:
                        raise RuntimeError(f"only {shown['elements']} of {args.stickies} stickies appeared within 60 s")
                    renders.append(shown["at"])
                    onscreen = shown["onscreen"]
                    if errors:
                        raise RuntimeError(f"the page failed: {errors[0]}")
                    if i == args.loads - 1:
                        page.evaluate(SETTLED)
                        # As the page opens it (a readable zoom, on the board's top left)...
                        opening = {
                            "zoom": page.evaluate("window.storming.camera.zoom"),
                            "onscreen": page.evaluate(ONSCREEN),
                            "frames": page.evaluate(PAN, [args.pan_seconds, False]),
                        }
                        # ...fitted, every sticky in view (F, as a person would)...
                        page.keyboard.press("f")
                        page.evaluate(SETTLED)
                        frames = page.evaluate(PAN, [args.pan_seconds, False])
                        # ...without the notes' shadows, to show what they cost when software-rastered...
                        page.evaluate(SHADOWS, False)
                        page.evaluate(SETTLED)
                        plain = page.evaluate(PAN, [args.pan_seconds, False])
                        page.evaluate(SHADOWS, True)
                        # ...and at 100 %, where a person works on part of the board.
                        page.evaluate(ZOOM_TO_100)
                        page.evaluate(SETTLED)
                        zoomed = {
                            "onscreen": page.evaluate(ONSCREEN),
                            "frames": page.evaluate(PAN, [args.pan_seconds, False]),
                        }
                        page.evaluate(SETTLED)
                        sweep = page.evaluate(PAN, [args.pan_seconds, True])
                    context.close()
            finally:
                chromium.close()

    def fps(samples: list[float]) -> float:
        return round(1000 * len(samples) / sum(samples), 1) if samples else 0.0

    return {
        "benchmark": "browser",
        "machine": info,
        "chromium": version,
        "settings": {"stickies": args.stickies, "loads": args.loads, "pan_seconds": args.pan_seconds},
        "render_ms": harness.summary(renders),
        "onscreen_stickies": onscreen,
        "opening_zoom": round(opening.get("zoom", 0), 3),
        "onscreen_at_opening": opening.get("onscreen", 0),
        "pan_fps_at_opening": fps(opening.get("frames", [])),
        "frame_ms_at_opening": harness.summary(opening.get("frames", [])),
        "pan_fps": fps(frames),
        "frame_ms": harness.summary(frames),
        "long_frames": sum(1 for f in frames if f > 25),
        "pan_fps_without_shadows": fps(plain),
        "onscreen_at_100": zoomed.get("onscreen", 0),
        "pan_fps_at_100": fps(zoomed.get("frames", [])),
        "frame_ms_at_100": harness.summary(zoomed.get("frames", [])),
        "pan_fps_sweeping_at_100": fps(sweep),
        "frame_ms_sweeping_at_100": harness.summary(sweep),
    }


def print_report(result: dict[str, Any]) -> None:
    harness.print_machine(result["machine"])
    s = result["settings"]
    print(f"browser: headless Chromium {result['chromium']}, 1440x900")
    print(f"setup: a board of {s['stickies']} stickies, {s['loads']} page loads, {s['pan_seconds']} s of panning")
    print(f"render (navigation start to every sticky painted): {harness.fmt_ms(result['render_ms'])}")
    print(f"stickies in the page after load: {result['onscreen_stickies']} (near the view; the rest are culled)")
    print(
        f"panning as the board opens ({round(100 * result['opening_zoom'])} %, {result['onscreen_at_opening']} stickies "
        f"in the page): {result['pan_fps_at_opening']} frames/s; frame time {harness.fmt_ms(result['frame_ms_at_opening'])}"
    )
    print(f"panning fitted: {result['pan_fps']} frames/s; frame time {harness.fmt_ms(result['frame_ms'])}")
    print(f"frames longer than 25 ms: {result['long_frames']}")
    print(f"the same without the stickies' box-shadows: {result['pan_fps_without_shadows']} frames/s")
    print(
        f"at 100 % zoom ({result['onscreen_at_100']} stickies in the page): {result['pan_fps_at_100']} frames/s; "
        f"frame time {harness.fmt_ms(result['frame_ms_at_100'])}"
    )
    print(
        f"at 100 %, sweeping one way (stickies keep coming into view): {result['pan_fps_sweeping_at_100']} frames/s; "
        f"frame time {harness.fmt_ms(result['frame_ms_sweeping_at_100'])}"
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stickies", type=int, default=2000)
    p.add_argument("--loads", type=int, default=5)
    p.add_argument("--pan-seconds", type=float, default=3.0)
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--smoke", action="store_true", help="a 200-sticky board, one load, one second of panning")
    return p


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    if args.smoke:
        args.stickies, args.loads, args.pan_seconds = 200, 1, 1.0
    return harness.run_and_report(run, print_report, args)


if __name__ == "__main__":
    main(sys.argv[1:])
