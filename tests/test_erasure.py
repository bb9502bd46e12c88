"""Erasure: a supporter goes with their activities and links; entities and an audit record stay."""

import json

import pytest
from django.db import DatabaseError

from activities.ingest import ingest_activities
from activities.models import Activity, ActivityEntity, ActivityEntityLink
from movement.models import AuditEvent, Scope
from supporters import services
from supporters.models import Supporter

ERASE_URL = "/api/supporters/{}/erase"


def activity(external_id, *entity_ids):
    return {
        "external_id": external_id,
        "topic": "event_engagement",
        "title": "RSVP'd to Community Town Hall",
        "source": "event_platform",
        "happened_at": "2024-02-28T14:30:00Z",
        "entities": [
            {"kind": "event", "source": "EventPlatform", "external_id": e, "name": f"Event {e}"}
            for e in entity_ids
        ],
    }


@pytest.fixture
def history(db):
    """Two supporters whose activities share the entity EVT_1."""
    ada = Supporter.objects.create(
        external_id="M-1", first_name="Ada", email="ada@example.org", phone_number="+61400000001"
    )
    grace = Supporter.objects.create(external_id="M-2", first_name="Grace")
    ingest_activities("M-1", [activity("A-1", "EVT_1", "EVT_2"), activity("A-2", "EVT_1")])
    ingest_activities("M-2", [activity("B-1", "EVT_1")])
    return ada, grace


def test_erase_supporter_deletes_history(history):
    ada, grace = history

    result = services.erase_supporter(ada)

    assert result.activities == 2
    assert result.entity_links == 3
    assert not Supporter.objects.filter(pk=ada.pk).exists()
    assert not Activity.objects.filter(supporter_id=ada.pk).exists()
    assert not ActivityEntityLink.objects.filter(activity__external_id__in=["A-1", "A-2"]).exists()


def test_erase_supporter_keeps_entities_and_others(history):
    ada, grace = history

    services.erase_supporter(ada)

    assert ActivityEntity.objects.count() == 2
    assert Activity.objects.filter(supporter=grace).count() == 1
    assert ActivityEntityLink.objects.count() == 1


def test_erase_supporter_audit_has_no_personal_data(history, staff_user):
    ada, _ = history

    services.erase_supporter(ada, actor=staff_user, ip_address="192.0.2.7")

    event = AuditEvent.objects.get(action=AuditEvent.Action.ERASURE)
    assert event.actor == staff_user
    assert event.ip_address == "192.0.2.7"
    assert event.detail == {"supporter_id": ada.pk, "activities": 2, "entity_links": 3}
    stored = json.dumps(event.detail) + event.actor_label
    for personal in ("M-1", "Ada", "ada@example.org", "+61400000001"):
        assert personal not in stored


def test_erase_supporter_is_one_transaction(history, monkeypatch):
    ada, _ = history

    def fail(*args, **kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(services, "record_event", fail)
    with pytest.raises(DatabaseError):
        services.erase_supporter(ada)

    assert Supporter.objects.filter(pk=ada.pk).exists()
    assert Activity.objects.filter(supporter=ada).count() == 2
    assert ActivityEntityLink.objects.count() == 4


def test_erase_api_deletes_supporter(history, api):
    ada, _ = history

    response = api.post(ERASE_URL.format("M-1"))

    assert response.status_code == 200
    assert response.json() == {
        "supporter_id": ada.pk,
        "activities": 2,
        "entity_links": 3,
        "dry_run": False,
    }
    assert not Supporter.objects.filter(pk=ada.pk).exists()
    assert Activity.objects.count() == 1


@pytest.mark.parametrize("query", ["?dry_run=true", "?dry_run=1"])
def test_erase_api_dry_run_deletes_nothing(history, api, query):
    ada, _ = history

    response = api.post(ERASE_URL.format("M-1") + query)

    assert response.status_code == 200
    assert response.json()["activities"] == 2
    assert response.json()["dry_run"] is True
    assert Supporter.objects.filter(pk=ada.pk).exists()
    assert Activity.objects.count() == 3
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ERASURE).exists()


