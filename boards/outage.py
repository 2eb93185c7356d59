"""When the database cannot be reached: say so (503, try again), never an error page of a crash."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from boards.middleware import Middleware

log = logging.getLogger(__name__)

# What a lost or refused connection raises (psycopg's and sqlite3's, wrapped by Django).
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
MESSAGE = (
    "The server cannot reach its database just now, so this was not done. Try again in a few seconds "
    "(an op sent again with the same op_id is applied once)."
)


class DatabaseOutage(Middleware):
    """The JSON API answers 503 with its usual error shape and Retry-After; pages a short 503."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_DOWN):
            return None
        log.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"error": {"code": "unavailable", "message": MESSAGE}}, status=503)
        else:
            response = HttpResponse(
                "Storming cannot reach its database just now. Reload this page in a few seconds.",
                content_type="text/plain; charset=utf-8",
                status=503,
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
