import json
from pathlib import Path

import pytest

from boards.export import InvalidOption, parse_options, plan_export

CHECKOUT = json.loads((Path(__file__).resolve().parents[2] / "boards/examples/checkout.json").read_text())


def board(*elements, links=()):
    notes = [e for e in elements if "kind" in e and "text" in e]
    frames = [e for e in elements if "name" in e]
    return {
        "id": "b", "name": "Test", "seq": 1, "notes": notes, "frames": frames,
        "links": [{"id": f"l{i}", "from": a, "to": b, "label": ""} for i, (a, b) in enumerate(links)],
    }  # fmt: skip


def note(id, kind, text, aggregate=None, context=None, fields=()):
    return {"id": id, "kind": kind, "text": text, "x": 0, "y": 0, "w": 1, "h": 1,
            "fields": list(fields), "aggregate": aggregate, "context": context}  # fmt: skip


def frame(id, kind, name, context=None):
    return {"id": id, "kind": kind, "name": name, "x": 0, "y": 0, "w": 1, "h": 1, "context": context}


def test_the_checkout_example_gets_one_topic_per_aggregate_and_a_dlq_per_policy_topic():
    plan = plan_export(CHECKOUT, parse_options({}, CHECKOUT["name"]))
    events = {t.name: sorted(e.event_type for e in t.events) for t in plan.event_topics}
    assert events["ordering.order.events"] == [
        "ordering.OrderCancelled", "ordering.OrderPlaced", "ordering.PaymentReceived",
    ]  # fmt: skip
    assert events["payment.payment-provider.events"] == [
        "payment.PaymentFailed", "payment.PaymentReceived",
    ]  # fmt: skip
    dlqs = {t.name for t in plan.topics if t.kind == "dlq"}
    assert "ordering.order.events.payment.whenever-order-placed-then-request-payment.dlq" in dlqs
    assert len(dlqs) == len(plan.policies) == 6
    assert all("_" not in t.name for t in plan.topics)


def test_the_same_event_name_in_two_contexts_lives_in_two_namespaces():
    plan = plan_export(CHECKOUT, parse_options({}))
    received = sorted(e.event_type for e in plan.events if e.name.pascal == "PaymentReceived")
    assert received == ["ordering.PaymentReceived", "payment.PaymentReceived"]


def test_a_command_emits_what_its_aggregate_links_to():
    plan = plan_export(CHECKOUT, parse_options({}))
    place = next(c for c in plan.contexts[1].commands if c.name.pascal == "PlaceOrder")
    assert [e.event_type for e in place.emits] == ["ordering.OrderPlaced"]
    assert place.handler.name.pascal == "Order"


def test_topic_per_event_and_options_shape_every_topic():
    options = parse_options({"topic_layout": "event", "partitions": "6", "retention_ms": "-1"})
    plan = plan_export(CHECKOUT, options)
    assert "ordering.order.order-placed" in {t.name for t in plan.topics}
    assert all(t.partitions == 6 and t.configs["retention.ms"] == "-1" for t in plan.topics)
    assert all(len(t.events) == 1 for t in plan.event_topics)


def test_notes_outside_frames_go_to_a_default_context_with_warnings():
    plan = plan_export(
        board(note("e1", "event", "Thing Happened"), note("p1", "policy", "Whenever nothing")),
        parse_options({}),
    )
    assert [c.name.snake for c in plan.contexts] == ["default"]
    assert [t.name for t in plan.topics] == ["default.default.events"]
    codes = {w.code for w in plan.warnings}
    assert {"event_without_aggregate", "policy_without_event"} <= codes


def test_a_policy_is_triggered_by_linked_events_never_by_its_wording():
    plan = plan_export(
        board(
            frame("a", "aggregate", "Order"),
            note("e1", "event", "Order Placed", aggregate="a"),
            note("p1", "policy", "Whenever order placed, send mail"),
        ),
        parse_options({}),
    )
    assert plan.policies == []
    assert [w.element for w in plan.warnings if w.code == "policy_without_event"] == ["p1"]


def test_a_policy_reacts_to_the_same_named_event_it_is_linked_to_and_no_other():
    # Two "Payment Received": matching the policy's words picked one by UUID order, and the wrong
    # one looped (56 records in, 112 events out in 10 s on a test board).
    plan = plan_export(
        board(
            frame("c1", "bounded_context", "Ordering"),
            frame("c2", "bounded_context", "Payment"),
            frame("a1", "aggregate", "Order", context="c1"),
            frame("a2", "aggregate", "Payment", context="c2"),
            note("zz-ordering", "event", "Payment Received", aggregate="a1", context="c1"),
            note("aa-payment", "event", "Payment Received", aggregate="a2", context="c2"),
            note("p1", "policy", "Whenever Payment Received, ship", context="c1"),
            note("ship", "command", "Ship Order", aggregate="a1", context="c1"),
            links=[("aa-payment", "p1"), ("p1", "ship"), ("ship", "zz-ordering")],
        ),
        parse_options({}),
    )
    (policy,) = plan.policies
    assert [e.event_type for e in policy.triggers] == ["payment.PaymentReceived"]
    assert "policy_cycle" not in {w.code for w in plan.warnings}


