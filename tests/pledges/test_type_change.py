"""A pledge keeps only its own type's details: a new type clears the old type's in the same
save (said on the form beforehand), in the member's form and in the review desk alike, and a
data migration cleaned the pledges saved before that rule."""

import importlib
import json
from decimal import Decimal

import pytest
from django.apps import apps

from pledges.models import Pledge
from tests.admin_import import csv_bytes, problems, upload
from tests.factories import PledgeFactory
from tests.pledges.test_import_export import PATH, paper_rows
from tests.pledges.test_member_form import draft, fill_everything, post_section  # noqa: F401
from tests.pledges.test_review_desk import ADMIN, change_form_data

pytestmark = pytest.mark.django_db

FINANCIAL_DETAILS = ("amount", "currency", "usd_amount", "usd_rate", "usd_rate_date", "modality")


def test_the_basics_form_says_which_details_a_new_type_removes(member_client, draft):  # noqa: F811
    fill_everything(member_client, draft)
    html = member_client.get(f"/en/my-pledges/{draft.pk}/edit/basics/").content.decode()
    assert "Choosing another type removes the details of the type “Financial”" in html
    assert "amount, currency and modality" in html
    french = member_client.get(f"/fr/my-pledges/{draft.pk}/edit/basics/").content.decode()
    assert "montant, monnaie et modalité" in french


def test_a_member_changing_the_type_clears_the_old_types_details(member_client, draft):  # noqa: F811
    fill_everything(member_client, draft)
    draft.refresh_from_db()
    assert draft.amount == Decimal("1000000") and draft.usd_amount is not None
    basics = {"title": draft.title, "summary": draft.summary, "description": draft.description,
              "pledge_type": "policy", "start_date": "2022-06-06", "end_date": "2025-12-31"}
    assert post_section(member_client, draft, "basics", basics).status_code == 302
    draft.refresh_from_db()
    assert draft.pledge_type == "policy"
    assert [getattr(draft, name) for name in FINANCIAL_DETAILS] == [None, "", None, None, None, ""]
    policy = {"policy_instrument": "law", "policy_stage": "adopted", "jurisdiction": "Rwanda"}
    assert post_section(member_client, draft, "details", policy).status_code == 302
    draft.refresh_from_db()
    assert (draft.policy_instrument, draft.amount) == ("law", None)
    review = member_client.get(f"/en/my-pledges/{draft.pk}/review/").content.decode()
    assert "1,000,000" not in review and "Grant" not in review


def test_keeping_the_type_keeps_the_details(member_client, draft):  # noqa: F811
    fill_everything(member_client, draft)
    basics = {"title": "Shorter title", "pledge_type": "financial"}
    assert post_section(member_client, draft, "basics", basics).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.amount, draft.modality) == ("Shorter title", 1000000, "grant")


def test_the_secretariat_changing_the_type_clears_the_details_in_the_open_data(
    secretariat_client, anonymous
):
    pledge = PledgeFactory(published=True, financial=True, title="Fibre for Kigali")
    data = change_form_data(secretariat_client, pledge)
    assert data["amount"]  # the old type's details are posted back with the new type
    data.update(pledge_type="policy", policy_instrument="strategy", policy_stage="adopted")
    response = secretariat_client.post(f"{ADMIN}{pledge.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    pledge.refresh_from_db()
    assert [getattr(pledge, name) for name in FINANCIAL_DETAILS] == [None, "", None, None, None, ""]
    body = b"".join(anonymous.get("/en/pledges/export.json").streaming_content)
    [record] = json.loads(body)["pledges"]
    assert (record["pledge_type"], record["policy_instrument"]) == ("policy", "strategy")
    assert (record["amount"], record["usd_amount"], record["modality"]) == (None, None, "")
    page = anonymous.get(f"/en/pledges/{pledge.pk}/").content.decode()
    assert "1,000,000" not in page


def test_the_desk_refuses_a_detail_of_another_type_with_a_message(secretariat_client):
    pledge = PledgeFactory(submitted=True)  # a programme pledge
    data = change_form_data(secretariat_client, pledge)
    data.update(amount="5000", currency="EUR")
    response = secretariat_client.post(f"{ADMIN}{pledge.pk}/change/", data)
    assert response.status_code == 200
    assert "Only the details of the pledge’s type are kept" in response.content.decode()
    pledge.refresh_from_db()
    assert (pledge.amount, pledge.version) == (None, 1)


def test_the_migration_clears_stale_details_and_leaves_clean_pledges_alone():
    stale = PledgeFactory(published=True, financial=True)
    Pledge.objects.filter(pk=stale.pk).update(pledge_type="programme", programme_kind="new",
                                              people_to_reach=100)
    clean = PledgeFactory(published=True, financial=True)
    untyped = PledgeFactory(pledge_type="", programme_kind="new", people_to_reach=5)
    migration = importlib.import_module("pledges.migrations.0011_clear_stale_type_details")
    for _run in range(2):  # run twice: the second finds nothing to change
        migration.clear_other_types_details(apps, None)
    stale.refresh_from_db()
    assert [getattr(stale, name) for name in FINANCIAL_DETAILS] == [None, "", None, None, None, ""]
    assert (stale.programme_kind, stale.people_to_reach) == ("new", 100)
    clean.refresh_from_db()
    assert (clean.amount, clean.modality) == (Decimal("1000000.00"), "grant")
    untyped.refresh_from_db()
    assert (untyped.programme_kind, untyped.people_to_reach) == ("", None)


def test_an_import_row_giving_another_types_detail_is_asked_what_it_means(
    secretariat_client, entity
):
    rows = paper_rows(entity)
    rows[2][9] = "EUR 2,000"  # the programme pledge's row gives an amount
    preview = upload(secretariat_client, PATH, csv_bytes(rows))
    assert (3, "amount") in {(line, column) for line, column, _message in problems(preview)}
    assert "This is not a detail of a pledge of type “Programme”" in preview.content.decode()
    assert Pledge.objects.count() == 0
