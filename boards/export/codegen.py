"""The runnable Python project: one package per bounded context, plus runtime, CLI and tests.

Generic code lives as real modules in templates/ (linted like ours); this module writes only
what depends on the board. Every piece of board text reaches Python through repr(), never
through string pasting into code, so a sticky named with quotes and newlines stays a string.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from .naming import Namespace
from .plan import (
    CommandSpec,
    ContextSpec,
    EmitterSpec,
    ExportPlan,
    FieldSpec,
    PolicySpec,
)

TEMPLATES = Path(__file__).with_name("templates")
PACKAGE_TOKEN = "storming_package"  # noqa: S105 - a name in the templates, not a secret
# template file -> path in the project ({pkg} is the package name)
STATIC_FILES = {
    "runtime_messages.py": "src/{pkg}/runtime/messages.py",
    "runtime_kafka.py": "src/{pkg}/runtime/kafka.py",
    "runtime_serde.py": "src/{pkg}/runtime/serde.py",
    "cli_main.py": "src/{pkg}/__main__.py",
    "tests_skeleton.py": "tests/test_skeleton.py",
    "tests_broker.py": "tests/test_broker.py",
    "tests_registry.py": "tests/test_registry.py",
    "tests_conftest.py": "tests/conftest.py",
}
_PY_TYPES = {
    "string": "str", "integer": "int", "number": "float", "boolean": "bool", "uuid": "str",
    "timestamp": "str", "date": "str", "decimal": "str", "enum": "str",
    "object": "dict[str, Any]",
}  # fmt: skip
_HANDLER_RESERVED = frozenset({"handle", "event_meta", "aggregate_id", "version"})


def python_type(spec: FieldSpec) -> str:
    if spec.type == "list":
        base = f"list[{_PY_TYPES[spec.items]}]"
    else:
        base = _PY_TYPES[spec.type]
    return base if spec.required else f"{base} | None"


def example_value(kind: str, seed: str, values: tuple[str, ...] = (), items: str = "string"):
    """A valid, stable sample for a field: the tests and the CLI use it."""
    samples = {
        "string": "example",
        "integer": 1,
        "number": 1.5,
        "boolean": True,
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, seed)),
        "timestamp": "2026-01-01T12:00:00Z",
        "date": "2026-01-01",
        "decimal": "12.5000",  # at the Avro schema's scale, so it survives a round trip unchanged
        "object": {},
    }
    if kind == "enum":
        return values[0]
    if kind == "list":
        return [example_value(items, seed)]
    return samples[kind]


def example(owner: str, fields: list[FieldSpec]) -> dict:
    """Sample data by wire name."""
    return {f.wire: example_value(f.type, f"{owner}.{f.wire}", f.values, f.items) for f in fields}


class _Module:
    """Collects imports and body lines of one generated module."""

    def __init__(self, doc: str) -> None:
        self.doc = doc
        self.imports: set[str] = set()
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def render(self) -> bytes:
        head = [repr(self.doc), ""]
        stdlib = sorted(i for i in self.imports if not i.startswith("from ."))
        local = sorted(i for i in self.imports if i.startswith("from ."))
        head += stdlib + ([""] if stdlib and local else []) + local
        return ("\n".join(head + ["", ""] + self.lines).rstrip() + "\n").encode()


def _ref(module: _Module, here: ContextSpec, there: ContextSpec, kind: str, cls: str) -> str:
    """`events.OrderPlaced` in its own context, `ordering_events.OrderPlaced` elsewhere."""
    if here is there:
        module.imports.add(f"from . import {kind}")
        return f"{kind}.{cls}"
    module.imports.add(f"from ..{there.name.snake} import {kind} as {there.name.snake}_{kind}")
    return f"{there.name.snake}_{kind}.{cls}"


def _compatible(a: FieldSpec, b: FieldSpec) -> bool:
    if a.type != b.type or (a.type == "list" and a.items != b.items):
        return False
    return a.type != "enum" or set(a.values) <= set(b.values)


def _arguments(target: list[FieldSpec], source: list[FieldSpec], source_var: str, owner: str,
               aggregate_field: str | None = None) -> list[str]:  # fmt: skip
    """Keyword arguments that fill target fields from a source message where wire names match."""
    by_name = {f.wire: f for f in source}
    lines = []
    for f in target:
        if f.wire in by_name and _compatible(by_name[f.wire], f):
            lines.append(f"{f.name}={source_var}.{by_name[f.wire].name},")
        elif f.wire == aggregate_field and f.type in ("string", "uuid"):
            lines.append(f"{f.name}=self.aggregate_id,")
        else:
            value = example_value(f.type, f"{owner}.{f.wire}", f.values, f.items)
            lines.append(f"{f.name}={value!r},  # TODO(team): not in the {source_var}")
    return lines


def _message_class(module: _Module, base: str, name: str, doc: str, constants: dict,
                   fields: list[FieldSpec]) -> None:  # fmt: skip
    module.imports.update({"from dataclasses import dataclass", "from typing import Any, ClassVar"})
    module.add("@dataclass(kw_only=True)", f"class {name}({base}):", f"    {doc!r}", "")
    for key, value in constants.items():
        kind = "dict[str, Any]" if isinstance(value, dict) else type(value).__name__
        module.add(f"    {key}: ClassVar[{kind}] = {value!r}")
    module.add(f"    FIELDS: ClassVar[dict[str, str]] = { ({f.name: f.wire for f in fields})!r}")
    if fields:
        module.add("")
    for f in fields:
        default = "" if f.required else " = None"
        module.add(f"    {f.name}: {python_type(f)}{default}")
    module.add("", "")


def events_module(plan: ExportPlan, context: ContextSpec) -> bytes:
    module = _Module(f"Events of the bounded context {context.name.text}.")
    if context.events:
        module.imports.add("from ..runtime.messages import Event")
    for event in sorted(context.events, key=lambda e: e.name.pascal):
        assert event.emitter is not None and event.topic is not None
        constants = {
            "EVENT_TYPE": event.event_type,
            "AGGREGATE_TYPE": event.emitter.aggregate_type,
            "TOPIC": event.topic.name,
            "SCHEMA_VERSION": event.schema_version,
            "SERVICE": service_name(plan, event.emitter.context),
            "EXAMPLE": example(event.event_type, event.fields),
        }
        doc = f"{event.name.text} ({context.name.text})"
        _message_class(module, "Event", event.name.pascal, doc, constants, event.fields)
    return module.render()


def service_name(plan: ExportPlan, context: ContextSpec) -> str:
    """The service a context runs as: what the lineage header lists."""
    return f"{plan.options.package_name}.{context.name.wire_snake}"


def command_type(command: CommandSpec) -> str:
    return f"{command.context.name.wire_snake}.{command.name.wire_pascal}"


def commands_module(context: ContextSpec) -> bytes:
    module = _Module(f"Commands of the bounded context {context.name.text}.")
    if context.commands:
        module.imports.add("from ..runtime.messages import Command")
    for command in sorted(context.commands, key=lambda c: c.name.pascal):
        constants = {
            "COMMAND_TYPE": command_type(command),
            "EXAMPLE": example(command_type(command), command.fields),
        }
        doc = f"{command.name.text} ({context.name.text})"
        _message_class(module, "Command", command.name.pascal, doc, constants, command.fields)
    return module.render()


def handler_names(emitter: EmitterSpec) -> dict[int, str]:
    space = Namespace(_HANDLER_RESERVED, shadow_builtins=True)
    return {id(c): space.claim(c.name.text)[0].snake for c in emitter.commands}


def _emitter_class(module: _Module, emitter: EmitterSpec, base: str) -> None:
    context = emitter.context
    module.imports.add(f"from ..runtime.messages import {base}")
    names = handler_names(emitter)
    if base == "Adapter":
        doc = f"Port to {emitter.name.text} ({context.name.text}): call the system in each handler."
    elif emitter.kind == "implicit":
        doc = f"Stand-in aggregate of {context.name.text} for notes that belong to no aggregate."
    else:
        doc = f"{emitter.name.text} ({context.name.text}): fill in the rules of each handler."
    module.add(f"class {emitter.name.pascal}({base}):", f"    {doc!r}", "")
    module.add(f"    AGGREGATE_TYPE = {emitter.aggregate_type!r}")
    handlers = ", ".join(
        f"{_ref(module, context, c.context, 'commands', c.name.pascal)}: {names[id(c)]!r}" for c in emitter.commands
    )
    module.add(f"    HANDLERS = {{{handlers}}}", "")
    outcomes = ", ".join(
        f"{_ref(module, context, c.context, 'commands', c.name.pascal)}: ("
        + "".join(f"{_ref(module, context, e.context, 'events', e.name.pascal)}, " for e in c.emits)
        + ")"
        for c in emitter.commands
    )
    module.add(f"    OUTCOMES = {{{outcomes}}}", "")
    aggregate_field = f"{emitter.name.wire_snake}_id"
    for command in emitter.commands:
        cls = _ref(module, context, command.context, "commands", command.name.pascal)
        module.imports.add("from ..runtime.messages import Event")
        module.add(
            f"    def {names[id(command)]}(self, command: {cls}, outcome: type[Event] | None = None) -> list[Event]:"
        )
        if not command.emits:
            module.add("        # TODO(team): the board links this command to no event.", "        return []", "")
            continue
        refs = [_ref(module, context, e.context, "events", e.name.pascal) for e in command.emits]
        module.add("        # TODO(team): check the invariants and decide the values marked below.")
        if len(refs) > 1:
            module.add(
                f"        # The board gives {len(refs)} alternative outcomes; one handling emits exactly one.",
                "        # TODO(team): choose it by your rules; until then it is the first, or the one asked for.",
                f"        outcome = outcome or {refs[0]}",
            )
        for n, (event, event_cls) in enumerate(zip(command.emits, refs, strict=True)):
            last = n == len(refs) - 1
            indent = "        " if last else "            "
            if not last:
                module.add(f"        if outcome is {event_cls}:")
            module.add(
                f"{indent}return [", f"{indent}    {event_cls}(", f"{indent}        meta=self.event_meta(command),"
            )
            args = _arguments(event.fields, command.fields, "command", event.event_type, aggregate_field)
            module.add(*(f"{indent}        {a}" for a in args), f"{indent}    ),", f"{indent}]")
        module.add("")
    module.add("")


def emitters_module(context: ContextSpec, kinds: tuple[str, ...], base: str, doc: str) -> bytes:
    module = _Module(doc)
    for emitter in context.emitters:
        if emitter.kind in kinds:
            _emitter_class(module, emitter, base)
    return module.render()


def _policy_class(module: _Module, policy: PolicySpec) -> None:
    context = policy.context
    module.imports.add("from ..runtime.messages import Command, Event, Policy")
    triggers = [_ref(module, context, e.context, "events", e.name.pascal) for e in policy.triggers]
    class_name = policy.name.pascal
    module.add(f"class {class_name}(Policy):", f"    {policy.name.text!r}", "")
    module.add(f"    GROUP_ID = {policy.group_id!r}")
    module.add(f"    TRIGGERS = ({', '.join(triggers)},)", "")
    module.add("    def react(self, event: Event) -> list[Command]:")
    if not policy.issues:
        module.add("        # TODO(team): the board links this policy to no command.", "        return []", "", "")
        return
    module.add("        # TODO(team): decide when to issue the commands, and for which aggregate id.")
    for trigger, trigger_cls in zip(policy.triggers, triggers, strict=True):
        module.add(f"        if isinstance(event, {trigger_cls}):", "            return [")
        for command in policy.issues:
            cls = _ref(module, context, command.context, "commands", command.name.pascal)
            module.add(f"                {cls}(", "                    meta=self.command_meta(event),")
            args = _arguments(command.fields, trigger.fields, "event", command_type(command))
            module.add(*(f"                    {a}" for a in args), "                ),")
        module.add("            ]")
    module.add("        return []", "", "")


def policies_module(context: ContextSpec) -> bytes:
    module = _Module(f"Policies of {context.name.text}: each runs as a consumer group.")
    for policy in sorted(context.policies, key=lambda p: p.name.pascal):
        _policy_class(module, policy)
    return module.render()


def topology_module(plan: ExportPlan) -> bytes:
    module = _Module("Which class is which event, command, handler and policy; and the topics.")
    events, commands, handlers, policies = [], [], [], []
    for context in plan.contexts:
        ctx = context.name.snake
        if context.events:
            module.imports.add(f"from .{ctx} import events as {ctx}_events")
        if context.commands:
            module.imports.add(f"from .{ctx} import commands as {ctx}_commands")
        if context.policies:
            module.imports.add(f"from .{ctx} import policies as {ctx}_policies")
        events += [f"{ctx}_events.{e.name.pascal}" for e in context.events]
        commands += [f"{ctx}_commands.{c.name.pascal}" for c in context.commands]
        policies += [f"{ctx}_policies.{p.name.pascal}" for p in context.policies]
        for emitter in context.emitters:
            kind = "adapters" if emitter.kind == "external_system" else "aggregates"
            if emitter.commands:
                module.imports.add(f"from .{ctx} import {kind} as {ctx}_{kind}")
            for command in emitter.commands:
                cls = f"{command.context.name.snake}_commands.{command.name.pascal}"
                handlers.append(f"{cls}: {ctx}_{kind}.{emitter.name.pascal}")
    module.imports.add("from .runtime.messages import Aggregate, Command, Event, Policy")

    def listing(items: list[str], indent: str = "    ") -> str:
        return "".join(f"\n{indent}{i}," for i in items) + "\n"

    module.add(f"EVENT_TYPES: dict[str, type[Event]] = {{cls.EVENT_TYPE: cls for cls in ({listing(events)})}}")
    module.add(f"COMMANDS: dict[str, type[Command]] = {{cls.COMMAND_TYPE: cls for cls in ({listing(commands)})}}")
    module.add(f"HANDLERS: dict[type[Command], type[Aggregate]] = {{{listing(handlers)}}}")
    module.add(f"POLICIES: dict[str, type[Policy]] = {{cls.GROUP_ID: cls for cls in ({listing(policies)})}}")
    module.add(f"TOPICS = {tuple(t.name for t in plan.event_topics)!r}")
    dlq = {(t.name.removesuffix(f".{t.group_id}.dlq"), t.group_id): t.name for t in plan.topics if t.kind == "dlq"}
    module.add(f"DEAD_LETTER_TOPICS = {dlq!r}")
    return module.render()


def _static(name: str, package: str) -> bytes:
    return (TEMPLATES / name).read_text(encoding="utf-8").replace(PACKAGE_TOKEN, package).encode()


def render(plan: ExportPlan) -> dict[str, bytes]:
    pkg = plan.options.package_name
    src = f"src/{pkg}"
    files = {
        f"{src}/__init__.py": f"{'Kafka skeleton of the board ' + plan.board_name!r}\n\nBOARD = {plan.board_name!r}\n".encode(),
        f"{src}/runtime/__init__.py": b'"""Generic plumbing; the board-specific code imports it."""\n',
        f"{src}/topology.py": topology_module(plan),
    }
    for template, path in STATIC_FILES.items():
        files[path.format(pkg=pkg)] = _static(template, pkg)
    for context in plan.contexts:
        base = f"{src}/{context.name.snake}"
        files[f"{base}/__init__.py"] = f"{'Bounded context ' + context.name.text!r}\n".encode()
        files[f"{base}/events.py"] = events_module(plan, context)
        files[f"{base}/commands.py"] = commands_module(context)
        files[f"{base}/aggregates.py"] = emitters_module(
            context, ("aggregate", "implicit"), "Aggregate", f"Aggregates of {context.name.text}."
        )
        files[f"{base}/adapters.py"] = emitters_module(
            context, ("external_system",), "Adapter", f"External systems {context.name.text} talks to."
        )
        files[f"{base}/policies.py"] = policies_module(context)
    return files
