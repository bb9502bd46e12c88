"""Login security: audit events for logins, logouts and failures, and the lockout page.

``MovementConfig.ready`` connects the receivers. django-axes counts failures per username and
address and locks the pair out; :func:`lockout_response` is its ``AXES_LOCKOUT_CALLABLE`` and
:func:`axes_username` its ``AXES_USERNAME_CALLABLE``.
"""

import logging

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import render

from movement.models import AuditEvent
from movement.tokens import client_ip, record_event

logger = logging.getLogger(__name__)

LOCKOUT_MESSAGE = (
    "Too many failed logins for this account from your network. Try again in an hour, or ask "
    "an administrator to unlock the account."
)
# Usernames longer than the audit column are cut; Django's own limit is 150 characters too.
USERNAME_LENGTH = AuditEvent._meta.get_field("actor_label").max_length


def axes_username(request, credentials=None) -> str | None:
    """Return the username django-axes counts failures under, cut to ``USERNAME_LENGTH``.

    The login form does not enforce the username's maximum length before authenticating, and
    django-axes would fail to store a longer one and the login would end in a 500.
    """
    if credentials:
        username = credentials.get("username")
    else:
        username = request.POST.get("username")
    return None if username is None else str(username)[:USERNAME_LENGTH]


def record_login(sender, request, user, **kwargs):
    event = record_event(AuditEvent.Action.LOGIN, actor=user, ip_address=client_ip(request))
    logger.info("User %s logged in (audit event %s)", user.pk, event.pk)


def record_logout(sender, request, user, **kwargs):
    # user is None when the session had already ended.
    event = record_event(AuditEvent.Action.LOGOUT, actor=user, ip_address=client_ip(request))
    logger.info("User %s logged out (audit event %s)", getattr(user, "pk", None), event.pk)


def record_login_failure(sender, credentials, request=None, **kwargs):
    """Store a failed login with the username tried, never the password.

    django-axes connects its own receiver first, so ``request.axes_locked_out`` already shows
    whether a lockout rejected this attempt.
    """
    username = str(credentials.get("username") or "")[:USERNAME_LENGTH]
    locked_out = bool(getattr(request, "axes_locked_out", False))
    ip_address = client_ip(request)
    event = record_event(
        AuditEvent.Action.LOGIN_FAILED,
        actor_label=username,
        ip_address=ip_address,
        locked_out=locked_out,
    )
    logger.warning(
        "Login failed from %s (audit event %s, locked out: %s)", ip_address, event.pk, locked_out
    )


def log_lockout(sender, request, username, ip_address, **kwargs):
    logger.warning(
        "Login locked out for a username from %s after %d failures",
        ip_address,
        settings.AXES_FAILURE_LIMIT,
    )


class LockedOutForm(AuthenticationForm):
    """The login form, refilled with the username tried and showing only the lockout message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].required = False

    def clean(self):
        raise ValidationError(LOCKOUT_MESSAGE, code="locked_out")


def lockout_response(request, original_response=None, credentials=None):
    """Render the login page with a plain lockout message and status 429."""
    username = str((credentials or {}).get("username") or "")[:USERNAME_LENGTH]
    form = LockedOutForm(request, data={"username": username})
    return render(request, "registration/login.html", {"form": form}, status=429)
