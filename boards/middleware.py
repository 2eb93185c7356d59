"""What the project's HTTP middleware share: they run in the mode of the stack around them."""

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse


class Middleware:
    """Sync or async, whichever the stack around it is, with no thread in between.

    Django's MiddlewareMixin runs `process_response` in a thread under an ASGI server, and an
    async view (the ops API) would wait on that thread. Subclasses override `process_response`
    (quick, no I/O) and may add `process_exception`, which Django calls in either mode.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):
            return self._acall(request)
        return self.process_response(request, self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        return self.process_response(request, await self.get_response(request))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        return response
