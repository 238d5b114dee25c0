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

timeout = 60
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (memory); rate limits live in the shared cache, so they survive it.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"

# gunicorn names itself in a Server header on every response and has no setting to stop it; the header tells an
# attacker which server and version to look up, and nothing to anyone else.
_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.startswith("Server:")]


wsgi.Response.default_headers = _default_headers_without_server
