"""Every currency counted (issue #17): monthly UN operational rates uploaded by the secretariat, a
pledge converted at the rate of the month its amount was pledged, pledges without a rate flagged
and counted apart, then converted once when the rate arrives."""

import datetime
import io
import json
import threading
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from pledges import rates, services, workflow
from pledges.models import CurrencyRate, CurrencyRateUpload, Pledge, RateSource
from pledges.rate_files import RateFileError, read_rates_file
from pledges.tasks import currency_rate_upload_convert
from tests.factories import PledgeFactory

JUNE_2022 = datetime.date(2022, 6, 1)
KES_CSV = b"currency,month,rate_per_usd\nKES,2022-06,116.5\n"


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


def kes_pledge(**extra) -> Pledge:
    """A published KES pledge first submitted in June 2022, as the workflow leaves it when June's
    rate is not recorded: no USD equivalent, waiting for that month's rate."""
    values = dict(published=True, financial=True, amount=Decimal("233000000"), currency="KES",
                  usd_amount=None, usd_rate=None, usd_rate_date=None, amount_month=JUNE_2022,
                  first_submitted_at=at("2022-06-03"), submitted_at=at("2022-06-03"),
                  published_at=at("2022-06-06"))
    return PledgeFactory(**{**values, **extra})


def upload(content: bytes, *, user=None, name="rates.csv"):
    return rates.currency_rates_upload(user=user, file_name=name, content=content)


# --- Reading and checking files ------------------------------------------------------------------

UN_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<UN_OPERATIONAL_RATES_DATASET>
  <UN_OPERATIONAL_RATES>
    <COUNTRY_NAME>KENYA</COUNTRY_NAME><CURR_NAME>Kenyan Shilling</CURR_NAME>
    <F_CURR_CODE>KES</F_CURR_CODE><RATE>116.5</RATE><EFFECTIVE_DATE>01-JUN-22</EFFECTIVE_DATE>
  </UN_OPERATIONAL_RATES>
  <UN_OPERATIONAL_RATES>
    <COUNTRY_NAME>NIGERIA</COUNTRY_NAME><CURR_NAME>Naira</CURR_NAME>
    <F_CURR_CODE>NGN</F_CURR_CODE><RATE>415.2</RATE><EFFECTIVE_DATE>31-MAY-22</EFFECTIVE_DATE>
  </UN_OPERATIONAL_RATES>
  <UN_OPERATIONAL_RATES>
    <COUNTRY_NAME>GHANA</COUNTRY_NAME><CURR_NAME>Ghana Cedi</CURR_NAME>
    <F_CURR_CODE>GHS</F_CURR_CODE><RATE>7.6</RATE><EFFECTIVE_DATE>15-JUN-22</EFFECTIVE_DATE>
  </UN_OPERATIONAL_RATES>
