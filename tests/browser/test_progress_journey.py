"""Issue 7, end to end in a browser: a member reports progress on a published pledge, in English
and in French; the public then sees it on the pledge page.

An editor of an entity with a published pledge (two targets) logs in while a reporting cycle is
open. Their dashboard says a progress report is due and links to the progress form. They fill in
the implementation status, the percentage, a value achieved per target, what happened and an
evidence link, typing 150 % by mistake: the draft is saved, the mistake is explained next to the
field and everything typed is still there, even after leaving the form and coming back. They
correct it, save the draft, then submit. An anonymous visitor (another browser, no cookies) opens
the public pledge page: the progress section shows the reporting status, the report, its bars
(whole pledge and per target) with the right values, what happened and the evidence link.

Every page visited gets an axe check and a check
that the browser logged no error (a CSP violation is one).
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reporting.models import ReportingCycle
from tests.browser.support import (
    LANGUAGES,
    date_text,
    error_title,
    in_language,
    log_in,
    number_text,
    t,
)
from tests.factories import (
    EntityFactory,
    MembershipFactory,
    PledgeFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Connect 1,000 rural schools in Rwanda"
NARRATIVE = "Fibre reached 450 schools in the Northern Province; 2,400 teachers were trained."
EVIDENCE = "https://minict.example.org/reports/schools-2025.pdf"


def make_member_pledge_and_cycle(language: str):
    """An editor of a ministry, its pledge published last year with two targets, and this
    year's reporting cycle on last year, open for a week and due in a month."""
    entity = EntityFactory(name="Ministry of ICT of Rwanda", acronym="MINICT")
    email = f"mia.{language}@minict.example.org"
    member = UserFactory(email=email, full_name="Mia Member", preferred_language=language)
    MembershipFactory(user=member, entity=entity, role="editor")
    today = timezone.localdate()
    year = today.year - 1
    pledge = PledgeFactory(entity=entity, published=True, created_by=member, title=TITLE,
                           summary="Broadband and trained teachers for rural schools.")
    pledge.published_at = datetime.datetime(year, 3, 1, 12, tzinfo=datetime.UTC)
    pledge.save(update_fields=["published_at"])
    # Its first target (PledgeFactory's): Schools connected, 0 → 1,000 schools.
    TargetFactory(pledge=pledge, indicator="Teachers trained", unit="teachers",
                  baseline=Decimal("200"), target_value=Decimal("5000"), position=1)
    cycle = ReportingCycle.objects.create(
        name_en=f"{year} annual report", name_translations={"fr": f"Rapport annuel {year}"},
        period_start=datetime.date(year, 1, 1), period_end=datetime.date(year, 12, 31),
        opens_on=today - datetime.timedelta(days=7), due_on=today + datetime.timedelta(days=30),
    )
    return email, cycle


