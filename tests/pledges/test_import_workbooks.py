"""Roundtable workbooks as people send them: a title row and merged group headings above the
table, several sheets, hidden rows and sheets, French headings, formula cells; problems of every
kind in one pass, grouped, paged and downloadable as the file with each problem cell marked; the
file kept between the previews; column mappings saved and reused."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from pledges.models import Pledge
from spreadsheets.models import ColumnMapping
from tests.admin_import import confirm, csv_bytes, messages_of, problems, upload
from tests.pledges.test_import_export import HEADINGS, paper_rows

pytestmark = pytest.mark.django_db

PATH = "pledges/pledge"
IMPORT = f"/en/admin/{PATH}/import/"


def roundtable_workbook(entity, *, hidden_row=True, second_sheet=True, formula=None) -> bytes:
    """Title row merged across, a blank row, group headings ("Pledge | | Money | |"), then the
    headings in line 4; a second sheet with French headings; a hidden sheet of notes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Pledges 2022"
    sheet.append(["Roundtable pledges 2022"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADINGS))
    sheet.append([])
    groups = [""] * len(HEADINGS)
    groups[0], groups[9] = "Pledge", "Money"
    sheet.append(groups)
    sheet.merge_cells("A3:I3")
    rows = paper_rows(entity)
    for row in rows:
        sheet.append(row)
    if hidden_row:
        sheet.append([entity.name, "A hidden draft row", *rows[1][2:]])
        sheet.row_dimensions[sheet.max_row].hidden = True
    if formula:
        sheet.cell(row=5, column=HEADINGS.index("people_to_reach") + 1, value=formula)
    if second_sheet:
        french = book.create_sheet("Engagements FR")
        french.append(["Organisation", "Titre de l'engagement", "Résumé", "Type d'engagement",
                       "Date de début", "Date de fin", "action_areas", "Pays bénéficiaires",
                       "Montant", "modality", "targets", "contact_name", "contact_email"])
        french.append([entity.name, "Subventions aux écoles", "Écoles connectées.", "financial",
                       "2022-06-16", "2026-12-31", "Access", "Sénégal", "EUR 500,000", "grant",
                       "Écoles | écoles | 0 | 100 | 2026-06-30", "Awa", "awa@example.org"])
    notes = book.create_sheet("Notes")
    notes.append(["Do not import this"])
    notes.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def relayout(client, preview, **choices):
    """The preview's form sent again (no upload) with some choices changed."""
    plan = preview.context["plan"]
    stored = preview.context["stored_form"].initial
    data = {**stored, "layout_submitted": "1"}
    data["sheet"] = [str(p.sheet.position) for p in plan.sheets if p.chosen]
    for sheet_plan in plan.sheets:
        if sheet_plan.heading_row:
            data[f"heading_{sheet_plan.sheet.position}"] = str(sheet_plan.heading_row.line)
    for heading in plan.headings:
        data[f"map:{heading.key}"] = heading.column
    if plan.layout.include_hidden:
        data["include_hidden"] = data["hidden_were_included"] = "1"
    data.update(choices)
    return client.post(IMPORT, data)


def test_the_table_is_found_below_a_title_and_group_headings_in_every_sheet(
        secretariat_client, entity):
    preview = upload(secretariat_client, PATH, roundtable_workbook(entity), "roundtable.xlsx")
    plan = preview.context["plan"]
    by_name = {p.sheet.name: p for p in plan.sheets}
    assert by_name["Pledges 2022"].heading_row.line == 4
    assert by_name["Pledges 2022"].chosen and by_name["Engagements FR"].chosen
    assert by_name["Engagements FR"].heading_row.line == 1
    assert not by_name["Notes"].chosen  # hidden: skipped, and said so
    html = preview.content.decode()
    assert "Line 4 of the sheet “Pledges 2022” was taken as the column headings." in html
    assert "The sheet “Notes” is hidden: it is skipped unless you include hidden sheets and " \
        "rows." in plan.notes
    assert "1 hidden rows of Pledges 2022 are skipped (lines 7) unless you include hidden " \
        "sheets and rows." in plan.notes
    french = {h.text: (h.column, h.how) for h in plan.headings}
    assert french["Montant"][0] == "amount"
    assert french["Pays bénéficiaires"][0] == "countries"
    assert french["Titre de l'engagement"][0] == "title"
    assert french["Organisation"][0] == "entity"
    assert french["Date de fin"][0] == "end_date"
    assert problems(preview) == []
    assert [(r["sheet"], r["line"], r["action"]) for r in preview.context["report"]["rows"]] == [
        ("Pledges 2022", 5, "new"), ("Pledges 2022", 6, "new"), ("Engagements FR", 2, "new")]
    done = confirm(secretariat_client, PATH, preview)
    assert "Import finished: 3 new" in " ".join(messages_of(done))
    assert set(Pledge.objects.values_list("title", flat=True)) == {
        "Connect 1,000 schools", "Train 50 000 teachers", "Subventions aux écoles"}


