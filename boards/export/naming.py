"""Turn sticky text into names: wire names for Kafka, identifiers for Python.

"Order Placed" -> OrderPlaced / order_placed / order-placed. Whatever people type (accents,
emoji, punctuation, leading digits, Python keywords, 2,000 characters), the result is a valid
ASCII name that depends only on the text, so two exports of the same board name things alike.

Each name has two sides. The wire side (kebab, wire_snake, wire_pascal) goes into topics, event
types, Avro names and JSON fields, and is changed only where a wire format demands it (Avro names
cannot start with a digit). The Python side (snake, pascal) may be renamed further so that it is
a usable identifier (`class_`, `str_`, `Event_`); those renames never reach the wire.
"""

from __future__ import annotations

import builtins
import hashlib
import keyword
import re
import unicodedata
from dataclasses import dataclass

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
# Long enough to read, short enough that a file named after two of them stays under 255 bytes.
MAX_NAME_LENGTH = 60
_HASH_LENGTH = 8
# Names that generated code already uses at the same level as the ones we derive.
RESERVED_MODULES = frozenset({"runtime", "topology", "cli", "tests", "test", "conftest", "contract"})
# Classes and names the generated modules import or define beside the board's own classes.
RESERVED_CLASSES = frozenset(
    {"Event", "Command", "Aggregate", "Adapter", "Policy", "Envelope", "CommandMeta", "Message", "Any", "ClassVar"}
)
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class Name:
    """One element's name in every spelling the export needs."""

    text: str
    pascal: str  # a Python class
    snake: str  # a Python module, attribute or function
    kebab: str  # wire: topics and consumer groups
    wire_pascal: str = ""  # wire: event types and Avro record names
    wire_snake: str = ""  # wire: event type prefixes, Avro namespaces, field names

    def __post_init__(self) -> None:
        if not self.wire_pascal:
            object.__setattr__(self, "wire_pascal", self.pascal)
        if not self.wire_snake:
            object.__setattr__(self, "wire_snake", self.snake)


def words(text: str) -> list[str]:
    """Split text into lowercase ASCII words; accents are folded, other scripts dropped."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    parts = []
    for chunk in _NON_ALNUM.split(folded):
        parts.extend(p for p in _CAMEL_BOUNDARY.split(chunk) if p)
    return [p.lower() for p in parts]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_HASH_LENGTH]


def _fallback_word(text: str) -> str:
    # Text with no ASCII letters at all ("注文済み", "🚀") still needs a stable name.
    return "u" + text_hash(text)


def _shorten(parts: list[str], text: str) -> list[str]:
    """Keep names short; a clipped name ends with a hash of the whole text, so it stays unique."""
    if len("_".join(parts)) <= MAX_NAME_LENGTH:
        return parts
    budget = MAX_NAME_LENGTH - _HASH_LENGTH - 1
    kept: list[str] = []
    for part in parts:
        room = budget - len("_".join(kept)) - (1 if kept else 0)
        if room <= 0:
            break
        kept.append(part[:room])
        if len(part) > room:
            break
    return [*kept, text_hash(text)]


def _pascal(parts: list[str]) -> str:
    return "".join(p[:1].upper() + p[1:] for p in parts)


def derive(text: str) -> Name:
    """The spellings of one text, before any collision handling."""
    parts = _shorten(words(text) or [_fallback_word(text)], text)
    kebab = "-".join(parts)
    wire_snake = "_".join(parts)
    wire_pascal = _pascal(parts)
    snake, pascal = wire_snake, wire_pascal
    if snake[0].isdigit():
        # Avro names cannot start with a digit: the wire gets the smallest change it demands.
        wire_snake, wire_pascal = "_" + wire_snake, "_" + wire_pascal
        snake, pascal = "n" + snake, "N" + pascal
    # Soft keywords (match, case, type) are legal names, and their list changes between versions.
    if keyword.iskeyword(snake):
        snake += "_"
    if keyword.iskeyword(pascal):  # True, False, None
        pascal += "_"
    return Name(text=text, pascal=pascal, snake=snake, kebab=kebab, wire_pascal=wire_pascal, wire_snake=wire_snake)


class Namespace:
    """Hands out unique names inside one scope (a context, a package, a message's fields).

    Uniqueness is judged on the wire spellings: the first claim of a spelling keeps it, later ones
    get a numeric suffix (a real collision, which the planner warns about). Claim in a stable order
    (the planner claims in the board's creation order) so suffixes do not move between exports.
    `reserved` names are taken on the Python side only: a name that would shadow one of them gets a
    trailing underscore in Python and keeps its wire spelling.
    """

    def __init__(self, reserved: frozenset[str] = frozenset(), shadow_builtins: bool = False) -> None:
        self._taken: set[str] = set()
        self._reserved = reserved
        self._shadow_builtins = shadow_builtins

    def _free(self, name: Name) -> bool:
        # Lowercased: "OrderPlaced" and "order placed" collide as modules; "A1b" and "A_1b" as classes.
        return name.wire_snake.lower() not in self._taken and f"P:{name.wire_pascal.lower()}" not in self._taken

    def claim(self, text: str) -> tuple[Name, bool]:
        """Return a unique name for text and whether it had to be changed to be unique."""
        base = derive(text)
        name, n = base, 1
        while not self._free(name):
            n += 1
            name = Name(
                text=text,
                pascal=f"{base.pascal.rstrip('_')}{n}",
                snake=f"{base.snake.rstrip('_')}_{n}",
                kebab=f"{base.kebab}-{n}",
                wire_pascal=f"{base.wire_pascal}{n}",
                wire_snake=f"{base.wire_snake}_{n}",
            )
        self._taken.update({name.wire_snake.lower(), f"P:{name.wire_pascal.lower()}"})
        return self._python_safe(name), n > 1

    def _python_safe(self, name: Name) -> Name:
        snake, pascal = name.snake, name.pascal
        if snake in self._reserved or (self._shadow_builtins and snake in _BUILTINS):
            snake += "_"
        if pascal in self._reserved or pascal in RESERVED_CLASSES or pascal in _BUILTINS:
            pascal += "_"
        if (snake, pascal) == (name.snake, name.pascal):
            return name
        return Name(name.text, pascal, snake, name.kebab, name.wire_pascal, name.wire_snake)

    def keep(self, name: Name) -> bool:
        """Claim a name fixed elsewhere (by a release); False if this scope has it already."""
        if not self._free(name):
            return False
        self._taken.update({name.wire_snake.lower(), f"P:{name.wire_pascal.lower()}"})
        return True
