"""Released versions of the contract, through the HTTP API: release, pinned names, compatibility."""

import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest

from boards import store
from tests.boards.helpers import new_id

CHECKOUT = json.loads((Path(__file__).resolve().parents[2] / "boards/examples/checkout.json").read_text())
SUBJECT = "ordering.OrderPlaced"

pytestmark = pytest.mark.django_db


@pytest.fixture
def board():
    return store.create_board(CHECKOUT["name"], CHECKOUT)


def auth(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def release(client, board, note="", key=None, **extra):
    body = json.dumps({"note": note, **extra})
    return client.post(
        f"/api/boards/{board.id}/releases/",
        body,
        content_type="application/json",
        **auth(key or board.facilitator_key),
    )


def compatibility(client, board, query="", key=None):
    url = f"/api/boards/{board.id}/contract/compatibility/?{query}"
    return client.get(url, **auth(key or board.view_key))


def change(client, board, op, data):
    body = json.dumps({"op_id": new_id(), "op": op, "data": data})
    response = client.post(
        f"/api/boards/{board.id}/ops/", body, content_type="application/json", **auth(board.edit_key)
    )
    assert response.status_code == 201, response.json()


def note(board, text):
    return next(n for n in store.snapshot(board.id)["notes"] if n["text"] == text)


def add_field(client, board, text, **field):
    sticky = note(board, text)
    change(client, board, "note.update", {"id": sticky["id"], "fields": [*sticky["fields"], field]})


def export(client, board, query=""):
    response = client.get(f"/api/boards/{board.id}/export.zip?{query}", **auth(board.view_key))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name.partition("/")[2]: archive.read(name) for name in archive.namelist()}


# --- releasing ---------------------------------------------------------------------------------


def test_the_facilitator_releases_the_contract_at_the_current_seq(client, board):
    response = release(client, board, "First contract for the payments team")
    assert response.status_code == 201
    body = response.json()
    assert (body["version"], body["seq"], body["note"]) == (1, board.seq, "First contract for the payments team")
    listed = client.get(f"/api/boards/{board.id}/releases/", **auth(board.view_key)).json()
    assert [(r["version"], r["seq"]) for r in listed["releases"]] == [(1, board.seq)]


def test_versions_count_up_with_each_release(client, board):
    release(client, board, "v1")
    add_field(client, board, "Order Placed", name="coupon", type="string", required=False)
    second = release(client, board, "coupons").json()
    assert second["version"] == 2 and second["seq"] == board.seq + 1


@pytest.mark.parametrize("role", ["edit_key", "view_key"])
def test_only_the_facilitator_releases(client, board, role):
    response = release(client, board, "mine", key=getattr(board, role))
    assert response.status_code == 403
    assert "facilitator" in response.json()["error"]["message"]
    assert client.get(f"/api/boards/{board.id}/releases/", **auth(board.view_key)).json()["releases"] == []


def test_releases_need_a_key_of_the_board(client, board):
    # Like every read of a board: without one of its keys, the board is not there.
    assert client.get(f"/api/boards/{board.id}/releases/").status_code == 404
    assert client.get(f"/api/boards/{board.id}/releases/", **auth("wrong")).status_code == 404
    assert compatibility(client, board, key="wrong").status_code == 404


def test_releasing_again_without_a_change_is_refused(client, board):
    release(client, board, "v1")
    response = release(client, board, "again")
    assert response.status_code == 409
    assert "Nothing changed since release 1" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "body", ['{"note": 5}', '{"note": "' + "x" * 2001 + '"}', '["note"]', "not json", '{"renamed": "abc"}']
)
def test_a_bad_release_request_is_a_400_with_a_message(client, board, body):
    response = client.post(
        f"/api/boards/{board.id}/releases/", body, content_type="application/json", **auth(board.facilitator_key)
    )
    assert response.status_code == 400
    assert len(response.json()["error"]["message"]) > 20


def test_renaming_an_element_that_is_not_on_the_board_is_refused(client, board):
    response = release(client, board, "v1", renamed=[new_id()])
    assert response.status_code == 400
    assert "no element of this board" in response.json()["error"]["message"]


# --- compatibility -----------------------------------------------------------------------------


def test_comparing_before_any_release_says_to_release_first(client, board):
    response = compatibility(client, board, "base=1")
    assert response.status_code == 404
    assert "no release yet" in response.json()["error"]["message"]


