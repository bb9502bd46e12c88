"""One test per filter of the supporter, activity and entity FilterSets."""

from datetime import UTC, datetime, timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from activities.filters import ActivityFilterSet, EntityFilterSet, SupporterFilterSet
from activities.models import Activity, ActivityEntity
from supporters.models import Supporter
from tests import search_data as data

pytestmark = pytest.mark.django_db


def found(query: str) -> set[str]:
    filterset = SupporterFilterSet(QueryDict(query), queryset=Supporter.objects.all())
    assert filterset.is_valid(), dict(filterset.errors)
    return set(filterset.qs.values_list("external_id", flat=True))


def errors(query: str, filterset_class=SupporterFilterSet) -> dict:
    model = filterset_class._meta.model
    filterset = filterset_class(QueryDict(query), queryset=model.objects.all())
    assert not filterset.is_valid()
    return dict(filterset.errors)


def test_supporter_q_matches_every_word():
    data.supporter("A", first_name="Ada", last_name="Nguyen")
    data.supporter("B", first_name="Ada", last_name="Smith")
    assert found("q=ada+nguy") == {"A"}


def test_supporter_q_matches_email_and_id():
    data.supporter("M-7", email="kofi@example.org")
    data.supporter("M-8")
    assert found("q=kofi@") == {"M-7"}
    assert found("q=m-8") == {"M-8"}


def test_supporter_email_ignores_case():
    data.supporter("A", email="Ada@Example.org")
    data.supporter("B", email="ada@example.org.au")
    assert found("email=ada@example.ORG") == {"A"}


def test_supporter_external_id_exact():
    data.supporter("M-1")
    data.supporter("M-10")
    assert found("external_id=M-1") == {"M-1"}


def test_supporter_custom_field_string_number_and_boolean():
    data.supporter("A", custom_fields={"ward": "Riverside", "since": 2019, "volunteer": True})
    data.supporter("B", custom_fields={"ward": "Northgate", "since": "2019", "volunteer": False})
    data.supporter("C", custom_fields={"volunteer": "true"})
    assert found("custom_field=ward:Riverside") == {"A"}
    assert found("custom_field=since:2019") == {"A", "B"}
    assert found("custom_field=volunteer:true") == {"A", "C"}
    assert found("custom_field=volunteer:false") == {"B"}


def test_supporter_custom_fields_combine_with_and():
    data.supporter("A", custom_fields={"ward": "Riverside", "since": "2019"})
    data.supporter("B", custom_fields={"ward": "Riverside", "since": "2020"})
    assert found("custom_field=ward:Riverside&custom_field=since:2020") == {"B"}


def test_supporter_custom_field_key_with_double_underscore():
    data.supporter("A", custom_fields={"team__name": "north"})
    assert found("custom_field=team__name:north") == {"A"}


def test_condition_topic_one_or_several():
    ada, ben, cat = data.supporter("A"), data.supporter("B"), data.supporter("C")
    data.activity(ada, topic="petition_signature")
    data.activity(ben, topic="event_rsvp")
    data.activity(cat, topic="phone_call")
    assert found("topic=petition_signature") == {"A"}
    assert found("topic=petition_signature,event_rsvp") == {"A", "B"}
    assert found("topic=petition_signature&topic=phone_call") == {"A", "C"}


def test_condition_source_and_status():
    ada, ben = data.supporter("A"), data.supporter("B")
    data.activity(ada, source="mobilize", status="attended")
    data.activity(ben, source="mobilize", status="no_show")
    data.activity(ben, source="other", status="attended")
    assert found("source=mobilize&status=attended") == {"A"}


def test_condition_met_by_one_activity():
    # B has an attendance and, separately, something at the town hall: not the same activity.
    townhall, other = data.entity("TOWNHALL"), data.entity("OTHER")
    ada, ben = data.supporter("A"), data.supporter("B")
    data.activity(ada, topic="event_attendance", entities=[townhall])
    data.activity(ben, topic="event_attendance", entities=[other])
    data.activity(ben, topic="event_rsvp", entities=[townhall])
    assert found(f"topic=event_attendance&entity={townhall.pk}") == {"A"}


