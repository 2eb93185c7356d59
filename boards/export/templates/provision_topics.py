"""Create the board's Kafka topics. Idempotent: creates what is missing, reports what exists or
differs from the plan, and never deletes or alters a topic.

    python scripts/provision_topics.py --bootstrap localhost:9092 [--dry-run]
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

TOPICS: list[dict[str, Any]] = []  # the export writes the planned topics here


class Unreachable(RuntimeError):
    pass


def existing_topics(admin: Any, timeout: float) -> dict[str, int]:
    """Topic name -> partition count; raises Unreachable when no broker answers."""
    from confluent_kafka import KafkaException

    try:
        metadata = admin.list_topics(timeout=timeout)
    except KafkaException as error:
        raise Unreachable(str(error.args[0].str() if error.args else error)) from None
    return {name: len(t.partitions) for name, t in metadata.topics.items()}


def current_configs(admin: Any, names: list[str], timeout: float) -> dict[str, dict[str, str]]:
    from confluent_kafka.admin import ConfigResource

    if not names:
        return {}
    futures = admin.describe_configs([ConfigResource("topic", n) for n in names])
    result = {}
    for resource, future in futures.items():
        try:
            result[resource.name] = {k: v.value for k, v in future.result(timeout).items()}
        except Exception:  # noqa: BLE001 - a broker that cannot describe still gets a report
            result[resource.name] = {}
    return result


def differences(topic: dict[str, Any], partitions: int, configs: dict[str, str]) -> list[str]:
    found = []
    if partitions != topic["partitions"]:
        found.append(f"partitions {partitions} (planned {topic['partitions']})")
    for key, planned in topic["configs"].items():
        if key in configs and configs[key] != planned:
            found.append(f"{key} {configs[key]} (planned {planned})")
    return found


def provision(
    admin: Any, topics: list[dict[str, Any]], dry_run: bool = False, timeout: float = 10.0
) -> list[tuple[str, str, str]]:
    """Return (topic, status, detail) for each planned topic; status is created, would create,
    exists, differs or failed."""
    from confluent_kafka.admin import NewTopic

    present = existing_topics(admin, timeout)
    found = [t["name"] for t in topics if t["name"] in present]
    configs = current_configs(admin, found, timeout)
    report: list[tuple[str, str, str]] = []
    missing = []
    for topic in topics:
        name = topic["name"]
        if name not in present:
            missing.append(topic)
            continue
        diff = differences(topic, present[name], configs.get(name, {}))
        report.append((name, "differs", "; ".join(diff)) if diff else (name, "exists", ""))
    if dry_run:
        return report + [(t["name"], "would create", _describe(t)) for t in missing]
    if missing:
        new = [NewTopic(t["name"], t["partitions"], t["replication_factor"], config=t["configs"]) for t in missing]
        for topic, (name, future) in zip(missing, admin.create_topics(new).items(), strict=True):
            try:
                future.result(timeout)
                report.append((name, "created", _describe(topic)))
            except Exception as error:  # noqa: BLE001 - report each topic, go on with the rest
                report.append((name, "failed", str(error)))
    return report


def _describe(topic: dict[str, Any]) -> str:
    configs = ", ".join(f"{k}={v}" for k, v in topic["configs"].items())
    return f"{topic['partitions']} partition(s), replication {topic['replication_factor']}, {configs}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bootstrap",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS"),
        help="HOST:PORT of the cluster (default: $KAFKA_BOOTSTRAP_SERVERS)",
    )
    parser.add_argument("--dry-run", action="store_true", help="report, create nothing")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    if not args.bootstrap:
        parser.error("give --bootstrap HOST:PORT or set KAFKA_BOOTSTRAP_SERVERS")
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    try:
        report = provision(admin, TOPICS, dry_run=args.dry_run, timeout=args.timeout)
    except Unreachable as error:
        print(f"Cannot reach Kafka at {args.bootstrap}: {error}", file=sys.stderr)
        return 2
    for name, status, detail in report:
        print(f"{status:12} {name}  {detail}".rstrip())
    return 1 if any(status == "failed" for _, status, _ in report) else 0


if __name__ == "__main__":
    sys.exit(main())