@pytest.mark.parametrize("query", ["base=2", "base=x", "level=SIDEWAYS", "base=1&partitions=0"])
def test_a_bad_comparison_request_says_what_is_wrong(client, board, query):
    release(client, board, "v1")
    response = compatibility(client, board, query)
    assert response.status_code in (400, 404)
    assert len(response.json()["error"]["message"]) > 20


@pytest.mark.parametrize("value_format", ["json", "avro"])
def test_a_new_required_field_breaks_the_consumers(client, board, value_format):
    release(client, board, "v1")
    add_field(client, board, "Order Placed", name="coupon", type="string", required=True)
    body = compatibility(client, board, f"base=1&value_format={value_format}").json()
    assert body["base"] == 1 and body["level"] == "BACKWARD" and body["format"] == value_format
    assert body["compatible"] is False
    [added] = [c for c in body["changes"] if c["subject"] == SUBJECT]
    assert added["change"] == "field_added" and added["breaking"] is True
    assert "required field 'coupon'" in added["message"]
    # The policy reading Order Placed is named as the consumer it breaks.
    assert added["consumers"] == ["payment.whenever-order-placed-then-request-payment"]


@pytest.mark.parametrize("value_format", ["json", "avro"])
def test_a_new_optional_field_is_compatible(client, board, value_format):
    release(client, board, "v1")
    add_field(client, board, "Order Placed", name="coupon", type="string", required=False)
    body = compatibility(client, board, f"base=1&value_format={value_format}").json()
    assert body["compatible"] is True
    [added] = body["changes"]
    assert (added["subject"], added["change"], added["breaking"]) == (SUBJECT, "field_added", False)


@pytest.mark.parametrize("value_format", ["json", "avro"])
def test_an_incompatible_type_change_breaks_and_a_widening_does_not(client, board, value_format):
    release(client, board, "v1")
    sticky = note(board, "Item Added To Cart")
    fields = [dict(f, type="number") if f["name"] == "quantity" else f for f in sticky["fields"]]
    change(client, board, "note.update", {"id": sticky["id"], "fields": fields})
    widened = compatibility(client, board, f"value_format={value_format}").json()
    assert widened["compatible"] is True, widened["changes"]
    fields = [dict(f, type="boolean") if f["name"] == "quantity" else f for f in sticky["fields"]]
    change(client, board, "note.update", {"id": sticky["id"], "fields": fields})
    narrowed = compatibility(client, board, f"value_format={value_format}").json()
    assert narrowed["compatible"] is False
    assert [c["change"] for c in narrowed["changes"] if c["breaking"]] == ["field_type_changed"]


def test_removing_an_event_breaks_its_consumers(client, board):
    release(client, board, "v1")
    change(client, board, "note.delete", {"id": note(board, "Order Placed")["id"]})
    body = compatibility(client, board, "base=1").json()
    assert body["compatible"] is False
    removed = next(c for c in body["changes"] if c["change"] == "removed")
    assert removed["subject"] == SUBJECT and removed["breaking"] is True


def test_forward_compatibility_asks_whether_old_readers_read_new_records(client, board):
    release(client, board, "v1")
    sticky = note(board, "Order Placed")
    fields = [f for f in sticky["fields"] if f["name"] != "total"]
    change(client, board, "note.update", {"id": sticky["id"], "fields": fields})
    # A new reader ignores the field old records carry; an old reader misses a field it requires.
    assert compatibility(client, board, "level=BACKWARD").json()["compatible"] is True
    forward = compatibility(client, board, "level=FORWARD&value_format=avro").json()
    assert forward["compatible"] is False and forward["level"] == "FORWARD"
    assert compatibility(client, board, "level=FULL").json()["compatible"] is False


# --- pinned names ------------------------------------------------------------------------------


def test_renaming_a_sticky_after_a_release_keeps_its_names_on_the_wire(client, board):
    before = export(client, board, "value_format=avro")
    release(client, board, "v1")
    sticky = note(board, "Order Placed")
    change(client, board, "note.update", {"id": sticky["id"], "text": "Order Submitted"})
    after = export(client, board, "value_format=avro")
    assert "schemas/avro/ordering.OrderPlaced.avsc" in after
    assert not any("OrderSubmitted" in path for path in after)
    assert b"ordering.OrderPlaced" in after["asyncapi.yaml"]
    assert b"ordering.order.events" in after["topics/topics.yaml"]
    # The text people read follows the sticky; the names machines read do not.
    assert b"Order Submitted" in after["schemas/avro/ordering.OrderPlaced.avsc"]
    assert set(before) - {"CHANGELOG.md", "contract.json"} <= set(after)
    body = compatibility(client, board).json()
    assert body["compatible"] is True
    assert body["pinned"] == [
        {"element": sticky["id"], "text": "Order Submitted", "wire": "OrderPlaced", "text_name": "OrderSubmitted"}
    ]


