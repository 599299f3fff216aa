"""Issue 4, end to end in a browser: a member writes and submits one pledge of each type, in
English and in French (4 types × 2 languages), and one pledge in each other UN language (Arabic,
Spanish, Russian, Chinese: one type each).

The member of an approved entity logs in on the login page, writes a new pledge through every
section of the form (basics, type details, action areas, geography, targets, partners), makes
one mistake on the way — a different one per type — and sees that nothing typed is lost, even
after leaving the section and coming back; corrects it; reviews the pledge with nothing missing,
submits it, reads its reference and the status "Submitted", and gets the confirmation email.

Every page visited gets an axe check and a check
that the browser logged no error (a CSP violation is one).
"""

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Country,
    Pillar,
    SustainableDevelopmentGoal,
)
from pledges.currencies import currency_name
from pledges.models import Pledge
from tests.browser.support import (
    BROWSER_LOCALES,
    error_title,
    form_label,
    in_language,
    log_in,
    number_text,
    t,
    wait_for_email,
)
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PLEDGE_TYPES = ["financial", "policy", "advocacy", "programme"]
JOURNEYS = [
    *[(language, type_) for language in ("en", "fr") for type_ in PLEDGE_TYPES],
    ("ar", "financial"), ("es", "policy"), ("ru", "advocacy"), ("zh-hans", "programme"),
]

START, END = "2026-01-01", "2028-12-31"  # the pledge period
SECTIONS = [
    ("basics", "Basics"),
    ("details", "Type details"),
    ("areas", "Action areas"),
    ("geography", "Geography and beneficiaries"),
    ("targets", "Targets"),
    ("partners", "Partners and contact"),
]


# --- Form operations: what a person does to one field, and how to check it is still there. ----


@dataclass(frozen=True)
class Fill:
    """Type into a text, number, date or text area field, found by its label."""

    label: str  # the message id of the label, as the form declares it
    value: str

    def field(self, page, language):
        return page.get_by_label(form_label(language, self.label))

    def do(self, page, language):
        self.field(page, language).fill(self.value)

    def kept(self, page, language):
        expect(self.field(page, language)).to_have_value(self.value)


@dataclass(frozen=True)
class Tick:
    """Tick a radio button or a checkbox, found by its label (already in the page's language)."""

    label: str

    def field(self, page, language):
        return page.get_by_label(self.label, exact=True)

    def do(self, page, language):
        self.field(page, language).check()

    def kept(self, page, language):
        expect(self.field(page, language)).to_be_checked()


@dataclass(frozen=True)
class Choose:
    """Choose an option of a select (several for a multiple select), by their text."""

    label: str
    option: str

    def field(self, page, language):
        return Fill(self.label, "").field(page, language)

    def do(self, page, language):
        self.field(page, language).select_option(label=self.option)

    def kept(self, page, language):
        expect(self.field(page, language).locator("option:checked")).to_have_text(self.option)


@dataclass(frozen=True)
class Mistake:
    """The one invalid value of a journey, and its correction."""

    section: str
    wrong: list  # operations, the invalid one among the valid ones of the section
    error_at: str  # the id of the field's block, where the error is shown
    error: str  # the message id of the error
    error_values: dict
    right: list  # the operations that correct it


def fill(page, language, operations) -> None:
    for operation in operations:
        operation.do(page, language)


def expect_kept(page, language, operations) -> None:
    for operation in operations:
        operation.kept(page, language)


# --- What each type of pledge fills in, and the mistake made on the way. -----------------------


