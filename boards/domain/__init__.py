"""The board's domain: state and events, size budgets, checks on op data, frame membership, the
rules, undo.

`decide` (in rules) is the only mutation logic in Storming; it does no I/O. Other modules import
what they need from here.
"""

from boards.domain.budgets import Budgets, budgets
from boards.domain.membership import frame_membership, note_membership
from boards.domain.rules import (
    ACTOR_HANDLERS,
    COMPOUND_OPS,
    FACILITATOR_OPS,
    HANDLERS,
    KNOWN_OPS,
    MAX_TIMER_SECONDS,
    MAX_VOTES_PER_PERSON,
    PHASES,
    VOTABLE_KINDS,
    decide,
    decide_all,
)
from boards.domain.state import (
    EDITOR,
    FACILITATOR,
    FRAME_KINDS,
    MEMBERSHIP_KEYS,
    NOTE_KINDS,
    Actor,
    BoardState,
    Element,
    Event,
    Rejection,
    default_meta,
    evolve,
)
from boards.domain.undo import restore_ops, undo_ops
from boards.domain.validation import (
    FIELD_TYPES,
    MAX_COORDINATE,
    MAX_ELEMENTS,
    MAX_ENUM_VALUES,
    MAX_FIELDS,
    MAX_NAME,
    MAX_SIZE,
    MAX_TEXT,
    MIN_SIZE,
    clean_fields,
)

__all__ = [
    "ACTOR_HANDLERS",
    "COMPOUND_OPS",
    "EDITOR",
    "FACILITATOR",
    "FACILITATOR_OPS",
    "FIELD_TYPES",
    "FRAME_KINDS",
    "HANDLERS",
    "KNOWN_OPS",
    "MAX_COORDINATE",
    "MAX_ELEMENTS",
    "MAX_ENUM_VALUES",
    "MAX_FIELDS",
    "MAX_NAME",
    "MAX_SIZE",
    "MAX_TEXT",
    "MAX_TIMER_SECONDS",
    "MAX_VOTES_PER_PERSON",
    "MEMBERSHIP_KEYS",
    "MIN_SIZE",
    "NOTE_KINDS",
    "PHASES",
    "VOTABLE_KINDS",
    "Actor",
    "BoardState",
    "Budgets",
    "Element",
    "Event",
    "Rejection",
    "budgets",
    "clean_fields",
    "decide",
    "decide_all",
    "default_meta",
    "evolve",
    "frame_membership",
    "note_membership",
    "restore_ops",
    "undo_ops",
]
