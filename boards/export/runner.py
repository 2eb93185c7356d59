"""Exports are built beside the server, not in it: in a worker process with a time cap.

An export of a large board takes many seconds of CPU. Built in the request it would stall every
request and socket of the server process, and anyone with a board's id could ask for it again and
again. So each export runs in a process of its own (at a lower priority), at most
STORMING_EXPORT_WORKERS at once per server process; the request waits STORMING_EXPORT_WAIT_SECONDS
for it and otherwise answers "being prepared, try again" while the build goes on. A finished
export is kept per (board, seq, options), so asking again costs nothing; a build that passes
STORMING_EXPORT_TIMEOUT_SECONDS is stopped and that board version is refused as too large.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from multiprocessing.connection import Connection
from typing import Any

from django.conf import settings

from . import build_zip, parse_options, render_files, versions

log = logging.getLogger(__name__)

# A fresh process forked from a small server that has imported the export modules already: quick
# to start, and never a copy of the server's threads, sockets or database connections.
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["boards.export"])


class ExportRefused(Exception):
    """Why an export is not answered now: an HTTP status, an error code and what to do."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


def build_archive(
    snapshot: dict[str, Any], query: dict[str, str], released: list[versions.Released] | None = None
) -> bytes:
    """The ZIP of the export: what the worker process runs. `released`: the board's releases."""
    options = parse_options(query, snapshot.get("name", ""))
    plan = versions.plan_with_releases(snapshot, options, released or [])
    return build_zip(render_files(plan), plan.options.package_name)


def _work(
    results: Connection, snapshot: dict[str, Any], query: dict[str, str], released: list[versions.Released]
) -> None:
    os.nice(10)  # the server's own requests and sockets come first
    try:
        results.send(("ok", build_archive(snapshot, query, released)))
    except Exception as error:  # reported to the request, logged there
        results.send(("error", f"{type(error).__name__}: {error}"))


class ExportJobs:
    """The exports of one server process: running, finished (kept by size) and too large."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: dict[str, Future[bytes]] = {}
        self.finished: OrderedDict[str, bytes] = OrderedDict()
        self.too_large: OrderedDict[str, None] = OrderedDict()

    def reserve(self, key: str) -> tuple[Future[bytes], bool]:
        """The build of `key`: finished, running, or (True) newly reserved for the caller to start."""
        with self.lock:
            if key in self.finished:
                self.finished.move_to_end(key)
                done: Future[bytes] = Future()
                done.set_result(self.finished[key])
                return done, False
            if key in self.too_large:
                raise _too_large()
            if key in self.running:
                return self.running[key], False
            if len(self.running) >= settings.STORMING_EXPORT_WORKERS:
                raise ExportRefused(
                    503,
                    "busy",
                    "The server is building other exports just now. Try again in a minute.",
                    retry_after=30,
                )
            future: Future[bytes] = Future()
            future.set_running_or_notify_cancel()  # shared by every request for it: none may cancel it
            self.running[key] = future
            return future, True

    def start(
        self,
        key: str,
        future: Future[bytes],
        snapshot: dict[str, Any],
        query: dict[str, str],
        released: list[versions.Released] | None = None,
    ) -> None:
        args = (key, future, snapshot, query, released or [])
        threading.Thread(target=self._run, args=args, daemon=True).start()

    def abandon(self, key: str, future: Future[bytes], error: BaseException) -> None:
        with self.lock:
            del self.running[key]
        future.set_exception(error)

    def _run(
        self,
        key: str,
        future: Future[bytes],
        snapshot: dict[str, Any],
        query: dict[str, str],
        released: list[versions.Released],
    ) -> None:
        receiver, sender = _context.Pipe(duplex=False)
        try:
            worker = _context.Process(target=_work, args=(sender, snapshot, query, released), daemon=True)
            worker.start()
            sender.close()
            outcome = _outcome(receiver, worker, settings.STORMING_EXPORT_TIMEOUT_SECONDS)
        except Exception as error:
            log.exception("export %s: the worker could not run", key)
            outcome = ("error", str(error))
        finally:
            receiver.close()
        with self.lock:
            del self.running[key]
            if outcome[0] == "ok":
                self._keep(key, outcome[1])
            elif outcome[0] == "timeout":
                self.too_large[key] = None
                while len(self.too_large) > 256:
                    self.too_large.popitem(last=False)
        if outcome[0] == "ok":
            future.set_result(outcome[1])
        elif outcome[0] == "timeout":
            log.warning("export %s: stopped after %d s", key, settings.STORMING_EXPORT_TIMEOUT_SECONDS)
            future.set_exception(_too_large())
        else:
            log.error("export %s failed: %s", key, outcome[1])
            future.set_exception(ExportRefused(500, "export_failed", "The export failed on the server."))

    def _keep(self, key: str, archive: bytes) -> None:
        self.finished[key] = archive
        budget = settings.STORMING_EXPORT_CACHE_MB * 1024 * 1024
        while self.finished and sum(map(len, self.finished.values())) > budget:
            self.finished.popitem(last=False)


def _outcome(receiver: Connection, worker: Any, timeout: float) -> tuple[str, Any]:
    try:
        if receiver.poll(timeout):
            return receiver.recv()
        return ("timeout", None)
    except EOFError:
        return ("error", f"the worker died (exit code {worker.exitcode})")
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()


def _too_large() -> ExportRefused:
    return ExportRefused(
        413,
        "too_large",
        f"This board is too large to export within {settings.STORMING_EXPORT_TIMEOUT_SECONDS} s on this server. "
        "Run `manage.py export_board <id> --out DIR` on the server instead.",
    )


jobs = ExportJobs()


async def archive(
    board_id: str,
    board_name: str,
    seq: int,
    query: dict[str, str],
    load_snapshot: Callable[[], Awaitable[dict[str, Any]]],
    release: int = 0,
    load_releases: Callable[[], Awaitable[list[versions.Released]]] | None = None,
) -> tuple[str, bytes]:
    """The export's folder name and ZIP for this board version and these options, or ExportRefused
    saying why not now. The snapshot is read only when a build starts: a kept export costs nothing.
    `release` is the board's latest release (it changes the export, not the seq)."""
    options = parse_options(query, board_name)  # InvalidOption before any work
    key = json.dumps([board_id, seq, release, options.as_dict()], sort_keys=True, default=str)
    job, mine = jobs.reserve(key)
    if mine:
        try:
            snapshot = await load_snapshot()
            released = await load_releases() if load_releases else []
        except BaseException as error:
            jobs.abandon(key, job, error)
            raise
        jobs.start(key, job, snapshot, query, released)
    if job.done():  # kept from before: wrapping it would take a turn of the loop
        return options.package_name, job.result()
    try:
        wait = settings.STORMING_EXPORT_WAIT_SECONDS
        return options.package_name, await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(job)), wait)
    except TimeoutError:
        raise ExportRefused(
            503,
            "pending",
            "This board is large: its export is still being built. Try again in a few seconds; "
            "it is kept ready for you.",
            retry_after=5,
        ) from None
