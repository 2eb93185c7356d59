"""Who a participant is on a board: an identity the server issues, never one the client names.

On `hello` the page either shows the token it was given before (signed, bound to the board)
and resumes that identity, or gets a new one. Votes, undo and authorship use the identity, so
nobody can take back someone else's dots or undo their stickies by naming their id.

Each identity also gets a colour: the next slot of PALETTE in the order people joined the board,
kept with the identity, so that up to len(PALETTE) people never share one and a reload, a
reconnect or a server restart gives everyone the colour they had.

Identities cost nothing to ask for, so how many a client address may take on one board is
bounded (STORMING_NEW_PARTICIPANTS_PER_ADDRESS within STORMING_NEW_PARTICIPANTS_WINDOW
seconds). With dots counted per identity, one address can cast at most that many times the
dots per person; a page keeps its token, so people who reload or reconnect take none.

The rows of issued identities (Participant) are what that bound counts. Once out of the window
they count for nothing, and one that nothing on the board refers to (no event it authored, no
dot it holds) is pruned: on issue, when a board holds more than STORMING_PARTICIPANTS_PER_BOARD,
and by `manage.py prune_participants`. Nobody loses anything by it: the signed token, not the
row, carries an identity, so a person who comes back later resumes the same one.

`admit` decides everything a `hello` asks at once: the protocol version, the key (read from
the database every time, so replaced links stop working at once), the sign-in a members-only
board wants, and the identity.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from boards import protocol
from boards.models import Board, BoardEvent, Participant

MAX_NAME = 40
# Format characters (Cf: bidi overrides and isolates, zero-width joiners), controls (Cc),
# separators that break lines (Zl, Zp), private use and unassigned code points: none belong
# in a name shown to others.
DROPPED = {"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"}


# The colours people are shown in, in the order they join a board: dark enough for white
# initials, told apart by hue (the first six most of all), no two of them neighbours.
PALETTE = (
    "#e8590c", "#1971c2", "#2f9e44", "#9c36b5", "#c2255c", "#0c8599",
    "#5c940d", "#364fc7", "#8f5a2b", "#087f5b", "#d6336c", "#495057",
)  # fmt: skip


@dataclass(frozen=True)
class Identity:
    id: str
    token: str
    color: str = ""  # set once read from the database (see with_color)


class TooManyIdentities(Exception):
    """This address took as many new identities on this board as the window allows."""


@dataclass(frozen=True)
class Refusal:
    """Why a socket may not be on the board: the error frame it gets, and the close code."""

    code: str
    message: str
    close_code: int

    def frame(self) -> dict[str, str]:
        return {"type": "error", "code": self.code, "message": self.message}


@dataclass(frozen=True)
class Admission:
    role: str
    participant: Identity
    name: str


SIGN_IN = "This board is for signed-in members: sign in, then open the link again."
# A missing board and a wrong key are refused alike: the answer tells nothing about the board.
NOT_VALID = Refusal("forbidden", "This link is not valid for this board (any more).", 4403)
REVOKED = Refusal("revoked", "The facilitator replaced this link.", 4403)
NOT_SIGNED_IN = Refusal("sign_in", SIGN_IN, 4401)
# Like HTTP 426 Upgrade Required: the page is older than the server.
RELOAD = Refusal("reload", "Storming was updated: reload.", 4426)
TOO_MANY = Refusal(
    "too_many_participants", "Too many people joined from your network in a short time; try again later.", 4429
)


def _salt(board_id: str) -> str:
    return f"storming.participant:{board_id}"


def token_for(board_id: str, participant: str) -> str:
    return signing.dumps(participant, salt=_salt(board_id), compress=False)


def resume(board_id: str, token: object) -> Identity | None:
    """The identity a token names, if the server signed it for this board."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    try:
        participant = signing.loads(token, salt=_salt(board_id))
    except signing.BadSignature:
        return None
    if not isinstance(participant, str):
        return None
    return Identity(participant, token)


