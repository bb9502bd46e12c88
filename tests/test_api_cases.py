"""The sample requests in tests/cases/ with the outcomes their README gives."""

import json
from datetime import UTC, datetime

import pytest

from activities.models import Activity, ActivityEntity, ActivityEntityLink
from supporters.models import Supporter
from tests.conftest import load_case

URL = "/api/activity"


@pytest.fixture
def supporters(member):
    for external_id in ("M-000231", "M-000412"):
        Supporter.objects.create(external_id=external_id)


def post_case(api, name):
    body = json.dumps(load_case(name))
    return api.post(URL, body, content_type="application/json")


def test_movement_doorknock(api, supporters):
    response = post_case(api, "movement_doorknock.json")

    assert response.status_code == 200
    assert response.json()["activities"][0]["result"] == "created"
    stored = Activity.objects.get()
    assert stored.supporter.external_id == "MembershipNumber"
    assert stored.external_id == "DoorknockingContact1"
    assert stored.topic == "doorknocking"
    assert stored.happened_at == datetime(2025, 2, 1, 9, 33, tzinfo=UTC)
    assert ActivityEntity.objects.count() == 0


def test_movement_rsvp(api, supporters):
    response = post_case(api, "movement_rsvp.json")

    assert response.status_code == 200
    stored = Activity.objects.get()
    linked = stored.entities.get()
    assert (linked.source, linked.external_id, linked.kind) == ("EventPlatform", "EVT_456", "event")
    assert linked.metadata == {"Location": "..."}
    assert linked.external_url == "https://events.example.com/community-town-hall-march-2024"


def test_movement_examples_replayed_change_nothing(api, supporters):
    post_case(api, "movement_doorknock.json")
    post_case(api, "movement_rsvp.json")
    before = list(Activity.objects.values().order_by("pk"))

    for name in ("movement_doorknock.json", "movement_rsvp.json"):
        response = post_case(api, name)
        assert response.status_code == 200
        assert response.json()["activities"][0]["result"] == "unchanged"

    assert list(Activity.objects.values().order_by("pk")) == before


def test_rsvp_changed_to_tentative(api, supporters):
    post_case(api, "movement_rsvp.json")

    response = post_case(api, "rsvp_changed_to_tentative.json")

    assert response.status_code == 200
    result = response.json()["activities"][0]
    assert result["result"] == "updated"
    assert result["entities"][0]["result"] == "unchanged"
    stored = Activity.objects.get()
    assert stored.status == "tentative"
    assert stored.happened_at == datetime(2024, 2, 29, 21, 0, tzinfo=UTC)
    assert ActivityEntity.objects.count() == 1
    assert ActivityEntityLink.objects.count() == 1


def test_petition_signature(api, supporters):
    response = post_case(api, "petition_signature.json")

    assert response.status_code == 200
    stored = Activity.objects.get()
    assert stored.happened_at == datetime(2024, 5, 2, 18, 4, 11, 250000, tzinfo=UTC)
    assert stored.body.endswith("📚")
    assert stored.entities.get().metadata == {"Target": "City Council", "Goal": 5000}


def test_shift_attendance_batch(api, supporters):
    first = post_case(api, "shift_attendance_batch.json")

    assert first.status_code == 200
    assert [a["result"] for a in first.json()["activities"]] == ["created"] * 3
    event = ActivityEntity.objects.get()
    assert (event.source, event.external_id) == ("mobilize", "86738")
    assert event.activities.count() == 3
    before = list(Activity.objects.values().order_by("pk"))

    second = post_case(api, "shift_attendance_batch.json")

    assert [a["result"] for a in second.json()["activities"]] == ["unchanged"] * 3
    assert second.json()["activities"][0]["entities"][0]["result"] == "unchanged"
    assert list(Activity.objects.values().order_by("pk")) == before
    assert ActivityEntityLink.objects.count() == 3


@pytest.mark.parametrize(
    ("name", "status", "field"),
    [
        ("bad/missing_happened_at.json", 400, "activities[0].happened_at"),
        ("bad/naive_happened_at.json", 400, "activities[0].happened_at"),
        ("bad/javascript_url.json", 400, "activities[0].entities[0].external_url"),
        ("bad/metadata_not_object.json", 400, "activities[0].metadata"),
        ("bad/duplicate_external_id.json", 400, "activities[1].external_id"),
        ("bad/unknown_supporter.json", 404, "external_id"),
        ("bad/upsert_without_external_id.json", 400, "activities[0].external_id"),
    ],
)
def test_bad_case_is_rejected_and_stores_nothing(api, supporters, name, status, field):
    response = post_case(api, name)

    assert response.status_code == status
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert Activity.objects.count() == 0
    assert ActivityEntity.objects.count() == 0
