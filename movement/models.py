import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "mvt_"


class Scope(models.TextChoices):
    ACTIVITY_WRITE = "activity:write", "Write activities and entities"
    SUPPORTERS_WRITE = "supporters:write", "Write and erase supporters"
    READ = "read", "Read supporters, activities, entities and saved searches"


def hash_token(plaintext: str) -> str:
    """Return the SHA-256 hex digest stored in place of a token.

    Tokens carry 256 random bits, so a fast unsalted hash is enough: there is no dictionary to
    try against it, and the lookup stays a single indexed equality.
    """
    return hashlib.sha256(plaintext.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A named credential for the API, stored as a hash, with the scopes it grants.

    The plaintext is shown once when the token is created and never stored.
    """

    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(
        max_length=12,
        editable=False,
        help_text="The first characters of the token, to tell it apart.",
    )
    scopes = models.JSONField(default=list, help_text="Scopes granted, such as activity:write.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @classmethod
    def generate(cls, name: str, scopes, *, created_by=None, expires_at=None):
        """Create a token and return ``(token, plaintext)``; the plaintext exists only here."""
        plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            name=name,
            key_hash=hash_token(plaintext),
            key_prefix=plaintext[:10],
            scopes=sorted(set(scopes)),
            created_by=created_by,
            expires_at=expires_at,
        )
        return token, plaintext


class AuditEvent(models.Model):
    """A security event: a login, a failed login, a token created or revoked, an export, an
    erasure. Rows name ids, never a supporter's personal data."""

    class Action(models.TextChoices):
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Login failed"
        LOGOUT = "logout", "Logged out"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        EXPORT = "export", "Exported a list"
        ERASURE = "erasure", "Erased a supporter"

    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(
        max_length=150, blank=True, help_text="Username or token name at the time of the event."
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor_label or 'unknown'}"
