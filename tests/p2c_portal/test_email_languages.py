"""Every email in its recipient's language: words, subject and links (/<language>/…), one email
per recipient when one event mails several people, and plain text never HTML-escaped."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from following.models import Follow, Follower
from following.selectors import FollowNews
from matchmaking.models import Introduction, Need
from members import services as member_services
from members.models import EntityIdentityChange, Membership, User
from members.workflow import entity_transition
from p2c_portal.languages import offered_language
from p2c_portal.mail import email_send_templated
from p2c_portal.models import OutboundEmail
from pledges.models import Partnership, PartnershipAmendment, PledgeAmendment
from pledges.workflow import pledge_transition
from reporting.models import ProgressReport
from reporting.selectors.reminders import weekly_digest_context
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory
from tests.reporting.cycles import make_cycle

pytestmark = pytest.mark.django_db

EMAIL_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "emails"
# Every kind of email the site renders: a new one is covered as soon as its templates exist.
EMAIL_KINDS = sorted(
    f"{subject.parent.name}/{subject.name.removesuffix('_subject.txt')}"
    for subject in EMAIL_TEMPLATES.glob("*/*_subject.txt")
)
ENTITY_NAME = "Women's Digital Network"
LANGUAGES = ["fr", "ar", "zh-hans"]
# Words of each language's script: an Arabic or Chinese email that is still English has none.
SCRIPT = {"ar": re.compile(r"[\u0600-\u06FF]"), "zh-hans": re.compile(r"[\u4E00-\u9FFF]")}
LINK = re.compile(r"https?://\S+")
PASSWORD = "a-Long-and-unusual-passw0rd"


def test_every_kind_is_found():
    assert len(EMAIL_KINDS) >= 26
    assert "members/application_received" in EMAIL_KINDS
    assert "reporting/weekly_digest" in EMAIL_KINDS


@pytest.fixture
def email_context():
    """What the site's emails are rendered with, one object of each kind, named with an
    apostrophe."""
    now = timezone.now()
    entity = EntityFactory(name=ENTITY_NAME, applied_at=now - datetime.timedelta(days=1))
    recipient = UserFactory(full_name="Amina Diallo")
    pledge = PledgeFactory(entity=entity, published=True, title="Solar schools",
                           pledge_type="programme")
    cycle = make_cycle()
    report = ProgressReport(pledge=pledge, cycle=cycle, entity=pledge.entity)
    # Unsaved, with ids: the emails link to them by id (the admin's amendment, the answer page).
    amendment = PledgeAmendment(pk=41, pledge=pledge, entity=entity, reason="Budget cut.",
                                answer="Here it is.")
    partnership = Partnership(pk=42, pledge=pledge, entity=entity)
    # A funder's proposal to change its contribution (pledges.partnerships), approved.
    proposal = PartnershipAmendment(pk=45, partnership=partnership,
                                    contribution="Two more schools.", reason="A second grant.",
                                    amount=Decimal("500000"), currency="EUR", status="approved")
    change = EntityIdentityChange(entity=entity, name=ENTITY_NAME, stakeholder_group="government",
                                  headquarters_country=entity.headquarters_country)
    # Matchmaking: a need and a proposal to connect (unsaved, with ids: the emails link to them).
    need = Need(pk=43, entity=entity, title="Rural backhaul", support_kind="finance")
    introduction = Introduction(pk=44, need=need, pledge=pledge, from_entity=entity,
                                to_entity=EntityFactory(name="Fund"), message="Let us talk.")
    follower = Follower.objects.create(email="follower@example.net", language="en")
    follow = Follow.objects.create(follower=follower, kind="pledge", pledge=pledge,
                                   confirmed_at=now)
    return {
        "follow": follow,
        "follower": follower,
        "news": [FollowNews(follow, published=[pledge])],
        "week_start": timezone.localdate(now) - datetime.timedelta(days=7),
        "week_end": timezone.localdate(now) - datetime.timedelta(days=1),
        **weekly_digest_context(timezone.localdate(now) + datetime.timedelta(days=1)),
        "entity": entity,
        # A progress reminder to a partner about its own share of the pledge (issue 18).
        "partner": EntityFactory(name="Ministry of Youth's Office"),
        "recipient": recipient,
        "applicant": recipient,
        "inviter": recipient,
        "pledge": pledge,
        "pledges": [pledge],
        "need": need,
        "introduction": introduction,
        "status": "published",
        "amendment": amendment,
        "partnership": partnership,
        "proposal": proposal,
        "change": change,
        "cycle": cycle,
        "report": report,
        "message": "Add a target.",  # what people type is not translated: under four words
        "answer": "Here it is.",
        "reason": "Duplicate report.",
        "role": "Editor",
        "token": "an-invitation-token",
        "expires_at": now + datetime.timedelta(days=14),
        "resubmission": False,
        "days": 14,
        "days_left": 7,
        "days_late": 3,
        "last_change": timezone.localdate(now),
        "requested_on": timezone.localdate(now),
        "expires_on": timezone.localdate(now) + datetime.timedelta(days=30),
        "on_behalf": True,
        "SECRETARIAT_EMAIL": settings.SECRETARIAT_EMAIL,
    }


def _render(kind: str, language: str, context: dict) -> OutboundEmail:
    return email_send_templated(template=kind, to=["someone@example.org"], context=context,
                                language=language)


def _sentences(text: str) -> set[str]:
    """The lines of an email that are sentences (not a link, a name, a reference or a number)."""
    return {
        line.strip() for line in text.splitlines()
        if len(line.split()) >= 4 and not LINK.search(line)
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", EMAIL_KINDS)
def test_every_email_is_written_in_the_recipients_language(kind, language, email_context):
    english = _render(kind, "en", email_context)
    email = _render(kind, language, email_context)

    assert email.language == language
    assert email.subject != english.subject
    assert email.body_text != english.body_text
    # No English sentence is left (names, references and links are the same in every language).
    assert _sentences(email.body_text) & _sentences(english.body_text) == set()
    if language in SCRIPT:
        assert SCRIPT[language].search(email.subject)
        assert SCRIPT[language].search(email.body_text)
    links = LINK.findall(email.body_text)
    assert len(links) == len(LINK.findall(english.body_text))
    for link in links:
        assert link.startswith(f"{settings.SITE_URL}/{language}/"), link


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
@pytest.mark.parametrize("kind", EMAIL_KINDS)
def test_plain_text_is_never_html_escaped(kind, language, email_context):
    email = _render(kind, language, email_context)

    for text in (email.subject, email.body_text):
        assert "&#x27;" not in text and "&#39;" not in text and "&amp;" not in text
        assert "&quot;" not in text and "&lt;" not in text and "&gt;" not in text
    if kind.startswith("members/"):  # every members/ subject names the entity
        assert ENTITY_NAME in email.subject


@pytest.mark.parametrize("kind", ["members/application_received", "members/entity_approved",
                                  "members/invitation"])
def test_an_apostrophe_in_an_entity_name_stays_an_apostrophe(kind, email_context):
    for language in ["en", *LANGUAGES]:
        email = _render(kind, language, email_context)
        assert ENTITY_NAME in email.subject
        assert ENTITY_NAME in email.body_text


# --- Who gets which language ------------------------------------------------------------------


def _emails_to(address: str, template: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(to=[address], template=template))


def test_each_administrator_gets_the_decision_in_their_own_language(
    secretariat, django_capture_on_commit_callbacks, mailoutbox
):
    entity = EntityFactory(name=ENTITY_NAME, applied=True)
    french = UserFactory(preferred_language="fr")
    chinese = UserFactory(preferred_language="zh-hans")
    for admin in (french, chinese):
        MembershipFactory(user=admin, entity=entity, role=Membership.Role.ADMINISTRATOR)

    with django_capture_on_commit_callbacks(execute=True):
        entity_transition(entity_id=entity.pk, name="approve", actor=secretariat)

    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert set(by_recipient) == {french.email, chinese.email}
    assert "Women's Digital Network" in by_recipient[french.email].subject
    assert "/fr/" in by_recipient[french.email].body
    assert "/zh-hans/" not in by_recipient[french.email].body
    assert SCRIPT["zh-hans"].search(by_recipient[chinese.email].subject)
    assert "/zh-hans/" in by_recipient[chinese.email].body
    assert "/fr/" not in by_recipient[chinese.email].body


def test_the_applicant_and_the_secretariat_each_read_an_application_in_their_language(
    django_capture_on_commit_callbacks, mailoutbox
):
    applicant = UserFactory(preferred_language="ar")
    data = {field: getattr(EntityFactory.build(), field) for field in (
        "stakeholder_group", "website", "description", "contact_email", "commitment_evidence",
        "pledge_readiness", "leader_name", "leader_title", "leader_attends_roundtable",
        "consent_public_reporting", "acronym")}
    data["headquarters_country"] = EntityFactory.build().headquarters_country
    data["name"] = ENTITY_NAME

    with override_settings(SECRETARIAT_LANGUAGE="fr"), \
            django_capture_on_commit_callbacks(execute=True):
        member_services.entity_apply(user=applicant, data=data)

    [received] = [m for m in mailoutbox if m.to == [applicant.email]]
    [to_secretariat] = [m for m in mailoutbox if m.to == [settings.SECRETARIAT_EMAIL]]
    assert SCRIPT["ar"].search(received.subject) and ENTITY_NAME in received.subject
    assert f"{settings.SITE_URL}/ar/me/" in received.body
    assert "candidature" in to_secretariat.subject.lower() and ENTITY_NAME in to_secretariat.subject
    assert f"{settings.SITE_URL}/fr/admin/members/entity/" in to_secretariat.body


def test_a_pledge_decision_reaches_each_contact_in_their_language(
    secretariat, django_capture_on_commit_callbacks, mailoutbox
):
    entity = EntityFactory(name=ENTITY_NAME)
    author = UserFactory(preferred_language="zh-hans")
    admin = UserFactory(preferred_language="ar")
    MembershipFactory(user=author, entity=entity, role=Membership.Role.EDITOR)
    MembershipFactory(user=admin, entity=entity, role=Membership.Role.ADMINISTRATOR)
    pledge = PledgeFactory(entity=entity, submitted=True, created_by=author)

    with django_capture_on_commit_callbacks(execute=True):
        pledge_transition(pledge_id=pledge.pk, name="publish", actor=secretariat)

    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert set(by_recipient) == {author.email, admin.email}
    assert SCRIPT["zh-hans"].search(by_recipient[author.email].subject)
    assert "/zh-hans/" in by_recipient[author.email].body
    assert SCRIPT["ar"].search(by_recipient[admin.email].subject)
    assert "/ar/" in by_recipient[admin.email].body


def test_an_invitation_is_in_the_invitees_language_else_the_inviters(
    django_capture_on_commit_callbacks, mailoutbox
):
    entity = EntityFactory(name=ENTITY_NAME)
    inviter = UserFactory(preferred_language="fr")
    MembershipFactory(user=inviter, entity=entity, role=Membership.Role.ADMINISTRATOR)
    chinese = UserFactory(preferred_language="zh-hans")

    with django_capture_on_commit_callbacks(execute=True):
        member_services.invitation_create(actor=inviter, entity_id=entity.pk,
                                          email="newcomer@example.org", role="editor")
        member_services.invitation_create(actor=inviter, entity_id=entity.pk,
                                          email=chinese.email, role="editor")

    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert f"{settings.SITE_URL}/fr/invitations/" in by_recipient["newcomer@example.org"].body
    assert ENTITY_NAME in by_recipient["newcomer@example.org"].subject
    assert f"{settings.SITE_URL}/zh-hans/invitations/" in by_recipient[chinese.email].body
    assert SCRIPT["zh-hans"].search(by_recipient[chinese.email].subject)


# --- allauth's emails, and the preference set at sign-up ----------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_signing_up_in_a_language_keeps_it_for_the_emails(
    client, language, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/{language}/accounts/signup/",
                    {"email": "new@example.org", "full_name": "Amina Diallo",
                     "password1": PASSWORD, "password2": PASSWORD})

    assert User.objects.get(email="new@example.org").preferred_language == language
    [confirmation] = mailoutbox
    assert f"/{language}/accounts/confirm-email/" in confirmation.body
    assert "/en/" not in confirmation.body
    if language in SCRIPT:
        assert SCRIPT[language].search(confirmation.subject)


def test_a_password_reset_asked_from_an_english_page_is_in_the_accounts_language(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    person = UserFactory(preferred_language="ar")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/accounts/password/reset/", {"email": person.email})

    [reset] = mailoutbox
    assert SCRIPT["ar"].search(reset.subject)
    assert "/ar/accounts/password/reset/key/" in reset.body
    assert "/en/" not in reset.body


@pytest.mark.parametrize(("tag", "offered"), [
    ("zh", "zh-hans"), ("zh-CN", "zh-hans"), ("zh_Hans", "zh-hans"), ("zh-hans", "zh-hans"),
    ("fr-CA", "fr"), ("FR", "fr"), ("ar-EG", "ar"), ("es-419", "es"), ("ru-RU", "ru"),
    ("de", "en"), ("", "en"), (None, "en"), ("x" * 300, "en"),
])
def test_a_browsers_language_is_mapped_to_an_offered_one(tag, offered):
    assert offered_language(tag) == offered


# --- My account: the email language ---------------------------------------------------------


def test_a_member_changes_the_language_of_their_emails(member_client, member):
    page = member_client.get("/fr/me/language/")
    assert page.status_code == 200
    assert "Langue des courriels" in page.content.decode()

    response = member_client.post("/fr/me/language/", {"preferred_language": "zh-hans"},
                                  follow=True)

    member.refresh_from_db()
    assert member.preferred_language == "zh-hans"
    assert response.redirect_chain[-1][0] == "/fr/me/language/"
    assert 'value="zh-hans" checked' in response.content.decode()


@pytest.mark.parametrize("value", ["de", "", "zh", "x" * 5000])
def test_an_unoffered_language_is_refused_with_a_message(member_client, member, value):
    response = member_client.post("/en/me/language/", {"preferred_language": value})

    assert response.status_code == 200
    assert "Choose" in response.content.decode()
    member.refresh_from_db()
    assert member.preferred_language == "en"


def test_the_email_language_page_needs_a_login(anonymous):
    response = anonymous.get("/en/me/language/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_submission_reaches_the_secretariat_in_its_language(
    entity, member, django_capture_on_commit_callbacks, mailoutbox
):
    pledge = PledgeFactory(entity=entity, created_by=member)

    # A browser-style tag is served by the offered language: "zh" is Simplified Chinese.
    with override_settings(SECRETARIAT_LANGUAGE="zh"), \
            django_capture_on_commit_callbacks(execute=True):
        pledge_transition(pledge_id=pledge.pk, name="submit", actor=member)

    [to_secretariat] = [m for m in mailoutbox if m.to == [settings.SECRETARIAT_EMAIL]]
    [to_member] = [m for m in mailoutbox if m.to == [member.email]]
    assert SCRIPT["zh-hans"].search(to_secretariat.subject)
    assert f"{settings.SITE_URL}/zh-hans/admin/pledges/pledge/{pledge.pk}/" in to_secretariat.body
    assert not SCRIPT["zh-hans"].search(to_member.subject)
    assert f"{settings.SITE_URL}/en/" in to_member.body