def test_without_a_release_a_rename_changes_the_names(client, board):
    sticky = note(board, "Order Placed")
    change(client, board, "note.update", {"id": sticky["id"], "text": "Order Submitted"})
    assert "schemas/avro/ordering.OrderSubmitted.avsc" in export(client, board, "value_format=avro")


def test_an_explicit_rename_on_the_wire_is_flagged_and_then_released(client, board):
    release(client, board, "v1")
    sticky = note(board, "Order Placed")
    change(client, board, "note.update", {"id": sticky["id"], "text": "Order Submitted"})
    preview = compatibility(client, board, f"renamed={sticky['id']}").json()
    assert preview["compatible"] is False
    renamed = next(c for c in preview["changes"] if c["change"] == "renamed")
    assert renamed["subject"] == SUBJECT and "as ordering.OrderSubmitted" in renamed["message"]
    assert release(client, board, "rename", renamed=[sticky["id"]]).status_code == 201
    files = export(client, board, "value_format=avro")
    assert "schemas/avro/ordering.OrderSubmitted.avsc" in files
    assert compatibility(client, board, "base=1").json()["compatible"] is False
    assert compatibility(client, board, "base=2").json() | {"pinned": []} == {
        "base": 2, "level": "BACKWARD", "format": "json", "compatible": True, "changes": [], "pinned": [],
    }  # fmt: skip


def test_a_new_sticky_named_like_a_released_one_does_not_take_its_name(client, board):
    release(client, board, "v1")
    original = note(board, "Order Placed")
    original_frame = {k: original[k] for k in ("x", "y")}
    change(client, board, "note.update", {"id": original["id"], "text": "Zz Order Placed"})
    sticky = {"id": new_id(), "kind": "event", "text": "Order Placed", **original_frame}
    change(client, board, "note.create", sticky)
    files = export(client, board, "value_format=avro")
    schema = json.loads(files["schemas/avro/ordering.OrderPlaced.avsc"])
    assert schema["doc"].startswith("Zz Order Placed")
    assert "schemas/avro/ordering.OrderPlaced2.avsc" in files


# --- versions in the export --------------------------------------------------------------------


def test_schema_versions_follow_the_releases_that_changed_them(client, board):
    release(client, board, "v1")
    first = json.loads(export(client, board)["contract.json"])
    assert first["contract_version"] == 1 and first["released"] is True
    assert first["subjects"][SUBJECT] == 1
    add_field(client, board, "Order Placed", name="coupon", type="string", required=False)
    draft = export(client, board, "value_format=avro")
    contract = json.loads(draft["contract.json"])
    assert contract["released"] is False and contract["subjects"][SUBJECT] == 2
    assert contract["subjects"]["ordering.OrderCancelled"] == 1
    avsc = json.loads(draft["schemas/avro/ordering.OrderPlaced.avsc"])
    assert next(f for f in avsc["fields"] if f["name"] == "schema_version")["default"] == 2
    release(client, board, "Coupons on orders")
    files = export(client, board)
    contract = json.loads(files["contract.json"])
    assert (contract["contract_version"], contract["released"], contract["subjects"][SUBJECT]) == (2, True, 2)
    changelog = files["CHANGELOG.md"].decode()
    assert "## 2 (" in changelog and "Coupons on orders" in changelog and "optional field 'coupon'" in changelog
    assert "## 1 (" in changelog
    assert b"SCHEMA_VERSION: ClassVar[int] = 2" in files["src/checkout_example/ordering/events.py"]
    assert b"version: 2.0.0\n" in files["asyncapi.yaml"]
    add_field(client, board, "Order Placed", name="voucher", type="string", required=False)
    assert b"version: 3.0.0-draft\n" in export(client, board)["asyncapi.yaml"]


def test_the_preview_tells_the_contract_version(client, board):
    release(client, board, "v1")
    body = client.get(f"/api/boards/{board.id}/export/", **auth(board.view_key)).json()
    assert body["contract"]["contract_version"] == 1 and body["contract"]["released"] is True


