"""Backup and restore: the JSON round trip is lossless, and a hostile file creates nothing."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import include, path

from boards import backup, store
from boards.models import Board, BoardEvent, Frame, Link, Note
from tests.boards.helpers import bearer, frame_op, new_id, note_op, op

EXAMPLE = Path(__file__).resolve().parents[2] / "boards" / "examples" / "checkout.json"
SCRIPT = "<script>alert('owned')</script><img src=x onerror=alert(1)>"

# The lead wires these into boards/urls.py; until then the tests mount them beside the app's urls.
urlpatterns = [
    path("api/boards/import", backup.import_board),
    path("api/boards/<uuid:board_id>/export.json", backup.export_json),
    path("api/boards/<uuid:board_id>/board.svg", backup.board_svg),
    path("", include("storming.urls")),
]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def example_board(name: str = "Checkout") -> Board:
    return store.create_board(name, json.loads(EXAMPLE.read_text()))


def busy_board() -> Board:
    """The example plus what a workshop adds: fields of every shape, labels, markup in text, moves."""
    board = example_board("Checkout, after the workshop")
    aggregate = frame_op("aggregate", "Refund", x=6000, y=0, w=600, h=400)
    event = note_op(
        "event",
        SCRIPT,
        x=6100,
        y=100,
        fields=[
            {"name": "reason", "type": "enum", "required": True, "doc": "why", "values": ["late", "broken"]},
            {"name": "lines", "type": "list", "items": "uuid"},
            {"name": "amount", "type": "decimal", "required": True},
        ],
    )
    loose = note_op("hotspot", "Who pays the\nreturn postage?", x=7000, y=900)
    link = op("link.create", {"id": new_id(), "from": event.data["id"], "to": loose.data["id"], "label": "asks"})
    moved = op("note.update", {"id": loose.data["id"], "x": 7010.5, "w": 300})
    store.apply_ops(board.id, [aggregate, event, loose, link, moved])
    return board


def canonical(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot with every id replaced by what the element is, so that two boards compare."""
    names: dict[str, str] = {}
    for note in snapshot["notes"]:
        names[note["id"]] = f"note:{note['kind']}:{note['text']}@{note['x']},{note['y']}"
    for frame in snapshot["frames"]:
        names[frame["id"]] = f"frame:{frame['kind']}:{frame['name']}@{frame['x']},{frame['y']}"
    assert len(set(names.values())) == len(names), "the test board needs distinguishable elements"

    def rename(element: dict[str, Any]) -> dict[str, Any]:
        return {
            k: names.get(v, v) if k in ("id", "aggregate", "context", "from", "to") else v for k, v in element.items()
        }

    links = [rename(link) | {"id": None} for link in snapshot["links"]]
    return {
        "name": snapshot["name"],
        "notes": sorted((rename(n) for n in snapshot["notes"]), key=lambda e: e["id"]),
        "frames": sorted((rename(f) for f in snapshot["frames"]), key=lambda e: e["id"]),
        "links": sorted(links, key=json.dumps),
    }


def export(client: Client, board_id: Any, key: str) -> dict[str, Any]:
    response = client.get(f"/api/boards/{board_id}/export.json", **bearer(key))
    assert response.status_code == 200
    return json.loads(response.content)


def import_json(client: Client, document: Any) -> Any:
    body = document if isinstance(document, bytes | str) else json.dumps(document)
    return client.post("/api/boards/import", body, content_type="application/json")


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Board, Note, Frame, Link, BoardEvent))


# --- round trip ------------------------------------------------------------------------------


def test_export_is_a_versioned_attachment_named_after_the_board(client):
    board = example_board('Checkout: Q3 / "draft"')
    response = client.get(f"/api/boards/{board.id}/export.json", **bearer(board.view_key))
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="checkout-q3-draft.storming.json"'
    document = json.loads(response.content)
    assert document["format"] == "storming-board" and document["version"] == 1
    assert document["exported_at"]
    assert len(document["board"]["notes"]) == 37


def test_export_of_a_missing_board_is_a_404(client):
    assert client.get(f"/api/boards/{new_id()}/export.json").status_code == 404


def test_export_import_export_gives_the_same_board(client):
    board = busy_board()
    first = export(client, board.id, board.view_key)

    response = import_json(client, first)

    assert response.status_code == 201
    answer = response.json()
    assert answer["id"] != str(board.id)
    assert answer["keys"]["facilitator"] and answer["facilitator_url"]
    second = export(client, answer["id"], answer["keys"]["viewer"])
    assert canonical(second["board"]) == canonical(first["board"])
    # Membership came through: the event lies in the Refund aggregate in both.
    refunds = [n for n in second["board"]["notes"] if n["text"] == SCRIPT]
    assert refunds[0]["aggregate"] is not None


