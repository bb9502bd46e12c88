"""The only writer of API tokens and audit events: create, revoke, record."""

import logging

from axes.helpers import get_client_ip_address
from django.utils import timezone

from movement.models import ApiToken, AuditEvent

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """Return the client address the same way django-axes counts it, or None without a request.

    django-axes reads it from the proxy headers its settings name, so audit events and login
    throttling agree on the address behind a proxy.
    """
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request)


def record_event(action: str, *, actor=None, actor_label: str = "", ip_address=None, **detail):
    """Store one audit event. ``detail`` contains ids and counts, never personal data."""
    if actor is not None and not actor_label:
        actor_label = actor.get_username()
    return AuditEvent.objects.create(
        action=action, actor=actor, actor_label=actor_label, ip_address=ip_address, detail=detail
    )


def create_token(name: str, scopes, *, created_by=None, expires_at=None, ip_address=None):
    """Create a token; return ``(token, plaintext)``. The plaintext is not kept anywhere."""
    token, plaintext = ApiToken.generate(name, scopes, created_by=created_by, expires_at=expires_at)
    record_event(
        AuditEvent.Action.TOKEN_CREATED,
        actor=created_by,
        actor_label="" if created_by else "manage.py",
        ip_address=ip_address,
        token_id=token.pk,
        scopes=token.scopes,
    )
    logger.info("Created API token %s with scopes %s", token.pk, ",".join(token.scopes))
    return token, plaintext


def revoke_tokens(tokens, *, actor=None, ip_address=None) -> int:
    """Revoke each active token in ``tokens``; return how many were revoked."""
    now = timezone.now()
    revoked = 0
    for token in tokens:
        if token.revoked_at is not None:
            continue
        token.revoked_at = now
        token.save(update_fields=["revoked_at", "updated_at"])
        record_event(
            AuditEvent.Action.TOKEN_REVOKED, actor=actor, ip_address=ip_address, token_id=token.pk
        )
        logger.info("Revoked API token %s", token.pk)
        revoked += 1
    return revoked
