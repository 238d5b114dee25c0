"""A limit on failed sign-ins per address, whatever the user names (red-team finding 7: password spraying).

django-axes locks one user name at one address after a few failures; an address that tries a few passwords on
each of many names never trips it. Here every failed sign-in (the sign-in page, the admin's, the token endpoint:
Django's `user_login_failed`) is counted per client address in the shared cache, with DRF's rate arithmetic, and
once an address has failed SIGN_IN_FAILURES_PER_ADDRESS times (e.g. "30/hour") its sign-in attempts are answered 429
until the window passes. Successful sign-ins are not counted, so that an office behind one address is not locked out
by its own colleagues signing in.
"""

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from rest_framework.throttling import SimpleRateThrottle

from planpromo.audit import client_address

# The URLs whose POST is a sign-in attempt.
SIGN_IN_PATHS = frozenset({"/accounts/login/", "/admin/login/", "/api/v1/auth/token/"})


class SignInFailureThrottle(SimpleRateThrottle):
    """DRF's throttle arithmetic over failed sign-ins: `allow_request` only looks; `record_failure` counts."""

    scope = "sign_in"
    cache_format = "throttle_%(scope)s_%(ident)s"

    def get_rate(self):
        return settings.SIGN_IN_FAILURES_PER_ADDRESS

    def __init__(self):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request) or ""}

    def allow_request(self, request, view=None):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) < self.num_requests

    def record_failure(self, request):
        if self.rate is None or request is None:
            return
        self.allow_request(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history[: self.num_requests], self.duration)


def too_many_failures_message(wait_seconds: int) -> str:
    minutes = max(1, (wait_seconds + 59) // 60)
    return (
        f"Too many failed sign-ins from your address: signing in from it is paused for {minutes} minutes. "
        "Wait, then try again with the right password."
    )


def blocked_for(request) -> int | None:
    """Seconds until the address may try again, or None when it may try now."""
    throttle = SignInFailureThrottle()
    if throttle.allow_request(request):
        return None
    return int(throttle.wait() or 1)


class SignInLimitMiddleware:
    """Before a sign-in attempt (a POST to one of SIGN_IN_PATHS) from an address over its failure limit: 429 with
    Retry-After, JSON for the token endpoint. After planpromo.middleware.RequestSizeLimitMiddleware, before the
    session and the CSRF check, so that a blocked address costs one cache read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path in SIGN_IN_PATHS:
            wait = blocked_for(request)
            if wait is not None:
                from planpromo.middleware import refusal

                # `retry_after` as every 429 of the API documents it (ThrottledSerializer).
                response = refusal(request, 429, too_many_failures_message(wait), "sign_in_throttled", retry_after=wait)
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)


@receiver(user_login_failed, dispatch_uid="planpromo.signin.count_failure")
def _count_failure(sender, credentials, request=None, **kwargs):
    SignInFailureThrottle().record_failure(request)
