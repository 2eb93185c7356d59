"""Model checks: what a seasoned facilitator would point at on a board, as a list of findings.

`run_checks` reads a board snapshot (docs/protocol.md) and returns findings
`{"code", "severity", "element_id", "message"}`. It is pure and runs on every change of a large
board, so links and memberships are indexed once and every check is a single pass.
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from boards.language import (
    is_imperative,
    is_past_tense,
    looks_like_noun_phrase,
    normalise_name,
    starts_with_gerund,
    starts_with_whenever,
    words,
)

Finding = dict[str, Any]
Element = dict[str, Any]

SEVERITIES = ("error", "warning", "info")

# The flow grammar of DESIGN.md: which kinds a link may lead to, by the kind it starts from.
# Bounded contexts may link to each other: that is a context map, which DDD practice expects.
ALLOWED_LINKS: dict[str, frozenset[str]] = {
    "actor": frozenset({"command"}),
    "policy": frozenset({"command"}),
    "command": frozenset({"aggregate", "external_system", "event"}),
    "aggregate": frozenset({"event"}),
    "external_system": frozenset({"event"}),
    "event": frozenset({"policy", "read_model", "event"}),
    "read_model": frozenset({"actor"}),
    "bounded_context": frozenset({"bounded_context"}),
}

KIND_LABELS = {
    "event": "event",
    "command": "command",
    "policy": "policy",
    "external_system": "external system",
    "actor": "actor",
    "read_model": "read model",
    "hotspot": "hotspot",
    "aggregate": "aggregate",
    "bounded_context": "bounded context",
    "lane": "lane",
}

# Actors, external systems and hotspots are repeated along a timeline on purpose; the rest name one
# thing per context, and the export turns those names into classes and topics.
KINDS_WITH_UNIQUE_NAMES = frozenset({"event", "command", "policy", "read_model", "aggregate"})

EVENT_SOURCES = frozenset({"command", "aggregate", "external_system"})
EVENT_HANDLERS = frozenset({"aggregate", "external_system"})


class BoardIndex:
    """Elements by id, links by endpoint and notes by aggregate, built once per run."""

    def __init__(self, board: dict[str, Any]):
        self.notes: list[Element] = list(board.get("notes") or [])
        self.frames: list[Element] = list(board.get("frames") or [])
        self.links: list[Element] = list(board.get("links") or [])
        self.by_id: dict[str, Element] = {e["id"]: e for e in self.frames}
        self.by_id.update((n["id"], n) for n in self.notes)
        self.targets: dict[str, list[str]] = defaultdict(list)
        self.sources: dict[str, list[str]] = defaultdict(list)
        for link in self.links:
            self.targets[link.get("from")].append(link.get("to"))
            self.sources[link.get("to")].append(link.get("from"))
        self.members: dict[str, list[Element]] = defaultdict(list)
        for note in self.notes:
            if note.get("aggregate"):
                self.members[note["aggregate"]].append(note)

    def kind(self, element_id: str | None) -> str | None:
        element = self.by_id.get(element_id)
        return element["kind"] if element else None

    def target_kinds(self, element_id: str) -> set[str | None]:
        return {self.kind(t) for t in self.targets.get(element_id, ())}

    def source_kinds(self, element_id: str) -> set[str | None]:
        return {self.kind(s) for s in self.sources.get(element_id, ())}

    def aggregate_of(self, note: Element) -> Element | None:
        frame = self.by_id.get(note.get("aggregate"))
        return frame if frame and frame["kind"] == "aggregate" else None

    def emits_events(self, handler_id: str) -> bool:
        """An aggregate or external system emits events when it links to one or holds one."""
        if "event" in self.target_kinds(handler_id):
            return True
        return any(n["kind"] == "event" for n in self.members.get(handler_id, ()))

    def context_name(self, context_id: str | None) -> str:
        frame = self.by_id.get(context_id)
        return _label(frame) if frame else ""


def _label(element: Element) -> str:
    """The text a person sees on an element: a note's text or a frame's name."""
    text = element.get("text") if "text" in element else element.get("name")
    return " ".join((text or "").split())


def _finding(code: str, severity: str, element: Element, message: str) -> Finding:
    return {"code": code, "severity": severity, "element_id": element["id"], "message": message}


def _described(element: Element) -> str:
    return f'{KIND_LABELS.get(element["kind"], element["kind"])} "{_label(element)}"'


def check_empty_text(index: BoardIndex) -> Iterator[Finding]:
    for element in index.notes + index.frames:
        if not _label(element):
            kind = KIND_LABELS.get(element["kind"], element["kind"])
            yield _finding("empty_text", "warning", element, f"This {kind} has no text yet: write on it or remove it.")


def check_policy_wording(index: BoardIndex) -> Iterator[Finding]:
    for note in index.notes:
        text = _label(note)
        if note["kind"] == "policy" and text and not starts_with_whenever(text):
            yield _finding(
                "policy_not_whenever",
                "warning",
                note,
                f'Policy "{text}" should start with "Whenever", like "Whenever Order Placed, then Request Payment".',
            )


def check_event_tense(index: BoardIndex) -> Iterator[Finding]:
    for note in index.notes:
        text = _label(note)
        if note["kind"] == "event" and text and not is_past_tense(text):
            yield _finding(
                "event_not_past_tense",
                "warning",
                note,
                f'Event "{text}" {_why_not_past(text)}. Name what happened, in past tense, like "Order Placed".',
            )


def _why_not_past(text: str) -> str:
    # Saying what the name reads like helps more than quoting a grammar rule.
    if starts_with_gerund(text):
        return "says what is going on, not what happened"
    if is_imperative(text):
        return "reads like a command"
    if looks_like_noun_phrase(text):
        return "names a thing, not something that happened"
    return "is in the wrong tense"


def check_command_mood(index: BoardIndex) -> Iterator[Finding]:
    for note in index.notes:
        text = _label(note)
        if note["kind"] == "command" and text and not is_imperative(text):
            yield _finding(
                "command_not_imperative",
                "warning",
                note,
                f'Command "{text}" {"reads like an event" if is_past_tense(text) else "is not an instruction"}. '
                'Start with a verb, like "Place Order".',
            )


def _command_leads_to_event(index: BoardIndex, command: Element) -> bool:
    targets = index.targets.get(command["id"], ())
    if any(index.kind(t) == "event" for t in targets):
        return True
    handlers = [t for t in targets if index.kind(t) in EVENT_HANDLERS]
    aggregate = index.aggregate_of(command)
    if aggregate:
        handlers.append(aggregate["id"])
    return any(index.emits_events(h) for h in handlers)


def check_command_outcome(index: BoardIndex) -> Iterator[Finding]:
    for note in index.notes:
        if note["kind"] == "command" and not _command_leads_to_event(index, note):
            yield _finding(
                "command_without_event",
                "warning",
                note,
                f'Command "{_label(note)}" leads to no event. Link it to the event it causes, '
                "or to the aggregate or external system that handles it.",
            )


def check_event_origin(index: BoardIndex) -> Iterator[Finding]:
    for note in index.notes:
        if note["kind"] != "event" or index.aggregate_of(note):
            continue
        if not index.source_kinds(note["id"]) & EVENT_SOURCES:
            yield _finding(
                "event_without_source",
                "warning",
                note,
                f'Nothing makes event "{_label(note)}" happen. Put it in an aggregate, '
                "or link a command, aggregate or external system to it.",
            )


def check_policy_links(index: BoardIndex) -> Iterator[Finding]:
    for note in index.notes:
        if note["kind"] != "policy":
            continue
        if "event" not in index.source_kinds(note["id"]):
            yield _finding(
                "policy_without_event",
                "warning",
                note,
                f'Policy "{_label(note)}" reacts to no event. Link the event that triggers it to it.',
            )
        if "command" not in index.target_kinds(note["id"]):
            yield _finding(
                "policy_without_command",
                "warning",
                note,
                f'Policy "{_label(note)}" issues no command. Link it to the command it issues.',
            )


def _events_caused(index: BoardIndex, command_id: str) -> list[str]:
    """What a command leads to, read as the export reads it: its own arrows, else its handler's."""
    targets = index.targets.get(command_id, ())
    direct = [t for t in targets if index.kind(t) == "event"]
    if direct:
        return direct
    handlers = [t for t in targets if index.kind(t) in EVENT_HANDLERS]
    aggregate = index.aggregate_of(index.by_id[command_id])
    if aggregate:
        handlers.append(aggregate["id"])
    return [t for h in handlers for t in index.targets.get(h, ()) if index.kind(t) == "event"]


