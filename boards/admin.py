from django.contrib import admin
from django.db.models import F

from boards.models import Board, BoardEvent, Comment, ContractRelease, Frame, Link, Note, RelayPosition


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the application alone writes: staff look, never add or change (nor delete, unless a
    subclass says why it may)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BoardEventInline(admin.TabularInline):
    model = BoardEvent
    fields = ("seq", "type", "actor", "op_id", "at", "data")
    readonly_fields = fields
    ordering = ("-seq",)
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "seq", "created_at", "updated_at")
    search_fields = ("name", "id")
    readonly_fields = ("id", "seq", "created_at", "updated_at")
    inlines = [BoardEventInline]

    def get_inlines(self, request, obj):
        # A long workshop log is browsed in the event list, not inlined in full.
        return [] if obj is None or obj.seq > 500 else self.inlines


@admin.register(BoardEvent)
class BoardEventAdmin(ReadOnlyAdmin):
    list_display = ("board", "seq", "type", "actor", "at")
    list_filter = ("type",)
    search_fields = ("board__name", "board__id", "op_id")
    list_select_related = ("board",)
    # Not even deleted: the log is append-only, and removing a row would corrupt every replay after it.
    readonly_fields = ("board", "seq", "type", "data", "actor", "op_id", "at")


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "board")
    list_filter = ("kind",)
    list_select_related = ("board",)


admin.site.register(Frame)
admin.site.register(Link)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("text", "name", "board")
    list_select_related = ("board",)

    # A projection of the log: changed through the board's ops only, never here.
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RelayPosition)
class RelayPositionAdmin(ReadOnlyAdmin):
    """How far `relay_board_events` has published each board, and why it stopped if it did."""

    list_display = ("board", "topic", "last_seq", "board_seq", "lag", "status", "error_count", "updated_at")
    list_filter = ("topic",)
    list_select_related = ("board",)
    search_fields = ("board__name", "board__id", "topic")
    readonly_fields = (
        "board", "topic", "last_seq", "lag", "updated_at", "last_error", "last_error_at", "error_count",
    )  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(behind=F("board__seq") - F("last_seq"))

    @admin.display(description="board seq", ordering="board__seq")
    def board_seq(self, obj: RelayPosition) -> int:
        return obj.board.seq

    @admin.display(description="lag (events)", ordering="behind")
    def lag(self, obj: RelayPosition) -> int:
        return obj.lag

    @admin.display(description="status")
    def status(self, obj: RelayPosition) -> str:
        return f"failing: {obj.last_error}" if obj.last_error else "ok"

    def has_delete_permission(self, request, obj=None):
        # Positions are the relay's bookkeeping. Deleting one is allowed on purpose: the relay
        # then publishes that board again from its first event (for staff whose permissions allow it).
        return admin.ModelAdmin.has_delete_permission(self, request, obj)


@admin.register(ContractRelease)
class ContractReleaseAdmin(ReadOnlyAdmin):
    """Released versions of boards' contracts; teams build on them, so they are read only here."""

    list_display = ("board", "version", "seq", "actor", "created_at", "note")
    list_select_related = ("board",)
    search_fields = ("board__name", "board__id", "note")
    # Not deleted either: later releases, their pinned names and schema versions are computed from earlier ones.
    readonly_fields = ("board", "version", "seq", "note", "renamed", "actor", "created_at")
