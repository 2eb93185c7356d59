"""The benchmarks still run: a few seconds of each, through the same scripts a person runs.

Not timed: the figures depend on the machine. What must hold anywhere is that every event
reached every client, in order.
"""

from __future__ import annotations

import json
import os
import shutil
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


def test_store_bench_stores_every_op_without_gaps(tmp_path):
    figures = smoke(tmp_path, "store_bench.py")
    assert [row["ops_per_batch"] for row in figures["rows"]] == [1, 10]
    assert figures["seq"] == figures["events"] == figures["ops"]


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


def test_fanout_against_the_reference_relay_reports_both_and_the_ratios(tmp_path):
    import sys

    sys.path.insert(0, str(BENCH))
    import reference_relay

    need(
        "the reference relay's relay_room.mjs (shared/bench/ beside the repository)",
        reference_relay.find_script() is not None,
    )
    need("Node.js and npm", bool(shutil.which("node") and shutil.which("npm")))
    figures = smoke(tmp_path, "fanout.py", "--against-relay")
    relay = figures["relay"]
    assert relay["events_latency_ms"]["n"] > 0 and relay["lost"] == 0, "every op reached every other relay client"
    assert (figures["lost"], figures["out_of_order"], figures["rejected"]) == (0, 0, 0)
    assert figures["ratios"]["p50"] > 0 and figures["ratios"]["cpu_ms_per_op"] > 0
    assert figures["cpu_ms_per_op"] > 0 and relay["cpu_ms_per_op"] > 0


def test_many_boards_on_one_process_and_on_two_behind_haproxy_lose_nothing(tmp_path, redis_url):
    need("HAProxy (Debian package haproxy)", bool(shutil.which("haproxy")) or Path("/usr/sbin/haproxy").exists())
    figures = smoke(tmp_path, "many_boards.py")
    assert [(r["setup"], r["balancer"]) for r in figures["rows"]] == [("1:inmemory", False), ("2:pubsub", True)]
    for row in figures["rows"]:
        assert row["deliveries"] > 0 and row["cpu_ms_per_op"] > 0
        assert (row["lost"], row["out_of_order"], row["rejected"]) == (0, 0, 0)
    assert sum(figures["rows"][1]["boards_per_process"].values()) == 2


def test_soak_loses_no_acked_op_and_lets_rooms_go(tmp_path):
    figures = smoke(tmp_path, "soak.py")
    assert figures["acked"] > 0 and figures["lost"] == 0
    assert figures["live_after"]["rooms"] == 0, "every room is let go once its board is empty"


def test_profile_parts_puts_each_sample_in_the_first_part_it_belongs_to(tmp_path):
    sys.path.insert(0, str(BENCH))
    import profile_parts

    stacks = tmp_path / "profile.txt"
    stacks.write_text(
        "_worker (concurrent/futures/thread.py:83);apply_ops (boards/store.py:147) 6\n"
        "BoardRoom._commit (boards/live/room.py:1);BoardAudience.deliver (boards/live/audience.py:2);"
        "Server.handle_reply (daphne/server.py:246) 3\n"
        "BaseEventLoop._run_once (asyncio/base_events.py:1) 1\n"
    )
    total, parts = profile_parts.shares(str(stacks))
    assert total == 10
    assert parts["store: the op's transaction (apply_ops)"] == 60.0  # not a thread hop: store comes first
    assert parts["fan-out of events (deliver/push to every socket)"] == 30.0
    assert parts["of which socket sends (Daphne handle_reply and below)"] == 30.0
    assert parts[profile_parts.REST] == 10.0
