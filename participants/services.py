"""Writes concerning people: personal API tokens."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from participants.models import ApiToken
from planpromo.audit import audit_log

# Longest life a token can be given; a token without expiry lives until revoked.
MAX_TOKEN_DAYS = 366


@transaction.atomic
def api_token_create(*, user, name: str, expires_in_days: int | None = None, request=None) -> tuple[ApiToken, str]:
    """Create a personal token for `user`. Returns the stored token (a hash, by django-rest-knox) and the token
    itself, which is shown once and never again. The token acts with its user's rights."""
    expiry = None
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


def api_tokens_of(*, user):
    """The user's tokens, newest first, expired ones included (marked by their expiry)."""
    return ApiToken.objects.filter(user=user).order_by("-created")


def token_is_expired(token: ApiToken) -> bool:
    return token.expiry is not None and token.expiry <= timezone.now()
