"""Access control: API tokens, login throttling, CSRF, the content security policy, sessions."""

import logging
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from movement.models import AuditEvent, Scope
from movement.signals import LOCKOUT_MESSAGE
from movement.tokens import create_token, revoke_tokens
from supporters.models import Supporter

LOGIN_URL = "/accounts/login/"
PASSWORD = "pw-staff-123"
ACTIVITY = {
    "external_id": "MembershipNumber",
    "activities": [
        {
            "external_id": "RSVP_1",
            "topic": "event_engagement",
            "title": "RSVP",
            "source": "event_platform",
            "happened_at": "2024-02-28T14:30:00Z",
        }
    ],
}
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def walk(patterns, prefix=""):
    """Yield the route of every URL pattern in the project, with converters left in."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def concrete(route, ids=None):
    """Fill a route's converters: an integer from ``ids`` by the route's first segment (1 when
    absent), and a plain word for the rest."""
    ids = ids or {}
    first = route.split("/", 1)[0]

    def fill(match):
        return str(ids.get(first, 1)) if match["kind"] == "int" else "M-1"

    return "/" + CONVERTER.sub(fill, route)


def api_urls():
    """Every API endpoint URL, without the public schema and docs and the catch-all 404."""
    routes = [route for route in walk(get_resolver().url_patterns) if route.startswith("api/")]
    public = ("api/schema/", "api/docs/")
    return sorted({concrete(route) for route in routes if route not in public and "^" not in route})


def staff_routes():
    """The route of every page outside the API, the admin and static files."""
    routes = set()
    for route in walk(get_resolver().url_patterns):
        if route.startswith(("api/", "admin/", "static/", "accounts/")):
            continue
        if "(?P<" in route or "\\" in route:
            continue
        routes.add(route)
    return sorted(routes)


@pytest.fixture
def post(client):
    def send(authorization=None, url="/api/activity", body=ACTIVITY):
        headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
        return client.post(url, body, content_type="application/json", **headers)

    return send


def assert_unauthorized(response, code):
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code


# --- API tokens -----------------------------------------------------------------------------


def test_token_missing(post, member):
    response = post()

    assert_unauthorized(response, "not_authenticated")
    assert not member.activities.exists()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer a b",
        "Token mvt_abc",
        "Basic dXNlcjpwYXNz",
        "bearer",
        "Bearer\tmvt_abc extra",
    ],
)
def test_token_malformed(post, member, header):
    response = post(header)

    assert_unauthorized(response, "invalid_token")
    assert not member.activities.exists()


def test_token_not_ascii(member):
    client = Client()
    response = client.post(
        "/api/activity",
        ACTIVITY,
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer mvt_é".encode().decode("latin-1"),
    )

    assert_unauthorized(response, "invalid_token")


def test_token_unknown(post, member):
    response = post("Bearer mvt_" + "x" * 43)

    assert_unauthorized(response, "invalid_token")
    assert not member.activities.exists()


def test_token_expired(post, member):
    _, plaintext = create_token(
        "old", [Scope.ACTIVITY_WRITE], expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = post(f"Bearer {plaintext}")

    assert_unauthorized(response, "token_expired")
    assert not member.activities.exists()


def test_token_revoked(post, member):
    token, plaintext = create_token("gone", [Scope.ACTIVITY_WRITE])
    revoke_tokens([token])

    response = post(f"Bearer {plaintext}")

    assert_unauthorized(response, "token_revoked")
    assert not member.activities.exists()


def test_token_valid_stores(post, member):
    _, plaintext = create_token("sync", [Scope.ACTIVITY_WRITE])

    response = post(f"Bearer {plaintext}")

    assert response.status_code == 200
    assert member.activities.count() == 1


def test_token_wrong_scope(post, member):
    _, plaintext = create_token("reader", [Scope.READ])

    response = post(f"Bearer {plaintext}")

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert "activity:write" in response.json()["detail"]
    assert not member.activities.exists()


def test_token_wrong_scope_supporters(post, db):
    _, plaintext = create_token("writer", [Scope.ACTIVITY_WRITE])
    body = {"records": [{"external_id": "M-9"}]}

    response = post(f"Bearer {plaintext}", url="/api/targets/bulk_upsert", body=body)

    assert response.status_code == 403
    assert not Supporter.objects.exists()


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_api_every_endpoint_needs_token(client, db, method):
    urls = api_urls()
    assert "/api/activity" in urls

    for url in urls:
        response = getattr(client, method)(url, content_type="application/json")
        assert response.status_code == 401, f"{method.upper()} {url}"
        assert response["WWW-Authenticate"].startswith("Bearer"), f"{method.upper()} {url}"


def test_api_every_endpoint_answers_options(api, db):
    for url in api_urls():
        response = api.options(url)
        assert response.status_code in (200, 405), url


def test_token_plaintext_not_stored(db, django_user_model):
    # given a token created, used and revoked
    token, plaintext = create_token("sync", [s.value for s in Scope])
    Supporter.objects.create(external_id="MembershipNumber")
    Client().post(
        "/api/activity",
        ACTIVITY,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
    )
    revoke_tokens([token])
    secret = plaintext[len(token.key_prefix) :]

    # then no column of any row contains the secret part
    for model in apps.get_models():
        for row in model.objects.values():
            assert secret not in str(row), model.__name__


def test_token_plaintext_not_logged(db, caplog):
    caplog.set_level(logging.DEBUG)
    Supporter.objects.create(external_id="MembershipNumber")
    token, plaintext = create_token("sync", [s.value for s in Scope])
    client = Client()
    for authorization in (f"Bearer {plaintext}", f"Bearer {plaintext}x", f"Token {plaintext}"):
        client.post(
            "/api/activity",
            ACTIVITY,
            content_type="application/json",
            HTTP_AUTHORIZATION=authorization,
        )
    revoke_tokens([token])
    client.post(
        "/api/activity", ACTIVITY, content_type="application/json", HTTP_AUTHORIZATION=plaintext
    )

    assert caplog.records
    assert plaintext not in caplog.text
    assert plaintext[len(token.key_prefix) :] not in caplog.text


def test_token_failure_logged(post, db, caplog):
    with caplog.at_level(logging.WARNING, logger="movement.auth"):
        post("Bearer mvt_unknown")

    assert "authentication failed" in caplog.text


# --- Login throttling -----------------------------------------------------------------------


def fail_login(client, username="staff", ip="203.0.113.5", password="wrong-password"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_locks_after_limit(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert fail_login(client).status_code == 200

    response = fail_login(client)

    assert response.status_code == 429
    assert LOCKOUT_MESSAGE in response.content.decode()


def test_login_locked_rejects_right_password(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        fail_login(client)

    response = fail_login(client, password=PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_lock_page_is_plain(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = fail_login(client)

    assert response["Content-Type"].startswith("text/html")
    assert "<script" not in response.content.decode()
    assert "Content-Security-Policy" in response


def test_login_lock_is_per_username(client, staff_user, django_user_model, settings):
    django_user_model.objects.create_user("other", password=PASSWORD, is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        fail_login(client)

    response = fail_login(client, username="other", password=PASSWORD)

    assert response.status_code == 302


def test_login_lock_is_per_address(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        fail_login(client, ip="203.0.113.5")

    response = fail_login(client, ip="198.51.100.77", password=PASSWORD)

    assert response.status_code == 302


def test_login_lockout_logged(client, staff_user, settings, caplog):
    with caplog.at_level(logging.WARNING, logger="movement.signals"):
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            fail_login(client)

    assert "Login locked out" in caplog.text
    assert "203.0.113.5" in caplog.text
    assert "wrong-password" not in caplog.text


def test_login_lockout_audited(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        fail_login(client)

    failures = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED)
    assert failures.count() == settings.AXES_FAILURE_LIMIT + 1
    assert failures.filter(detail__locked_out=True).count() >= 1
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).exists()


@pytest.mark.parametrize("username", ["u" * 300, "a\x00b", "", " ", "staff\n", "' OR 1=1 --"])
def test_login_hostile_username(client, staff_user, username):
    response = client.post(LOGIN_URL, {"username": username, "password": "x"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_long_username_locks(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = fail_login(client, username="u" * 300)

    assert response.status_code == 429


def test_login_success_resets_count(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        fail_login(client)
    assert fail_login(client, password=PASSWORD).status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        fail_login(client)

    assert fail_login(client, password=PASSWORD).status_code == 302


# --- CSRF -----------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    return client


@pytest.fixture
def ids(member):
    """Primary keys of existing rows by URL prefix, so routes with an id resolve to a page."""
    from activities.ingest import ingest_activities

    result = ingest_activities(
        member.external_id,
        [
            {
                **ACTIVITY["activities"][0],
                "entities": [
                    {"kind": "event", "source": "S", "external_id": "E1", "name": "Town hall"}
                ],
            }
        ],
    )
    entity_id = result.activities[0].entities[0].id
    return {"supporters": member.pk, "entities": entity_id}


def test_csrf_every_staff_url(csrf_client, ids):
    urls = [concrete(route, ids) for route in staff_routes()]
    urls += [LOGIN_URL, "/accounts/logout/", "/admin/login/"]

    for url in urls:
        response = csrf_client.post(url, {"name": "x"})
        assert response.status_code == 403, url
        assert b"CSRF" in response.content, url


def test_csrf_admin_forms(csrf_client, staff_user, ids):
    staff_user.is_superuser = True
    staff_user.save()

    for url in (
        "/admin/movement/apitoken/add/",
        "/admin/movement/apitoken/",
        f"/admin/supporters/supporter/{ids['supporters']}/change/",
        "/admin/auth/user/add/",
    ):
        response = csrf_client.post(url, {"name": "x"})
        assert response.status_code == 403, url


def test_csrf_token_in_every_staff_form(staff_client, ids):
    form = re.compile(r"<form\b[^>]*method=[\"']?post[^>]*>(.*?)</form>", re.I | re.S)
    checked = 0
    for url in [*(concrete(route, ids) for route in staff_routes()), LOGIN_URL]:
        response = staff_client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        for body in form.findall(response.content.decode()):
            assert "csrfmiddlewaretoken" in body, url
            checked += 1

    assert checked >= 1


# --- Content security policy ----------------------------------------------------------------


def test_csp_on_staff_pages(staff_client, ids):
    pages = 0
    for route in staff_routes():
        url = concrete(route, ids)
        response = staff_client.get(url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy, url
        assert "script-src 'self';" in policy, url
        assert "unsafe-inline" not in policy, url
        assert "frame-ancestors 'none'" in policy, url
        pages += 1

    assert pages >= 1


def test_csp_on_login_page(client, db):
    response = client.get(LOGIN_URL)

    assert "script-src 'self';" in response["Content-Security-Policy"]


def test_csp_on_admin(staff_client):
    response = staff_client.get("/admin/")

    assert "script-src 'self';" in response["Content-Security-Policy"]


# --- Sessions -------------------------------------------------------------------------------


def test_session_expires_after_idle_age(client, staff_user, settings):
    client.post(LOGIN_URL, {"username": "staff", "password": PASSWORD})
    session = Session.objects.get()

    remaining = session.expire_date - timezone.now()

    assert remaining <= timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert remaining > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60


def test_session_expired_is_logged_out(client, staff_user):
    client.post(LOGIN_URL, {"username": "staff", "password": PASSWORD})
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(reverse("entity-list"))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_session_cookie_ends_with_browser(client, staff_user):
    response = client.post(LOGIN_URL, {"username": "staff", "password": PASSWORD})

    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == ""
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_session_refreshed_on_activity(client, staff_user):
    client.post(LOGIN_URL, {"username": "staff", "password": PASSWORD})
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))

    client.get(reverse("entity-list"))

    assert Session.objects.get().expire_date > timezone.now() + timedelta(hours=1)
