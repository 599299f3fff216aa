"""Issue 3, end to end in a browser, in each of the six UN languages: from a new person to a team.

A person signs up, confirms their email, logs in and applies for their entity (one invalid
website on the way, and an entity with the same acronym already in the coalition); the
secretariat, in its own browser, approves the application from the admin vetting desk; the
applicant is emailed in their language, sees the entity approved and invites a colleague; the
colleague, who has no account, opens the emailed link, creates an account there and lands on
their dashboard as a member of the entity.

Three people, three browser contexts (separate cookies). The secretariat browses in the other
language, which shows that every email follows its recipient's language, not the request's.
Every page visited gets an axe check and a check
that no browser logged an error (a CSP violation is one).
"""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils.text import capfirst
from playwright.sync_api import expect

from action_areas.models import Country
from members.models import Entity, Membership, User
from tests.browser.support import (
    ALLAUTH_HEADINGS,
    CONFIRM_LINK,
    OTHER_LANGUAGE,
    SIX_LANGUAGES,
    email_to,
    error_title,
    expect_logged_in,
    form_label,
    in_language,
    log_in,
    sign_up,
    t,
    wait_for_email,
)
from tests.factories import EntityFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

INVITATION_LINK = re.compile(r"https?://[^\s<>\"']+/invitations/[^\s<>\"'/]+/")

APPLICATION = {
    "name": "Kigali Digital Foundation",
    "acronym": "KDF",
    "website": "https://kdf.example.org",
    "description": "Community networks and digital skills for rural Rwanda.",
    "contact_email": "hello@kdf.example.org",
    "commitment_evidence": "Since 2015 we have built 40 community networks in rural districts.",
    "commitment_links": "https://kdf.example.org/annual-report-2021",
    "pledge_readiness": "We are ready to connect 300 rural health centres by 2026.",
    "leader_name": "Jeanne Uwase",
    "leader_title": "Executive Director",
}
ENTITY = f"{APPLICATION['name']} (KDF)"  # how the site names an entity with an acronym


def fill_application(page, language: str, values: dict) -> None:
    field = lambda message: page.get_by_label(form_label(language, message))  # noqa: E731
    field("name").fill(values["name"])
    field("acronym").fill(values["acronym"])
    field("stakeholder group").select_option(label=t(language, "Civil society"))
    field("sub-type").select_option(label=t(language, "Other"))
    field("headquarters country").select_option(label=values["country"])
    field("Website").fill(values["website"])
    field("short public description").fill(values["description"])
    field("public contact email").fill(values["contact_email"])
    field("evidence of commitment").fill(values["commitment_evidence"])
    field("links to evidence").fill(values["commitment_links"])
    field("readiness to make a major pledge").fill(values["pledge_readiness"])
    field("senior leader's name").fill(values["leader_name"])
    field("senior leader's title").fill(values["leader_title"])
    page.get_by_label(
        t(language, "the senior leader will take part in the Digital Development Roundtable"),
        exact=False,
    ).check()
    consent_label(page, language).check()


def consent_label(page, language: str):
    return page.get_by_label(
        t(
            language,
            "We agree that our pledges will be public and that we will report on their "
            "progress every year.",
        )
    )


def expect_application_kept(page, language: str, values: dict) -> None:
    """Everything typed is still there, as typed."""
    field = lambda message: page.get_by_label(form_label(language, message))  # noqa: E731
    expect(field("name")).to_have_value(values["name"])
    expect(field("acronym")).to_have_value(values["acronym"])
    expect(field("stakeholder group")).to_have_value("civil_society")
    expect(field("sub-type")).to_have_value("other")
    expect(field("headquarters country").locator("option:checked")).to_have_text(values["country"])
    expect(field("Website")).to_have_value(values["website"])
    expect(field("short public description")).to_have_value(values["description"])
    expect(field("public contact email")).to_have_value(values["contact_email"])
    expect(field("evidence of commitment")).to_have_value(values["commitment_evidence"])
    expect(field("links to evidence")).to_have_value(values["commitment_links"])
    expect(field("readiness to make a major pledge")).to_have_value(values["pledge_readiness"])
    expect(field("senior leader's name")).to_have_value(values["leader_name"])
    expect(field("senior leader's title")).to_have_value(values["leader_title"])
    expect(
        page.get_by_label(
            t(language, "the senior leader will take part in the Digital Development Roundtable"),
            exact=False,
        )
    ).to_be_checked()
    expect(consent_label(page, language)).to_be_checked()


