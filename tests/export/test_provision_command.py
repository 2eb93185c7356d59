import socket

import pytest
from django.core.management import CommandError, call_command

from boards import store
from boards.export import parse_options, plan_export

pytestmark = [pytest.mark.django_db, pytest.mark.kafka]


def renamed_contexts(snapshot: dict) -> dict:
    """The same board with other context names, so its topics are not the end-to-end test's."""
    frames = [
        f | {"name": f"Provisioned {f['name']}"} if f["kind"] == "bounded_context" else f for f in snapshot["frames"]
    ]
    return snapshot | {"frames": frames}


def test_it_creates_missing_topics_then_reports_them_as_existing(checkout, broker, capsys):
    snapshot = renamed_contexts(checkout)
    board = store.create_board(snapshot["name"], snapshot)
    plan = plan_export(store.snapshot(board.id), parse_options({"partitions": "2"}))
    args = [str(board.id), "--bootstrap", broker, "--option", "partitions=2"]

    call_command("provision_topics", *args, "--dry-run")
    dry = capsys.readouterr().out
    assert dry.count("would create") == len(plan.topics)
    assert "provisioned-ordering.order.events" in dry

    call_command("provision_topics", *args)
    assert capsys.readouterr().out.count("created") == len(plan.topics)

    call_command("provision_topics", *args)
    second = capsys.readouterr().out
    assert second.count("exists") == len(plan.topics) and "created" not in second

    call_command("provision_topics", str(board.id), "--bootstrap", broker)  # 3 partitions now
    assert "differs" in capsys.readouterr().out


def test_an_unreachable_cluster_is_a_clear_error(checkout):
    board = store.create_board(checkout["name"], checkout)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    with pytest.raises(CommandError, match=f"Cannot reach Kafka at 127.0.0.1:{port}"):
        call_command("provision_topics", str(board.id), "--bootstrap", f"127.0.0.1:{port}", "--timeout", "3")
