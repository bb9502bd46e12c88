"""The only writer of activities, entities and their links.

The API, the demo data and every import path call :func:`ingest_records` with data that a
serializer has already checked for shape. This module owns the rules: the supporter must exist,
activities are matched by ``external_id``, entities by ``(source, external_id)``, an upsert
overwrites only the fields it carries, a replay without ``upsert`` must be identical, and an
activity never moves to another supporter.

A call runs in one transaction and issues a fixed number of SQL queries however many
activities it carries: every read and write is one set-based statement.
"""

import hashlib
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from activities.models import Activity, ActivityEntity, ActivityEntityLink
from movement.api import Conflict, NotFound
from supporters.models import Supporter

logger = logging.getLogger(__name__)

Result = Literal["created", "updated", "unchanged"]

ACTIVITY_FIELDS = ("topic", "title", "source", "body", "status", "metadata", "happened_at")
ENTITY_FIELDS = ("kind", "name", "metadata", "external_url")
ACTIVITY_DEFAULTS = {"body": "", "status": "", "metadata": {}}
ENTITY_DEFAULTS = {"metadata": {}, "external_url": ""}
ENTITY_LOOKUP_CHUNK = 10_000
LOCK_SLOTS = 256
# bulk_update sends two parameters per field and row; batches of 2,000 stay under the 65,535
# parameters a PostgreSQL statement may carry with server-side binding. A request of 1,000
# activities still updates them in one statement.
UPDATE_BATCH_SIZE = 2000
# Advisory lock keys are shared by everything on the database server. This offset keeps the
# service's keys apart from the small keys that other software tends to use.
LOCK_NAMESPACE = 0x4D56_0000_0000


@dataclass
class SupporterActivities:
    """One supporter's activities, as validated by ``ActivityRequestSerializer``.

    ``path`` prefixes field names in errors: ``""`` for a single request, ``"records[3]."`` in a
    bulk request.
    """

    supporter_external_id: str
    activities: list[dict[str, Any]]
    path: str = ""


@dataclass
class EntityResult:
    source: str
    external_id: str
    id: int | None
    result: Result


@dataclass
class ActivityResult:
    external_id: str | None
    id: int | None
    result: Result
    entities: list[EntityResult] = field(default_factory=list)


@dataclass
class RecordResult:
    external_id: str
    supporter_id: int
    activities: list[ActivityResult]

    def as_dict(self) -> dict[str, Any]:
        """Return the result as plain data for the response.

        Written out by hand because ``dataclasses.asdict`` deep-copies every value, which cost
        several per cent of a thousand-activity request.
        """
        return {
            "external_id": self.external_id,
            "supporter_id": self.supporter_id,
            "activities": [
                {
                    "external_id": activity.external_id,
                    "id": activity.id,
                    "result": activity.result,
                    "entities": [
                        {
                            "source": entity.source,
                            "external_id": entity.external_id,
                            "id": entity.id,
                            "result": entity.result,
                        }
                        for entity in activity.entities
                    ],
                }
                for activity in self.activities
            ],
        }


def ingest_activities(
    supporter_external_id: str, activities: list[dict[str, Any]], *, dry_run: bool = False
) -> RecordResult:
    """Store one supporter's activities; see :func:`ingest_records`."""
    record = SupporterActivities(supporter_external_id, activities)
    return ingest_records([record], dry_run=dry_run)[0]


def ingest_records(
    records: list[SupporterActivities], *, dry_run: bool = False
) -> list[RecordResult]:
    """Store the activities of one or more supporters, all or nothing.

    Raises ``NotFound`` for an unknown supporter and ``Conflict`` for an activity that exists with
    other values (without ``upsert``) or under another supporter. With ``dry_run`` every check
    and write runs, then the transaction rolls back; created rows are reported with ``id`` None.
    """
    started = time.monotonic()
    # A concurrent writer can only slip past the identity locks on a database without them,
    # so one retry turns that rare unique violation into a normal result.
    for attempt in (1, 2):
        try:
            results, counts = _ingest_in_transaction(records, dry_run)
            break
        except IntegrityError:
            if attempt == 2:
                raise
            logger.warning("Ingest hit a unique constraint; retrying once")

    logger.info(
        "Ingested %d activities for %d supporters in %.1f ms: %s (dry_run=%s)",
        sum(len(record.activities) for record in records),
        len(records),
        (time.monotonic() - started) * 1000,
        ", ".join(f"{name} {count}" for name, count in sorted(counts.items())),
        dry_run,
    )
    return results


