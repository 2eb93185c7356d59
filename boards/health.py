"""GET /healthz: the process is up and serving. For load balancers' health checks.

Cheap on purpose: no database query, no session, no template. Every process shares one database,
so a failing database would mark them all down at once and help no one; a process that cannot
reach it answers its clients with clear errors instead.
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")
