"""Browser: how soon Chromium shows a 2,000-sticky board, and how smoothly it pans.

Run: .venv/bin/python bench/browser.py [--stickies 2000] [--loads 5] [--pan-seconds 3]

Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) opens the board page of a
real Daphne process. Figures:
- render: from navigation start until every sticky of the board has its element (data-id) and
  the next frame has painted, in the page's own clock (performance.now());
- panning: the page pans sideways by 12 px every animation frame for --pan-seconds, through the
  same wheel handler a mouse uses; frames per second and frame-time percentiles, counted by
  requestAnimationFrame. Headless Chromium paces frames at 60 Hz, so 60 is the ceiling.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

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

# Pans with synthetic shift+wheel events, one per frame, and records every frame's duration.
PAN = """
async (seconds) => {
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
    if (frames.length % 240 === 0) direction = -direction;  // back and forth over the board
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
            renders, onscreen, frames = [], 0, []
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
                        page.wait_for_timeout(300)
                        frames = page.evaluate(PAN, args.pan_seconds)
                    context.close()
            finally:
                chromium.close()
    duration = sum(frames) / 1000
    return {
        "benchmark": "browser",
        "machine": info,
        "chromium": version,
        "settings": {"stickies": args.stickies, "loads": args.loads, "pan_seconds": args.pan_seconds},
        "render_ms": harness.summary(renders),
        "onscreen_stickies": onscreen,
        "pan_fps": round(len(frames) / duration, 1) if duration else 0.0,
        "frame_ms": harness.summary(frames),
        "long_frames": sum(1 for f in frames if f > 25),
    }


def print_report(result: dict[str, Any]) -> None:
    harness.print_machine(result["machine"])
    s = result["settings"]
    print(f"browser: headless Chromium {result['chromium']}, 1440x900")
    print(f"setup: a board of {s['stickies']} stickies, {s['loads']} page loads, {s['pan_seconds']} s of panning")
    print(f"render (navigation start to every sticky painted): {harness.fmt_ms(result['render_ms'])}")
    print(f"stickies on screen after load: {result['onscreen_stickies']} (the rest are culled)")
    print(f"panning: {result['pan_fps']} frames/s; frame time {harness.fmt_ms(result['frame_ms'])}")
    print(f"frames longer than 25 ms: {result['long_frames']}")


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
    started = time.perf_counter()
    result = run(args)
    print_report(result)
    print(f"(took {time.perf_counter() - started:.0f} s)")
    harness.print_json_result(result, args.json)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
