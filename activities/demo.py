"""Demo data shaped like what event, petition, door-knocking and calling platforms send.

Everything goes through the real writers (``supporters.services`` and ``activities.ingest``),
so the demo exercises the same rules as the API. The data is generated from a fixed seed, with
dates relative to today so that "in the last 90 days" searches find people.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from activities.ingest import SupporterActivities, ingest_records
from supporters.services import bulk_upsert_supporters

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


@dataclass
class Event:
    external_id: str
    name: str
    starts_at: datetime
    location: str


@dataclass
class Petition:
    external_id: str
    name: str
    target: str


def build_events(now: datetime) -> list[Event]:
    # Events start at 08:00 UTC, early evening in Australian time zones.
    evening = now.replace(hour=8, minute=0, second=0)
    events = [
        Event(
            "EVT_TOWNHALL_MAR",
            "Community Town Hall - March",
            evening - timedelta(days=260),
            "Civic Centre",
        ),
    ]
    topics = [
        "Climate action meetup", "Renters' rights workshop", "Library rally", "Phone bank night",
        "Riverside clean-up", "Volunteer training", "Budget forum",
    ]  # fmt: skip
    for index in range(14):
        starts_at = evening - timedelta(days=7 + index * 13, minutes=30 * random.randint(0, 4))
        name = f"{topics[index % len(topics)]} - {SUBURBS[index % len(SUBURBS)]}"
        events.append(
            Event(str(86000 + index), name, starts_at, f"{SUBURBS[index % len(SUBURBS)]} Hall")
        )
    return events


PETITIONS = [
    Petition("PET-12", "Save the Riverside Library", "City Council"),
    Petition("PET-19", "Safe streets for Northgate schools", "Transport Minister"),
    Petition("PET-23", "Fund public housing repairs", "Housing Department"),
]


def build_supporters(count: int) -> list[dict]:
    records = [
        {
            "external_id": "MembershipNumber",
            "first_name": "Morgan",
            "last_name": "Example",
            "email": "morgan@example.org",
            "custom_fields": {"ward": "Riverside", "member_since": "2019"},
        },
        # The supporter that tests/cases/shift_attendance_batch.json names.
        {"external_id": "M-000412", "first_name": "Riley", "last_name": "Shift"},
    ]
    for number in range(1, count - 1):
        first, last = random.choice(FIRST_NAMES), random.choice(LAST_NAMES)
        records.append(
            {
                "external_id": f"M-{number:06d}",
                "first_name": first,
                "last_name": last,
                "email": f"{first.lower()}.{last.lower()}.{number}@example.org",
                "phone_number": f"+61 4{number:08d}",
                "custom_fields": {
                    "ward": random.choice(SUBURBS),
                    "member_since": str(random.randint(2012, 2026)),
                    "volunteer": random.random() < 0.3,
                },
            }
        )
    return records


def event_entity(event: Event) -> dict:
    return {
        "kind": "event",
        "source": "mobilize",
        "external_id": event.external_id,
        "name": event.name,
        "metadata": {"Location": event.location, "Timezone": "Australia/Sydney"},
        "external_url": f"https://events.example.org/e/{event.external_id}",
    }


def event_activities(member: str, event: Event) -> tuple[list[dict], list[dict]]:
    """Return the first and the later deliveries for one supporter's RSVP to one event.

    Real platforms send the RSVP when it is made and resend it when its status changes, so some
    RSVPs arrive twice: the second delivery is an upsert that changes the status.
    """
    rsvp_id = f"mob-rsvp-{event.external_id}-{member}"
    rsvp_at = event.starts_at - timedelta(
        days=random.randint(2, 20), minutes=random.randint(0, 600)
    )
    first = [
        {
            "external_id": rsvp_id,
            "upsert": True,
            "topic": "event_rsvp",
            "title": f"RSVP'd to {event.name}",
            "source": "mobilize",
            "body": "Signed up through the event page.",
            "status": "confirmed",
            "happened_at": rsvp_at.isoformat(),
            "entities": [event_entity(event)],
        }
    ]
    later = []
    roll = random.random()
    if roll < 0.15:
        later.append({**first[0], "status": "cancelled", "body": "Cancelled their RSVP by email."})
    elif roll < 0.3:
        later.append({**first[0], "status": "tentative", "body": "Changed their RSVP to maybe."})
    if roll >= 0.15 and event.starts_at < timezone.now():
        attended = random.random() < 0.75
        first.append(
            {
                "external_id": f"mob-att-{event.external_id}-{member}",
                "upsert": True,
                "topic": "event_attendance",
                "title": f"{'Attended' if attended else 'Did not attend'} {event.name}",
                "source": "mobilize",
                "body": "",
                "status": "attended" if attended else "no_show",
                "happened_at": event.starts_at.isoformat(),
                "metadata": {"checked_in_by": "door volunteer"} if attended else {},
                "entities": [event_entity(event)],
            }
        )
    return first, later


def petition_activity(member: str, petition: Petition, now: datetime) -> dict:
    return {
        "external_id": f"sig-{petition.external_id}-{member}",
        "upsert": True,
        "topic": "petition_signature",
        "title": f"Signed: {petition.name}",
        "source": "petition_tool",
        "body": random.choice(["", "Comment: This matters to my family.", "Comment: Count me in!"]),
        "status": "signed",
        "happened_at": (
            now - timedelta(days=random.randint(1, 400), minutes=random.randint(0, 900))
        ).isoformat(),
        "entities": [
            {
                "kind": "petition",
                "source": "petition_tool",
                "external_id": petition.external_id,
                "name": petition.name,
                "metadata": {"Target": petition.target, "Goal": 5000},
                "external_url": f"https://petitions.example.org/p/{petition.external_id}",
            }
        ],
    }


def contact_activity(member: str, number: int, now: datetime) -> dict:
    doorknock = random.random() < 0.6
    outcome = random.choice(["supportive", "undecided", "not home", "opposed"])
    return {
        "external_id": f"{'knock' if doorknock else 'call'}-{member}-{number}",
        "upsert": True,
        "topic": "doorknocking" if doorknock else "phone_call",
        "title": "Contacted via a doorknocking event" if doorknock else "Phone bank call",
        "source": "doorknocking_app" if doorknock else "dialer",
        "body": f"Outcome: {outcome}.\nNotes taken by volunteer #{random.randint(1, 40)}.",
        "status": outcome,
        "happened_at": (
            now - timedelta(days=random.randint(1, 500), minutes=random.randint(0, 900))
        ).isoformat(),
    }


def load_demo_data(supporter_count: int = 300, seed: int = 20240228) -> dict[str, int]:
    """Create demo supporters and their activity history; return counts of what was sent."""
    random.seed(seed)
    now = timezone.now().replace(microsecond=0)
    supporters = build_supporters(supporter_count)
    bulk_upsert_supporters(supporters)

    events = build_events(now)
    first_round: list[SupporterActivities] = []
    second_round: list[SupporterActivities] = []
    for record in supporters[1:]:
        member = record["external_id"]
        activities, updates = [], []
        for event in random.sample(events, k=random.randint(0, 6)):
            first, later = event_activities(member, event)
            activities.extend(first)
            updates.extend(later)
        for petition in PETITIONS:
            if random.random() < 0.35:
                activities.append(petition_activity(member, petition, now))
        for number in range(random.randint(0, 3)):
            activities.append(contact_activity(member, number, now))
        if activities:
            first_round.append(SupporterActivities(member, activities))
        if updates:
            second_round.append(SupporterActivities(member, updates))

    sent = 0
    for batch in (first_round, second_round):
        for start in range(0, len(batch), 50):
            chunk = batch[start : start + 50]
            ingest_records(chunk)
            sent += sum(len(record.activities) for record in chunk)
    return {"supporters": len(supporters), "activities_sent": sent, "events": len(events)}
