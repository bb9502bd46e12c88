"""One test per ingestion rule of POST /api/activity, checking stored rows as well as responses."""

import copy
import json
from datetime import UTC, datetime

import pytest
from django.db import connection

from activities.models import Activity, ActivityEntity, ActivityEntityLink
from supporters.models import Supporter
from tests.conftest import load_case

URL = "/api/activity"


def activity(external_id="A1", **overrides):
    body = {
        "external_id": external_id,
        "topic": "call",
        "title": "Phone call",
        "source": "dialer",
        "happened_at": "2024-02-28T14:30:00Z",
    }
    body.update(overrides)
    return body


def entity(external_id="E1", **overrides):
    body = {"kind": "event", "source": "events", "external_id": external_id, "name": "Town hall"}
    body.update(overrides)
    return body


def request_body(*activities, supporter="MembershipNumber"):
    return {"external_id": supporter, "activities": list(activities)}


def post(api, body, **params):
    query = "?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else ""
    # json.dumps escapes an unpaired surrogate as \udXXX, as a real client's encoder would.
    return api.post(URL + query, json.dumps(body), content_type="application/json")


def table_counts():
    return (
        Supporter.objects.count(),
        Activity.objects.count(),
        ActivityEntity.objects.count(),
        ActivityEntityLink.objects.count(),
    )


def error_fields(response):
    return [error["field"] for error in response.json().get("errors", [])]


# Supporter


def test_unknown_supporter_is_404_and_stores_nothing(api, member):
    response = post(api, request_body(activity(entities=[entity()]), supporter="NOPE"))

    assert response.status_code == 404
    assert response.json()["code"] == "supporter_not_found"
    assert error_fields(response) == ["external_id"]
    assert table_counts() == (1, 0, 0, 0)


# Required fields


@pytest.mark.parametrize("field", ["topic", "title", "source", "happened_at"])
def test_missing_required_activity_field_is_named(api, member, field):
    body = activity()
    del body[field]

    response = post(api, request_body(activity("A0"), body))

    assert response.status_code == 400
    assert error_fields(response) == [f"activities[1].{field}"]
    assert response.json()["errors"][0]["code"] == "required"
    assert Activity.objects.count() == 0


@pytest.mark.parametrize("field", ["kind", "source", "external_id", "name"])
def test_missing_required_entity_field_is_named(api, member, field):
    broken = entity()
    del broken[field]

    response = post(api, request_body(activity(entities=[entity("E0"), broken])))

    assert response.status_code == 400
    assert error_fields(response) == [f"activities[0].entities[1].{field}"]
    assert table_counts() == (1, 0, 0, 0)


def test_optional_fields_may_be_absent(api, member):
    response = post(api, request_body({k: v for k, v in activity().items()}))

    assert response.status_code == 200
    stored = Activity.objects.get()
    assert stored.body == ""
    assert stored.status == ""
    assert stored.metadata == {}
    assert stored.entities.count() == 0


def test_activity_without_external_id_is_created_each_time(api, member):
    body = activity()
    del body["external_id"]

    first = post(api, request_body(body))
    second = post(api, request_body(body))

    assert first.json()["activities"][0]["result"] == "created"
    assert second.json()["activities"][0]["result"] == "created"
    assert Activity.objects.filter(external_id__isnull=True).count() == 2


def test_upsert_requires_external_id(api, member):
    response = post(api, load_case("bad/upsert_without_external_id.json"))

    assert response.status_code == 400
    assert error_fields(response) == ["activities[0].external_id"]
    assert Activity.objects.count() == 0


def test_numeric_ids_are_stored_as_decimal_strings(api):
    Supporter.objects.create(external_id="12345")
    body = request_body(
        activity(external_id=987, entities=[entity(external_id=86738)]), supporter=12345
    )

    response = post(api, body)

    assert response.status_code == 200
    stored = Activity.objects.get()
    assert stored.external_id == "987"
    assert stored.supporter.external_id == "12345"
    assert stored.entities.get().external_id == "86738"