def pledge_plan(pledge_type: str, language: str) -> dict:
    """The sections' operations for one pledge, and its one mistake."""
    tr = lambda message, **values: t(language, message, **values)  # noqa: E731
    rwanda = Country.objects.get(iso3="RWA")
    access = ActionArea.objects.get(code="access")
    pillar = Pillar.objects.filter(action_area=access).order_by("pk")[1]
    sdg = SustainableDevelopmentGoal.objects.get(number=9)
    group = BeneficiaryGroup.objects.get(code="rural-remote")
    titles = {
        "financial": "Fund 200 community networks in rural Rwanda",
        "policy": "Adopt a universal service regulation for rural broadband",
        "advocacy": "Campaign for women's digital skills in East Africa",
        "programme": "Train 250,000 young people in digital skills",
    }
    plan = {
        "title": titles[pledge_type],
        "summary": f"{titles[pledge_type]} by the end of 2028.",
        "type_label": tr(pledge_type.capitalize()),
        "basics": [
            Fill("title", titles[pledge_type]),
            Fill("summary", f"{titles[pledge_type]} by the end of 2028."),
            Fill("description", "Fibre backhaul, solar power and local operators, with training."),
            Tick(tr(pledge_type.capitalize())),
            Fill("start date", START),
            Fill("end date", END),
        ],
        "details": {
            "financial": [
                Fill("Amount", number_text(language, "1500000")),
                # Named by CLDR in the page's language: "USD — dollar des États-Unis".
                Choose("Currency", f"USD — {currency_name('USD', language)}"),
                Tick(tr("Grant")),
                Fill("disbursement from", "2026-03-01"),
                Fill("disbursement until", "2028-06-30"),
            ],
            "policy": [
                Tick(tr("Regulation")),
                Tick(tr("Adopted")),
                Fill("jurisdiction", "Rwanda"),
            ],
            "advocacy": [
                Tick(tr("Campaign")),
                Tick(tr("Research")),
                Fill("audience", "Parliamentarians and regulators in East Africa"),
            ],
            "programme": [
                Tick(tr("New programme")),
                Fill("People to reach", "250000"),
            ],
        }[pledge_type],
        "areas": [
            Tick(in_language(language, access)),
            Tick(f"{in_language(language, access)} — {in_language(language, pillar)}"),
            Tick(tr("Goal %(number)d: %(name)s", number=9, name=in_language(language, sdg))),
        ],
        "geography": [Tick(in_language(language, group))],
        "country": in_language(language, rwanda),
        "region": in_language(language, rwanda.region),
        "target": [
            Fill("Other indicator", "Community networks built"),
            Fill("Unit", "networks"),
            Fill("Baseline", "0"),
            Fill("Target value", "200"),
            Fill("Target date", "2028-06-30"),
        ],
        "partners": [
            Fill("other partners", "Rwanda Utilities Regulatory Authority"),
            Fill("contact person", "Mia Member"),
            Fill("contact email", "mia@minict.example.org"),
        ],
    }
    basics, details, target = plan["basics"], plan["details"], plan["target"]
    plan["mistake"] = {
        # "A lot" is not an amount.
        "financial": Mistake(
            "details",
            wrong=[Fill("Amount", "a lot"), *details[1:]],
            error_at="div_id_amount",
            error="“%(text)s” is not a number. Write digits, for example %(example)s.",
            error_values={"text": "a lot", "example": number_text(language, "2500000.50")},
            right=[details[0]],
        ),
        # A target reached after the pledge ends.
        "policy": Mistake(
            "targets",
            wrong=[*target[:-1], Fill("Target date", "2029-06-30")],
            error_at="div_id_targets-0-target_date",
            error="The target date is after the pledge ends.",
            error_values={},
            right=[target[-1]],
        ),
        # The end date before the start date.
        "advocacy": Mistake(
            "basics",
            wrong=[*basics[:-1], Fill("end date", "2025-12-31")],
            error_at="div_id_end_date",
            error="The end date is before the start date.",
            error_values={},
            right=[basics[-1]],
        ),
        # Nobody to reach.
        "programme": Mistake(
            "details",
            wrong=[details[0], Fill("People to reach", "0")],
            error_at="div_id_people_to_reach",
            error="Ensure this value is greater than or equal to %(limit_value)s.",
            error_values={"limit_value": 1},
            right=[details[1]],
        ),
    }[pledge_type]
    return plan


# --- Steps shared by every journey. --------------------------------------------------------------


def section_nav(page, language: str):
    return page.get_by_role("navigation", name=t(language, "Pledge form sections"))


def expect_section(page, language: str, section: str) -> None:
    name = t(language, dict(SECTIONS)[section])
    expect(page.get_by_role("heading", level=2, name=name, exact=True)).to_be_visible()
    current = section_nav(page, language).locator("[aria-current=step]")
    expect(current).to_contain_text(name)


def save_and_continue(page, language: str, section: str) -> None:
    button = "Save and review" if section == "partners" else "Save and continue"
    page.get_by_role("button", name=t(language, button), exact=True).click()


