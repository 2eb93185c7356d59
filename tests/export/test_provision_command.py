import socket

import pytest
from django.core.management import CommandError, call_command

from boards import store
from boards.export import parse_options, plan_export

pytestmark = [pytest.mark.django_db, pytest.mark.kafka]


def test_it_creates_missing_topics_then_reports_them_as_existing(checkout, broker, capsys):
    board = store.create_board("Provisioned " + checkout["name"], checkout)
    plan = plan_export(checkout, parse_options({"partitions": "2", "package_name": "prov"}))
    args = [str(board.id), "--bootstrap", broker, "--option", "partitions=2", "--option", "package_name=prov"]

    call_command("provision_topics", *args, "--dry-run")
    dry = capsys.readouterr().out
    # The end-to-end tests may already have made the 3-partition topics on this broker.
    assert dry.count("would create") + dry.count("differs") == len(plan.topics)
    assert "created" not in dry

    call_command("provision_topics", *args)
    first = capsys.readouterr().out
    assert first.count("created") + first.count("differs") == len(plan.topics)

    call_command("provision_topics", *args)
    second = capsys.readouterr().out
    assert "created" not in second and "would create" not in second
    assert second.count("exists") + second.count("differs") == len(plan.topics)


def test_an_unreachable_cluster_is_a_clear_error(checkout):
    board = store.create_board(checkout["name"], checkout)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    with pytest.raises(CommandError, match=f"Cannot reach Kafka at 127.0.0.1:{port}"):
        call_command("provision_topics", str(board.id), "--bootstrap", f"127.0.0.1:{port}", "--timeout", "3")
