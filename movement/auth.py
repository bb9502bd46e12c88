"""Bearer token authentication and scope checks for the API."""

import logging
from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from movement.models import ApiToken, Scope, hash_token

logger = logging.getLogger(__name__)

# last_used_at is written at most this often per token, so a busy integration does not turn
# every request into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerTokenAuthentication(BaseAuthentication):
    """Authenticate ``Authorization: Bearer <token>`` against the stored hashes.

    ``request.user`` stays unset; ``request.auth`` is the :class:`ApiToken`.
    """

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != self.keyword or len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "The Authorization header is malformed. Send 'Authorization: Bearer <token>'.",
                code="invalid_token",
            )
        try:
            plaintext = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                "The token contains characters that are not ASCII.", code="invalid_token"
            ) from None

        token = ApiToken.objects.filter(key_hash=hash_token(plaintext)).first()
        if token is None:
            logger.warning("API authentication failed: unknown token")
            raise exceptions.AuthenticationFailed("The token is not valid.", code="invalid_token")
        if token.revoked_at is not None:
            logger.warning("API authentication failed: token %s is revoked", token.pk)
            raise exceptions.AuthenticationFailed(
                "The token has been revoked.", code="token_revoked"
            )
        now = timezone.now()
        if token.expires_at is not None and token.expires_at <= now:
            logger.warning("API authentication failed: token %s expired", token.pk)
            raise exceptions.AuthenticationFailed("The token has expired.", code="token_expired")

        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return (None, token)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def require_token(request):
    if not isinstance(request.auth, ApiToken):
        raise exceptions.NotAuthenticated(
            "Authentication is required. Send 'Authorization: Bearer <token>'.",
            code="not_authenticated",
        )


class HasToken(BasePermission):
    """Allow any request that carries a valid token, whatever its scopes."""

    def has_permission(self, request, view):
        require_token(request)
        return True


class HasTokenScope(BasePermission):
    """Allow a request when its token grants the scope the view names for the method.

    Views set ``required_scopes = {"GET": Scope.READ, "POST": Scope.ACTIVITY_WRITE}``; a view
    without it needs the read scope for safe methods and is closed to writes.
    """

    def has_permission(self, request, view):
        require_token(request)
        token = request.auth
        if request.method == "OPTIONS" or not hasattr(view, request.method.lower()):
            # Let DRF return 405 for a method the view does not have.
            return True
        scopes = getattr(view, "required_scopes", {"GET": Scope.READ, "HEAD": Scope.READ})
        required = scopes.get(request.method)
        if required is None or not token.has_scope(required):
            self.message = (
                f"This token lacks the '{required}' scope needed for {request.method} here."
                if required
                else f"{request.method} is not allowed with an API token here."
            )
            self.code = "insufficient_scope"
            return False
        return True
