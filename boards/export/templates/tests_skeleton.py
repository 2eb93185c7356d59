"""The skeleton keeps the board's promises: every command runs, and what it emits is valid."""

import functools
import json
from pathlib import Path

import jsonschema
import pytest
from storming_package import topology
from storming_package.runtime.kafka import dispatch

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas" / "json"


@functools.cache
def schema_of(topic: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{topic}.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("command_type", sorted(topology.COMMANDS))
def test_each_command_emits_events_that_match_their_topic_schema(command_type):
    command = topology.COMMANDS[command_type].example(aggregate_id="agg-1")
    for event in dispatch(command):
        record = {"key": event.meta.aggregate_id, "value": event.to_value()}
        schema_of(event.TOPIC).validate(record)
        assert event.meta.causation_id == command.meta.command_id


@pytest.mark.parametrize("command_type", sorted(topology.COMMANDS))
def test_a_command_ends_in_exactly_one_of_its_outcomes_whichever_is_chosen(command_type):
    command_class = topology.COMMANDS[command_type]
    outcomes = topology.HANDLERS[command_class].OUTCOMES.get(command_class, ())
    for outcome in outcomes:
        assert [type(e) for e in dispatch(command_class.example(), outcome)] == [outcome]
    assert len(dispatch(command_class.example())) == min(len(outcomes), 1)


@pytest.mark.parametrize("event_type", sorted(topology.EVENT_TYPES))
def test_each_event_survives_the_trip_through_its_record_value(event_type):
    event_class = topology.EVENT_TYPES[event_type]
    event = event_class.example()
    schema_of(event.TOPIC).validate({"key": "k", "value": event.to_value()})
    assert event_class.from_value(json.loads(json.dumps(event.to_value()))) == event


@pytest.mark.parametrize("group_id", sorted(topology.POLICIES))
def test_each_policy_turns_its_trigger_into_commands_someone_handles(group_id):
    policy = topology.POLICIES[group_id]()
    for trigger in policy.TRIGGERS:
        event = trigger.example()
        for command in policy.react(event):
            assert type(command) in topology.HANDLERS
            assert command.meta.causation_id == event.meta.event_id
            assert command.meta.correlation_id == event.meta.correlation_id


def test_a_record_that_breaks_the_schema_is_refused():
    event_type = sorted(topology.EVENT_TYPES)[0]
    event = topology.EVENT_TYPES[event_type].example()
    value = event.to_value()
    value["aggregate_version"] = "not a number"
    with pytest.raises(jsonschema.ValidationError):
        schema_of(event.TOPIC).validate({"key": "k", "value": value})
