from django.contrib import admin

from boards.models import Board, BoardEvent, Frame, Link, Note


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
class BoardEventAdmin(admin.ModelAdmin):
    list_display = ("board", "seq", "type", "actor", "at")
    list_filter = ("type",)
    search_fields = ("board__name", "board__id", "op_id")
    list_select_related = ("board",)
    readonly_fields = ("board", "seq", "type", "data", "actor", "op_id", "at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # The log is append-only: removing a row would corrupt every replay after it.
        return False


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "board")
    list_filter = ("kind",)
    list_select_related = ("board",)


admin.site.register(Frame)
admin.site.register(Link)
