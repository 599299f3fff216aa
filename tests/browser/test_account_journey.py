"""A new person's first visit, in English and in French: sign up, confirm the email, log in, out.

Every page visited gets an axe check and a check
that the browser logged no error (a CSP violation is one).
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    ALLAUTH_HEADINGS,
    CONFIRM_LINK,
    LANGUAGES,
    error_title,
    expect_logged_in,
    expect_logged_out,
    form_label,
    log_in,
    open_menu_if_collapsed,
    sign_up,
    t,
    wait_for_email,
)
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


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
    # One heading per area, each a link to its pledges (from the data migrations); the chart
    # below them has a heading of its own.
    expect(areas.get_by_role("heading", level=3).filter(has=page.get_by_role("link"))
           ).to_have_count(4)
    expect_logged_out(page, language)
    checkpoint("01-home")

    # Sign up with email and password.
    page.get_by_role("link", name=t(language, "Join the coalition")).first.click()
    expect(h1).to_have_text(headings["signup"])
    checkpoint("02-signup")
    sign_up(page, language, email, password)

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
    log_in(page, language, email, password)
    expect(page.get_by_role("status")).to_contain_text(
        # By the name given at sign-up (support.sign_up), not by the address.
        t(language, "Successfully signed in as %(name)s.", name="Amina Diallo")
    )
    expect(page).to_have_url(re.compile(rf"/{language}/"))
    expect_logged_in(page, language)
    checkpoint("06-logged-in")

    # Log out from the header.
    open_menu_if_collapsed(page)
    page.get_by_role("banner").get_by_role("button", name=t(language, "Sign out")).click()
    expect(page.get_by_role("status")).to_contain_text(t(language, "You have signed out."))
    expect(page).to_have_url(re.compile(rf"/{language}/"))
    expect_logged_out(page, language)
    checkpoint("07-logged-out")


@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES)
def test_wrong_password_says_so_and_keeps_the_typed_email(page, checkpoint, language):
    headings = ALLAUTH_HEADINGS[language]
    UserFactory(email="amina@example.org")

    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name=t(language, "Sign in")).click()
    h1 = page.get_by_role("heading", level=1)
    expect(h1).to_have_text(headings["login"])
    checkpoint("01-login")

    page.get_by_label(form_label(language, "Email")).fill("amina@example.org")
    page.get_by_label(form_label(language, "Password")).fill(TEST_PASSWORD + "-typo")
    page.get_by_role("button", name=headings["login"], exact=True).click()

    error = t(language, "The email address and/or password you specified are not correct.")
    expect(page.get_by_role("alert")).to_contain_text(error)
    expect(page).to_have_title(error_title(language))
    expect(h1).to_have_text(headings["login"])
    expect(page.get_by_label(form_label(language, "Email"))).to_have_value("amina@example.org")
    expect(page.get_by_label(form_label(language, "Password"))).to_have_value("")
    expect_logged_out(page, language)
    checkpoint("02-wrong-password")
