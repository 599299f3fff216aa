"""Issue 16's "done when", in one workbook as a delegation would send it, through the admin.

A title row merged across, a merged group heading, two sheets (one with French headings), a hidden
row, the values as people write them (Lao PDR, Q3 2022, €2.5m, Subvention, All LDCs), Arabic
and Chinese titles, a formula cell, a repeated row and an over-long description. The first
preview lists every problem at once, grouped, and gives the workbook back with the problem cells
marked; once the delegation's mistakes are fixed, the preview shows each value as it will be
stored next to what the file says, the incomplete row becomes a draft whose entity is invited,
and the pledge of an entity that is not vetted is imported but cannot be published.
(Two concurrent confirmations: tests/pledges/test_import_confirm.py, on PostgreSQL.)
"""

import io

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from p2c_portal.models import OutboundEmail
from pledges import workflow
from pledges.models import Pledge
from tests.admin_import import confirm, messages_of, problems, upload
from tests.factories import EntityFactory, MembershipFactory, UserFactory
from tests.pledges.test_import_export import HEADINGS

pytestmark = pytest.mark.django_db

PATH = "pledges/pledge"
IMPORT = f"/en/admin/{PATH}/import/"
TARGET = "Schools connected | schools | 0 | 1,000 | 30/06/2026"


def pledge_row(entity_name, title, **cells) -> list:
    values = {
        "Entity": entity_name, "Title": title, "Summary": "Broadband for rural schools.",
        "Type of pledge": "Financial", "start_date": "Q3 2022", "end_date": "2026",
        "action_areas": "Access", "countries": "Lao PDR; Rwanda", "sdgs": "SDG 4",
        "amount": "€2.5m", "currency": "", "modality": "Subvention", "programme_kind": "",
        "people_to_reach": "", "targets": TARGET, "contact_name": "Awa",
        "contact_email": "awa@example.org", "status": "",
    }
    values.update(cells)
    return [values[heading] for heading in HEADINGS]