def test_markup_in_text_is_kept_as_text(client):
    board = busy_board()
    response = import_json(client, export(client, board.id, board.view_key))
    texts = {n["text"] for n in store.snapshot(response.json()["id"])["notes"]}
    assert SCRIPT in texts
    assert "Who pays the\nreturn postage?" in texts


def test_import_can_rename_the_new_board(client):
    board = example_board()
    document = export(client, board.id, board.view_key)
    response = client.post("/api/boards/import?name=Copy", json.dumps(document), content_type="application/json")
    assert Board.objects.get(pk=response.json()["id"]).name == "Copy"


def test_json_import_needs_no_csrf_token():
    client = Client(enforce_csrf_checks=True)
    document = backup.export_document(example_board().id)
    assert import_json(client, document).status_code == 201


def test_file_upload_from_the_page_needs_the_csrf_token(tmp_path):
    document = backup.export_document(example_board().id)
    file = tmp_path / "checkout.storming.json"
    file.write_text(json.dumps(document))
    client = Client(enforce_csrf_checks=True)
    before = counts()

    with file.open("rb") as handle:
        forged = client.post("/api/boards/import", {"file": handle})
    assert forged.status_code == 403
    assert counts() == before

    token = "a" * 32
    client.cookies["csrftoken"] = token
    with file.open("rb") as handle:
        response = client.post("/api/boards/import", {"file": handle, "csrfmiddlewaretoken": token})
    assert response.status_code == 201
    new = store.snapshot(response.json()["id"])
    assert canonical(new) == canonical(document["board"])


def test_upload_without_a_file_says_which_field(client):
    response = client.post("/api/boards/import", {"other": "x"})
    assert response.status_code == 400
    assert '"file"' in response.json()["error"]["message"]


def test_a_backup_larger_than_django_s_body_limit_still_imports(client):
    # DATA_UPLOAD_MAX_MEMORY_SIZE is 2.5 MiB; a backup may be up to 5 MiB.
    document = backup.export_document(example_board().id)
    body = json.dumps(document, indent=2) + " " * (3 * 1024 * 1024)
    assert import_json(client, body).status_code == 201


# --- hostile files ---------------------------------------------------------------------------


def document_with(**board_changes: Any) -> dict[str, Any]:
    board = json.loads(EXAMPLE.read_text())
    board.update(board_changes)
    return {"format": "storming-board", "version": 1, "board": board}


def with_note(**note_changes: Any) -> dict[str, Any]:
    document = document_with()
    document["board"]["notes"][3].update(note_changes)
    return document


def many_notes(count: int) -> dict[str, Any]:
    notes = [{"id": f"n{i}", "kind": "event", "text": "Ping", "x": 0, "y": 0} for i in range(count)]
    return document_with(notes=notes, frames=[], links=[])


EXAMPLE_DOC = json.dumps(document_with())
first_note = json.loads(EXAMPLE.read_text())["notes"][0]["id"]

