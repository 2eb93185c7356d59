"""`manage.py relay_board_events`: publish every board's event log to Kafka (see boards/relay.py)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from boards.relay import PassResult, Relay, RelayConfig, RelayError, exclusive


class Command(BaseCommand):
    help = (
        "Publish the boards' event logs to a Kafka topic, in order per board, resuming where the "
        "last run stopped. Runs until SIGTERM or Ctrl+C; --once stops when it has caught up."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="publish what is pending, then exit")
        parser.add_argument("--bootstrap", metavar="HOST:PORT", help="the cluster (default: KAFKA_BOOTSTRAP_SERVERS)")
        parser.add_argument("--topic", help="the topic (default: STORMING_RELAY_TOPIC)")
        parser.add_argument(
            "--poll-interval", type=float, default=1.0, metavar="S", help="seconds between looks at the log when idle"
        )
        parser.add_argument("--batch-size", type=int, help="events of one board per pass")
        parser.add_argument(
            "--connect-timeout", type=float, default=10.0, metavar="S", help="how long to wait for the cluster"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["poll_interval"] <= 0:
            raise CommandError("--poll-interval must be more than 0 seconds.")
        if options["batch_size"] is not None and options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        stop = threading.Event()
        try:
            config = RelayConfig.from_settings(
                bootstrap=options["bootstrap"],
                topic=options["topic"],
                batch_size=options["batch_size"],
                connect_timeout=options["connect_timeout"],
            )
            with exclusive(config.topic):
                relay = Relay(config)
                relay.connect()
                last = self.relay(relay, stop, options)
        except RelayError as error:
            raise CommandError(str(error)) from None
        if options["once"] and last.errors:
            raise CommandError(f"{len(last.errors)} board(s) could not be published; see the log above.")
        self.stdout.write("Stopped." if stop.is_set() else "Caught up.")

    def relay(self, relay: Relay, stop: threading.Event, options: dict[str, Any]) -> PassResult:
        # Finish the batch in flight and record it, so a restart does not send it again.
        def request_stop(signum: int, frame: Any) -> None:
            self.stderr.write(f"{signal.Signals(signum).name}: stopping after the current batch")
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(f"Relaying board events to {relay.config.topic} on {relay.config.bootstrap}")
        try:
            return relay.run(stop, poll_interval=options["poll_interval"], once=options["once"])
        finally:
            relay.close()
