"""Rate limits per signed-in user and per address of anonymous clients, from
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (DJANGO_THROTTLE_USER, DJANGO_THROTTLE_ANON). Counts live in the shared
cache (CACHE_URL), so that every worker process counts together. Over the limit, the answer is 429 with
`Retry-After` and a JSON body saying when to try again."""

from rest_framework import throttling
from rest_framework.settings import api_settings

from planpromo.audit import client_address


class SettingsRateMixin:
    """DRF reads the rates once, when its throttle module is imported; these read them at each request, so that
    settings changed later (a test's override_settings) apply. A client is the address the audit log records
    (planpromo.audit.client_address: X-Forwarded-For only as far as DJANGO_TRUSTED_PROXY_COUNT proxies vouch for
    it); DRF's own get_ident trusts the client's X-Forwarded-For, so a forged header was a fresh address."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_address(request) or ""


class UserRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """Per signed-in user (anonymous clients are counted per address under the same scope)."""


class AnonRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    """Per address, for clients that are not signed in (schema, docs, token exchange)."""
