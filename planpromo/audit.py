"""The record of who did what, on the "planpromo.audit" logger.

Sign-ins, sign-outs, failed sign-ins and lock-outs are recorded here by signal receivers; the services call
`audit_log()` for token creation and revocation and for report transitions. Each record carries the event, the
user (id and user name), the time (the log record's own) and the client's address, as fields of one structured log
line (JSON on stdout in production).
"""

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("planpromo.audit")

# Attributes of every LogRecord: a field of that name passed to logging's `extra` would be refused.
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def client_address(request) -> str | None:
    """The client's IP address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies that each append the address
    they saw to X-Forwarded-For, the entry those proxies added for the client (entries further left are the
    client's own claims and can be forged). django-axes uses this too, so lock-outs and the log agree."""
    if request is None:
        return None
    request = getattr(request, "_request", request)  # a DRF Request wraps the HttpRequest
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def audit_log(event: str, *, user, request=None, **fields) -> None:
    """Record that `user` (a User, or None for an unknown one) did `event` (e.g. "report.submitted",
    "token.created"), from the address of `request` if given; `fields` add what the event is about
    (report=report.pk, ...) and must be JSON-serialisable."""
    user_id = getattr(user, "pk", None)
    username = user.get_username() if user_id is not None else fields.pop("username", None)
    record = {
        "event": event,
        "user_id": user_id,
        "username": username,
        "address": client_address(request),
        **{f"{key}_" if key in _RESERVED else key: value for key, value in fields.items()},
    }
    # The message repeats the fields, for the text format of development; the JSON format has them as keys.
    details = " ".join(f"{key}={value}" for key, value in record.items() if key != "event" and value is not None)
    logger.info("%s %s", event, details, extra=record)


@receiver(user_logged_in, dispatch_uid="planpromo.audit.user_logged_in")
def _logged_in(sender, request, user, **kwargs):
    audit_log("auth.login", user=user, request=request)


@receiver(user_logged_out, dispatch_uid="planpromo.audit.user_logged_out")
def _logged_out(sender, request, user, **kwargs):
    audit_log("auth.logout", user=user, request=request)


@receiver(user_login_failed, dispatch_uid="planpromo.audit.user_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password already masked by Django; only the user name is kept.
    audit_log("auth.login_failed", user=None, request=request, username=credentials.get("username"))


@receiver(user_locked_out, dispatch_uid="planpromo.audit.user_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit_log("auth.locked_out", user=None, request=request, username=username)
