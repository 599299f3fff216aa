"""Issue 15, end to end in a browser, in English and in French: the admin needs a second factor.

A new secretariat member (staff in the Secretariat group, no authenticator app yet) opens the
admin and logs in with their password. Before the admin opens they are asked for their password
again (allauth's rule for any change to two-factor), with the reason, then to set up an
authenticator app: they "scan" the QR code (the test reads the secret key printed under it, as a
person without a camera would type it), enter the code the app shows, get their recovery codes and
go on to the admin. They log out and in again: after the password comes the code prompt; a wrong
code is refused, the right one opens the admin.

Codes are computed from the secret with the TOTP algorithm, like the app. Every page visited gets
an axe check and a check that the browser logged no
error (a CSP violation is one: the QR code is a data: image, the pages carry no inline script).
"""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from tests.browser.support import (
    LANGUAGES,
    enter_authenticator_code,
    fill_login_form,
    t,
)
from tests.browser.support import form_label as label
from tests.factories import TEST_PASSWORD, UserFactory
from tests.two_factor import authenticator_app_for, recovery_codes_of, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize(("language", "page_locale"), LANGUAGES)
def test_new_staff_sets_up_an_authenticator_app_before_the_admin_opens_and_logs_in_with_it(
    page, checkpoint, language
):
    user = UserFactory(email="sam@itu.example.org", full_name="Sam Secretariat", staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    h1 = page.get_by_role("heading", level=1)
    main = page.get_by_role("main")

    # --- The password first, on the site's login page. ----------------------------------------
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/login/\?next="))
    checkpoint("01-login")
    fill_login_form(page, language, user.email, TEST_PASSWORD)

    # --- Not the admin: the password again, and why. --------------------------------------------
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/reauthenticate/\?next="))
    expect(main).to_contain_text(
        t(
            language,
            "The secretariat desk needs two-factor authentication. Set up an authenticator app "
            "on your phone to continue: each login will then ask for a code from it.",
        )
    )
    checkpoint("02-password-again-with-the-reason")
    page.get_by_label(label(language, "Password")).fill(TEST_PASSWORD)
    page.get_by_role("button", name=t(language, "Confirm"), exact=True).click()

    # --- Setting up the app: the QR code shows, the secret is printed under it. -----------------
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/2fa/totp/activate/$"))
    expect(h1).to_have_text(t(language, "Set up an authenticator app"))
    qr_code = main.get_by_role(
        "img",
        name=t(
            language,
            "QR code for your authenticator app. If you cannot scan it, type the secret key "
            "shown below it.",
        ),
    )
    expect(qr_code).to_be_visible()
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0"), "no QR code"
    secret = page.get_by_label(t(language, "Secret key, if you cannot scan the QR code"))
    expect(secret).to_have_value(re.compile(r"^[A-Z2-7]{32}$"))
    checkpoint("03-set-up-the-app")

    code = totp_code(secret.input_value())
    page.get_by_label(label(language, "Authenticator code")).fill(code)
    page.get_by_role("button", name=t(language, "Activate"), exact=True).click()

    # --- Recovery codes, then on to the admin. ----------------------------------------------------
    expect(h1).to_have_text(t(language, "Recovery codes"))
    expect(main).to_contain_text(t(language, "Authenticator app activated."))
    codes = page.get_by_label(t(language, "Unused codes"))
    expect(codes).to_have_value("\n".join(recovery_codes_of(user)))
    checkpoint("04-recovery-codes")
    main.get_by_role("link", name=t(language, "Continue to the secretariat desk")).click()
    expect(page).to_have_url(re.compile(rf"/{language}/admin/$"))
    checkpoint("05-admin-home")

    # --- Out, and in again: the password is not enough. ---------------------------------------
    page.goto(f"/{language}/")
    banner = page.get_by_role("banner")
    banner.get_by_role("button", name=t(language, "Sign out")).click()
    expect(banner.get_by_role("link", name=t(language, "Sign in"))).to_be_visible()
    page.goto("/admin/")
    fill_login_form(page, language, user.email, TEST_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/2fa/authenticate/$"))
    expect(h1).to_have_text(t(language, "Two-factor authentication"))
    checkpoint("06-code-prompt")

    right_code = totp_code(authenticator_app_for(user))  # the app set up above
    wrong_code = f"{(int(right_code) + 500_000) % 1_000_000:06d}"
    enter_authenticator_code(page, language, wrong_code)
    expect(main).to_contain_text(t(language, "Incorrect code."))
    checkpoint("07-wrong-code-refused")

    enter_authenticator_code(page, language, right_code)
    expect(page).to_have_url(re.compile(rf"/{language}/admin/$"))
    checkpoint("08-admin-home-again")

    # --- "My account" shows the set-up, one tab away. ---------------------------------------
    page.goto(f"/{language}/")
    page.get_by_role("banner").get_by_role("link", name=t(language, "My account")).click()
    account_tabs = page.get_by_role("navigation", name=t(language, "My account"))
    account_tabs.get_by_role("link", name=t(language, "Two-factor authentication")).click()
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/2fa/$"))
    expect(main).to_contain_text(
        t(language, "Authentication using an authenticator app is active.")
    )
    checkpoint("09-my-account-two-factor")