@pytest.mark.parametrize("value", [True, 1.5, None, [], {}])
def test_non_string_ids_are_rejected(api, member, value):
    response = post(api, request_body(activity(external_id=value)))

    assert response.status_code == 400
    assert error_fields(response) == ["activities[0].external_id"]


# All or nothing


def test_one_invalid_activity_rejects_the_whole_request(api, member):
    body = request_body(
        activity("A1", entities=[entity()]),
        activity("A2"),
        activity("A3", happened_at="not a time"),
    )

    response = post(api, body)

    assert response.status_code == 400
    assert error_fields(response) == ["activities[2].happened_at"]
    assert table_counts() == (1, 0, 0, 0)


def test_one_invalid_entity_rejects_the_whole_request(api, member):
    body = request_body(
        activity("A1", entities=[entity("E1"), entity("E2", external_url="ftp://x.org/")])
    )

    response = post(api, body)

    assert response.status_code == 400
    assert error_fields(response) == ["activities[0].entities[1].external_url"]
    assert table_counts() == (1, 0, 0, 0)


def test_every_error_is_listed(api, member):
    body = request_body(activity("A1", topic=""), activity("A2", title=None, happened_at="2024"))

    response = post(api, body)

    assert sorted(error_fields(response)) == [
        "activities[0].topic",
        "activities[1].happened_at",
        "activities[1].title",
    ]


# Upsert


def test_upsert_overwrites_present_fields_and_keeps_absent_ones(api, member):
    post(api, request_body(activity(body="first body", status="confirmed", metadata={"a": 1})))
    update = {
        "external_id": "A1",
        "upsert": True,
        "topic": "call",
        "title": "Phone call, rescheduled",
        "source": "dialer",
        "happened_at": "2024-03-01T10:00:00Z",
        "status": "tentative",
    }

    response = post(api, request_body(update))

    assert response.json()["activities"][0]["result"] == "updated"
    stored = Activity.objects.get()
    assert stored.title == "Phone call, rescheduled"
    assert stored.status == "tentative"
    assert stored.happened_at == datetime(2024, 3, 1, 10, tzinfo=UTC)
    assert stored.body == "first body"
    assert stored.metadata == {"a": 1}


def test_upsert_entities_list_replaces_links(api, member):
    post(api, request_body(activity(entities=[entity("E1"), entity("E2")])))

    response = post(api, request_body(activity(upsert=True, entities=[entity("E2"), entity("E3")])))

    assert response.json()["activities"][0]["result"] == "updated"
    linked = set(Activity.objects.get().entities.values_list("external_id", flat=True))
    assert linked == {"E2", "E3"}
    assert ActivityEntity.objects.count() == 3


def test_upsert_without_entities_keeps_links(api, member):
    post(api, request_body(activity(entities=[entity("E1")])))

    response = post(api, request_body(activity(upsert=True, title="Renamed")))

    assert response.json()["activities"][0]["result"] == "updated"
    assert list(Activity.objects.get().entities.values_list("external_id", flat=True)) == ["E1"]


def test_upsert_with_empty_entities_removes_links(api, member):
    post(api, request_body(activity(entities=[entity("E1")])))

    post(api, request_body(activity(upsert=True, entities=[])))

    assert ActivityEntityLink.objects.count() == 0
    assert ActivityEntity.objects.count() == 1


def test_upsert_of_identical_payload_is_unchanged(api, member):
    body = request_body(activity(upsert=True, entities=[entity()]))
    post(api, body)
    before = Activity.objects.get().updated_at

    response = post(api, body)

    assert response.json()["activities"][0]["result"] == "unchanged"
    assert response.json()["activities"][0]["entities"][0]["result"] == "unchanged"
    assert Activity.objects.get().updated_at == before


def test_replay_without_upsert_is_unchanged(api, member):
    body = request_body(activity(entities=[entity()]))
    first = post(api, body)

    second = post(api, body)

    assert second.status_code == 200
    assert second.json()["activities"][0]["result"] == "unchanged"
    assert second.json()["activities"][0]["id"] == first.json()["activities"][0]["id"]
    assert table_counts() == (1, 1, 1, 1)