HOSTILE = {
    "not json": (b"this is not json {", "not valid JSON"),
    "not utf-8": (b'{"format": "\xff\xfe"}', "not UTF-8"),
    "a list": ("[1, 2, 3]", "not a Storming board file"),
    "wrong format": ({"format": "miro-board", "version": 1, "board": {}}, "not a Storming board file"),
    "newer version": ({**document_with(), "version": 2}, "version 2"),
    "version as text": ({**document_with(), "version": "1"}, 'version "1"'),
    "no board": ({"format": "storming-board", "version": 1}, 'no "board"'),
    "too big": (EXAMPLE_DOC[:-1] + " " * (5 * 1024 * 1024) + "}", "larger than 5 MiB"),
    "too many elements": (many_notes(20_001), "more than 20000 elements"),
    "deep nesting": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "deep nesting in a field": (with_note(fields=[{"name": "a", "doc": [[[[[[[[[["x"]]]]]]]]]]}]), "nested too deeply"),
    "NaN": (EXAMPLE_DOC.replace('"x": 60.0', '"x": NaN', 1), "NaN"),
    "Infinity": (EXAMPLE_DOC.replace('"y": 60.0', '"y": -Infinity', 1), "-Infinity"),
    "huge coordinate": (with_note(x=1e300), "x must be between"),
    "coordinate as text": (with_note(y="80"), "y must be a number"),
    "text as a number": (with_note(text=42), "must be text"),
    "notes not a list": (document_with(notes={"a": 1}), '"notes" must be a list'),
    "note not an object": (document_with(notes=["Order Placed"]), "Sticky 1 is not an object"),
    "note without id": (document_with(notes=[{"kind": "event", "x": 0, "y": 0}]), "Sticky 1 has no id"),
    "link to a missing sticky": (
        document_with(links=[{"id": "l1", "from": first_note, "to": "nowhere", "label": ""}]),
        "not a sticky or frame in the file",
    ),
    "duplicate ids": (
        document_with(
            notes=[*json.loads(EXAMPLE.read_text())["notes"], {**json.loads(EXAMPLE.read_text())["notes"][0]}]
        ),
        "share the id",
    ),
    "text over the limit": (with_note(text="a" * 2001), "2001 characters long; the limit is 2000"),
    "unknown kind": (with_note(kind="banana"), "kind is one of"),
    "unknown frame kind": (
        document_with(
            frames=[
                *json.loads(EXAMPLE.read_text())["frames"],
                {"id": "f", "kind": "swimlane", "name": "x", "x": 0, "y": 0, "w": 50, "h": 50},
            ]
        ),
        "frame's kind is one of",
    ),
    "unknown field type": (with_note(kind="event", fields=[{"name": "when", "type": "datetime"}]), "unknown type"),
    "NUL in text": (with_note(text="Order\u0000Placed"), "NUL character"),
    "lone surrogate": (EXAMPLE_DOC.replace("Product Catalogue", "Product \\ud800", 1), "not valid Unicode"),
    "board name too long": (document_with(name="n" * 201), "at most 200 characters"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_file_is_refused_and_creates_nothing(client, case):
    payload, expected = HOSTILE[case]
    before = counts()

    response = import_json(client, payload)

    assert response.status_code == 400, response.content[:300]
    assert expected in response.json()["error"]["message"]
    assert counts() == before


def test_a_refusal_names_the_element(client):
    response = import_json(client, with_note(text="t" * 2001))
    message = response.json()["error"]["message"]
    assert message.startswith("The sticky 'ttttt")
    assert "was refused" in message


def test_a_refusal_after_good_elements_leaves_no_half_board(client):
    document = document_with()
    document["board"]["links"][-1]["label"] = "x" * 201
    before = counts()
    assert import_json(client, document).status_code == 400
    assert counts() == before


def test_an_upload_that_is_not_json_is_refused(client, tmp_path):
    file = tmp_path / "board.json"
    file.write_bytes(b"\x89PNG not a board")
    with file.open("rb") as handle:
        response = client.post("/api/boards/import", {"file": handle})
    assert response.status_code == 400
    assert "not UTF-8" in response.json()["error"]["message"]


def test_other_content_types_are_told_what_to_send(client):
    response = client.post("/api/boards/import", EXAMPLE_DOC, content_type="text/plain")
    assert response.status_code == 400
    assert "application/json" in response.json()["error"]["message"]


# --- management commands ---------------------------------------------------------------------


def test_dump_and_load_board_round_trip(tmp_path):
    board = busy_board()
    out = tmp_path / "backup.json"
    call_command("dump_board", str(board.id), "--out", str(out))
    stdout = StringIO()

    call_command("load_board", str(out), "--name", "Restored", stdout=stdout)

    new_id_line, link_line = stdout.getvalue().strip().splitlines()
    restored = Board.objects.get(pk=new_id_line)
    assert restored.name == "Restored"
    assert link_line == f"Facilitator link: {restored.link('facilitator')}"
    assert canonical(store.snapshot(restored.id)) | {"name": ""} == canonical(store.snapshot(board.id)) | {"name": ""}


def test_dump_board_writes_to_stdout_by_default():
    board = example_board()
    stdout = StringIO()
    call_command("dump_board", str(board.id), stdout=stdout)
    document = json.loads(stdout.getvalue())
    assert document["format"] == "storming-board"
    assert document["board"]["id"] == str(board.id)


def test_dump_board_of_an_unknown_board_says_so():
    with pytest.raises(CommandError, match="no board"):
        call_command("dump_board", "not-a-board")


def test_load_board_refuses_a_hostile_file_and_creates_nothing(tmp_path):
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(with_note(kind="banana")))
    before = counts()
    with pytest.raises(CommandError, match="kind is one of"):
        call_command("load_board", str(file))
    assert counts() == before
