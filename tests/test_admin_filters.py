"""The activity admin's value filters, whose choices come from a cache."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity
from supporters.models import Supporter

pytestmark = pytest.mark.django_db

URL = "admin:activities_activity_changelist"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def make_activity(supporter, number, topic, status=""):
    return Activity.objects.create(
        supporter=supporter,
        external_id=f"A-{number}",
        topic=topic,
        title=f"Activity {number}",
        source="mobilize",
        status=status,
        happened_at=datetime(2024, 3, 1, tzinfo=UTC),
    )


def filter_choices(response, title):
    for spec in response.context["cl"].filter_specs:
        if spec.title == title:
            return [choice["display"] for choice in spec.choices(response.context["cl"])]
    raise AssertionError(f"No filter titled {title!r}")


def test_filter_lists_values(admin_client):
    supporter = Supporter.objects.create(external_id="M-1")
    make_activity(supporter, 1, "event_rsvp", "confirmed")
    make_activity(supporter, 2, "petition_signature")

    response = admin_client.get(reverse(URL))

    assert filter_choices(response, "topic") == ["All", "event_rsvp", "petition_signature"]
    assert filter_choices(response, "status") == ["All", "(blank)", "confirmed"]


def test_filter_selects_value(admin_client):
    supporter = Supporter.objects.create(external_id="M-1")
    make_activity(supporter, 1, "event_rsvp")
    make_activity(supporter, 2, "petition_signature")

    response = admin_client.get(reverse(URL), {"topic": "petition_signature"})

    assert [a.external_id for a in response.context["cl"].result_list] == ["A-2"]


def test_filter_values_cached(admin_client):
    supporter = Supporter.objects.create(external_id="M-1")
    make_activity(supporter, 1, "event_rsvp")
    admin_client.get(reverse(URL))
    make_activity(supporter, 2, "petition_signature")

    response = admin_client.get(reverse(URL))

    assert filter_choices(response, "topic") == ["All", "event_rsvp"]


def test_filter_cache_skips_distinct_queries(admin_client, django_assert_num_queries):
    supporter = Supporter.objects.create(external_id="M-1")
    make_activity(supporter, 1, "event_rsvp")
    cache.clear()

    with CaptureQueriesContext(connection) as cold:
        admin_client.get(reverse(URL))

    # One SELECT DISTINCT per filter (topic, source, status) is left out.
    with django_assert_num_queries(len(cold) - 3):
        admin_client.get(reverse(URL))
