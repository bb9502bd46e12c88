"""Supporter search: the query logic behind the search page, the read API and CSV exports.

A search is a set of supporter-field filters plus any number of activity conditions, combined
with AND. Each activity condition must be met by a single activity, so it becomes one
``EXISTS`` subquery (or one ``COUNT`` subquery when it sets a minimum count) correlated on
the supporter. The outer query never joins activities, so every supporter appears once without
``DISTINCT``.
"""

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.http import QueryDict
from django.utils import timezone

from activities.models import Activity, ActivityEntityLink, SavedSearch
from movement.api import ServiceError
from supporters.models import Supporter

logger = logging.getLogger(__name__)

INTEGER = re.compile(r"-?[0-9]{1,18}")


@dataclass(frozen=True)
class ActivityCondition:
    """Constraints that one activity must meet, plus how many such activities a supporter needs.

    Empty tuples and ``None`` mean "any". Several values in one tuple match any of them. All the
    entity constraints must be met by one entity linked to the activity.
    """

    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    entity_ids: tuple[int, ...] = ()
    entity_kinds: tuple[str, ...] = ()
    entity_source: str = ""
    entity_external_id: str = ""
    entity_name: str = ""
    happened_from: datetime | None = None
    happened_to: datetime | None = None
    within_days: int | None = None
    min_count: int = 1
    negate: bool = False

    @property
    def has_entity_constraints(self) -> bool:
        return bool(
            self.entity_ids
            or self.entity_kinds
            or self.entity_source
            or self.entity_external_id
            or self.entity_name
        )


@dataclass(frozen=True)
class SupporterSearch:
    """A whole supporter search: filters on the supporter row and activity conditions."""

    text: str = ""
    email: str = ""
    external_id: str = ""
    custom_fields: tuple[tuple[str, str], ...] = ()
    conditions: tuple[ActivityCondition, ...] = field(default_factory=tuple)


def activity_q(condition: ActivityCondition, now: datetime | None = None) -> Q:
    """Return a filter on ``Activity`` rows for the per-activity part of ``condition``.

    ``min_count`` and ``negate`` are about supporters and are not part of it.
    """
    q = Q()
    if condition.topics:
        q &= Q(topic__in=condition.topics)
    if condition.sources:
        q &= Q(source__in=condition.sources)
    if condition.statuses:
        q &= Q(status__in=condition.statuses)
    if condition.happened_from is not None:
        q &= Q(happened_at__gte=condition.happened_from)
    if condition.happened_to is not None:
        q &= Q(happened_at__lte=condition.happened_to)
    if condition.within_days is not None:
        since = (now or timezone.now()) - timedelta(days=condition.within_days)
        q &= Q(happened_at__gte=since)
    if condition.has_entity_constraints:
        q &= Exists(linked_entities(condition))
    return q


def linked_entities(condition: ActivityCondition) -> QuerySet:
    """Return the links from the outer activity to an entity meeting every entity constraint."""
    links = ActivityEntityLink.objects.filter(activity=OuterRef("pk"))
    if condition.entity_ids:
        links = links.filter(entity_id__in=condition.entity_ids)
    if condition.entity_kinds:
        links = links.filter(entity__kind__in=condition.entity_kinds)
    if condition.entity_source:
        links = links.filter(entity__source=condition.entity_source)
    if condition.entity_external_id:
        links = links.filter(entity__external_id=condition.entity_external_id)
    if condition.entity_name:
        links = links.filter(entity__name__icontains=condition.entity_name)
    return links


def supporter_condition_q(condition: ActivityCondition, now: datetime | None = None) -> Q:
    """Return a filter on ``Supporter`` rows: has (or has not) enough matching activities."""
    activities = Activity.objects.filter(activity_q(condition, now), supporter=OuterRef("pk"))
    if condition.min_count <= 1:
        q = Q(Exists(activities))
    else:
        counts = (
            activities.order_by()
            .values("supporter")
            .annotate(matching=Count("pk"))
            .values("matching")
        )
        # A supporter without a matching activity gets no row from the subquery; COALESCE
        # makes that a zero so that the negated form ("fewer than N") includes them.
        matching = Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))
        q = Q(GreaterThanOrEqual(matching, condition.min_count))
    return ~q if condition.negate else q


def custom_field_q(key: str, text: str) -> Q:
    """Return a filter for supporters whose custom field ``key`` equals ``text``.

    Custom fields are JSON, so ``text`` also matches the integer or boolean it spells:
    ``volunteer:true`` finds ``{"volunteer": true}`` and ``member_since:2019`` finds both
    ``2019`` and ``"2019"``.
    """
    candidates: list = [text]
    if INTEGER.fullmatch(text):
        candidates.append(int(text))
    if text in ("true", "false"):
        candidates.append(text == "true")
    q = Q()
    for value in candidates:
        # Built by hand so that keys containing "__" are looked up as written; the JSONField
        # output field makes the database compare JSON values, not text.
        transform = KeyTransform(key, "custom_fields")
        q |= Q(transform.get_lookup("exact")(transform, Value(value, output_field=JSONField())))
    return q


def text_q(text: str) -> Q:
    """Return a filter where every word of ``text`` appears in a name, the email or the id."""
    q = Q()
    for word in text.split():
        q &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(external_id__icontains=word)
        )
    return q