def expect_draft_saved(page, language: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(t(language, "Draft saved."))


def fill_section(page, language: str, section: str, plan: dict, operations=None) -> None:
    """Fill one section as a person would (`operations` replaces the plan's, e.g. a mistake)."""
    if section == "geography":
        regions = page.locator("details.country-region > summary")
        regions.filter(has_text=re.compile(rf"^{re.escape(plan['region'])}$")).click()
        country = page.get_by_label(re.compile(rf"^{re.escape(plan['country'])}( \(.*\))?$"))
        country.check()
        fill(page, language, operations or plan["geography"])
    elif section == "targets":
        target = page.get_by_role("group", name=t(language, "Target %(number)s", number=1))
        fill(target, language, operations or plan["target"])
    else:
        fill(page, language, operations or plan[section])


def expect_section_kept(page, language: str, section: str, operations) -> None:
    if section == "targets":
        page = page.get_by_role("group", name=t(language, "Target %(number)s", number=1))
    expect_kept(page, language, operations)


def make_the_first_mistake(page, checkpoint, language: str, plan: dict, step: int) -> None:
    """The basics of a pledge not yet written, saved with one invalid value: nothing is
    created, the page shows the error next to what was typed, and the corrected save creates
    the draft."""
    mistake = plan["mistake"]
    fill_section(page, language, "basics", plan, mistake.wrong)
    save_and_continue(page, language, "basics")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(language, "New pledge"))
    expect(page.get_by_role("alert")).to_contain_text(
        t(language, "Some values are not valid yet; they are marked below, as you typed them.")
    )
    expect(page).to_have_title(error_title(language))
    expect(page.locator(f"[id='{mistake.error_at}']")).to_contain_text(
        t(language, mistake.error, **mistake.error_values))
    expect_section_kept(page, language, "basics", mistake.wrong)
    assert not Pledge.objects.exists()
    checkpoint(f"{step:02d}-basics-not-valid-nothing-created")
    fill_section(page, language, "basics", plan, mistake.right)
    save_and_continue(page, language, "basics")
    expect_draft_saved(page, language)
    assert Pledge.objects.count() == 1


def make_the_mistake(page, checkpoint, language: str, plan: dict, step: int) -> None:
    """Save a section with one invalid value: it is saved as typed, shown again with its error,
    flagged in the review, and still there after leaving the section and coming back."""
    mistake = plan["mistake"]
    section = mistake.section
    if section == "basics":  # the first section: no draft exists yet
        make_the_first_mistake(page, checkpoint, language, plan, step)
        return
    error = t(language, mistake.error, **mistake.error_values)
    fill_section(page, language, section, plan, mistake.wrong)
    save_and_continue(page, language, section)

    def expect_mistake_shown() -> None:
        expect_section(page, language, section)
        expect(page.get_by_role("alert")).to_contain_text(
            t(language, "Some values are not valid yet; they are marked below, as you typed them.")
        )
        expect(page).to_have_title(error_title(language))
        expect(page.locator(f"[id='{mistake.error_at}']")).to_contain_text(error)
        expect_section_kept(page, language, section, mistake.wrong)
        expect(
            section_nav(page, language)
            .get_by_role("link")
            .filter(has_text=t(language, dict(SECTIONS)[section]))
        ).to_contain_text(t(language, "to correct"))

    expect(page.get_by_role("status")).to_contain_text(
        t(
            language,
            "Draft saved. Some values are not valid yet: they are kept as you typed them, "
            "correct them when you can.",
        )
    )
    expect_mistake_shown()
    checkpoint(f"{step:02d}-{section}-not-valid-yet")

    # Leave for the review page: it says what is left to correct, and links back to it.
    section_nav(page, language).get_by_role(
        "link", name=re.compile(re.escape(t(language, "Review and submit")))
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(language, "Review and submit"))
    to_correct = page.locator("#missing").get_by_role(
        "link", name=t(language, "Some values you typed in this section are not valid yet.")
    )
    expect(to_correct).to_have_count(1)
    checkpoint(f"{step + 1:02d}-review-with-something-to-correct")
    to_correct.click()
    expect_mistake_shown()
    checkpoint(f"{step + 2:02d}-{section}-back-as-typed")

    fill_section(page, language, section, plan, mistake.right)
    save_and_continue(page, language, section)
    expect_draft_saved(page, language)