def test_different_payload_without_upsert_is_409(api, member):
    post(api, request_body(activity(title="Original")))

    response = post(api, request_body(activity("NEW"), activity(title="Changed")))

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "activity_exists"
    assert error_fields(response) == ["activities[1].external_id"]
    assert '"upsert": true' in body["detail"]
    assert Activity.objects.get().title == "Original"
    assert not Activity.objects.filter(external_id="NEW").exists()


def test_upsert_cannot_move_activity_to_another_supporter(api, member):
    Supporter.objects.create(external_id="OTHER")
    post(api, request_body(activity()))

    response = post(api, request_body(activity(upsert=True, title="Moved"), supporter="OTHER"))

    assert response.status_code == 409
    assert response.json()["code"] == "activity_supporter_conflict"
    stored = Activity.objects.get()
    assert stored.supporter == member
    assert stored.title == "Phone call"


# Entities


def test_entity_is_found_by_source_and_external_id(api, member):
    post(api, request_body(activity("A1", entities=[entity("E1", source="one")])))

    post(
        api,
        request_body(
            activity("A2", entities=[entity("E1", source="two"), entity("E1", source="one")])
        ),
    )

    assert ActivityEntity.objects.count() == 2
    assert set(
        Activity.objects.get(external_id="A2").entities.values_list("source", flat=True)
    ) == {
        "one",
        "two",
    }


def test_entity_latest_values_win(api, member):
    post(api, request_body(activity("A1", entities=[entity(name="Old", metadata={"x": 1})])))
    newer = entity(
        kind="meeting", name="New", metadata={"x": 2}, external_url="https://e.example/1"
    )

    response = post(api, request_body(activity("A2", entities=[newer])))

    assert response.json()["activities"][0]["entities"][0]["result"] == "updated"
    stored = ActivityEntity.objects.get()
    assert (stored.kind, stored.name, stored.metadata, stored.external_url) == (
        "meeting",
        "New",
        {"x": 2},
        "https://e.example/1",
    )


def test_entity_named_twice_created_once(api, member):
    response = post(
        api, request_body(activity("A1", entities=[entity()]), activity("A2", entities=[entity()]))
    )

    results = [a["entities"][0] for a in response.json()["activities"]]
    assert ActivityEntity.objects.count() == 1
    assert results[0]["id"] == results[1]["id"]
    assert ActivityEntityLink.objects.count() == 2


def test_entity_repeated_in_one_activity_links_once(api, member):
    post(api, request_body(activity(entities=[entity(), entity()])))

    assert ActivityEntityLink.objects.count() == 1


# Duplicates


def test_duplicate_external_id_names_the_second(api, member):
    response = post(api, load_case("bad/duplicate_external_id.json"))

    assert response.status_code == 400
    assert error_fields(response) == ["activities[1].external_id"]
    assert response.json()["errors"][0]["code"] == "duplicate"
    assert Activity.objects.count() == 0


# Times


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2024-02-28T14:30:00Z", datetime(2024, 2, 28, 14, 30, tzinfo=UTC)),
        ("2024-03-01T08:00:00+11:00", datetime(2024, 2, 29, 21, 0, tzinfo=UTC)),
        ("2024-05-02T19:04:11.250+01:00", datetime(2024, 5, 2, 18, 4, 11, 250000, tzinfo=UTC)),
        ("2024-02-28 14:30:00-05:00", datetime(2024, 2, 28, 19, 30, tzinfo=UTC)),
    ],
)
def test_happened_at_is_stored_in_utc(api, member, sent, stored):
    response = post(api, request_body(activity(happened_at=sent)))

    assert response.status_code == 200
    value = Activity.objects.get().happened_at
    assert value == stored
    assert value.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    "sent",
    [
        "2024-02-28T14:30:00",
        "2024-02-28",
        "yesterday",
        "",
        "2024-13-01T00:00:00Z",
        1709130600,
        None,
    ],
)
def test_happened_at_without_offset_or_unparseable_is_400(api, member, sent):
    response = post(api, request_body(activity(happened_at=sent)))

    assert response.status_code == 400
    assert error_fields(response) == ["activities[0].happened_at"]
    if sent is not None:
        assert "2024-02-28T14:30:00Z" in response.json()["errors"][0]["detail"]
    assert Activity.objects.count() == 0


