"""Probes for the orchestrator: /healthz says the process answers, /readyz that it can reach its database.

Both are plain Django views outside the API (open to anyone, no session, no DRF), cheap enough to be polled
every few seconds.
"""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@login_not_required
@never_cache
@require_safe
def healthz(request):
    """The process is up and serving requests; the database is not touched."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_safe
def readyz(request):
    """The database answers a `SELECT 1`; 503 when it does not, so the load balancer routes elsewhere."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        # A failed probe leaves the connection unusable: close it, so the next probe reconnects.
        connection.close_if_unusable_or_obsolete()
        return JsonResponse({"status": "unavailable", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
