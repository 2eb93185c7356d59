"""Board storage: the append-only event log and the current-state tables read from it.

Rows here are written only by boards.store.apply_ops, in the same transaction as the
BoardEvent rows that explain them.
"""

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from boards.domain import FRAME_KINDS, NOTE_KINDS


def new_token() -> str:
    return secrets.token_urlsafe(24)


ROLES = ("facilitator", "editor", "viewer")


class Board(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    # Links carry one of these keys. The facilitator's stays with whoever created the board;
    # the edit and view keys are shared, and rotating them revokes every old link at once.
    facilitator_key = models.CharField(max_length=64, default=new_token)
    edit_key = models.CharField(max_length=64, default=new_token)
    view_key = models.CharField(max_length=64, default=new_token)
    # Workshop settings and dot votes, as the log leaves them (see domain.default_meta).
    meta = models.JSONField(default=dict, blank=True)
    # Accounts are optional: a signed-in creator finds their boards again on the home page.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="boards"
    )
    # No longer shown anywhere: the home page hands out no shared key (kept for old rows).
    listed = models.BooleanField(default=False)
    # Where accounts are used: the board opens only for signed-in people who hold a key.
    members_only = models.BooleanField(default=False)
    # The seq of the last event in the log; taken under a row lock to keep seq gap-free.
    seq = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("board", args=[self.id])

    @property
    def url(self) -> str:
        return self.get_absolute_url()

    @property
    def ws_path(self) -> str:
        return f"/ws/boards/{self.id}/"

    def role_for(self, key: str | None) -> str | None:
        """The role a link's key grants on this board, or None for a wrong or revoked key."""
        if not key or not isinstance(key, str):
            return None
        # compare_digest: no timing hints about how much of a key was right.
        for role, expected in (
            ("facilitator", self.facilitator_key),
            ("editor", self.edit_key),
            ("viewer", self.view_key),
        ):
            if secrets.compare_digest(key.encode(), expected.encode()):
                return role
        return None

    def admits(self, user: Any) -> bool:
        """Whether a key holder who is `user` may open the board: members-only boards want a sign-in."""
        return not self.members_only or bool(user is not None and user.is_authenticated)

    def rotate_links(self) -> None:
        self.edit_key = new_token()
        self.view_key = new_token()
        self.save(update_fields=["edit_key", "view_key", "updated_at"])

    def link(self, role: str) -> str:
        """The page link for a role. The key rides in the fragment, which browsers never send."""
        key = {"facilitator": self.facilitator_key, "editor": self.edit_key, "viewer": self.view_key}[role]
        return f"{self.url}#key={key}"


class Note(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="notes")
    uid = models.UUIDField()
    kind = models.CharField(max_length=20, choices=[(k, k) for k in NOTE_KINDS])
    text = models.TextField(blank=True, default="")
    x = models.FloatField()
    y = models.FloatField()
    w = models.FloatField()
    h = models.FloatField()
    fields = models.JSONField(default=list, blank=True)
    aggregate = models.UUIDField(null=True, blank=True)
    context = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "uid"], name="note_uid_per_board")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


class Frame(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="frames")
    uid = models.UUIDField()
    kind = models.CharField(max_length=20, choices=[(k, k) for k in FRAME_KINDS])
    name = models.CharField(max_length=200, blank=True, default="")
    x = models.FloatField()
    y = models.FloatField()
    w = models.FloatField()
    h = models.FloatField()
    context = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "uid"], name="frame_uid_per_board")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.name}"


class Link(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="links")
    uid = models.UUIDField()
    source = models.UUIDField()
    target = models.UUIDField()
    label = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "uid"], name="link_uid_per_board")]

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}"


