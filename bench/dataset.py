"""Synthetic data shaped like what event, petition, door-knocking and calling platforms send.

Everything is generated inside PostgreSQL with ``INSERT .. SELECT generate_series``, so a million
activities take a minute, not an hour of HTTP requests. The shape follows the demo data:

- entities: 60% events, 25% petitions, 15% meetings;
- activities: RSVPs and attendance linked to an event or meeting, petition signatures linked to
  a petition, door knocks and phone calls with no entity;
- one *heavy supporter* (id 1) with ``heavy_activities`` activities, for the profile page;
- one *large event* (entity id 1) that ``large_event_supporters`` supporters RSVP'd to and
  70% of them attended, for the entity page and the attendee search.

Ids are assigned explicitly (1..n in each table) and the sequences are moved past them.
``setseed`` makes a run with the same scale produce the same rows.
"""

import logging
import time
from dataclasses import dataclass

import psycopg

logger = logging.getLogger(__name__)

FIRST_NAMES = [
    "Ada", "Ben", "Chloe", "Dev", "Emi", "Farah", "George", "Hana", "Isaac", "Jade", "Kofi",
    "Lena", "Mateo", "Nina", "Oscar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vik",
    "Wen", "Xavier", "Yara", "Zane",
]  # fmt: skip
LAST_NAMES = [
    "Nguyen", "Smith", "Okafor", "Garcia", "Kowalski", "Haddad", "Tanaka", "Brown", "Singh",
    "Murphy", "Rossi", "Cohen", "Silva", "Walker", "Ahmed", "Larsen", "Moreau", "Park",
]  # fmt: skip
SUBURBS = ["Riverside", "Northgate", "Eastwood", "Hillcrest", "Southbank", "Westmead"]
LARGE_EVENT_ATTENDED_SHARE = 0.7


