"""The supporter search against an independent oracle.

Hypothesis generates small datasets and searches. Each search runs through the FilterSet, as
the page and the API run it. It also runs as a plain Python evaluation of the rules in
docs/search.md over the same generated data, and both must select the same supporters.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from activities.filters import SupporterFilterSet
from activities.models import Activity, ActivityEntity, ActivityEntityLink
from supporters.models import Supporter

TOPICS = ["event_attendance", "event_rsvp", "petition_signature"]
SOURCES = ["mobilize", "petition_tool"]
STATUSES = ["", "attended", "no_show"]
KINDS = ["event", "petition"]
ENTITY_NAMES = ["Town Hall - March", "Library rally", "town hall forum"]
FIRST_NAMES = ["Ada", "Ben", "Adam"]
LAST_NAMES = ["Nguyen", "Smith"]
CUSTOM_VALUES = {
    "ward": ["Riverside", "Northgate"],
    "since": [2019, "2019", 2020],
    "volunteer": [True, False, "true"],
}
MISSING_ENTITY = 10**9


@dataclass
class GeneratedEntity:
    kind: str
    source: str
    name: str


@dataclass
class GeneratedActivity:
    supporter: int
    topic: str
    source: str
    status: str
    days_ago: int
    entities: list[int]


@dataclass
class GeneratedSupporter:
    first_name: str
    last_name: str
    custom_fields: dict


@dataclass
class Dataset:
    supporters: list[GeneratedSupporter]
    entities: list[GeneratedEntity]
    activities: list[GeneratedActivity]


@dataclass
class Condition:
    topics: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    entities: list[int] = field(default_factory=list)
    entity_kinds: list[str] = field(default_factory=list)
    entity_source: str = ""
    entity_external_id: str = ""
    entity_name: str = ""
    happened_from: date | None = None
    happened_to: date | None = None
    within_days: int | None = None
    min_count: int | None = None
    negate: bool = False


@dataclass
class Search:
    text: str
    custom_fields: list[tuple[str, str]]
    conditions: list[Condition]


def subset(values, max_size=2):
    return st.lists(st.sampled_from(values), max_size=max_size, unique=True)


@st.composite
def datasets(draw):
    supporters = draw(
        st.lists(
            st.builds(
                GeneratedSupporter,
                first_name=st.sampled_from(FIRST_NAMES),
                last_name=st.sampled_from(LAST_NAMES),
                custom_fields=st.fixed_dictionaries(
                    {}, optional={key: st.sampled_from(v) for key, v in CUSTOM_VALUES.items()}
                ),
            ),
            min_size=2,
            max_size=6,
        )
    )
    entities = draw(
        st.lists(
            st.builds(
                GeneratedEntity,
                kind=st.sampled_from(KINDS),
                source=st.sampled_from(SOURCES),
                name=st.sampled_from(ENTITY_NAMES),
            ),
            max_size=4,
        )
    )
    activity = st.builds(
        GeneratedActivity,
        supporter=st.integers(0, len(supporters) - 1),
        topic=st.sampled_from(TOPICS),
        source=st.sampled_from(SOURCES),
        status=st.sampled_from(STATUSES),
        days_ago=st.integers(0, 30),
        entities=st.lists(st.integers(0, len(entities) - 1), max_size=2, unique=True)
        if entities
        else st.just([]),
    )
    return Dataset(supporters, entities, draw(st.lists(activity, min_size=3, max_size=20)))


def optional(strategy):
    return st.one_of(st.none(), strategy)


CONSTRAINTS = {
    "topics": subset(TOPICS),
    "sources": subset(SOURCES, 1),
    "statuses": subset([status for status in STATUSES if status], 1),
    "entities": st.lists(st.integers(0, 4), min_size=1, max_size=2, unique=True),
    "entity_kinds": subset(KINDS, 1),
    "entity_source": st.sampled_from(SOURCES),
    "entity_external_id": st.sampled_from(["E0", "E1", "E9"]),
    "entity_name": st.sampled_from(["hall", "Library", "TOWN HALL -"]),
    "happened_from": st.integers(0, 32),
    "happened_to": st.integers(0, 32),
    "within_days": st.integers(1, 31),
}


@st.composite
def conditions(draw):
    """A condition with a few constraints, so that searches select some supporters and not
    others."""
    condition = Condition(
        min_count=draw(st.sampled_from([None, None, 1, 2, 3])), negate=draw(st.booleans())
    )
    for name in draw(st.lists(st.sampled_from(sorted(CONSTRAINTS)), max_size=3, unique=True)):
        setattr(condition, name, draw(CONSTRAINTS[name]))
    return condition


searches = st.builds(
    Search,
    text=st.sampled_from(["", "", "", "ada", "ADA ngu", "smith", "s-"]),
    custom_fields=st.lists(
        st.sampled_from(
            [
                ("ward", "Riverside"),
                ("since", "2019"),
                ("since", "2020"),
                ("volunteer", "true"),
                ("volunteer", "false"),
            ]
        ),
        max_size=1,
    ),
    conditions=st.lists(conditions(), min_size=1, max_size=3),
)


# The oracle: the rules of docs/search.md, evaluated in Python over the generated data.


def zone():
    return ZoneInfo(settings.ORGANISATION_TIME_ZONE)


def custom_field_matches(stored, text: str) -> bool:
    if isinstance(stored, bool):
        return text in ("true", "false") and stored == (text == "true")
    if isinstance(stored, int):
        return text.lstrip("-").isdigit() and stored == int(text)
    return stored == text


def entity_matches(index: int, entity: GeneratedEntity, condition: Condition, pks) -> bool:
    selected_pks = [pks[i] if i < len(pks) else MISSING_ENTITY for i in condition.entities]
    return (
        (not selected_pks or pks[index] in selected_pks)
        and (not condition.entity_kinds or entity.kind in condition.entity_kinds)
        and (not condition.entity_source or entity.source == condition.entity_source)
        and (not condition.entity_external_id or f"E{index}" == condition.entity_external_id)
        and (not condition.entity_name or condition.entity_name.lower() in entity.name.lower())
    )


def activity_matches(activity, happened_at, condition, dataset, today, pks) -> bool:
    day = happened_at.astimezone(zone()).date()
    if condition.topics and activity.topic not in condition.topics:
        return False
    if condition.sources and activity.source not in condition.sources:
        return False
    if condition.statuses and activity.status not in condition.statuses:
        return False
    if condition.happened_from is not None and day < today - timedelta(condition.happened_from):
        return False
    if condition.happened_to is not None and day > today - timedelta(condition.happened_to):
        return False
    if condition.within_days is not None and activity.days_ago >= condition.within_days:
        return False
    entity_constraints = (
        condition.entities
        or condition.entity_kinds
        or condition.entity_source
        or condition.entity_external_id
        or condition.entity_name
    )
    if entity_constraints:
        return any(
            entity_matches(i, dataset.entities[i], condition, pks) for i in activity.entities
        )
    return True


def oracle(dataset: Dataset, search: Search, now: datetime, pks) -> set[int]:
    today = now.astimezone(zone()).date()
    selected = set()
    for index, supporter in enumerate(dataset.supporters):
        texts = [supporter.first_name, supporter.last_name, "", f"S-{index}"]
        if not all(any(w.lower() in t.lower() for t in texts) for w in search.text.split()):
            continue
        if not all(
            key in supporter.custom_fields and custom_field_matches(supporter.custom_fields[key], t)
            for key, t in search.custom_fields
        ):
            continue
        kept = True
        for condition in search.conditions:
            matching = sum(
                activity_matches(a, happened(now, a), condition, dataset, today, pks)
                for a in dataset.activities
                if a.supporter == index
            )
            met = matching >= (condition.min_count or 1)
            if met == condition.negate:
                kept = False
        if kept:
            selected.add(index)
    return selected


def happened(now: datetime, activity: GeneratedActivity) -> datetime:
    # Half a day off the day boundary, so "within N days" never sits on the edge.
    return now - timedelta(days=activity.days_ago, hours=12)


# The system under test: the FilterSet over rows written from the same data.


def query_string(search: Search, today: date, pks) -> str:
    pairs = [("q", search.text)] if search.text else []
    pairs += [("custom_field", f"{key}:{value}") for key, value in search.custom_fields]
    for number, condition in enumerate(search.conditions, start=1):
        prefix = "" if number == 1 else f"c{number}."
        values = {
            "topic": condition.topics,
            "source": condition.sources,
            "status": condition.statuses,
            "entity": [pks[i] if i < len(pks) else MISSING_ENTITY for i in condition.entities],
            "entity_kind": condition.entity_kinds,
            "entity_source": [condition.entity_source],
            "entity_external_id": [condition.entity_external_id],
            "entity_name": [condition.entity_name],
            "happened_from": [
                (today - timedelta(condition.happened_from)).isoformat()
                if condition.happened_from is not None
                else ""
            ],
            "happened_to": [
                (today - timedelta(condition.happened_to)).isoformat()
                if condition.happened_to is not None
                else ""
            ],
            "within_days": [condition.within_days or ""],
            "min_count": [condition.min_count or ""],
            "negate": ["true" if condition.negate else ""],
        }
        has_any = False
        for name, items in values.items():
            for item in items:
                if item != "":
                    pairs.append((prefix + name, str(item)))
                    has_any = True
        if not has_any:
            # A condition with no constraint: any activity at all.
            pairs.append((prefix + "min_count", "1"))
    return urlencode(pairs)


def store(dataset: Dataset, now: datetime):
    supporters = Supporter.objects.bulk_create(
        Supporter(
            external_id=f"S-{index}",
            first_name=s.first_name,
            last_name=s.last_name,
            custom_fields=s.custom_fields,
        )
        for index, s in enumerate(dataset.supporters)
    )
    entities = ActivityEntity.objects.bulk_create(
        ActivityEntity(external_id=f"E{index}", kind=e.kind, source=e.source, name=e.name)
        for index, e in enumerate(dataset.entities)
    )
    activities = Activity.objects.bulk_create(
        Activity(
            supporter=supporters[a.supporter],
            topic=a.topic,
            title="generated",
            source=a.source,
            status=a.status,
            happened_at=happened(now, a),
        )
        for a in dataset.activities
    )
    ActivityEntityLink.objects.bulk_create(
        ActivityEntityLink(activity=activity, entity=entities[i])
        for activity, generated in zip(activities, dataset.activities, strict=True)
        for i in generated.entities
    )
    return [s.pk for s in supporters], [e.pk for e in entities]


class Rollback(Exception):
    pass


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(dataset=datasets(), search=searches)
def test_search_matches_oracle(dataset, search):
    now = timezone.now()
    try:
        with transaction.atomic():
            supporter_pks, entity_pks = store(dataset, now)
            today = now.astimezone(zone()).date()
            query = query_string(search, today, entity_pks)
            filterset = SupporterFilterSet(QueryDict(query), queryset=Supporter.objects.all())
            assert filterset.is_valid(), dict(filterset.errors)
            found = list(filterset.qs.values_list("pk", flat=True))
            expected = {supporter_pks[i] for i in oracle(dataset, search, now, entity_pks)}
            assert len(found) == len(set(found)), f"{query}: a supporter is listed twice"
            assert set(found) == expected, query
            raise Rollback
    except Rollback:
        pass
