"""The read API: supporters, activities, entities and saved searches."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from activities.models import Activity, SavedSearch
from movement.models import Scope
from supporters.models import Supporter
from tests import search_data as data

pytestmark = pytest.mark.django_db


# Query-count tests make one request first: a token's last_used_at is written at most once a
# minute, so the first request of a test makes one extra query.


def ids(response) -> list[str]:
    return [row["external_id"] for row in response.json()["results"]]


@pytest.fixture
def townhall():
    """Two attendees of the town hall, one no-show, and one supporter who was not invited."""
    event = data.entity("EVT_TOWNHALL_MAR", kind="event", name="Community Town Hall - March")
    for external_id, status in (("A", "attended"), ("B", "attended"), ("C", "no_show")):
        data.activity(data.supporter(external_id), status=status, entities=[event])
    data.supporter("D")
    return event


def test_supporters_list_filters(api, townhall):
    response = api.get("/api/supporters/", {"entity": townhall.pk, "status": "attended"})
    assert response.status_code == 200
    assert sorted(ids(response)) == ["A", "B"]
    assert response.json()["count"] == 2


def test_supporters_list_invalid_parameter_is_problem(api, townhall):
    response = api.get("/api/supporters/", {"within_days": "soon", "topc": "x"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_error"
    assert {error["field"] for error in body["errors"]} == {"within_days", "topc"}


def test_supporters_list_needs_read_scope(make_token, townhall):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(Scope.ACTIVITY_WRITE)}")
    assert client.get("/api/supporters/").status_code == 403


def test_supporters_list_needs_token(townhall):
    response = APIClient().get("/api/supporters/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_supporters_list_query_count_constant(api, townhall, django_assert_num_queries):
    query = {"entity": townhall.pk, "c2.topic": "event_rsvp", "c2.negate": "true"}
    api.get("/api/supporters/", query)
    with django_assert_num_queries(3):
        api.get("/api/supporters/", query)
    for number in range(30):
        data.activity(data.supporter(f"X{number}"), entities=[townhall])
    with django_assert_num_queries(3):
        response = api.get("/api/supporters/", query)
    assert response.json()["count"] == 33


def test_supporter_detail(api, townhall):
    response = api.get("/api/supporters/A/")
    assert response.status_code == 200
    assert response.json()["external_id"] == "A"


def test_supporter_detail_missing_is_problem(api):
    response = api.get("/api/supporters/nobody/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_supporter_activities_newest_first(api):
    ada = data.supporter("A")
    older = data.activity(ada, happened_at=timezone.now() - timedelta(days=2))
    newer = data.activity(ada, happened_at=timezone.now() - timedelta(days=1))
    data.activity(data.supporter("B"))
    response = api.get("/api/supporters/A/activities/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [newer.pk, older.pk]


def test_supporter_activities_filtered(api, townhall):
    ada = data.supporter("Z")
    data.activity(ada, topic="event_rsvp", entities=[townhall])
    data.activity(ada, topic="phone_call")
    response = api.get("/api/supporters/Z/activities/", {"topic": "phone_call"})
    assert [row["topic"] for row in response.json()["results"]] == ["phone_call"]


def test_supporter_activities_missing_supporter(api):
    assert api.get("/api/supporters/nobody/activities/").status_code == 404


def test_supporter_activities_query_count(api, townhall, django_assert_num_queries):
    ada = data.supporter("Z")
    data.activity(ada, entities=[townhall])
    api.get("/api/supporters/Z/activities/")
    with django_assert_num_queries(4):
        api.get("/api/supporters/Z/activities/")
    for _ in range(20):
        data.activity(ada, entities=[townhall, data.entity()])
    with django_assert_num_queries(4):
        response = api.get("/api/supporters/Z/activities/")
    assert len(response.json()["results"]) == 21


def test_activity_list_shape(api, townhall):
    response = api.get("/api/activity", {"supporter": "A"})
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["supporter"] == "A"
    assert row["entities"][0]["external_id"] == "EVT_TOWNHALL_MAR"


def test_activity_list_filters(api, townhall):
    response = api.get("/api/activity", {"entity": townhall.pk, "status": "no_show"})
    assert [row["supporter"] for row in response.json()["results"]] == ["C"]


def test_activity_list_invalid_is_problem(api):
    response = api.get("/api/activity", {"updated_since": "2024-03-01T10:00:00"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "updated_since"


def test_activity_list_sync_by_cursor(api):
    ada = data.supporter("A")
    made = [data.activity(ada) for _ in range(5)]
    base = timezone.now() - timedelta(hours=1)
    for offset, activity in enumerate(made):
        Activity.objects.filter(pk=activity.pk).update(updated_at=base + timedelta(minutes=offset))
    since = (base + timedelta(minutes=1)).isoformat()
    seen = []
    response = api.get("/api/activity", {"updated_since": since, "page_size": 2})
    while True:
        body = response.json()
        seen += [row["id"] for row in body["results"]]
        if not body["next"]:
            break
        response = api.get(body["next"])
    assert seen == [activity.pk for activity in made[1:]]


def test_activity_list_query_count(api, townhall, django_assert_num_queries):
    api.get("/api/activity")
    with django_assert_num_queries(3):
        api.get("/api/activity")
    for number in range(20):
        data.activity(data.supporter(f"X{number}"), entities=[townhall, data.entity()])
    with django_assert_num_queries(3):
        response = api.get("/api/activity")
    assert len(response.json()["results"]) == 23


def test_activity_post_still_requires_write_scope(make_token, member):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(Scope.READ)}")
    response = client.post("/api/activity", {"external_id": member.external_id}, format="json")
    assert response.status_code == 403


def test_entity_list_and_detail(api, townhall):
    data.entity("PET-12", kind="petition")
    response = api.get("/api/entities/", {"kind": "event"})
    assert [row["external_id"] for row in response.json()["results"]] == ["EVT_TOWNHALL_MAR"]
    detail = api.get(f"/api/entities/{townhall.pk}/")
    assert detail.json()["name"] == "Community Town Hall - March"


def test_entity_list_invalid_is_problem(api):
    assert api.get("/api/entities/", {"kinds": "event"}).status_code == 400


def test_entity_list_query_count(api, django_assert_num_queries):
    data.entity()
    api.get("/api/entities/")
    with django_assert_num_queries(3):
        api.get("/api/entities/")
    for _ in range(20):
        data.entity()
    with django_assert_num_queries(3):
        api.get("/api/entities/")


def test_entity_supporters(api, townhall):
    response = api.get(f"/api/entities/{townhall.pk}/supporters/")
    assert sorted(ids(response)) == ["A", "B", "C"]


def test_entity_supporters_narrowed_by_search(api, townhall):
    response = api.get(f"/api/entities/{townhall.pk}/supporters/", {"status": "no_show"})
    assert ids(response) == ["C"]


def test_entity_supporters_missing_entity(api):
    assert api.get("/api/entities/999999/supporters/").status_code == 404


def test_entity_supporters_query_count(api, townhall, django_assert_num_queries):
    api.get(f"/api/entities/{townhall.pk}/supporters/")
    with django_assert_num_queries(4):
        api.get(f"/api/entities/{townhall.pk}/supporters/")
    for number in range(20):
        data.activity(data.supporter(f"X{number}"), entities=[townhall])
    with django_assert_num_queries(4):
        response = api.get(f"/api/entities/{townhall.pk}/supporters/")
    assert response.json()["count"] == 23


@pytest.fixture
def saved(staff_user, townhall):
    return SavedSearch.objects.create(
        name="Town hall attendees",
        owner=staff_user,
        shared=True,
        params={"entity": [str(townhall.pk)], "status": ["attended"]},
    )


def test_saved_search_list(api, saved, staff_user):
    SavedSearch.objects.create(name="Private", owner=staff_user, params={})
    response = api.get("/api/saved-searches/")
    assert [row["name"] for row in response.json()["results"]] == [saved.name]
    assert (
        response.json()["results"][0]["query"]
        == f"entity={saved.params['entity'][0]}&status=attended"
    )


def test_saved_search_private_visible_to_token_creator(make_token, saved, staff_user):
    SavedSearch.objects.create(name="Private", owner=staff_user, params={})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(Scope.READ, created_by=staff_user)}")
    response = client.get("/api/saved-searches/")
    assert {row["name"] for row in response.json()["results"]} == {"Private", saved.name}


def test_saved_search_results_run_live(api, saved, townhall):
    response = api.get(f"/api/saved-searches/{saved.pk}/supporters/")
    assert sorted(ids(response)) == ["A", "B"]
    data.activity(data.supporter("E"), entities=[townhall])
    response = api.get(f"/api/saved-searches/{saved.pk}/supporters/")
    assert sorted(ids(response)) == ["A", "B", "E"]
    saved.refresh_from_db()
    assert saved.last_count == 3


def test_saved_search_results_match_list(api, saved):
    direct = api.get(f"/api/supporters/?{saved.query_string}")
    stored = api.get(f"/api/saved-searches/{saved.pk}/supporters/")
    assert ids(stored) == ids(direct)


def test_saved_search_results_reject_filters(api, saved):
    response = api.get(f"/api/saved-searches/{saved.pk}/supporters/", {"topic": "x"})
    assert response.status_code == 400


def test_saved_search_invalid_params_conflict(api, saved):
    SavedSearch.objects.filter(pk=saved.pk).update(params={"within_days": ["soon"]})
    response = api.get(f"/api/saved-searches/{saved.pk}/supporters/")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_search"


def test_saved_search_private_hidden_from_other_tokens(api, staff_user):
    private = SavedSearch.objects.create(name="Private", owner=staff_user, params={})
    assert api.get(f"/api/saved-searches/{private.pk}/").status_code == 404
    assert api.get(f"/api/saved-searches/{private.pk}/supporters/").status_code == 404


def test_saved_search_results_query_count(api, saved, townhall, django_assert_num_queries):
    api.get(f"/api/saved-searches/{saved.pk}/supporters/")
    with django_assert_num_queries(5):
        api.get(f"/api/saved-searches/{saved.pk}/supporters/")
    for number in range(20):
        data.activity(data.supporter(f"X{number}"), entities=[townhall])
    with django_assert_num_queries(5):
        api.get(f"/api/saved-searches/{saved.pk}/supporters/")


def test_saved_search_list_query_count(api, staff_user, django_assert_num_queries):
    SavedSearch.objects.create(name="One", owner=staff_user, shared=True, params={})
    api.get("/api/saved-searches/")
    with django_assert_num_queries(3):
        api.get("/api/saved-searches/")
    for number in range(10):
        SavedSearch.objects.create(name=f"S{number}", owner=staff_user, shared=True, params={})
    with django_assert_num_queries(3):
        api.get("/api/saved-searches/")


def test_schema_lists_filters(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    names = {p["name"] for p in schema["paths"]["/api/supporters/"]["get"]["parameters"]}
    assert {"q", "topic", "entity", "min_count", "negate", "within_days"} <= names
    activity = {p["name"] for p in schema["paths"]["/api/activity"]["get"]["parameters"]}
    assert {"updated_since", "cursor", "supporter"} <= activity


@pytest.mark.parametrize("position", ["p=2026", "p=garbage", "p=99999-01-01"])
@pytest.mark.parametrize("path", ["/api/activity", "/api/supporters/M-1/activities/"])
def test_tampered_cursor_is_404(api, path, position):
    Supporter.objects.create(external_id="M-1")
    cursor = base64.b64encode(position.encode()).decode()

    response = api.get(path, {"cursor": cursor})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_supporter_id_with_slash_is_readable(api):
    supporter = Supporter.objects.create(external_id="branch/42")
    data.activity(supporter)

    detail = api.get("/api/supporters/branch/42/")
    activities = api.get("/api/supporters/branch/42/activities/")

    assert detail.status_code == 200
    assert detail.json()["external_id"] == "branch/42"
    assert activities.status_code == 200
    assert len(activities.json()["results"]) == 1
