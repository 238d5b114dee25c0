"""The token authentication of every API request (REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES). Its own module:
DRF imports it while importing its views, so it must not import them."""

import binascii

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from rest_framework import exceptions

EXPIRED_MESSAGE = "This token has expired: create a new one."


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token authentication, except that a token past its expiry is told so ("This token has expired")
    rather than "Invalid token.": knox deletes it and answers as if it never existed. Expired tokens are still
    deleted, by knox, on use."""

    def authenticate_credentials(self, token):
        self._expired = False
        try:
            self._presented_digest = hash_token(token.decode("utf-8"))
        except (TypeError, ValueError, binascii.Error):
            self._presented_digest = None
        try:
            return super().authenticate_credentials(token)
        except exceptions.AuthenticationFailed as failure:
            if self._expired:
                raise exceptions.AuthenticationFailed(EXPIRED_MESSAGE) from failure
            raise

    def _cleanup_token(self, auth_token) -> bool:
        expired = auth_token.expiry is not None and auth_token.expiry < timezone.now()
        if expired and self._digest_matches(auth_token):
            self._expired = True
        return super()._cleanup_token(auth_token)

    def _digest_matches(self, auth_token) -> bool:
        # Only the holder of the token itself learns that it expired (not someone who guessed its 15-char prefix).
        return getattr(self, "_presented_digest", None) == auth_token.digest
