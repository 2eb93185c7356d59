"""Checking op data: numbers, text, ids, geometry and a sticky's fields, each refused with a reason."""

from __future__ import annotations

import uuid
from typing import Any

from boards.domain.budgets import DEFAULTS, budgets
from boards.domain.state import Element, Rejection

FIELD_TYPES = (
    "string",
    "integer",
    "number",
    "boolean",
    "uuid",
    "timestamp",
    "date",
    "decimal",
    "enum",
    "list",
    "object",
)
LIST_ITEM_TYPES = tuple(t for t in FIELD_TYPES if t not in ("enum", "list"))  # no lists of enums or lists

# The defaults of the size budgets; the ones in force come from `budgets()`.
MAX_TEXT = DEFAULTS.text
MAX_NAME = DEFAULTS.name
MAX_FIELDS = DEFAULTS.fields
MAX_ENUM_VALUES = DEFAULTS.enum_values
MAX_COORDINATE = 1_000_000.0
MIN_SIZE = 10.0
MAX_SIZE = 20_000.0
MAX_ELEMENTS = DEFAULTS.elements


def clean_uuid(value: Any, what: str = "id") -> str:
    if not isinstance(value, str):
        raise Rejection("invalid", f"The {what} must be a UUID string.")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise Rejection("invalid", f"The {what} {value[:60]!r} is not a UUID.") from None


def clean_number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Rejection("invalid", f"{name} must be a number.")
    # Compared before any conversion: float() of a 400-digit int raises instead of refusing.
    if not low <= value <= high:  # false for NaN too
        raise Rejection("invalid", f"{name} must be between {low:g} and {high:g}.")
    return float(value)


def clean_text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise Rejection("invalid", f"{name} must be text.")
    if len(value) > limit:
        raise Rejection("too_large", f"{name} is {len(value)} characters long; the limit is {limit}.")
    # PostgreSQL cannot store NUL, and a lone surrogate is not text: refuse both everywhere.
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise Rejection("invalid", f"{name} holds characters that are not text (NUL or a broken surrogate).")
    return value


def clean_geometry(data: Element, out: Element) -> None:
    for key in ("x", "y"):
        if key in data:
            out[key] = clean_number(data[key], key, -MAX_COORDINATE, MAX_COORDINATE)
    for key in ("w", "h"):
        if key in data:
            out[key] = clean_number(data[key], key, MIN_SIZE, MAX_SIZE)


def allowed_keys(data: Any, allowed: set[str], op: str) -> Element:
    if not isinstance(data, dict):
        raise Rejection("invalid", f"{op} needs an object as its data.")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise Rejection(
            "invalid", f"{op} does not take {', '.join(map(repr, unknown))}; it takes {', '.join(sorted(allowed))}."
        )
    return data


def clean_fields(value: Any) -> list[Element]:
    if not isinstance(value, list):
        raise Rejection("invalid", "fields must be a list.")
    limits = budgets()
    if len(value) > limits.fields:
        raise Rejection("too_large", f"A sticky has at most {limits.fields} fields.")
    fields: list[Element] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, dict):
            raise Rejection("invalid", "Each field must be an object with a name and a type.")
        allowed_keys(item, {"name", "type", "required", "doc", "values", "items"}, "A field")
        name = clean_text(item.get("name"), "A field name", limits.name).strip()
        if not name:
            raise Rejection("invalid", "A field needs a name.")
        if name in seen:
            raise Rejection("invalid", f"Two fields are called {name!r}; field names must be unique.")
        seen.add(name)
        type_ = item.get("type", "string")
        if type_ not in FIELD_TYPES:
            raise Rejection(
                "invalid", f"Field {name!r} has unknown type {str(type_)[:40]!r}; use one of {', '.join(FIELD_TYPES)}."
            )
        required = item.get("required", False)
        if not isinstance(required, bool):
            raise Rejection("invalid", f"Field {name!r}: required must be true or false.")
        clean: Element = {
            "name": name,
            "type": type_,
            "required": required,
            "doc": clean_text(item.get("doc", ""), f"Field {name!r} doc", limits.text),
        }
        if type_ == "enum":
            values = item.get("values", [])
            if not isinstance(values, list):
                raise Rejection("invalid", f"Field {name!r}: values must be a list.")
            if len(values) > limits.enum_values:
                raise Rejection("too_large", f"Field {name!r}: an enum has at most {limits.enum_values} values.")
            clean["values"] = [clean_text(v, f"Field {name!r} value", limits.name) for v in values]
        if type_ == "list":
            items = item.get("items", "string")
            if items not in LIST_ITEM_TYPES:
                raise Rejection(
                    "invalid", f"Field {name!r}: a list holds one of the plain types, not {str(items)[:40]!r}."
                )
            clean["items"] = items
        fields.append(clean)
    return fields
