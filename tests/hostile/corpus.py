"""Hostile requests for the write API, each with the response it must get.

Every case is one row: a name, the request (``url``, and ``body`` as a Python value to encode
as JSON or ``raw`` bytes sent as they are, with ``content_type``), and the expected ``status``,
``code`` and ``field``. For an error on one field, ``field`` is its path and ``code`` its code in
``errors``. For an error on the whole request, ``field`` is None and ``code`` is the top-level
``code`` or the code of an error without a field. Cases that must be accepted run with
``?dry_run=true``, so no case may change the database.

The seed data the cases rely on (see ``tests/test_hostile_input.py``): supporter
``MembershipNumber`` and supporter ``1001``, and activity ``EXISTING_1`` linked to entity
``(EventPlatform, EVT_1)``.
"""

import copy
import json
from dataclasses import dataclass
from typing import Any

ACTIVITY_URL = "/api/activity"
BULK_URL = "/api/activity/bulk"
SUPPORTERS_URL = "/api/targets/bulk_upsert"
DRY_RUN = "?dry_run=true"
DROP = object()  # a value that removes the key from the generated body

MAX_ID = 255
MAX_TEXT = 255
MAX_BODY = 100_000
MAX_METADATA_BYTES = 32 * 1024
MAX_METADATA_DEPTH = 20
MAX_ACTIVITIES = 1000
MAX_ENTITIES = 50
MAX_REQUEST_BYTES = 10 * 1024 * 1024

NUL = "a\x00b"
LONE_HIGH = "a\ud83db"  # the first half of a surrogate pair, alone
LONE_LOW = "a\ude00b"
E_ACUTE = "\u00e9"  # two bytes in UTF-8
EMOJI = "\U0001f600"  # four bytes in UTF-8, one character


