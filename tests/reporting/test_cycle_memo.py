"""The public pledge page reads the reporting cycles from a per-process memo keyed by their
table's version (reporting.selectors.progress.opened_cycles): no query per page, and a cycle
added, changed or deleted shows on the next page all the same."""

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .cycles import make_cycle, moment


def _page(client, pledge) -> tuple[str, list[str]]:
    cache.clear()  # the whole-page cache: every request renders the page
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/en/pledges/{pledge.pk}/")
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries.captured_queries]


def test_a_cycle_written_after_the_memo_shows_on_the_next_page(pledge, anonymous):
    with moment("2025-02-01"):
        html, _sql = _page(anonymous, pledge)
        assert "Up to date" in html and "Report due" not in html

        cycle = make_cycle()  # opened 2025-01-15, due 2025-03-31: covers the 2024 pledge
        html, _sql = _page(anonymous, pledge)
        assert "Report due" in html

        html, sql = _page(anonymous, pledge)  # unchanged: from the memo
        assert "Report due" in html
        assert not any("reporting_reportingcycle" in statement for statement in sql)

        cycle.due_on = datetime.date(2025, 1, 31)
        cycle.save()
        html, _sql = _page(anonymous, pledge)
        assert "Report overdue" in html

        cycle.delete()
        html, _sql = _page(anonymous, pledge)
        assert "Up to date" in html and "Report overdue" not in html


def test_a_cycle_not_opened_yet_is_left_out_until_it_opens(pledge, anonymous):
    make_cycle()  # opens on 2025-01-15
    with moment("2025-01-10"):
        html, _sql = _page(anonymous, pledge)
        assert "Up to date" in html
    with moment("2025-01-20"):
        html, sql = _page(anonymous, pledge)
        assert "Report due" in html
        assert not any("reporting_reportingcycle" in statement for statement in sql)
