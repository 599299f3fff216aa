"""A big file's preview and result stay readable pages: the preview lists every row with something
to check but only the first plain rows (it counts the others), and the result is shown a page at a
time — a file of 20,000 rows made pages of tens of megabytes."""

import pytest

from spreadsheets import admin_desk
from tests.admin_import import confirm, csv_bytes, upload
from tests.pledges.test_import_confirm import HEADINGS, PATH, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(admin_desk, "PREVIEW_PLAIN_ROWS_LISTED", 3)
    monkeypatch.setattr(admin_desk, "IMPORT_RESULT_ROWS_PER_PAGE", 2)


def _file(entity) -> bytes:
    rows = [row(entity, f"Pledge {n}") for n in range(5)]
    quarter = row(entity, "Pledge written with a quarter")
    quarter[HEADINGS.index("start_date")] = "Q3 2022"  # read as 1 July 2022: to check
    return csv_bytes([HEADINGS, *rows, quarter])


def test_the_preview_lists_what_to_check_and_counts_the_rest(small_pages, secretariat_client,
                                                             entity):
    preview = upload(secretariat_client, PATH, _file(entity), "kigali.csv")

    html = preview.content.decode()
    listed = [r["record"] for r in preview.context["preview_rows"]]
    # Pledge 0 shows how the entity and "KEN" are read; the later rows read them the same way:
    # three of them are listed, the fourth is counted.
    assert listed == ["Pledge 0", "Pledge 1", "Pledge 2", "Pledge 3",
                      "Pledge written with a quarter"]
    assert "<bdi>Q3 2022</bdi>" in html
    assert "1 more row is new or unchanged with nothing new to check" in html
    # Confirming still imports every row of the file.
    assert "6 new, 0 updated, 0 unchanged" in " ".join(html.split())


def test_the_result_is_shown_a_page_at_a_time(small_pages, secretariat_client, entity):
    preview = upload(secretariat_client, PATH, _file(entity), "kigali.csv")
    result = confirm(secretariat_client, PATH, preview)

    assert [r["record"] for r in result.context["rows"]] == ["Pledge 0", "Pledge 1"]
    assert "Page 1 of 3" in result.content.decode()
    last = secretariat_client.get(result.request["PATH_INFO"] + "?page=3")
    assert [r["record"] for r in last.context["rows"]] == [
        "Pledge 4", "Pledge written with a quarter"]
    assert 'rel="prev"' in last.content.decode() and 'rel="next"' not in last.content.decode()
    # A page that does not exist shows the last one rather than an error.
    assert secretariat_client.get(result.request["PATH_INFO"] + "?page=99").status_code == 200
