"""The staff pages: supporter profile, entity list, entity page and its CSV export."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityEntity, ActivityEntityLink
from movement.models import AuditEvent
from supporters.models import Supporter

pytestmark = pytest.mark.django_db

BASE_TIME = datetime(2024, 2, 28, 3, 30, tzinfo=UTC)


def make_entity(external_id="EVT_456", **fields):
    defaults = {
        "kind": "event",
        "source": "EventPlatform",
        "name": "Community Town Hall",
        "metadata": {"Location": "Civic Centre", "Capacity": 120},
        "external_url": "https://events.example.com/town-hall",
    }
    return ActivityEntity.objects.create(external_id=external_id, **{**defaults, **fields})


def make_activities(supporter, count, *, entity=None, prefix="act", **fields):
    """Bulk-create ``count`` activities an hour apart, newest last, each linked to ``entity``."""
    activities = Activity.objects.bulk_create(
        Activity(
            supporter=supporter,
            external_id=f"{prefix}-{supporter.external_id}-{number}",
            topic=fields.get("topic", "event_rsvp"),
            title=fields.get("title", f"Activity {number}"),
            source=fields.get("source", "mobilize"),
            body=fields.get("body", ""),
            status=fields.get("status", "confirmed"),
            happened_at=BASE_TIME + timedelta(hours=number),
        )
        for number in range(count)
    )
    if entity is not None:
        if connection.features.can_return_rows_from_bulk_insert:
            ids = [activity.pk for activity in activities]
        else:
            ids = list(
                Activity.objects.filter(
                    external_id__startswith=f"{prefix}-{supporter.external_id}-"
                )
                .order_by("happened_at")
                .values_list("pk", flat=True)
            )
        ActivityEntityLink.objects.bulk_create(
            ActivityEntityLink(activity_id=pk, entity=entity) for pk in ids
        )
    return activities


def make_supporter(external_id="M-1", **fields):
    defaults = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}
    return Supporter.objects.create(external_id=external_id, **{**defaults, **fields})


def profile_url(supporter, **params):
    url = reverse("supporter-detail", args=[supporter.pk])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


# Supporter profile


def test_profile_shows_details_and_custom_fields(staff_client):
    supporter = make_supporter(custom_fields={"ward": "Riverside", "volunteer": True})

    response = staff_client.get(profile_url(supporter))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Ada Lovelace" in content
    assert "ada@example.org" in content
    assert "<dt>ward</dt><dd>Riverside</dd>" in content
    assert "<dt>volunteer</dt><dd>true</dd>" in content


def test_profile_unknown_supporter_404(staff_client):
    response = staff_client.get(reverse("supporter-detail", args=[999999]))

    assert response.status_code == 404


def test_profile_without_activities(staff_client):
    supporter = make_supporter()

    response = staff_client.get(profile_url(supporter))

    assert response.status_code == 200
    assert response.context["summary"].total == 0
    assert "No activities." in response.content.decode()


def test_profile_summary_counts(staff_client):
    supporter = make_supporter()
    make_activities(supporter, 3, topic="event_rsvp")
    make_activities(supporter, 2, topic="petition_signature", prefix="sig")

    response = staff_client.get(profile_url(supporter))

    summary = response.context["summary"]
    assert summary.total == 5
    assert summary.first_at == BASE_TIME
    assert summary.last_at == BASE_TIME + timedelta(hours=2)
    assert summary.by_topic == [
        {"topic": "event_rsvp", "count": 3},
        {"topic": "petition_signature", "count": 2},
    ]


def test_profile_chart_counts_current_month(staff_client):
    supporter = make_supporter()
    now = timezone.now()
    Activity.objects.create(
        supporter=supporter, topic="t", title="Recent", source="s", happened_at=now
    )
    Activity.objects.create(
        supporter=supporter,
        topic="t",
        title="Too old for the chart",
        source="s",
        happened_at=now - timedelta(days=800),
    )

    response = staff_client.get(profile_url(supporter))

    months = response.context["summary"].months
    assert len(months) == 24
    assert months[-1].count == 1
    assert sum(month.count for month in months) == 1
    assert "<svg" in response.content.decode()


def test_profile_chart_uses_organisation_time_zone(staff_client, settings):
    settings.ORGANISATION_TIME_ZONE = "Australia/Sydney"
    supporter = make_supporter()
    # 14:00 UTC on 31 January is 1 February in Sydney (UTC+11 in summer).
    happened_at = datetime(timezone.now().year - 1, 1, 31, 14, 0, tzinfo=UTC)
    Activity.objects.create(
        supporter=supporter, topic="t", title="Late", source="s", happened_at=happened_at
    )

    response = staff_client.get(profile_url(supporter))

    counts = {(m.month.year, m.month.month): m.count for m in response.context["summary"].months}
    assert counts[(happened_at.year, 2)] == 1
    assert counts[(happened_at.year, 1)] == 0


def test_profile_timeline_newest_first(staff_client):
    supporter = make_supporter()
    make_activities(supporter, 3)

    response = staff_client.get(profile_url(supporter))

    titles = [activity.title for activity in response.context["page"]]
    assert titles == ["Activity 2", "Activity 1", "Activity 0"]


def test_profile_timeline_paginates(staff_client):
    supporter = make_supporter()
    make_activities(supporter, 30)

    first = staff_client.get(profile_url(supporter))
    second = staff_client.get(profile_url(supporter, page=2))

    assert len(first.context["page"]) == 25
    assert [a.title for a in second.context["page"]] == [f"Activity {n}" for n in range(4, -1, -1)]
    assert 'href="?page=2"' in first.content.decode()


def test_profile_timeline_filter_topic(staff_client):
    supporter = make_supporter()
    make_activities(supporter, 2, topic="event_rsvp")
    make_activities(supporter, 1, topic="petition_signature", prefix="sig")

    response = staff_client.get(profile_url(supporter, topic="petition_signature"))

    assert [a.topic for a in response.context["page"]] == ["petition_signature"]


def test_profile_timeline_filter_source(staff_client):
    supporter = make_supporter()
    make_activities(supporter, 2, source="mobilize")
    make_activities(supporter, 1, source="dialer", prefix="call")

    response = staff_client.get(profile_url(supporter, source="dialer"))

    assert [a.source for a in response.context["page"]] == ["dialer"]


def test_profile_timeline_filter_entity_kind(staff_client):
    supporter = make_supporter()
    event = make_entity("EVT_1")
    petition = make_entity("PET_1", kind="petition", source="petition_tool", name="Petition")
    second_petition = make_entity("PET_2", kind="petition", source="petition_tool", name="Other")
    make_activities(supporter, 2, entity=event)
    signed = make_activities(supporter, 1, entity=petition, prefix="sig")
    ActivityEntityLink.objects.create(
        activity=Activity.objects.get(external_id=f"sig-{supporter.external_id}-0"),
        entity=second_petition,
    )

    response = staff_client.get(profile_url(supporter, kind="petition"))

    # The activity has two petition links and still appears once.
    assert [a.title for a in response.context["page"]] == [signed[0].title]


def test_profile_timeline_filter_unknown_value_empty(staff_client):
    supporter = make_supporter()
    make_activities(supporter, 2)

    response = staff_client.get(profile_url(supporter, topic="not_a_topic"))

    assert response.status_code == 200
    assert len(response.context["page"]) == 0
    assert "No activities match these filters." in response.content.decode()


def test_profile_timeline_item_fields(staff_client, settings):
    settings.ORGANISATION_TIME_ZONE = "Australia/Sydney"
    supporter = make_supporter()
    entity = make_entity()
    make_activities(supporter, 1, entity=entity, title="RSVP'd to Town Hall", status="confirmed")

    content = staff_client.get(profile_url(supporter)).content.decode()

    assert "RSVP&#x27;d to Town Hall" in content
    assert '<span class="badge status">confirmed</span>' in content
    assert '<span class="source">mobilize</span>' in content
    # 03:30 UTC on 28 February 2024 is 14:30 in Sydney (UTC+11).
    assert "Wed 28 Feb 2024, 14:30 AEDT" in content
    assert 'title="2024-02-28 03:30 UTC"' in content
    assert f'href="{reverse("entity-detail", args=[entity.pk])}"' in content


def test_profile_body_escaped_with_line_breaks(staff_client):
    supporter = make_supporter()
    make_activities(supporter, 1, body="First line\n<script>alert(1)</script>")

    content = staff_client.get(profile_url(supporter)).content.decode()

    assert (
        '<p class="activity-body">First line\n&lt;script&gt;alert(1)&lt;/script&gt;</p>' in content
    )
    assert "<script>alert(1)" not in content


def test_profile_external_url_http_linked(staff_client):
    supporter = make_supporter()
    make_activities(supporter, 1, entity=make_entity())

    content = staff_client.get(profile_url(supporter)).content.decode()

    assert (
        '<a class="external" href="https://events.example.com/town-hall" target="_blank" '
        'rel="noopener noreferrer">' in content
    )


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.com/a",
        "//evil.example.com/",
    ],
)
def test_profile_external_url_other_scheme_not_linked(staff_client, url):
    supporter = make_supporter()
    make_activities(supporter, 1, entity=make_entity(external_url=url))

    content = staff_client.get(profile_url(supporter)).content.decode()

    assert 'class="external"' not in content
    assert "javascript:" not in content.lower()


def test_profile_queries_constant(staff_client):
    entity = make_entity()
    small = make_supporter("M-small")
    large = make_supporter("M-large", email="large@example.org")
    make_activities(small, 5, entity=entity)
    make_activities(large, 5000, entity=entity)
    staff_client.get(profile_url(small))  # Warm the session and content-type caches.

    with CaptureQueriesContext(connection) as small_queries:
        small_response = staff_client.get(profile_url(small))
    with CaptureQueriesContext(connection) as large_queries:
        large_response = staff_client.get(profile_url(large))

    assert small_response.context["summary"].total == 5
    assert large_response.context["summary"].total == 5000
    assert len(large_queries) == len(small_queries)
    assert len(small_queries) <= 16


def test_profile_queries_bounded(staff_client, django_assert_max_num_queries):
    supporter = make_supporter()
    make_activities(supporter, 5, entity=make_entity())
    url = profile_url(supporter, kind="event")
    staff_client.get(url)

    # Session and user (2), supporter, totals, topics, months, sources, kinds, count, the
    # user's permissions for the admin link (2), page, entities, session save (3).
    with django_assert_max_num_queries(16):
        staff_client.get(url)


# Entity list


def test_entity_list_search_by_name(staff_client):
    make_entity("E1", name="Community Town Hall")
    make_entity("E2", name="Library rally")

    response = staff_client.get(reverse("entity-list"), {"q": "town"})

    assert [e.name for e in response.context["page"]] == ["Community Town Hall"]


def test_entity_list_filter_kind(staff_client):
    make_entity("E1", name="Town Hall")
    make_entity("P1", name="Save the Library", kind="petition")

    response = staff_client.get(reverse("entity-list"), {"kind": "petition"})

    assert [e.name for e in response.context["page"]] == ["Save the Library"]


def test_entity_list_filter_source(staff_client):
    make_entity("E1", name="Town Hall")
    make_entity("E2", name="Phone bank", source="dialer")

    response = staff_client.get(reverse("entity-list"), {"source": "dialer"})

    assert [e.name for e in response.context["page"]] == ["Phone bank"]


def test_entity_list_activity_counts(staff_client):
    busy = make_entity("E1", name="Busy")
    make_entity("E2", name="Quiet")
    make_activities(make_supporter(), 3, entity=busy)

    response = staff_client.get(reverse("entity-list"))

    counts = {e.name: e.activity_count for e in response.context["page"]}
    assert counts == {"Busy": 3, "Quiet": None}
    assert '<td class="number">0</td>' in response.content.decode()


def test_entity_list_queries_constant(staff_client, django_assert_num_queries):
    for number in range(3):
        make_entity(f"E{number}", name=f"Entity {number}")
    staff_client.get(reverse("entity-list"))
    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse("entity-list"))
    ActivityEntity.objects.bulk_create(
        ActivityEntity(kind="event", source="s", external_id=f"X{n}", name=f"X {n}")
        for n in range(120)
    )

    with django_assert_num_queries(len(few)):
        staff_client.get(reverse("entity-list"))


# Entity page


def test_entity_page_details(staff_client):
    entity = make_entity(metadata={"Location": "Civic Centre", "Rooms": ["A", "B"]})

    content = staff_client.get(entity.get_absolute_url()).content.decode()

    assert "<dt>Kind</dt><dd>event</dd>" in content
    assert "<dt>Source</dt><dd>EventPlatform</dd>" in content
    assert "<code>EVT_456</code>" in content
    assert '<th scope="row">Location</th><td>Civic Centre</td>' in content
    assert '<th scope="row">Rooms</th><td>[&quot;A&quot;, &quot;B&quot;]</td>' in content
    assert 'href="https://events.example.com/town-hall" target="_blank"' in content


def test_entity_page_unsafe_url_not_linked(staff_client):
    entity = make_entity(external_url="javascript:alert(1)")

    content = staff_client.get(entity.get_absolute_url()).content.decode()

    assert 'href="javascript:' not in content
    assert "not a web address, so not linked" in content


def test_entity_page_counts(staff_client):
    entity = make_entity()
    ada = make_supporter("M-1")
    bea = make_supporter("M-2", first_name="Bea", email="bea@example.org")
    make_activities(ada, 2, entity=entity, status="confirmed")
    make_activities(bea, 1, entity=entity, status="attended", topic="event_attendance")

    summary = staff_client.get(entity.get_absolute_url()).context["summary"]

    assert summary.activities == 3
    assert summary.supporters == 2
    assert summary.by_topic == [
        {"topic": "event_rsvp", "count": 2},
        {"topic": "event_attendance", "count": 1},
    ]
    assert summary.by_status == [
        {"status": "confirmed", "count": 2},
        {"status": "attended", "count": 1},
    ]


def test_entity_page_lists_linked(staff_client):
    entity = make_entity()
    other = make_entity("EVT_OTHER", name="Other")
    ada = make_supporter("M-1")
    bea = make_supporter("M-2", first_name="Bea", email="bea@example.org")
    make_activities(ada, 1, entity=entity)
    make_activities(bea, 1, entity=other, prefix="other")

    response = staff_client.get(entity.get_absolute_url())

    assert [a.supporter for a in response.context["page"]] == [ada]
    assert f'href="{ada.get_absolute_url()}"' in response.content.decode()


def test_entity_page_filter_status(staff_client):
    entity = make_entity()
    make_activities(make_supporter("M-1"), 2, entity=entity, status="attended")
    bea = make_supporter("M-2", first_name="Bea", email="bea@example.org")
    make_activities(bea, 1, entity=entity, status="no_show", prefix="other")

    response = staff_client.get(entity.get_absolute_url(), {"status": "no_show"})

    assert [a.supporter for a in response.context["page"]] == [bea]
    assert f'href="/entities/{entity.pk}/export.csv?status=no_show"' in response.content.decode()


def test_entity_page_filter_empty_status(staff_client):
    entity = make_entity()
    make_activities(make_supporter("M-1"), 2, entity=entity, status="attended")
    make_activities(make_supporter("M-2", email=""), 1, entity=entity, status="", prefix="x")

    response = staff_client.get(entity.get_absolute_url(), {"status": ""})

    assert [a.status for a in response.context["page"]] == [""]


def test_entity_page_save_as_search_link(staff_client):
    entity = make_entity()

    content = staff_client.get(entity.get_absolute_url()).content.decode()

    assert f'href="/supporters/?entity={entity.pk}">Save as search' in content


def test_entity_page_queries_constant(staff_client, django_assert_num_queries):
    small, large = make_entity("SMALL"), make_entity("LARGE")
    for number in range(5):
        make_activities(make_supporter(f"S-{number}", email=""), 1, entity=small)
    supporters = Supporter.objects.bulk_create(
        Supporter(external_id=f"L-{number}", first_name="L", last_name=str(number))
        for number in range(5000)
    )
    if not connection.features.can_return_rows_from_bulk_insert:
        supporters = list(Supporter.objects.filter(external_id__startswith="L-"))
    activities = Activity.objects.bulk_create(
        Activity(
            supporter=supporter,
            external_id=f"L-act-{supporter.external_id}",
            topic="event_rsvp",
            title="RSVP",
            source="mobilize",
            happened_at=BASE_TIME,
        )
        for supporter in supporters
    )
    if not connection.features.can_return_rows_from_bulk_insert:
        activities = list(Activity.objects.filter(external_id__startswith="L-act-"))
    ActivityEntityLink.objects.bulk_create(
        ActivityEntityLink(activity=activity, entity=large) for activity in activities
    )
    staff_client.get(small.get_absolute_url())

    with CaptureQueriesContext(connection) as small_queries:
        small_response = staff_client.get(small.get_absolute_url())
    with django_assert_num_queries(len(small_queries)):
        large_response = staff_client.get(large.get_absolute_url())

    assert small_response.context["summary"].supporters == 5
    assert large_response.context["summary"].supporters == 5000
    assert len(small_queries) <= 14


def test_entity_page_paginates(staff_client):
    entity = make_entity()
    make_activities(make_supporter(), 60, entity=entity)

    response = staff_client.get(entity.get_absolute_url(), {"page": 2})

    assert len(response.context["page"]) == 10
    assert response.context["page"].number == 2


# CSV export


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_entity_export_rows(staff_client):
    entity = make_entity()
    make_activities(make_supporter(), 2, entity=entity, title="=HYPERLINK(1)")

    response = staff_client.get(reverse("entity-export", args=[entity.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="entity-{entity.pk}-activities.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "supporter_external_id",
        "first_name",
        "last_name",
        "email",
        "activity_external_id",
        "topic",
        "title",
        "status",
        "happened_at",
    ]
    assert rows[1] == [
        "M-1",
        "Ada",
        "Lovelace",
        "ada@example.org",
        "act-M-1-1",
        "event_rsvp",
        "'=HYPERLINK(1)",
        "confirmed",
        "2024-02-28T04:30:00+00:00",
    ]
    assert len(rows) == 3


def test_entity_export_filter_status(staff_client):
    entity = make_entity()
    make_activities(make_supporter("M-1"), 2, entity=entity, status="attended")
    make_activities(make_supporter("M-2", email=""), 1, entity=entity, status="no_show", prefix="x")

    response = staff_client.get(reverse("entity-export", args=[entity.pk]), {"status": "no_show"})

    rows = read_csv(response)
    assert [row[0] for row in rows[1:]] == ["M-2"]


def test_entity_export_records_audit_event(staff_client, staff_user):
    entity = make_entity()
    make_activities(make_supporter(), 2, entity=entity)

    b"".join(staff_client.get(reverse("entity-export", args=[entity.pk])).streaming_content)

    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == staff_user
    assert event.detail == {"rows": 2, "entity": entity.pk}


def test_entity_export_queries_constant(staff_client, django_assert_num_queries):
    entity = make_entity()
    make_activities(make_supporter(), 3, entity=entity)
    b"".join(staff_client.get(reverse("entity-export", args=[entity.pk])).streaming_content)
    with CaptureQueriesContext(connection) as few:
        b"".join(staff_client.get(reverse("entity-export", args=[entity.pk])).streaming_content)
    make_activities(make_supporter("M-2", email=""), 300, entity=entity)

    with django_assert_num_queries(len(few)):
        response = staff_client.get(reverse("entity-export", args=[entity.pk]))
        rows = read_csv(response)

    assert len(rows) == 304
