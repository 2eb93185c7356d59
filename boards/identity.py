"""Who a participant is on a board: an identity the server issues, never one the client names.

On `hello` the page either shows the token it was given before (signed, bound to the board)
and resumes that identity, or gets a new one. Votes, undo and authorship use the identity, so
nobody can take back someone else's dots or undo their stickies by naming their id.

Identities cost nothing to ask for, so how many a client address may take on one board is
bounded (STORMING_NEW_PARTICIPANTS_PER_ADDRESS within STORMING_NEW_PARTICIPANTS_WINDOW
seconds). With dots counted per identity, one address can cast at most that many times the
dots per person; a page keeps its token, so people who reload or reconnect take none.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from boards.models import Participant

MAX_NAME = 40
# Format characters (Cf: bidi overrides and isolates, zero-width joiners), controls (Cc),
# separators that break lines (Zl, Zp), private use and unassigned code points: none belong
# in a name shown to others.
DROPPED = {"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"}


@dataclass(frozen=True)
class Identity:
    id: str
    token: str


class TooManyIdentities(Exception):
    """This address took as many new identities on this board as the window allows."""


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
    taken = Participant.objects.filter(board_id=board_id, address=tag, created_at__gte=since).count()
    if taken >= settings.STORMING_NEW_PARTICIPANTS_PER_ADDRESS:
        raise TooManyIdentities
    participant = secrets.token_hex(8)
    Participant.objects.create(board_id=board_id, uid=participant, address=tag)
    return Identity(participant, token_for(board_id, participant))


def resume_or_issue(board_id: str, token: object, address: str) -> Identity:
    return resume(board_id, token) or issue(board_id, address)


def clean_name(name: str) -> str:
    """A display name fit to show: no control, format or bidi characters, spaces collapsed, capped."""
    spaced = (" " if ch.isspace() else ch for ch in unicodedata.normalize("NFC", name))
    kept = "".join(ch for ch in spaced if unicodedata.category(ch) not in DROPPED)
    return " ".join(kept.split())[:MAX_NAME].strip() or "Guest"
