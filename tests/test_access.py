"""Every URL of the project is closed to anonymous users and to non-staff accounts.

The walk covers every pattern in the URL configuration, so a page added later without
``staff_required`` fails here. Exceptions: the login and logout views, the token-authenticated
API (anonymous requests get 401, except the public schema and docs), and the admin, which sends
non-staff users to its own login page.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from activities.models import Activity, ActivityEntity, ActivityEntityLink
from supporters.models import Supporter

pytestmark = pytest.mark.django_db

PUBLIC_PATHS = {
    "/accounts/login/",
    "/accounts/logout/",
    "/admin/logout/",
    "/api/schema/",
    "/api/docs/",
}

ROUTE_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*(?:\([^()]*\)[^()]*)*)\)")


@pytest.fixture
def objects():
    """One row of each kind, so path converters are filled with ids that exist."""
    supporter = Supporter.objects.create(external_id="M-1", first_name="Ada")
    entity = ActivityEntity.objects.create(
        kind="event", source="s", external_id="E-1", name="Town Hall"
    )
    activity = Activity.objects.create(
        supporter=supporter,
        topic="t",
        title="RSVP",
        source="s",
        happened_at="2024-02-28T14:30:00Z",
    )
    ActivityEntityLink.objects.create(activity=activity, entity=entity)
    return {"supporter": supporter, "entity": entity, "activity": activity}


def fill_route(text: str, object_id: int) -> str:
    """Replace each ``<converter:name>`` of a path() route with a sample value."""

    def sample(match):
        converter = match["converter"] or "str"
        if converter in {"int", "path"} or match["name"].endswith("id") or match["name"] == "pk":
            return str(object_id)
        return "sample"

    return ROUTE_CONVERTER.sub(sample, text)


def fill_regex(text: str, object_id: int) -> str:
    """Turn a re_path() pattern into one path it matches, with sample group values."""

    def sample(match):
        body = match["body"]
        if match["name"] == "app_label":
            return body.split("|")[0]
        if body in {".*", ".+"}:
            return "" if body == ".*" else "sample"
        return str(object_id)

    path = REGEX_GROUP.sub(sample, text)
    return path.lstrip("^").rstrip("$").replace("\\", "")


def walk(patterns, prefix="", object_ids=None):
    """Yield ``(path, pattern)`` for every URL pattern, nested includes included."""
    for pattern in patterns:
        text = str(pattern.pattern)
        object_id = object_ids.get(text.split("/")[0], object_ids["default"])
        if isinstance(pattern.pattern, RegexPattern):
            part = fill_regex(text, object_id)
        else:
            part = fill_route(text, object_id)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + part, object_ids)
        elif isinstance(pattern, URLPattern):
            yield "/" + prefix + part, pattern


def project_paths(objects):
    object_ids = {
        "supporters": objects["supporter"].pk,
        "entities": objects["entity"].pk,
        "activity": objects["activity"].pk,
        "default": objects["supporter"].pk,
    }
    return sorted({path for path, _ in walk(get_resolver().url_patterns, "", object_ids)})


def request(client, path):
    """GET the path, and retry with POST when the view only accepts POST."""
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path)
    return response


def is_login_redirect(response, path) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"]).path
    if path.startswith("/admin/"):
        return location == "/admin/login/"
    return location == resolve_url(settings.LOGIN_URL)


def test_walk_finds_staff_pages(objects):
    paths = project_paths(objects)

    assert f"/supporters/{objects['supporter'].pk}/" in paths
    assert f"/entities/{objects['entity'].pk}/" in paths
    assert "/entities/" in paths
    assert "/supporters/" in paths
    assert "/admin/" in paths


def test_anonymous_redirected_to_login(client, objects):
    failures = []
    for path in project_paths(objects):
        if path in PUBLIC_PATHS or path.startswith("/api/") or path == "/admin/login/":
            continue
        response = request(client, path)
        if not is_login_redirect(response, path):
            failures.append((path, response.status_code, response.get("Location")))

    assert failures == []


def test_anonymous_login_keeps_next(client, objects):
    path = f"/supporters/{objects['supporter'].pk}/"

    response = client.get(path)

    assert response["Location"] == redirect_to_login(path).url


def test_non_staff_forbidden(client, django_user_model, objects):
    user = django_user_model.objects.create_user("volunteer", password="pw-volunteer-123")
    client.force_login(user)
    failures = []
    for path in project_paths(objects):
        if path in PUBLIC_PATHS or path.startswith("/api/") or path == "/admin/login/":
            continue
        response = request(client, path)
        if path.startswith("/admin/") and is_login_redirect(response, path):
            continue
        if response.status_code != 403:
            failures.append((path, response.status_code))

    assert failures == []


def test_inactive_staff_forbidden(client, django_user_model, objects):
    user = django_user_model.objects.create_user("gone", password="pw-gone-123", is_staff=True)
    client.force_login(user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = client.get("/entities/")

    # Django's ModelBackend rejects inactive users, so the session no longer logs them in.
    assert is_login_redirect(response, "/entities/")


def test_api_anonymous_unauthorized(client, objects):
    failures = []
    for path in project_paths(objects):
        if not path.startswith("/api/") or path in PUBLIC_PATHS:
            continue
        response = request(client, path)
        if response.status_code != 401:
            failures.append((path, response.status_code))

    assert failures == []


def test_api_session_not_accepted(client, staff_user, objects):
    client.force_login(staff_user)
    failures = []
    for path in project_paths(objects):
        if not path.startswith("/api/") or path in PUBLIC_PATHS:
            continue
        response = request(client, path)
        if response.status_code != 401:
            failures.append((path, response.status_code))

    assert failures == []


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_api_docs_public(client, path):
    response = client.get(path)

    assert response.status_code == 200


def test_staff_pages_open_for_staff(staff_client, objects):
    paths = [
        "/",
        "/supporters/",
        "/entities/",
        f"/supporters/{objects['supporter'].pk}/",
        f"/entities/{objects['entity'].pk}/",
        f"/entities/{objects['entity'].pk}/export.csv",
    ]
    failures = []
    for path in paths:
        response = staff_client.get(path)
        if response.status_code not in {200, 302}:
            failures.append((path, response.status_code))

    assert failures == []


def test_login_page_renders(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_login_with_password(client, staff_user):
    response = client.post(
        "/accounts/login/",
        {"username": "staff", "password": "pw-staff-123", "next": "/entities/"},
        REMOTE_ADDR="127.0.0.1",
    )

    assert response.status_code == 302
    assert response["Location"] == "/entities/"


def test_login_wrong_password(client, staff_user):
    response = client.post(
        "/accounts/login/", {"username": "staff", "password": "wrong"}, REMOTE_ADDR="127.0.0.1"
    )

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_forbidden_page_explains(client, django_user_model):
    user = django_user_model.objects.create_user("volunteer", password="pw-volunteer-123")
    client.force_login(user)

    response = client.get("/entities/")

    assert response.status_code == 403
    assert "for staff accounts only" in response.content.decode()
