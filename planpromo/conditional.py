"""Conditional GETs (ETag, Last-Modified, 304) and cache versions, for any view: the apps say what a response
depends on, this module turns it into validators and answers `If-None-Match` / `If-Modified-Since` through Django's
own `get_conditional_response`, before the view reads or renders anything.

A tag is computed cheaply by the caller (a version counter, or `max(updated_at)` and `count(*)` of the filtered
rows) and never from the body. It always carries what else makes two bodies differ: the request's path and query
string, the language and, for data scoped to the user, that scope. Responses that carry one also say
`Vary: Accept-Language, Authorization, Cookie` and `Cache-Control: private, no-cache`, so that a shared cache
never hands one user's body to another and a client revalidates before reusing one.

Versions (`version`, `bump_version`) live in the shared cache (CACHE_URL): a missing key (never set, evicted,
cleared) reads as a new random version, so an eviction can only make a tag change, never make a stale one match.

This module imports no app (planpromo is the base layer).
"""

from __future__ import annotations

import hashlib
import uuid
from contextvars import ContextVar
from datetime import datetime

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

VARY = ("Accept", "Accept-Language", "Authorization", "Cookie")
VERSION_KEY = "planpromo:version:{name}"
# The version of the plan structure: plans, programs, work items, targets, periods and their reopenings,
# departments, aliases, offices, and the reporting obligations made from them (bumped by the apps on each change).
PLAN_STRUCTURE = "plan-structure"


# The versions the current request has read. A request reads each one once: its tag and its body then name the
# same version, and the shared cache is asked once (a query, with the database cache). Emptied when a request
# starts; None outside requests (commands, the task worker), which read the cache every time.
_read_in_request: ContextVar[dict[str, str] | None] = ContextVar("planpromo_versions_read", default=None)


def _start_reading(**kwargs) -> None:
    _read_in_request.set({})


def _stop_reading(**kwargs) -> None:
    _read_in_request.set(None)


request_started.connect(_start_reading, dispatch_uid="planpromo.conditional.start_reading")
request_finished.connect(_stop_reading, dispatch_uid="planpromo.conditional.stop_reading")


def version(name: str) -> str:
    """The current version of `name` (e.g. "plan-structure"): any text; it changes on every `bump_version`."""
    read = _read_in_request.get()
    if read is not None and name in read:
        return read[name]
    key = VERSION_KEY.format(name=name)
    value = cache.get(key)
    if value is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)  # another worker may have set it meanwhile: read it back
        value = cache.get(key) or "unversioned"
    if read is not None:
        read[name] = value
    return value


def bump_version(name: str) -> None:
    """A new version of `name` at once and again when the current transaction commits: readers of the old
    version's cached data or tags see a change from their next request on. (The first bump serves reads inside
    the transaction; the second one, anything another request cached from the old rows before the commit.)"""

    def bump():
        cache.set(VERSION_KEY.format(name=name), uuid.uuid4().hex, timeout=None)
        read = _read_in_request.get()
        if read is not None:
            read.pop(name, None)  # this request's next read sees the change it made

    if transaction.get_connection().in_atomic_block:
        bump()
    transaction.on_commit(bump)


def bump_on_change(name: str, *models) -> None:
    """Bump `name` whenever a row of one of `models` is saved or deleted (the admin, load_plan, a shell): the
    apps connect their models here in their AppConfig.ready()."""

    def receiver(sender, **kwargs):
        bump_version(name)

    for model in models:
        uid = f"planpromo.conditional.bump:{name}:{model._meta.label}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":delete")


def make_etag(request, *parts) -> str:
    """A strong ETag from what the body depends on: `parts`, plus the address (scheme, host, path, query string)
    and the language."""
    text = "\x1f".join(
        [
            request.scheme,
            request.get_host(),  # bodies hold absolute links (`next`, attachments' `url`)
            request.path,
            request.META.get("QUERY_STRING", ""),
            get_language() or "",
            *(str(part) for part in parts),
        ]
    )
    return '"' + hashlib.blake2b(text.encode(), digest_size=16).hexdigest() + '"'


def not_modified(request, *, etag: str | None, last_modified: datetime | None = None):
    """The 304 (or 412 for a failed If-Match) that answers the request's preconditions, with the validators and
    the Vary headers; None when the view must answer in full."""
    if request.headers.get("If-None-Match", "").strip() == "*":
        return None  # "any representation": not a tag a GET can have been given; the view answers (404, 400...)
    headers = validated(HttpResponse(), etag=etag, last_modified=last_modified)  # copied onto a 304
    answer = get_conditional_response(
        request,
        etag=etag,
        last_modified=int(last_modified.timestamp()) if last_modified is not None else None,
        response=headers,
    )
    return None if answer is headers else answer


def validated(response, *, etag: str | None, last_modified: datetime | None = None):
    """The response with its validators (a tag already set by the view, such as a report's, is kept) and the
    headers that keep it private to the user and revalidated."""
    if etag and not response.has_header("ETag"):
        response["ETag"] = etag
    if last_modified is not None and not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date(last_modified.timestamp())
    patch_vary_headers(response, VARY)
    patch_cache_control(response, private=True, no_cache=True)
    return response
