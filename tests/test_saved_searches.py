"""Saved searches: saving, listing, running, renaming, deleting, sharing and the admin."""

import pytest
from django.contrib.auth.models import Permission

from activities import search
from activities.models import SavedSearch
from tests import search_data as data

pytestmark = pytest.mark.django_db


@pytest.fixture
def townhall():
    event = data.entity("EVT_TOWNHALL_MAR", kind="event")
    data.activity(data.supporter("A"), status="attended", entities=[event])
    data.activity(data.supporter("B"), status="no_show", entities=[event])
    return event


@pytest.fixture
def other_staff(django_user_model):
    return django_user_model.objects.create_user("other", password="pw-other-123", is_staff=True)


def make_search(owner, *, shared=False, params=None, name="Attended"):
    return SavedSearch.objects.create(
        name=name, owner=owner, shared=shared, params=params or {"status": ["attended"]}
    )


def test_save_from_search_page(staff_client, staff_user, townhall):
    query = f"entity={townhall.pk}&status=attended&page=2&topic="
    response = staff_client.post(
        "/searches/new", {"name": " Town hall ", "shared": "on", "query": query}
    )
    saved = SavedSearch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/searches/{saved.pk}/"
    assert saved.name == "Town hall"
    assert saved.owner == staff_user
    assert saved.shared is True
    assert saved.params == {"entity": [str(townhall.pk)], "status": ["attended"]}


def test_save_rejects_invalid_parameters(staff_client):
    response = staff_client.post("/searches/new", {"name": "Bad", "query": "within_days=soon"})
    assert response.status_code == 302
    assert SavedSearch.objects.count() == 0


def test_save_requires_name(staff_client):
    staff_client.post("/searches/new", {"name": "", "query": "status=attended"})
    assert SavedSearch.objects.count() == 0


def test_save_requires_post(staff_client):
    assert staff_client.get("/searches/new").status_code == 405


def test_service_validates_when_saved(staff_user):
    with pytest.raises(search.InvalidSearch):
        search.create_saved_search(staff_user, "Bad", {"negate": ["maybe"]})


def test_detail_runs_live_and_records_count(staff_client, staff_user, townhall):
    saved = make_search(staff_user)
    response = staff_client.get(f"/searches/{saved.pk}/")
    assert [s.external_id for s in response.context["page"]] == ["A"]
    data.activity(data.supporter("C"), status="attended")
    response = staff_client.get(f"/searches/{saved.pk}/")
    assert response.context["page"].paginator.count == 2
    saved.refresh_from_db()
    assert saved.last_count == 2
    assert saved.last_run_at is not None


def test_detail_invalid_params_not_run(staff_client, staff_user, townhall):
    saved = make_search(staff_user, params={"within_days": ["soon"]})
    response = staff_client.get(f"/searches/{saved.pk}/")
    assert response.context["page"] is None
    assert b"no longer valid" in response.content


def test_list_shows_own_and_shared(staff_client, staff_user, other_staff):
    mine = make_search(staff_user, name="Mine")
    shared = make_search(other_staff, shared=True, name="Shared")
    make_search(other_staff, name="Theirs")
    response = staff_client.get("/searches/")
    assert [s.pk for s in response.context["page"]] == [mine.pk, shared.pk]


def test_private_search_hidden_from_others(staff_client, other_staff):
    theirs = make_search(other_staff)
    assert staff_client.get(f"/searches/{theirs.pk}/").status_code == 404
    assert staff_client.get(f"/searches/{theirs.pk}/export.csv").status_code == 404


def test_rename_by_owner(staff_client, staff_user):
    saved = make_search(staff_user)
    staff_client.post(f"/searches/{saved.pk}/edit", {"name": "Renamed", "shared": "on"})
    saved.refresh_from_db()
    assert saved.name == "Renamed"
    assert saved.shared is True


def test_rename_shared_by_other_forbidden(staff_client, other_staff):
    theirs = make_search(other_staff, shared=True)
    response = staff_client.post(f"/searches/{theirs.pk}/edit", {"name": "Mine now"})
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.name == "Attended"


def test_delete_by_owner(staff_client, staff_user):
    saved = make_search(staff_user)
    response = staff_client.post(f"/searches/{saved.pk}/delete")
    assert response.status_code == 302
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()


def test_delete_shared_by_other_forbidden(staff_client, other_staff):
    theirs = make_search(other_staff, shared=True)
    assert staff_client.post(f"/searches/{theirs.pk}/delete").status_code == 403
    assert SavedSearch.objects.filter(pk=theirs.pk).exists()


def test_delete_with_permission(staff_client, staff_user, other_staff):
    theirs = make_search(other_staff, shared=True)
    staff_user.user_permissions.add(Permission.objects.get(codename="delete_savedsearch"))
    assert staff_client.post(f"/searches/{theirs.pk}/delete").status_code == 302
    assert not SavedSearch.objects.filter(pk=theirs.pk).exists()


def test_non_staff_forbidden(client, django_user_model, staff_user):
    saved = make_search(staff_user, shared=True)
    client.force_login(django_user_model.objects.create_user("member", password="pw-x-123456"))
    assert client.get("/searches/").status_code == 403
    assert client.get(f"/searches/{saved.pk}/").status_code == 403


def test_list_query_count_constant(staff_client, staff_user, django_assert_num_queries):
    make_search(staff_user)
    # Session, user, two for permissions, count, page with owners joined, session save (3).
    with django_assert_num_queries(9):
        staff_client.get("/searches/")
    for number in range(10):
        make_search(staff_user, shared=True, name=f"S{number}")
    with django_assert_num_queries(9):
        staff_client.get("/searches/")


def test_detail_query_count_constant(staff_client, staff_user, townhall, django_assert_num_queries):
    saved = make_search(staff_user)
    # Session, user, permissions (2), saved search, count, stored count, page, session save (3).
    with django_assert_num_queries(11):
        staff_client.get(f"/searches/{saved.pk}/")
    for number in range(30):
        data.activity(data.supporter(f"X{number}"), status="attended")
    with django_assert_num_queries(11):
        staff_client.get(f"/searches/{saved.pk}/")


def test_admin_lists_and_validates(client, django_user_model, staff_user):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.org", "pw-r-1")
    client.force_login(admin_user)
    saved = make_search(staff_user)
    assert client.get("/admin/activities/savedsearch/").status_code == 200
    response = client.post(
        f"/admin/activities/savedsearch/{saved.pk}/change/",
        {"name": "Bad", "owner": staff_user.pk, "params": '{"negate": ["maybe"]}'},
    )
    assert response.status_code == 200
    saved.refresh_from_db()
    assert saved.name == "Attended"