def check_policy_cycles(index: BoardIndex) -> Iterator[Finding]:
    """A policy whose commands cause the event that triggers it runs forever once started."""

    policies = [n for n in index.notes if n["kind"] == "policy"]
    follows: dict[str, list[str]] = {}
    for policy in policies:
        commands = [t for t in index.targets.get(policy["id"], ()) if index.kind(t) == "command"]
        events = [e for c in commands for e in _events_caused(index, c)]
        follows[policy["id"]] = [p for e in events for p in index.targets.get(e, ()) if index.kind(p) == "policy"]
    for note in policies:
        seen: set[str] = set()
        todo = list(follows[note["id"]])
        while todo:
            current = todo.pop()
            if current == note["id"]:
                yield _finding(
                    "policy_cycle",
                    "warning",
                    note,
                    f'Policy "{_label(note)}" issues a command whose events trigger it again: once started, '
                    "it loops forever. Break the cycle, or make sure a handler stops it.",
                )
                break
            if current not in seen:
                seen.add(current)
                todo.extend(follows.get(current, ()))


def _named_event(said: list[str], by_name: dict[tuple[str, ...], list[Element]]) -> tuple[str, list[Element]]:
    """The longest event name that a policy's "Whenever ..." starts with, and the events carrying it."""
    for length in range(len(said), 0, -1):
        named = by_name.get(tuple(said[:length]))
        if named:
            return " ".join(said[:length]), named
    return "", []


