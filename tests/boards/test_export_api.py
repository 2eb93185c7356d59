import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from boards import store

from .helpers import bearer

CHECKOUT = json.loads((Path(__file__).resolve().parents[2] / "boards/examples/checkout.json").read_text())

pytestmark = pytest.mark.django_db


@pytest.fixture
def board():
    return store.create_board(CHECKOUT["name"], CHECKOUT)


def test_the_zip_downloads_with_a_file_name_and_the_export_inside(client, board):
    response = client.get(f"/api/boards/{board.id}/export.zip?partitions=6", **bearer(board.view_key))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="checkout_example.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        topics = archive.read("checkout_example/topics/topics.yaml").decode()
    assert "partitions: 6" in topics and "ordering.order.events" in topics


def test_the_preview_lists_topics_schemas_files_warnings_and_options(client, board):
    response = client.get(
        f"/api/boards/{board.id}/export/?topic_layout=event&retention_ms=-1", **bearer(board.view_key)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["options"]["topic_layout"] == "event"
    placed = next(t for t in body["topics"] if t["name"] == "ordering.order.order-placed")
    assert placed | {"events": None} == {
        "name": "ordering.order.order-placed", "kind": "events", "partitions": 3,
        "replication_factor": 1, "key": "aggregate_id", "cleanup_policy": "delete",
        "retention_ms": -1, "events": None, "consumer_group": None,
    }  # fmt: skip
    assert "schemas/json/ordering.order.order-placed.json" in body["schemas"]
    assert any(f["path"] == "asyncapi.yaml" and f["size"] > 0 for f in body["files"])
    assert isinstance(body["warnings"], list)


@pytest.mark.parametrize("query", ["partitions=0", "value_format=xml", "package_name=Bad-Name", "nope=1"])
def test_bad_options_answer_400_with_a_message(client, board, query):
    response = client.get(f"/api/boards/{board.id}/export/?{query}", **bearer(board.view_key))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and len(error["message"]) > 20
    assert client.get(f"/api/boards/{board.id}/export.zip?{query}", **bearer(board.view_key)).status_code == 400


def test_an_unknown_board_is_404(client):
    response = client.get(f"/api/boards/{uuid.uuid4()}/export/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_export_board_writes_the_project_into_a_folder(board, tmp_path, capsys):
    call_command("export_board", str(board.id), "--out", str(tmp_path), "--option", "partitions=2")
    assert (tmp_path / "asyncapi.yaml").exists()
    assert "partitions: 2" in (tmp_path / "topics/topics.yaml").read_text()
    assert "Wrote" in capsys.readouterr().out


def test_export_board_refuses_bad_input(board, tmp_path):
    with pytest.raises(CommandError, match="no board"):
        call_command("export_board", str(uuid.uuid4()), "--out", str(tmp_path))
    with pytest.raises(CommandError, match="partitions must be"):
        call_command("export_board", str(board.id), "--out", str(tmp_path), "--option", "partitions=x")


def test_a_same_named_event_added_later_never_takes_the_first_ones_wire_name(client):
    from .helpers import op

    board = store.create_board("Names")
    first, later = "ffffffff-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000000"
    for note_id in (first, later):
        store.apply_ops(
            board.id,
            [op("note.create", {"id": note_id, "kind": "event", "text": "Order Placed", "x": 0, "y": 0})],
        )
    # An edit of the first rewrites its row; the order the board was built in must still hold.
    store.apply_ops(board.id, [op("note.update", {"id": first, "x": 500})])
    body = client.get(f"/api/boards/{board.id}/export/", **bearer(board.view_key)).json()
    (topic,) = body["topics"]
    assert topic["events"] == ["default.OrderPlaced", "default.OrderPlaced2"]
    renamed = [w["element"] for w in body["warnings"] if w["code"] == "name_collision"]
    assert renamed == [later]
