"""The full open-data downloads are pre-built files (pledges.open_data_files), served as they are
only while they hold the public pledges as they are now: a publication, a withdrawal, an edit or
an embargo's end shows in the next download, never a stale file."""

import csv
import datetime
import io
import json

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pledges import facet_bitsets, open_data_files, tasks
from pledges.models import Pledge
from pledges.workflow import pledge_transition
from tests.factories import PledgeFactory
from tests.pledges.public_data import bulk_pledges

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _references(response) -> set[str]:
    text = _body(response).decode("utf-8-sig")
    return {row["reference"] for row in csv.DictReader(io.StringIO(text, newline=""))}


def _from_file(response) -> bool:
    return response.has_header("ETag")


def _build() -> int:
    return tasks.open_data_files_build.apply().get()


def test_the_files_hold_exactly_what_the_streamed_download_holds(anonymous):
    bulk_pledges(9)
    PledgeFactory(published=True, title="=HYPERLINK(\"http://evil\")", summary="@SUM(A1)")
    streamed_csv = anonymous.get("/fr/pledges/export.csv")
    streamed_json = anonymous.get("/fr/pledges/export.json")
    assert not _from_file(streamed_csv) and not _from_file(streamed_json)
    streamed_csv, streamed_json = _body(streamed_csv), json.loads(_body(streamed_json))

    assert _build() == 2 * len(settings.LANGUAGES)  # CSV and JSON, every language
    served_csv = anonymous.get("/fr/pledges/export.csv")
    served_json = anonymous.get("/fr/pledges/export.json")
    assert _from_file(served_csv) and _from_file(served_json)
    assert served_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert served_csv["Content-Disposition"].startswith('attachment; filename="p2c-pledges-')
    assert _body(served_csv) == streamed_csv  # byte for byte, formula guard included
    assert "'=HYPERLINK" in streamed_csv.decode("utf-8-sig")
    served_json = json.loads(_body(served_json))
    for data in (served_json, streamed_json):
        del data["generated_at"]
    assert served_json == streamed_json
    assert served_json["pledges"][0]["url"].startswith(f"{settings.SITE_URL}/fr/pledges/")
    assert any(p["title"] == "=HYPERLINK(\"http://evil\")" for p in served_json["pledges"])


def test_each_language_has_its_own_addresses(anonymous):
    pledge = PledgeFactory(published=True)
    _build()
    for language in ("en", "ar", "zh-hans"):
        text = _body(anonymous.get(f"/{language}/pledges/export.csv")).decode("utf-8-sig")
        assert f"{settings.SITE_URL}/{language}/pledges/{pledge.pk}/" in text
        data = json.loads(_body(anonymous.get(f"/{language}/pledges/export.json")))
        assert data["pledges"][0]["url"] == f"{settings.SITE_URL}/{language}/pledges/{pledge.pk}/"
        assert data["source"] == f"{settings.SITE_URL}/{language}/pledges/"


def test_a_publication_shows_in_the_next_download(anonymous, secretariat):
    PledgeFactory(published=True, reference="P2C-2022-0001")
    waiting = PledgeFactory(status="submitted", reference="P2C-2022-0002")
    _build()
    assert _references(anonymous.get("/en/pledges/export.csv")) == {"P2C-2022-0001"}

    pledge_transition(pledge_id=waiting.pk, name="publish", actor=secretariat)
    response = anonymous.get("/en/pledges/export.csv")
    assert not _from_file(response)  # the file of the set before is not served
    assert _references(response) == {"P2C-2022-0001", "P2C-2022-0002"}
    _build()
    response = anonymous.get("/en/pledges/export.csv")
    assert _from_file(response)
    assert _references(response) == {"P2C-2022-0001", "P2C-2022-0002"}


def test_a_withdrawal_and_an_edit_show_in_the_next_download(anonymous):
    kept = PledgeFactory(published=True, reference="P2C-2022-0001", title="Old title")
    leaving = PledgeFactory(published=True, reference="P2C-2022-0002")
    _build()
    leaving.status = "withdrawn"  # as pledges.workflow saves it
    leaving.save()
    assert _references(anonymous.get("/en/pledges/export.csv")) == {"P2C-2022-0001"}
    _build()
    kept.title = "New title"
    kept.save()
    data = json.loads(_body(anonymous.get("/en/pledges/export.json")))
    assert [p["title"] for p in data["pledges"]] == ["New title"]


