"""Failed sign-ins are limited per username and per client address, so passwords cannot be guessed
at speed. Counted in Django's cache for STORMING_LOGIN_WINDOW_SECONDS from the first failure."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from typing import Any

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    header = settings.STORMING_CLIENT_ADDRESS_HEADER
    if header:
        # The proxy appends the address it saw: the last value is the only one it vouches for.
        forwarded = request.headers.get(header, "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


class LoginThrottle:
    """The failure counters one sign-in attempt is held to: its username's and its address's."""

    def __init__(self, request: HttpRequest, username: str | None):
        self.counters: list[tuple[str, int]] = [
            (f"login-failures:address:{client_address(request)}", settings.STORMING_LOGIN_FAILURES_PER_ADDRESS)
        ]
        if username:
            digest = hashlib.sha256(username.casefold().encode()).hexdigest()[:32]
            self.counters.append((f"login-failures:username:{digest}", settings.STORMING_LOGIN_FAILURES_PER_USERNAME))

    def seconds_to_wait(self) -> int:
        """0 if this attempt may go ahead, else how long until the fullest counter resets."""
        try:
            found = cache.get_many([name for name, _ in self.counters] + [f"{n}:until" for n, _ in self.counters])
        except Exception:  # the cache (Redis) is down: sign-in stays possible, unthrottled
            log.warning("login throttle: cache unavailable", exc_info=True)
            return 0
        waits = [
            found.get(f"{name}:until", time.time()) - time.time()
            for name, limit in self.counters
            if found.get(name, 0) >= limit
        ]
        return max(1, math.ceil(max(waits))) if waits else 0

    def failed(self) -> None:
        window = settings.STORMING_LOGIN_WINDOW_SECONDS
        try:
            for name, _ in self.counters:
                cache.add(f"{name}:until", time.time() + window, window)
                cache.add(name, 0, window)
                cache.incr(name)
        except Exception:
            log.warning("login throttle: cache unavailable", exc_info=True)

    def succeeded(self) -> None:
        try:
            cache.delete_many([name for name, _ in self.counters[1:]] + [f"{n}:until" for n, _ in self.counters[1:]])
        except Exception:
            log.warning("login throttle: cache unavailable", exc_info=True)


class ThrottledLogin(Form):
    """Refuses a sign-in, even with the right password, once its username or address failed too often."""

    request: HttpRequest | None

    def clean(self) -> dict[str, Any]:
        throttle = LoginThrottle(self.request, self.cleaned_data.get("username")) if self.request else None
        if throttle and (wait := throttle.seconds_to_wait()):
            minutes = math.ceil(wait / 60)
            self.retry_after = wait
            raise ValidationError(
                "Too many failed sign-ins for this account or from your network. "
                f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if throttle:
                throttle.failed()
            raise
        if throttle:
            throttle.succeeded()
        return cleaned


class ThrottledAuthenticationForm(ThrottledLogin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLogin, AdminAuthenticationForm):
    pass


class ThrottledLoginView(LoginView):
    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form: Form) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error("__all__", "throttled"):
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response