def test_condition_entity_fields():
    event = data.entity("EVT_1", kind="event", source="mobilize", name="Town Hall - March")
    petition = data.entity("PET-12", kind="petition", source="petition_tool", name="Library")
    ada, ben = data.supporter("A"), data.supporter("B")
    data.activity(ada, entities=[event])
    data.activity(ben, entities=[petition])
    assert found(f"entity={event.pk}") == {"A"}
    assert found(f"entity={event.pk},{petition.pk}") == {"A", "B"}
    assert found("entity_kind=petition") == {"B"}
    assert found("entity_source=mobilize&entity_external_id=EVT_1") == {"A"}
    assert found("entity_source=mobilize&entity_external_id=PET-12") == set()
    assert found("entity_name=town+hall") == {"A"}


def test_condition_entity_constraints_met_by_one_entity():
    # B's activity names an event and, separately, something from petition_tool.
    event = data.entity("E1", kind="event", source="mobilize")
    mixed = data.entity("E2", kind="event", source="petition_tool")
    petition = data.entity("P1", kind="petition", source="petition_tool")
    ada, ben = data.supporter("A"), data.supporter("B")
    data.activity(ada, entities=[mixed])
    data.activity(ben, entities=[event, petition])
    assert found("entity_kind=event&entity_source=petition_tool") == {"A"}


def test_condition_happened_between_dates():
    ada, ben, cat = data.supporter("A"), data.supporter("B"), data.supporter("C")
    data.activity(ada, happened_at=datetime(2024, 3, 31, 12, 59, tzinfo=UTC))
    data.activity(ben, happened_at=datetime(2024, 4, 1, 13, 1, tzinfo=UTC))
    data.activity(cat, happened_at=datetime(2024, 2, 29, 12, 0, tzinfo=UTC))
    # Bare dates are days in Australia/Sydney (UTC+11 in March, +11 until April 7).
    assert found("happened_from=2024-03-01&happened_to=2024-03-31") == {"A"}
    assert found("happened_from=2024-04-02") == {"B"}


def test_condition_happened_at_exact_times():
    ada = data.supporter("A")
    data.activity(ada, happened_at=datetime(2024, 3, 15, 9, 0, tzinfo=UTC))
    assert found("happened_from=2024-03-15T09:00:00Z&happened_to=2024-03-15T09:00:00Z") == {"A"}
    assert found("happened_from=2024-03-15T09:00:01Z") == set()
    # An unescaped "+" arrives as a space; the offset still counts.
    assert found("happened_to=2024-03-15T18:59:59+10:00") == set()
    assert found("happened_to=2024-03-15T20:00:00%2B11:00") == {"A"}


def test_condition_within_days():
    ada, ben = data.supporter("A"), data.supporter("B")
    data.activity(ada, happened_at=timezone.now() - timedelta(days=89))
    data.activity(ben, happened_at=timezone.now() - timedelta(days=91))
    assert found("within_days=90") == {"A"}


def test_condition_min_count():
    ada, ben = data.supporter("A"), data.supporter("B")
    for _ in range(3):
        data.activity(ada, topic="event_attendance")
    for _ in range(2):
        data.activity(ben, topic="event_attendance")
    data.activity(ben, topic="event_rsvp")
    assert found("topic=event_attendance&min_count=3") == {"A"}
    assert found("min_count=3") == {"A", "B"}


def test_condition_min_count_counts_activities_not_links():
    one, two = data.entity(kind="event"), data.entity(kind="event")
    ada = data.supporter("A")
    data.activity(ada, entities=[one, two])
    assert found("entity_kind=event&min_count=2") == set()


def test_condition_negate():
    ada, ben = data.supporter("A"), data.supporter("B")
    data.supporter("C")
    data.activity(ada, topic="event_attendance")
    data.activity(ben, topic="petition_signature")
    assert found("topic=event_attendance&negate=true") == {"B", "C"}


def test_condition_negate_with_min_count_means_fewer():
    ada, ben = data.supporter("A"), data.supporter("B")
    data.supporter("C")
    for _ in range(3):
        data.activity(ada)
    data.activity(ben)
    assert found("min_count=2&negate=true") == {"B", "C"}


def test_conditions_combine_with_and():
    library = data.entity("PET-12", kind="petition", source="petition_tool")
    event = data.entity("EVT", kind="event")
    ada, ben, cat = data.supporter("A"), data.supporter("B"), data.supporter("C")
    data.activity(ada, topic="petition_signature", status="signed", entities=[library])
    data.activity(ben, topic="petition_signature", status="signed", entities=[library])
    data.activity(ben, topic="event_attendance", status="attended", entities=[event])
    data.activity(cat, topic="event_attendance", status="attended", entities=[event])
    query = "entity_external_id=PET-12&c2.entity_kind=event&c2.status=attended&c2.negate=true"
    assert found(query) == {"A"}


