"""Turn sticky text into identifiers: classes, modules and topic parts.

"Order Placed" -> OrderPlaced / order_placed / order-placed. Whatever people type (accents,
emoji, punctuation, leading digits, Python keywords), the result is a valid ASCII identifier
that depends only on the text, so two exports of the same board name things the same way.
"""

from __future__ import annotations

import hashlib
import keyword
import re
import unicodedata
from dataclasses import dataclass

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
# Names that generated code already uses at the same level as the ones we derive.
RESERVED_MODULES = frozenset({"runtime", "topology", "cli", "tests", "test", "conftest"})


@dataclass(frozen=True)
class Name:
    """One element's name in every spelling the export needs."""

    text: str
    pascal: str
    snake: str
    kebab: str


def words(text: str) -> list[str]:
    """Split text into lowercase ASCII words; accents are folded, other scripts dropped."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    parts = []
    for chunk in _NON_ALNUM.split(folded):
        parts.extend(p for p in _CAMEL_BOUNDARY.split(chunk) if p)
    return [p.lower() for p in parts]


def _fallback_word(text: str) -> str:
    # Text with no ASCII letters at all ("注文済み", "🚀") still needs a stable name.
    return "u" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def derive(text: str) -> Name:
    """The spellings of one text, before any collision handling."""
    parts = words(text) or [_fallback_word(text)]
    kebab = "-".join(parts)
    snake = "_".join(parts)
    pascal = "".join(p[:1].upper() + p[1:] for p in parts)
    if snake[0].isdigit():
        snake = "n" + snake
        pascal = "N" + pascal
    # Soft keywords (match, case, type) are legal names, and their list changes between versions.
    if keyword.iskeyword(snake):
        snake += "_"
    if keyword.iskeyword(pascal):  # True, False, None
        pascal += "_"
    return Name(text=text, pascal=pascal, snake=snake, kebab=kebab)


class Namespace:
    """Hands out unique names inside one scope (a context, a package).

    The first claim of a spelling keeps it; later ones get a numeric suffix. Claim in a stable
    order (the planner sorts by text and id) so the suffixes do not move between exports.
    """

    def __init__(self, reserved: frozenset[str] = frozenset()) -> None:
        self._taken: set[str] = {r.lower() for r in reserved}

    def claim(self, text: str) -> tuple[Name, bool]:
        """Return a unique name for text and whether it had to be changed to be unique."""
        base = derive(text)
        name, n = base, 1
        # Compare lowercased snake names: "OrderPlaced" and "order placed" collide as modules.
        while name.snake.lower() in self._taken:
            n += 1
            name = Name(
                text=text,
                pascal=f"{base.pascal}{n}",
                snake=f"{base.snake.rstrip('_')}_{n}",
                kebab=f"{base.kebab}-{n}",
            )
        self._taken.add(name.snake.lower())
        return name, n > 1

    def keep(self, name: Name) -> bool:
        """Claim a name fixed elsewhere (by a release); False if this scope has it already."""
        if name.snake.lower() in self._taken:
            return False
        self._taken.add(name.snake.lower())
        return True