@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES)
def test_member_reports_progress_and_the_public_sees_it(
    page, checkpoint, person_browser, checkpoint_of, language
):
    email, cycle = make_member_pledge_and_cycle(language)
    cycle_name = in_language(language, cycle)
    h1 = page.get_by_role("heading", level=1)
    main = page.get_by_role("main")
    tr = lambda message, **values: t(language, message, **values)  # noqa: E731

    # Logs in and lands on the dashboard, which says a report is due and links to it.
    page.goto(f"/{language}/accounts/login/")
    checkpoint("01-login")
    log_in(page, language, email)
    expect(h1).to_have_text(tr("My dashboard"))
    due = main.locator(".entity-reports-due")
    expect(due).to_contain_text(tr("A progress report is due:"))  # one report: the singular
    expect(due).to_contain_text(TITLE)
    expect(due).to_contain_text(tr("due on %(date)s", date=date_text(language, cycle.due_on)))
    checkpoint("02-dashboard-report-due")
    due.get_by_role("link", name=tr("Report progress for %(cycle)s", cycle=cycle_name)).click()

    # The progress form of this pledge for this cycle.
    expect(h1).to_have_text(tr("Progress report for %(cycle)s", cycle=cycle_name))
    expect(main).to_contain_text(TITLE)
    checkpoint("03-progress-form")
    status = page.get_by_label(tr("On track"), exact=True)
    percent = page.get_by_label(re.compile(rf"^\s*{re.escape(tr('Percentage complete'))}"))
    achieved = page.get_by_role("group", name=tr("Values achieved so far"))
    schools_value = achieved.get_by_label("Schools connected", exact=True)
    teachers_value = achieved.get_by_label("Teachers trained", exact=True)
    narrative = page.get_by_label(tr("What happened"), exact=True)
    evidence = page.get_by_label(tr("Evidence links"), exact=True)
    # What a target asks for is said next to its field.
    expect(achieved).to_contain_text(tr("Baseline: %(baseline)s.", baseline="200"))

    # Fills it in, typing 150 % by mistake, and saves the draft.
    teachers_typed = number_text(language, "2600")  # "2,600" or "2 600", as people write it
    status.check()
    percent.fill("150")
    schools_value.fill("450")
    teachers_value.fill(teachers_typed)
    narrative.fill(NARRATIVE)
    evidence.fill(EVIDENCE)
    page.get_by_role("button", name=tr("Save draft"), exact=True).click()

    def expect_as_typed(percentage: str) -> None:
        expect(status).to_be_checked()
        expect(percent).to_have_value(percentage)
        expect(schools_value).to_have_value("450")
        expect(teachers_value).to_have_value(teachers_typed)
        expect(narrative).to_have_value(NARRATIVE)
        expect(evidence).to_have_value(EVIDENCE)

    def expect_mistake_shown() -> None:
        expect(page).to_have_title(error_title(language))
        expect(page.get_by_role("alert")).to_contain_text(
            tr("Some values are not valid yet; they are marked below, as you typed them.")
        )
        error = tr("The percentage must be between 0 and 100; you wrote %(number)d.", number=150)
        expect(page.locator("#div_id_percent_complete")).to_contain_text(error)
        # A screen reader says it too, on the field.
        expect(percent).to_have_attribute("aria-invalid", "true")
        expect(percent).to_have_accessible_description(re.compile(re.escape(error)))
        expect_as_typed("150")

    expect(page.get_by_role("status")).to_contain_text(tr(
        "Draft saved. Some values are not valid yet: they are kept as you typed them, "
        "correct them when you can."
    ))
    expect_mistake_shown()
    checkpoint("04-percentage-not-valid")

    # Leaves for the dashboard and comes back: the draft is there, as typed, mistake included.
    page.get_by_role("banner").get_by_role("link", name=tr("My dashboard")).click()
    expect(h1).to_have_text(tr("My dashboard"))
    continue_link = due.get_by_role(
        "link", name=tr("Continue the report for %(cycle)s", cycle=cycle_name)
    )
    checkpoint("05-dashboard-draft-started")
    continue_link.click()
    expect(h1).to_have_text(tr("Progress report for %(cycle)s", cycle=cycle_name))
    expect_mistake_shown()
    checkpoint("06-progress-form-back-as-typed")

    # Corrects it and saves the draft: saved, nothing lost.
    percent.fill("40")
    page.get_by_role("button", name=tr("Save draft"), exact=True).click()
    expect(page.get_by_role("status")).to_have_text(tr("Draft saved."))
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page).not_to_have_title(error_title(language))
    # Now the saved value, shown as the language writes numbers (2,600 / 2 600).
    teachers_typed = number_text(language, "2600")
    expect_as_typed("40")
    checkpoint("07-draft-saved")

    # Submits it: thanked, and the report now reads as submitted.
    page.get_by_role("button", name=tr("Submit the report"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(tr(
        "Thank you: your progress report for “%(cycle)s” has been submitted.", cycle=cycle_name
    ))
    expect(h1).to_have_text(tr("Progress report for %(cycle)s", cycle=cycle_name))
    expect(main).to_contain_text(tr("On track"))
    expect(main).to_contain_text(tr(
        "%(achieved)s of %(target)s %(unit)s",
        achieved=number_text(language, "2600"), target=number_text(language, "5000"),
        unit="teachers",
    ))
    expect(main).to_contain_text(NARRATIVE)
    expect(page.get_by_role("button", name=tr("Submit the report"))).to_have_count(0)
    checkpoint("08-submitted")
    public_link = main.get_by_role("link", name=tr("See it on the public page"))
    public_url = public_link.get_attribute("href")

    # Nothing is due any more on the dashboard.
    page.get_by_role("banner").get_by_role("link", name=tr("My dashboard")).click()
    expect(h1).to_have_text(tr("My dashboard"))
    expect(due).to_have_count(0)

    # An anonymous visitor, in another browser, opens the public pledge page.
    visitor = person_browser("visitor", language)
    visitor.goto(public_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(visitor.get_by_role("banner")).to_contain_text(tr("Sign in"))  # not logged in
    progress = visitor.get_by_role("region", name=tr("Progress"), exact=True)
    expect(progress).to_contain_text(tr("Reporting status:"))
    expect(progress.locator(".badge").first).to_have_text(tr("Up to date"))
    report = progress.get_by_role("listitem").filter(
        has=visitor.get_by_role("heading", name=cycle_name)
    ).first
    expect(report).to_contain_text(tr(
        "Period from %(start)s to %(end)s",
        start=date_text(language, cycle.period_start), end=date_text(language, cycle.period_end),
    ))
    expect(report).to_contain_text(tr("On track"))
    bars = {
        tr("Whole pledge"): ("40", tr("%(percent)s %% complete", percent=40)),
        "Schools connected": ("45", tr(
            "%(achieved)s of %(target)s %(unit)s (%(percent)s %% of the way)",
            achieved="450", target=number_text(language, "1000"), unit="schools", percent=45,
        )),
        # From the baseline: (2,600 − 200) / (5,000 − 200) = 50 %.
        "Teachers trained": ("50", tr(
            "%(achieved)s of %(target)s %(unit)s (%(percent)s %% of the way)",
            achieved=number_text(language, "2600"), target=number_text(language, "5000"),
            unit="teachers", percent=50,
        )),
    }
    expect(report.get_by_role("progressbar")).to_have_count(len(bars))
    for label, (value, text) in bars.items():
        bar = report.get_by_role("progressbar", name=re.compile("^" + re.escape(label)))
        expect(bar).to_have_attribute("value", value)
        expect(bar).to_have_attribute("max", "100")
        expect(report).to_contain_text(text)
    expect(report).to_contain_text(NARRATIVE)
    expect(report.get_by_role("link", name=EVIDENCE)).to_have_attribute("href", EVIDENCE)
    checkpoint_of(visitor, "09-public-pledge-with-progress")