def test_an_old_reader_json_schema_accepts_a_record_with_a_new_optional_field(client, board):
    release(client, board, "v1")
    topic = "schemas/json/ordering.order.events.json"
    old_schema = json.loads(export(client, board)[topic])
    add_field(client, board, "Order Placed", name="coupon", type="string", required=False)
    files = export(client, board)
    new_schema = json.loads(files[topic])
    record = {
        "event_id": "5b0d6a38-0000-4000-8000-000000000001",
        "event_type": "ordering.OrderPlaced",
        "schema_version": 2,
        "occurred_at": "2026-11-28T12:00:00Z",
        "aggregate_type": "ordering.Order",
        "aggregate_id": "order-1",
        "aggregate_version": 1,
        "correlation_id": "c-1",
        "causation_id": None,
        "data": {
            "order_id": "5b0d6a38-0000-4000-8000-000000000002",
            "customer_id": "5b0d6a38-0000-4000-8000-000000000003",
            "lines": [],
            "total": "10.00",
            "currency": "EUR",
            "placed_at": "2026-11-28T12:00:00Z",
            "coupon": "WELCOME",
        },
    }
    jsonschema.Draft202012Validator(new_schema).validate({"key": "order-1", "value": record})
    jsonschema.Draft202012Validator(old_schema).validate({"key": "order-1", "value": record})


# --- the model checks --------------------------------------------------------------------------


def test_the_checks_flag_what_breaks_the_latest_release(client, board):
    add_field(client, board, "Order Placed", name="coupon", type="string", required=True)
    assert not [
        f
        for f in client.get(f"/api/boards/{board.id}/checks/", **auth(board.view_key)).json()["findings"]
        if f["code"] == "breaking_change"
    ]
    release(client, board, "v1")
    add_field(client, board, "Order Placed", name="voucher", type="string", required=True)
    findings = client.get(f"/api/boards/{board.id}/checks/", **auth(board.view_key)).json()["findings"]
    [breaking] = [f for f in findings if f["code"] == "breaking_change"]
    assert breaking["element_id"] == note(board, "Order Placed")["id"] and breaking["severity"] == "warning"
    assert "Breaks release 1" in breaking["message"] and "'voucher'" in breaking["message"]
    # Releasing it accepts the change: the board's seq stays, the finding goes.
    release(client, board, "v2: vouchers")
    findings = client.get(f"/api/boards/{board.id}/checks/", **auth(board.view_key)).json()["findings"]
    assert not [f for f in findings if f["code"] == "breaking_change"]


def test_a_transitive_level_judges_against_every_release_up_to_the_base(client, board):
    release(client, board, "v1")
    sticky = note(board, "Order Placed")
    fields = [dict(f, required=False) if f["name"] == "total" else f for f in sticky["fields"]]
    change(client, board, "note.update", {"id": sticky["id"], "fields": fields})
    release(client, board, "v2: total may be missing")
    add_field(client, board, "Order Placed", name="coupon", type="string", required=False)
    # v2's readers take records without a total; v1's readers require one.
    assert compatibility(client, board, "base=2&level=FORWARD").json()["compatible"] is True
    transitive = compatibility(client, board, "base=2&level=FORWARD_TRANSITIVE").json()
    assert transitive["compatible"] is False
    assert [c["change"] for c in transitive["changes"] if c["breaking"]] == ["field_required_changed"]


def test_level_none_breaks_nothing(client, board):
    release(client, board, "v1")
    change(client, board, "note.delete", {"id": note(board, "Order Placed")["id"]})
    body = compatibility(client, board, "level=NONE").json()
    assert body["compatible"] is True and body["changes"][0]["change"] == "removed"


def test_the_export_command_keeps_the_released_names_too(client, board, tmp_path):
    from django.core.management import call_command

    release(client, board, "v1")
    change(client, board, "note.update", {"id": note(board, "Order Placed")["id"], "text": "Order Submitted"})
    call_command("export_board", str(board.id), "--out", str(tmp_path), "--option", "value_format=avro")
    assert (tmp_path / "schemas/avro/ordering.OrderPlaced.avsc").exists()
    assert json.loads((tmp_path / "contract.json").read_text())["contract_version"] == 1


def test_a_release_gives_a_new_zip_though_the_board_did_not_change(client, board):
    draft = json.loads(export(client, board)["contract.json"])
    assert draft["contract_version"] is None and draft["released"] is False
    release(client, board, "v1")
    released = json.loads(export(client, board)["contract.json"])
    assert released["contract_version"] == 1 and released["released"] is True


def test_the_generated_readme_says_which_release_it_is(client, board):
    release(client, board, "v1")
    assert b"contract at release 1. `contract.json`" in export(client, board)["README.md"]
    add_field(client, board, "Order Placed", name="coupon", type="string", required=False)
    assert b"release 1 plus changes since (a draft)" in export(client, board)["README.md"]
