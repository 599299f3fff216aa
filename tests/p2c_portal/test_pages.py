import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/en/", "Four action areas"),
        ("/fr/", "Quatre domaines d’action"),
        ("/en/accounts/login/", "Sign In"),
        ("/fr/accounts/login/", "Se connecter"),
        ("/en/accounts/signup/", "Sign Up"),
        ("/fr/accounts/signup/", "S’inscrire"),
    ],
)
def test_public_pages_render_in_both_languages(anonymous, url, expected):
    response = anonymous.get(url)
    assert response.status_code == 200
    assert expected in response.content.decode()


@pytest.mark.parametrize("language", ["en", "fr", "ar", "es", "ru", "zh-hans"])
def test_signing_in_and_up_are_named_alike_in_the_header_and_on_allauths_pages(
    anonymous, language
):
    import re

    for page in ("login", "signup"):
        html = anonymous.get(f"/{language}/accounts/{page}/").content.decode()
        heading = re.search(r"<h1[^>]*>\s*(.*?)\s*</h1>", html, re.S).group(1)
        header = html[html.index("<header"):html.index("</header>")]
        words = re.search(rf'href="/{language}/accounts/{page}/"[^>]*>(.*?)</a>', header).group(1)
        assert heading.casefold() == words.casefold(), (page, heading, words)


def test_every_page_sends_a_strict_content_security_policy(anonymous):
    response = anonymous.get("/en/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_scripts_or_styles(anonymous):
    import re

    for url in ("/en/", "/en/accounts/login/", "/en/accounts/signup/", "/en/nowhere/"):
        html = anonymous.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html, url
        assert not re.search(r'\sstyle="', html), url


def test_unknown_page_is_a_friendly_404_in_the_site_layout(anonymous):
    response = anonymous.get("/fr/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_layout_has_skip_link_landmarks_and_labelled_navigation(anonymous):
    html = anonymous.get("/en/").content.decode()
    assert 'href="#main"' in html and 'id="main"' in html
    assert '<nav class="navbar' in html and 'aria-label="Main navigation"' in html
    assert '<html lang="en" dir="ltr">' in html
    # The language switcher: tests/p2c_portal/test_language_switcher.py.
    assert '<nav class="language-switcher" aria-label="Language">' in html