def test_a_policy_whose_command_causes_its_own_trigger_is_flagged_as_a_cycle():
    plan = plan_export(
        board(
            frame("a", "aggregate", "Payment"),
            note("e", "event", "Payment Received", aggregate="a"),
            note("p", "policy", "Whenever Payment Received, charge"),
            note("c", "command", "Charge Card", aggregate="a"),
            links=[("e", "p"), ("p", "c"), ("c", "e")],
        ),
        parse_options({}),
    )
    assert [w.element for w in plan.warnings if w.code == "policy_cycle"] == ["p"]


def test_a_command_linked_to_several_events_has_them_as_alternative_outcomes():
    plan = plan_export(
        board(
            frame("a", "aggregate", "Payment"),
            note("c", "command", "Charge Card", aggregate="a"),
            note("ok", "event", "Payment Received", aggregate="a"),
            note("ko", "event", "Payment Failed", aggregate="a"),
            links=[("c", "ok"), ("c", "ko")],
        ),
        parse_options({}),
    )
    (command,) = plan.contexts[0].commands
    assert [e.name.text for e in command.emits] == ["Payment Received", "Payment Failed"]


def test_a_same_named_sticky_added_later_never_renames_the_first_on_the_wire():
    first = note("zzz", "event", "Order Placed", aggregate="a")
    before = plan_export(board(frame("a", "aggregate", "Order"), first), parse_options({}))
    later = note("aaa", "event", "Order Placed", aggregate="a")  # a smaller id, created after
    after = plan_export(board(frame("a", "aggregate", "Order"), first, later), parse_options({}))
    types = {e.id: e.event_type for e in after.events}
    assert types["zzz"] == before.events[0].event_type == "default.OrderPlaced"
    assert types["aaa"] == "default.OrderPlaced2"


def test_python_only_renames_never_reach_the_wire():
    fields = [{"name": "class", "type": "string"}, {"name": "1st line", "type": "string"}]
    plan = plan_export(
        board(
            frame("rt", "bounded_context", "Runtime"),
            frame("a", "aggregate", "Event", context="rt"),
            note("e", "event", "Event", aggregate="a", context="rt", fields=fields),
        ),
        parse_options({}),
    )
    (event,) = plan.events
    assert event.event_type == "runtime.Event"
    assert event.context.name.snake == "runtime_" and event.name.pascal == "Event_"
    assert [t.name for t in plan.topics] == ["runtime.event.events"]
    assert [(f.name, f.wire) for f in event.fields] == [("class_", "class"), ("n1st_line", "_1st_line")]


def test_renaming_the_board_keeps_the_avro_namespaces():
    from boards.export import export_files

    renamed = dict(CHECKOUT, name="Something else entirely")
    first = {p for p in export_files(CHECKOUT, parse_options({}, CHECKOUT["name"])) if p.startswith("schemas/avro")}
    second = {p for p in export_files(renamed, parse_options({}, renamed["name"])) if p.startswith("schemas/avro")}
    assert first == second and "schemas/avro/ordering.OrderPlaced.avsc" in first


def test_colliding_names_inside_a_context_are_renamed_and_reported():
    plan = plan_export(
        board(
            frame("a", "aggregate", "Order"),
            note("e1", "event", "Order Placed", aggregate="a"),
            note("e2", "event", "order-placed!", aggregate="a"),
        ),
        parse_options({}),
    )
    assert sorted(e.name.pascal for e in plan.events) == ["OrderPlaced", "OrderPlaced2"]
    assert [w.element for w in plan.warnings if w.code == "name_collision"] == ["e2"]


def test_hostile_field_names_and_types_become_safe_fields():
    fields = [
        {"name": "meta", "type": "string", "required": True, "doc": ""},
        {"name": "class", "type": "mystery", "required": False, "doc": ""},
        {"name": "colour", "type": "enum", "required": True, "doc": "", "values": []},
    ]
    plan = plan_export(
        board(frame("a", "aggregate", "X"), note("e", "event", "Done", aggregate="a", fields=fields)),
        parse_options({}),
    )
    (event,) = plan.events
    assert [(f.name, f.wire, f.type) for f in event.fields] == [
        ("meta_", "meta", "string"), ("class_", "class", "string"), ("colour", "colour", "string"),
    ]  # fmt: skip
    assert {"unknown_type", "empty_enum"} <= {w.code for w in plan.warnings}


@pytest.mark.parametrize(
    "params, message",
    [
        ({"partitions": "0"}, "partitions must be between 1 and 1000"),
        ({"partitions": "three"}, "partitions must be a whole number"),
        ({"topic_layout": "context"}, "topic_layout must be one of aggregate, event"),
        ({"retention_ms": "5"}, "retention_ms must be -1"),
        ({"package_name": "My Package"}, "package_name must be a lowercase Python name"),
        ({"package_name": "json"}, "would shadow"),
        ({"partition": "3"}, "Unknown option 'partition'"),
        ({"compatibility": "loose"}, "compatibility must be one of BACKWARD"),
    ],
)
def test_bad_options_say_what_to_fix(params, message):
    with pytest.raises(InvalidOption, match=message):
        parse_options(params)


def test_the_package_name_follows_the_board_name():
    assert parse_options({}, "Checkout (example)").package_name == "checkout_example"
    assert parse_options({}, "注文").package_name == parse_options({}, "注文").package_name
    assert parse_options({}, "Test").package_name == "test_events"


def test_choosing_avro_no_longer_warns_that_the_code_sends_json():
    plan = plan_export(CHECKOUT, parse_options({"value_format": "avro"}))
    assert "avro_codegen" not in {w.code for w in plan.warnings}