def test_supporter_listed_once():
    event = data.entity()
    ada = data.supporter("A")
    for _ in range(3):
        data.activity(ada, entities=[event])
    filterset = SupporterFilterSet(
        QueryDict(f"entity={event.pk}"), queryset=Supporter.objects.all()
    )
    assert filterset.is_valid()
    assert list(filterset.qs.values_list("external_id", flat=True)) == ["A"]


def test_blank_condition_row_is_ignored():
    ada = data.supporter("A")
    data.supporter("B")
    data.activity(ada)
    assert found("topic=&c2.topic=&c2.negate=false&c3.min_count=") == {"A", "B"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("topc=event_attendance", "topc"),
        ("c11.topic=x", "c11.topic"),
        ("c1.topic=x", "c1.topic"),
        ("c2.bogus=x", "c2.bogus"),
        ("within_days=soon", "within_days"),
        ("within_days=0", "within_days"),
        ("min_count=-1", "min_count"),
        ("negate=maybe", "negate"),
        ("entity=abc", "entity"),
        ("entity=0", "entity"),
        ("happened_from=2024-02-30", "happened_from"),
        ("happened_from=2024-03-01T10:00:00", "happened_from"),
        ("custom_field=ward", "custom_field"),
        ("custom_field=5:x", "custom_field"),
        ("q=a%00b", "q"),
        ("topic=" + "x" * 256, "topic"),
        ("c2.happened_to=yesterday", "c2.happened_to"),
    ],
)
def test_supporter_invalid_parameter(query, field):
    assert field in errors(query)


def test_supporter_paging_parameters_allowed():
    data.supporter("A")
    assert found("page=2&page_size=10&cursor=x&format=json") == {"A"}


def test_activity_filters():
    event = data.entity("EVT_1", kind="event")
    ada, ben = data.supporter("A"), data.supporter("B")
    wanted = data.activity(ada, topic="event_attendance", entities=[event])
    data.activity(ada, topic="event_rsvp", entities=[event])
    data.activity(ben, topic="event_attendance")
    query = f"supporter=A&topic=event_attendance&entity={event.pk}&happened_from=2024-01-01"
    filterset = ActivityFilterSet(QueryDict(query), queryset=Activity.objects.all())
    assert filterset.is_valid()
    assert list(filterset.qs) == [wanted]


def test_activity_updated_since():
    ada = data.supporter("A")
    old, new = data.activity(ada), data.activity(ada)
    cutoff = timezone.now()
    Activity.objects.filter(pk=old.pk).update(updated_at=cutoff - timedelta(seconds=1))
    Activity.objects.filter(pk=new.pk).update(updated_at=cutoff)
    since = cutoff.isoformat().replace("+00:00", "Z")
    filterset = ActivityFilterSet(
        QueryDict(f"updated_since={since}"), queryset=Activity.objects.all()
    )
    assert filterset.is_valid()
    assert list(filterset.qs) == [new]


def test_activity_listed_once_with_two_matching_entities():
    one, two = data.entity(kind="event"), data.entity(kind="event")
    made = data.activity(data.supporter(), entities=[one, two])
    filterset = ActivityFilterSet(QueryDict("entity_kind=event"), queryset=Activity.objects.all())
    assert filterset.is_valid()
    assert list(filterset.qs) == [made]


def test_activity_rejects_supporter_conditions():
    assert "min_count" in errors("min_count=2", ActivityFilterSet)


def test_entity_filters():
    wanted = data.entity("EVT_1", kind="event", source="mobilize", name="Town Hall")
    data.entity("EVT_2", kind="event", source="other", name="Town Hall")
    data.entity("PET", kind="petition", source="mobilize", name="Town Hall petition")
    query = "kind=event&source=mobilize&external_id=EVT_1&name=hall"
    filterset = EntityFilterSet(QueryDict(query), queryset=ActivityEntity.objects.all())
    assert filterset.is_valid()
    assert list(filterset.qs) == [wanted]


def test_entity_rejects_unknown_parameter():
    assert "kinds" in errors("kinds=event", EntityFilterSet)
