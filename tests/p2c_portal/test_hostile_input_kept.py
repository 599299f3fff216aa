"""Nothing the user typed is lost (issue #15): text that is hostile but valid — bidi overrides,
zero-width characters, emoji, right-to-left script, markup, formula starters, SQL, 10,000
characters where a field allows them — saved through a member's pledge form sections, progress
form and entity profile, comes back from the database exactly as typed.

The only normalisations are documented ones: Django strips the whitespace around a single-line or
multi-line text field's value (forms.CharField strip=True); a NUL character, which PostgreSQL
cannot store, makes its field invalid ("Null characters are not allowed") and the raw-input store
keeps what was typed without the NUL (p2c_portal.typed_input), while the other fields are saved.
"""

import pytest

from members.models import Entity, EntityIdentityChange
from pledges import services
from reporting.models import ProgressReport
from tests.hostile_input import MARKUP

pytestmark = pytest.mark.django_db

BIDI = "\u202eevil\u202c and \u2066isolated\u2069\u200f text"
ZERO_WIDTH = "a\u200db\u2060c\u200bd\ufeffe"
EMOJI = "Connect 👩🏽‍💻 schools 🇷🇼 — 100 % 🚀"
RIGHT_TO_LEFT = "ربط المدارس في رواندا بالإنترنت (2025)"
MIXED = f"{RIGHT_TO_LEFT} / {EMOJI} / 中文 / Кириллица"
FORMULA = '=HYPERLINK("http://evil.example","click")'
SQL = "'; DROP TABLE pledges_pledge; -- %_% \\ .*[(+?{"
LINES = "first line\r\nsecond line\r\n\r\n\u202bthird\u202c"


def long_text(length: int) -> str:
    """`length` characters mixing every kind above (what a paste from a document looks like)."""
    piece = f"{MIXED} {BIDI} {ZERO_WIDTH} {FORMULA} {SQL} {MARKUP}\r\n"
    return (piece * (length // len(piece) + 1))[:length - 1] + "."


def _pledge_edit(client, pledge, section, data):
    pledge.refresh_from_db()
    return client.post(f"/en/my-pledges/{pledge.pk}/edit/{section}/",
                       {"version": pledge.version, **data})


@pytest.fixture
def draft(member, member_client, entity):
    return services.pledge_create(user=member, entity_id=entity.pk)


def test_pledge_sections_keep_what_was_typed(member_client, draft):
    basics = {"title": EMOJI[:200], "summary": MIXED, "description": long_text(10_000),
              "pledge_type": "policy"}
    assert _pledge_edit(member_client, draft, "basics", basics).status_code == 302
    details = {"policy_instrument": "law", "policy_stage": "adopted", "jurisdiction": BIDI}
    assert _pledge_edit(member_client, draft, "details", details).status_code == 302
    partners = {"other_partners": long_text(2_000), "contact_name": RIGHT_TO_LEFT,
                "contact_email": "contact@example.org"}
    assert _pledge_edit(member_client, draft, "partners", partners).status_code == 302
    targets = {"targets-TOTAL_FORMS": "1", "targets-INITIAL_FORMS": "0",
               "targets-0-indicator": f"{ZERO_WIDTH} {FORMULA}", "targets-0-unit": "👩🏽‍💻 ‏م",
               "targets-0-baseline": "0", "targets-0-target_value": "500",
               "targets-0-target_date": "2030-06-30"}
    assert _pledge_edit(member_client, draft, "targets", targets).status_code == 302

    draft.refresh_from_db()
    assert (draft.title, draft.summary, draft.description) == (
        basics["title"], basics["summary"], basics["description"])
    assert len(draft.description) == 10_000
    assert draft.jurisdiction == BIDI
    assert (draft.other_partners, draft.contact_name) == (partners["other_partners"], RIGHT_TO_LEFT)
    target = draft.targets.get()
    assert (target.indicator, target.unit) == (f"{ZERO_WIDTH} {FORMULA}", "👩🏽‍💻 ‏م")
    assert not draft.unsaved_input  # every value was valid: nothing waits as raw input


def test_surrounding_whitespace_is_the_only_change_and_a_nul_keeps_the_rest(member_client, draft):
    typed = {"title": f"  {SQL}\t", "summary": f"\n{LINES}  ", "description": "Has a \x00 NUL"}
    response = _pledge_edit(member_client, draft, "basics", typed)
    assert response.status_code == 200  # shown again: the NUL is refused in its own field
    draft.refresh_from_db()
    assert draft.title == SQL  # stripped, as every Django text field is
    assert draft.summary == LINES
    assert draft.description == ""
    assert draft.unsaved_input["basics"]["description"] == ["Has a  NUL"]  # kept, without NUL


def test_the_progress_form_keeps_what_was_typed(entity, member, member_client):
    from tests.reporting.cycles import make_cycle, make_published_pledge

    cycle = make_cycle()
    pledge = make_published_pledge(entity, created_by=member)
    target = pledge.targets.get()
    narrative = long_text(10_000)
    links = "https://example.org/تقرير-2024.pdf\nhttps://例子.测试/report?q=%E2%80%AE"
    response = member_client.post(f"/en/my-pledges/{pledge.pk}/progress/{cycle.pk}/", {
        "version": "0", "implementation_status": "on_track", "percent_complete": "40",
        f"target_{target.pk}": "450", "narrative": narrative, "evidence_links": links,
        "save": "1",
    })
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert report.narrative == narrative
    assert report.evidence_links == links.split("\n")
    assert not report.unsaved_input


def test_the_entity_profile_keeps_what_was_typed(entity, entity_admin_client):
    page = entity_admin_client.get(f"/en/my-entities/{entity.pk}/edit/")
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if name != "logo"}
    data = {name: value for name, value in data.items() if value is not None}
    data.update({"name": f"{RIGHT_TO_LEFT} {EMOJI}"[:200], "acronym": "\u202eTCINIM\u202c",
                 "description": long_text(1_000)})
    response = entity_admin_client.post(f"/en/my-entities/{entity.pk}/edit/", data)
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.acronym == "\u202eTCINIM\u202c"
    assert entity.description == data["description"]
    # The name of an approved entity waits for the secretariat's review, as typed.
    assert EntityIdentityChange.objects.get(entity=entity).name == data["name"]
    assert Entity.objects.get(pk=entity.pk).name == "Ministry of ICT of Rwanda"
