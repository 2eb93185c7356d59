#!/usr/bin/env python3
"""Register every event schema under its subject in a Schema Registry, and set its compatibility.

python scripts/register_schemas.py --url http://localhost:8081 [--compatibility BACKWARD] [--dry-run]

Subjects follow the record name strategy: the subject is the event type, so several event types
can share one topic. Registering a schema the subject already holds changes nothing; a schema
the compatibility level refuses is reported and the script exits with status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

SCHEMAS: list[dict[str, str]] = []  # the export writes the subjects here
DEFAULT_COMPATIBILITY = "BACKWARD"  # the export writes its option here
LEVELS = ("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE")


def plan(schemas: list[dict[str, str]], compatibility: str) -> list[str]:
    return [f"{s['subject']}: register {s['schema_type']} schema, compatibility {compatibility}" for s in schemas]


def register(client: Any, schemas: list[dict[str, str]], compatibility: str) -> list[tuple[str, str, str]]:
    """(subject, status, detail) for each schema: status is registered, unchanged or refused."""
    from confluent_kafka.schema_registry import Schema
    from confluent_kafka.schema_registry.error import SchemaRegistryError
    from confluent_kafka.schema_registry.schema_registry_client import ServerConfig

    report = []
    for entry in schemas:
        subject, schema = entry["subject"], Schema(entry["schema"], entry["schema_type"])
        try:
            client.set_config(subject_name=subject, config=ServerConfig(compatibility=compatibility))
            try:
                known = client.lookup_schema(subject, schema)
                report.append((subject, "unchanged", f"version {known.version}, id {known.schema_id}"))
                continue
            except SchemaRegistryError:
                pass  # not registered yet under this subject
            schema_id = client.register_schema(subject, schema)
            version = client.get_latest_version(subject).version
            report.append((subject, "registered", f"version {version}, id {schema_id}, {compatibility}"))
        except SchemaRegistryError as error:
            report.append((subject, "refused", str(error)))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("SCHEMA_REGISTRY_URL"), help="default: $SCHEMA_REGISTRY_URL")
    parser.add_argument("--compatibility", choices=LEVELS, default=DEFAULT_COMPATIBILITY)
    parser.add_argument("--dry-run", action="store_true", help="print what would be registered, touch nothing")
    args = parser.parse_args(argv)
    if args.dry_run:
        for line in plan(SCHEMAS, args.compatibility):
            print(line)
        return 0
    if not args.url:
        parser.error("give --url or set SCHEMA_REGISTRY_URL")
    from confluent_kafka.schema_registry import SchemaRegistryClient

    client = SchemaRegistryClient.new_client({"url": args.url})
    report = register(client, SCHEMAS, args.compatibility)
    for subject, status, detail in report:
        print(f"{status:10} {subject}: {detail}")
    return 1 if any(status == "refused" for _, status, _ in report) else 0


if __name__ == "__main__":
    sys.exit(main())
