"""Browser tests: Playwright (sync API) runs Debian's Chromium against pytest-django's live_server.

Fixtures:
  page          a fresh browser context per test, base_url = live_server.url; every console error
                and uncaught page error (Content-Security-Policy violations included) fails the
                test. Override `page_locale` (e.g. parametrize it) to change Accept-Language.
  browser_errors   the error log of the test's page; `browser_errors.allow(regex)` for an
                   error the test provokes on purpose.
  checkpoint    checkpoint("step"): axe (WCAG 2.0/2.1 A+AA, fails on serious or critical
                violations) + no English left + no browser error so far, and with
                BROWSER_SHOTS=steps a screenshot (/tmp/shots/<test>-<step>.png;
                BROWSER_SHOTS_DIR moves it; a failed test's last page is always captured).
                Call it on every page a journey visits.
  person_browser   person_browser("who", "fr"): another person's page, in a context of its own
                   (cookies, language), sharing the test's error log.
  checkpoint_of checkpoint_of(person_page, "step"): checkpoint() for such a page.

Chromium is launched once for the package, with Playwright's sync API; see `browser` for what
that does to Django in the main thread. What the journeys share besides fixtures (languages,
logging in, emails, the axe check) is in support.py.

Data: live_server needs a transactional database, whose teardown flushes every table, and the
reference data (countries, action areas, …) comes from data migrations. `page` therefore asks
for serialized rollback (the migrated content is restored before each browser test), and the
package fixture below puts it back after the last browser test, for whatever runs next.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import require_service

from .support import (
    BROWSER_LOCALES,
    BrowserErrors,
    check_visit,
    open_person_page,
    save_failure_screenshot,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so that `page` can take a screenshot on failure.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests (this package and those below it).

    Package rather than session scope: Playwright is stopped, and the main thread freed of its
    event loop, before the rest of the suite runs — async_to_sync() and Django's async-safety
    check work again there.
    """
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        require_service(False, "Chromium (/usr/bin/chromium, Debian package `chromium`)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in the main thread while it is alive.
    # Two consequences for Django in that thread (the test body, the transactional flush):
    # 1. it refuses ORM calls ("async context"), unless DJANGO_ALLOW_ASYNC_UNSAFE is set;
    # 2. `connections` (an asgiref Local, thread-critical) switches from thread-local storage
    #    to a context variable, i.e. to brand-new connection objects — which lack the migrated
    #    content serialized at setup, so serialized_rollback silently restored nothing and
    #    every browser test after the first ran without countries or action areas.
    #    Pinning the existing connection objects into the new storage keeps one connection.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    thread_connections = {alias: connections[alias] for alias in connections}
    playwright = None
    try:
        playwright = sync_playwright().start()
        for alias, connection in thread_connections.items():
            connections[alias] = connection
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        if playwright is not None:
            playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page_locale() -> str:
    """The browser's language (Accept-Language and navigator.language)."""
    return "en-GB"


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def page(
    request,
    browser,
    live_server,
    transactional_db,
    django_db_serialized_rollback,
    browser_errors,
    page_locale,
):
    new_page = open_person_page(
        browser, base_url=live_server.url, locale=page_locale, errors=browser_errors
    )
    yield new_page
    if _failed(request):
        save_failure_screenshot(new_page, request.node.name)
    new_page.context.close()
    unexpected = browser_errors.unexpected(since=browser_errors.reported)
    if unexpected:
        pytest.fail(
            "The browser reported errors during the test (CSP violations are errors):\n"
            + "\n".join(f"- {e}" for e in unexpected),
            pytrace=False,
        )


@pytest.fixture
def checkpoint(request, page, browser_errors):
    """On each page of a journey: accessibility, no English left, no browser errors."""

    def check(step: str) -> None:
        check_visit(page, request.node.name, step, browser_errors)

    return check


@pytest.fixture
def person_browser(request, browser, live_server, browser_errors):
    """Another person's browser: a context of its own (cookies, language), the same error log as
    `page`, so that their console errors and CSP violations fail the test too."""
    opened = []

    def open_browser(who: str, language: str):
        person_page = open_person_page(
            browser,
            base_url=live_server.url,
            locale=BROWSER_LOCALES[language],
            errors=browser_errors,
            who=who,
        )
        opened.append((who, person_page))
        return person_page

    yield open_browser
    for who, person_page in opened:
        if _failed(request):
            save_failure_screenshot(person_page, request.node.name, who)
        person_page.context.close()


@pytest.fixture
def checkpoint_of(request, browser_errors):
    """checkpoint() for any person's page: axe, no English left, no browser error so far."""

    def check(person_page, step: str) -> None:
        check_visit(person_page, request.node.name, step, browser_errors)

    return check


def _failed(request) -> bool:
    report = getattr(request.node, "rep_call", None)
    return report is not None and report.failed


@pytest.fixture(scope="package", autouse=True)
def _migrated_data_restored_after_browser_tests(django_db_setup, django_db_blocker):
    """Leave the test database as migrations made it, for the tests that run after these."""
    yield
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents is None:
                continue
            call_command(
                "flush",
                database=connection.alias,
                interactive=False,
                inhibit_post_migrate=True,
                reset_sequences=False,
                verbosity=0,
            )
            connection.creation.deserialize_db_from_string(contents)
            # Rows came back with their ids: move PostgreSQL sequences past them.
            statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
            if statements:
                with connection.cursor() as cursor:
                    for sql in statements:
                        cursor.execute(sql)