def _ingest_in_transaction(records, dry_run):
    with transaction.atomic():
        supporters = _find_supporters(records)
        entity_inputs = _collect_entities(records)
        activity_ids = [
            activity["external_id"]
            for record in records
            for activity in record.activities
            if activity.get("external_id")
        ]
        _lock_identities(activity_ids, entity_inputs.keys())

        entities, entity_results = _upsert_entities(entity_inputs)
        results, counts = _upsert_activities(
            records, supporters, activity_ids, entities, entity_results
        )
        for result in entity_results.values():
            counts[f"entities {result}"] += 1

        if dry_run:
            transaction.set_rollback(True)
    if dry_run:
        _forget_created_ids(results)
    return results, counts


def _find_supporters(records) -> dict[str, Supporter]:
    wanted = {record.supporter_external_id for record in records}
    supporters = {s.external_id: s for s in Supporter.objects.filter(external_id__in=wanted)}
    for record in records:
        if record.supporter_external_id not in supporters:
            raise NotFound(
                f"No supporter has external_id '{record.supporter_external_id}'. Create the "
                "supporter first with POST /api/targets/bulk_upsert.",
                code="supporter_not_found",
                field=f"{record.path}external_id",
            )
    return supporters


def _collect_entities(records) -> dict[tuple[str, str], dict]:
    """Gather every entity named in the request; when one repeats, its last values win."""
    entities = {}
    for record in records:
        for activity in record.activities:
            for entity in activity.get("entities") or ():
                entities[(entity["source"], entity["external_id"])] = entity
    return entities


def _lock_key(*parts: str) -> int:
    """Map an identity to one of ``LOCK_SLOTS`` advisory lock keys.

    A request may name 51,000 identities, but PostgreSQL's shared lock table holds about
    ``max_locks_per_transaction`` (64) times ``max_connections`` locks in all, so a request takes
    at most ``LOCK_SLOTS`` locks. Two identities that share a slot only make their requests wait
    for each other, which costs time but never correctness.
    """
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return LOCK_NAMESPACE + int.from_bytes(digest, "big") % LOCK_SLOTS


