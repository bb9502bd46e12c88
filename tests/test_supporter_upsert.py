"""POST /api/targets/bulk_upsert and its alias."""

import pytest
from django.core.management import call_command

from movement.models import ApiToken, hash_token
from supporters.models import Supporter

URL = "/api/targets/bulk_upsert"


def upsert(api, *records, url=URL, **extra):
    return api.post(url, {"records": list(records), **extra}, format="json")


def test_bulk_upsert_creates_supporters(api):
    response = upsert(
        api,
        {
            "external_id": "M1",
            "first_name": "Ada",
            "email": "ada@example.org",
            "phone_number": "+61 400",
        },
        {"external_id": 2, "last_name": "Byron", "ward": "Riverside"},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 2
    assert [r["result"] for r in body["results"]] == ["created", "created"]
    ada = Supporter.objects.get(external_id="M1")
    assert (ada.first_name, ada.email, ada.phone_number) == ("Ada", "ada@example.org", "+61 400")
    assert body["results"][0]["id"] == ada.pk
    assert Supporter.objects.get(external_id="2").custom_fields == {"ward": "Riverside"}


def test_bulk_upsert_alias_path(api):
    response = upsert(api, {"external_id": "M1"}, url="/api/supporters/bulk_upsert")

    assert response.status_code == 200
    assert Supporter.objects.filter(external_id="M1").exists()


def test_bulk_upsert_updates_present_fields_only(api):
    Supporter.objects.create(
        external_id="M1",
        first_name="Ada",
        last_name="L",
        email="a@example.org",
        custom_fields={"a": 1, "b": 2},
    )

    response = upsert(
        api, {"external_id": "M1", "last_name": "Lovelace", "custom_fields": {"b": 3, "c": 4}}
    )

    assert response.json()["results"][0]["result"] == "updated"
    ada = Supporter.objects.get()
    assert (ada.first_name, ada.last_name, ada.email) == ("Ada", "Lovelace", "a@example.org")
    assert ada.custom_fields == {"a": 1, "b": 3, "c": 4}


def test_bulk_upsert_same_values_are_unchanged(api):
    Supporter.objects.create(external_id="M1", first_name="Ada")

    response = upsert(api, {"external_id": "M1", "first_name": "Ada"})

    assert response.json()["unchanged"] == 1


def test_taken_email_rejected_by_default(api):
    Supporter.objects.create(external_id="M1", email="Ada@Example.org")

    response = upsert(api, {"external_id": "M2", "email": "ada@example.org"}, {"external_id": "M3"})

    body = response.json()
    assert response.status_code == 200
    assert body["rejected"] == 1
    assert body["results"][0]["result"] == "rejected"
    assert "M1" in body["results"][0]["reason"]
    assert body["results"][1]["result"] == "created"
    assert not Supporter.objects.filter(external_id="M2").exists()


def test_new_record_with_taken_phone_is_rejected(api):
    Supporter.objects.create(external_id="M1", phone_number="+61 400 000 000")

    response = upsert(api, {"external_id": "M2", "phone_number": "+61 400 000 000"})

    assert response.json()["results"][0]["result"] == "rejected"
    assert Supporter.objects.count() == 1


def test_conflict_inside_one_batch_is_rejected(api):
    response = upsert(
        api,
        {"external_id": "M1", "email": "x@example.org"},
        {"external_id": "M2", "email": "x@example.org"},
    )

    assert [r["result"] for r in response.json()["results"]] == ["created", "rejected"]


def test_conflict_strategy_ignore_imports_anyway(api):
    Supporter.objects.create(external_id="M1", email="ada@example.org")

    response = upsert(
        api, {"external_id": "M2", "email": "ada@example.org"}, conflict_strategy="ignore"
    )

    assert response.json()["created"] == 1
    assert Supporter.objects.filter(email="ada@example.org").count() == 2


@pytest.mark.parametrize(
    ("records", "field"),
    [
        ([{"first_name": "no id"}], "records[0].external_id"),
        ([{"external_id": "M1", "email": "not-an-email"}], "records[0].email"),
        ([{"external_id": "M1"}, {"external_id": "M1"}], "records[1].external_id"),
        ([{"external_id": "M1", "custom_fields": [1]}], "records[0].custom_fields"),
        ([{"external_id": "M1", "first_name": "a\x00"}], "records[0].first_name"),
        (["not an object"], "records[0]"),
    ],
)
def test_bulk_upsert_invalid_records_store_nothing(api, records, field):
    response = upsert(api, *records)

    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]
    assert Supporter.objects.count() == 0


def test_bulk_upsert_rejects_unknown_strategy(api):
    response = upsert(api, {"external_id": "M1"}, conflict_strategy="merge")

    assert response.status_code == 400
    assert Supporter.objects.count() == 0


def test_bulk_upsert_needs_supporters_write_scope(client, make_token):
    token = make_token("activity:write", "read")

    response = client.post(
        URL,
        {"records": [{"external_id": "M1"}]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert Supporter.objects.count() == 0


@pytest.mark.parametrize("size", [1, 500])
def test_bulk_upsert_query_count_is_constant(api, django_assert_max_num_queries, size):
    records = [{"external_id": f"M{i}", "email": f"m{i}@example.org"} for i in range(size)]

    with django_assert_max_num_queries(8):
        response = upsert(api, *records)

    assert response.json()["created"] == size


def test_create_api_token_prints_only_the_token(db, capsys):
    call_command(
        "create_api_token", "event platform", "--scope", "activity:write", "--scope", "read"
    )

    out = capsys.readouterr().out
    plaintext = out.strip()
    assert out.count("\n") == 1
    assert plaintext.startswith("mvt_")
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(plaintext)
    assert plaintext not in (token.key_hash, token.key_prefix, token.name)
    assert token.scopes == ["activity:write", "read"]


def test_created_token_authenticates(client, db, capsys):
    call_command("create_api_token", "pusher", "--scope", "activity:write")
    plaintext = capsys.readouterr().out.strip()

    response = client.post(
        "/api/activity",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
    )

    assert response.status_code == 400


def test_bulk_upsert_dry_run_stores_nothing(api):
    Supporter.objects.create(external_id="M1", first_name="Ada")

    response = api.post(
        URL + "?dry_run=true",
        {"records": [{"external_id": "M1", "first_name": "Ava"}, {"external_id": "M2"}]},
        format="json",
    )

    body = response.json()
    assert body["dry_run"] is True
    assert [r["result"] for r in body["results"]] == ["updated", "created"]
    assert body["results"][1]["id"] is None
    assert Supporter.objects.get().first_name == "Ada"
    assert Supporter.objects.count() == 1