def delegation_workbook(entity, unvetted, *, with_mistakes: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Roundtable"
    sheet.append(["Partner2Connect roundtable — pledges received"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADINGS))
    groups = [""] * len(HEADINGS)
    groups[0], groups[HEADINGS.index("amount")] = "Pledge", "Money"
    sheet.append(groups)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=9)
    sheet.append(HEADINGS)  # line 3
    sheet.append(pledge_row(entity.name, "ربط المدارس الريفية"))  # line 4
    sheet.append(pledge_row(entity.name, "连接农村学校", countries="All LDCs",
                            amount="USD 5 million"))  # line 5
    sheet.append(pledge_row(entity.name, "Not complete yet", targets=""))  # line 6
    sheet.append(pledge_row(unvetted.name, "Fibre by an entity not vetted"))  # line 7
    sheet.append(pledge_row(entity.name, "A row the delegation hid"))  # line 8
    sheet.row_dimensions[8].hidden = True
    if with_mistakes:
        sheet.append(pledge_row(entity.name, "ربط المدارس الريفية"))  # line 9: repeats line 4
        sheet.append(pledge_row(entity.name, "Far too long", Summary="x" * 700))  # line 10
        sheet.append(pledge_row(entity.name, "Computed", amount="=2*1000000"))  # line 11
    french = book.create_sheet("Engagements FR")
    french.append(["Organisation", "Titre de l'engagement", "Résumé", "Type d'engagement",
                   "Date de début", "Date de fin", "action_areas", "Pays bénéficiaires",
                   "Montant", "modality", "targets", "contact_name", "contact_email"])
    french.append([entity.name, "Subventions aux écoles du Sénégal", "Écoles connectées.",
                   "Financier", "juin 2022", "T4 2026", "Accès", "Sénégal", "2,5 M€",
                   "Subvention", "Écoles | écoles | 0 | 100 | 2026-06-30", "Awa",
                   "awa@example.org"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def unvetted():
    applied = EntityFactory(name="Kigali Fibre Cooperative", acronym="KFC", applied=True)
    MembershipFactory(user=UserFactory(email="admin@kfc.example.org"), entity=applied,
                      role="administrator")
    return applied


def test_a_delegations_workbook_from_first_preview_to_published_pledges(
    secretariat, secretariat_client, entity, entity_admin, unvetted,
    django_capture_on_commit_callbacks,
):
    # 1. As sent: every problem of every kind in one pass, grouped, and the marked workbook.
    sent = delegation_workbook(entity, unvetted, with_mistakes=True)
    preview = upload(secretariat_client, PATH, sent, "roundtable.xlsx")
    assert "confirm_form" not in preview.context
    found = problems(preview)
    by_line = {}
    for line, column, message in found:
        by_line.setdefault(line, []).append((column, message))
    assert set(by_line) == {9, 10, 11}, found  # the valid rows, drafts included, are no problem
    kinds = {group["kind"] for group in preview.context["problem_groups"]}
    assert {"duplicate", "too_long", "formula"} <= kinds, kinds
    html = preview.content.decode()
    assert "Line 3 of the sheet “Roundtable” was taken as the column headings." in html
    assert Pledge.objects.count() == 0

    download = secretariat_client.post(f"{IMPORT}problems/",
                                       dict(preview.context["stored_form"].initial))
    marked = load_workbook(io.BytesIO(download.content))["Roundtable"]
    long_summary = marked.cell(row=10, column=HEADINGS.index("Summary") + 1)
    assert long_summary.comment is not None and long_summary.fill.fgColor.rgb.endswith("FFC7CE")
    assert marked.cell(row=4, column=2).comment is None  # a good cell stays as it was

    # 2. Fixed: each value as it will be stored, next to what the file says.
    fixed = delegation_workbook(entity, unvetted, with_mistakes=False)
    preview = upload(secretariat_client, PATH, fixed, "roundtable-fixed.xlsx")
    assert problems(preview) == []
    report = preview.context["report"]
    readings = {(r["column"], r["written"]): r["read"]
                for row in report["rows"] for r in row["readings"]}
    assert "Lao People" in readings[("countries", "Lao PDR")]
    assert "30 September 2022" not in readings[("start_date", "Q3 2022")]  # a start: first day
    assert "1 July 2022" in readings[("start_date", "Q3 2022")]
    assert "2,500,000" in readings[("amount", "€2.5m")]
    assert "Grant" in readings[("modality", "Subvention")]
    titles = [row["record"] for row in report["rows"]]
    assert any("ربط المدارس الريفية" in title for title in titles)
    assert any("连接农村学校" in title for title in titles)
    assert not any("A row the delegation hid" in title for title in titles)  # hidden: skipped
    assert any("Subventions aux écoles du Sénégal" in title for title in titles)  # sheet two
    warned = [row for row in report["rows"] if row["warnings"]]
    assert [row["record"].split(" — ")[-1] for row in warned] == ["Fibre by an entity not vetted"]

    with django_capture_on_commit_callbacks(execute=True):
        done = confirm(secretariat_client, PATH, preview)
    assert "Import finished: 5 new, 0 updated, 0 unchanged." in messages_of(done)
    draft = Pledge.objects.get(title="Not complete yet")
    assert draft.status == Pledge.Status.DRAFT
    invitation = OutboundEmail.objects.get(template="pledges/imported_drafts",
                                           to=[entity_admin.email])
    assert f"/my-pledges/{draft.pk}/review/" in invitation.body_text
    senegal = Pledge.objects.get(title="Subventions aux écoles du Sénégal")
    assert (senegal.amount, senegal.currency, str(senegal.start_date)) == (
        2_500_000, "EUR", "2022-06-01")
    everywhere = Pledge.objects.get(title="连接农村学校")
    assert everywhere.countries.count() > 40  # "All LDCs": the group's countries

    # 3. The pledge of the entity not vetted is there, and cannot be published until it is.
    pending = Pledge.objects.get(title="Fibre by an entity not vetted")
    with pytest.raises(workflow.TransitionError, match="is not approved"):
        workflow.pledge_transition(pledge_id=pending.pk, name="publish", actor=secretariat)
    published = workflow.pledge_transition(pledge_id=everywhere.pk, name="publish",
                                           actor=secretariat)
    assert published.status == Pledge.Status.PUBLISHED
    assert Client().get(f"/en/pledges/{everywhere.pk}/").status_code == 200
