"""Conditional GETs on the progress pages (the dashboard, the matrix, the completeness page): an ETag from what the
page depends on, and a 304 for a repeat, before the view reads or renders anything (planpromo.conditional).

A page's body depends on the reports (every report's latest change and the newest one: two index lookups, as the
statistics' tags, tracking.api.conditional.StatsConditionalMixin), the plan structure's version, the day (overdue
cells), the address with its query string (year, period, program, as_of) and the language (make_etag), the
user's visibility scope, and what the header shows: the user's name, the bell's unread count, the CSRF token of
its forms (a masked copy of the secret in the CSRF cookie: the same secret, the same usable page; a request
without one gets a new secret, hence a new tag) and whether the request is htmx's (the matrix then answers with its
table alone). A page with Django messages to show gets no tag (showing them consumes them: a 304 would show them
again or never). The tag's queries run either way: a page costs the same queries whatever the request carries."""

from __future__ import annotations

from django.contrib import messages
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

from planpromo.conditional import PLAN_STRUCTURE, make_etag, not_modified, validated, version
from tracking.api.conditional import reports_latest_change, visibility_scope
from tracking.selectors import unread_notification_count


class ConditionalPageMixin:
    """For a page view (before its other mixins): an ETag on its 200s and a 304 for a repeat. The bell's count,
    read for the tag, is given to the template (no second query)."""

    unread_count: int | None = None

    def page_etag(self, request) -> str:
        get_token(request)  # the CSRF secret the page's forms will carry: the cookie's, or a new one
        user = request.user
        self.unread_count = unread_notification_count(user=user)
        htmx = getattr(request, "htmx", None)
        return make_etag(
            request,
            *reports_latest_change(),
            version(PLAN_STRUCTURE),
            self.today,
            *visibility_scope(user),
            user.pk,
            user.get_username(),
            self.unread_count,
            request.META["CSRF_COOKIE"],
            bool(htmx),
            bool(htmx and htmx.boosted),
        )

    def get(self, request, *args, **kwargs):
        etag = self.page_etag(request)
        if len(messages.get_messages(request)):
            etag = None
        answer = not_modified(request, etag=etag) if etag else None
        if answer is None:
            answer = super().get(request, *args, **kwargs)
            if etag and answer.status_code == 200:
                validated(answer, etag=etag)
        patch_vary_headers(answer, ["HX-Request"])
        return answer

    def get_context_data(self, **kwargs):
        if self.unread_count is not None:
            kwargs.setdefault("unread_notifications", self.unread_count)
        return super().get_context_data(**kwargs)
