"""The board as a picture: SVG drawn from a snapshot, to look like the board page.

Pure functions of a snapshot (no Django), so the export can put a context map in its ZIP.
User text is data: every piece of it is XML-escaped, never markup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# The look of each kind, as static/boards/js/kinds.js and board.css draw it. Colour is never the
# only signal: each kind also has its label and icon in the sticky's head, and some a shape.
NOTE_LOOK: dict[str, tuple[str, str]] = {
    "event": ("#ffa94d", "Event"),
    "command": ("#74c0fc", "Command"),
    "policy": ("#b197fc", "Policy"),
    "external_system": ("#f783ac", "External system"),
    "actor": ("#ffe066", "Actor"),
    "read_model": ("#8ce99a", "Read model"),
    "hotspot": ("#ff6b6b", "Hotspot"),
}
UNKNOWN_LOOK = ("#dee2e6", "Sticky")
ICONS = {
    "event": "M13 2 4 14h7l-1 8 9-12h-7l1-8z",
    "command": "M7 4v16l13-8z",
    "policy": "M12 2 22 12 12 22 2 12z M12 8v5 M12 16v.5",
    "external_system": "M3 4h18v7H3z M3 13h18v7H3z M7 7.5h.01 M7 16.5h.01",
    "actor": "M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M4 21c0-4 3.6-7 8-7s8 3 8 7",
    "read_model": "M3 4h18v16H3z M3 9h18 M3 14.5h18 M9 9v11",
    "hotspot": "M12 3 22 20H2z M12 9v5 M12 17v.5",
    "aggregate": "M3 7l9-4 9 4v10l-9 4-9-4z M3 7l9 4 9-4 M12 11v10",
    "lane": "M2 4h20 M2 12h20 M2 20h20 M6 4v16",
    "bounded_context": "M4 4h4 M10 4h4 M16 4h4v4 M20 10v4 M20 16v4h-4 M14 20h-4 M8 20H4v-4 M4 14v-4 M4 8V4",
}
FONT = "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', 'Liberation Sans', Arial, sans-serif"
INK, INK_2, CANVAS = "#1f2328", "#495057", "#f6f7f9"
MARGIN = 40.0
HOTSPOT_TILT = -3.0

STYLE = f"""
text {{ font-family: {FONT}; fill: {INK}; }}
.head {{ font-size: 10px; font-weight: 700; letter-spacing: 0.06em; fill: rgba(0,0,0,0.55); }}
.icon {{ fill: none; stroke: rgba(0,0,0,0.55); stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }}
.body {{ font-weight: 500; }}
.frame-kind {{ font-size: 10px; font-weight: 700; letter-spacing: 0.06em; fill: rgba(0,0,0,0.5); }}
.frame-name {{ font-size: 15px; font-weight: 600; }}
.link {{ fill: none; stroke: {INK_2}; stroke-width: 2; }}
.link-label {{ font-size: 12px; fill: {INK_2}; paint-order: stroke; stroke: {CANVAS}; stroke-width: 6px; stroke-linejoin: round; }}
"""

Element = dict[str, Any]


# --- text ------------------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: Any) -> str:
    """Text as XML character data: escaped, and without characters XML cannot hold."""
    text = _NOT_XML.sub("\ufffd", str(value))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(value: Any) -> str:
    return xml_text(value).replace('"', "&quot;").replace("'", "&#39;")


def _char_width(char: str) -> float:
    """Rough advance of a character in em for a sans-serif face; enough to wrap without a font."""
    if char in "iljtf.,:;'!|I ()[]":
        return 0.3
    if char in "mwMW@":
        return 0.88
    if char.isupper() or char.isdigit():
        return 0.66
    if ord(char) > 0x2E7F:  # CJK and emoji take a full em
        return 1.0
    return 0.54


def text_width(text: str, size: float) -> float:
    return sum(_char_width(c) for c in text) * size


def wrap(text: str, width: float, size: float) -> list[str]:
    """Break text into lines no wider than `width`, at spaces, and inside words that cannot fit."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            while text_width(word, size) > width:
                cut = 1
                while cut < len(word) and text_width(word[: cut + 1], size) <= width:
                    cut += 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


# The sizes and the text box of static/boards/js/textfit.js, so a picture wraps like the board.
NOTE_SIZES = (15.0, 13.0, 11.5, 10.0)
ACTOR_SIZES = (13.0, 11.5, 10.0)
LINE_HEIGHT = 1.28