</UN_OPERATIONAL_RATES_DATASET>
"""


def test_the_un_treasury_xml_gives_one_rate_per_currency_per_month():
    parsed = read_rates_file("operational_rates.xml", UN_XML)
    assert parsed.file_format == "un_xml"
    # Effective 31 May: the monthly revision for June. The mid-month revision is left aside, said.
    assert [(r.currency, r.month, r.rate_per_usd) for r in parsed.rows] == [
        ("KES", JUNE_2022, Decimal("116.5")), ("NGN", JUNE_2022, Decimal("415.2")),
    ]
    assert len(parsed.notes) == 1 and "GHS" in parsed.notes[0]
    assert "mid-month revision" in parsed.notes[0]


def test_the_un_treasury_excel_file_is_read_by_its_headings():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["United Nations Operational Rates of Exchange"])
    sheet.append(["Country/Area", "Currency", "Currency Code", "Rate", "Effective Date"])
    sheet.append(["Kenya", "Kenyan Shilling", "KES", 116.5, datetime.datetime(2022, 6, 1)])
    sheet.append(["Euro Area", "Euro", "EUR", "0.9346", "01.06.2022"])
    content = io.BytesIO()
    book.save(content)
    parsed = read_rates_file("rates.xlsx", content.getvalue())
    assert parsed.file_format == "un_xlsx"
    assert [(r.currency, r.month, r.rate_per_usd) for r in parsed.rows] == [
        ("KES", JUNE_2022, Decimal("116.5")), ("EUR", JUNE_2022, Decimal("0.9346")),
    ]


def test_an_xml_file_declaring_entities_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(RateFileError):
        read_rates_file("rates.xml", bomb)


@pytest.mark.django_db
def test_a_malformed_file_saves_nothing_and_names_each_bad_row(secretariat):
    before = CurrencyRate.objects.count()
    content = (
        b"currency,month,rate_per_usd\n"
        b"KES,2022-06,116.5\n"       # good, but not saved: another row is bad
        b"EUX,2022-06,1.2\n"         # row 3: not a currency
        b"NGN,2022-06,0\n"           # row 4: not positive
        b"GHS,2022-06,-7\n"          # row 5: negative
        b"EUR,2022-06,0.000001\n"    # row 6: absurd (dollars per unit?)
        b"XOF,2022-13,600\n"         # row 7: no such month
        b"TZS,2022-06,lots\n"        # row 8: not a number
        b"KES,2022-06,117\n"         # row 9: same month, another rate
    )
    with pytest.raises(RateFileError) as raised:
        upload(content, user=secretariat)
    errors = raised.value.errors
    assert [error.split(":")[0] for error in errors] == [
        "Row 3", "Row 4", "Row 5", "Row 6", "Row 7", "Row 8", "Row 9",
    ]
    assert "“EUX” is not an ISO 4217 currency code" in errors[0]
    assert "more than zero" in errors[1] and "more than zero" in errors[2]
    assert "not a plausible rate" in errors[3]
    assert "“2022-13” is not a month" in errors[4]
    assert "“lots” is not a number" in errors[5]
    assert "also on row 2" in errors[6]
    assert CurrencyRate.objects.count() == before
    assert not CurrencyRateUpload.objects.exists()


# --- Uploading: history and idempotency ----------------------------------------------------------

@pytest.mark.django_db
def test_an_upload_keeps_its_history_and_the_same_file_twice_changes_nothing(secretariat):
    first = upload(KES_CSV, user=secretariat, name="june-2022.csv")
    rate = CurrencyRate.objects.get(currency="KES", month=JUNE_2022)
    assert (rate.rate_per_usd, rate.source, rate.upload) == (
        Decimal("116.5"), RateSource.SECRETARIAT, first.upload)
    record = first.upload
    assert (record.uploaded_by, record.file_name, record.file_format) == (
        secretariat, "june-2022.csv", "csv")
    assert record.rows == [{"line": 2, "currency": "KES", "month": "2022-06-01",
                            "rate_per_usd": "116.5"}]
    history = rate.history.count()

    again = upload(KES_CSV, user=secretariat, name="june-2022.csv")
    assert (again.upload, again.changed) == (None, 0)
    assert CurrencyRateUpload.objects.count() == 1
    assert rate.history.count() == history

    corrected = upload(b"currency,month,rate_per_usd\nKES,2022-06,116.75\n", user=secretariat)
    assert corrected.changed == 1
    assert corrected.upload.changes[0]["replaced"] == "116.500000"
    assert rate.history.count() == history + 1


@pytest.mark.django_db
def test_only_the_secretariat_uploads_rates(member):
    with pytest.raises(rates.permissions.PermissionDenied):
        upload(KES_CSV, user=member)
    assert not CurrencyRate.objects.filter(currency="KES").exists()


@pytest.mark.django_db
def test_the_seeded_placeholder_rates_became_monthly_test_data():
    """Migration 0018: the seven indicative daily rates of 2022-06-01 are June 2022's rates,
    in units per dollar, marked test data (never official)."""
    euro = CurrencyRate.objects.get(currency="EUR", month=JUNE_2022)
    assert euro.rate_per_usd == Decimal("0.952381")  # was 1.05 USD per euro
    assert euro.is_test_data
    assert set(CurrencyRate.objects.filter(month=JUNE_2022).values_list("source", flat=True)) \
        == {RateSource.TEST_DATA}


# --- The admin page -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_secretariat_uploads_a_file_in_the_admin_and_sees_each_bad_row(secretariat_client):
    page = secretariat_client.get("/en/admin/pledges/currencyrate/")
    text = page.content.decode()
    assert "treasury.un.org/operationalrates" in text and "Upload rates" in text
    assert "Test data: not an official rate" in text  # the seeded rates, shown as such

    bad = SimpleUploadedFile("bad.csv", b"currency,month,rate_per_usd\nEUX,2022-06,3\n")
    response = secretariat_client.post("/en/admin/pledges/currencyrate/upload/", {"file": bad})
    assert response.status_code == 200
    assert "Row 2: “EUX” is not an ISO 4217 currency code." in response.content.decode()

    good = SimpleUploadedFile("june.csv", KES_CSV)
    response = secretariat_client.post("/en/admin/pledges/currencyrate/upload/", {"file": good},
                                       follow=True)
    assert "1 of the 1 rates of the file were new or changed" in response.content.decode()
    assert CurrencyRate.objects.filter(currency="KES", month=JUNE_2022).exists()
    uploads = secretariat_client.get("/en/admin/pledges/currencyrateupload/").content.decode()
    assert "june.csv" in uploads


@pytest.mark.django_db
def test_the_rates_list_reads_a_constant_number_of_queries(
    secretariat_client, django_assert_max_num_queries
):
    def count() -> int:
        with django_assert_max_num_queries(100) as captured:
            assert secretariat_client.get("/en/admin/pledges/currencyrate/").status_code == 200
        return len(captured)

    few = count()
    lines = "\n".join(f"{code},2022-07,{index + 2}" for index, code in enumerate(
        ["KES", "NGN", "GHS", "TZS", "UGX", "ZAR", "INR", "BRL", "MXN", "IDR"]))
    upload(f"currency,month,rate_per_usd\n{lines}\n".encode())
    assert count() == few


@pytest.mark.django_db
def test_a_member_cannot_reach_the_upload_page(member_client):
    response = member_client.get("/en/admin/pledges/currencyrate/upload/")
    assert response.status_code in (302, 403)


# --- The month of a pledge ------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_pledge_is_converted_at_the_rate_of_the_month_of_its_first_submission(member):
    upload(b"currency,month,rate_per_usd\nKES,2022-05,115\nKES,2022-06,116.5\n"
           b"KES,2022-07,118\n")
    with time_machine.travel(at("2022-05-20"), tick=False):
        draft = PledgeFactory(entity=member.memberships.first().entity, pledge_type="financial",
                              programme_kind="", people_to_reach=None, modality="grant")
        services.pledge_save_section(user=member, pledge_id=draft.pk, section="details",
                                     values={"amount": Decimal("1165000"), "currency": "KES"},
                                     raw_input=None, expected_version=None)
        draft.refresh_from_db()
        # A draft: provisionally at the month of the amount's last change.
        assert (draft.amount_month, draft.usd_amount) == (datetime.date(2022, 5, 1),
                                                          Decimal("10130.43"))
    with time_machine.travel(at("2022-06-03"), tick=False):
        workflow.pledge_transition(pledge_id=draft.pk, name="submit", actor=member)
    draft.refresh_from_db()
    assert (draft.amount_month, draft.usd_rate, draft.usd_rate_date, draft.usd_amount) == (
        JUNE_2022, Decimal("116.5"), JUNE_2022, Decimal("10000.00"))
    with time_machine.travel(at("2022-07-10"), tick=False):
        # A correction after submission keeps the month the amount was pledged in.
        services.pledge_correct(user=_secretariat(), pledge_id=draft.pk,
                                values={"amount": Decimal("2330000")},
                                expected_version=draft.version)
    draft.refresh_from_db()
    assert (draft.usd_rate_date, draft.usd_amount) == (JUNE_2022, Decimal("20000.00"))


def _secretariat():
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(email="desk@itu.example.org", staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    user.user_permissions.add(Permission.objects.get(codename="change_pledge"))
    return user


@pytest.mark.django_db
def test_a_pledge_page_shows_the_rate_month_with_the_usd_figure(anonymous):
    pledge = PledgeFactory(published=True, financial=True, amount=Decimal("1000000"),
                           currency="EUR", usd_amount=Decimal("1050000"),
                           usd_rate=Decimal("0.952381"), usd_rate_date=JUNE_2022)
    text = anonymous.get(f"/en/pledges/{pledge.pk}/").content.decode()
    assert "at the UN operational rate of June 2022" in text
    text = anonymous.get(f"/fr/pledges/{pledge.pk}/").content.decode()
    assert "juin 2022" in text


@pytest.mark.django_db
def test_the_open_data_rate_date_of_a_usd_pledge_is_its_month_every_day(anonymous, member):
    with time_machine.travel(at("2022-06-03"), tick=False):
        draft = PledgeFactory(entity=member.memberships.first().entity, financial=True,
                              usd_amount=None, usd_rate=None, usd_rate_date=None,
                              amount_month=None)
        workflow.pledge_transition(pledge_id=draft.pk, name="submit", actor=member)
    Pledge.objects.filter(pk=draft.pk).update(status="published", published_at=at("2022-06-06"))
    for day in ("2024-01-15", "2026-12-06"):
        with time_machine.travel(at(day), tick=False):
            response = anonymous.get("/en/pledges/export.json")
            rows = json.loads(b"".join(response.streaming_content))["pledges"]
        assert [(row["usd_rate_date"], row["usd_rate"]) for row in rows] == [("2022-06-01", 1.0)]


# --- Pending pledges, flagged and counted apart ----------------------------------------------

@pytest.mark.django_db
def test_a_kes_pledge_without_a_rate_is_flagged_shown_pending_and_counted_apart(
    anonymous, secretariat_client
):
    pledge = kes_pledge()
    PledgeFactory(published=True, financial=True, usd_amount=Decimal("1000000"),
                  title="Dollars already counted")

    page = anonymous.get(f"/en/pledges/{pledge.pk}/").content.decode()
    assert "USD equivalent pending" in page
    home = anonymous.get("/en/").content.decode()
    assert "+ 1 pledge in another currency awaiting a rate" in home
    country = anonymous.get("/en/countries/RWA/").content.decode()
    assert "+ 1 pledge in another currency awaiting a rate" in country

    desk = secretariat_client.get("/en/admin/pledges/pledge/?usd=pending").content.decode()
    assert pledge.title in desk and "USD equivalent pending" in desk
    assert "Dollars already counted" not in desk  # only the pending one is listed

    from reporting.compiled_report_figures import _in_force, _totals

    today = datetime.date.today()
    assert _totals(_in_force(Pledge.objects.public(), today), today)["awaiting_rate"] == 1


@pytest.mark.django_db
def test_the_rate_arriving_converts_exactly_the_waiting_pledges_once(
    anonymous, django_capture_on_commit_callbacks
):
    waiting = kes_pledge()
    other_month = kes_pledge(amount_month=datetime.date(2022, 7, 1),
                             first_submitted_at=at("2022-07-03"))
    with django_capture_on_commit_callbacks(execute=True):
        result = upload(KES_CSV)
    job = CurrencyRateUpload.objects.get(pk=result.upload.pk)
    assert (job.status, job.pledges_converted) == ("done", 1)
    waiting.refresh_from_db()
    assert (waiting.usd_amount, waiting.usd_rate, waiting.usd_rate_date) == (
        Decimal("2000000.00"), Decimal("116.5"), JUNE_2022)
    other_month.refresh_from_db()
    assert other_month.usd_amount is None
    home = anonymous.get("/en/").content.decode()
    assert "+ 1 pledge in another currency awaiting a rate" in home
    page = anonymous.get(f"/en/pledges/{waiting.pk}/").content.decode()
    assert "at the UN operational rate of June 2022" in page

    # The task again (a second delivery): the job is done, nothing is written twice.
    versions = waiting.history.count()
    assert currency_rate_upload_convert(job.pk) is False
    assert rates.pledges_convert_again([waiting.pk]) == 0
    assert waiting.history.count() == versions


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_racing_convert_once_and_a_members_edit_is_not_lost(monkeypatch):
    """PostgreSQL, real connections: two workers take the same upload's job at once (one works
    it, the other finds it claimed), while a member's save holds the pledge's row lock."""
    from tests.conftest import require_service
    from tests.factories import MembershipFactory

    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    member = MembershipFactory(role="editor").user
    entity = member.memberships.first().entity
    draft = PledgeFactory(entity=entity, financial=True, status="changes_requested",
                          reference="P2C-2022-0999", amount=Decimal("116500"), currency="KES",
                          usd_amount=None, usd_rate=None, usd_rate_date=None,
                          amount_month=JUNE_2022, first_submitted_at=at("2022-06-03"))
    # Not queued at commit: the two workers below take the job.
    monkeypatch.setattr(rates.RATE_UPLOAD_JOBS, "enqueue_on_commit", lambda job_id: None)
    result = upload(KES_CSV)
    job_id = result.upload.pk
    locked, outcomes = threading.Event(), []

    def member_edits():
        from django.db import connection as own

        try:
            with transaction.atomic():
                services.pledge_save_section(
                    user=member, pledge_id=draft.pk, section="details",
                    values={"amount": Decimal("233000")}, raw_input=None,
                    expected_version=draft.version)
                locked.set()
                threading.Event().wait(0.5)  # the workers wait for this lock meanwhile
        finally:
            own.close()

    def worker():
        from django.db import connection as own

        try:
            locked.wait(timeout=5)
            outcomes.append(rates.currency_rate_upload_convert(upload_id=job_id))
        finally:
            own.close()

    threads = [threading.Thread(target=member_edits), threading.Thread(target=worker),
               threading.Thread(target=worker)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == [False, True]
    draft.refresh_from_db()
    # The member's amount is kept, and converted at June's rate.
    assert (draft.amount, draft.usd_amount) == (Decimal("233000.00"), Decimal("2000.00"))
    assert draft.version == 2  # the member's save; the conversion leaves the version alone
    assert CurrencyRateUpload.objects.get(pk=job_id).status == "done"


# --- The currency list ---------------------------------------------------------------------------

FUND_AND_METAL_CODES = ["BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW", "XAG",
                        "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS",
                        "XUA", "XXX"]


@pytest.mark.django_db
def test_the_currency_list_is_iso_4217_in_use_named_in_the_visitors_language(
    member_client, member
):
    from pledges.currencies import currencies_in_use

    draft = PledgeFactory(entity=member.memberships.first().entity, financial=True)
    english = member_client.get(f"/en/my-pledges/{draft.pk}/edit/details/").content.decode()
    french = member_client.get(f"/fr/my-pledges/{draft.pk}/edit/details/").content.decode()
    assert "KES — Kenyan Shilling" in english and "NGN — Nigerian Naira" in english
    assert "KES — shilling kényan" in french and "EUR — euro" in french
    for code in FUND_AND_METAL_CODES:
        assert code not in currencies_in_use()
        assert f'value="{code}"' not in english
    assert {"KES", "NGN", "RWF", "XOF", "XAF", "EUR", "USD"} <= currencies_in_use()


def test_the_import_reads_codes_and_english_or_french_names():
    from pledges.resources import CurrencyWidget

    widget = CurrencyWidget()
    assert [widget.clean(text, row={}) for text in (
        "kes", "Kenyan shilling", "shilling kényan", "euros", "Dollar des États-Unis",
    )] == ["KES", "KES", "KES", "EUR", "USD"]
    with pytest.raises(ValueError):
        widget.clean("XAU", row={})


@pytest.mark.django_db
def test_a_failed_conversion_is_run_again_from_the_desk(
    secretariat_client, django_capture_on_commit_callbacks, monkeypatch
):
    waiting = kes_pledge()
    monkeypatch.setattr(rates.RATE_UPLOAD_JOBS, "enqueue_on_commit", lambda job_id: None)
    job = upload(KES_CSV).upload
    CurrencyRateUpload.objects.filter(pk=job.pk).update(status="failed", last_error="Boom")
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post("/en/admin/pledges/currencyrateupload/", {
            "action": "convert_again", "_selected_action": [job.pk],
        })
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.pledges_converted, job.last_error) == ("done", 1, "")
    waiting.refresh_from_db()
    assert waiting.usd_amount == Decimal("2000000.00")