@pytest.mark.parametrize(
    ("language", "page_locale", "pledge_type"),
    [pytest.param(language, BROWSER_LOCALES[language], type_, id=f"{type_}-{language}")
     for language, type_ in JOURNEYS],
)
def test_member_writes_and_submits_a_pledge(page, checkpoint, language, pledge_type):
    entity = EntityFactory(name="Ministry of ICT of Rwanda", acronym="MINICT")
    co_pledger = EntityFactory(
        name="Connect Foundation", acronym="CF", stakeholder_group="private_sector"
    )
    email = f"mia.{language}@minict.example.org"
    member = UserFactory(email=email, full_name="Mia Member", preferred_language=language)
    MembershipFactory(user=member, entity=entity, role="editor")
    plan = pledge_plan(pledge_type, language)
    h1 = page.get_by_role("heading", level=1)

    # Opens "My pledges" from a bookmark, logs in on the way, and lands there.
    page.goto(f"/{language}/my-pledges/")
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/login/\?next="))
    checkpoint("01-login")
    log_in(page, language, email)
    expect(h1).to_have_text(t(language, "My pledges"))
    expect(page.get_by_role("main")).to_contain_text(
        t(
            language,
            "Pledges of %(entity)s — your role: %(role)s.",
            entity=entity.name,
            role=t(language, "Editor"),
        )
    )
    checkpoint("02-my-pledges")
    page.get_by_role("link", name=t(language, "Write a new pledge")).click()
    expect(h1).to_have_text(t(language, "New pledge"))
    assert not Pledge.objects.filter(entity=entity).exists()  # nothing until the first save

    # Every section, in order, with "Save and continue"; the mistake in one of them.
    step = 3
    for section, _name in SECTIONS:
        expect_section(page, language, section)
        checkpoint(f"{step:02d}-{section}")
        step += 1
        if section == plan["mistake"].section:
            make_the_mistake(page, checkpoint, language, plan, step)
            step += 3
        else:
            fill_section(page, language, section, plan)
            save_and_continue(page, language, section)
            expect_draft_saved(page, language)
        if section == "basics":
            expect(h1).to_have_text(plan["title"])  # the pledge now has its title

    # The review: the pledge as the public will see it, nothing missing.
    expect(h1).to_have_text(t(language, "Review and submit"))
    expect(page.locator("#missing")).to_have_count(0)
    preview = page.locator(".pledge-body")
    expect(preview.get_by_role("heading", name=plan["title"])).to_be_visible()
    expect(preview).to_contain_text(plan["summary"])
    expect(preview).to_contain_text(plan["type_label"])
    expect(preview).to_contain_text("Community networks built")
    checkpoint(f"{step:02d}-review")
    page.get_by_role("button", name=t(language, "Submit for review")).click()

    # Submitted: the reference, the status, the email.
    pledge = Pledge.objects.get(entity=entity)
    assert pledge.status == Pledge.Status.SUBMITTED
    assert re.fullmatch(r"P2C-\d{4}-\d{4}", pledge.reference or ""), pledge.reference
    expect(page.get_by_role("status")).to_contain_text(
        t(
            language,
            "Pledge %(reference)s has been sent to the secretariat for review. We have emailed "
            "you a copy.",
            reference=pledge.reference,
        )
    )
    expect(h1).to_have_text(plan["title"])
    main = page.get_by_role("main")
    expect(main.locator(".badge").first).to_have_text(t(language, "Submitted"))
    expect(main).to_contain_text(pledge.reference)
    checkpoint(f"{step + 1:02d}-submitted")
    (confirmation,) = [
        message
        for message in wait_for_email(email)
        if message.subject
        == t(language, "Pledge %(reference)s received", reference=pledge.reference)
    ]
    assert plan["title"] in confirmation.body

    # What was typed is what was submitted.
    assert pledge.pledge_type == pledge_type
    assert (str(pledge.start_date), str(pledge.end_date)) == (START, END)
    assert pledge.unsaved_input == {}
    assert list(pledge.action_areas.values_list("code", flat=True)) == ["access"]
    assert list(pledge.countries.values_list("iso3", flat=True)) == ["RWA"]
    # Co-pledgers are invited on the partners page and shown once they accept
    # (tests/browser/test_partnership_journey.py): the form names none.
    assert not pledge.co_pledgers.exists() and not co_pledger.partnerships.exists()
    assert pledge.contact_email == "mia@minict.example.org"
    (target,) = pledge.targets.all()
    assert (target.target_value, str(target.target_date)) == (Decimal("200"), "2028-06-30")
    details = {
        "financial": lambda: (
            (pledge.amount, pledge.currency, pledge.modality)
            == (Decimal("1500000.00"), "USD", "grant")
        ),
        "policy": lambda: (
            (pledge.policy_instrument, pledge.policy_stage, pledge.jurisdiction)
            == ("regulation", "adopted", "Rwanda")
        ),
        "advocacy": lambda: sorted(pledge.advocacy_activities) == ["campaign", "research"],
        "programme": lambda: (pledge.programme_kind, pledge.people_to_reach) == ("new", 250000),
    }
    assert details[pledge_type](), pledge.__dict__