def test_hidden_rows_and_sheets_are_imported_when_included(secretariat_client, entity):
    preview = upload(secretariat_client, PATH, roundtable_workbook(entity, second_sheet=False),
                     "roundtable.xlsx")
    again = relayout(secretariat_client, preview, include_hidden="1")
    assert [r["line"] for r in again.context["report"]["rows"]] == [5, 6, 7]
    # The confirmation imports what the preview showed: the hidden row too.
    confirm(secretariat_client, PATH, again)
    assert Pledge.objects.filter(title="A hidden draft row").exists()


def test_another_heading_row_and_sheets_can_be_chosen_without_uploading_again(
        secretariat_client, entity):
    preview = upload(secretariat_client, PATH, roundtable_workbook(entity), "roundtable.xlsx")
    plan = preview.context["plan"]
    french = next(p for p in plan.sheets if p.sheet.name == "Engagements FR")
    only_french = relayout(secretariat_client, preview, sheet=[str(french.sheet.position)])
    assert [r["line"] for r in only_french.context["report"]["rows"]] == [2]
    # The group headings taken as headings: named in the messages, nothing imported.
    first = next(p for p in plan.sheets if p.sheet.name == "Pledges 2022")
    wrong = relayout(secretariat_client, preview, sheet=[str(first.sheet.position)],
                     **{f"heading_{first.sheet.position}": "3"})
    html = wrong.content.decode()
    assert "Line 3 of the sheet “Pledges 2022” was taken as the column headings." in html
    assert "confirm_form" not in wrong.context
    assert Pledge.objects.count() == 0


def test_values_beyond_the_headings_name_the_row_taken_as_headings(secretariat_client, entity):
    content = csv_bytes([["Pledges sent by the delegations"], ["entity", "title"],
                         [entity.name, "T", "stray value"]])
    preview = upload(secretariat_client, PATH, content)
    plan = preview.context["plan"]
    assert plan.sheets[0].heading_row.line == 2
    assert "The column “Column C (no heading)” is not imported: no column of the portal was " \
        "chosen for it." in plan.notes
    again = relayout(secretariat_client, preview, **{"map:#C": "summary"})
    assert "In the file, column C has values but no heading in line 2, the row taken as the " \
        "headings." in again.context["plan"].notes


def test_a_formula_without_its_saved_result_is_named(secretariat_client, entity):
    content = roundtable_workbook(entity, second_sheet=False, formula="=1000*50")
    found = problems(upload(secretariat_client, PATH, content, "f.xlsx"))
    assert [(line, column) for line, column, message in found
            if "formula (=1000*50) saved without its result" in message] == [(5, "people_to_reach")]


def test_every_problem_at_once_grouped_paged_and_downloadable(secretariat_client, entity):
    rows = [HEADINGS]
    base = paper_rows(entity)[1]
    for number in range(60):
        row = list(base)
        row[1] = f"Pledge {number}"
        row[7] = "Atlantis"  # an unknown country
        if number % 2:
            row[14] = ""  # and no target: incomplete too, reported in the same pass
        rows.append(row)
    rows.append([entity.name, "=HYPERLINK(\"http://x\")", "x" * 300, *base[3:]])
    preview = upload(secretariat_client, PATH, csv_bytes(rows), "delegations.csv")
    groups = {g["kind"]: g["count"] for g in preview.context["problem_groups"]}
    assert groups["value:countries"] == 60
    assert groups["incomplete"] == 30
    assert groups["formula"] == 1
    page = preview.context["problem_page"]
    assert (page["count"], len(page["problems"]), page["pages"]) == (sum(groups.values()), 50, 2)
    second = relayout(secretariat_client, preview, problems_page="2")
    assert second.context["problem_page"]["page"] == 2
    only = relayout(secretariat_client, preview, problems_kind="incomplete")
    assert {p["kind"] for p in only.context["problem_page"]["problems"]} == {"incomplete"}

    data = {**preview.context["stored_form"].initial}
    response = secretariat_client.post(f"{IMPORT}problems/", data)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["delegations"]
    countries = sheet.cell(row=2, column=HEADINGS.index("countries") + 1)
    assert countries.fill.fgColor.rgb.endswith("FFC7CE")
    assert "Atlantis" in countries.comment.text
    title = sheet.cell(row=62, column=2)
    assert title.value == "'=HYPERLINK(\"http://x\")"  # formula-safe, never run
    assert "looks like a spreadsheet formula" in title.comment.text
    listed = list(book["Problems"].iter_rows(min_row=2, values_only=True))
    assert len(listed) == sum(groups.values())
    assert all(not str(value).startswith(("=", "+", "-", "@")) for row in listed for value in row
               if value)


