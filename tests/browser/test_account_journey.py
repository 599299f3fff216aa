"""A new person's first visit, in English and in French: sign up, confirm the email, log in, out.

Every page visited gets a screenshot (/tmp/shots/<test>-<step>.png), an axe check and a check
that the browser logged no error (a CSP violation is one).
"""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = [
    pytest.param("en", "en-GB", id="en"),
    pytest.param("fr", "fr-FR", id="fr"),
]

# django-allauth's own wording, written out so that the French run proves the pages really are
# in French. The portal's own strings are looked up with gettext instead (`t` below).
ALLAUTH_HEADINGS = {
    "en": {
        "signup": "Sign Up",
        "verification_sent": "Verify Your Email Address",
        "confirm": "Confirm Email Address",
        "login": "Sign In",
    },
    "fr": {
        "signup": "Création de compte",
        "verification_sent": "Vérifiez votre adresse e-mail",
        "confirm": "Confirmer l'adresse e-mail",
        "login": "Connexion",
    },
}

CONFIRM_LINK = re.compile(r"https?://[^\s<>\"']+/confirm-email/[^\s<>\"']+")


def t(language: str, message: str, **values) -> str:
    """The text a person reading `language` sees for `message`."""
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


def field(page, label: str):
    """A form field by its visible label (crispy adds a '*' to required ones)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def expect_logged_out(page, language: str) -> None:
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name=t(language, "Log in"), exact=True)).to_be_visible()
    expect(header.get_by_role("button", name=t(language, "Log out"), exact=True)).to_have_count(0)


def expect_logged_in(page, language: str) -> None:
    header = page.get_by_role("banner")
    expect(header.get_by_role("button", name=t(language, "Log out"), exact=True)).to_be_visible()
    expect(header.get_by_role("link", name=t(language, "My account"), exact=True)).to_be_visible()
    expect(header.get_by_role("link", name=t(language, "Log in"), exact=True)).to_have_count(0)


def wait_for_email(to: str, timeout: float = 5.0):
    """The email delivered to Django's locmem backend (mail.outbox) for `to`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = [message for message in mail.outbox if to in message.to]
        if sent:
            return sent
        time.sleep(0.05)
    raise AssertionError(f"No email to {to}; outbox: {[m.to for m in mail.outbox]}")


def open_menu_if_collapsed(page) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()


@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES)
def test_new_person_signs_up_confirms_email_logs_in_and_out(page, checkpoint, language):
    headings = ALLAUTH_HEADINGS[language]
    email = f"nadia.{language}@example.org"
    password = "Kigali-2022-connectivity!"
    h1 = page.get_by_role("heading", level=1)

    # The home page, in the browser's language.
    page.goto("/")
    expect(page).to_have_url(re.compile(rf"/{language}/$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(h1).to_have_text(t(language, "Partner2Connect Digital Coalition"))
    areas = page.get_by_role("region", name=t(language, "Four action areas"))
    expect(areas.get_by_role("heading", level=3)).to_have_count(4)  # from the data migrations
    expect_logged_out(page, language)
    checkpoint("01-home")

    # Sign up with email and password.
    page.get_by_role("link", name=t(language, "Join the coalition")).first.click()
    expect(h1).to_have_text(headings["signup"])
    checkpoint("02-signup")
    field(page, t(language, "Email")).fill(email)
    field(page, t(language, "Password")).fill(password)
    field(page, t(language, "Password (again)")).fill(password)
    page.get_by_role("button", name=headings["signup"]).click()

    # "Check your inbox", and the email is there, in the person's language.
    expect(h1).to_have_text(headings["verification_sent"])
    expect_logged_out(page, language)
    checkpoint("03-verification-sent")
    (message,) = wait_for_email(email)
    assert message.subject.startswith("[Partner2Connect]")
    assert t(language, "Please Confirm Your Email Address") in message.subject
    bodies = [message.body] + [content for content, _ in getattr(message, "alternatives", [])]
    links = [link for body in bodies for link in CONFIRM_LINK.findall(body)]
    assert links, f"No confirmation link in the email:\n{message.body}"
    link = urlsplit(links[0])
    assert link.path.startswith(f"/{language}/"), link

    # Open the link, confirm, and land on the login page.
    page.goto(link.path)
    expect(h1).to_have_text(headings["confirm"])
    expect(page.get_by_role("main")).to_contain_text(email)
    checkpoint("04-confirm-email")
    page.get_by_role("button", name=t(language, "Confirm"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        t(language, "You have confirmed %(email)s.", email=email)
    )
    expect(h1).to_have_text(headings["login"])
    expect_logged_out(page, language)
    checkpoint("05-email-confirmed-login")

    # Log in by email.
    field(page, t(language, "Email")).fill(email)
    field(page, t(language, "Password")).fill(password)
    page.get_by_role("button", name=headings["login"], exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        t(language, "Successfully signed in as %(name)s.", name=email)
    )
    expect(page).to_have_url(re.compile(rf"/{language}/"))
    expect_logged_in(page, language)
    checkpoint("06-logged-in")

    # Log out from the header.
    open_menu_if_collapsed(page)
    page.get_by_role("banner").get_by_role("button", name=t(language, "Log out")).click()
    expect(page.get_by_role("status")).to_contain_text(t(language, "You have signed out."))
    expect(page).to_have_url(re.compile(rf"/{language}/"))
    expect_logged_out(page, language)
    checkpoint("07-logged-out")


@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES)
def test_wrong_password_says_so_and_keeps_the_typed_email(page, checkpoint, language):
    headings = ALLAUTH_HEADINGS[language]
    UserFactory(email="amina@example.org")

    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name=t(language, "Log in")).click()
    h1 = page.get_by_role("heading", level=1)
    expect(h1).to_have_text(headings["login"])
    checkpoint("01-login")

    field(page, t(language, "Email")).fill("amina@example.org")
    field(page, t(language, "Password")).fill(TEST_PASSWORD + "-typo")
    page.get_by_role("button", name=headings["login"], exact=True).click()

    error = t(language, "The email address and/or password you specified are not correct.")
    expect(page.get_by_role("alert")).to_contain_text(error)
    expect(page).to_have_title(re.compile("^" + re.escape(t(language, "Error:"))))
    expect(h1).to_have_text(headings["login"])
    expect(field(page, t(language, "Email"))).to_have_value("amina@example.org")
    expect(field(page, t(language, "Password"))).to_have_value("")
    expect_logged_out(page, language)
    checkpoint("02-wrong-password")
