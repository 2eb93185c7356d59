"""A large board's export is built beside the server, capped in time, and kept once built."""

import asyncio
import io
import json
import time
import zipfile
from pathlib import Path

import pytest

from bench.export_bench import generated_board
from boards import store
from boards.export import runner
from boards.export.runner import ExportJobs, ExportRefused

CHECKOUT = json.loads((Path(__file__).resolve().parents[2] / "boards/examples/checkout.json").read_text())


async def export(snapshot: dict, query: dict) -> bytes:
    async def load() -> dict:
        return snapshot

    _, data = await runner.archive("heavy", snapshot["name"], snapshot["seq"], query, load)
    return data


@pytest.fixture(autouse=True)
def _fresh_jobs(monkeypatch):
    monkeypatch.setattr(runner, "jobs", ExportJobs())


def wait_for_zip(client, url: str, key: str, seconds: float = 120) -> tuple[list[int], bytes]:
    statuses = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
        statuses.append(response.status_code)
        if response.status_code == 200:
            return statuses, response.content
        assert response.status_code == 503, response.content
        assert response.json()["error"]["code"] == "pending"
        assert int(response["Retry-After"]) > 0
        time.sleep(0.2)
    raise AssertionError(f"no export within {seconds} s: {statuses[-5:]}")


@pytest.mark.django_db
def test_an_export_not_ready_in_time_says_try_again_and_is_then_served_from_memory(client, settings):
    settings.STORMING_EXPORT_WAIT_SECONDS = 0
    board = store.create_board(CHECKOUT["name"], CHECKOUT)
    url = f"/api/boards/{board.id}/export.zip?partitions=6"
    statuses, data = wait_for_zip(client, url, board.view_key)
    assert statuses[0] == 503, "with no time to wait, the first answer should have been 'pending'"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "partitions: 6" in archive.read("checkout_example/topics/topics.yaml").decode()
    assert data == runner.build_archive(store.snapshot(board.id), {"partitions": "6"}), "not the export of this board"
    again = client.get(
        url, HTTP_AUTHORIZATION=f"Bearer {board.view_key}"
    )  # the same board version and options: no new build, no wait
    assert again.status_code == 200 and again.content == data


async def test_a_build_past_the_time_cap_is_stopped_and_that_version_refused_as_too_large(settings):
    settings.STORMING_EXPORT_TIMEOUT_SECONDS = 1
    settings.STORMING_EXPORT_WAIT_SECONDS = 60
    heavy = generated_board(4000)  # several seconds of CPU
    started = time.monotonic()
    with pytest.raises(ExportRefused) as refused:
        await export(heavy, {})
    assert refused.value.status == 413 and refused.value.code == "too_large"
    assert "manage.py export_board" in refused.value.message
    assert time.monotonic() - started < 30, "the cap did not stop the build"
    assert not runner.jobs.running
    with pytest.raises(ExportRefused) as again:  # asked again: refused at once, not rebuilt
        await asyncio.wait_for(export(heavy, {}), 1)
    assert again.value.code == "too_large"


async def test_past_the_worker_limit_another_export_is_refused_as_busy(settings):
    settings.STORMING_EXPORT_WORKERS = 1
    settings.STORMING_EXPORT_WAIT_SECONDS = 0
    heavy = generated_board(2000)
    with pytest.raises(ExportRefused) as first:
        await export(heavy, {})
    assert first.value.code == "pending"
    with pytest.raises(ExportRefused) as second:
        await export(heavy, {"partitions": "6"})
    assert (second.value.status, second.value.code, second.value.retry_after) == (503, "busy", 30)
    with pytest.raises(ExportRefused) as same:  # the same export again joins the one being built
        await export(heavy, {})
    assert same.value.code == "pending"
    settings.STORMING_EXPORT_WAIT_SECONDS = 120
    assert (await export(heavy, {}))[:2] == b"PK"
