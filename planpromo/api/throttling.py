"""Rate limits per signed-in user and per address of anonymous clients, from
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (DJANGO_THROTTLE_USER, DJANGO_THROTTLE_ANON). Counts live in the default
cache. Over the limit, the answer is 429 with `Retry-After` and a JSON body saying when to try again."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class SettingsRateMixin:
    """DRF reads the rates once, when its throttle module is imported; these read them at each request, so that
    settings changed later (a test's override_settings) apply."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """Per signed-in user (anonymous clients are counted per address under the same scope)."""


class AnonRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    """Per address, for clients that are not signed in (schema, docs, token exchange)."""
