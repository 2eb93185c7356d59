"""The ops API is an async view that waits on the board's room; nothing in front of it may hold a thread."""

from django.conf import settings
from django.utils.module_loading import import_string


def test_every_middleware_runs_async_so_no_thread_waits_under_the_ops_api():
    # One sync-only middleware makes Django run the chain below it in a thread that waits for
    # the view; the room's writer then needs that same database thread (the async test client
    # deadlocked so).
    sync_only = [path for path in settings.MIDDLEWARE if not getattr(import_string(path), "async_capable", False)]
    assert sync_only == []
