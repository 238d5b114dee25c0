"""The token authentication of every API request (REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES). Its own module:
DRF imports it while importing its views, so it must not import them."""

import binascii
import datetime

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.signals import token_expired
from rest_framework import exceptions

EXPIRED_MESSAGE = "This token has expired: create a new one."
# A token's `last_used` is written when it is older than this: a script's thousand requests make one write.
LAST_USED_PRECISION = datetime.timedelta(minutes=5)


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token authentication, except that a token past its expiry is told so ("This token has expired")
    rather than "Invalid token.": knox deletes it and answers as if it never existed. Expired tokens are still
    deleted on use (the presented one only: see _cleanup_token)."""

    def authenticate_credentials(self, token):
        self._expired = False
        try:
            self._presented_digest = hash_token(token.decode("utf-8"))
        except (TypeError, ValueError, binascii.Error):
            self._presented_digest = None
        try:
            user, auth_token = super().authenticate_credentials(token)
        except exceptions.AuthenticationFailed as failure:
            if self._expired:
                raise exceptions.AuthenticationFailed(EXPIRED_MESSAGE) from failure
            raise
        self._note_use(auth_token)
        return user, auth_token

    @staticmethod
    def _note_use(auth_token) -> None:
        now = timezone.now()
        if auth_token.last_used is None or auth_token.last_used < now - LAST_USED_PRECISION:
            # On the primary by name: bookkeeping, not the client's write, so the router does not pin this
            # request and this client to the primary (planpromo.routers): their reads stay on the replica.
            type(auth_token).objects.using(DEFAULT_DB_ALIAS).filter(pk=auth_token.pk).update(last_used=now)
            auth_token.last_used = now

    def _cleanup_token(self, auth_token) -> bool:
        """Deletes the presented token if it expired (and says so), as knox does; but not knox's sweep of the
        user's other tokens, a query on every request: those cannot authenticate, stay listed as expired, and go
        when the user creates a token (participants.services.api_token_create)."""
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        self._expired = self._expired or self._digest_matches(auth_token)
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")
        return True

    def _digest_matches(self, auth_token) -> bool:
        # Only the holder of the token itself learns that it expired (not someone who guessed its 15-char prefix).
        return getattr(self, "_presented_digest", None) == auth_token.digest
