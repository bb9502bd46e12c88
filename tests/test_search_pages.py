"""The staff supporter search page."""

import pytest

from activities.demo import load_demo_data
from tests import search_data as data

pytestmark = pytest.mark.django_db


@pytest.fixture
def townhall():
    event = data.entity("EVT_TOWNHALL_MAR", kind="event", name="Community Town Hall - March")
    data.activity(data.supporter("A", first_name="Ada"), status="attended", entities=[event])
    data.activity(data.supporter("B", first_name="Ben"), status="no_show", entities=[event])
    return event


def test_search_page_requires_login(client):
    response = client.get("/supporters/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_search_page_forbids_non_staff(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("member", password="pw-x-123456"))
    assert client.get("/supporters/").status_code == 403


def test_search_page_lists_matches(staff_client, townhall):
    response = staff_client.get("/supporters/", {"entity": townhall.pk, "status": "attended"})
    assert response.status_code == 200
    assert [s.external_id for s in response.context["page"]] == ["A"]
    assert b'id="result-count"><strong>1</strong> supporter<' in response.content


def test_search_page_entity_link_from_entity_page(staff_client, townhall):
    response = staff_client.get(f"/supporters/?entity={townhall.pk}")
    assert response.context["page"].paginator.count == 2


def test_search_page_invalid_parameter_shows_error(staff_client, townhall):
    response = staff_client.get("/supporters/", {"within_days": "soon"})
    assert response.status_code == 400
    assert response.context["page"] is None
    assert b'id="search-errors"' in response.content
    assert b"within_days" in response.content


def test_search_page_unknown_parameter_shows_error(staff_client, townhall):
    response = staff_client.get("/supporters/", {"topc": "event_attendance"})
    assert response.status_code == 400
    assert b"topc" in response.content


def test_search_page_offers_blank_condition(staff_client):
    response = staff_client.get("/supporters/")
    rows = response.context["rows"]
    assert [row.prefix for row in rows] == [""]
    assert rows[0].remove_query is None


def test_search_page_rows_for_each_condition(staff_client, townhall):
    response = staff_client.get("/supporters/", {"status": "attended", "c3.topic": "x"})
    rows = response.context["rows"]
    assert [row.prefix for row in rows] == ["", "c3.", "c2."]


def test_search_page_remove_condition_link(staff_client, townhall):
    response = staff_client.get(
        "/supporters/", {"status": "attended", "c2.topic": "x", "c2.negate": "true"}
    )
    first = response.context["rows"][0]
    assert first.remove_query == "c2.topic=x&c2.negate=true"


def test_search_page_same_results_as_api(staff_client, api, townhall):
    query = f"entity={townhall.pk}&c2.status=no_show&c2.negate=true"
    page = staff_client.get(f"/supporters/?{query}")
    listed = api.get(f"/api/supporters/?{query}")
    page_ids = [supporter.external_id for supporter in page.context["page"]]
    assert page_ids == [row["external_id"] for row in listed.json()["results"]]


def test_search_page_escapes_values(staff_client):
    response = staff_client.get("/supporters/", {"q": '"><script>alert(1)</script>'})
    assert b"<script>alert(1)</script>" not in response.content


def test_search_page_query_count_constant(staff_client, townhall, django_assert_num_queries):
    query = {"entity": townhall.pk, "c2.topic": "event_rsvp", "c2.negate": "true"}
    # Session and user, the count and the page, then the session save (three queries).
    with django_assert_num_queries(7):
        staff_client.get("/supporters/", query)
    for number in range(60):
        data.activity(data.supporter(f"X{number}"), entities=[townhall])
    with django_assert_num_queries(7):
        response = staff_client.get("/supporters/", query)
    assert response.context["page"].paginator.count == 62


DEMO_SEARCHES = [
    "topic=event_attendance&status=attended&entity_source=mobilize"
    "&entity_external_id=EVT_TOWNHALL_MAR",
    "entity_source=petition_tool&entity_external_id=PET-12"
    "&c2.entity_kind=event&c2.status=attended&c2.negate=true",
    "topic=event_attendance&status=attended&within_days=90&min_count=3",
]


@pytest.mark.parametrize("query", DEMO_SEARCHES)
def test_documented_searches_on_demo_data(staff_client, api, query):
    load_demo_data(supporter_count=120)
    page = staff_client.get(f"/supporters/?{query}")
    page_ids = [supporter.external_id for supporter in page.context["page"]]
    listed = api.get(f"/api/supporters/?{query}").json()
    assert page.status_code == 200
    assert page_ids
    assert page.context["page"].paginator.count == listed["count"]
    assert page_ids == [row["external_id"] for row in listed["results"]]
