"""Writes concerning people: personal API tokens."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import ApiToken
from planpromo.audit import audit_log

# Longest life a token can be given; without a choice, a token lives settings.API_TOKEN_TTL.
MAX_TOKEN_DAYS = 366


class TokenLimitReached(PermissionDenied):
    """The user already holds settings.API_TOKEN_LIMIT_PER_USER live tokens."""


def live_tokens_of(user):
    return ApiToken.objects.filter(user=user).filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))


@transaction.atomic
def api_token_create(*, user, name: str, expires_in_days: int | None = None, request=None) -> tuple[ApiToken, str]:
    """Create a personal token for `user`. Returns the stored token (a hash, by django-rest-knox) and the token
    itself, which is shown once and never again. The token acts with its user's rights.

    1. Lock the user's row, so that two requests at once cannot both take the last free place.
    2. Delete the user's expired tokens; refuse (TokenLimitReached) at API_TOKEN_LIMIT_PER_USER live ones.
    3. The token lives `expires_in_days` (1 to MAX_TOKEN_DAYS), else API_TOKEN_TTL (None: until revoked).
    """
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
    ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    limit = settings.API_TOKEN_LIMIT_PER_USER
    if limit and live_tokens_of(user).count() >= limit:
        raise TokenLimitReached(
            _("You already have %(limit)s tokens, the most one account may hold: revoke one you no longer use.")
            % {"limit": limit}
        )
    expiry = settings.API_TOKEN_TTL
    if expires_in_days is not None:
        expires_in_days = max(1, min(int(expires_in_days), MAX_TOKEN_DAYS))
        expiry = datetime.timedelta(days=expires_in_days)
    instance, token = ApiToken.objects.create(user=user, expiry=expiry, name=(name or "").strip()[:100] or "API")
    transaction.on_commit(
        lambda: audit_log("token.created", user=user, request=request, token=instance.token_key, name=instance.name)
    )
    return instance, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user, request=None) -> None:
    """Revoke one of the user's own tokens (administrators may revoke anyone's)."""
    if token.user_id != user.pk and not user.is_superuser:
        raise PermissionDenied("You can revoke only your own tokens.")
    key = token.token_key
    token.delete()
    transaction.on_commit(lambda: audit_log("token.revoked", user=user, request=request, token=key))


@transaction.atomic
def api_tokens_revoke_all(*, user, reason: str) -> int:
    """Revoke every token of the user (after a password change, or when the account is deactivated): a token
    taken with the old password must not outlive it. Returns how many were revoked."""
    deleted, _counts = ApiToken.objects.filter(user=user).delete()
    if deleted:
        transaction.on_commit(lambda: audit_log("token.revoked_all", user=user, reason=reason, count=deleted))
    return deleted


class RevokeTokensOnPasswordChange:
    """An entry of AUTH_PASSWORD_VALIDATORS that validates nothing: Django calls `password_changed()` of every
    validator after a user's new password is saved, whichever way it was set (the password page, the admin,
    `changepassword`, `set_password()` and `save()`), which is the one place all of them pass."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None:
            api_tokens_revoke_all(user=user, reason="password_changed")

    def get_help_text(self):
        return _("Changing your password revokes your API tokens.")


def api_tokens_of(*, user):
    """The user's tokens, newest first, expired ones included (marked by their expiry)."""
    return ApiToken.objects.filter(user=user).order_by("-created")


def token_is_expired(token: ApiToken) -> bool:
    return token.expiry is not None and token.expiry <= timezone.now()
