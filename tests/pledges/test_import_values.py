"""The admin import of pledges takes values as people write them at a roundtable — country names
and groups, months and quarters, amounts with signs and magnitude words, type and modality words
in EN/FR — and its preview shows every value it read next to what the file says."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from action_areas.models import Country, CountryGroup
from pledges.models import Pledge
from pledges.resources import PledgeResource
from tests.admin_import import confirm, csv_bytes, problems, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

PATH = "pledges/pledge"
D = datetime.date


# --- Choice words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "written", "code"),
    [
        ("pledge_type", "Program", "programme"),
        ("pledge_type", "Programme", "programme"),
        ("pledge_type", "Programme d'action", "programme"),
        ("pledge_type", "Programme d’action", "programme"),
        ("pledge_type", "Projet", "programme"),
        ("pledge_type", "Politique", "policy"),
        ("pledge_type", "Policy", "policy"),
        ("pledge_type", "Plaidoyer", "advocacy"),
        ("pledge_type", "Financial", "financial"),
        ("pledge_type", "Financier", "financial"),
        ("pledge_type", "FINANCIÈRE", "financial"),
        ("pledge_type", "Financiero", "financial"),  # the Spanish catalogue's label
        ("pledge_type", "Политика", "policy"),
        ("pledge_type", "倡导", "advocacy"),
        ("modality", "Grant", "grant"),
        ("modality", "Subvention", "grant"),
        ("modality", "Don", "grant"),
        ("modality", "Loan", "loan"),
        ("modality", "Prêt", "loan"),
        ("modality", "in kind", "in_kind"),
        ("modality", "In-kind", "in_kind"),
        ("modality", "en nature", "in_kind"),
        ("modality", "Garantie", "guarantee"),
        ("policy_instrument", "Loi", "law"),
        ("policy_instrument", "Stratégie", "strategy"),
        ("policy_stage", "en vigueur", "in_force"),
        ("programme_kind", "nouveau programme", "new"),
        ("programme_kind", "scale-up", "expansion"),
    ],
)
def test_type_and_modality_words_in_the_un_languages(column, written, code):
    assert PledgeResource().fields[column].widget.clean(written) == code


def test_several_advocacy_activities_in_french():
    widget = PledgeResource().fields["advocacy_activities"].widget
    assert widget.clean("Campagne; Recherche; Événement") == ["campaign", "research", "event"]


def test_an_unknown_word_lists_the_choices():
    with pytest.raises(ValueError, match="“Bourse” is not one of: grant, loan"):
        PledgeResource().fields["modality"].widget.clean("Bourse")


# --- A roundtable workbook, end to end ------------------------------------------------------------

HEADINGS = ["Entity", "Title", "Summary", "Type", "start_date", "end_date", "action_areas",
            "countries", "amount", "currency", "modality", "policy_instrument", "policy_stage",
            "jurisdiction", "advocacy_activities", "audience", "programme_kind",
            "people_to_reach", "targets", "contact_name", "contact_email"]


def roundtable_rows(entity) -> list[list]:
    def row(title, kind, start, end, countries, targets, **values):
        cells = dict.fromkeys(HEADINGS, "")
        cells.update({"Entity": entity.acronym, "Title": title, "Summary": "S.", "Type": kind,
                      "start_date": start, "end_date": end, "action_areas": "Access",
                      "countries": countries, "targets": targets, "contact_name": "Ana",
                      "contact_email": "ana@example.org", **values})
        return [cells[h] for h in HEADINGS]

    return [
        HEADINGS,
        row("Schools online", "Financier", "June 2022", "Q3 2025",
            "Tanzania; Lao PDR; East Timor; 卢旺达; كينيا",
            "Schools connected | schools | 0 | 1 000 | T4 2024",
            amount="€2.5m", modality="Subvention"),
        row("Skills for all", "Programme d'action", datetime.datetime(2022, 7, 1), "2023",
            "All LDCs", "People trained | people | | 1.5 million | H1 2023",
            programme_kind="nouveau programme", people_to_reach="1,5 million"),
        row("A digital law", "Politique", 44743, "juin 2024", "Global",
            "Laws adopted | laws | 0 | 1 | S1 2024", policy_instrument="Loi",
            policy_stage="adoptée", jurisdiction="Rwanda"),
        row("Speak up", "Plaidoyer", "2022-06-16", "31/12/2024",
            "Côte d’Ivoire; DRC; Türkiye", "Events held | events | 0 | 12 | 2024-12-31",
            advocacy_activities="Campagne; Recherche", audience="Ministres"),
        row("Towers", "Financial", "T1 2023", "2026", "Congo-Kinshasa",
            "Towers built | towers | 0 | 300 | 2026", amount="USD 5 million", currency="US$",
            modality="in kind"),
    ]


def readings_of(preview) -> dict[str, list[tuple[str, str, str]]]:
    return {
        row["record"]: [(r["column"], r["written"], r["read"]) for r in row["readings"]]
        for row in preview.context["report"]["rows"]
    }


def test_a_roundtable_workbook_written_as_people_write_is_imported(secretariat_client, entity):
    content = xlsx_bytes(roundtable_rows(entity))
    with translation.override("en"):
        preview = upload(secretariat_client, PATH, content, "roundtable.xlsx")
    assert problems(preview) == []
    readings = readings_of(preview)
    schools = next(v for k, v in readings.items() if "Schools online" in k)
    assert ("countries", "Lao PDR", "Lao People's Democratic Republic") in schools
    assert ("countries", "Tanzania", "United Republic of Tanzania") in schools
    assert ("countries", "East Timor", "Timor-Leste") in schools
    assert ("countries", "卢旺达", "Rwanda") in schools
    assert ("countries", "كينيا", "Kenya") in schools
    assert ("amount", "€2.5m", "EUR 2,500,000") in schools
    assert ("end_date", "Q3 2025", "30 September 2025 (end of period)") in schools
    assert ("start_date", "June 2022", "1 June 2022 (start of period)") in schools
    assert ("targets", "T4 2024", "31 December 2024 (end of period)") in schools
    assert ("pledge_type", "Financier", "Financial") in schools
    assert ("modality", "Subvention", "Grant") in schools
    skills = next(v for k, v in readings.items() if "Skills for all" in k)
    ldcs = Country.objects.in_group(CountryGroup.LDC).count()
    assert ("countries", "All LDCs", f"the {ldcs} countries of the LDC group today") in skills
    assert ("end_date", "2023", "31 December 2023 (end of period)") in skills
    assert ("people_to_reach", "1,5 million", "1,500,000") in skills
    assert ("targets", "1.5 million", "1,500,000") in skills
    assert ("targets", "H1 2023", "30 June 2023 (end of period)") in skills
    law = next(v for k, v in readings.items() if "A digital law" in k)
    assert ("countries", "Global", "global (the pledge acts globally)") in law
    assert ("start_date", "44743", "1 July 2022") in law
    speak = next(v for k, v in readings.items() if "Speak up" in k)
    assert ("countries", "DRC", "Democratic Republic of the Congo") in speak
    assert not [r for r in speak if r[0] == "start_date"]  # ISO: nothing was read into it
    towers = next(v for k, v in readings.items() if "Towers" in k)
    assert ("currency", "US$", "USD") in towers
    html = preview.content.decode()
    assert "Values read" in html and "€2.5m" in html and "EUR 2,500,000" in html

    confirm(secretariat_client, PATH, preview)
    pledge = Pledge.objects.get(title="Schools online")
    assert (pledge.pledge_type, pledge.amount, pledge.currency, pledge.modality) == (
        "financial", Decimal("2500000"), "EUR", "grant")
    assert (pledge.start_date, pledge.end_date) == (D(2022, 6, 1), D(2025, 9, 30))
    assert set(pledge.countries.values_list("iso3", flat=True)) == {
        "TZA", "LAO", "TLS", "RWA", "KEN"}
    assert pledge.targets.get().target_date == D(2024, 12, 31)
    skills = Pledge.objects.get(title="Skills for all")
    assert (skills.pledge_type, skills.programme_kind, skills.people_to_reach) == (
        "programme", "new", 1_500_000)
    assert (skills.start_date, skills.end_date) == (D(2022, 7, 1), D(2023, 12, 31))
    assert skills.countries.count() == ldcs
    assert not skills.is_global
    assert skills.targets.get().target_value == Decimal("1500000")
    law = Pledge.objects.get(title="A digital law")
    assert (law.pledge_type, law.policy_instrument, law.policy_stage) == (
        "policy", "law", "adopted")
    assert law.is_global and not law.countries.exists()
    assert (law.start_date, law.end_date) == (D(2022, 7, 1), D(2024, 6, 30))
    speak = Pledge.objects.get(title="Speak up")
    assert speak.advocacy_activities == ["campaign", "research"]
    assert set(speak.countries.values_list("iso3", flat=True)) == {"CIV", "COD", "TUR"}
    towers = Pledge.objects.get(title="Towers")
    assert (towers.amount, towers.currency, towers.modality) == (
        Decimal("5000000"), "USD", "in_kind")
    assert (towers.start_date, towers.end_date) == (D(2023, 1, 1), D(2026, 12, 31))
    # The same file again changes nothing.
    again = upload(secretariat_client, PATH, content, "roundtable.xlsx")
    assert [r["action"] for r in again.context["report"]["rows"]] == ["skip"] * 5


def test_the_preview_shows_the_values_read_in_french(secretariat_client, entity):
    rows = roundtable_rows(entity)[:2]
    response = secretariat_client.post(
        "/fr/admin/pledges/pledge/import/",
        {"resource": "0", "format": "1", "import_file": _upload(xlsx_bytes(rows))},
    )
    readings = [(r["column"], r["written"], r["read"])
                for row in response.context["report"]["rows"] for r in row["readings"]]
    assert ("countries", "Lao PDR", "République démocratique populaire lao") in readings
    assert ("amount", "€2.5m", "EUR 2\u202f500\u202f000") in readings
    assert ("end_date", "Q3 2025", "30 septembre 2025 (fin de la période)") in readings


def _upload(content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("roundtable.xlsx", content)


def test_values_that_cannot_be_read_are_refused_with_what_to_write(secretariat_client, entity):
    rows = roundtable_rows(entity)
    rows[1][HEADINGS.index("countries")] = "Tanzanai; Rwanda"
    rows[1][HEADINGS.index("amount")] = "€1,800,000"
    rows[1][HEADINGS.index("currency")] = "USD"
    rows[2][HEADINGS.index("end_date")] = "Q5 2023"
    rows[5][HEADINGS.index("amount")] = "FCFA 500 000 000"
    rows[5][HEADINGS.index("currency")] = ""
    with translation.override("en"):
        found = problems(upload(secretariat_client, PATH, csv_bytes(rows)))
    by_cell = {(line, column): message for line, column, message in found}
    assert "(did you mean United Republic of Tanzania?)" in by_cell[(2, "countries")]
    assert by_cell[(2, "currency")] == (
        "“€1,800,000” is in EUR but the currency column says USD: correct one of them.")
    assert "“Q5 2023” is not a date" in by_cell[(3, "end_date")]
    assert ("“FCFA 500 000 000” may be in XAF (Central African CFA Franc) or XOF (West African "
            "CFA Franc)") in (
        by_cell[(6, "currency")])
    assert Pledge.objects.count() == 0


def test_without_a_currency_column_the_amount_says_the_currency(secretariat_client, entity):
    rows = [[cell for h, cell in zip(HEADINGS, row, strict=True) if h != "currency"]
            for row in roundtable_rows(entity)]
    amount = HEADINGS.index("amount")
    rows[5][amount] = "FCFA 500 000 000"
    found = problems(upload(secretariat_client, PATH, csv_bytes(rows)))
    assert [(line, column) for line, column, _m in found] == [(6, "amount")]
    rows[5][amount] = "500 000 000 FCFA BCEAO"
    preview = upload(secretariat_client, PATH, csv_bytes(rows))
    confirm(secretariat_client, PATH, preview)
    assert Pledge.objects.get(title="Towers").currency == "XOF"
    assert Pledge.objects.get(title="Schools online").currency == "EUR"


def test_global_in_the_countries_contradicting_the_global_column_is_an_error(
    secretariat_client, entity
):
    rows = roundtable_rows(entity)[:4]
    for number, row in enumerate(rows):
        row.append("is_global" if number == 0 else "no")
    found = problems(upload(secretariat_client, PATH, csv_bytes(rows)))
    assert [(line, column) for line, column, _m in found] == [(4, "is_global")]


def test_a_target_names_its_catalogue_indicator_by_code_and_an_unknown_code_is_a_row_error():
    from action_areas.models import Indicator
    from pledges.resources import TargetsWidget

    connected = Indicator.objects.get(code="people-connected")
    targets = TargetsWidget().clean(
        "People online | people | 0 | 1 000 | 2026 | People-Connected\n"
        "Laws adopted | laws | 0 | 1 | 2024")
    assert [(t[0], t[-1]) for t in targets] == [("People online", connected.pk),
                                                ("Laws adopted", None)]
    with pytest.raises(ValueError, match="Target 2: “kilometres-of-magic” is not the code of an "
                                         "active indicator of the catalogue"):
        TargetsWidget().clean("People online | people | 0 | 10 | 2026 | people-connected\n"
                              "Fibre | km | 0 | 10 | 2026 | kilometres-of-magic")
    Indicator.objects.filter(pk=connected.pk).update(is_active=False)
    with pytest.raises(ValueError, match="not the code of an active indicator"):
        TargetsWidget().clean("People online | people | 0 | 10 | 2026 | people-connected")


def test_a_target_line_without_a_code_keeps_the_indicator_mapped_to_that_target():
    """A file written before indicator codes, imported again, must not undo the secretariat's
    bulk mapping; a code given, or another indicator's wording, still decides."""
    from action_areas.models import Indicator
    from pledges.resources import TargetsColumn, TargetsWidget
    from tests.factories import PledgeFactory, TargetFactory

    connected = Indicator.objects.get(code="people-connected")
    pledge = PledgeFactory(with_defaults=False)
    TargetFactory(pledge=pledge, position=0, indicator="People online", unit="people",
                  catalogue_indicator=connected)
    TargetFactory(pledge=pledge, position=1, indicator="Laws adopted", unit="laws",
                  catalogue_indicator=connected)
    column = TargetsColumn(attribute="targets", widget=TargetsWidget())
    value = TargetsWidget().clean("People online | people | 0 | 1 000 | 2026\n"
                                  "Laws passed | laws | 0 | 1 | 2024")
    column.apply_many(Pledge, [(pledge, value, False)])
    mapped = list(pledge.targets.order_by("position")
                  .values_list("indicator", "catalogue_indicator__code"))
    assert mapped == [("People online", "people-connected"), ("Laws passed", None)]
