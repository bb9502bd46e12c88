"""Hostile requests get the documented 4xx with a JSON error naming the field, and change
nothing in the database. The corpus is in ``tests/hostile/corpus.py``."""

import pytest
from django.apps import apps

from activities.ingest import ingest_activities
from movement.models import ApiToken
from supporters.models import Supporter
from tests.hostile.corpus import CASES, Case

# The API marks a token as used once a minute; that is not a change the request makes.
IGNORED_COLUMNS = {ApiToken: {"last_used_at", "updated_at"}}


def snapshot() -> dict[str, list[dict]]:
    """Return every row of every table, keyed by model."""
    state = {}
    for model in apps.get_models():
        ignored = IGNORED_COLUMNS.get(model, set())
        rows = model.objects.order_by("pk").values()
        state[model._meta.label] = [
            {key: value for key, value in row.items() if key not in ignored} for row in rows
        ]
    return state


@pytest.fixture
def seeded(db):
    Supporter.objects.create(external_id="MembershipNumber", first_name="Ada", email="a@e.org")
    Supporter.objects.create(external_id="1001")
    ingest_activities(
        "MembershipNumber",
        [
            {
                "external_id": "EXISTING_1",
                "topic": "event_engagement",
                "title": "RSVP",
                "source": "event_platform",
                "metadata": {"channel": "sms"},
                "happened_at": "2024-01-01T10:00:00Z",
                "entities": [
                    {
                        "kind": "event",
                        "source": "EventPlatform",
                        "external_id": "EVT_1",
                        "name": "Town hall",
                        "metadata": {"Location": "Hall"},
                        "external_url": "https://events.example.com/1",
                    }
                ],
            }
        ],
    )


def send(api, case: Case):
    return api.generic("POST", case.url, case.payload(), content_type=case.content_type)


def test_corpus_size():
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_request(api, seeded, case):
    before = snapshot()

    response = send(api, case)

    assert response.status_code == case.status, response.content[:500]
    body = response.json()
    if case.status == 200:
        assert body.get("dry_run") is True
    else:
        assert response["Content-Type"] == "application/problem+json"
        assert body["status"] == case.status
        assert body["detail"]
        named = {(error["field"], error["code"]) for error in body.get("errors", [])}
        if case.field is None:
            # A request-wide error: the top-level code, or a validation error on no field.
            assert case.code in {body["code"]} | {code for where, code in named if where is None}
        else:
            assert (case.field, case.code) in named, body
            assert case.field in body["detail"]
    assert snapshot() == before


HOSTILE_QUERY_VALUES = [
    "%",
    "%s%s%(value)s",
    "a\x00b",
    "x" * 5000,
    "-1",
    "0",
    "99999999999999999999999",
    "1e999",
    "NaN",
    "' OR 1=1 --",
    "2024-02-30",
    "2024-02-28T14:30:00",
    "",
    " ",
    "\u202e",
]


def read_operations():
    """Return ``(url, query parameter names)`` for every GET operation in the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        if "get" not in methods:
            continue
        url = path.replace("{external_id}", "MembershipNumber").replace("{id}", "1")
        names = [p["name"] for p in methods["get"].get("parameters", []) if p["in"] == "query"]
        operations.append((url, names))
    return operations


def test_read_queries_never_fail(api, seeded):
    operations = read_operations()
    assert len(operations) >= 5

    tried = 0
    for url, names in operations:
        for name in [*names, "unknown_parameter"]:
            for value in HOSTILE_QUERY_VALUES:
                response = api.get(url, {name: value})
                tried += 1
                assert response.status_code < 500, (url, name, value)
                assert response["Content-Type"].startswith("application/"), (url, name)

    assert tried > 100
