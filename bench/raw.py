"""The raw ceiling for ingestion: the same rows upserted by psycopg alone.

Each batch is one transaction with one ``INSERT .. ON CONFLICT`` per table (entities, activities,
links), fed from arrays with ``unnest``. It does none of the service's work: no validation, no
advisory locks, no check that an activity stays with its supporter, no replay comparison, no
per-item results. It is the fastest way PostgreSQL can take these rows from one client
connection, and the yardstick for the HTTP figures.
"""

import json

import psycopg

ENTITIES_SQL = """
INSERT INTO activities_activityentity
    (kind, source, external_id, name, metadata, external_url, created_at, updated_at)
SELECT kind, source, external_id, name, metadata, external_url, now(), now()
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::jsonb[], %s::text[])
    AS v(kind, source, external_id, name, metadata, external_url)
ON CONFLICT (source, external_id) DO UPDATE SET
    kind = EXCLUDED.kind, name = EXCLUDED.name, metadata = EXCLUDED.metadata,
    external_url = EXCLUDED.external_url, updated_at = now()
RETURNING id, source, external_id
"""

ACTIVITIES_SQL = """
INSERT INTO activities_activity
    (supporter_id, external_id, topic, title, source, body, status, metadata, happened_at,
     created_at, updated_at)
SELECT s.id, v.external_id, v.topic, v.title, v.source, v.body, v.status, v.metadata,
       v.happened_at, now(), now()
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
            %s::jsonb[], %s::timestamptz[])
    AS v(supporter, external_id, topic, title, source, body, status, metadata, happened_at)
JOIN supporters_supporter AS s ON s.external_id = v.supporter
ON CONFLICT (external_id) DO UPDATE SET
    topic = EXCLUDED.topic, title = EXCLUDED.title, source = EXCLUDED.source,
    body = EXCLUDED.body, status = EXCLUDED.status, metadata = EXCLUDED.metadata,
    happened_at = EXCLUDED.happened_at, updated_at = now()
RETURNING id, external_id
"""

LINKS_SQL = """
INSERT INTO activities_activityentitylink (activity_id, entity_id, created_at, updated_at)
SELECT activity_id, entity_id, now(), now()
FROM unnest(%s::bigint[], %s::bigint[]) AS v(activity_id, entity_id)
ON CONFLICT (activity_id, entity_id) DO NOTHING
"""


def upsert_batch(connection: psycopg.Connection, records: list[tuple[str, list[dict]]]) -> int:
    """Upsert one batch in one transaction; return how many activities it stored.

    ``records`` pairs a supporter's ``external_id`` with activities shaped like the API body.
    """
    entities = {}
    rows = []
    for supporter, activities in records:
        for activity in activities:
            rows.append((supporter, activity))
            for entity in activity.get("entities", ()):
                # ON CONFLICT cannot touch one row twice in a statement, so repeats go first.
                entities[(entity["source"], entity["external_id"])] = entity

    with connection.transaction(), connection.cursor() as cursor:
        entity_ids = {}
        if entities:
            values = list(entities.values())
            cursor.execute(
                ENTITIES_SQL,
                [
                    [entity["kind"] for entity in values],
                    [entity["source"] for entity in values],
                    [entity["external_id"] for entity in values],
                    [entity["name"] for entity in values],
                    [json.dumps(entity.get("metadata", {})) for entity in values],
                    [entity.get("external_url", "") for entity in values],
                ],
            )
            entity_ids = {(source, external_id): pk for pk, source, external_id in cursor}

        cursor.execute(
            ACTIVITIES_SQL,
            [
                [supporter for supporter, _ in rows],
                [activity["external_id"] for _, activity in rows],
                [activity["topic"] for _, activity in rows],
                [activity["title"] for _, activity in rows],
                [activity["source"] for _, activity in rows],
                [activity.get("body", "") for _, activity in rows],
                [activity.get("status", "") for _, activity in rows],
                [json.dumps(activity.get("metadata", {})) for _, activity in rows],
                [activity["happened_at"] for _, activity in rows],
            ],
        )
        activity_ids = {external_id: pk for pk, external_id in cursor}

        link_activities, link_entities = [], []
        for _, activity in rows:
            for entity in activity.get("entities", ()):
                link_activities.append(activity_ids[activity["external_id"]])
                link_entities.append(entity_ids[(entity["source"], entity["external_id"])])
        if link_activities:
            cursor.execute(LINKS_SQL, [link_activities, link_entities])
    return len(activity_ids)