@pytest.mark.parametrize(("language", "page_locale"), SIX_LANGUAGES)
def test_new_person_applies_is_approved_by_the_secretariat_and_builds_a_team(
    page, checkpoint, checkpoint_of, person_browser, language, secretariat
):
    headings = ALLAUTH_HEADINGS[language]
    applicant_email = f"jeanne.{language}@kdf.example.org"
    colleague_email = f"eric.{language}@kdf.example.org"
    password = "Kigali-2022-connectivity!"
    rwanda = Country.objects.get(iso3="RWA")
    values = {**APPLICATION, "country": in_language(language, rwanda)}
    # Already in the coalition, with the same acronym: the application form asks about it.
    EntityFactory(
        name="Kivu Data Foundation", acronym="KDF", website="https://kivudata.example.org"
    )
    h1 = page.get_by_role("heading", level=1)
    status = page.get_by_role("status")

    # --- The applicant signs up and confirms their email address. -----------------------------
    page.goto("/")
    expect(h1).to_have_text(t(language, "Partner2Connect Digital Coalition"))
    checkpoint("01-home")
    page.get_by_role("link", name=t(language, "Join the coalition")).first.click()
    expect(h1).to_have_text(headings["signup"])
    checkpoint("02-signup")
    sign_up(page, language, applicant_email, password)
    expect(h1).to_have_text(headings["verification_sent"])
    checkpoint("03-verification-sent")

    (confirmation,) = wait_for_email(applicant_email)
    links = CONFIRM_LINK.findall(confirmation.body)
    assert links, f"No confirmation link in the email:\n{confirmation.body}"
    page.goto(urlsplit(links[0]).path)
    expect(h1).to_have_text(headings["confirm"])
    checkpoint("04-confirm-email")
    page.get_by_role("button", name=t(language, "Confirm"), exact=True).click()
    expect(status).to_contain_text(
        t(language, "You have confirmed %(email)s.", email=applicant_email)
    )
    checkpoint("05-login")

    # --- Logs in and lands on an empty dashboard that says what to do next. -------------------
    log_in(page, language, applicant_email, password)
    expect(h1).to_have_text(t(language, "My dashboard"))
    expect_logged_in(page, language)
    expect(page.get_by_role("heading", name=t(language, "What to do next"))).to_be_visible()
    checkpoint("06-empty-dashboard")

    # --- Applies for the entity: the three criteria and the consent. --------------------------
    page.get_by_role("link", name=t(language, "Apply for your entity")).click()
    expect(h1).to_have_text(t(language, "Apply for your entity"))
    for legend in (
        "1. Evidence of commitment",
        "2. Readiness to make a major pledge",
        "3. Engagement at the highest level",
        "Consent",
    ):
        expect(page.get_by_role("group", name=t(language, legend), exact=True)).to_be_visible()
    checkpoint("07-application-form")
    typo = {**values, "website": "kdf dot example dot org"}
    fill_application(page, language, typo)
    send = page.get_by_role("button", name=t(language, "Send the application"))
    send.click()

    # An invalid website: said at the top, in the title and at the field; nothing typed is lost.
    expect(page.get_by_role("alert")).to_contain_text(
        t(language, "Please correct the fields marked below.")
    )
    expect(page).to_have_title(error_title(language))
    expect(page.locator("#div_id_website")).to_contain_text(t(language, "Enter a valid URL."))
    expect_application_kept(page, language, typo)
    checkpoint("08-application-invalid-website")
    assert not Entity.objects.filter(name=APPLICATION["name"]).exists()

    # Corrected. Another member already uses the acronym KDF: the form asks before applying.
    page.get_by_label(form_label(language, "Website")).fill(values["website"])
    send.click()
    similar = page.get_by_role("region", name=t(language, "Is your entity already here?"))
    expect(similar).to_contain_text("Kivu Data Foundation")
    expect(
        similar.get_by_role(
            "button", name=t(language, "Request to join %(name)s", name="Kivu Data Foundation")
        )
    ).to_be_visible()
    expect_application_kept(page, language, values)
    checkpoint("09-application-similar-entity")
    page.get_by_label(t(language, "My entity is not listed above")).check()
    send.click()

    # Sent: the dashboard says so, the entity is "Applied", and two emails went out.
    expect(h1).to_have_text(t(language, "My dashboard"))
    expect(status).to_contain_text(
        t(
            language,
            "Thank you: your application for %(entity)s has been sent to the ITU secretariat. "
            "We have emailed you a copy.",
            entity=APPLICATION["name"],
        )
    )
    row = page.get_by_role("row").filter(has_text=APPLICATION["name"])
    expect(row).to_contain_text(t(language, "Administrator"))
    expect(row).to_contain_text(t(language, "Applied"))
    expect(row).to_contain_text(
        t(language, "The secretariat is reviewing the application. We will email you its decision.")
    )
    checkpoint("10-dashboard-applied")
    entity = Entity.objects.get(name=APPLICATION["name"])
    assert entity.status == Entity.Status.APPLIED
    assert (entity.acronym, entity.website, entity.headquarters_country) == (
        "KDF",
        values["website"],
        rwanda,
    )
    assert entity.leader_attends_roundtable and entity.consent_public_reporting
    email_to(
        applicant_email,
        t(language, "We have received the application of %(name)s", name=APPLICATION["name"]),
    )
    email_to(
        settings.SECRETARIAT_EMAIL,
        t(settings.SECRETARIAT_LANGUAGE, "New entity application: %(name)s",
          name=APPLICATION["name"]),
    )

    # --- The secretariat, in its own browser and language, approves from the vetting desk. ----
    desk_language = OTHER_LANGUAGE[language]
    desk = person_browser("secretariat", desk_language)
    desk_h1 = desk.get_by_role("heading", level=1)
    desk.goto("/admin/")
    expect(desk).to_have_url(re.compile(rf"/{desk_language}/accounts/login/\?next="))
    checkpoint_of(desk, "11-secretariat-login")
    log_in(desk, desk_language, secretariat.email)
    expect(desk).to_have_url(re.compile(rf"/{desk_language}/admin/$"))
    expect(desk.locator("html")).to_have_attribute("lang", desk_language)
    checkpoint_of(desk, "12-secretariat-admin-home")

    entities = capfirst(t(desk_language, "entities"))
    desk.get_by_role("link", name=entities, exact=True).first.click()
    # The queue: open applications first.
    first_row = desk.locator("#result_list tbody tr").first
    expect(first_row).to_contain_text(APPLICATION["name"])
    expect(first_row).to_contain_text(t(desk_language, "Applied"))
    checkpoint_of(desk, "13-secretariat-vetting-queue")

    first_row.get_by_role("link", name=APPLICATION["name"]).click()
    for criterion in (APPLICATION["commitment_evidence"], APPLICATION["pledge_readiness"]):
        expect(desk.get_by_text(criterion)).to_be_visible()
    checkpoint_of(desk, "14-secretariat-application")

    desk.get_by_role("link", name=t(desk_language, "Approve"), exact=True).click()
    expect(desk_h1).to_have_text(
        t(
            desk_language,
            "%(action)s: %(entity)s",
            action=t(desk_language, "Approve"),
            entity=ENTITY,
        )
    )
    checkpoint_of(desk, "15-secretariat-confirm-approval")
    welcome = "Welcome to the coalition: we look forward to your first pledge."
    desk.get_by_label(t(desk_language, "Message to the applicant")).fill(welcome)
    desk.get_by_role("button", name=t(desk_language, "Approve"), exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text(
        t(
            desk_language,
            "%(entity)s: %(action)s done; the applicant has been emailed.",
            entity=ENTITY,
            action=t(desk_language, "Approve"),
        )
    )
    expect(desk.locator(".field-status")).to_contain_text(t(desk_language, "Approved"))
    checkpoint_of(desk, "16-secretariat-approved")
    entity.refresh_from_db()
    assert entity.status == Entity.Status.APPROVED

    # --- The applicant is emailed, in their own language, and sees the entity approved. -------
    approval = email_to(
        applicant_email,
        t(language, "%(name)s is now a member of Partner2Connect", name=APPLICATION["name"]),
    )
    assert welcome in approval.body
    assert t(language, "Message from the secretariat:") in approval.body
    page.reload()
    row = page.get_by_role("row").filter(has_text=APPLICATION["name"])
    expect(row).to_contain_text(t(language, "Approved"))
    expect(row).to_contain_text(t(language, "You can write pledges for this entity."))
    checkpoint("17-dashboard-approved")

    # --- Invites a colleague from the team page. -----------------------------------------------
    row.get_by_role("link", name=t(language, "Manage the team")).click()
    expect(h1).to_have_text(ENTITY)
    checkpoint("18-team")
    invite = page.get_by_role("form", name=t(language, "Invite a colleague"))
    invite.get_by_label(t(language, "Colleague's email address")).fill(colleague_email)
    expect(invite.get_by_label(t(language, "Role"), exact=True)).to_have_value("editor")
    invite.get_by_role("button", name=t(language, "Send the invitation")).click()
    expect(status).to_contain_text(
        t(
            language,
            "Invitation sent to %(email)s. The link works for 14 days.",
            email=colleague_email,
        )
    )
    waiting = page.get_by_role("listitem").filter(has_text=colleague_email)
    expect(waiting).to_contain_text(t(language, "Editor"))
    checkpoint("19-team-invitation-sent")

    invitation = email_to(
        colleague_email,
        t(
            language,
            "You are invited to join %(name)s on Partner2Connect",
            name=APPLICATION["name"],
        ),
    )
    links = INVITATION_LINK.findall(invitation.body)
    assert links, f"No invitation link in the email:\n{invitation.body}"

    # --- The colleague, with no account yet, opens the link and creates one there. -------------
    colleague = person_browser("colleague", language)
    colleague_h1 = colleague.get_by_role("heading", level=1)
    colleague.goto(urlsplit(links[0]).path)
    expect(colleague_h1).to_have_text(t(language, "Join %(entity)s", entity=APPLICATION["name"]))
    expect(
        colleague.get_by_role("heading", name=t(language, "Create your account"))
    ).to_be_visible()
    expect(colleague.get_by_role("main")).to_contain_text(colleague_email)
    checkpoint_of(colleague, "20-colleague-invitation")
    colleague.get_by_label(form_label(language, "Your full name")).fill("Eric Mugisha")
    colleague.get_by_label(form_label(language, "Password")).fill(password)
    colleague.get_by_label(form_label(language, "Password (again)")).fill(password)
    colleague.get_by_role("button", name=t(language, "Create my account and join")).click()

    expect(colleague_h1).to_have_text(t(language, "My dashboard"))
    expect(colleague.get_by_role("status")).to_contain_text(
        t(language, "Welcome to %(entity)s.", entity=ENTITY)
    )
    expect_logged_in(colleague, language)
    row = colleague.get_by_role("row").filter(has_text=APPLICATION["name"])
    expect(row).to_contain_text(t(language, "Editor"))
    expect(row).to_contain_text(t(language, "Approved"))
    expect(row).to_contain_text(t(language, "You can write pledges for this entity."))
    checkpoint_of(colleague, "21-colleague-dashboard")
    new_account = User.objects.get(email=colleague_email)
    assert new_account.preferred_language == language
    assert Membership.objects.get(user=new_account, entity=entity).role == "editor"

    # --- Back on the team page, the applicant sees their colleague in the team. ---------------
    page.reload()
    team = page.get_by_role("table", name=t(language, "Team"))
    expect(team.get_by_role("row").filter(has_text="Eric Mugisha")).to_contain_text(
        t(language, "Editor")
    )
    expect(page.get_by_role("listitem").filter(has_text=colleague_email)).to_have_count(0)
    checkpoint("22-team-with-colleague")