def check_policy_triggers(index: BoardIndex) -> Iterator[Finding]:
    """The export triggers a policy by the events linked into it; say when the wording disagrees."""
    by_name: dict[tuple[str, ...], list[Element]] = defaultdict(list)
    policies = []
    for note in index.notes:
        if note["kind"] == "event":
            by_name[tuple(words(_label(note)))].append(note)
        elif note["kind"] == "policy" and starts_with_whenever(_label(note)):
            policies.append(note)
    for note in policies:
        name, named = _named_event(words(_label(note))[1:], by_name)
        linked = [s for s in index.sources.get(note["id"], ()) if index.kind(s) == "event"]
        if not named or any(e["id"] in linked for e in named):
            continue
        contexts = sorted({index.context_name(e.get("context")) or "no context" for e in named})
        if not linked and len(named) > 1:
            message = (
                f'Policy "{_label(note)}" names "{name}", which {len(named)} events carry '
                f"(in {', '.join(contexts)}). Link the one it reacts to."
            )
        elif linked:
            message = (
                f'Policy "{_label(note)}" names "{name}" but is linked to other events, which alone trigger it. '
                "Link the event it names, or reword it."
            )
        else:
            continue  # one event of that name and no link: check_policy_links already asks for the link
        yield _finding("policy_ambiguous_trigger", "warning", note, message)


def _with_article(label: str) -> str:
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _allowed_targets_phrase(kind: str) -> str:
    source = _with_article(KIND_LABELS.get(kind, kind))
    allowed = sorted(KIND_LABELS[k] for k in ALLOWED_LINKS.get(kind, ()))
    if not allowed:
        return f"{source} starts no link"
    return f"{source} leads to " + " or ".join(_with_article(k) for k in allowed)


