"""Staff two-factor (issue 15, finding 12): the admin never opens on a password alone.

Logins here go through the real pages (allauth's login, then its code prompt); codes are computed
with the TOTP algorithm from the secret, as a phone app would. `force_login` is avoided except
where a test says why: tests/two_factor.py makes it stand for a complete login.
"""

import re
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, reverse
from django.urls.resolvers import RoutePattern

from p2c_portal.staff_two_factor import SECOND_FACTOR_SESSION_KEY
from tests.factories import TEST_PASSWORD, UserFactory
from tests.p2c_portal.test_settings import LOCAL, PRODUCTION, VALID, _run
from tests.two_factor import (
    authenticator_app_for,
    log_in_without_second_factor,
    recovery_codes_of,
    totp_code,
)

pytestmark = pytest.mark.django_db

SETUP_URL = "/en/accounts/2fa/totp/activate/"
CODE_PROMPT_URL = "/en/accounts/2fa/authenticate/"
REAUTHENTICATE_URL = "/en/accounts/2fa/reauthenticate/"


def admin_paths() -> list[str]:
    """Every page of the admin, from its URLconf (path converters filled with 1), so that a page
    added later is covered by itself. The two regex routes (an app's index, the catch-all) are
    stood for by one app index."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if not isinstance(pattern.pattern, RoutePattern):
                continue
            route = re.sub(r"<(?:\w+:)?\w+>", "1", str(pattern.pattern))
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            else:
                found.append(prefix + route)

    walk(admin.site.get_urls(), "/en/admin/")
    found.append(reverse("admin:app_list", kwargs={"app_label": "pledges"}))
    return sorted(set(found))


def staff(**extra):
    """A secretariat member: staff in the Secretariat group, so that admin pages open to them."""
    from django.contrib.auth.models import Group

    user = UserFactory(
        email="desk@itu.example.org", full_name="Dana Desk", staff=True, **extra
    )
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


def log_in_with_password(client: Client, user) -> str:
    """allauth's login form; returns where it sends the person next."""
    response = client.post(
        "/en/accounts/login/", {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.headers["Location"]


def confirm_password(client: Client, *, language: str = "en") -> None:
    """allauth asks for the password again before any change to the account's two-factor set-up
    (MFA_REAUTHENTICATION_REQUIRED), even right after a login."""
    response = client.post(f"/{language}/accounts/reauthenticate/", {"password": TEST_PASSWORD})
    assert response.status_code == 302


def secret_shown_on(html: str) -> str:
    return re.search(r'id="authenticator_secret" type="text" value="([A-Z2-7]+)"', html).group(1)


def enter_code(client: Client, code: str):
    return client.post(CODE_PROMPT_URL, {"code": code})


def is_logged_in(client: Client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


# --- Staff without an authenticator app -----------------------------------------------------


def test_the_admin_url_list_is_complete_enough_to_mean_something():
    paths = admin_paths()
    assert "/en/admin/" in paths
    assert "/en/admin/pledges/pledge/" in paths
    assert "/en/admin/pledges/pledge/1/change/" in paths
    assert "/en/admin/members/entity/add/" in paths
    assert len(paths) > 100


def test_staff_without_an_authenticator_app_cannot_open_any_admin_page():
    user = staff()
    client = Client()
    assert log_in_with_password(client, user) == "/en/me/"  # no code asked: they have no app
    assert is_logged_in(client, user)

    for path in admin_paths():
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == SETUP_URL, path
    # Writes too: the refusal comes before any admin view runs.
    response = client.post("/en/admin/pledges/pledge/1/change/", {"title": "Changed"})
    assert response.headers["Location"] == SETUP_URL
    assert not Authenticator.objects.filter(user=user).exists()


def test_the_setup_page_says_why_and_shows_the_qr_code_and_the_secret():
    user = staff()
    client = Client()
    log_in_with_password(client, user)

    # First the password again (allauth's rule for any change to two-factor), with the reason.
    page = client.get("/en/admin/", follow=True)
    assert [url for url, _status in page.redirect_chain] == [
        SETUP_URL,
        f"/en/accounts/reauthenticate/?next={SETUP_URL.replace('/', '%2F')}",
    ]
    assert "The secretariat desk needs two-factor authentication." in page.content.decode()
    confirm_password(client)
    html = client.get(SETUP_URL).content.decode()
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', html)
    assert len(secret_shown_on(html)) == 32
    # The message is said once, on the page the person lands on.
    assert "needs two-factor authentication" not in html


# allauth announces a new app (authenticator_added) once its row is committed, and the second
# factor is recorded then: these tests commit for real.
COMMITTING = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@COMMITTING
def test_setting_up_the_app_opens_the_admin_and_gives_recovery_codes():
    user = staff()
    client = Client()
    log_in_with_password(client, user)
    confirm_password(client)
    secret = secret_shown_on(client.get(SETUP_URL).content.decode())

    wrong_code = "123456" if totp_code(secret) != "123456" else "654321"
    wrong = client.post(SETUP_URL, {"code": wrong_code})
    assert wrong.status_code == 200
    assert client.get("/en/admin/").headers["Location"] == SETUP_URL

    done = client.post(SETUP_URL, {"code": totp_code(secret)})
    assert done.headers["Location"] == "/en/accounts/2fa/recovery-codes/"
    codes_page = client.get("/en/accounts/2fa/recovery-codes/").content.decode()
    for code in recovery_codes_of(user):
        assert code in codes_page
    assert 'href="/en/admin/"' in codes_page  # "Continue to the secretariat desk"
    assert client.get("/en/admin/").status_code == 200


# --- Staff with an authenticator app ----------------------------------------------------------


def test_with_an_app_the_password_alone_does_not_log_in_and_a_valid_code_does():
    user = staff()
    secret = authenticator_app_for(user)
    client = Client()

    assert log_in_with_password(client, user) == CODE_PROMPT_URL
    assert not is_logged_in(client, user)
    admin_page = client.get("/en/admin/")
    assert admin_page.headers["Location"].startswith("/en/admin/login/")  # i.e. allauth's

    wrong_code = "000000" if totp_code(secret) != "000000" else "111111"
    refused = enter_code(client, wrong_code)
    assert refused.status_code == 200
    assert "Incorrect code." in refused.content.decode()
    assert not is_logged_in(client, user)

    accepted = enter_code(client, totp_code(secret))
    assert accepted.status_code == 302
    assert is_logged_in(client, user)
    assert client.get("/en/admin/").status_code == 200
    assert client.get("/en/admin/pledges/pledge/").status_code == 200


def test_a_code_works_once():
    user = staff()
    secret = authenticator_app_for(user)
    code = totp_code(secret)
    first = Client()
    log_in_with_password(first, user)
    enter_code(first, code)
    assert is_logged_in(first, user)

    replay = Client()
    log_in_with_password(replay, user)
    assert enter_code(replay, code).status_code == 200
    assert not is_logged_in(replay, user)


def test_a_recovery_code_logs_in_once():
    user = staff()
    authenticator_app_for(user)
    first_code, second_code = recovery_codes_of(user)[:2]

    lost_phone = Client()
    log_in_with_password(lost_phone, user)
    assert enter_code(lost_phone, first_code).status_code == 302
    assert lost_phone.get("/en/admin/").status_code == 200
    assert first_code not in recovery_codes_of(user)

    again = Client()
    log_in_with_password(again, user)
    assert enter_code(again, first_code).status_code == 200
    assert not is_logged_in(again, user)
    assert enter_code(again, second_code).status_code == 302
    assert again.get("/en/admin/").status_code == 200


def test_a_session_that_never_passed_the_second_factor_is_asked_for_a_code_first():
    """E.g. logged in before the app was set up elsewhere, or before becoming staff."""
    user = staff()
    secret = authenticator_app_for(user)
    client = Client()
    log_in_without_second_factor(client, user)  # logged in, no second factor in this session
    assert SECOND_FACTOR_SESSION_KEY not in client.session

    wanted = "/en/admin/pledges/pledge/?status__exact=submitted"
    response = client.get(wanted)
    location = urlsplit(response.headers["Location"])
    assert location.path == REAUTHENTICATE_URL
    assert client.get(response.headers["Location"]).status_code == 200

    # The password is no second factor.
    client.post("/en/accounts/reauthenticate/", {"password": TEST_PASSWORD})
    assert client.get(wanted).headers["Location"].startswith(REAUTHENTICATE_URL)

    passed = client.post(response.headers["Location"], {"code": totp_code(secret)})
    assert passed.headers["Location"] == wanted
    assert client.get(wanted).status_code == 200


def test_the_second_factor_of_one_account_does_not_carry_over_to_another():
    staff_user = staff()
    authenticator_app_for(staff_user)
    client = Client()
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = "someone else"
    session.save()
    log_in_without_second_factor(client, staff_user)
    assert client.get("/en/admin/").headers["Location"].startswith(REAUTHENTICATE_URL)


def test_the_admin_login_form_goes_through_the_code_prompt_too():
    user = staff()
    secret = authenticator_app_for(user)
    client = Client()
    login_page = client.get("/en/admin/login/?next=/en/admin/")
    assert login_page.headers["Location"].startswith("/en/accounts/login/")
    assert log_in_with_password(client, user) == CODE_PROMPT_URL
    enter_code(client, totp_code(secret))
    assert client.get("/en/admin/").status_code == 200


def test_the_admin_lists_authenticators_without_their_secrets():
    user = staff()
    secret = authenticator_app_for(user)
    seed = Authenticator.objects.get(user=user, type="recovery_codes").data["seed"]
    superuser = Client()
    superuser.force_login(UserFactory(email="root@itu.example.org", superuser=True))
    listing = superuser.get("/en/admin/mfa/authenticator/")
    assert listing.status_code == 200 and str(user) in listing.content.decode()
    for authenticator in Authenticator.objects.filter(user=user):
        page = superuser.get(f"/en/admin/mfa/authenticator/{authenticator.pk}/change/")
        assert page.status_code == 200
        html = page.content.decode()
        assert secret not in html and seed not in html
    assert superuser.get("/en/admin/mfa/authenticator/add/").status_code == 403


# --- Members ----------------------------------------------------------------------------------


def test_a_member_is_never_asked_for_a_second_factor(member):
    client = Client()
    assert log_in_with_password(client, member) == "/en/me/"
    assert is_logged_in(client, member)
    assert client.get("/en/me/").status_code == 200
    assert client.get("/en/my-pledges/").status_code == 200
    # The admin turns them away as before (not staff), without sending them to set up an app.
    assert client.get("/en/admin/").headers["Location"] != SETUP_URL


@COMMITTING
def test_a_member_may_opt_in_from_my_account_and_is_then_asked_for_a_code(member):
    client = Client()
    log_in_with_password(client, member)
    account = client.get("/en/accounts/email/").content.decode()
    assert 'href="/en/accounts/2fa/"' in account
    overview = client.get("/en/accounts/2fa/").content.decode()
    assert 'href="/en/accounts/2fa/totp/activate/"' in overview

    confirm_password(client)
    secret = secret_shown_on(client.get(SETUP_URL).content.decode())
    assert client.post(SETUP_URL, {"code": totp_code(secret)}).status_code == 302
    client.post("/en/accounts/logout/")

    again = Client()
    assert log_in_with_password(again, member) == CODE_PROMPT_URL
    assert not is_logged_in(again, member)


# --- The pages under the strict CSP -----------------------------------------------------------


def _assert_no_inline_script_or_style(html: str, where: str) -> None:
    # allauth's email page carries a JSON data block (type="application/json"): never run, so
    # not a script to the CSP. Any other <script> without src would be refused.
    code = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
    assert not code.search(html), where
    assert "<style" not in html, where
    assert not re.search(r'\sstyle="', html), where


def test_the_two_factor_pages_have_no_inline_script_or_style_and_are_in_french():
    user = staff(french=True)
    secret = authenticator_app_for(user)
    client = Client()
    client.post("/fr/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    prompt = client.get("/fr/accounts/2fa/authenticate/")
    _assert_no_inline_script_or_style(prompt.content.decode(), "code prompt")
    assert "Authentification à deux facteurs" in prompt.content.decode()
    client.post("/fr/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    confirm_password(client, language="fr")  # the recovery codes are shown only then

    for path in (
        "/fr/accounts/2fa/",
        "/fr/accounts/2fa/recovery-codes/",
        "/fr/accounts/2fa/reauthenticate/",
        "/fr/accounts/email/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_no_inline_script_or_style(response.content.decode(), path)

    other = UserFactory(email="new-desk@itu.example.org", staff=True, french=True)
    newcomer = Client()
    newcomer.post("/fr/accounts/login/", {"login": other.email, "password": TEST_PASSWORD})
    confirm_password(newcomer, language="fr")
    setup = newcomer.get("/fr/accounts/2fa/totp/activate/")
    html = setup.content.decode()
    _assert_no_inline_script_or_style(html, "set-up page")
    assert "Configurer une application d’authentification" in html
    # The QR code is a data: image: the policy allows data: images, and nothing else inline.
    policy = setup.headers["Content-Security-Policy"]
    assert re.search(r"img-src 'self' data:", policy)
    assert "unsafe-inline" not in policy


# --- Settings ---------------------------------------------------------------------------------

DUMP_TWO_FACTOR = (
    "import json, django; django.setup(); from django.conf import settings as s;"
    "from allauth import app_settings as a; from allauth.mfa import app_settings as m;"
    "print(json.dumps({'bypass': getattr(s, 'MFA_TOTP_INSECURE_BYPASS_CODE', None),"
    "'proxies': a.TRUSTED_PROXY_COUNT, 'types': m.SUPPORTED_TYPES}))"
)


def _settings_of(module: str, environ: dict[str, str]) -> dict:
    import json

    result = _run(module, environ, "-c", DUMP_TWO_FACTOR)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_takes_no_bypass_code_and_trusts_one_proxy_by_default():
    production = _settings_of(PRODUCTION, VALID)
    assert production == {"bypass": None, "proxies": 1, "types": ["totp", "recovery_codes"]}
    assert _settings_of(PRODUCTION, {**VALID, "TRUSTED_PROXY_COUNT": "0"})["proxies"] == 0


def test_only_make_run_with_debug_on_takes_the_demo_bypass_code():
    assert _settings_of(LOCAL, {}) == {
        "bypass": "000000",
        "proxies": 0,
        "types": ["totp", "recovery_codes"],
    }
    assert _settings_of(LOCAL, {"DJANGO_DEBUG": "false"})["bypass"] is None
    from django.conf import settings

    assert getattr(settings, "MFA_TOTP_INSECURE_BYPASS_CODE", None) is None  # the tests' own
