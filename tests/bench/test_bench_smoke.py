"""The benchmarks still run: a few seconds of each, through the same scripts a person runs.

Not timed: the figures depend on the machine. What must hold anywhere is that every event
reached every client, in order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import need

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def smoke(tmp_path: Path, script: str, *args: str) -> dict:
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--smoke", "--json", str(out), *args],
        cwd=BENCH.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "machine:" in done.stdout, "every benchmark says what machine it ran on"
    return json.loads(out.read_text())


def test_fanout_delivers_every_event_to_every_client_in_order(tmp_path):
    figures = smoke(tmp_path, "fanout.py")
    assert figures["events"] > 0
    assert figures["events_latency_ms"]["n"] > 0 and figures["cursor_latency_ms"]["n"] > 0
    assert (figures["lost"], figures["out_of_order"], figures["rejected"], figures["unacked"]) == (0, 0, 0, 0)


def test_fanout_across_two_processes_behind_redis_loses_nothing(tmp_path, redis_url):
    figures = smoke(tmp_path, "fanout.py", "--servers", "2", "--layer", "redis")
    assert figures["events_latency_ms"]["n"] > 0
    assert (figures["lost"], figures["out_of_order"], figures["rejected"]) == (0, 0, 0)


def test_join_hands_every_sticky_to_the_joiner(tmp_path):
    figures = smoke(tmp_path, "join.py")
    assert [row["stickies"] for row in figures["sizes"]] == [200] and "error" not in figures["sizes"][0]
    assert figures["sizes"][0]["server_ms"]["n"] == 3


def test_memory_reports_growth_above_idle_with_nothing_lost(tmp_path):
    figures = smoke(tmp_path, "memory.py")
    assert figures["peak_rss_mb"] >= figures["idle_rss_mb"] > 0
    assert (figures["lost"], figures["out_of_order"]) == (0, 0)


@pytest.mark.browser
def test_browser_renders_the_board_and_pans(tmp_path):
    need(f"Chromium at {CHROMIUM}", Path(CHROMIUM).exists())
    figures = smoke(tmp_path, "browser.py")
    assert figures["onscreen_stickies"] > 0
    assert figures["pan_fps"] > 0


def test_soak_loses_no_acked_op_and_lets_rooms_go(tmp_path):
    figures = smoke(tmp_path, "soak.py")
    assert figures["acked"] > 0 and figures["lost"] == 0
    assert figures["live_after"]["rooms"] == 0, "every room is let go once its board is empty"
