"""Reads from a PostgreSQL streaming replica, writes to the primary, and read-your-writes for the user who wrote.

Active when DATABASE_REPLICA_URL is set (settings add the "replica" alias, this router and the middleware).

- Writes always go to the primary ("default"); so do migrations.
- A read goes to the replica only inside a request that may use it: a GET or HEAD (the analyst's lists, the
  dashboards) from a client that has not written in the last few seconds. Everything else reads the primary:
  unsafe requests (a service's checks and its select_for_update must see the row it is about to change),
  management commands and shells, and any read after a write in the same request.
- After a request that wrote, the response carries a short-lived cookie (REPLICA_PIN_SECONDS, default 10 s):
  the same client's next requests read the primary until the replica has certainly caught up, so a user never
  misses what they just wrote. A token client that keeps no cookies reads its write back in the write's own
  response (which is read from the primary).

The state is a context variable set by the middleware, so it is per request under threads and asyncio alike.
"""

from __future__ import annotations

import contextvars

from django.conf import settings

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "planpromo_primary"

# None: no request (commands, shells): the primary. Else a dict: {"replica": may read the replica, "wrote": ...}.
_request_state: contextvars.ContextVar[dict | None] = contextvars.ContextVar("planpromo_db_route", default=None)


def reads_replica() -> bool:
    """Whether the current request's reads go to the replica (which may lag behind the primary)."""
    state = _request_state.get()
    return bool(state and state["replica"] and not state["wrote"] and REPLICA in settings.DATABASES)


def pin_seconds() -> int:
    return int(getattr(settings, "REPLICA_PIN_SECONDS", 10))


def _is_cache(model) -> bool:
    """The database cache's table (CACHE_URL's default): a request that only counts a throttle writes no data."""
    return model._meta.app_label == "django_cache"


class PrimaryReplicaRouter:
    """Routes reads to the replica when the request allows it (see the module docstring)."""

    def db_for_read(self, model, **hints):
        state = _request_state.get()
        if _is_cache(model):
            return PRIMARY  # throttle counts and cached renderings are written on the primary and read back at once
        if state is not None and state["replica"] and not state["wrote"] and REPLICA in settings.DATABASES:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        state = _request_state.get()
        if state is not None and not _is_cache(model):
            state["wrote"] = True  # the rest of this request, and this client for a while, read the primary
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: objects from either relate freely

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReplicaPinMiddleware:
    """Decides per request whether reads may use the replica, and pins a client that wrote to the primary."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pinned = PIN_COOKIE in request.COOKIES
        state = {"replica": request.method in self.SAFE_METHODS and not pinned, "wrote": False}
        token = _request_state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request_state.reset(token)
        if state["wrote"] or request.method not in self.SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=pin_seconds(),
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        return response