@pytest.mark.parametrize("query", ["?dry_run", "?dry_run=maybe"])
def test_erase_api_unclear_dry_run_is_rejected(history, api, query):
    response = api.post(ERASE_URL.format("M-1") + query)

    assert response.status_code == 400
    assert Supporter.objects.count() == 2


def test_erase_api_records_token_and_ip(history, api):
    api.post(ERASE_URL.format("M-1"), REMOTE_ADDR="198.51.100.4")

    event = AuditEvent.objects.get(action=AuditEvent.Action.ERASURE)
    assert event.actor is None
    assert event.actor_label.startswith("API token ")
    assert event.ip_address == "198.51.100.4"


def test_erase_api_unknown_supporter(history, api):
    response = api.post(ERASE_URL.format("NOPE"))

    assert response.status_code == 404
    assert response.json()["code"] == "supporter_not_found"
    assert Supporter.objects.count() == 2
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ERASURE).exists()


def test_erase_api_id_with_slash(db, api):
    Supporter.objects.create(external_id="branch/42")

    response = api.post(ERASE_URL.format("branch/42"))

    assert response.status_code == 200
    assert not Supporter.objects.exists()


def test_erase_api_needs_supporters_scope(history, client, make_token):
    token = make_token(Scope.READ, Scope.ACTIVITY_WRITE)

    response = client.post(ERASE_URL.format("M-1"), HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert Supporter.objects.count() == 2


def test_erase_api_needs_token(history, client):
    response = client.post(ERASE_URL.format("M-1"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert Supporter.objects.count() == 2


def test_erase_api_rejects_get(history, api):
    response = api.get(ERASE_URL.format("M-1"))

    assert response.status_code in (403, 405)
    assert Supporter.objects.count() == 2


def test_erase_api_query_count(history, api, django_assert_max_num_queries):
    # Token lookup, lock, two counts, the cascade's selects and deletes, and the audit row:
    # the number does not grow with the supporter's activities.
    with django_assert_max_num_queries(14):
        response = api.post(ERASE_URL.format("M-1"))

    assert response.status_code == 200


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw-admin-1")
    client.force_login(admin)
    client.user = admin
    return client


def test_erase_admin_action(history, admin_client):
    ada, grace = history

    response = admin_client.post(
        "/admin/supporters/supporter/",
        {"action": "erase", "_selected_action": [ada.pk]},
        REMOTE_ADDR="203.0.113.30",
    )

    assert response.status_code == 302
    assert not Supporter.objects.filter(pk=ada.pk).exists()
    assert Supporter.objects.filter(pk=grace.pk).exists()
    assert ActivityEntity.objects.count() == 2
    event = AuditEvent.objects.get(action=AuditEvent.Action.ERASURE)
    assert event.actor == admin_client.user
    assert event.ip_address == "203.0.113.30"
    assert event.detail == {"supporter_id": ada.pk, "activities": 2, "entity_links": 3}


def test_erase_admin_action_several(history, admin_client):
    ada, grace = history

    admin_client.post(
        "/admin/supporters/supporter/",
        {"action": "erase", "_selected_action": [ada.pk, grace.pk]},
    )

    assert not Supporter.objects.exists()
    assert not Activity.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ERASURE).count() == 2


def test_erase_admin_action_needs_delete_permission(history, client, django_user_model):
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("clerk", password="pw-clerk-1", is_staff=True)
    clerk.user_permissions.add(
        Permission.objects.get(codename="view_supporter"),
        Permission.objects.get(codename="change_supporter"),
    )
    client.force_login(clerk)
    ada, _ = history

    client.post("/admin/supporters/supporter/", {"action": "erase", "_selected_action": [ada.pk]})

    assert Supporter.objects.filter(pk=ada.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ERASURE).exists()


def test_erase_admin_delete_view_audited(history, admin_client):
    ada, _ = history

    response = admin_client.post(f"/admin/supporters/supporter/{ada.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Supporter.objects.filter(pk=ada.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ERASURE).count() == 1