# Text


def test_whitespace_is_trimmed_from_ids_source_topic_kind(api):
    Supporter.objects.create(external_id="M1")
    body = request_body(
        activity(
            " A1\t",
            topic=" call ",
            source=" dialer ",
            entities=[entity(" E1 ", kind=" event ", source=" ev ")],
        ),
        supporter=" M1 ",
    )

    response = post(api, body)

    assert response.status_code == 200
    stored = Activity.objects.get()
    assert (stored.external_id, stored.topic, stored.source) == ("A1", "call", "dialer")
    linked = stored.entities.get()
    assert (linked.external_id, linked.kind, linked.source) == ("E1", "event", "ev")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "a\x00b"}, "activities[0].title"),
        ({"body": "x\ud800y"}, "activities[0].body"),
        ({"external_id": "A\x001"}, "activities[0].external_id"),
        ({"metadata": {"k\x00": 1}}, "activities[0].metadata"),
        ({"metadata": {"k": ["ok", "v\udc00"]}}, "activities[0].metadata"),
        ({"entities": [entity(name="\x00")]}, "activities[0].entities[0].name"),
        ({"entities": [entity(metadata={"x": "\ud83d"})]}, "activities[0].entities[0].metadata"),
    ],
)
def test_nul_and_unpaired_surrogates_are_rejected(api, member, overrides, field):
    response = post(api, request_body(activity(**overrides)))

    assert response.status_code == 400
    assert error_fields(response) == [field]
    assert table_counts() == (1, 0, 0, 0)


def test_paired_surrogates_and_emoji_are_kept(api, member):
    raw = json.dumps(request_body(activity(title="Library 📚", metadata={"mood": "😀"})))

    response = api.post(URL, raw, content_type="application/json")

    assert response.status_code == 200
    stored = Activity.objects.get()
    assert stored.title == "Library 📚"
    assert stored.metadata == {"mood": "😀"}


@pytest.mark.parametrize("metadata", [["a", "b"], "text", 3, True])
def test_metadata_must_be_an_object(api, member, metadata):
    response = post(api, request_body(activity(metadata=metadata)))

    assert response.status_code == 400
    assert error_fields(response) == ["activities[0].metadata"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//events.example.com/x",
        "/relative/path",
        " https://events.example.com/x",
        "https://events.example.com/a b",
        "https://events.example.com/\tx",
        "ftp://events.example.com/x",
        "https://",
        "vbscript:msgbox(1)",
    ],
)
def test_unsafe_external_url_is_rejected(api, member, url):
    response = post(api, request_body(activity(entities=[entity(external_url=url)])))

    assert response.status_code == 400
    assert error_fields(response) == ["activities[0].entities[0].external_url"]
    assert table_counts() == (1, 0, 0, 0)


@pytest.mark.parametrize(
    "url",
    ["https://events.example.com/e/1?x=1#y", "http://localhost:8080/e", "HTTPS://EXAMPLE.ORG/"],
)
def test_http_and_https_urls_are_accepted(api, member, url):
    response = post(api, request_body(activity(entities=[entity(external_url=url)])))

    assert response.status_code == 200
    assert ActivityEntity.objects.get().external_url == url


# Limits


def test_too_many_activities_is_400_with_the_limit(api, member, settings):
    settings.MOVEMENT_LIMITS = {**settings.MOVEMENT_LIMITS}
    body = request_body(*[activity(f"A{i}") for i in range(1001)])

    response = post(api, body)

    assert response.status_code == 400
    assert error_fields(response) == ["activities"]
    assert "1,000" in response.json()["detail"]
    assert Activity.objects.count() == 0


