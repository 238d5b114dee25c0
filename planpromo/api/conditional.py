"""Conditional GETs for API views (planpromo.conditional does the HTTP part), and the shared cache of versioned
bodies.

A view mixes in `ConditionalViewMixin` and says in `conditional_parts()` what its body depends on besides the
path, the query string, the language and the format (a version, or an aggregate query over the filtered rows).
DRF's `initial()` authenticates, checks the permissions and the throttles first; only then is the tag computed, and
a matching `If-None-Match` answers 304 without the view reading its rows or rendering anything.

`VersionedCacheMixin` also keeps the rendered JSON body in the shared cache under its tag, when the tag determines
the body: the next request with the same tag (the same address, language, format and parts) gets the bytes
without the view's queries or serializing.
"""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.http import HttpResponse

from planpromo.conditional import PLAN_STRUCTURE, make_etag, not_modified, validated, version
from planpromo.routers import reads_replica

# How long a rendered body stays in the cache: its tag carries the version, so an old one is never served, only
# left to expire.
BODY_TIMEOUT = 24 * 60 * 60
BODY_KEY = "planpromo:body:{etag}"


class ConditionalViewMixin:
    """ETag (and Last-Modified where `conditional_parts` gives one) on every GET, and 304 for a matching
    `If-None-Match` or `If-Modified-Since`, decided after the permission checks and before the view's work."""

    def conditional_parts(self, request) -> tuple[tuple, datetime | None] | None:
        """What the body depends on (a tuple of values, turned into the ETag with the path, query string, language
        and format) and its last modification (or None); None: no validators for this request."""
        return None

    def make_etag(self, request, *values) -> str:
        """The tag of `values` for this request (its address, language and format)."""
        renderer = getattr(request, "accepted_renderer", None)
        return make_etag(request, getattr(renderer, "format", ""), *values)

    def conditional_etag(self, request) -> tuple[str, datetime | None] | None:
        """The ETag and Last-Modified of this request's body (from `conditional_parts`), or None."""
        parts = self.conditional_parts(request)
        if parts is None:
            return None
        values, last_modified = parts
        return self.make_etag(request, *values), last_modified

    def _respond_with(self, request, response) -> None:
        # DRF's dispatch() looks the handler up after initial(): the 304 (or cached body) replaces it.
        setattr(self, request.method.lower(), lambda *args, **kwargs: response)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.conditional = None
        self.answered = False
        if request.method not in ("GET", "HEAD"):
            return
        validators = self.conditional_etag(request)
        if validators is None:
            return
        etag, last_modified = self.conditional = validators
        response = not_modified(request, etag=etag, last_modified=last_modified)
        if response is not None:
            self._respond_with(request, response)
            self.answered = True

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "conditional", None) is not None and response.status_code == 200:
            etag, last_modified = self.conditional
            validated(response, etag=etag, last_modified=last_modified)
        return response


class VersionedCacheMixin(ConditionalViewMixin):
    """A `ConditionalViewMixin` whose tag determines the body (versions, or an aggregate that moves with every
    change of what the body shows, and the user's scope where the body depends on it): its JSON bodies are kept
    in the shared cache under their tag, and the next request with that tag gets the bytes without the view."""

    cached_format = "json"

    def conditional_etag(self, request):
        # A replica that lags behind would put an old body under the new version's tag (kept, and answered 304,
        # until the next change): requests that read it are answered in full, as before.
        if reads_replica():
            return None
        return super().conditional_etag(request)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.cache_key = None
        renderer = getattr(request, "accepted_renderer", None)
        if self.conditional is None or self.answered or getattr(renderer, "format", None) != self.cached_format:
            return
        self.cache_key = BODY_KEY.format(etag=self.conditional[0].strip('"'))
        cached = cache.get(self.cache_key)
        if cached is not None:
            content_type, content = cached
            self._respond_with(request, HttpResponse(content, content_type=content_type))
            self.cache_key = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "cache_key", None) and response.status_code == 200 and hasattr(response, "render"):
            response.render()
            cache.set(self.cache_key, (response["Content-Type"], response.content), BODY_TIMEOUT)
        return response


class PlanStructureMixin(VersionedCacheMixin):
    """The plan structure's lists and details (plans, programs, work items, periods, departments, offices): the
    same for every user with a role, changed only when PLAN_STRUCTURE's version is bumped."""

    def conditional_parts(self, request):
        return (version(PLAN_STRUCTURE),), None