def test_a_public_pledge_deleted_by_an_operator_leaves_the_next_download(anonymous):
    """No page deletes a public pledge (the admin refuses: its targets may not be deleted there);
    an operator may, from a shell (a take-down). It leaves no row whose save would tell the
    files' version: without the pledges' version, bumped by a trigger on such a deletion, the
    file holding the pledge was served until some other public pledge changed."""
    deleted = PledgeFactory(published=True, reference="P2C-2022-0001")
    PledgeFactory(published=True, reference="P2C-2022-0002")  # saved later: the latest save
    _build()
    assert _references(anonymous.get("/en/pledges/export.csv")) == {
        "P2C-2022-0001", "P2C-2022-0002"}

    Pledge.objects.filter(pk=deleted.pk).delete()

    response = anonymous.get("/en/pledges/export.csv")
    assert not _from_file(response)
    assert _references(response) == {"P2C-2022-0002"}
    _build()
    assert _references(anonymous.get("/en/pledges/export.csv")) == {"P2C-2022-0002"}


def test_an_embargoed_pledge_is_in_the_download_once_the_embargo_ends(anonymous):
    opening = timezone.now() + datetime.timedelta(hours=2)
    PledgeFactory(published=True, reference="P2C-2022-0001")
    PledgeFactory(published=True, reference="P2C-2022-0002", embargo_until=opening)
    _build()
    assert _references(anonymous.get("/en/pledges/export.csv")) == {"P2C-2022-0001"}
    with time_machine.travel(opening + datetime.timedelta(minutes=1)):
        assert _references(anonymous.get("/en/pledges/export.csv")) == {
            "P2C-2022-0001", "P2C-2022-0002"}


def test_a_filtered_download_is_never_the_file_of_every_pledge(anonymous):
    bulk_pledges(8)
    _build()
    response = anonymous.get("/en/pledges/export.csv?type=financial")
    assert not _from_file(response)
    assert len(_references(response)) == 2