def test_too_many_entities_is_400_with_the_limit(api, member):
    response = post(api, request_body(activity(entities=[entity(f"E{i}") for i in range(51)])))

    assert response.status_code == 400
    assert error_fields(response) == ["activities[0].entities"]
    assert "50" in response.json()["detail"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"external_id": "x" * 256}, "activities[0].external_id"),
        ({"topic": "t" * 256}, "activities[0].topic"),
        ({"source": "s" * 256}, "activities[0].source"),
        ({"status": "s" * 256}, "activities[0].status"),
        ({"title": "t" * 256}, "activities[0].title"),
        ({"body": "b" * 100_001}, "activities[0].body"),
        ({"metadata": {"k": "v" * 33_000}}, "activities[0].metadata"),
        ({"entities": [entity(name="n" * 256)]}, "activities[0].entities[0].name"),
        ({"entities": [entity(kind="k" * 256)]}, "activities[0].entities[0].kind"),
    ],
)
def test_over_length_fields_are_400(api, member, overrides, field):
    response = post(api, request_body(activity(**overrides)))

    assert response.status_code == 400
    assert error_fields(response) == [field]
    assert Activity.objects.count() == 0


def test_multibyte_values_at_limit_stored(api, member):
    body = activity(
        "é" * 255, topic="ü" * 255, title="日" * 255, body="ß" * 100_000, status="ø" * 255
    )

    response = post(api, request_body(body))

    assert response.status_code == 200
    stored = Activity.objects.get()
    assert stored.external_id == "é" * 255
    assert len(stored.body) == 100_000


def test_request_over_the_size_limit_is_413(api, member, settings):
    settings.MOVEMENT_LIMITS = {**settings.MOVEMENT_LIMITS, "MAX_REQUEST_BYTES": 10_000}
    body = request_body(activity(body="x" * 20_000))

    response = post(api, body)

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert "10,000" in response.json()["detail"]
    assert Activity.objects.count() == 0


# Response and dry run


def test_response_reports_each_activity_in_request_order(api, member):
    post(api, request_body(activity("B", entities=[entity("E1")])))

    response = post(
        api,
        request_body(
            activity("C", entities=[entity("E2")]),
            activity("B", upsert=True, title="New title", entities=[entity("E1")]),
            activity("D"),
        ),
    )

    body = response.json()
    assert body["external_id"] == "MembershipNumber"
    assert body["supporter_id"] == member.pk
    assert body["dry_run"] is False
    assert [(a["external_id"], a["result"]) for a in body["activities"]] == [
        ("C", "created"),
        ("B", "updated"),
        ("D", "created"),
    ]
    ids = {a.external_id: a.pk for a in Activity.objects.all()}
    assert [a["id"] for a in body["activities"]] == [ids["C"], ids["B"], ids["D"]]
    assert body["activities"][0]["entities"] == [
        {
            "source": "events",
            "external_id": "E2",
            "id": ActivityEntity.objects.get(external_id="E2").pk,
            "result": "created",
        }
    ]
    assert body["activities"][1]["entities"][0]["result"] == "unchanged"
    assert body["activities"][2]["entities"] == []


