"""The language switcher and the hreflang alternates (p2c_portal.languages, views.language_switch,
context_processors.languages, templates/includes/language_switcher.html).

The switcher must reach the chosen language on the same page, query string included, whatever
the browser asks for, the page's language and the language cookie: Django's `set_language`
failed whenever the browser's language was not the page's.
"""

import html
import re

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
COOKIE = settings.LANGUAGE_COOKIE_NAME
# A page with a query string that must come through intact: a non-ASCII word, two parameters.
PAGE = "/pledges/?q=Ha%C3%AFti&type=financial"
SWITCHER = re.compile(r'<nav class="language-switcher"[^>]*>(.*?)</nav>', re.S)
SWITCHER_LINK = re.compile(
    r'<a href="([^"]+)" lang="([^"]+)" hreflang="([^"]+)"([^>]*)>([^<]+)</a>'
)
ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')
PAGE_LANGUAGE = re.compile(r'<html lang="([^"]+)"')


def switcher_links(page_html: str) -> dict[str, str]:
    """The switcher's link for each language, as a browser would follow it."""
    (switcher,) = SWITCHER.findall(page_html)
    links = {}
    for href, lang, hreflang, _attrs, _name in SWITCHER_LINK.findall(switcher):
        assert lang == hreflang
        links[lang] = html.unescape(href)
    return links


def page_language(response) -> str:
    return PAGE_LANGUAGE.search(response.content.decode()).group(1)


def test_every_browser_page_and_cookie_language_switches_to_every_language_on_the_same_page():
    """Browser language (each, or none) × page language × cookie (none, or each) × target."""
    browsers = [None, *LANGUAGES]
    cookies = [None, *LANGUAGES]
    checked = 0
    for browser in browsers:
        client = Client(**({"HTTP_ACCEPT_LANGUAGE": browser} if browser else {}))
        for page in LANGUAGES:
            for cookie in cookies:
                for target in LANGUAGES:
                    # The cookie as the visitor had it on arriving at the page (a switch
                    # below changes it).
                    if cookie:
                        client.cookies[COOKIE] = cookie
                    else:
                        client.cookies.pop(COOKIE, None)
                    case = f"browser={browser} page={page} cookie={cookie} target={target}"
                    shown = client.get(f"/{page}{PAGE}")
                    assert shown.status_code == 200, case
                    assert page_language(shown) == page, case
                    link = switcher_links(shown.content.decode())[target]

                    switched = client.get(link)
                    assert switched.status_code == 302, case
                    assert switched.headers["Location"] == f"/{target}{PAGE}", case
                    assert switched.cookies[COOKIE].value == target, case

                    landed = client.get(switched.headers["Location"])
                    assert landed.status_code == 200, case
                    assert page_language(landed) == target, case
                    checked += 1
    assert checked == len(browsers) * len(LANGUAGES) * len(cookies) * len(LANGUAGES)


def test_the_switcher_names_each_language_in_itself_and_marks_the_current_one(anonymous):
    page_html = anonymous.get(f"/fr{PAGE}").content.decode()
    (switcher,) = SWITCHER.findall(page_html)
    assert 'aria-label="Langue"' in page_html.split('<nav class="language-switcher"')[1][:80]
    links = SWITCHER_LINK.findall(switcher)
    assert [(lang, name) for _href, lang, _hreflang, _attrs, name in links] == [
        ("ar", "العربية"),
        ("en", "English"),
        ("es", "Español"),
        ("fr", "Français"),
        ("ru", "Русский"),
        ("zh-hans", "中文"),
    ]
    current = [lang for _href, lang, _hreflang, attrs, _name in links if "aria-current" in attrs]
    assert current == ["fr"]


def test_every_page_names_its_alternates_in_every_language_with_its_query_string(anonymous):
    page_html = anonymous.get(f"/ru{PAGE}").content.decode()
    head = page_html.split("</head>")[0]
    alternates = {lang: html.unescape(href) for lang, href in ALTERNATE.findall(head)}
    expected = {code: f"{settings.SITE_URL}/{code}{PAGE}" for code in LANGUAGES}
    expected["x-default"] = f"{settings.SITE_URL}{PAGE}"
    assert alternates == expected


@pytest.mark.parametrize(("browser", "cookie", "expected"), [
    ("es", None, "es"),
    ("zh-Hans-CN,zh;q=0.9", None, "zh-hans"),
    ("ar", "ru", "ru"),  # the cookie, set by the switcher, wins over the browser
    (None, None, "en"),
])
def test_the_x_default_address_sends_each_visitor_to_their_language(browser, cookie, expected):
    client = Client(**({"HTTP_ACCEPT_LANGUAGE": browser} if browser else {}))
    if cookie:
        client.cookies[COOKIE] = cookie
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{expected}{PAGE}"


def test_the_switcher_works_from_a_page_that_does_not_exist(anonymous):
    page_html = anonymous.get("/ar/nowhere/?x=1").content.decode()
    response = anonymous.get(switcher_links(page_html)["es"])
    assert response.headers["Location"] == "/es/nowhere/?x=1"
    assert anonymous.get("/es/nowhere/?x=1").status_code == 404


@pytest.mark.parametrize("next_address", [
    "//evil.example/", "https://evil.example/pledges/", "/\\evil.example/", "pledges/", "",
])
def test_the_switcher_never_leads_off_the_site(anonymous, next_address):
    response = anonymous.get("/language/fr/", {"next": next_address})
    assert response.status_code == 302
    assert response.headers["Location"] == "/fr/"


def test_the_switcher_refuses_a_language_the_site_does_not_offer(anonymous):
    assert anonymous.get("/language/de/", {"next": "/en/"}).status_code == 404
    assert COOKIE not in anonymous.cookies


def test_a_switch_is_never_cached_and_only_follows_links(anonymous):
    response = anonymous.get("/language/ru/", {"next": "/en/"})
    assert "no-cache" in response.headers["Cache-Control"]
    assert anonymous.post("/language/ru/", {"next": "/en/"}).status_code == 405


def test_the_admin_has_the_switcher_and_the_alternates_too(secretariat_client):
    page_html = secretariat_client.get("/es/admin/?x=1").content.decode()
    assert switcher_links(page_html)["fr"] == "/language/fr/?next=%2Fes%2Fadmin%2F%3Fx%3D1"
    assert f'hreflang="fr" href="{settings.SITE_URL}/fr/admin/?x=1"' in page_html


def test_a_huge_query_string_is_not_echoed_into_every_language_link(anonymous):
    """A 100,000-character query would otherwise be written into the page 13 times (the
    switcher's links and the alternates): the links keep the path alone past 2,000 characters."""
    huge = "x" * 100_000
    response = anonymous.get(f"/en/pledges/?q={huge}")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(huge) <= 2  # the search box, at most once more
    alternates = dict(ALTERNATE.findall(html.split("</head>")[0]))
    assert alternates["fr"] == f"{settings.SITE_URL}/fr/pledges/"
    normal = anonymous.get("/en/pledges/?q=schools").content.decode()
    assert "/fr/pledges/?q=schools" in normal


def test_the_periodic_tasks_are_named_in_the_admins_language(secretariat_client):
    """django-celery-beat has no Arabic catalogue: its names come from the project's."""
    page = secretariat_client.get("/ar/admin/").content.decode()
    assert "المهام الدورية" in page and "جداول cron" in page
    for english in ("Periodic Tasks", "Crontabs", "Intervals", "Solar events"):
        assert english not in page
    french = secretariat_client.get("/fr/admin/").content.decode()
    assert "Tâches périodiques" in french and "Tâches Périodique" not in french
