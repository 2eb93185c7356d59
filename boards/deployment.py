"""What `manage.py check --deploy` says about running Storming for real, beside Django's own checks.

Django warns about each TLS setting one by one (HSTS, Secure cookies, redirect); these say which
one Storming knob fixes them, and catch what is particular to Storming.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


def check_tls(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.STORMING_BEHIND_TLS:
        return []
    return [
        Warning(
            "Storming does not know it is served over HTTPS: session and CSRF cookies may travel in "
            "clear text, no HSTS header is sent and plain HTTP is not redirected.",
            hint="Serve it over HTTPS and set STORMING_BEHIND_TLS=true (behind a proxy that sets "
            "X-Forwarded-Proto; see STORMING_TLS_PROXY_HEADER in the README).",
            id="storming.W001",
        )
    ]


def check_shared_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not (settings.STORMING_SECRET_KEY_GENERATED and settings.REDIS_URL):
        return []
    return [
        Warning(
            f"SECRET_KEY is the one this machine made in {settings.STORMING_DATA_DIR}, but REDIS_URL says "
            "several processes serve the boards: processes on other machines make keys of their own, "
            "and a person signed in on one is signed out on the others.",
            hint="Set the same SECRET_KEY on every machine (processes sharing one STORMING_DATA_DIR agree already).",
            id="storming.W002",
        )
    ]


def check_allowed_hosts(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not set(settings.ALLOWED_HOSTS) <= LOOPBACK_HOSTS:
        return []
    return [
        Warning(
            "ALLOWED_HOSTS names only this machine: people on other machines get 400 Bad Request, "
            "and their boards' sockets are refused.",
            hint="Set ALLOWED_HOSTS to the host name people open, e.g. ALLOWED_HOSTS=storming.example.com.",
            id="storming.W003",
        )
    ]


CHECKS = (check_tls, check_shared_secret_key, check_allowed_hosts)
