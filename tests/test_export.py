"""CSV export of supporter searches."""

import csv
import io

import pytest

from activities.models import SavedSearch
from movement.models import AuditEvent
from tests import search_data as data

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_starts_with_byte_order_mark(staff_client):
    data.supporter("A")
    response = staff_client.get("/supporters/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(response.streaming_content).startswith("\ufeff".encode())


def test_export_columns(staff_client):
    data.supporter(
        "A", first_name="Ada", last_name="Nguyen", email="ada@example.org",
        custom_fields={"ward": "Riverside"},
    )  # fmt: skip
    rows = read_csv(staff_client.get("/supporters/export.csv"))
    assert rows[0] == [
        "external_id",
        "first_name",
        "last_name",
        "email",
        "phone_number",
        "custom_fields",
        "created_at",
    ]
    assert rows[1][:6] == ["A", "Ada", "Nguyen", "ada@example.org", "", '{"ward": "Riverside"}']
    assert rows[1][6].endswith("Z")


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_export_neutralises_formula_cells(staff_client, prefix):
    data.supporter("A", first_name=f'{prefix}HYPERLINK("http://x")')
    rows = read_csv(staff_client.get("/supporters/export.csv"))
    assert rows[1][1] == f'\'{prefix}HYPERLINK("http://x")'


def test_export_applies_search(staff_client):
    event = data.entity()
    data.activity(data.supporter("A"), entities=[event])
    data.supporter("B")
    rows = read_csv(staff_client.get(f"/supporters/export.csv?entity={event.pk}"))
    assert [row[0] for row in rows[1:]] == ["A"]


def test_export_invalid_search_exports_nothing(staff_client):
    data.supporter("A")
    response = staff_client.get("/supporters/export.csv?within_days=soon")
    assert response.status_code == 400
    assert b"within_days" in response.content
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_export_recorded_as_audit_event(staff_client, staff_user):
    data.supporter("A", email="private@example.org")
    data.supporter("B")
    read_csv(staff_client.get("/supporters/export.csv?q=example"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == staff_user
    assert event.detail == {"rows": 1, "search": None}
    assert event.ip_address == "127.0.0.1"


def test_saved_search_export(staff_client, staff_user):
    data.activity(data.supporter("A"), status="attended")
    data.activity(data.supporter("B"), status="no_show")
    saved = SavedSearch.objects.create(
        name="Attended", owner=staff_user, params={"status": ["attended"]}
    )
    rows = read_csv(staff_client.get(f"/searches/{saved.pk}/export.csv"))
    assert [row[0] for row in rows[1:]] == ["A"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.detail == {"rows": 1, "search": saved.pk}


def test_export_requires_staff(client):
    assert client.get("/supporters/export.csv").status_code == 302


def test_export_query_count_constant(staff_client, django_assert_num_queries):
    data.supporter("A")
    # Session, user, count, audit event, session save (3), then the rows as the body streams.
    with django_assert_num_queries(8):
        read_csv(staff_client.get("/supporters/export.csv"))
    for number in range(50):
        data.supporter(f"X{number}")
    with django_assert_num_queries(8):
        rows = read_csv(staff_client.get("/supporters/export.csv"))
    assert len(rows) == 52