@dataclass
class Case:
    name: str
    status: int
    code: str
    field: str | None
    url: str = ACTIVITY_URL
    body: Any = None
    raw: bytes | None = None
    content_type: str = "application/json"

    def payload(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(self.body).encode()


def entity(**changes):
    base = {
        "kind": "event",
        "source": "EventPlatform",
        "external_id": "EVT_NEW",
        "name": "Community Town Hall - March 2024",
        "metadata": {"Location": "Town hall"},
        "external_url": "https://events.example.com/town-hall",
    }
    return _apply(base, changes)


def activity(**changes):
    base = {
        "external_id": "RSVP_NEW_1",
        "upsert": True,
        "topic": "event_engagement",
        "title": "RSVP'd to Community Town Hall",
        "source": "event_platform",
        "body": "User confirmed attendance.",
        "status": "confirmed",
        "metadata": {"channel": "email"},
        "happened_at": "2024-02-28T14:30:00Z",
        "entities": [entity()],
    }
    return _apply(base, changes)


def request(supporter="MembershipNumber", activities=None, **changes):
    base = {"external_id": supporter, "activities": activities or [activity()]}
    return _apply(base, changes)


def _apply(base, changes):
    result = copy.deepcopy(base)
    for key, value in changes.items():
        if value is DROP:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def nested(depth: int):
    """Return a metadata object nested ``depth`` levels deep."""
    value: Any = "bottom"
    for _ in range(depth - 1):
        value = {"level": value}
    return {"level": value}


def _field_cases(bad: str, tag: str, code: str, metadata_code: str) -> list[Case]:
    """One case per text field of every write endpoint, each carrying ``bad``."""
    cases = [
        Case(f"{tag}_supporter_id", 400, code, "external_id", body=request(supporter=bad)),
    ]
    for name in ("external_id", "topic", "title", "source", "body", "status"):
        cases.append(
            Case(
                f"{tag}_activity_{name}",
                400,
                code,
                f"activities[0].{name}",
                body=request(activities=[activity(**{name: bad})]),
            )
        )
    for name in ("kind", "source", "external_id", "name"):
        cases.append(
            Case(
                f"{tag}_entity_{name}",
                400,
                code,
                f"activities[0].entities[0].{name}",
                body=request(activities=[activity(entities=[entity(**{name: bad})])]),
            )
        )
    cases += [
        Case(
            f"{tag}_entity_url",
            400,
            "invalid",
            "activities[0].entities[0].external_url",
            body=request(activities=[activity(entities=[entity(external_url=bad)])]),
        ),
        Case(
            f"{tag}_activity_metadata_key",
            400,
            metadata_code,
            "activities[0].metadata",
            body=request(activities=[activity(metadata={bad: "x"})]),
        ),
        Case(
            f"{tag}_activity_metadata_value",
            400,
            metadata_code,
            "activities[0].metadata",
            body=request(activities=[activity(metadata={"k": bad})]),
        ),
        Case(
            f"{tag}_activity_metadata_nested_value",
            400,
            metadata_code,
            "activities[0].metadata",
            body=request(activities=[activity(metadata={"k": [{"deep": ["ok", bad]}]})]),
        ),
        Case(
            f"{tag}_entity_metadata_key",
            400,
            metadata_code,
            "activities[0].entities[0].metadata",
            body=request(activities=[activity(entities=[entity(metadata={bad: 1})])]),
        ),
        Case(
            f"{tag}_entity_metadata_value",
            400,
            metadata_code,
            "activities[0].entities[0].metadata",
            body=request(activities=[activity(entities=[entity(metadata={"k": bad})])]),
        ),
        Case(
            f"{tag}_bulk_topic",
            400,
            code,
            "records[0].activities[0].topic",
            url=BULK_URL,
            body={"records": [request(activities=[activity(topic=bad)])]},
        ),
    ]
    for name in ("external_id", "first_name", "last_name", "phone_number"):
        cases.append(
            Case(
                f"{tag}_supporter_record_{name}",
                400,
                code,
                f"records[0].{name}",
                url=SUPPORTERS_URL,
                body={"records": [{"external_id": "M-NEW", name: bad}]},
            )
        )
    cases += [
        Case(
            f"{tag}_supporter_record_email",
            400,
            "invalid",
            "records[0].email",
            url=SUPPORTERS_URL,
            body={"records": [{"external_id": "M-NEW", "email": f"ada{bad}@example.org"}]},
        ),
        Case(
            f"{tag}_supporter_custom_field_key",
            400,
            metadata_code,
            "records[0].custom_fields",
            url=SUPPORTERS_URL,
            body={"records": [{"external_id": "M-NEW", bad: "x"}]},
        ),
        Case(
            f"{tag}_supporter_custom_field_value",
            400,
            metadata_code,
            "records[0].custom_fields",
            url=SUPPORTERS_URL,
            body={"records": [{"external_id": "M-NEW", "custom_fields": {"k": bad}}]},
        ),
    ]
    return cases


def _broken_json() -> list[Case]:
    valid = json.dumps(request())
    return [
        Case("json_truncated", 400, "invalid_json", None, raw=valid[:-5].encode()),
        Case("json_single_quotes", 400, "invalid_json", None, raw=b"{'external_id': 'x'}"),
        Case("json_trailing_comma", 400, "invalid_json", None, raw=valid[:-1].encode() + b",}"),
        Case("json_comment", 400, "invalid_json", None, raw=b"// hello\n" + valid.encode()),
        Case("json_bare_word", 400, "invalid_json", None, raw=b"undefined"),
        Case("json_not_utf8", 400, "invalid_json", None, raw=b'{"external_id": "\xff\xfe"}'),
        Case(
            "json_utf16",
            400,
            "invalid_json",
            None,
            raw=json.dumps(request()).encode("utf-16"),
        ),
        Case(
            "json_deep_array",
            400,
            "invalid_json",
            None,
            raw=b'{"external_id": "MembershipNumber", "activities": '
            + b"[" * 100_000
            + b"]" * 100_000
            + b"}",
        ),
        Case("json_empty_body", 400, "required", "external_id", raw=b""),
        Case("json_null_body", 400, "null", None, raw=b"null"),
        Case("json_array_body", 400, "invalid", None, raw=b"[]"),
        Case("json_string_body", 400, "invalid", None, raw=b'"MembershipNumber"'),
        Case("json_number_body", 400, "invalid", None, raw=b"42"),
    ]


def _non_finite_numbers() -> list[Case]:
    cases = []
    for word in ("NaN", "Infinity", "-Infinity"):
        body = json.dumps(request(activities=[activity(metadata={"score": "PLACEHOLDER"})]))
        raw = body.replace('"PLACEHOLDER"', word).encode()
        cases.append(Case(f"number_{word.lower()}_in_metadata", 400, "invalid_json", None, raw=raw))
    body = json.dumps(request(activities=[activity(external_id="PLACEHOLDER")]))
    cases.append(
        Case(
            "number_nan_as_id",
            400,
            "invalid_json",
            None,
            raw=body.replace('"PLACEHOLDER"', "NaN").encode(),
        )
    )
    # 1e999 is valid JSON syntax but overflows a double to infinity when parsed.
    body = json.dumps(request(activities=[activity(metadata={"score": "PLACEHOLDER"})]))
    cases += [
        Case(
            "number_overflow_in_metadata",
            400,
            "invalid_json",
            None,
            raw=body.replace('"PLACEHOLDER"', "1e999").encode(),
        ),
        Case(
            "number_negative_overflow_in_metadata",
            400,
            "invalid_json",
            None,
            raw=body.replace('"PLACEHOLDER"', "-1.5e400").encode(),
        ),
        # Python refuses to convert integers of more than 4,300 digits from text.
        Case(
            "number_too_many_digits_in_metadata",
            400,
            "invalid_json",
            None,
            raw=body.replace('"PLACEHOLDER"', "9" * 5000).encode(),
        ),
        Case(
            "number_big_integer_in_metadata",
            200,
            "",
            None,
            url=ACTIVITY_URL + DRY_RUN,
            raw=body.replace('"PLACEHOLDER"', "9" * 40).encode(),
        ),
    ]
    return cases


def _wrong_types() -> list[Case]:
    return [
        Case("type_supporter_id_bool", 400, "invalid", "external_id", body=request(supporter=True)),
        Case("type_supporter_id_float", 400, "invalid", "external_id", body=request(supporter=1.5)),
        Case("type_supporter_id_list", 400, "invalid", "external_id", body=request(supporter=[])),
        Case("type_supporter_id_object", 400, "invalid", "external_id", body=request(supporter={})),
        Case(
            "type_activities_object",
            400,
            "not_a_list",
            "activities",
            body={"external_id": "MembershipNumber", "activities": {"0": activity()}},
        ),
        Case(
            "type_activities_string",
            400,
            "not_a_list",
            "activities",
            body={"external_id": "MembershipNumber", "activities": "RSVP"},
        ),
        Case(
            "type_activity_string",
            400,
            "invalid",
            "activities[0]",
            body={"external_id": "MembershipNumber", "activities": ["RSVP"]},
        ),
        Case(
            "type_activity_id_float",
            400,
            "invalid",
            "activities[0].external_id",
            body=request(activities=[activity(external_id=1.5)]),
        ),
        Case(
            "type_activity_id_bool",
            400,
            "invalid",
            "activities[0].external_id",
            body=request(activities=[activity(external_id=False)]),
        ),
        Case(
            "type_topic_list",
            400,
            "invalid",
            "activities[0].topic",
            body=request(activities=[activity(topic=["event"])]),
        ),
        Case(
            "type_title_object",
            400,
            "invalid",
            "activities[0].title",
            body=request(activities=[activity(title={"en": "RSVP"})]),
        ),
        Case(
            "type_title_bool",
            400,
            "invalid",
            "activities[0].title",
            body=request(activities=[activity(title=True)]),
        ),
        Case(
            "type_upsert_word",
            400,
            "invalid",
            "activities[0].upsert",
            body=request(activities=[activity(upsert="maybe")]),
        ),
        Case(
            "type_happened_at_number",
            400,
            "invalid",
            "activities[0].happened_at",
            body=request(activities=[activity(happened_at=1709130600)]),
        ),
        Case(
            "type_entities_object",
            400,
            "not_a_list",
            "activities[0].entities",
            body=request(activities=[activity(entities={"kind": "event"})]),
        ),
        Case(
            "type_entity_number",
            400,
            "invalid",
            "activities[0].entities[0]",
            body=request(activities=[activity(entities=[1])]),
        ),
        Case(
            "type_entity_url_number",
            400,
            "invalid",
            "activities[0].entities[0].external_url",
            body=request(activities=[activity(entities=[entity(external_url=42)])]),
        ),
        Case(
            "type_records_object",
            400,
            "not_a_list",
            "records",
            url=SUPPORTERS_URL,
            body={"records": {"external_id": "M-NEW"}},
        ),
        Case(
            "type_record_string",
            400,
            "invalid",
            "records[0]",
            url=SUPPORTERS_URL,
            body={"records": ["M-NEW"]},
        ),
        Case(
            "type_conflict_strategy",
            400,
            "invalid_choice",
            "conflict_strategy",
            url=SUPPORTERS_URL,
            body={"records": [{"external_id": "M-NEW"}], "conflict_strategy": "merge"},
        ),
        Case(
            "type_dry_run_word",
            400,
            "invalid",
            "dry_run",
            url=ACTIVITY_URL + "?dry_run=perhaps",
            body=request(),
        ),
    ]


def _nulls_and_empties() -> list[Case]:
    cases = [
        Case("null_supporter_id", 400, "null", "external_id", body=request(supporter=None)),
        Case(
            "null_activities",
            400,
            "null",
            "activities",
            body={"external_id": "MembershipNumber", "activities": None},
        ),
        Case(
            "empty_activities",
            400,
            "empty",
            "activities",
            body={"external_id": "MembershipNumber", "activities": []},
        ),
        Case("empty_supporter_id", 400, "blank", "external_id", body=request(supporter="")),
        Case("blank_supporter_id", 400, "blank", "external_id", body=request(supporter="   ")),
        Case(
            "missing_supporter_id",
            400,
            "required",
            "external_id",
            body={"activities": [activity()]},
        ),
        Case(
            "empty_records",
            400,
            "empty",
            "records",
            url=SUPPORTERS_URL,
            body={"records": []},
        ),
        Case(
            "null_record_id",
            400,
            "null",
            "records[0].external_id",
            url=SUPPORTERS_URL,
            body={"records": [{"external_id": None}]},
        ),
    ]
    for name in ("topic", "title", "source", "happened_at"):
        cases.append(
            Case(
                f"null_activity_{name}",
                400,
                "null",
                f"activities[0].{name}",
                body=request(activities=[activity(**{name: None})]),
            )
        )
        cases.append(
            Case(
                f"missing_activity_{name}",
                400,
                "required",
                f"activities[0].{name}",
                body=request(activities=[activity(**{name: DROP})]),
            )
        )
    for name in ("topic", "source", "external_id"):
        cases.append(
            Case(
                f"empty_activity_{name}",
                400,
                "blank",
                f"activities[0].{name}",
                body=request(activities=[activity(**{name: ""})]),
            )
        )
    cases.append(
        Case(
            "blank_activity_topic",
            400,
            "blank",
            "activities[0].topic",
            body=request(activities=[activity(topic=" \t ")]),
        )
    )
    for name in ("kind", "source", "external_id", "name"):
        cases.append(
            Case(
                f"null_entity_{name}",
                400,
                "null",
                f"activities[0].entities[0].{name}",
                body=request(activities=[activity(entities=[entity(**{name: None})])]),
            )
        )
        cases.append(
            Case(
                f"empty_entity_{name}",
                400,
                "blank",
                f"activities[0].entities[0].{name}",
                body=request(activities=[activity(entities=[entity(**{name: ""})])]),
            )
        )
    cases.append(
        Case(
            "empty_happened_at",
            400,
            "invalid",
            "activities[0].happened_at",
            body=request(activities=[activity(happened_at="")]),
        )
    )
    cases.append(
        Case(
            "empty_entity_url",
            400,
            "invalid",
            "activities[0].entities[0].external_url",
            body=request(activities=[activity(entities=[entity(external_url="")])]),
        )
    )
    return cases


def _lengths() -> list[Case]:
    cases = []
    over = {
        "external_id": MAX_ID,
        "topic": MAX_TEXT,
        "title": MAX_TEXT,
        "source": MAX_TEXT,
        "status": MAX_TEXT,
        "body": MAX_BODY,
    }
    for name, maximum in over.items():
        for character, label in ((EMOJI, "emoji"), (E_ACUTE, "accent")):
            cases.append(
                Case(
                    f"limit_activity_{name}_{label}",
                    200,
                    "",
                    None,
                    url=ACTIVITY_URL + DRY_RUN,
                    body=request(activities=[activity(**{name: character * maximum})]),
                )
            )
        cases.append(
            Case(
                f"over_activity_{name}",
                400,
                "max_length",
                f"activities[0].{name}",
                body=request(activities=[activity(**{name: EMOJI * (maximum + 1)})]),
            )
        )
    for name in ("kind", "source", "external_id", "name"):
        cases.append(
            Case(
                f"limit_entity_{name}_emoji",
                200,
                "",
                None,
                url=ACTIVITY_URL + DRY_RUN,
                body=request(activities=[activity(entities=[entity(**{name: EMOJI * 255})])]),
            )
        )
        cases.append(
            Case(
                f"over_entity_{name}",
                400,
                "max_length",
                f"activities[0].entities[0].{name}",
                body=request(activities=[activity(entities=[entity(**{name: E_ACUTE * 256})])]),
            )
        )
    cases += [
        Case(
            "over_supporter_id",
            400,
            "max_length",
            "external_id",
            body=request(supporter=E_ACUTE * 256),
        ),
        Case(
            "over_supporter_id_as_number",
            400,
            "max_length",
            "external_id",
            body=request(supporter=10**300),
        ),
        Case(
            "over_entity_url",
            400,
            "invalid",
            "activities[0].entities[0].external_url",
            body=request(
                activities=[activity(entities=[entity(external_url="https://e.org/" + "a" * 2048)])]
            ),
        ),
        Case(
            "over_metadata_bytes",
            400,
            "too_large",
            "activities[0].metadata",
            # Two bytes per character in UTF-8: half the limit in characters is already over.
            body=request(
                activities=[activity(metadata={"x": E_ACUTE * (MAX_METADATA_BYTES // 2)})]
            ),
        ),
        Case(
            "limit_metadata_bytes",
            200,
            "",
            None,
            url=ACTIVITY_URL + DRY_RUN,
            # {"x":"..."} adds 8 bytes of JSON around the value.
            body=request(activities=[activity(metadata={"x": "a" * (MAX_METADATA_BYTES - 8)})]),
        ),
        Case(
            "over_record_first_name",
            400,
            "max_length",
            "records[0].first_name",
            url=SUPPORTERS_URL,
            body={"records": [{"external_id": "M-NEW", "first_name": EMOJI * 256}]},
        ),
    ]
    return cases


def _metadata() -> list[Case]:
    cases = []
    for label, value in (("list", ["a"]), ("string", "a=b"), ("number", 7), ("bool", True)):
        cases.append(
            Case(
                f"metadata_{label}",
                400,
                "not_object",
                "activities[0].metadata",
                body=request(activities=[activity(metadata=value)]),
            )
        )
    cases += [
        Case(
            "metadata_entity_list",
            400,
            "not_object",
            "activities[0].entities[0].metadata",
            body=request(activities=[activity(entities=[entity(metadata=[1, 2])])]),
        ),
        Case(
            "metadata_too_deep",
            400,
            "too_deep",
            "activities[0].metadata",
            body=request(activities=[activity(metadata=nested(MAX_METADATA_DEPTH + 1))]),
        ),
        Case(
            "metadata_deep_list",
            400,
            "too_deep",
            "activities[0].metadata",
            body=request(
                activities=[activity(metadata={"a": [[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]})]
            ),
        ),
        Case(
            "metadata_at_depth_limit",
            200,
            "",
            None,
            url=ACTIVITY_URL + DRY_RUN,
            body=request(activities=[activity(metadata=nested(MAX_METADATA_DEPTH - 1))]),
        ),
        Case(
            "metadata_custom_fields_list",
            400,
            "not_object",
            "records[0].custom_fields",
            url=SUPPORTERS_URL,
            body={"records": [{"external_id": "M-NEW", "custom_fields": ["a"]}]},
        ),
    ]
    return cases


def _urls() -> list[Case]:
    unsafe = {
        "url_leading_space": " https://events.example.com/e/1",
        "url_trailing_space": "https://events.example.com/e/1 ",
        "url_leading_tab": "\thttps://events.example.com/e/1",
        "url_javascript": "javascript:alert(1)",
        "url_javascript_mixed_case": "JaVaScRiPt:alert(document.cookie)",
        "url_javascript_leading_spaces": "   javascript:alert(1)",
        "url_javascript_embedded_tab": "java\tscript:alert(1)",
        "url_javascript_embedded_newline": "java\nscript:alert(1)",
        "url_javascript_entity": "javascript&colon;alert(1)",
        "url_host_with_tab": "https://events.exa\tmple.com/",
        "url_data": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "url_data_mixed_case": "DaTa:text/html,<script>alert(1)</script>",
        "url_vbscript": "vbscript:msgbox(1)",
        "url_protocol_relative": "//evil.example.org/x",
        "url_backslashes": "\\\\evil.example.org\\x",
        "url_relative": "/events/1",
        "url_ftp": "ftp://files.example.org/a",
        "url_file": "file:///etc/passwd",
        "url_no_host": "https://",
        "url_no_slashes": "https:events.example.com",
        "url_nul": "https://events.example.com/\x00",
        "url_del": "https://events.example.com/\x7f",
    }
    cases = [
        Case(
            name,
            400,
            "invalid",
            "activities[0].entities[0].external_url",
            body=request(activities=[activity(entities=[entity(external_url=url)])]),
        )
        for name, url in unsafe.items()
    ]
    cases.append(
        Case(
            "url_mixed_case_https",
            200,
            "",
            None,
            url=ACTIVITY_URL + DRY_RUN,
            body=request(activities=[activity(entities=[entity(external_url="HtTpS://E.org/A")])]),
        )
    )
    return cases


def _times() -> list[Case]:
    where = "activities[0].happened_at"
    rejected = {
        "time_without_offset": ("2024-02-28T14:30:00", "naive"),
        "time_bare_date": ("2024-02-28", "naive"),
        "time_impossible_date": ("2024-02-30T10:00:00Z", "invalid"),
        "time_offset_out_of_range": ("2024-02-28T14:30:00+25:00", "invalid"),
        "time_words": ("yesterday", "invalid"),
        "time_unix_string": ("1709130600", "invalid"),
        "time_us_format": ("02/28/2024 14:30", "invalid"),
        "time_below_year_one": ("0001-01-01T00:30:00+01:00", "out_of_range"),
        "time_above_year_9999": ("9999-12-31T23:30:00-01:00", "out_of_range"),
        "time_nul": ("2024-02-28T14:30:00Z\x00", "invalid"),
    }
    cases = [
        Case(
            name,
            400,
            code,
            where,
            body=request(activities=[activity(happened_at=value)]),
        )
        for name, (value, code) in rejected.items()
    ]
    accepted = {
        "time_utc_z": "2024-02-28T14:30:00Z",
        "time_positive_offset": "2024-02-29T08:00:00+10:00",
        "time_negative_offset": "2024-02-28T09:30:00-05:00",
        "time_fraction": "2024-02-28T14:30:00.123456+00:00",
        "time_surrounding_spaces": "  2024-02-28T14:30:00Z  ",
    }
    cases += [
        Case(
            name,
            200,
            "",
            None,
            url=ACTIVITY_URL + DRY_RUN,
            body=request(activities=[activity(happened_at=value)]),
        )
        for name, value in accepted.items()
    ]
    return cases


def _numbers_as_ids() -> list[Case]:
    return [
        Case(
            "number_supporter_id",
            200,
            "",
            None,
            url=ACTIVITY_URL + DRY_RUN,
            body=request(supporter=1001),
        ),
        Case(
            "number_activity_id",
            200,
            "",
            None,
            url=ACTIVITY_URL + DRY_RUN,
            body=request(activities=[activity(external_id=98765)]),
        ),
        Case(
            "number_entity_id",
            200,
            "",
            None,
            url=ACTIVITY_URL + DRY_RUN,
            body=request(activities=[activity(entities=[entity(external_id=456)])]),
        ),
        Case(
            "number_negative_activity_id",
            200,
            "",
            None,
            url=ACTIVITY_URL + DRY_RUN,
            body=request(activities=[activity(external_id=-1)]),
        ),
        Case(
            "number_exponent_id",
            400,
            "invalid",
            "activities[0].external_id",
            raw=json.dumps(request(activities=[activity(external_id="PLACEHOLDER")]))
            .replace('"PLACEHOLDER"', "1e3")
            .encode(),
        ),
        Case(
            "number_unknown_supporter",
            404,
            "supporter_not_found",
            "external_id",
            body=request(supporter=1002),
        ),
    ]


def _sizes() -> list[Case]:
    padding = "x" * MAX_REQUEST_BYTES
    many_entities = [entity(external_id=f"EVT_{index}") for index in range(MAX_ENTITIES + 1)]
    return [
        Case(
            "size_body_over_limit",
            413,
            "request_too_large",
            None,
            body=request(padding=padding),
        ),
        Case(
            "size_too_many_activities",
            400,
            "max_length",
            "activities",
            body=request(
                activities=[
                    activity(external_id=f"A_{index}") for index in range(MAX_ACTIVITIES + 1)
                ]
            ),
        ),
        Case(
            "size_too_many_entities",
            400,
            "max_length",
            "activities[0].entities",
            body=request(activities=[activity(entities=many_entities)]),
        ),
        Case(
            "size_bulk_too_many_activities",
            400,
            "max_length",
            "records",
            url=BULK_URL,
            body={
                "records": [
                    request(activities=[activity(external_id=f"B_{r}_{a}") for a in range(501)])
                    for r in range(2)
                ]
            },
        ),
        Case(
            "size_too_many_supporters",
            400,
            "max_length",
            "records",
            url=SUPPORTERS_URL,
            body={"records": [{"external_id": f"M-{index}"} for index in range(1001)]},
        ),
        Case(
            "size_limit_activities",
            200,
            "",
            None,
            url=ACTIVITY_URL + DRY_RUN,
            body=request(
                activities=[
                    activity(external_id=f"A_{index}", entities=[])
                    for index in range(MAX_ACTIVITIES)
                ]
            ),
        ),
    ]


def _content_types() -> list[Case]:
    body = json.dumps(request()).encode()
    return [
        Case(
            f"content_type_{label}", 415, "unsupported_media_type", None, raw=body, content_type=ct
        )
        for label, ct in (
            ("text", "text/plain"),
            ("form", "application/x-www-form-urlencoded"),
            ("xml", "application/xml"),
            ("multipart", "multipart/form-data; boundary=xyz"),
            ("json_lookalike", "application/jsonp"),
        )
    ]


CASES: list[Case] = [
    *_broken_json(),
    *_non_finite_numbers(),
    *_wrong_types(),
    *_nulls_and_empties(),
    *_field_cases(NUL, "nul", "forbidden_character", "forbidden_character"),
    *_field_cases(LONE_HIGH, "surrogate_high", "forbidden_character", "forbidden_character"),
    *_field_cases(LONE_LOW, "surrogate_low", "forbidden_character", "forbidden_character"),
    *_lengths(),
    *_metadata(),
    *_urls(),
    *_times(),
    *_numbers_as_ids(),
    *_sizes(),
    *_content_types(),
]

assert len({case.name for case in CASES}) == len(CASES), "case names must be unique"