def _fit(text: str, width: float, height: float, sizes: Iterable[float]) -> tuple[float, list[str], bool]:
    """The largest size at which the text fits the box; else the smallest, with every line
    (the sticky then grows to hold them: a picture never cuts text off)."""
    size, lines = 0.0, []
    for size in sizes:
        lines = wrap(text, width, size)
        if len(lines) * size * LINE_HEIGHT <= height:
            return size, lines, False
    return size, lines, True


def note_height(note: Element) -> float:
    """How tall a sticky is drawn: its own height, or more when its text needs it."""
    kind, w, h = note.get("kind", ""), note["w"], note["h"]
    size, lines, overflows = _fit(str(note.get("text") or ""), w - 20, h - 32, _sizes(kind))
    return h + (len(lines) * size * LINE_HEIGHT - (h - 32) if overflows else 0)


def _sizes(kind: str) -> tuple[float, ...]:
    return ACTOR_SIZES if kind == "actor" else NOTE_SIZES


# --- geometry --------------------------------------------------------------------------------


def _centre(e: Element) -> tuple[float, float]:
    return e["x"] + e["w"] / 2, e["y"] + e["h"] / 2


HEADER = 30  # a frame's header height, as on the page


def _contains_centre(outer: Element, inner: Element) -> bool:
    cx, cy = _centre(inner)
    return (
        outer["w"] * outer["h"] > inner["w"] * inner["h"]
        and outer["x"] < cx < outer["x"] + outer["w"]
        and outer["y"] < cy < outer["y"] + outer["h"]
    )


def _ends(a: Element, b: Element) -> tuple[float, float, float, float]:
    """Where the line between two rectangles' centres leaves each: linkEnds() of
    static/boards/js/render.js, so a picture's links end where the board's do. A link between a
    frame and something inside it runs from the frame's header to the inner element."""
    if _contains_centre(a, b) or _contains_centre(b, a):
        outer, inner = (a, b) if _contains_centre(a, b) else (b, a)
        x = inner["x"] + inner["w"] / 2
        top = (x, outer["y"] + HEADER)
        edge = (x, inner["y"] if top[1] < inner["y"] else inner["y"] + inner["h"])
        return (*top, *edge) if outer is a else (*edge, *top)
    ax, ay = _centre(a)
    bx, by = _centre(b)
    dx, dy = bx - ax, by - ay

    def inside(r: Element) -> float:
        return min(r["w"] / 2 / abs(dx) if dx else math.inf, r["h"] / 2 / abs(dy) if dy else math.inf)

    ta, tb = inside(a), inside(b)
    if ta + tb >= 1:
        # Overlapping (a sticky linked to the frame around it): meet in the middle.
        ta, tb = min(ta, 0.45), min(tb, 0.45)
    return ax + dx * ta, ay + dy * ta, bx - dx * tb, by - dy * tb


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(min_x: float, min_y: float, width: float, height: float, title: str, body: list[str]) -> str:
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_n(min_x)} {_n(min_y)} {_n(width)} {_n(height)}" '
            f'width="{_n(width)}" height="{_n(height)}" role="img" font-family="{xml_attr(FONT)}">',
            f"<title>{xml_text(title)}</title>",
            "<defs>",
            f"<style>{STYLE}</style>",
            '<marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
            f'orient="auto-start-reverse"><path d="M0 0 10 5 0 10z" fill="{INK_2}"/></marker>',
            '<filter id="shadow" x="-10%" y="-10%" width="120%" height="130%">'
            '<feDropShadow dx="0" dy="2" stdDeviation="2.5" flood-color="#000" flood-opacity="0.16"/></filter>',
            "</defs>",
            f'<rect x="{_n(min_x)}" y="{_n(min_y)}" width="{_n(width)}" height="{_n(height)}" fill="{CANVAS}"/>',
            *body,
            "</svg>",
            "",
        ]
    )


def _icon(kind: str, x: float, y: float, size: float) -> str:
    scale = size / 24
    return f'<path class="icon" transform="translate({_n(x)} {_n(y)}) scale({scale:.3f})" d="{ICONS.get(kind, "")}"/>'


# --- the board -------------------------------------------------------------------------------