@dataclass(frozen=True)
class Scale:
    """How many rows of each kind to generate."""

    supporters: int
    activities: int
    entities: int
    heavy_activities: int
    large_event_supporters: int

    @classmethod
    def sized(cls, supporters: int, activities: int, entities: int) -> "Scale":
        """Derive the heavy supporter and the large event from the main counts.

        At the default scale (100,000 / 1,000,000 / 10,000) both are 10,000.
        """
        return cls(
            supporters=supporters,
            activities=activities,
            entities=entities,
            heavy_activities=max(10, min(10_000, activities // 100)),
            large_event_supporters=max(10, min(10_000, supporters // 10)),
        )

    def check(self) -> None:
        """Raise ValueError when the counts cannot hold the heavy supporter and large event."""
        fixed = self.heavy_activities + self.large_fixed_activities
        if self.entities < 10:
            raise ValueError(f"entities must be at least 10, got {self.entities}")
        if self.large_event_supporters + 1 > self.supporters:
            raise ValueError(
                f"supporters ({self.supporters}) must exceed the large event's "
                f"{self.large_event_supporters} supporters"
            )
        if self.activities < fixed:
            raise ValueError(
                f"activities must be at least {fixed} to hold the heavy supporter and the "
                f"large event, got {self.activities}"
            )

    @property
    def large_attended(self) -> int:
        return int(self.large_event_supporters * LARGE_EVENT_ATTENDED_SHARE)

    @property
    def large_fixed_activities(self) -> int:
        return self.large_event_supporters + self.large_attended

    @property
    def events(self) -> int:
        return max(1, self.entities * 60 // 100)

    @property
    def petitions(self) -> int:
        return max(1, self.entities * 25 // 100)

    @property
    def meetings(self) -> int:
        return self.entities - self.events - self.petitions


def _sql_array(values: list[str]) -> str:
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"(ARRAY[{quoted}])"


ENTITIES_SQL = """
INSERT INTO activities_activityentity
    (id, kind, source, external_id, name, metadata, external_url, created_at, updated_at)
SELECT
    i,
    kind,
    source,
    prefix || i,
    CASE
        WHEN i = 1 THEN 'Annual Conference'
        ELSE initcap(kind) || ' ' || i || ' - ' || {suburbs}[1 + mod(i, {suburb_count})]
    END,
    CASE kind
        WHEN 'petition' THEN jsonb_build_object('Target', 'City Council', 'Goal', 5000)
        ELSE jsonb_build_object(
            'Location', {suburbs}[1 + mod(i, {suburb_count})] || ' Hall',
            'Timezone', 'Australia/Sydney')
    END,
    'https://' || source || '.example.org/' || prefix || i,
    now() - interval '3 years',
    now() - (mod(i, 1000)) * interval '1 day'
FROM (
    SELECT
        i,
        CASE WHEN i <= %(events)s THEN 'event'
             WHEN i <= %(events)s + %(petitions)s THEN 'petition'
             ELSE 'meeting' END AS kind,
        CASE WHEN i <= %(events)s THEN 'mobilize'
             WHEN i <= %(events)s + %(petitions)s THEN 'petition_tool'
             ELSE 'zoom' END AS source,
        CASE WHEN i <= %(events)s THEN 'EVT-'
             WHEN i <= %(events)s + %(petitions)s THEN 'PET-'
             ELSE 'MTG-' END AS prefix
    FROM generate_series(1, %(entities)s) AS i
) AS numbered
"""

SUPPORTERS_SQL = """
INSERT INTO supporters_supporter
    (id, external_id, first_name, last_name, email, phone_number, custom_fields,
     created_at, updated_at)
SELECT
    i,
    'S-' || lpad(i::text, 7, '0'),
    first_name,
    last_name,
    lower(first_name) || '.' || lower(last_name) || '.' || i || '@example.org',
    '+61 4' || lpad(i::text, 8, '0'),
    jsonb_build_object(
        'ward', {suburbs}[1 + mod(i, {suburb_count})],
        'member_since', (2012 + mod(i, 14))::text,
        'volunteer', mod(i, 3) = 0),
    now() - (mod(i, 2000)) * interval '1 day',
    now() - (mod(i, 500)) * interval '1 day'
FROM (
    SELECT
        i,
        {first_names}[1 + floor(random() * {first_count})::int] AS first_name,
        {last_names}[1 + floor(random() * {last_count})::int] AS last_name
    FROM generate_series(1, %(supporters)s) AS i
) AS named
"""

# One row per activity, with the entity it links (NULL for door knocks and calls). The three
# blocks are the heavy supporter, the large event, and everything else at random.
PLAN_SQL = """
CREATE TEMPORARY TABLE generated_activity ON COMMIT DROP AS
SELECT i AS id, 1::bigint AS supporter_id, roll,
       CASE WHEN roll < 0.80 THEN 1 + floor(random() * %(entities)s)::bigint END AS entity_id
FROM (SELECT i, random() AS roll FROM generate_series(1, %(heavy)s) AS i) AS heavy
UNION ALL
SELECT %(heavy)s + i, 1 + i, 0.0, 1
FROM generate_series(1, %(large)s) AS i
UNION ALL
SELECT %(heavy)s + %(large)s + i, 1 + i, 0.4, 1
FROM generate_series(1, %(large_attended)s) AS i
UNION ALL
SELECT i, 2 + floor(random() * (%(supporters)s - 1))::bigint, roll,
       CASE
           WHEN roll >= 0.80 THEN NULL
           WHEN roll >= 0.60 THEN %(events)s + 1 + floor(random() * %(petitions)s)::bigint
           WHEN random() < 0.8 THEN 2 + floor(random() * (%(events)s - 1))::bigint
           ELSE %(events)s + %(petitions)s + 1 + floor(random() * %(meetings)s)::bigint
       END
FROM (
    SELECT i, random() AS roll
    FROM generate_series(%(heavy)s + %(large)s + %(large_attended)s + 1, %(activities)s) AS i
) AS rest
"""

# Topics by roll: under 0.35 RSVP, under 0.60 attendance, under 0.80 signature, then contacts.
# For the heavy supporter the roll decides the topic and the entity is drawn from all kinds, so
# an RSVP may link a petition. The profile page shows it all the same.
ACTIVITIES_SQL = """
INSERT INTO activities_activity
    (id, supporter_id, external_id, topic, title, source, body, status, metadata, happened_at,
     created_at, updated_at)
SELECT
    g.id,
    g.supporter_id,
    'gen-' || g.id,
    topic,
    CASE topic
        WHEN 'event_rsvp' THEN 'RSVP''d to ' || coalesce(e.name, 'an event')
        WHEN 'event_attendance' THEN 'Attended ' || coalesce(e.name, 'an event')
        WHEN 'petition_signature' THEN 'Signed: ' || coalesce(e.name, 'a petition')
        WHEN 'doorknocking' THEN 'Contacted via a doorknocking event'
        ELSE 'Phone bank call'
    END,
    CASE topic
        WHEN 'petition_signature' THEN 'petition_tool'
        WHEN 'doorknocking' THEN 'doorknocking_app'
        WHEN 'phone_call' THEN 'dialer'
        ELSE 'mobilize'
    END,
    CASE topic
        WHEN 'event_rsvp' THEN 'Signed up through the event page.'
        WHEN 'doorknocking' THEN 'Outcome: supportive.' || chr(10) || 'Notes taken by volunteer #'
            || (mod(g.id, 40) + 1)
        WHEN 'phone_call' THEN 'Outcome: undecided.' || chr(10) || 'Call lasted '
            || (mod(g.id, 9) + 1) || ' minutes.'
        ELSE ''
    END,
    CASE topic
        WHEN 'event_rsvp' THEN (ARRAY['confirmed', 'confirmed', 'confirmed', 'cancelled',
                                      'tentative'])[1 + mod(g.id, 5)]
        WHEN 'event_attendance' THEN CASE WHEN mod(g.id, 5) = 0 THEN 'no_show' ELSE 'attended' END
        WHEN 'petition_signature' THEN 'signed'
        ELSE (ARRAY['supportive', 'undecided', 'not home', 'opposed'])[1 + mod(g.id, 4)]
    END,
    CASE WHEN topic = 'event_attendance' THEN '{{"checked_in_by": "door volunteer"}}'::jsonb
         ELSE '{{}}'::jsonb END,
    now() - random() * interval '1095 days',
    now() - interval '1 day',
    now() - interval '1 day'
FROM (
    SELECT *,
        CASE
            WHEN roll < 0.35 THEN 'event_rsvp'
            WHEN roll < 0.60 THEN 'event_attendance'
            WHEN roll < 0.80 THEN 'petition_signature'
            WHEN roll < 0.90 THEN 'doorknocking'
            ELSE 'phone_call'
        END AS topic
    FROM generated_activity
) AS g
LEFT JOIN activities_activityentity AS e ON e.id = g.entity_id
"""

# Every large-event attendance row is 'attended' so the attendee count is exact.
LARGE_EVENT_STATUS_SQL = """
UPDATE activities_activity SET status = 'attended'
WHERE id > %(heavy)s + %(large)s AND id <= %(heavy)s + %(large)s + %(large_attended)s
"""

LINKS_SQL = """
INSERT INTO activities_activityentitylink (activity_id, entity_id, created_at, updated_at)
SELECT id, entity_id, now() - interval '1 day', now() - interval '1 day'
FROM generated_activity
WHERE entity_id IS NOT NULL
"""

TABLES = (
    "supporters_supporter",
    "activities_activityentity",
    "activities_activity",
    "activities_activityentitylink",
)


def _format(sql: str) -> str:
    return sql.format(
        suburbs=_sql_array(SUBURBS),
        suburb_count=len(SUBURBS),
        first_names=_sql_array(FIRST_NAMES),
        first_count=len(FIRST_NAMES),
        last_names=_sql_array(LAST_NAMES),
        last_count=len(LAST_NAMES),
    )


def generate(conninfo: str, scale: Scale, seed: float = 0.42) -> dict[str, float]:
    """Fill the empty, migrated database at ``conninfo``; return row counts and seconds taken."""
    scale.check()
    params = {
        "supporters": scale.supporters,
        "activities": scale.activities,
        "entities": scale.entities,
        "events": scale.events,
        "petitions": scale.petitions,
        "meetings": max(1, scale.meetings),
        "heavy": scale.heavy_activities,
        "large": scale.large_event_supporters,
        "large_attended": scale.large_attended,
    }
    started = time.monotonic()
    with psycopg.connect(conninfo) as connection:
        with connection.transaction():
            connection.execute("SELECT setseed(%s)", [seed])
            connection.execute(_format(ENTITIES_SQL), params)
            connection.execute(_format(SUPPORTERS_SQL), params)
            connection.execute(PLAN_SQL, params)
            connection.execute(_format(ACTIVITIES_SQL), params)
            connection.execute(LARGE_EVENT_STATUS_SQL, params)
            connection.execute(LINKS_SQL)
            for table in TABLES:
                connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
        generated = time.monotonic() - started

        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in TABLES
        }
    logger.info("Generated %s in %.1f s", counts, generated)
    return {**counts, "seconds": round(time.monotonic() - started, 1)}


def typical_event(conninfo: str, scale: Scale) -> tuple[int, int]:
    """Return the event (other than the large one) with the median attendee count, and the count.

    "Attended" means an ``event_attendance`` activity with status ``attended`` linked to it.
    """
    with psycopg.connect(conninfo) as connection:
        rows = connection.execute(
            """
            SELECT l.entity_id, count(DISTINCT a.supporter_id) AS attendees
            FROM activities_activityentitylink AS l
            JOIN activities_activity AS a ON a.id = l.activity_id
            WHERE a.topic = 'event_attendance' AND a.status = 'attended'
              AND l.entity_id BETWEEN 2 AND %s
            GROUP BY l.entity_id
            ORDER BY attendees, l.entity_id
            """,
            [scale.events],
        ).fetchall()
    if not rows:
        raise RuntimeError("The generated data has no event with attendees; raise the scale.")
    return rows[len(rows) // 2]