def address_tag(address: str) -> str:
    """A keyed hash of a client address: enough to count, not to recover the address."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def issue(board_id: str, address: str) -> Identity:
    """A new identity on the board, or TooManyIdentities for this address. Blocking (database)."""
    tag = address_tag(address)
    since = timezone.now() - timedelta(seconds=settings.STORMING_NEW_PARTICIPANTS_WINDOW)
    with transaction.atomic():
        # The board's row lock makes count-then-insert one step: parallel hellos cannot all pass.
        Board.objects.select_for_update().filter(pk=board_id).values_list("pk", flat=True).first()
        taken = Participant.objects.filter(board_id=board_id, address=tag, created_at__gte=since).count()
        if taken >= settings.STORMING_NEW_PARTICIPANTS_PER_ADDRESS:
            raise TooManyIdentities
        participant = secrets.token_hex(8)
        slot = _next_slot(board_id)
        Participant.objects.create(board_id=board_id, uid=participant, address=tag, color_slot=slot)
        if Participant.objects.filter(board_id=board_id).count() > settings.STORMING_PARTICIPANTS_PER_BOARD:
            prune(board_id)
    return Identity(participant, token_for(board_id, participant), color_of(slot))


def color_of(slot: int) -> str:
    return PALETTE[slot % len(PALETTE)]


def _next_slot(board_id: str) -> int:
    """The slot after the last one given on the board: join order. Call under the board's lock."""
    last = Participant.objects.filter(board_id=board_id).aggregate(last=Max("color_slot"))["last"]
    return 0 if last is None else last + 1


def with_color(board_id: str, identity: Identity) -> Identity:
    """The resumed identity with the colour it was given, or the next one if it has none yet
    (an identity issued before colours were kept). Blocking (database)."""
    slot = Participant.objects.filter(board_id=board_id, uid=identity.id).values_list("color_slot", flat=True).first()
    if slot is None:
        with transaction.atomic():
            Board.objects.select_for_update().filter(pk=board_id).values_list("pk", flat=True).first()
            slot = _next_slot(board_id)
            updated = Participant.objects.filter(board_id=board_id, uid=identity.id).update(color_slot=slot)
            if not updated:
                Participant.objects.create(board_id=board_id, uid=identity.id, color_slot=slot)
    return Identity(identity.id, identity.token, color_of(slot))


def prune(board_id: str | None = None, dry_run: bool = False) -> int:
    """Forget issued identities that count for nothing any more: issued before the window and
    referenced by nothing on their board (no event authored, no dot held). On one board or on
    all; returns how many (that would) go. Blocking (database)."""
    since = timezone.now() - timedelta(seconds=settings.STORMING_NEW_PARTICIPANTS_WINDOW)
    authored = BoardEvent.objects.filter(board_id=OuterRef("board_id"), author=OuterRef("uid"))
    stale = Participant.objects.filter(~Exists(authored), created_at__lt=since)
    if board_id is not None:
        stale = stale.filter(board_id=board_id)
    gone = 0
    # Dots live in the board's state; a restored or imported board holds dots of identities
    # that authored nothing on it.
    for board, meta in Board.objects.filter(pk__in=stale.values("board_id")).values_list("pk", "meta"):
        voters = {voter for voters in meta.get("votes", {}).values() for voter in voters}
        going = stale.filter(board_id=board).exclude(uid__in=voters)
        gone += going.count() if dry_run else going.delete()[0]
    return gone


def resume_or_issue(board_id: str, token: object, address: str) -> Identity:
    resumed = resume(board_id, token)
    return with_color(board_id, resumed) if resumed else issue(board_id, address)


def access(board_id: str, key: str | None, user: Any) -> str | Refusal:
    """The role `key` grants on the board, read from the database now, or why not. Blocking."""
    fields = ("facilitator_key", "edit_key", "view_key", "members_only")
    board = Board.objects.filter(pk=board_id).only(*fields).first()
    role = board.role_for(key) if board is not None else None
    if role is None:
        return NOT_VALID
    return role if board.admits(user) else NOT_SIGNED_IN


def admit(hello: dict[str, Any], board_id: str, key: str | None, user: Any, address: str) -> Admission | Refusal:
    """Everything `hello` decides: the protocol version, the key, the sign-in, the identity. Blocking."""
    _, name, version = protocol.hello(hello)
    if version < protocol.VERSION:
        return RELOAD
    role = access(board_id, key, user)
    if isinstance(role, Refusal):
        return role
    try:
        participant = resume_or_issue(board_id, hello.get("token"), address)
    except TooManyIdentities:
        return TOO_MANY
    return Admission(role, participant, clean_name(name))


def clean_name(name: str) -> str:
    """A display name fit to show: no control, format or bidi characters, spaces collapsed, capped."""
    spaced = (" " if ch.isspace() else ch for ch in unicodedata.normalize("NFC", name))
    kept = "".join(ch for ch in spaced if unicodedata.category(ch) not in DROPPED)
    return " ".join(kept.split())[:MAX_NAME].strip() or "Guest"