def test_dry_run_reports_results_and_stores_nothing(api, member):
    post(api, request_body(activity("A1", title="Old")))
    before = table_counts()

    response = post(
        api,
        request_body(activity("A1", upsert=True, title="New"), activity("A2", entities=[entity()])),
        dry_run="true",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True
    assert [a["result"] for a in body["activities"]] == ["updated", "created"]
    assert body["activities"][1]["id"] is None
    assert body["activities"][1]["entities"][0]["result"] == "created"
    assert table_counts() == before
    assert Activity.objects.get().title == "Old"


def test_dry_run_still_reports_errors(api, member):
    response = post(api, request_body(activity(happened_at="2024-01-01")), dry_run="true")

    assert response.status_code == 400


def test_dry_run_rejects_an_unclear_value(api, member):
    response = post(api, request_body(activity()), dry_run="maybe")

    assert response.status_code == 400
    assert error_fields(response) == ["dry_run"]
    assert Activity.objects.count() == 0


# Errors


def test_errors_are_problem_details(api, member):
    response = post(api, request_body(activity(happened_at="2024-01-01T00:00:00")))

    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert body["status"] == 400
    assert body["title"] == "Bad Request"
    assert body["code"] == "validation_error"
    assert "activities[0].happened_at" in body["detail"]


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "invalid_json"),
        ('{"external_id": NaN}', "application/json", 400, "invalid_json"),
        ("[1, 2]", "application/json", 400, "validation_error"),
        ("null", "application/json", 400, "validation_error"),
        ("external_id=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("\xff\xfe", "application/json", 400, "invalid_json"),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400, "invalid_json"),
    ],
)
def test_malformed_bodies_get_json_errors(api, member, raw, content_type, status, code):
    data = raw.encode("latin-1") if raw.startswith("\xff") else raw

    response = api.post(URL, data, content_type=content_type)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert Activity.objects.count() == 0


def test_unknown_api_path_is_json_404(api):
    response = api.get("/api/no-such-thing")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_json_405(api):
    response = api.delete(URL)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# Bulk endpoint


def test_bulk_stores_many_supporters(api, member):
    Supporter.objects.create(external_id="M2")
    body = {
        "records": [
            request_body(activity("A1", entities=[entity()])),
            request_body(activity("A2", entities=[entity()]), supporter="M2"),
        ]
    }

    response = api.post(URL + "/bulk", body, format="json")

    assert response.status_code == 200
    records = response.json()["records"]
    assert [r["external_id"] for r in records] == ["MembershipNumber", "M2"]
    assert Activity.objects.get(external_id="A2").supporter.external_id == "M2"
    assert ActivityEntity.objects.count() == 1


def test_bulk_is_all_or_nothing_across_records(api, member):
    body = {
        "records": [
            request_body(activity("A1")),
            request_body(activity("A2"), supporter="MISSING"),
        ]
    }

    response = api.post(URL + "/bulk", body, format="json")

    assert response.status_code == 404
    assert error_fields(response) == ["records[1].external_id"]
    assert Activity.objects.count() == 0


def test_bulk_names_duplicates_across_records(api, member):
    Supporter.objects.create(external_id="M2")
    body = {"records": [request_body(activity("A1")), request_body(activity("A1"), supporter="M2")]}

    response = api.post(URL + "/bulk", body, format="json")

    assert response.status_code == 400
    assert error_fields(response) == ["records[1].activities[0].external_id"]


def test_bulk_validation_error_paths(api, member):
    body = {
        "records": [request_body(activity("A1")), request_body(activity("A2", happened_at="x"))]
    }

    response = api.post(URL + "/bulk?dry_run=1", body, format="json")

    assert response.status_code == 400
    assert error_fields(response) == ["records[1].activities[0].happened_at"]


def test_bulk_dry_run_stores_nothing(api, member):
    body = {"records": [request_body(activity("A1", entities=[entity()]))]}

    response = api.post(URL + "/bulk?dry_run=true", body, format="json")

    assert response.status_code == 200
    assert response.json()["dry_run"] is True
    assert table_counts() == (1, 0, 0, 0)


# Query counts


def batch(size, prefix="A"):
    return request_body(
        *[
            activity(f"{prefix}{i}", entities=[entity(f"E{i % 7}"), entity("SHARED")])
            for i in range(size)
        ]
    )


@pytest.mark.parametrize("size", [1, 500])
def test_query_count_does_not_grow_with_batch_size(
    api, member, django_assert_max_num_queries, size
):
    # Token lookup, then supporters, locks, entities (read, insert), activities (read, insert),
    # links (insert), with savepoints around them.
    with django_assert_max_num_queries(12):
        response = post(api, batch(size))
    assert response.status_code == 200
    assert Activity.objects.count() == size

    changed = batch(size)
    for item in changed["activities"]:
        item.update(upsert=True, title="Changed", entities=[entity("OTHER")])
    with django_assert_max_num_queries(14):
        response = post(api, changed)
    assert {a["result"] for a in response.json()["activities"]} == {"updated"}
    assert ActivityEntityLink.objects.count() == size


