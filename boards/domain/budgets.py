"""Size budgets: how large an element, an op and a board may grow, checked before anything is stored.

A board's snapshot goes to every joining socket in one message, and the server refuses to send a
message larger than its transport allows (Daphne: --websocket-max-message-size, 32 MiB in the
Makefile). So a board must never outgrow that, whatever its participants send:

- every element (sticky, frame, link) takes at most `element_bytes` in a message, and an op at
  most `op_bytes`; a board holds at most `elements` elements;
- an op that would make the board's elements, dots and comments weigh more than `board_bytes` is refused.
  Only the op's own element is weighed beforehand; what follows from it (members moving with their
  frame, a changed membership) may add at most ~120 bytes to each element, once;
- so a snapshot is at most board_bytes + elements x 120 B + a few KiB (name, settings, timer):
  with the defaults 24 MiB + 20,000 x 120 B (2.3 MiB) + 4 KiB < 26.4 MiB, under the 32 MiB cap
  with room to spare. Raising `board_bytes` or `elements` must keep that sum under the cap.

Every budget comes from the settings (STORMING_MAX_*), with these defaults when there are none.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from boards.domain.state import BoardState, Element, Rejection, wire_bytes

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Budgets:
    text: int = 2000  # characters of a sticky's text, and of a field's doc
    name: int = 200  # characters of a name: frame, link label, field, enum value, board
    fields: int = 100  # fields on one sticky
    enum_values: int = 100  # values of one enum field
    element_bytes: int = 32 * KIB  # one element in a message
    op_bytes: int = 64 * KIB  # one op's data in a message
    elements: int = 20_000  # stickies, frames and links on one board
    board_bytes: int = 24 * MIB  # a board's elements, dots and comments in its snapshot
    comments: int = 5000  # comments on one board
    comments_per_sticky: int = 200  # comments in one sticky's thread


DEFAULTS = Budgets()
SETTINGS = {
    "text": "STORMING_MAX_TEXT",
    "name": "STORMING_MAX_NAME",
    "fields": "STORMING_MAX_FIELDS",
    "enum_values": "STORMING_MAX_ENUM_VALUES",
    "element_bytes": "STORMING_MAX_ELEMENT_BYTES",
    "op_bytes": "STORMING_MAX_OP_BYTES",
    "elements": "STORMING_MAX_ELEMENTS",
    "board_bytes": "STORMING_MAX_BOARD_BYTES",
    "comments": "STORMING_MAX_COMMENTS",
    "comments_per_sticky": "STORMING_MAX_COMMENTS_PER_STICKY",
}


@cache
def budgets() -> Budgets:
    """The budgets in force: the settings', or the defaults where Django is not set up.

    Read once (every op asks, several times), and again after a change (tests override them).
    """
    if not settings.configured:
        return DEFAULTS
    return Budgets(**{key: getattr(settings, name, getattr(DEFAULTS, key)) for key, name in SETTINGS.items()})


@receiver(setting_changed)
def _read_again(setting: str, **kwargs: Any) -> None:
    if setting in SETTINGS.values():
        budgets.cache_clear()


def in_bytes(size: int) -> str:
    if size >= MIB:
        return f"{size / MIB:.1f} MiB"
    if size >= KIB:
        return f"{size / KIB:.1f} KiB"
    return f"{size} bytes"


def check_op_size(op: str, data: Any) -> None:
    limit = budgets().op_bytes
    try:
        size = wire_bytes(data)
    except (TypeError, ValueError, RecursionError):
        raise Rejection("invalid", f"{op} needs JSON data.") from None
    if size > limit:
        raise Rejection(
            "too_large", f"This change takes {in_bytes(size)}; one change may take at most {in_bytes(limit)}."
        )


def check_room_for(state: BoardState, what: str, element: Element) -> None:
    """Refuse `element` (new, or replacing the one with its id) if it is too large, or would grow
    a full board."""
    limit = budgets().element_bytes
    size = wire_bytes(element)
    if size > limit:
        raise Rejection(
            "too_large",
            f"This {what} would take {in_bytes(size)}; one {what} may take at most {in_bytes(limit)}. Make it shorter.",
        )
    check_board_grows(state, size + 1 - state.weight_of(element["id"]))


def check_board_grows(state: BoardState, growth: int) -> None:
    """Refuse to grow the board by `growth` bytes past its budget. Shrinking is always allowed."""
    limit = budgets().board_bytes
    if growth > 0 and state.weight() + growth > limit:
        raise Rejection(
            "too_large",
            f"This board is full: its stickies, frames and links take {in_bytes(state.weight())} "
            f"of the {in_bytes(limit)} a board may hold. Delete or shorten something first.",
        )


def check_count(state: BoardState) -> None:
    limit = budgets().elements
    if state.size() >= limit:
        raise Rejection("too_large", f"This board holds {limit} elements, its limit.")