def _lock_identities(activity_ids, entity_keys):
    """Serialise concurrent requests that share an activity or entity identity (PostgreSQL).

    Transaction-scoped advisory locks make overlapping requests run one after the other, and
    taking them in sorted order means two requests cannot deadlock. Requests with nothing in
    common still run in parallel. SQLite takes a database-wide write lock at BEGIN IMMEDIATE
    instead.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted(
        {_lock_key("activity", external_id) for external_id in activity_ids}
        | {_lock_key("entity", source, external_id) for source, external_id in entity_keys}
    )
    if not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(k) "
            "FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY 1) AS ordered_keys",
            [keys],
        )


def _upsert_entities(entity_inputs):
    """Create missing entities and update changed ones; return them by key with a result each."""
    if not entity_inputs:
        return {}, {}
    existing = {}
    keys = sorted(entity_inputs)
    # A request may name up to 50,000 entities; chunks keep each lookup under SQLite's limit of
    # 32,766 bound parameters. Requests with fewer entities than a chunk take one query.
    for start in range(0, len(keys), ENTITY_LOOKUP_CHUNK):
        chunk = keys[start : start + ENTITY_LOOKUP_CHUNK]
        found = ActivityEntity.objects.filter(
            source__in={source for source, _ in chunk},
            external_id__in={external_id for _, external_id in chunk},
        )
        existing.update({(entity.source, entity.external_id): entity for entity in found})
    now = timezone.now()
    results: dict[tuple[str, str], Result] = {}
    to_create, to_update, changed_fields = [], [], set()
    for key in keys:
        data = entity_inputs[key]
        entity = existing.get(key)
        if entity is None:
            values = {name: data.get(name, ENTITY_DEFAULTS.get(name)) for name in ENTITY_FIELDS}
            entity = ActivityEntity(source=key[0], external_id=key[1], **values)
            existing[key] = entity
            to_create.append(entity)
            results[key] = "created"
            continue
        changes = {
            name: data[name]
            for name in ENTITY_FIELDS
            if name in data and getattr(entity, name) != data[name]
        }
        if changes:
            for name, value in changes.items():
                setattr(entity, name, value)
            entity.updated_at = now
            changed_fields.update(changes)
            to_update.append(entity)
            results[key] = "updated"
        else:
            results[key] = "unchanged"

    if to_create:
        ActivityEntity.objects.bulk_create(to_create)
    if to_update:
        ActivityEntity.objects.bulk_update(
            to_update, [*sorted(changed_fields), "updated_at"], batch_size=UPDATE_BATCH_SIZE
        )
    return existing, results


def _upsert_activities(records, supporters, activity_ids, entities, entity_results):
    existing = {a.external_id: a for a in Activity.objects.filter(external_id__in=activity_ids)}
    current_links: dict[int, dict[int, int]] = defaultdict(dict)
    if existing:
        link_rows = ActivityEntityLink.objects.filter(
            activity_id__in=[activity.pk for activity in existing.values()]
        ).values_list("pk", "activity_id", "entity_id")
        for link_id, activity_id, entity_id in link_rows:
            current_links[activity_id][entity_id] = link_id

    now = timezone.now()
    counts: dict[str, int] = defaultdict(int)
    results_by_record = []
    to_create: list[Activity] = []
    to_update: list[Activity] = []
    changed_fields: set[str] = set()
    requested_links: dict[int, list[int]] = {}  # id(activity object) -> entity ids
    pending: list[tuple[ActivityResult, Activity, list[tuple[str, str]] | None]] = []

    for record in records:
        supporter = supporters[record.supporter_external_id]
        record_results = []
        for index, data in enumerate(record.activities):
            entity_keys = _entity_keys(data)
            entity_ids = (
                [entities[key].pk for key in entity_keys] if entity_keys is not None else None
            )
            external_id = data.get("external_id")
            activity = existing.get(external_id) if external_id else None
            where = f"{record.path}activities[{index}].external_id"

            if activity is None:
                values = {
                    name: data.get(name, ACTIVITY_DEFAULTS.get(name)) for name in ACTIVITY_FIELDS
                }
                activity = Activity(supporter=supporter, external_id=external_id, **values)
                to_create.append(activity)
                result: Result = "created"
                if entity_keys:
                    requested_links[id(activity)] = entity_ids
            else:
                if activity.supporter_id != supporter.pk:
                    raise Conflict(
                        f"The activity '{external_id}' belongs to another supporter, and an "
                        "activity cannot move between supporters. Use a new external_id.",
                        code="activity_supporter_conflict",
                        field=where,
                    )
                changes = {
                    name: data[name]
                    for name in ACTIVITY_FIELDS
                    if name in data and getattr(activity, name) != data[name]
                }
                links_change = entity_ids is not None and set(entity_ids) != set(
                    current_links[activity.pk]
                )
                if not changes and not links_change:
                    result = "unchanged"
                elif not data.get("upsert"):
                    differing = sorted(changes) + (["entities"] if links_change else [])
                    raise Conflict(
                        f"The activity '{external_id}' already exists with different values "
                        f'({", ".join(differing)}). Send "upsert": true to update it.',
                        code="activity_exists",
                        field=where,
                    )
                else:
                    result = "updated"
                    for name, value in changes.items():
                        setattr(activity, name, value)
                    if changes:
                        activity.updated_at = now
                        changed_fields.update(changes)
                        to_update.append(activity)
                    if links_change:
                        requested_links[id(activity)] = entity_ids
                        if not changes:
                            activity.updated_at = now
                            to_update.append(activity)

            activity_result = ActivityResult(external_id, activity.pk, result)
            pending.append((activity_result, activity, entity_keys))
            record_results.append(activity_result)
            counts[f"activities {result}"] += 1
        results_by_record.append(
            RecordResult(record.supporter_external_id, supporter.pk, record_results)
        )

    if to_create:
        _insert_activities(to_create)
    if to_update:
        Activity.objects.bulk_update(
            to_update, [*sorted(changed_fields), "updated_at"], batch_size=UPDATE_BATCH_SIZE
        )
    _replace_links(pending, requested_links, current_links)

    for activity_result, activity, entity_keys in pending:
        activity_result.id = activity.pk
        for key in entity_keys or ():
            activity_result.entities.append(
                EntityResult(key[0], key[1], entities[key].pk, entity_results[key])
            )
    return results_by_record, counts


def _entity_keys(data) -> list[tuple[str, str]] | None:
    """Return the activity's entity keys in request order without repeats, or None if absent."""
    if "entities" not in data:
        return None
    keys = [(entity["source"], entity["external_id"]) for entity in data["entities"]]
    return list(dict.fromkeys(keys))


