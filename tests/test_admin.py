"""The Django admin for supporters, activities, entities and API tokens."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity, ActivityEntity, ActivityEntityLink
from movement.models import ApiToken, AuditEvent
from supporters.models import Supporter

pytestmark = pytest.mark.django_db

BASE_TIME = datetime(2024, 2, 28, 3, 30, tzinfo=UTC)


def make_supporters(count, prefix="M"):
    Supporter.objects.bulk_create(
        Supporter(external_id=f"{prefix}-{n}", first_name="Person", last_name=f"{prefix}{n}")
        for n in range(count)
    )
    return list(Supporter.objects.filter(external_id__startswith=f"{prefix}-"))


def make_entities(count, prefix="E"):
    ActivityEntity.objects.bulk_create(
        ActivityEntity(kind="event", source="s", external_id=f"{prefix}-{n}", name=f"{prefix} {n}")
        for n in range(count)
    )
    return list(ActivityEntity.objects.filter(external_id__startswith=f"{prefix}-"))


def make_activities(supporters, *, title="RSVP"):
    Activity.objects.bulk_create(
        Activity(
            supporter=supporter,
            topic="event_rsvp",
            title=title,
            source="mobilize",
            happened_at=BASE_TIME + timedelta(minutes=n),
        )
        for n, supporter in enumerate(supporters)
    )


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:supporters_supporter_changelist",
        "admin:activities_activity_changelist",
        "admin:activities_activityentity_changelist",
        "admin:movement_apitoken_changelist",
        "admin:supporters_supporter_add",
        "admin:activities_activity_add",
        "admin:activities_activityentity_add",
        "admin:movement_apitoken_add",
    ],
)
def test_admin_page_renders(admin_client, url_name):
    make_activities(make_supporters(2))

    response = admin_client.get(reverse(url_name))

    assert response.status_code == 200


@pytest.mark.parametrize("model", [Supporter, Activity, ActivityEntity])
def test_admin_large_tables_skip_full_count(model):
    assert admin.site._registry[model].show_full_result_count is False


def test_admin_activity_change_no_supporter_list(admin_client):
    supporters = make_supporters(30)
    make_activities(supporters[:1])
    entities = make_entities(30)
    activity = Activity.objects.get()
    ActivityEntityLink.objects.create(activity=activity, entity=entities[0])

    content = admin_client.get(
        reverse("admin:activities_activity_change", args=[activity.pk])
    ).content.decode()

    # Autocomplete widgets render only the chosen supporter and entity.
    assert content.count(">Person M") == 1
    assert "Person M29" not in content
    assert "E 29" not in content
    assert "admin-autocomplete" in content


def test_admin_activity_add_no_supporter_list(admin_client):
    make_supporters(30)

    content = admin_client.get(reverse("admin:activities_activity_add")).content.decode()

    assert "Person M" not in content


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:supporters_supporter_changelist",
        "admin:activities_activity_changelist",
        "admin:activities_activityentity_changelist",
    ],
)
def test_admin_changelist_queries_constant(admin_client, django_assert_num_queries, url_name):
    make_activities(make_supporters(3, prefix="A"))
    make_entities(3, prefix="A")
    admin_client.get(reverse(url_name))
    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse(url_name))
    make_activities(make_supporters(80, prefix="B"))
    make_entities(80, prefix="B")

    with django_assert_num_queries(len(few)):
        response = admin_client.get(reverse(url_name))

    assert response.status_code == 200


def test_admin_supporter_search_by_email(admin_client):
    Supporter.objects.create(external_id="M-1", first_name="Ada", email="ada@example.org")
    Supporter.objects.create(external_id="M-2", first_name="Bea", email="bea@example.org")

    response = admin_client.get(reverse("admin:supporters_supporter_changelist"), {"q": "bea@"})

    assert [s.external_id for s in response.context["cl"].result_list] == ["M-2"]


def test_admin_activity_search_by_supporter(admin_client):
    supporters = make_supporters(2)
    make_activities(supporters)

    response = admin_client.get(
        reverse("admin:activities_activity_changelist"), {"q": supporters[1].external_id}
    )

    assert [a.supporter for a in response.context["cl"].result_list] == [supporters[1]]


def test_admin_supporter_links_profile(admin_client):
    supporter = Supporter.objects.create(external_id="M-1", first_name="Ada")

    content = admin_client.get(
        reverse("admin:supporters_supporter_change", args=[supporter.pk])
    ).content.decode()

    assert f'href="{reverse("supporter-detail", args=[supporter.pk])}"' in content


def test_admin_supporter_shows_recent_activities(admin_client):
    supporter = Supporter.objects.create(external_id="M-1", first_name="Ada")
    for number in range(12):
        Activity.objects.create(
            supporter=supporter,
            topic="event_rsvp",
            title=f"Activity {number:02d}",
            source="s",
            happened_at=BASE_TIME + timedelta(days=number),
        )

    content = admin_client.get(
        reverse("admin:supporters_supporter_change", args=[supporter.pk])
    ).content.decode()

    assert "Activity 11" in content
    assert "Activity 02" in content
    assert "Activity 01" not in content
    assert content.index("Activity 11") < content.index("Activity 10")


def test_admin_supporter_recent_activity_escaped(admin_client):
    supporter = Supporter.objects.create(external_id="M-1", first_name="Ada")
    Activity.objects.create(
        supporter=supporter,
        topic="t",
        title="<img src=x onerror=alert(1)>",
        source="s",
        happened_at=BASE_TIME,
    )

    content = admin_client.get(
        reverse("admin:supporters_supporter_change", args=[supporter.pk])
    ).content.decode()

    assert "&lt;img src=x onerror=alert(1)&gt;" in content
    assert "<img src=x" not in content


def test_admin_supporter_delete_audited(admin_client):
    supporter = Supporter.objects.create(external_id="M-1", first_name="Ada")
    make_activities([supporter])

    response = admin_client.post(
        reverse("admin:supporters_supporter_delete", args=[supporter.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Supporter.objects.filter(pk=supporter.pk).exists()
    assert Activity.objects.count() == 0
    event = AuditEvent.objects.get(action=AuditEvent.Action.ERASURE)
    assert event.detail["activities"] == 1


def test_admin_supporter_bulk_delete_audited(admin_client):
    supporters = make_supporters(3)

    admin_client.post(
        reverse("admin:supporters_supporter_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [s.pk for s in supporters],
            "post": "yes",
        },
    )

    assert Supporter.objects.count() == 0
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ERASURE).count() == 3


def test_admin_entity_links_staff_page(admin_client):
    entity = make_entities(1)[0]

    content = admin_client.get(
        reverse("admin:activities_activityentity_change", args=[entity.pk])
    ).content.decode()

    assert f'href="{reverse("entity-detail", args=[entity.pk])}"' in content


def test_admin_activity_list_links_supporter(admin_client):
    supporter = make_supporters(1)[0]
    make_activities([supporter])

    content = admin_client.get(reverse("admin:activities_activity_changelist")).content.decode()

    assert reverse("admin:supporters_supporter_change", args=[supporter.pk]) in content


def test_admin_token_created(admin_client):
    response = admin_client.post(
        reverse("admin:movement_apitoken_add"), {"name": "CRM sync", "scopes": ["read"]}
    )

    assert response.status_code == 302
    token = ApiToken.objects.get(name="CRM sync")
    assert token.scopes == ["read"]


def test_admin_non_staff_sent_to_admin_login(client, django_user_model):
    user = django_user_model.objects.create_user("volunteer", password="pw-volunteer-123")
    client.force_login(user)

    response = client.get(reverse("admin:supporters_supporter_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_times_in_organisation_time_zone(admin_client, settings):
    supporter = Supporter.objects.create(external_id="TZ-1")
    activity = Activity.objects.create(
        supporter=supporter,
        topic="call",
        title="Late call",
        source="dialer",
        happened_at=datetime(2024, 2, 28, 14, 30, tzinfo=UTC),
    )

    response = admin_client.get(reverse("admin:activities_activity_change", args=[activity.pk]))

    # 14:30 UTC is 01:30 the next day in Sydney (UTC+11 in February).
    assert settings.ORGANISATION_TIME_ZONE == "Australia/Sydney"
    page = response.content.decode()
    assert 'value="29/02/2024"' in page
    assert 'value="01:30:00"' in page
