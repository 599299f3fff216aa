"""The one support module of the browser tests: everything the journeys share.

- Languages: `LANGUAGES` parametrises a long journey in English and French, `SIX_LANGUAGES` a
  journey every new person takes (sign up, apply, pledge, the public pages) in all six UN
  languages; `t` gives the text a person reads in a language, `in_language` a reference-data
  name, `form_label` a field's label, `english_left` what a page still shows in English.
- People: `sign_up` and `log_in` on allauth's pages, `expect_logged_in` / `expect_logged_out` in the
  header, the emails they receive (`wait_for_email`, `email_to`).
- Checks on every page: `check_visit` (axe accessibility check, no English left on a page in
  another language, no console or CSP error so far; a screenshot with BROWSER_SHOTS=steps),
  `axe_check` alone, and the browser's error log (`BrowserErrors`).
- Browsers: `open_person_page`, a page in a browser context of its own.

conftest.py turns the browser parts into fixtures (`page`, `checkpoint`, `person_browser`, …);
journeys import the rest from here, never from one another.
"""

from __future__ import annotations

import datetime
import os
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
import pytest
from django.core import mail
from django.utils import translation
from django.utils.text import capfirst
from playwright.sync_api import expect

from p2c_portal.locale_formats import format_date, format_number
from tests.factories import TEST_PASSWORD

# --- Languages ---------------------------------------------------------------------------------

# The browser's locale for each language of the site (a Chinese reader's browser says zh-CN).
BROWSER_LOCALES = {
    "en": "en-GB", "fr": "fr-FR", "ar": "ar-EG", "es": "es-ES", "ru": "ru-RU", "zh-hans": "zh-CN",
}
# A journey in each language: @pytest.mark.parametrize(("language", "page_locale"), LANGUAGES).
# The long journeys (every pledge type, every desk action) run in English and French; those
# a new person takes run in all six.
LANGUAGES = [
    pytest.param(language, BROWSER_LOCALES[language], id=language) for language in ("en", "fr")
]
SIX_LANGUAGES = [
    pytest.param(language, locale, id=language) for language, locale in BROWSER_LOCALES.items()
]
# Another language, e.g. the secretariat's, to show that emails follow their recipient's.
OTHER_LANGUAGE = {"en": "fr", "fr": "en", "ar": "fr", "es": "en", "ru": "fr", "zh-hans": "en"}


def number_text(language: str, value: str) -> str:
    """A number as the pages show and the forms take it in `language` (CLDR): "1,500,000" in
    English, "1 500 000" (narrow no-break spaces) in French, "1.500.000" in Spanish."""
    return format_number(Decimal(value), language)


def date_text(language: str, day: datetime.date) -> str:
    """A date as the pages show it in `language`: "1 June 2022", "1er juin 2022"."""
    return format_date(day, language)


def t(language: str, message: str, **values) -> str:
    """The text a person reading `language` sees for `message`."""
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


def in_language(language: str, thing) -> str:
    """A reference-data name (country, action area, cycle, event, …) as the page shows it in
    `language`."""
    with translation.override(language):
        return str(thing.name)


def form_label(language: str, message: str) -> re.Pattern:
    """A form label as Django shows it (capitalised, '*' added by crispy when required)."""
    return re.compile(rf"^\s*{re.escape(capfirst(t(language, message)))}\s*\*?\s*$")


def error_title(language: str) -> re.Pattern:
    """The title of a page whose form has errors: it starts with "Error:"."""
    return re.compile("^" + re.escape(t(language, "Error:")))


# --- People: logging in, the header, their emails ------------------------------------------------

# django-allauth's own wording, written out so that the French runs prove the pages really are
# in French. The portal's own strings are looked up with gettext instead (`t`).
ALLAUTH_HEADINGS = {
    "en": {
        "signup": "Sign Up",
        "verification_sent": "Verify Your Email Address",
        "confirm": "Confirm Email Address",
        "login": "Sign In",
    },
    "fr": {
        "signup": "S’inscrire",  # the site's wording (p2c_portal/third_party_labels.py)
        "verification_sent": "Vérifiez votre adresse e-mail",
        "confirm": "Confirmer l'adresse e-mail",
        "login": "Se connecter",
    },
    "ar": {
        "signup": "إنشاء حساب",
        "verification_sent": "التحقق من البريد الإلكتروني",
        "confirm": "تأكيد البريد الإلكتروني",
        "login": "تسجيل الدخول",
    },
    "es": {
        "signup": "Registrarse",
        "verification_sent": "Verifique su dirección de correo electrónico",
        "confirm": "Confirmar dirección de correo electrónico",
        "login": "Iniciar sesión",
    },
    "ru": {
        "signup": "Зарегистрироваться",
        "verification_sent": "Подтвердите Ваш адрес электронной почты",
        "confirm": "Подтвердите адрес электронной почты",
        "login": "Войти",
    },
    "zh-hans": {
        "signup": "注册",
        "verification_sent": "验证您的Email地址",
        "confirm": "确认Email地址",
        "login": "登录",
    },
}

