"""The export's options: defaults, and parsing them from query parameters or the command line."""

from __future__ import annotations

import dataclasses
import keyword
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from .naming import derive

TOPIC_LAYOUTS = ("aggregate", "event")
VALUE_FORMATS = ("json", "avro")
CLEANUP_POLICIES = ("delete", "compact", "compact,delete")
# Schema Registry compatibility levels; BACKWARD lets consumers upgrade first, Confluent's default.
COMPATIBILITY_LEVELS = (
    "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE",
)  # fmt: skip
MAX_PARTITIONS = 1000
MAX_REPLICATION = 10
MIN_RETENTION_MS = 60_000  # shorter than a minute is a typo, not a policy
WEEK_MS = 7 * 24 * 3600 * 1000
_PACKAGE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# A generated package with one of these names would shadow what it imports.
_TAKEN_PACKAGES = frozenset(sys.stdlib_module_names) | {
    "confluent_kafka",
    "fastavro",
    "avro",
    "attrs",
    "authlib",
    "cachetools",
    "certifi",
    "httpx2",
    "jsonschema",
    "test",
    "tests",
    "pytest",
    "yaml",
    "setuptools",
}


class InvalidOption(ValueError):
    """An option value a person has to fix; the message says how."""


@dataclass(frozen=True)
class ExportOptions:
    topic_layout: str = "aggregate"
    partitions: int = 3
    # One replica works on the local single-broker docker-compose; raise it for a real cluster.
    replication_factor: int = 1
    retention_ms: int = WEEK_MS
    cleanup_policy: str = "delete"
    value_format: str = "json"
    package_name: str = "storming_export"
    compatibility: str = "BACKWARD"

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def default_package_name(board_name: str) -> str:
    snake = derive(board_name).snake.strip("_")[:32].strip("_")
    if not _PACKAGE.match(snake) or keyword.iskeyword(snake):
        return ExportOptions.package_name
    if snake in _TAKEN_PACKAGES:
        return f"{snake}_events"
    return snake


def _integer(key: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise InvalidOption(f"{key} must be a whole number, got {raw!r}.") from None
    if not low <= value <= high:
        raise InvalidOption(f"{key} must be between {low} and {high}, got {value}.")
    return value


def _choice(key: str, raw: str, choices: tuple[str, ...]) -> str:
    if raw not in choices:
        raise InvalidOption(f"{key} must be one of {', '.join(choices)}; got {raw!r}.")
    return raw


def parse_options(params: Mapping[str, str], board_name: str = "") -> ExportOptions:
    """Build options from string values (a query string, CLI flags); missing keys keep defaults."""
    known = {f.name for f in dataclasses.fields(ExportOptions)}
    unknown = sorted(set(params) - known)
    if unknown:
        raise InvalidOption(f"Unknown option {unknown[0]!r}; the options are {', '.join(sorted(known))}.")
    values: dict[str, object] = {"package_name": default_package_name(board_name)}
    for key, raw in params.items():
        if key == "topic_layout":
            values[key] = _choice(key, raw, TOPIC_LAYOUTS)
        elif key == "value_format":
            values[key] = _choice(key, raw, VALUE_FORMATS)
        elif key == "compatibility":
            values[key] = _choice(key, raw.upper(), COMPATIBILITY_LEVELS)
        elif key == "cleanup_policy":
            values[key] = _choice(key, raw, CLEANUP_POLICIES)
        elif key == "partitions":
            values[key] = _integer(key, raw, 1, MAX_PARTITIONS)
        elif key == "replication_factor":
            values[key] = _integer(key, raw, 1, MAX_REPLICATION)
        elif key == "retention_ms":
            value = _integer(key, raw, -1, 10 * 365 * 24 * 3600 * 1000)
            if value != -1 and value < MIN_RETENTION_MS:
                raise InvalidOption(
                    f"retention_ms must be -1 (keep forever) or at least {MIN_RETENTION_MS} (one minute), got {value}."
                )
            values[key] = value
        elif key == "package_name":
            if not _PACKAGE.match(raw) or keyword.iskeyword(raw):
                raise InvalidOption(
                    "package_name must be a lowercase Python name: a letter, then letters,"
                    f" digits or underscores, at most 40 characters; got {raw!r}."
                )
            if raw in _TAKEN_PACKAGES:
                raise InvalidOption(
                    f"package_name {raw!r} would shadow a module the generated code imports; choose another name."
                )
            values[key] = raw
    return ExportOptions(**values)  # type: ignore[arg-type]
