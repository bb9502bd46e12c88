"""A staff member's day in a real browser: log in, find a supporter, read the timeline, follow
an entity, export who was there. Hostile text in the data must show as text and never run."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from activities.models import Activity, ActivityEntity, ActivityEntityLink
from supporters.models import Supporter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE_TIME = datetime(2024, 2, 28, 3, 30, tzinfo=UTC)


def add_activity(supporter, number, *, entity=None, **fields):
    activity = Activity.objects.create(
        supporter=supporter,
        external_id=f"{supporter.external_id}-{number}",
        topic=fields.get("topic", "event_rsvp"),
        title=fields.get("title", f"Activity {number}"),
        source=fields.get("source", "mobilize"),
        body=fields.get("body", ""),
        status=fields.get("status", "confirmed"),
        happened_at=BASE_TIME + timedelta(days=number),
    )
    if entity is not None:
        ActivityEntityLink.objects.create(activity=activity, entity=entity)
    return activity


@pytest.fixture
def town_hall():
    """Ada RSVP'd to and attended the town hall and signed a petition; Bea RSVP'd too."""
    hall = ActivityEntity.objects.create(
        kind="event",
        source="mobilize",
        external_id="EVT_456",
        name="Community Town Hall",
        metadata={"Location": "Civic Centre"},
        external_url="https://events.example.com/town-hall",
    )
    petition = ActivityEntity.objects.create(
        kind="petition", source="petition_tool", external_id="PET-12", name="Save the Library"
    )
    ada = Supporter.objects.create(
        external_id="M-ADA", first_name="Ada", last_name="Lovelace", email="ada@example.org"
    )
    bea = Supporter.objects.create(
        external_id="M-BEA", first_name="Bea", last_name="Okafor", email="bea@example.org"
    )
    add_activity(ada, 1, entity=hall, title="RSVP'd to Community Town Hall")
    add_activity(ada, 2, entity=hall, topic="event_attendance", title="Attended", status="attended")
    add_activity(
        ada,
        3,
        entity=petition,
        topic="petition_signature",
        source="petition_tool",
        title="Signed: Save the Library",
        status="signed",
    )
    add_activity(bea, 4, entity=hall, title="RSVP'd to Community Town Hall")
    return {"hall": hall, "ada": ada, "bea": bea}


def log_in(page, live_server, staff_login, path="/supporters/"):
    username, password = staff_login
    page.goto(live_server.url + path)
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next={path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + path)


def test_journey_find_filter_follow_export(page, live_server, staff_login, town_hall):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # A Content-Security-Policy violation or a missing static file shows up as a console error.
    console_errors = []
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )

    # Log in and find the supporter.
    log_in(page, live_server, staff_login)
    page.get_by_label("Name, email or id").fill("Lovelace")
    page.get_by_label("Name, email or id").press("Enter")
    page.get_by_role("link", name="Ada Lovelace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")
    expect(page.locator("#timeline-count")).to_contain_text("3 activities")

    # Filter the timeline to petition signatures.
    page.get_by_label("Topic").select_option("petition_signature")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("li.activity")).to_have_count(1)
    expect(page.locator("li.activity h3")).to_have_text("Signed: Save the Library")

    # Clear the filter, then follow the entity link to see who else is linked.
    page.get_by_role("link", name="Clear filters").click()
    expect(page.locator("li.activity")).to_have_count(3)
    external = page.locator("li.activity a.external").first
    expect(external).to_have_attribute("rel", "noopener noreferrer")
    expect(external).to_have_attribute("href", "https://events.example.com/town-hall")
    page.locator("li.activity").get_by_role("link", name="Community Town Hall").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Community Town Hall")
    expect(page.locator("#linked-supporters")).to_have_text("2")
    linked = page.get_by_role("table").filter(has_text="Supporter").last
    expect(linked.get_by_role("link", name="Bea Okafor")).to_be_visible()

    # Export everyone linked as CSV.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))

    assert download.suggested_filename == f"entity-{town_hall['hall'].pk}-activities.csv"
    assert sorted(row["supporter_external_id"] for row in rows) == ["M-ADA", "M-ADA", "M-BEA"]
    assert dialogs == []
    assert console_errors == []


def test_journey_save_as_search_link(page, live_server, staff_login, town_hall):
    hall = town_hall["hall"]
    log_in(page, live_server, staff_login, path=f"/entities/{hall.pk}/")

    link = page.get_by_role("link", name="Save as search")

    expect(link).to_have_attribute("href", f"/supporters/?entity={hall.pk}")


@pytest.fixture
def hostile():
    """Data an attacker could push through the API or type into the admin."""
    entity = ActivityEntity.objects.create(
        kind="event",
        source="<b>src</b>",
        external_id="EVT_X",
        name="<svg onload=alert('name')>Hall",
        metadata={"<img src=x onerror=alert('key')>": "<script>alert('value')</script>"},
        external_url="javascript:alert('url')",
    )
    supporter = Supporter.objects.create(
        external_id="M-X",
        first_name="<script>alert('first')</script>",
        last_name="Mallory",
        custom_fields={"note": "<img src=x onerror=alert('custom')>"},
    )
    add_activity(
        supporter,
        1,
        entity=entity,
        title="<script>alert('title')</script>",
        body="line one\n<img src=x onerror=alert('body')>",
        status="<i>x</i>",
    )
    return {"entity": entity, "supporter": supporter}


@pytest.mark.parametrize("page_name", ["supporter", "entity"])
def test_hostile_text_never_runs(page, live_server, staff_login, hostile, page_name):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    path = hostile[page_name].get_absolute_url()

    log_in(page, live_server, staff_login, path=path)
    page.wait_for_load_state("load")

    assert dialogs == []
    expect(page.locator("a[href^='javascript' i]")).to_have_count(0)
    expect(page.locator("main script, main img, main svg[onload]")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("<script>alert(")


def test_hostile_body_keeps_line_breaks(page, live_server, staff_login, hostile):
    log_in(page, live_server, staff_login, path=hostile["supporter"].get_absolute_url())

    body = page.locator(".activity-body")

    expect(body).to_have_text("line one\n<img src=x onerror=alert('body')>")
    box_height = body.bounding_box()["height"]
    line_height = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.activity-body')).lineHeight)"
    )
    assert box_height >= 1.9 * line_height


def test_hostile_url_shown_as_text(page, live_server, staff_login, hostile):
    log_in(page, live_server, staff_login, path=hostile["entity"].get_absolute_url())

    expect(page.get_by_text("javascript:alert('url')")).to_be_visible()
    expect(page.get_by_role("link", name="javascript:alert('url')")).to_have_count(0)
