"""Security events are stored with actor, time and address, and shown in the admin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from movement.models import ApiToken, AuditEvent, Scope
from movement.tokens import create_token, revoke_tokens

LOGIN_URL = "/accounts/login/"
PASSWORD = "pw-staff-123"


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw-admin-1")
    client.force_login(admin)
    client.user = admin
    return client


def events(action):
    return list(AuditEvent.objects.filter(action=action))


def test_login_recorded(client, staff_user):
    response = client.post(
        LOGIN_URL, {"username": "staff", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )

    assert response.status_code == 302
    [event] = events(AuditEvent.Action.LOGIN)
    assert event.actor == staff_user
    assert event.actor_label == "staff"
    assert event.ip_address == "203.0.113.9"
    assert event.created_at is not None


def test_login_failure_recorded(client, staff_user):
    response = client.post(
        LOGIN_URL, {"username": "staff", "password": "wrong-password"}, REMOTE_ADDR="203.0.113.9"
    )

    assert response.status_code == 200
    [event] = events(AuditEvent.Action.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_label == "staff"
    assert event.ip_address == "203.0.113.9"
    assert event.detail == {"locked_out": False}


def test_login_failure_keeps_no_password(client, staff_user):
    client.post(LOGIN_URL, {"username": "staff", "password": "wrong-password"})

    [event] = events(AuditEvent.Action.LOGIN_FAILED)
    assert "wrong-password" not in str(event.detail)
    assert "wrong-password" not in event.actor_label


def test_login_failure_long_username_cut(client, db):
    client.post(LOGIN_URL, {"username": "u" * 400, "password": "x"})

    [event] = events(AuditEvent.Action.LOGIN_FAILED)
    assert event.actor_label == "u" * 150


def test_logout_recorded(client, staff_user):
    client.force_login(staff_user)

    response = client.post(reverse("logout"), REMOTE_ADDR="203.0.113.10")

    assert response.status_code == 302
    [event] = events(AuditEvent.Action.LOGOUT)
    assert event.actor == staff_user
    assert event.ip_address == "203.0.113.10"


def test_token_created_recorded(staff_user):
    token, _ = create_token("crm sync", [Scope.READ], created_by=staff_user, ip_address="192.0.2.1")

    [event] = events(AuditEvent.Action.TOKEN_CREATED)
    assert event.actor == staff_user
    assert event.ip_address == "192.0.2.1"
    assert event.detail == {"token_id": token.pk, "scopes": ["read"]}


def test_token_revoked_recorded(staff_user):
    token, _ = create_token("crm sync", [Scope.READ])

    revoke_tokens([token], actor=staff_user, ip_address="192.0.2.2")

    [event] = events(AuditEvent.Action.TOKEN_REVOKED)
    assert event.actor == staff_user
    assert event.ip_address == "192.0.2.2"
    assert event.detail == {"token_id": token.pk}


def test_token_created_in_admin_recorded(admin_client):
    response = admin_client.post(
        reverse("admin:movement_apitoken_add"),
        {"name": "crm sync", "scopes": ["read"]},
        REMOTE_ADDR="198.51.100.20",
    )

    assert response.status_code == 302
    token = ApiToken.objects.get()
    [event] = events(AuditEvent.Action.TOKEN_CREATED)
    assert event.actor == admin_client.user
    assert event.ip_address == "198.51.100.20"
    assert event.detail["token_id"] == token.pk


def test_token_revoked_in_admin_recorded(admin_client):
    token, _ = create_token("crm sync", [Scope.READ])

    response = admin_client.post(
        reverse("admin:movement_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        REMOTE_ADDR="198.51.100.21",
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    [event] = events(AuditEvent.Action.TOKEN_REVOKED)
    assert event.actor == admin_client.user
    assert event.ip_address == "198.51.100.21"


def test_audit_admin_lists_events(admin_client, django_assert_max_num_queries):
    for index in range(30):
        create_token(f"token {index}", [Scope.READ], created_by=admin_client.user)

    # Session, user, permissions, the page, the date hierarchy and the filter: the same count
    # for 30 events as for 3,000, because the list shows actor_label, not the actor's row.
    with django_assert_max_num_queries(9):
        response = admin_client.get(reverse("admin:movement_auditevent_changelist"))

    assert response.status_code == 200
    assert b"API token created" in response.content
    assert b"admin" in response.content


def test_audit_admin_query_count_constant(admin_client):
    create_token("first", [Scope.READ], created_by=admin_client.user)
    url = reverse("admin:movement_auditevent_changelist")
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for index in range(40):
        create_token(f"token {index}", [Scope.READ], created_by=admin_client.user)

    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)

    assert len(many) == len(few)


def test_audit_admin_filters_by_action(admin_client, staff_user):
    create_token("crm sync", [Scope.READ])
    admin_client.post(LOGIN_URL, {"username": "staff", "password": "wrong"})

    response = admin_client.get(
        reverse("admin:movement_auditevent_changelist"), {"action__exact": "login_failed"}
    )

    assert response.status_code == 200
    shown = {event.action for event in response.context["cl"].result_list}
    assert shown == {AuditEvent.Action.LOGIN_FAILED}


def test_audit_admin_is_read_only(admin_client):
    create_token("crm sync", [Scope.READ])
    event = AuditEvent.objects.get(action=AuditEvent.Action.TOKEN_CREATED)

    add = admin_client.get(reverse("admin:movement_auditevent_add"))
    delete = admin_client.post(reverse("admin:movement_auditevent_delete", args=[event.pk]))

    assert add.status_code == 403
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