def check_link_grammar(index: BoardIndex) -> Iterator[Finding]:
    for link in index.links:
        source, target = index.by_id.get(link.get("from")), index.by_id.get(link.get("to"))
        if source is None or target is None:
            yield _finding(
                "link_endpoint_missing", "error", link, "This link points at an element that is no longer on the board."
            )
        elif source is target:
            yield _finding("forbidden_link", "error", link, f"The {_described(source)} is linked to itself.")
        elif "hotspot" in (source["kind"], target["kind"]):
            continue  # a hotspot may question anything
        elif target["kind"] not in ALLOWED_LINKS.get(source["kind"], ()):
            yield _finding(
                "forbidden_link",
                "error",
                link,
                f"The link from {_described(source)} to {_described(target)} breaks the flow: "
                f"{_allowed_targets_phrase(source['kind'])}.",
            )


def check_name_collisions(index: BoardIndex) -> Iterator[Finding]:
    groups: dict[tuple, list[Element]] = defaultdict(list)
    for element in index.notes + index.frames:
        name = normalise_name(_label(element))
        if not name:
            continue
        if element["kind"] == "bounded_context":
            groups[("bounded_context", None, name)].append(element)
        elif element["kind"] in KINDS_WITH_UNIQUE_NAMES and element.get("context") in index.by_id:
            groups[(element["kind"], element["context"], name)].append(element)
    for (kind, context_id, _), elements in groups.items():
        if len(elements) < 2:
            continue
        where = f'in context "{index.context_name(context_id)}"' if context_id else "on this board"
        for element in elements:
            yield _finding(
                "name_collision",
                "error",
                element,
                f'There are {len(elements)} {KIND_LABELS[kind]}s named "{_label(element)}" {where}. '
                "Names must be unique there: merge them or rename one.",
            )


def check_aggregates_in_contexts(index: BoardIndex) -> Iterator[Finding]:
    for frame in index.frames:
        if frame["kind"] == "aggregate" and index.kind(frame.get("context")) != "bounded_context":
            yield _finding(
                "aggregate_outside_context",
                "warning",
                frame,
                f'Aggregate "{_label(frame)}" lies outside any bounded context. Draw or move a context around it.',
            )


def check_open_hotspots(index: BoardIndex) -> Iterator[Finding]:
    for note in index.notes:
        # The protocol has no resolved state yet; a `resolved` key is honoured when it comes.
        if note["kind"] == "hotspot" and not note.get("resolved"):
            yield _finding("open_hotspot", "info", note, f'Open hotspot: "{_label(note)}"')


CHECKS = (
    check_empty_text,
    check_policy_wording,
    check_event_tense,
    check_command_mood,
    check_command_outcome,
    check_event_origin,
    check_policy_links,
    check_policy_cycles,
    check_policy_triggers,
    check_link_grammar,
    check_name_collisions,
    check_aggregates_in_contexts,
    check_open_hotspots,
)


def run_checks(board: dict[str, Any]) -> list[Finding]:
    """Every finding on the board, errors first, then in reading order along the timeline."""
    index = BoardIndex(board)
    findings = [finding for check in CHECKS for finding in check(index)]
    positions = _finding_positions(index, findings)
    return sorted(
        findings,
        key=lambda f: (SEVERITIES.index(f["severity"]), *positions[f["element_id"]], f["code"], f["element_id"]),
    )


def _finding_positions(index: BoardIndex, findings: list[Finding]) -> dict[str, tuple[float, float]]:
    links = {link["id"]: link for link in index.links}
    positions = {}
    for finding in findings:
        element_id = finding["element_id"]
        if element_id in positions:
            continue
        element = index.by_id.get(element_id) or index.by_id.get(links.get(element_id, {}).get("from"))
        positions[element_id] = (
            (float(element.get("x") or 0.0), float(element.get("y") or 0.0)) if element else (float("inf"),) * 2
        )
    return positions