def board_svg(snapshot: dict[str, Any], selection: set[str] | None = None) -> str:
    """The board (or the selected elements) drawn as it looks on the page.

    With a selection, a selected frame brings its members (a lane: the stickies in its band),
    and links are drawn between drawn elements only.
    """
    notes: list[Element] = list(snapshot.get("notes", []))
    frames: list[Element] = list(snapshot.get("frames", []))
    if selection is not None:
        chosen = set(selection)
        chosen |= {f["id"] for f in frames if f.get("context") in chosen}
        frames = [f for f in frames if f["id"] in chosen]
        lanes = [f for f in frames if f["kind"] == "lane"]
        notes = [
            n
            for n in notes
            if chosen & {n["id"], n.get("aggregate"), n.get("context")} or any(_in_band(lane, n) for lane in lanes)
        ]
    drawn = {e["id"]: e for e in [*frames, *notes]}
    links = [
        link
        for link in snapshot.get("links", [])
        if link["from"] in drawn and link["to"] in drawn and link["from"] != link["to"]
    ]
    name = str(snapshot.get("name") or "Board")
    if not drawn:
        return _svg(0, 0, 320, 120, name, ['<text x="160" y="64" text-anchor="middle">Nothing to draw</text>'])

    # Tilted hotspots poke out a little; the margin covers them.
    min_x = min(e["x"] for e in drawn.values()) - MARGIN
    min_y = min(e["y"] for e in drawn.values()) - MARGIN
    max_x = max(e["x"] + e["w"] for e in drawn.values()) + MARGIN
    bottoms = [*(f["y"] + f["h"] for f in frames), *(n["y"] + note_height(n) for n in notes)]
    max_y = max(bottoms) + MARGIN

    body: list[str] = ['<g class="frames">']
    # Lanes under everything, then big frames first so that the smaller ones inside stay visible.
    for frame in sorted(frames, key=lambda f: (f["kind"] != "lane", -f["w"] * f["h"])):
        body.append(_frame(frame))
    body.append('</g><g class="links">')
    body += [_link(link, drawn[link["from"]], drawn[link["to"]]) for link in links]
    body.append('</g><g class="notes">')
    body += [_note(note) for note in notes]
    body.append("</g>")
    return _svg(min_x, min_y, max_x - min_x, max_y - min_y, name, body)


def _frame(frame: Element) -> str:
    x, y, w, h = frame["x"], frame["y"], frame["w"], frame["h"]
    name = str(frame.get("name") or "")
    parts = [f'<g class="frame" data-kind="{xml_attr(frame["kind"])}" data-id="{xml_attr(frame["id"])}">']
    if frame["kind"] == "aggregate":
        parts += [
            f"<title>Aggregate: {xml_text(name)}</title>",
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="6" '
            'fill="#ffec99" fill-opacity="0.22" stroke="#fab005" stroke-width="2"/>',
            # The yellow header, squared off at the bottom like the page's.
            f'<path d="M{_n(x + 1)} {_n(y + 33)} V{_n(y + 7)} a6 6 0 0 1 6 -6 H{_n(x + w - 7)} a6 6 0 0 1 6 6 '
            f'V{_n(y + 33)} Z" fill="#ffe066"/>',
            _icon("aggregate", x + 10, y + 10, 13),
            _header(x + 28, y + 22, "AGGREGATE", _clip(name, w - 120, 15)),
        ]
    elif frame["kind"] == "lane":
        label_w = min(w - 16, 90 + text_width(name, 15))
        parts += [
            f"<title>Lane: {xml_text(name)}</title>",
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="#d0ebff" fill-opacity="0.2"/>',
            f'<path d="M{_n(x)} {_n(y + 1)} H{_n(x + w)} M{_n(x)} {_n(y + h - 1)} H{_n(x + w)}" '
            'stroke="#a5b4c8" stroke-width="2"/>',
            f'<rect x="{_n(x + 8)}" y="{_n(y + 6)}" width="{_n(label_w)}" height="28" rx="14" '
            'fill="#e7f5ff" stroke="#a5d8ff"/>',
            _icon("lane", x + 16, y + 13, 14),
            _header(x + 36, y + 25, "LANE", _clip(name, label_w - 70, 15)),
        ]
    else:
        label_w = min(w - 16, 176 + text_width(name, 15))
        parts += [
            f"<title>Bounded context: {xml_text(name)}</title>",
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="10" '
            'fill="#dee2e6" fill-opacity="0.28" stroke="#868e96" stroke-width="2" stroke-dasharray="8 6"/>',
            f'<rect x="{_n(x + 8)}" y="{_n(y + 8)}" width="{_n(label_w)}" height="30" rx="6" '
            'fill="#fff" stroke="#ced4da" filter="url(#shadow)"/>',
            _icon("bounded_context", x + 16, y + 16, 14),
            _header(x + 36, y + 28, "BOUNDED CONTEXT", _clip(name, label_w - 160, 15)),
        ]
    parts.append("</g>")
    return "".join(parts)