class Comment(models.Model):
    """A comment in a sticky's thread (see boards.domain.threads); whether the thread is resolved
    lives in Board.meta, beside the dots."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="comments")
    uid = models.UUIDField()
    note = models.UUIDField()
    text = models.TextField()
    author = models.CharField(max_length=64, blank=True, default="")  # the participant's id
    name = models.CharField(max_length=100, blank=True, default="")  # their display name then
    at = models.FloatField()  # Unix seconds, as in the board's state
    edited = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "uid"], name="comment_uid_per_board")]

    def __str__(self) -> str:
        return f"{self.name}: {self.text[:40]}"


class BoardEvent(models.Model):
    """One accepted change. Never updated or deleted: the board is rebuilt from these."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="events")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=40)
    data = models.JSONField()
    # The op that made it ("undo", "board.restore", "note.update"...): the why behind the what.
    op = models.CharField(max_length=40, blank=True, default="")
    actor = models.CharField(max_length=100, blank=True, default="")
    # A participant's stable id (the display name may change or repeat): whose undo this is.
    author = models.CharField(max_length=64, blank=True, default="")
    op_id = models.CharField(max_length=64, blank=True, default="")
    at = models.DateTimeField()
    # What the event replaced, and whether it only followed from another event of its op:
    # enough to undo it without replaying the log. Never sent to clients.
    before = models.JSONField(null=True, blank=True)
    derived = models.BooleanField(default=False)

    class Meta:
        ordering = ["board", "seq"]
        constraints = [models.UniqueConstraint(fields=["board", "seq"], name="event_seq_per_board")]
        indexes = [models.Index(fields=["board", "op_id"], name="event_op_id")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.type}"


class BoardSnapshot(models.Model):
    """The whole board after `seq`, kept every few hundred events so any past state rebuilds fast."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="snapshots")
    seq = models.BigIntegerField()
    state = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "seq"], name="snapshot_seq_per_board")]

    def __str__(self) -> str:
        return f"{self.board} @ {self.seq}"


class RelayPosition(models.Model):
    """How far `relay_board_events` has published one board's log to one Kafka topic.

    The outbox relay advances `last_seq` only after the broker confirmed delivery, so after a crash
    it resumes at the first event the broker may not have. Kept per topic: relaying to a new topic
    starts that topic from the board's first event.
    """

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="relay_positions")
    topic = models.CharField(max_length=249)  # Kafka's own limit on a topic name
    last_seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    # The last failure to publish this board (cleared by the next success), for the admin.
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    error_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "topic"], name="relay_position_per_topic")]

    def __str__(self) -> str:
        return f"{self.board} -> {self.topic} @ {self.last_seq}"

    @property
    def lag(self) -> int:
        """Events in the log that the topic does not have yet."""
        return max(self.board.seq - self.last_seq, 0)


class ContractRelease(models.Model):
    """A released version of the board's contract: a pointer into the board's own log.

    The contract itself is not copied: it is whatever the export derives from the board as it was
    right after event `seq` (see boards.export.releases). Versions count up from 1 per board.
    """

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="releases")
    version = models.PositiveIntegerField()
    seq = models.BigIntegerField()
    note = models.TextField(blank=True, default="")
    # Elements whose wire names follow their sticky's text again from this release on (breaking).
    renamed = models.JSONField(default=list, blank=True)
    actor = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["board", "version"]
        constraints = [models.UniqueConstraint(fields=["board", "version"], name="release_version_per_board")]

    def __str__(self) -> str:
        return f"{self.board} v{self.version} @ {self.seq}"

    def as_dict(self) -> dict:
        return {
            "version": self.version,
            "seq": self.seq,
            "note": self.note,
            "renamed": list(self.renamed),
            "by": self.actor,
            "at": self.created_at.isoformat(),
        }


class Participant(models.Model):
    """An identity the server issued on a board: whose dots, whose undo, whose changes.

    Kept so that how many identities one address took on a board can be counted across
    processes (boards.identity bounds it); the address is stored as a keyed hash only.
    """

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="participants")
    uid = models.CharField(max_length=32)
    address = models.CharField(max_length=64, blank=True, default="")
    # Which colour of boards.identity.PALETTE this person shows in: join order on the board.
    color_slot = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "uid"], name="participant_uid_per_board")]
        indexes = [models.Index(fields=["board", "address", "created_at"], name="participant_minted")]

    def __str__(self) -> str:
        return f"{self.board} / {self.uid}"