def test_a_browser_holding_the_file_gets_not_modified(anonymous):
    PledgeFactory(published=True)
    _build()
    first = anonymous.get("/en/pledges/export.json")
    assert first["Last-Modified"]
    again = anonymous.get("/en/pledges/export.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    PledgeFactory(published=True)  # the public set changed: the whole new download
    changed = anonymous.get("/en/pledges/export.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert len(json.loads(_body(changed))["pledges"]) == 2


def test_building_twice_writes_nothing_the_second_time_and_removes_old_versions():
    PledgeFactory(published=True)
    assert _build() == 12
    files = sorted(open_data_files.open_data_dir().iterdir())
    stamps = [path.stat().st_mtime_ns for path in files]
    assert _build() == 0
    assert sorted(open_data_files.open_data_dir().iterdir()) == files
    assert [path.stat().st_mtime_ns for path in files] == stamps
    PledgeFactory(published=True)
    assert _build() == 12
    assert not set(files) & set(open_data_files.open_data_dir().iterdir())  # old set removed
    assert len(list(open_data_files.open_data_dir().iterdir())) == 24  # with their row indexes


def test_a_missing_file_queues_one_rebuild_however_many_download(
    anonymous, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.open_data_files_build, "delay", lambda: queued.append(1))
    PledgeFactory(published=True)
    with django_capture_on_commit_callbacks(execute=True):
        for _download in range(3):
            anonymous.get("/en/pledges/export.csv")
        assert tasks.open_data_files_refresh.apply().get() is False  # debounced as well
    assert queued == [1]


def test_beat_queues_a_build_only_when_a_file_is_missing(monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.open_data_files_build, "delay", lambda: queued.append(1))
    PledgeFactory(published=True)
    _build()
    assert tasks.open_data_files_refresh.apply().get() is False
    assert queued == []


def test_serving_the_file_takes_the_same_queries_for_many_pledges(anonymous):
    PledgeFactory(published=True)
    _build()
    anonymous.get("/en/pledges/export.csv")  # the filters' reference data, cached since
    with CaptureQueriesContext(connection) as few:
        assert _from_file(anonymous.get("/en/pledges/export.csv"))
    bulk_pledges(30)
    _build()
    with CaptureQueriesContext(connection) as many:
        assert _from_file(anonymous.get("/en/pledges/export.csv"))
    assert len(many.captured_queries) == len(few.captured_queries) <= 2


CUT_FILTERS = ["type=financial", "q=schools&area=access", "type=advocacy&region=africa",
               "country=FRA"]  # the last: no pledge names France


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_filtered_download_is_cut_from_the_files_byte_for_byte(anonymous, language):
    """With the files built, a filtered download is the header and the chosen rows read from
    the file of every pledge (its row index), not written again by the database: the same
    bytes, headers and JSON header as the streamed writer's."""
    with time_machine.travel(timezone.now(), tick=False):  # the JSON header's moment
        bulk_pledges(12)
        PledgeFactory(published=True, financial=True, title='=HYPERLINK("http://evil")',
                      summary="@SUM(A1) ;\n\"quoted\" صندوق")
        streamed = {(file_format, query): anonymous.get(
            f"/{language}/pledges/export.{file_format}?{query}")
            for file_format in ("csv", "json") for query in CUT_FILTERS}
        streamed = {key: (response, _body(response)) for key, response in streamed.items()}
        _build()
        for (file_format, query), (expected, expected_body) in streamed.items():
            with CaptureQueriesContext(connection) as queries:
                response = anonymous.get(f"/{language}/pledges/export.{file_format}?{query}")
                body = _body(response)
            assert not any("WITH selection (id)" in q["sql"] for q in queries.captured_queries)
            assert body == expected_body, (file_format, query)
            for header in ("Content-Type", "Content-Disposition"):
                assert response[header] == expected[header]
    assert "'=HYPERLINK" in streamed[("csv", "type=financial")][1].decode("utf-8-sig")
    assert json.loads(streamed[("json", "country=FRA")][1])["pledges"] == []


def test_a_filtered_download_after_a_publication_holds_it(anonymous):
    bulk_pledges(8)
    _build()
    assert len(_references(anonymous.get("/en/pledges/export.csv?type=financial"))) == 2
    PledgeFactory(published=True, financial=True, reference="P2C-2022-0042")
    references = _references(anonymous.get("/en/pledges/export.csv?type=financial"))
    assert len(references) == 3 and "P2C-2022-0042" in references


def test_a_file_without_its_row_index_is_streamed_filtered(postgresql, anonymous):
    """Files built before row indexes existed (or an index removed): the filtered download is
    written by the database as before, still right (PostgreSQL's writer: skipped on SQLite)."""
    bulk_pledges(8)
    _build()
    for index in open_data_files.open_data_dir().glob("*.rows"):
        index.unlink()
    with CaptureQueriesContext(connection) as queries:
        references = _references(anonymous.get("/en/pledges/export.csv?type=financial"))
    assert len(references) == 2
    assert any("WITH selection (id)" in q["sql"] for q in queries.captured_queries)


def test_a_filtered_download_is_not_cut_from_bitsets_another_request_is_rebuilding(
    postgresql, anonymous, monkeypatch
):
    """While one request builds the facet bitsets of the new public set, the others are given
    the previous ones (pledges.facet_bitsets.current): a download cut with those would be the
    previous version's file, with a pledge withdrawn a moment ago. It is written by the
    database then."""
    kept = PledgeFactory(published=True, financial=True, reference="P2C-2022-0001")
    leaving = PledgeFactory(published=True, financial=True, reference="P2C-2022-0002")
    _build()
    previous = facet_bitsets.current()
    leaving.status = "withdrawn"  # as pledges.workflow saves it
    leaving.save()
    monkeypatch.setattr(facet_bitsets, "current", lambda: previous)
    assert _references(anonymous.get("/en/pledges/export.csv?type=financial")) == {
        kept.reference}
