"""Latency against client count, and the fan-out capacity of one or two processes.

Run: .venv/bin/python bench/scaling.py [--clients 10,20,30,40,50,75,100] [--repeats 3]
     [--setups 1:inmemory,2:redis] [--svg docs/latency-vs-clients.svg] [--json FILE]

Runs bench/fanout.py for every client count and set-up (`processes:layer`), `--repeats` times
each, and keeps the median of each figure. The capacity of a set-up is the largest client count
whose median p99 stays within --p99-limit ms with nothing lost, counted in deliveries per second
(events and cursor batches that reached a client). With --svg it draws p50 and p99 against the
client count. With --balancer the clients go through HAProxy as deployed (deploy/haproxy.cfg),
which puts the one board on one process; bench/many_boards.py spreads many boards instead.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fanout  # noqa: E402
import harness  # noqa: E402


def measure(setup: str, clients: int, args: argparse.Namespace) -> dict[str, Any]:
    processes, layer = setup.split(":")
    runs, noisy = [], []
    # The machine may be shared: a run during which other processes took more than
    # --max-other % of a core is set aside and made again, up to three times as many runs.
    for _ in range(args.repeats * 3):
        if len(runs) == args.repeats:
            break
        load = fanout.parser().parse_args(
            [
                "--clients",
                str(clients),
                "--servers",
                processes,
                "--layer",
                layer,
                "--database",
                args.database,
                "--duration",
                str(args.duration),
                "--rate",
                str(args.rate),
            ]
            + (["--cpu-cap", str(args.cpu_cap)] if args.cpu_cap else [])
            + (["--balancer"] if args.balancer else [])
        )
        run = fanout.run(load)
        quiet = run["other_cpu_percent"] <= args.max_other
        (runs if quiet else noisy).append(run)
        print(
            f"  {setup} {clients} clients: p50 {run['events_latency_ms']['p50']:.1f} "
            f"p99 {run['events_latency_ms']['p99']:.1f} ms, lost {run['lost']}, "
            f"others took {run['other_cpu_percent']:.0f} % of a core{'' if quiet else ' (set aside)'}",
            flush=True,
        )
    if len(runs) < args.repeats:
        runs += sorted(noisy, key=lambda r: r["other_cpu_percent"])[: args.repeats - len(runs)]
    received = [r["events_latency_ms"]["n"] + r["cursor_latency_ms"]["n"] for r in runs]
    return {
        "setup": setup,
        "clients": clients,
        "p50": statistics.median(r["events_latency_ms"]["p50"] for r in runs),
        "p99": statistics.median(r["events_latency_ms"]["p99"] for r in runs),
        "cursor_p99": statistics.median(r["cursor_latency_ms"]["p99"] for r in runs),
        "lost": sum(r["lost"] for r in runs),
        "out_of_order": sum(r["out_of_order"] for r in runs),
        "deliveries_per_second": statistics.median(received) / args.duration,
        "server_cpu_percent": statistics.median(sum(r["server"]["cpu_percent"]) for r in runs),
        "machine_cpu_percent": statistics.median(r["machine_cpu_percent"] for r in runs),
        "runs_p99": [round(r["events_latency_ms"]["p99"], 1) for r in runs],
        "set_aside": len(noisy),
        "other_cpu_percent": statistics.median(r["other_cpu_percent"] for r in runs),
    }


def capacity(points: list[dict[str, Any]], limit: float) -> dict[str, Any] | None:
    good = [p for p in points if p["p99"] <= limit and p["lost"] == 0]
    return max(good, key=lambda p: p["clients"]) if good else None


def svg_plot(points: list[dict[str, Any]], title: str) -> str:
    """A small log-scale line chart of p50 and p99 per set-up, written by hand (no plotting library)."""
    width, height, left, right, top, bottom = 760, 420, 70, 230, 40, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    xs = sorted({p["clients"] for p in points})
    lows = [max(p["p50"], 0.5) for p in points] + [10.0]
    highs = [p["p99"] for p in points] + [100.0]
    y_min, y_max = math.log10(min(lows)) - 0.1, math.log10(max(highs)) + 0.1

    def x_at(clients: float) -> float:
        return left + (clients - xs[0]) / max(1, xs[-1] - xs[0]) * plot_w

    def y_at(ms: float) -> float:
        return top + (y_max - math.log10(max(ms, 0.5))) / (y_max - y_min) * plot_h

    colors = ["#1971c2", "#e8590c", "#2f9e44", "#9c36b5"]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">{title}</text>',
    ]
    for exponent in range(math.floor(y_min), math.ceil(y_max) + 1):
        for mantissa in (1, 2, 5):
            ms = mantissa * 10**exponent
            if y_min <= math.log10(ms) <= y_max:
                y = y_at(ms)
                out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e9ecef"/>')
                out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{ms:g}</text>')
    for clients in xs:
        out.append(f'<text x="{x_at(clients):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{clients}</text>')
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">clients on one board</text>')
    out.append(
        f'<text x="16" y="{top + plot_h / 2}" transform="rotate(-90 16 {top + plot_h / 2})" '
        f'text-anchor="middle">event latency, ms (log scale)</text>'
    )
    for target, label in ((10, "p50 target 10 ms"), (50, "p99 target 50 ms (30 clients)"), (100, "p99 target 100 ms")):
        if y_min <= math.log10(target) <= y_max:
            y = y_at(target)
            out.append(
                f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#adb5bd" stroke-dasharray="4 4"/>'
            )
            out.append(f'<text x="{left + plot_w - 4}" y="{y - 4:.1f}" text-anchor="end" fill="#868e96">{label}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#495057"/>')
    setups = list(dict.fromkeys(p["setup"] for p in points))
    for i, setup in enumerate(setups):
        color = colors[i % len(colors)]
        series = sorted((p for p in points if p["setup"] == setup), key=lambda p: p["clients"])
        for key, dash in (("p50", ""), ("p99", ' stroke-dasharray="6 3"')):
            path = " ".join(f"{x_at(p['clients']):.1f},{y_at(p[key]):.1f}" for p in series)
            out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
            for p in series:
                out.append(f'<circle cx="{x_at(p["clients"]):.1f}" cy="{y_at(p[key]):.1f}" r="3" fill="{color}"/>')
        processes, layer = setup.split(":")
        name = f"{processes} process{'es' if processes != '1' else ''}, {layer}"
        y = top + 10 + i * 40
        out.append(
            f'<line x1="{left + plot_w + 14}" x2="{left + plot_w + 38}" y1="{y}" y2="{y}" stroke="{color}" stroke-width="2"/>'
        )
        out.append(f'<text x="{left + plot_w + 44}" y="{y + 4}">{name} p50</text>')
        out.append(
            f'<line x1="{left + plot_w + 14}" x2="{left + plot_w + 38}" y1="{y + 16}" y2="{y + 16}" '
            f'stroke="{color}" stroke-width="2" stroke-dasharray="6 3"/>'
        )
        out.append(f'<text x="{left + plot_w + 44}" y="{y + 20}">{name} p99</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", default="10,20,30,40,50,75,100")
    p.add_argument("--setups", default="1:inmemory,2:redis", help="processes:layer, comma-separated")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--rate", type=float, default=100.0)
    p.add_argument("--database", default="sqlite", choices=("sqlite", "postgres"))
    p.add_argument("--p99-limit", type=float, default=100.0)
    p.add_argument("--max-other", type=float, default=40.0, help="%% of a core other processes may take in a run")
    p.add_argument(
        "--cpu-cap",
        type=float,
        help="let each server process use at most this fraction of a core (a cgroup quota; needs root): "
        "on a machine with too few cores for servers and load generator, this shows what a second process adds",
    )
    p.add_argument(
        "--balancer",
        action="store_true",
        help="clients connect through HAProxy (deploy/haproxy.cfg), which pins each board to one process",
    )
    p.add_argument("--svg", help="write the plot here")
    p.add_argument("--json", help="write the figures here")
    args = p.parse_args(argv)
    info = harness.machine()
    harness.print_machine(info)
    points = []
    for setup in args.setups.split(","):
        for clients in [int(c) for c in args.clients.split(",")]:
            points.append(measure(setup, clients, args))
    print(f"{'set-up':>12} {'clients':>7} {'p50':>7} {'p99':>7} {'cursor p99':>10} {'lost':>5} {'deliveries/s':>12}")
    for point in points:
        print(
            f"{point['setup']:>12} {point['clients']:>7} {point['p50']:>7.1f} {point['p99']:>7.1f} "
            f"{point['cursor_p99']:>10.1f} {point['lost']:>5} {point['deliveries_per_second']:>12.0f}"
        )
    capacities = {}
    for setup in args.setups.split(","):
        best = capacity([p for p in points if p["setup"] == setup], args.p99_limit)
        capacities[setup] = best
        if best:
            print(
                f"capacity of {setup} (p99 <= {args.p99_limit:g} ms, nothing lost): {best['clients']} clients, "
                f"{best['deliveries_per_second']:.0f} deliveries/s"
            )
        else:
            print(f"capacity of {setup}: no client count met p99 <= {args.p99_limit:g} ms")
    result = {"benchmark": "scaling", "machine": info, "points": points, "capacity": capacities}
    if args.svg:
        title = f"Event latency on one board, {args.rate:g} ops/s, cursors 20 Hz"
        if args.cpu_cap:
            title += f", each process at {args.cpu_cap:g} of a core"
        Path(args.svg).write_text(svg_plot(points, title))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
