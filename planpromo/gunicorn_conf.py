"""gunicorn's settings for `make serve` (`-c python:planpromo.gunicorn_conf`); the bind address and the number of
workers come from the command line.

Request limits: a request line of at most 4 KiB, 50 header fields of 8 KiB each. gunicorn has no limit on the body:
planpromo.middleware.RequestSizeLimitMiddleware refuses a body over REQUEST_MAX_BYTES unread, and the proxy in
front should refuse it first (README: client_max_body_size).
"""

from gunicorn.http import wsgi

limit_request_line = 4096
limit_request_fields = 50
limit_request_field_size = 8190

# The application is imported once, in the master, and warmed there (when_ready) before the workers are forked: a
# worker, at the start or when max_requests replaces it, serves its first request warm. Without this, a new worker
# imported Django and the whole URL configuration on its first request: 0.3-0.4 s on the quiet bench machine, more
# than 2 s under load, and the next requests on its connections waited behind it. Measured on the 2-core machine
# (load 7 from other work), the cached program statistics of 2019, wrk with 1 connection for 8 s, a worker replaced
# every 300 requests: p99 2,066 / 2,087 / 2,283 ms, and the access log shows the first request of each worker
# taking 1.2-2.4 s (the others 10-20 ms); in-process, the first request of a fresh process took 810 ms, and 7.5 ms
# after the warm-up below. The bench's "sometimes" p99 of 376-425 ms at one client was this: a worker replaced
# during the measurement.
preload_app = True
timeout = 60
graceful_timeout = 30
# No keep-alive: a connection carries one request, and the next one is accepted by whichever worker is free. With
# keep-alive, gthread workers keep the connections they accepted, and one worker often takes most of a burst of new
# ones (its event loop wakes first): under wrk's 16 connections one worker served 1,070 requests and the two others
# 28 and 31 (75 / 732 / 53 in a second run), one process's threads sharing one GIL while the others idled. Measured
# on the 2-core machine (load 8-10 from other work, so the ratios matter), the cached program statistics of 2019, 16
# connections for 8 s, twice: keep-alive 121 / 81 req/s, p99 364 / 516 ms; none 163 / 140 req/s, p99 332 / 394 ms,
# the requests spread 643 / 542 / 517 and 520 / 488 / 455. The proxy in front (README) keeps the clients'
# connections alive; nginx opens a connection per request to its upstream by default anyway.
keepalive = 0
# A worker is replaced after this many requests (memory); rate limits live in the shared cache, so they survive it.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"


def when_ready(server):
    """Before the workers are forked: what a Django application loads on its first request (the URL configuration,
    which imports every view, its reverse lookups, both languages' catalogues), loaded in the master. No database
    connection is opened, and any would be closed before the fork (a connection must not be shared by processes).
    Another application (bench/rawapp.py) is left alone."""
    from django.apps import apps

    if not apps.ready:
        return
    from django.conf import settings
    from django.db import connections
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().reverse_dict  # noqa: B018  (populates the resolver: every URL module and view imported)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Reports")
    connections.close_all()


# gunicorn names itself in a Server header on every response and has no setting to stop it; the header tells an
# attacker which server and version to look up, and nothing to anyone else.
_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.startswith("Server:")]


wsgi.Response.default_headers = _default_headers_without_server
