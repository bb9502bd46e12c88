"""Capture the README screenshots from a running server with the demo data loaded.

Usage, with ``make run`` serving on port 8000 in another terminal:

    .venv/bin/python docs/screenshots/capture.py --base-url http://127.0.0.1:8000

It logs in with the account in ``.demo-credentials`` (written by ``manage.py setup_demo``)
unless STAFF_USERNAME and STAFF_PASSWORD are set, finds the supporter and the entity through
the staff pages' own search, and writes ``supporter-profile.png`` and ``entity-page.png`` next
to this file. It drives Debian's Chromium at /usr/bin/chromium.
"""

import argparse
import json
import os
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CREDENTIALS_FILE = HERE.parent.parent / ".demo-credentials"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def credentials() -> tuple[str, str]:
    if os.environ.get("STAFF_USERNAME") and os.environ.get("STAFF_PASSWORD"):
        return os.environ["STAFF_USERNAME"], os.environ["STAFF_PASSWORD"]
    data = json.loads(CREDENTIALS_FILE.read_text())
    return data["username"], data["password"]


def open_first_result(page, url: str, link_selector: str):
    """Open a search URL and follow its first result link."""
    page.goto(url)
    link = page.locator(link_selector).first
    if link.count() == 0:
        raise SystemExit(f"No result at {url}; is the demo data loaded?")
    link.click()
    page.wait_for_load_state("load")


def main():
    parser = argparse.ArgumentParser(description="Capture the README screenshots.")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Server to capture.")
    parser.add_argument(
        "--supporter", default="M-000186", help="External id of the supporter to show."
    )
    parser.add_argument(
        "--entity", default="Community Town Hall - March", help="Name of the entity to show."
    )
    args = parser.parse_args()
    username, password = credentials()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(args.base_url + "/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state("load")

        open_first_result(
            page,
            f"{args.base_url}/supporters/?{urlencode({'q': args.supporter})}",
            "main table a[href^='/supporters/']",
        )
        page.screenshot(path=HERE / "supporter-profile.png")

        open_first_result(
            page,
            f"{args.base_url}/entities/?{urlencode({'q': args.entity})}",
            "main table a[href^='/entities/']",
        )
        page.screenshot(path=HERE / "entity-page.png")
        browser.close()


if __name__ == "__main__":
    main()