def _in_band(lane: Element, note: Element) -> bool:
    cx, cy = note["x"] + note["w"] / 2, note["y"] + note["h"] / 2
    return lane["x"] <= cx <= lane["x"] + lane["w"] and lane["y"] <= cy <= lane["y"] + lane["h"]


def _header(x: float, y: float, kind: str, name: str) -> str:
    # One text element: the name flows after the kind label whatever the font's widths are.
    return (
        f'<text x="{_n(x)}" y="{_n(y)}"><tspan class="frame-kind">{kind}</tspan>'
        f'<tspan class="frame-name" dx="8">{xml_text(name)}</tspan></text>'
    )


def _clip(text: str, width: float, size: float) -> str:
    """One line of a frame name; a name too long for its frame ends with an ellipsis."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _note(note: Element) -> str:
    kind = note.get("kind", "")
    colour, label = NOTE_LOOK.get(kind, UNKNOWN_LOOK)
    x, y, w, h = note["x"], note["y"], note["w"], note_height(note)
    text = str(note.get("text") or "")
    cx, cy = x + w / 2, y + h / 2
    tilt = f' transform="rotate({_n(HOTSPOT_TILT)} {_n(cx)} {_n(cy)})"' if kind == "hotspot" else ""
    parts = [
        f'<g class="note" data-kind="{xml_attr(kind)}" data-id="{xml_attr(note["id"])}"{tilt}>',
        f"<title>{xml_text(label)}: {xml_text(text)}</title>",
        _note_shape(kind, x, y, w, h, colour),
    ]
    # The head: the kind's icon and name, so that colour is never the only signal.
    parts.append(_icon(kind, x + 9, y + 7, 12))
    head = label.upper()
    fields = note.get("fields") or []
    parts.append(f'<text class="head" x="{_n(x + 25)}" y="{_n(y + 17)}">{xml_text(head)}</text>')
    if fields:
        count = f"{len(fields)} field{'s' if len(fields) != 1 else ''}"
        parts.append(
            f'<text class="head" x="{_n(x + w - 9)}" y="{_n(y + 17)}" text-anchor="end" '
            f'style="letter-spacing:0">{count}</text>'
        )
    inner_w, top = w - 20, y + 24
    size, lines, _ = _fit(text, inner_w, y + h - 8 - top, _sizes(kind))
    if lines:
        line_h = size * 1.28
        first = top + (y + h - 8 - top - len(lines) * line_h) / 2 + size * 0.95
        parts.append(f'<text class="body" x="{_n(cx)}" text-anchor="middle" font-size="{_n(size)}">')
        parts += [
            f'<tspan x="{_n(cx)}" y="{_n(first + i * line_h)}">{xml_text(line)}</tspan>' for i, line in enumerate(lines)
        ]
        parts.append("</text>")
    parts.append("</g>")
    return "".join(parts)


def _note_shape(kind: str, x: float, y: float, w: float, h: float, colour: str) -> str:
    """The sticky's paper, with the second signals of board.css: a command's darker left edge,
    a read model's folded corner, a policy's rounded corner."""
    paper = f'fill="{colour}" filter="url(#shadow)"'
    if kind == "read_model":
        fold = 14
        return (
            f'<path d="M{_n(x)} {_n(y)} H{_n(x + w - fold)} L{_n(x + w)} {_n(y + fold)} V{_n(y + h)} H{_n(x)} Z" '
            f"{paper}/>"
            f'<path d="M{_n(x + w - fold)} {_n(y)} V{_n(y + fold)} H{_n(x + w)} Z" fill="#000" fill-opacity="0.16"/>'
        )
    if kind == "policy":
        r = 14
        return (
            f'<path d="M{_n(x + 3)} {_n(y)} H{_n(x + w - 3)} Q{_n(x + w)} {_n(y)} {_n(x + w)} {_n(y + 3)} '
            f"V{_n(y + h - r)} Q{_n(x + w)} {_n(y + h)} {_n(x + w - r)} {_n(y + h)} H{_n(x + 3)} "
            f'Q{_n(x)} {_n(y + h)} {_n(x)} {_n(y + h - 3)} V{_n(y + 3)} Q{_n(x)} {_n(y)} {_n(x + 3)} {_n(y)} Z" '
            f"{paper}/>"
        )
    rect = f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="3" {paper}/>'
    if kind == "command":
        rect += f'<rect x="{_n(x)}" y="{_n(y)}" width="4" height="{_n(h)}" fill="#000" fill-opacity="0.18"/>'
    return rect


def _link(link: Element, a: Element, b: Element) -> str:
    x1, y1, x2, y2 = _ends(a, b)
    parts = [
        f'<g class="link" data-id="{xml_attr(link["id"])}">',
        f'<path class="link" d="M{_n(x1)} {_n(y1)} L{_n(x2)} {_n(y2)}" marker-end="url(#arrowhead)"/>',
    ]
    if link.get("label"):
        parts.append(
            f'<text class="link-label" x="{_n((x1 + x2) / 2)}" y="{_n((y1 + y2) / 2 - 6)}" text-anchor="middle">'
            f"{xml_text(link['label'])}</text>"
        )
    parts.append("</g>")
    return "".join(parts)


# --- the context map -------------------------------------------------------------------------


@dataclass
class Crossing:
    """Events that leave one bounded context for another (None: outside every context)."""

    source: str | None
    target: str | None
    events: list[str] = field(default_factory=list)


def _context_of(element: Element | None) -> str | None:
    if element is None:
        return None
    if element.get("kind") == "bounded_context":
        return element["id"]
    return element.get("context")


def context_crossings(snapshot: dict[str, Any]) -> list[Crossing]:
    """Events in one context linked, directly or through a policy, to something in another."""
    elements = {e["id"]: e for e in [*snapshot.get("notes", []), *snapshot.get("frames", [])]}
    targets: dict[str, list[str]] = {}
    for link in snapshot.get("links", []):
        targets.setdefault(link["from"], []).append(link["to"])
    crossings: dict[tuple[str | None, str | None], Crossing] = {}
    for event in snapshot.get("notes", []):
        if event.get("kind") != "event":
            continue
        source = event.get("context")
        reached = []
        for target_id in targets.get(event["id"], []):
            target = elements.get(target_id)
            reached.append(target)
            # A policy in the event's own context (or in none) acts on the event there; what it
            # then commands is where the event really goes.
            if target is not None and target.get("kind") == "policy" and _context_of(target) in (source, None):
                reached += [elements.get(t) for t in targets.get(target_id, [])]
        for target in reached:
            where = _context_of(target)
            if target is None or where == source or (source is None and where is None):
                continue
            crossing = crossings.setdefault((source, where), Crossing(source, where))
            name = str(event.get("text") or "").strip() or "(unnamed event)"
            if name not in crossing.events:
                crossing.events.append(name)
    return list(crossings.values())


BOX_W, ROW_H, HEAD_H, GAP_X, GAP_Y = 260.0, 24.0, 56.0, 220.0, 150.0


def context_map_svg(snapshot: dict[str, Any]) -> str:
    """Bounded contexts as boxes listing their aggregates, and arrows for the events between them."""
    frames = snapshot.get("frames", [])
    contexts = sorted((f for f in frames if f["kind"] == "bounded_context"), key=lambda f: (f["y"], f["x"]))
    crossings = context_crossings(snapshot)
    boxes: list[dict[str, Any]] = [{"id": c["id"], "name": c.get("name") or "(unnamed context)"} for c in contexts]
    if any(None in (c.source, c.target) for c in crossings):
        boxes.append({"id": None, "name": "Outside any context", "outside": True})
    name = f"Context map: {snapshot.get('name') or 'Board'}"
    if not boxes:
        return _svg(0, 0, 360, 120, name, ['<text x="180" y="64" text-anchor="middle">No bounded contexts yet</text>'])

    for box in boxes:
        box["aggregates"] = sorted(
            str(f.get("name") or "(unnamed aggregate)")
            for f in frames
            if f["kind"] == "aggregate" and f.get("context") == box["id"]
        )
    # A grid in the order the contexts stand on the board, wide rather than tall.
    columns = max(1, math.ceil(math.sqrt(len(boxes) * 1.5)))
    row_heights: dict[int, float] = {}
    for index, box in enumerate(boxes):
        box["h"] = HEAD_H + max(1, len(box["aggregates"])) * ROW_H + 14
        row = index // columns
        row_heights[row] = max(row_heights.get(row, 0.0), box["h"])
    tops = [0.0]
    for row in range(len(row_heights)):
        tops.append(tops[-1] + row_heights[row] + GAP_Y)
    for index, box in enumerate(boxes):
        box["x"] = (index % columns) * (BOX_W + GAP_X)
        box["y"] = tops[index // columns]
        box["w"] = BOX_W
    width = min(len(boxes), columns) * (BOX_W + GAP_X) - GAP_X
    height = tops[len(row_heights)] - GAP_Y

    by_id = {box["id"]: box for box in boxes}
    body = ['<g class="contexts">']
    body += [_context_box(box) for box in boxes]
    body.append('</g><g class="crossings">')
    pairs = {(c.source, c.target) for c in crossings}
    for crossing in crossings:
        a, b = by_id[crossing.source], by_id[crossing.target]
        body.append(_crossing(crossing, a, b, both_ways=(crossing.target, crossing.source) in pairs))
    body.append("</g>")
    pad = 60.0
    return _svg(-pad, -pad, width + 2 * pad, height + 2 * pad, name, body)


def _context_box(box: dict[str, Any]) -> str:
    x, y, w, h = box["x"], box["y"], box["w"], box["h"]
    dash = ' stroke-dasharray="4 4"' if box.get("outside") else ' stroke-dasharray="8 6"'
    parts = [
        f'<g class="context" data-id="{xml_attr(box["id"] or "")}">',
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="10" fill="#fff" '
        f'stroke="#868e96" stroke-width="2"{dash}/>',
        _icon("bounded_context", x + 14, y + 12, 14),
        f'<text class="frame-kind" x="{_n(x + 34)}" y="{_n(y + 23)}">BOUNDED CONTEXT</text>',
        f'<text class="frame-name" x="{_n(x + 14)}" y="{_n(y + 44)}">{xml_text(_clip(box["name"], w - 28, 15))}</text>',
    ]
    if not box["aggregates"]:
        parts.append(
            f'<text x="{_n(x + 14)}" y="{_n(y + HEAD_H + 16)}" font-size="12" fill="{INK_2}" '
            f'font-style="italic">no aggregates</text>'
        )
    for i, aggregate in enumerate(box["aggregates"]):
        top = y + HEAD_H + i * ROW_H
        parts += [
            f'<rect x="{_n(x + 10)}" y="{_n(top)}" width="{_n(w - 20)}" height="{_n(ROW_H - 4)}" rx="4" '
            'fill="#ffe066" stroke="#fab005"/>',
            _icon("aggregate", x + 16, top + 4, 12),
            f'<text x="{_n(x + 34)}" y="{_n(top + 14.5)}" font-size="12.5" font-weight="600">'
            f"{xml_text(_clip(aggregate, w - 54, 12.5))}</text>",
        ]
    parts.append("</g>")
    return "".join(parts)


def _crossing(crossing: Crossing, a: dict[str, Any], b: dict[str, Any], both_ways: bool) -> str:
    x1, y1, x2, y2 = _ends(a, b)
    if both_ways:
        # Two arrows between the same boxes: move each to its own side so both stay readable.
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        ox, oy = -(y2 - y1) / length * 12, (x2 - x1) / length * 12
        x1, y1, x2, y2 = x1 + ox, y1 + oy, x2 + ox, y2 + oy
    # The labels stand beside the arrow, on the side it was moved to, clear of the line: the
    # two arrows of a pair then keep their labels apart.
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    nx, ny = -(y2 - y1) / length, (x2 - x1) / length
    lines = crossing.events
    line_h = 15.0
    block_w = max(text_width(name, 12.5) for name in lines)
    block_h = len(lines) * line_h
    away = abs(nx) * block_w / 2 + abs(ny) * block_h / 2 + 6
    mx, my = (x1 + x2) / 2 + nx * away, (y1 + y2) / 2 + ny * away
    start = my - block_h / 2 + line_h * 0.75
    labels = "".join(
        f'<tspan x="{_n(mx)}" y="{_n(start + i * line_h)}">{xml_text(name)}</tspan>' for i, name in enumerate(lines)
    )
    return (
        f'<g class="crossing"><title>{xml_text(", ".join(lines))}</title>'
        f'<path class="link" d="M{_n(x1)} {_n(y1)} L{_n(x2)} {_n(y2)}" marker-end="url(#arrowhead)"/>'
        f'<text class="link-label" text-anchor="middle" font-weight="600">{labels}</text></g>'
    )