def test_sql_is_parameterised(api, member):
    hostile = "x'); DROP TABLE activities_activity; --"

    response = post(api, request_body(activity(hostile, topic=hostile, entities=[entity(hostile)])))

    assert response.status_code == 200
    assert Activity.objects.get().external_id == hostile
    assert "activities_activity" in connection.introspection.table_names()


def test_request_body_is_not_mutated_between_posts(api, member):
    body = request_body(activity(entities=[entity()]))
    original = copy.deepcopy(body)

    post(api, body)

    assert body == original


def test_entity_lookup_in_chunks_finds_every_entity(api, member, monkeypatch):
    monkeypatch.setattr("activities.ingest.ENTITY_LOOKUP_CHUNK", 3)
    entities = [entity(f"E{i}", source=f"S{i % 2}") for i in range(8)]
    post(api, request_body(activity("A1", entities=entities[:5])))

    response = post(api, request_body(activity("A2", entities=entities)))

    results = [e["result"] for e in response.json()["activities"][0]["entities"]]
    assert results == ["unchanged"] * 5 + ["created"] * 3
    assert ActivityEntity.objects.count() == 8


@pytest.mark.parametrize("query", ["dry_run", "dry_run=", "dry_run=true&dry_run=false"])
def test_unclear_dry_run_is_rejected(api, member, query):
    response = api.post(
        f"{URL}?{query}", json.dumps(request_body(activity())), content_type="application/json"
    )

    assert response.status_code == 400
    assert error_fields(response) == ["dry_run"]
    assert Activity.objects.count() == 0


@pytest.mark.parametrize("path", ["/api/nothing", "/api/", "/api/activity/", "/api/targets/"])
def test_unknown_api_paths_are_json_even_in_debug(api, settings, path):
    settings.DEBUG = True

    response = api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"topic": 5}, "activities[0].topic"),
        ({"title": 1.5}, "activities[0].title"),
        ({"body": 7}, "activities[0].body"),
        ({"title": "   "}, "activities[0].title"),
        ({"upsert": "yes"}, "activities[0].upsert"),
        ({"upsert": 1}, "activities[0].upsert"),
        ({"entities": [entity(name="  ")]}, "activities[0].entities[0].name"),
        (
            {"entities": [entity(external_url="http://e.example:99999/")]},
            "activities[0].entities[0].external_url",
        ),
    ],
)
def test_loose_types_and_blank_text_are_rejected(api, member, overrides, field):
    response = post(api, request_body(activity(**overrides)))

    assert response.status_code == 400
    assert error_fields(response) == [field]
    assert Activity.objects.count() == 0


def nested(levels, innermost):
    value = innermost
    for _ in range(levels - 1):
        value = {"k": value}
    return value


@pytest.mark.parametrize("innermost", [{}, {"leaf": "text"}, {"leaf": 1}, []])
def test_metadata_depth_counts_objects_and_arrays(api, member, innermost):
    at_limit = post(api, request_body(activity("A1", metadata=nested(20, innermost))))
    over = post(api, request_body(activity("A2", metadata=nested(21, innermost))))

    assert at_limit.status_code == 200
    assert over.status_code == 400
    assert over.json()["errors"][0]["code"] == "too_deep"


def test_request_at_every_count_limit_is_stored(api, member):
    # 1,000 activities with 50 entities each: 51,000 identities to lock and rows to write.
    body = request_body(
        *[activity(f"A{i}", entities=[entity(f"E{i}-{j}") for j in range(50)]) for i in range(1000)]
    )

    created = post(api, body)

    assert created.status_code == 200
    assert ActivityEntityLink.objects.count() == 50_000

    for item in body["activities"]:
        item["upsert"] = True
        for linked in item["entities"]:
            linked["name"] = "Renamed"
    updated = post(api, body)

    assert updated.status_code == 200
    assert ActivityEntity.objects.filter(name="Renamed").count() == 50_000
