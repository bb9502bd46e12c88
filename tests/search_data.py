"""Small builders for search tests: supporters, entities and activities written directly.

Search tests need many precise rows quickly, so they skip the ingestion service, whose own
tests cover how rows get written.
"""

import itertools
from datetime import UTC, datetime

from activities.models import Activity, ActivityEntity, ActivityEntityLink
from supporters.models import Supporter

_numbers = itertools.count(1)

MARCH = datetime(2024, 3, 15, 9, 0, tzinfo=UTC)


def supporter(external_id=None, **fields) -> Supporter:
    number = next(_numbers)
    fields.setdefault("first_name", f"First{number}")
    fields.setdefault("last_name", f"Last{number}")
    return Supporter.objects.create(external_id=external_id or f"S-{number}", **fields)


def entity(external_id=None, *, kind="event", source="mobilize", name=None, **fields):
    number = next(_numbers)
    return ActivityEntity.objects.create(
        external_id=external_id or f"E-{number}",
        kind=kind,
        source=source,
        name=name or f"Entity {number}",
        **fields,
    )


def activity(
    who: Supporter,
    *,
    topic="event_attendance",
    source="mobilize",
    status="attended",
    happened_at=MARCH,
    entities=(),
    **fields,
) -> Activity:
    number = next(_numbers)
    fields.setdefault("title", f"Activity {number}")
    made = Activity.objects.create(
        supporter=who,
        external_id=f"A-{number}",
        topic=topic,
        source=source,
        status=status,
        happened_at=happened_at,
        **fields,
    )
    for linked in entities:
        ActivityEntityLink.objects.create(activity=made, entity=linked)
    return made