CONFIRM_LINK = re.compile(r"https?://[^\s<>\"']+/confirm-email/[^\s<>\"']+")


def sign_up(person_page, language: str, email: str, password: str) -> None:
    """Fill allauth's sign-up page, which the person has just opened."""
    person_page.get_by_label(form_label(language, "Email")).fill(email)
    person_page.get_by_label(form_label(language, "Your full name")).fill("Amina Diallo")
    person_page.get_by_label(form_label(language, "Password")).fill(password)
    person_page.get_by_label(form_label(language, "Password (again)")).fill(password)
    person_page.get_by_role("button", name=ALLAUTH_HEADINGS[language]["signup"]).click()


def fill_login_form(person_page, language: str, email: str, password: str = TEST_PASSWORD) -> None:
    """Fill allauth's login page, which the person has just been sent to."""
    headings = ALLAUTH_HEADINGS[language]
    expect(person_page.get_by_role("heading", level=1)).to_have_text(headings["login"])
    person_page.get_by_label(form_label(language, "Email")).fill(email)
    person_page.get_by_label(form_label(language, "Password")).fill(password)
    person_page.get_by_role("button", name=headings["login"], exact=True).click()


def enter_authenticator_code(person_page, language: str, code: str) -> None:
    """The code prompt that follows the password for an account with an authenticator app."""
    expect(person_page.get_by_role("heading", level=1)).to_have_text(
        t(language, "Two-factor authentication")
    )
    person_page.get_by_label(form_label(language, "Code")).fill(code)
    person_page.get_by_role("button", name=t(language, "Sign in"), exact=True).click()


def log_in(person_page, language: str, email: str, password: str = TEST_PASSWORD) -> None:
    """Log in. Staff need an authenticator app for the admin (p2c_portal/staff_two_factor.py):
    theirs was set up on an earlier visit, and they type the code it shows
    (test_staff_two_factor_journey.py walks through the set-up)."""
    from members.models import User
    from tests.two_factor import authenticator_app_for, totp_code

    user = User.objects.get(email__iexact=email)
    # The app must exist before the password is typed, or allauth logs in on the password alone.
    secret = authenticator_app_for(user) if user.is_staff else None
    fill_login_form(person_page, language, email, password)
    if secret:
        enter_authenticator_code(person_page, language, totp_code(secret))


def expect_logged_out(person_page, language: str) -> None:
    header = person_page.get_by_role("banner")
    expect(header.get_by_role("link", name=t(language, "Sign in"), exact=True)).to_be_visible()
    expect(header.get_by_role("button", name=t(language, "Sign out"), exact=True)).to_have_count(0)


def expect_logged_in(person_page, language: str) -> None:
    header = person_page.get_by_role("banner")
    expect(header.get_by_role("button", name=t(language, "Sign out"), exact=True)).to_be_visible()
    expect(header.get_by_role("link", name=t(language, "My account"), exact=True)).to_be_visible()
    expect(header.get_by_role("link", name=t(language, "Sign in"), exact=True)).to_have_count(0)


def open_menu_if_collapsed(person_page) -> None:
    toggler = person_page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()


def wait_for_email(to: str, timeout: float = 5.0):
    """The emails delivered to Django's locmem backend (mail.outbox) for `to`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = [message for message in mail.outbox if to in message.to]
        if sent:
            return sent
        time.sleep(0.05)
    raise AssertionError(f"No email to {to}; outbox: {[m.to for m in mail.outbox]}")


def email_to(address: str, subject: str, timeout: float = 5.0):
    """The one email to `address` with this subject (delivered once the request committed)."""
    deadline = time.monotonic() + timeout
    while True:
        sent = [m for m in mail.outbox if address in m.to and m.subject == subject]
        if sent or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(sent) == 1, (
        f"{subject!r} to {address}; outbox: {[(m.to, m.subject) for m in mail.outbox]}"
    )
    return sent[0]


# --- Browsers -------------------------------------------------------------------------------------

TIMEOUT_MS = 10_000  # a page of this site answers in milliseconds; fail fast, not after 30 s
VIEWPORT = {"width": 1280, "height": 900}

# Recorded in every page before its own scripts run (add_init_script is not subject to the
# page's CSP). Chromium also logs its own "Refused to ..." console error for a violation; this
# adds the directive and the source line, which tell where to look.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + (event.sourceFile || document.location.href) + ":" + event.lineNumber
  );
});
"""