def _replace_links(pending, requested_links, current_links):
    """Make each activity that sent ``entities`` link exactly those entities."""
    stale_link_ids = []
    new_links = []
    for _, activity, _ in pending:
        entity_ids = requested_links.get(id(activity))
        if entity_ids is None:
            continue
        current = current_links.get(activity.pk, {})
        stale_link_ids.extend(
            link_id for entity_id, link_id in current.items() if entity_id not in entity_ids
        )
        new_links.extend(
            ActivityEntityLink(activity_id=activity.pk, entity_id=entity_id)
            for entity_id in entity_ids
            if entity_id not in current
        )
    if stale_link_ids:
        ActivityEntityLink.objects.filter(pk__in=stale_link_ids).delete()
    if new_links:
        _insert_links(new_links)


# On PostgreSQL new activities and links go in with one hand-written INSERT each, fed from
# arrays. It does what bulk_create does without Django preparing every field of every row in
# Python, which took about a fifth of a thousand-activity request. RETURNING yields the rows in
# the order of the arrays, the same property bulk_create relies on to set primary keys.
INSERT_ACTIVITIES_SQL = """
INSERT INTO {table} (supporter_id, external_id, topic, title, source, body, status, metadata,
                     happened_at, created_at, updated_at)
SELECT supporter_id, external_id, topic, title, source, body, status, metadata::jsonb,
       happened_at, now(), now()
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
            %s::text[], %s::text[], %s::timestamptz[])
    AS rows (supporter_id, external_id, topic, title, source, body, status, metadata, happened_at)
RETURNING id
"""

INSERT_LINKS_SQL = """
INSERT INTO {table} (activity_id, entity_id, created_at, updated_at)
SELECT activity_id, entity_id, now(), now()
FROM unnest(%s::bigint[], %s::bigint[]) AS rows (activity_id, entity_id)
"""


def _insert_activities(activities: list[Activity]) -> None:
    """Insert new activities and set their primary keys."""
    if connection.vendor != "postgresql":
        Activity.objects.bulk_create(activities)
        return
    columns = [
        [activity.supporter_id for activity in activities],
        [activity.external_id for activity in activities],
        [activity.topic for activity in activities],
        [activity.title for activity in activities],
        [activity.source for activity in activities],
        [activity.body for activity in activities],
        [activity.status for activity in activities],
        [json.dumps(activity.metadata) for activity in activities],
        [activity.happened_at for activity in activities],
    ]
    with connection.cursor() as cursor:
        cursor.execute(INSERT_ACTIVITIES_SQL.format(table=Activity._meta.db_table), columns)
        ids = [row[0] for row in cursor.fetchall()]
    for activity, pk in zip(activities, ids, strict=True):
        activity.pk = pk
        activity._state.adding = False


def _insert_links(links: list[ActivityEntityLink]) -> None:
    if connection.vendor != "postgresql":
        ActivityEntityLink.objects.bulk_create(links)
        return
    columns = [[link.activity_id for link in links], [link.entity_id for link in links]]
    with connection.cursor() as cursor:
        cursor.execute(INSERT_LINKS_SQL.format(table=ActivityEntityLink._meta.db_table), columns)


def _forget_created_ids(results):
    for record in results:
        for activity in record.activities:
            if activity.result == "created":
                activity.id = None
            for entity in activity.entities:
                if entity.result == "created":
                    entity.id = None