def test_a_mapping_is_saved_and_used_for_the_next_file_with_the_same_headings(
        secretariat, secretariat_client, entity):
    rows = [["Who", "What", "Summary"], [entity.name, "T", "S"]]
    preview = upload(secretariat_client, PATH, csv_bytes(rows))
    saved = relayout(secretariat_client, preview, **{"map:who": "entity", "map:what": "title"},
                     save_mapping="1", mapping_name="Kigali template")
    assert "The mapping “Kigali template” is saved" in " ".join(messages_of(saved))
    mapping = ColumnMapping.objects.get()
    assert (mapping.name, mapping.target, mapping.saved_by) == (
        "Kigali template", "pledges.pledge", secretariat)
    assert mapping.mapping == {"who": "entity", "what": "title", "summary": "summary"}
    # The next file with these headings, in another order: read the same way, said so.
    later = upload(secretariat_client, PATH,
                   csv_bytes([["Summary", "What", "Who"], ["S2", "T2", entity.name]]))
    plan = later.context["plan"]
    assert {h.text: (h.column, h.how) for h in plan.headings} == {
        "Summary": ("summary", "saved"), "What": ("title", "saved"), "Who": ("entity", "saved")}
    assert later.context["saved_mapping"] == mapping
    assert 'The saved mapping “Kigali template” was used' in later.content.decode()


def test_columns_are_suggested_from_their_values(secretariat_client, entity):
    rows = [["entity", "title", "Quand", "Où"],
            [entity.name, "T", "2022-06-16", "Rwanda"], [entity.name, "U", "2023-01-01", "Kenya"]]
    preview = upload(secretariat_client, PATH, csv_bytes(rows))
    mapping = {h.text: (h.column, h.how) for h in preview.context["plan"].headings}
    assert mapping["Quand"] == ("start_date", "content")
    assert mapping["Où"] == ("countries", "content")


def test_the_file_is_kept_and_a_forged_name_is_refused(secretariat_client, entity):
    preview = upload(secretariat_client, PATH, csv_bytes(paper_rows(entity)[:2]))
    again = relayout(secretariat_client, preview)
    assert again.context["confirm_form"]
    forged = {**preview.context["stored_form"].initial, "import_file_name": "../../settings"}
    refused = secretariat_client.post(IMPORT, forged)
    assert "upload it again" in " ".join(messages_of(refused))
    assert "plan" not in refused.context


def test_a_row_repeated_in_another_sheet_names_the_sheet(secretariat_client, entity):
    book = Workbook()
    first = book.active
    first.title = "Day 1"
    second = book.create_sheet("Day 2")
    for sheet in (first, second):
        sheet.append(HEADINGS)
        sheet.append(paper_rows(entity)[1])
    out = io.BytesIO()
    book.save(out)
    found = problems(upload(secretariat_client, PATH, out.getvalue(), "days.xlsx"))
    assert [(line, message.split(" (")[0]) for line, _c, message in found
            if "repeats" in message] == [(2, "This row repeats line 2 of the sheet “Day 1”")]


def test_including_hidden_sheets_chooses_the_recognised_ones(secretariat_client, entity):
    book = Workbook()
    book.active.title = "Visible"
    book.active.append(HEADINGS)
    book.active.append(paper_rows(entity)[1])
    hidden = book.create_sheet("Late additions")
    hidden.append(HEADINGS)
    hidden.append(paper_rows(entity)[2])
    hidden.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    preview = upload(secretariat_client, PATH, out.getvalue(), "late.xlsx")
    assert [p.sheet.name for p in preview.context["plan"].sheets if p.chosen] == ["Visible"]
    included = relayout(secretariat_client, preview, include_hidden="1")
    assert [p.sheet.name for p in included.context["plan"].sheets if p.chosen] == [
        "Visible", "Late additions"]
    # Unticked again afterwards, it stays a choice of the secretariat's.
    again = relayout(secretariat_client, included, sheet=["0"])
    assert [p.sheet.name for p in again.context["plan"].sheets if p.chosen] == ["Visible"]


def test_only_who_may_import_saves_a_mapping(member):
    from django.core.exceptions import PermissionDenied

    from spreadsheets import services

    with pytest.raises(PermissionDenied):
        services.column_mapping_save(user=member, target="pledges.pledge", name="Mine",
                                     mapping={"who": "entity"})
    assert not ColumnMapping.objects.exists()
