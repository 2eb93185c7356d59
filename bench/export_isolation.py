"""Does an anonymous export of a heavy board stall the server? (issue 11)

Starts a Daphne process on a fresh SQLite database, writes a board of --stickies stickies, then
asks for its export.zip the way anyone with one of its keys can (following 503 + Retry-After until
the ZIP comes), while a prober reads a small board's API every 100 ms. Prints how long the ZIP took, how
the probe latency looked meanwhile, and the server's CPU.

    .venv/bin/python bench/export_isolation.py [--stickies 5000] [--json out.json]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    ProcessMeter,
    bench_database,
    create_empty_board,
    create_large_board,
    fmt_ms,
    machine,
    print_machine,
    run_and_report,
    running_servers,
    summary,
)


def keyed(url: str, key: str) -> urllib.request.Request:
    """Every read of a board needs one of its keys."""
    return urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})


def probe(url: str, key: str, stop: threading.Event, latencies: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        with urllib.request.urlopen(keyed(url, key), timeout=120) as response:
            response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        stop.wait(0.1)


def fetch_export(url: str, key: str) -> tuple[int, int, float]:
    """Bytes of the ZIP, how many 'try again' answers came first, seconds to the ZIP."""
    started, retries = time.perf_counter(), 0
    while True:
        try:
            with urllib.request.urlopen(keyed(url, key), timeout=600) as response:
                return len(response.read()), retries, time.perf_counter() - started
        except urllib.error.HTTPError as error:
            if error.code != 503:
                raise
            retries += 1
            time.sleep(float(error.headers.get("Retry-After", "1")))


def run(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"machine": machine(), "stickies": args.stickies}
    with bench_database("sqlite") as database:
        with running_servers(database, "inmemory") as [server]:
            board_id, board_key = create_large_board(database, args.stickies)
            small_id, small_key = create_empty_board(server, "Probe")
            probe_url = f"{server.url}/api/boards/{small_id}/"
            idle: list[float] = []
            stop = threading.Event()
            prober = threading.Thread(target=probe, args=(probe_url, small_key, stop, idle))
            prober.start()
            time.sleep(3)
            stop.set()
            prober.join()
            during: list[float] = []
            stop = threading.Event()
            prober = threading.Thread(target=probe, args=(probe_url, small_key, stop, during))
            meter = ProcessMeter([server.process.pid])
            meter.start()
            prober.start()
            size, retries, seconds = fetch_export(f"{server.url}/api/boards/{board_id}/export.zip", board_key)
            stop.set()
            prober.join()
            result.update(
                zip_bytes=size,
                retries=retries,
                seconds_to_zip=seconds,
                server=meter.stop(),
                probe_idle=summary(idle),
                probe_during=summary(during),
            )
            again = time.perf_counter()
            fetch_export(f"{server.url}/api/boards/{board_id}/export.zip", board_key)
            result["seconds_to_zip_again"] = time.perf_counter() - again
    return result


def print_report(result: dict[str, Any]) -> None:
    print_machine(result["machine"])
    print(f"board: {result['stickies']} stickies; export.zip {result['zip_bytes'] / 1024:.0f} KiB")
    print(f"export: ZIP after {result['seconds_to_zip']:.1f} s ({result['retries']} 'try again' answers first)")
    print(f"same export asked again: {result['seconds_to_zip_again'] * 1000:.0f} ms")
    print(f"server process CPU meanwhile: {result['server']}")
    print(f"probe (small board's API) idle:          {fmt_ms(result['probe_idle'])}")
    print(f"probe while the export is being built:   {fmt_ms(result['probe_during'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stickies", type=int, default=5000)
    parser.add_argument("--json", type=Path)
    run_and_report(run, print_report, parser.parse_args())


if __name__ == "__main__":
    main()
