"""The outbox relay: each board's event log published to a Kafka topic, in seq order, at least once.

The BoardEvent log is the outbox: it is written in the same transaction as the board's state, so
every change a user saw is in it. The relay reads the events past a board's RelayPosition, produces
them with an idempotent producer, waits for the broker's acknowledgements and only then moves the
position on. A crash between the two makes the restarted relay send that last batch again (at least
once); a normal stop finishes the batch and records it, so nothing is sent twice.

One relay per topic and database: two would each publish every event, so `exclusive` makes a
second one refuse to start.
"""

from __future__ import annotations

import fcntl
import functools
import json
import logging
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from boards.models import Board, BoardEvent, RelayPosition

log = logging.getLogger(__name__)
# librdkafka's own chatter (reconnect attempts, ...) goes here instead of raw lines on stderr.
kafka_log = logging.getLogger("boards.relay.kafka")

Header = tuple[str, bytes]


class RelayError(Exception):
    """Something a person has to fix before the relay can work; the message says what."""


@dataclass(frozen=True)
class RelayConfig:
    bootstrap: str
    topic: str = "storming.board-events"
    partitions: int = 3
    replication_factor: int = -1  # -1: the cluster's default
    batch_size: int = 500  # events of one board per pass
    boards_per_pass: int = 50
    connect_timeout: float = 10.0
    delivery_timeout: float = 30.0

    @classmethod
    def from_settings(cls, **overrides: Any) -> RelayConfig:
        values = {
            "bootstrap": settings.KAFKA_BOOTSTRAP_SERVERS,
            "topic": settings.STORMING_RELAY_TOPIC,
            "partitions": settings.STORMING_RELAY_PARTITIONS,
            "replication_factor": settings.STORMING_RELAY_REPLICATION_FACTOR,
            "batch_size": settings.STORMING_RELAY_BATCH_SIZE,
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        if not values["bootstrap"]:
            raise RelayError("No Kafka cluster configured: set KAFKA_BOOTSTRAP_SERVERS or pass --bootstrap HOST:PORT.")
        return cls(**values)


@contextmanager
def exclusive(topic: str) -> Iterator[None]:
    """Hold the lock that lets one relay publish to `topic` from this database; RelayError if taken.

    PostgreSQL: a session advisory lock, released by the server even when the process dies.
    SQLite: an flock on a file beside the database, released by the kernel likewise.
    """
    busy = RelayError(
        f"Another relay is already publishing to {topic} from this database. "
        "Stop it first: two relays would publish every event twice."
    )
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"storming-relay:{topic}".encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            if not cursor.fetchone()[0]:
                raise busy
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    database = Path(str(connection.settings_dict["NAME"]))
    if connection.vendor != "sqlite" or not database.is_file():
        yield  # an in-memory database has no other process to guard against
        return
    with open(database.with_name(f"{database.name}.relay-{topic}.lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy from None
        yield


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def event_record(board_id: str, event: dict[str, Any]) -> tuple[bytes, bytes, list[Header]]:
    """Key, value and headers of one log entry (`event` holds BoardEvent's seq/type/data/actor/at).

    The key is the board id as a JSON string, so one board's events share a partition and keep
    their order. The CloudEvents headers (Kafka binding, binary mode) let a consumer route on the
    event type without parsing the value.
    """
    at = event["at"].isoformat() if isinstance(event["at"], datetime) else str(event["at"])
    value = {
        "board": board_id,
        "seq": event["seq"],
        "event": event["type"],
        "data": event["data"],
        "actor": event["actor"],
        "at": at,
    }
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", f"{board_id}:{event['seq']}".encode()),
        ("ce_type", event["type"].encode()),
        ("ce_source", f"/boards/{board_id}".encode()),
        ("ce_time", at.encode()),
        ("content-type", b"application/json"),
    ]
    return _json(board_id), _json(value), headers


@dataclass
class PassResult:
    """What one pass over the pending boards did."""

    published: int = 0
    boards: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # board id -> why its batch stopped

    @property
    def idle(self) -> bool:
        return self.boards == 0


class Relay:
    def __init__(self, config: RelayConfig) -> None:
        self.config = config
        self._producer: Producer | None = None
        self._fatal: KafkaError | None = None
        self._cluster_down = False

    # -- the cluster -------------------------------------------------------------------------

    def _client_config(self) -> dict[str, Any]:
        return {"bootstrap.servers": self.config.bootstrap, "client.id": "storming-relay", "logger": kafka_log}

    def connect(self) -> None:
        """Check that the cluster answers and that the topic exists (creating it if not)."""
        unreachable = (
            f"Could not reach the Kafka cluster at {self.config.bootstrap} within {self.config.connect_timeout:g} s"
        )
        advice = "Check that the broker is running and that KAFKA_BOOTSTRAP_SERVERS (or --bootstrap) names it."
        try:
            admin = AdminClient(self._client_config())
            metadata = admin.list_topics(timeout=self.config.connect_timeout)
        except KafkaException as error:
            raise RelayError(f"{unreachable} ({_reason(error)}). {advice}") from None
        topic = metadata.topics.get(self.config.topic)
        if topic is None or topic.error is not None:
            self._create_topic(admin)
        self._producer = self._new_producer()

    def _create_topic(self, admin: AdminClient) -> None:
        new = NewTopic(
            self.config.topic,
            num_partitions=self.config.partitions,
            replication_factor=self.config.replication_factor,
        )
        future = admin.create_topics([new], request_timeout=self.config.connect_timeout)[self.config.topic]
        try:
            future.result()
            log.info("Created topic %s with %d partitions", self.config.topic, self.config.partitions)
        except KafkaException as error:
            if error.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS:
                return  # another process made it meanwhile: just as good
            raise RelayError(
                f"The topic {self.config.topic} does not exist and could not be created ({_reason(error)}). "
                "Create it on the cluster, or let the relay's user create topics."
            ) from None

    def _new_producer(self) -> Producer:
        return Producer(
            {
                **self._client_config(),
                # Idempotence: the broker drops the copies that the producer's own retries make, and
                # keeps one board's events in the order they were produced.
                "enable.idempotence": True,
                # The key-to-partition mapping of the Java clients, so other tools agree on it.
                "partitioner": "murmur2_random",
                "linger.ms": 5,
                "message.timeout.ms": int(self.config.delivery_timeout * 1000),
                "error_cb": self._on_error,
            }
        )

    def _on_error(self, error: KafkaError) -> None:
        if error.fatal():
            self._fatal = error
        elif error.code() == KafkaError._ALL_BROKERS_DOWN and not self._cluster_down:
            self._cluster_down = True
            log.warning("Lost the Kafka cluster at %s; retrying: %s", self.config.bootstrap, error.str())

    def close(self) -> None:
        if self._producer is not None:
            self._producer.flush(self.config.delivery_timeout)
            self._producer = None

    # -- the outbox --------------------------------------------------------------------------

    def pending_boards(self) -> list[tuple[str, int]]:
        """(board id, last relayed seq) of boards with unpublished events, least recently relayed first."""
        position = RelayPosition.objects.filter(board=OuterRef("pk"), topic=self.config.topic)
        rows = (
            Board.objects.annotate(
                relayed=Coalesce(Subquery(position.values("last_seq")[:1]), Value(0)),
                relayed_at=Subquery(position.values("updated_at")[:1]),
            )
            .filter(seq__gt=F("relayed"))
            .order_by(F("relayed_at").asc(nulls_first=True), "pk")
            .values_list("pk", "relayed")[: self.config.boards_per_pass]
        )
        return [(str(pk), relayed) for pk, relayed in rows]

    def publish_pending(self) -> PassResult:
        """Publish one batch of every pending board, wait for the broker, record how far each got."""
        if self._producer is None:
            raise RuntimeError("call connect() first")
        self._cluster_down = False
        result = PassResult()
        batches: dict[str, list[dict[str, Any]]] = {}
        for board_id, relayed in self.pending_boards():
            events = list(
                BoardEvent.objects.filter(board_id=board_id, seq__gt=relayed)
                .order_by("seq")
                .values("seq", "type", "data", "actor", "at")[: self.config.batch_size]
            )
            batches[board_id] = _contiguous(events, relayed)
            if not batches[board_id]:
                result.errors[board_id] = f"seq {relayed + 1} is missing from the log; waiting for it"
        reports: dict[tuple[str, int], KafkaError | None] = {}
        for board_id, events in batches.items():
            for event in events:
                key, value, headers = event_record(board_id, event)
                self._produce(key, value, headers, functools.partial(_report, reports, board_id, event["seq"]))
        # Longer than message.timeout.ms: by then every message has its report, so none is left
        # in the queue to go out again behind a retry of the same event.
        self._producer.flush(self.config.delivery_timeout + 5)

        now = timezone.now()
        with transaction.atomic():
            for board_id, events in batches.items():
                delivered, error = _delivered_prefix(board_id, events, reports)
                error = error or result.errors.get(board_id, "")
                self._record(board_id, delivered, error, now)
                result.boards += 1
                result.published += len(delivered)
                if error:
                    result.errors[board_id] = error
        if self._fatal is not None:
            # The idempotent producer cannot go on after a fatal error; a new one starts clean
            # and the undelivered events are sent again next pass.
            log.error("Kafka producer failed (%s); starting a new one", self._fatal.str())
            self._fatal = None
            self._producer = self._new_producer()
        return result

    def _produce(self, key: bytes, value: bytes, headers: list[Header], on_delivery: Any) -> None:
        assert self._producer is not None
        while True:
            try:
                self._producer.produce(self.config.topic, value, key, headers=headers, on_delivery=on_delivery)
                return
            except BufferError:
                self._producer.poll(0.5)  # the local queue is full: let deliveries drain it

    def _record(self, board_id: str, delivered: list[int], error: str, now: datetime) -> None:
        position, _ = RelayPosition.objects.select_for_update().get_or_create(
            board_id=board_id, topic=self.config.topic
        )
        if delivered:
            position.last_seq = max(position.last_seq, delivered[-1])
            position.last_error = ""
        if error:
            position.last_error = error
            position.last_error_at = now
            position.error_count += 1
        position.save()

    def run(self, stop: threading.Event, poll_interval: float = 1.0, once: bool = False) -> PassResult:
        """Publish until `stop` is set (or, with `once`, until nothing is pending). Returns the last pass."""
        failures = 0
        result = PassResult()
        while not stop.is_set():
            result = self.publish_pending()
            if result.published:
                log.info("Published %d events of %d boards to %s", result.published, result.boards, self.config.topic)
            for board_id, error in result.errors.items():
                log.warning("Board %s: %s", board_id, error)
            if once and (result.idle or result.errors):
                break
            failures = failures + 1 if result.errors else 0
            if result.errors:
                stop.wait(min(poll_interval * 2**failures, 30.0))  # back off while the cluster is ill
            elif not result.published:
                stop.wait(poll_interval)
        return result


def _reason(error: KafkaException) -> str:
    first = error.args[0] if error.args else error
    return first.str() if isinstance(first, KafkaError) else str(first)


def _report(reports: dict, board_id: str, seq: int, error: KafkaError | None, message: Any) -> None:
    reports[(board_id, seq)] = error


def _contiguous(events: list[dict[str, Any]], relayed: int) -> list[dict[str, Any]]:
    """The events up to the first gap in seq: publishing past one would break the per-board order."""
    for index, event in enumerate(events):
        if event["seq"] != relayed + 1 + index:
            return events[:index]
    return events


def _delivered_prefix(
    board_id: str, events: list[dict[str, Any]], reports: dict[tuple[str, int], KafkaError | None]
) -> tuple[list[int], str]:
    """The seqs delivered without a gap, and why the rest were not (empty when all were)."""
    delivered: list[int] = []
    for event in events:
        seq = event["seq"]
        if (board_id, seq) not in reports:
            return delivered, f"seq {seq}: no delivery report from the broker"
        error = reports[(board_id, seq)]
        if error is not None:
            return delivered, f"seq {seq}: {error.str()}"
        delivered.append(seq)
    return delivered, ""