def open_person_page(browser, *, base_url: str, locale: str, errors: BrowserErrors, who: str = ""):
    """A page in a new browser context (its own cookies and language) whose console errors and
    uncaught errors, CSP violations included, go to `errors` (labelled with `who`, if given).
    Close it with `page.context.close()`."""
    context = browser.new_context(
        base_url=base_url,
        locale=locale,
        viewport=VIEWPORT,
        reduced_motion="reduce",
        service_workers="block",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    person_page = context.new_page()
    whose = f" ({who})" if who else ""

    def on_console(message) -> None:
        if message.type == "error":
            errors.record(f"console error{whose}", message.text, message.location.get("url", ""))

    person_page.on("console", on_console)
    person_page.on("pageerror", lambda error: errors.record(f"page error{whose}", str(error)))
    return person_page


# --- Checks on every page ------------------------------------------------------------------------

# Where a person looks at what the browser saw; BROWSER_SHOTS_DIR moves it (e.g. a CI artefact).
SHOTS_DIR = Path(os.environ.get("BROWSER_SHOTS_DIR", "/tmp/shots"))  # noqa: S108
# A page is always captured when its test fails; every page a journey visits only with
# BROWSER_SHOTS=steps (to look at them all): a full-page capture costs 0.1-0.9 s, a sixth of
# the browser tests' time, for files no one opens when the tests pass.
STEP_SHOTS = os.environ.get("BROWSER_SHOTS", "failures") == "steps"

# The level the site promises (DESIGN.md: WCAG 2.1 AA).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")

# Django's admin/css/forms.css starts with @import. axe's CSS preload (used by one rule,
# css-orientation-lock) rebuilds such a stylesheet in a <style> element, which the strict CSP
# refuses: a CSP error caused by the test tool, not by the page. On admin pages axe therefore
# preloads media only; the CSP check itself stays as strict as everywhere else.
ADMIN_PATH = re.compile(r"^/(?:[a-z]{2}(?:-[a-z]+)?/)?admin/")
ADMIN_AXE_PRELOAD = {"assets": ["media"]}


def check_visit(person_page, test_name: str, step: str, errors: BrowserErrors) -> None:
    """What every page of a journey gets: the axe check, no English left, and no browser error so
    far (the `checkpoint` fixtures call this); a screenshot with BROWSER_SHOTS=steps."""
    person_page.wait_for_load_state("load")
    if STEP_SHOTS:
        save_screenshot(person_page, test_name, step)
    axe_check(person_page, context=step)
    left = english_left(person_page)
    assert not left, f"English left on the page at step {step!r} ({person_page.url}): {left}"
    errors.assert_none(when=f"by step {step!r} ({person_page.url})")


# Every text a person reads or hears on the page, with the language it is marked in: text nodes,
# the attributes screen readers and tooltips read, button values, the title.
PAGE_TEXTS = """() => {
  const texts = [];
  const languageOf = (element) => (element.closest("[lang]") || document.documentElement).lang;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    if (!element || element.closest("script, style, noscript, template")) continue;
    texts.push([languageOf(element), walker.currentNode.textContent]);
  }
  for (const element of document.body.querySelectorAll(
      "[placeholder], [aria-label], [title], [alt], input[type=submit], input[type=button]")) {
    for (const name of ["placeholder", "aria-label", "title", "alt"]) {
      if (element.hasAttribute(name)) texts.push([languageOf(element), element.getAttribute(name)]);
    }
    if (element.matches("input[type=submit], input[type=button]")) {
      texts.push([languageOf(element), element.value]);
    }
  }
  texts.push([document.documentElement.lang, document.title]);
  return texts;
}"""


@cache
def english_messages(language: str) -> frozenset[str]:
    """The English texts (the project's, Django's, allauth's, …) that `language` translates
    differently: seen on a page in `language`, one of them is English left untranslated."""
    from django.utils.translation import trans_real

    english = set()
    for key, text in trans_real.translation(language)._catalog.items():
        message = key[0] if isinstance(key, tuple) else key  # plural forms: (msgid, index)
        message = message.split("\x04", 1)[-1]  # msgctxt + EOT + msgid
        message = " ".join(message.split())
        # A word of three letters or fewer may be a name or a code in any language.
        if len(message) > 3 and " ".join(text.split()) != message and "%" not in message:
            english.add(message)
    return frozenset(english)


def english_left(person_page) -> list[str]:
    """The texts of a page in a language other than English that are still in English: any text
    the page marks as its own language (not a name in its own `lang`, like the language
    switcher's "English") that is the English of a translated message."""
    page_language = person_page.evaluate("() => document.documentElement.lang")
    if page_language == "en":
        return []
    english = english_messages(page_language)
    left = []
    for language, text in person_page.evaluate(PAGE_TEXTS):
        text = " ".join(text.split())
        if language == page_language and text in english and text not in left:
            left.append(text)
    return left


@cache
def axe_source() -> str:
    """axe-core, shipped inside the axe-playwright-python package: no network needed."""
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_check(page, context: str = "") -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the page; fail on serious or critical violations.

    axe is injected with page.evaluate (a DevTools evaluation, outside the page's CSP) rather
    than a <script> tag, which the CSP rightly refuses, or a bypass_csp context, which would
    hide the site's own CSP violations from the error log. On admin pages axe runs without its
    CSS preload (see ADMIN_AXE_PRELOAD). Returns every violation found.
    """
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    if ADMIN_PATH.match(urlsplit(page.url).path):
        options["preload"] = ADMIN_AXE_PRELOAD
    results = page.evaluate("(options) => axe.run(document, options)", options)
    violations = results["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        where = f"{context} ({page.url})" if context else page.url
        raise AssertionError(
            f"axe found {len(blocking)} serious/critical accessibility problem(s) on {where}:\n"
            + format_violations(blocking)
        )
    return violations


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact')}]: {violation['help']}"
            f" ({violation.get('helpUrl', '')})"
        )
        for node in violation["nodes"][:10]:
            target = " ".join(str(part) for part in node.get("target", []))
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {target}: {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def shot_path(test_name: str, step: str) -> Path:
    """<SHOTS_DIR>/<test>-<step>.png, with the parametrize id kept readable."""
    safe = re.sub(r"[^A-Za-z0-9_.]+", "-", f"{test_name}-{step}").strip("-")
    return SHOTS_DIR / f"{safe}.png"


def save_screenshot(page, test_name: str, step: str) -> Path:
    from playwright.sync_api import Error as PlaywrightError

    path = shot_path(test_name, step)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(path), full_page=True)
    except PlaywrightError as error:
        # Chromium now and then answers a busy machine's capture with this protocol error (seen
        # once in CI on a plain list page that the next capture took): one more try, then fail.
        if "Unable to capture screenshot" not in str(error):
            raise
        page.wait_for_timeout(1000)
        page.screenshot(path=str(path), full_page=True)
    return path


def save_failure_screenshot(person_page, test_name: str, who: str = "") -> None:
    """The page as it was when the test failed; the page may be gone, and the test has failed
    anyway, so a screenshot that cannot be taken is only reported."""
    whose = f" ({who})" if who else ""
    step = f"failure-{who}" if who else "failure"
    try:
        path = save_screenshot(person_page, test_name, step)
    except Exception as error:
        print(f"No failure screenshot{whose}: {error}")
    else:
        print(f"Screenshot of the failure{whose}: {path}")


@dataclass
class BrowserErrors:
    """Console errors and uncaught page errors (CSP violations included) of one test."""

    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)
    reported: int = 0  # errors[:reported] already failed a checkpoint

    def allow(self, pattern: str) -> None:
        """Expect an error on purpose, e.g. the console line of a deliberate 404."""
        self.allowed.append(re.compile(pattern))

    def record(self, kind: str, text: str, url: str = "") -> None:
        self.errors.append(f"{kind}: {text}" + (f" (on {url})" if url else ""))

    def unexpected(self, since: int = 0) -> list[str]:
        return [e for e in self.errors[since:] if not any(p.search(e) for p in self.allowed)]

    def assert_none(self, when: str = "") -> None:
        unexpected = self.unexpected(since=self.reported)
        self.reported = len(self.errors)
        if unexpected:
            raise AssertionError(
                f"The browser reported {len(unexpected)} error(s)"
                + (f" {when}" if when else "")
                + ":\n"
                + "\n".join(f"- {e}" for e in unexpected)
            )