def search_supporters(
    search: SupporterSearch, queryset: QuerySet | None = None, now: datetime | None = None
) -> QuerySet:
    """Return the supporters in ``queryset`` (all by default) that ``search`` selects."""
    if queryset is None:
        queryset = Supporter.objects.all()
    now = now or timezone.now()
    if search.text:
        queryset = queryset.filter(text_q(search.text))
    if search.email:
        queryset = queryset.filter(email__iexact=search.email)
    if search.external_id:
        queryset = queryset.filter(external_id=search.external_id)
    for key, text in search.custom_fields:
        queryset = queryset.filter(custom_field_q(key, text))
    for condition in search.conditions:
        queryset = queryset.filter(supporter_condition_q(condition, now))
    return queryset


# Saved searches


class InvalidSearch(ServiceError):
    """The parameters of a search, new or saved, fail validation."""

    code = "invalid_search"

    def __init__(self, errors: dict[str, list[str]], *, status: int = 400):
        self.errors = errors
        detail = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
        super().__init__(f"The search parameters are invalid. {detail}", status=status)


def clean_params(data: QueryDict) -> dict[str, list[str]]:
    """Return the filter parameters of ``data`` as a dict of lists, without blanks and paging."""
    from activities.filters import NON_FILTER_PARAMS

    params = {}
    for key, values in data.lists():
        kept = [value for value in values if value.strip()]
        if kept and key not in NON_FILTER_PARAMS:
            params[key] = kept
    return params


def supporter_filterset(params: dict[str, list[str]], queryset: QuerySet | None = None):
    """Return a bound SupporterFilterSet for stored ``params``.

    Imported here because the FilterSets build on this module's query functions.
    """
    from activities.filters import SupporterFilterSet

    data = QueryDict(mutable=True)
    for key, values in params.items():
        data.setlist(key, values)
    if queryset is None:
        queryset = Supporter.objects.all()
    return SupporterFilterSet(data, queryset=queryset)


def validate_params(params: dict[str, list[str]], *, status: int = 400) -> SupporterSearch:
    """Return the search ``params`` describe, or raise InvalidSearch with each error."""
    filterset = supporter_filterset(params)
    if not filterset.is_valid():
        raise InvalidSearch(
            {name: list(messages) for name, messages in filterset.errors.items()}, status=status
        )
    return filterset.to_search()


def visible_saved_searches(user) -> QuerySet:
    """Return the saved searches ``user`` may see: their own, shared ones, or all with the
    ``view_savedsearch`` permission. ``user`` may be None (an API token without an owner)."""
    searches = SavedSearch.objects.select_related("owner")
    if user is not None and user.has_perm("activities.view_savedsearch"):
        return searches
    if user is None or not user.is_authenticated:
        return searches.filter(shared=True)
    return searches.filter(Q(shared=True) | Q(owner=user))


def can_change(user, saved: SavedSearch) -> bool:
    return saved.owner_id == user.pk or user.has_perm("activities.change_savedsearch")


def can_delete(user, saved: SavedSearch) -> bool:
    return saved.owner_id == user.pk or user.has_perm("activities.delete_savedsearch")


def create_saved_search(
    owner, name: str, params: dict[str, list[str]], *, shared: bool = False
) -> SavedSearch:
    """Validate ``params`` and store them as a saved search owned by ``owner``."""
    validate_params(params)
    saved = SavedSearch.objects.create(owner=owner, name=name.strip(), params=params, shared=shared)
    logger.info("User %s saved search %s with %s parameters", owner.pk, saved.pk, len(params))
    return saved


def update_saved_search(saved: SavedSearch, *, name: str, shared: bool) -> SavedSearch:
    """Rename a saved search and set whether it is shared."""
    saved.name = name.strip()
    saved.shared = shared
    saved.save(update_fields=["name", "shared", "updated_at"])
    logger.info("Saved search %s renamed or reshared", saved.pk)
    return saved


def delete_saved_search(saved: SavedSearch, *, actor) -> None:
    logger.info("User %s deleted saved search %s", actor.pk, saved.pk)
    saved.delete()


def run_saved_search(saved: SavedSearch, queryset: QuerySet | None = None) -> QuerySet:
    """Return the supporters ``saved`` selects now.

    Raises InvalidSearch with status 409 when the stored parameters no longer validate, so a
    broken search never runs unfiltered.
    """
    search = validate_params(saved.params, status=409)
    return search_supporters(search, queryset)


def record_run(saved: SavedSearch, count: int) -> None:
    """Store the result count of a run without touching ``updated_at``."""
    now = timezone.now()
    SavedSearch.objects.filter(pk=saved.pk).update(last_count=count, last_run_at=now)
    saved.last_count, saved.last_run_at = count, now


# CSV export

EXPORT_HEADER = (
    "external_id",
    "first_name",
    "last_name",
    "email",
    "phone_number",
    "custom_fields",
    "created_at",
)
EXPORT_CHUNK_SIZE = 2000


def export_rows(queryset: QuerySet) -> Iterator[tuple]:
    """Yield one CSV row per supporter, reading the database in chunks.

    Custom fields are written as a JSON object and times in UTC ISO 8601.
    """
    rows = queryset.values_list(*EXPORT_HEADER).iterator(chunk_size=EXPORT_CHUNK_SIZE)
    for *fields, custom_fields, created_at in rows:
        yield (
            *fields,
            json.dumps(custom_fields, ensure_ascii=False, sort_keys=True),
            created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        )
