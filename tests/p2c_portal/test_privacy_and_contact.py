"""The privacy notice and the contact page: what is kept, why, how long, how to have it
deleted, and the coalition's address, in every language."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_privacy_notice_says_what_why_how_long_and_how_to_delete(anonymous):
    html = anonymous.get("/en/privacy/").content.decode()
    for heading in ("What is stored", "Why", "For how long", "To see, correct or delete your data"):
        assert f">{heading}</h2>" in html
    assert "14 days after your last visit" in html
    assert 'href="mailto:partner2connect@itu.int"' in html


def test_the_contact_page_gives_the_coalitions_address(anonymous):
    html = anonymous.get("/en/contact/").content.decode()
    assert 'href="mailto:partner2connect@itu.int"' in html
    assert 'href="/en/privacy/"' in html


@pytest.mark.parametrize("language, title", [
    ("fr", "Avis de confidentialité"), ("ar", "إشعار الخصوصية"), ("es", "Aviso de privacidad"),
    ("ru", "Уведомление о конфиденциальности"), ("zh-hans", "隐私声明"),
])
def test_the_privacy_notice_is_translated(anonymous, language, title):
    assert f"<h1>{title}</h1>" in anonymous.get(f"/{language}/privacy/").content.decode()
