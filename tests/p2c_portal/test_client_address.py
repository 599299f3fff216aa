"""Rate limits behind the TLS proxy (issue 15, finding 5): one bucket per client, not per proxy.

Every request reaches the site from the proxy's address (REMOTE_ADDR); the proxy appends the
address it was reached from to X-Forwarded-For. With TRUSTED_PROXY_COUNT=1 the limits count per
that address: two visitors behind the proxy have separate buckets, and what a visitor writes into
X-Forwarded-For themselves (further left) is not believed. allauth's login limit shows it ("login":
every POST to the login page, per address).
"""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ALICE, BOB, MALLORY = "203.0.113.7", "198.51.100.9", "192.0.2.66"


@pytest.fixture
def three_logins_a_minute(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    return settings


def login_attempt(client: Client, *, forwarded_for: str | None = None) -> int:
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    response = client.post(
        "/en/accounts/login/",
        {"login": "nobody@example.org", "password": "wrong password"},
        **headers,
    )
    return response.status_code


def exhaust(client: Client, forwarded_for: str) -> None:
    assert [login_attempt(client, forwarded_for=forwarded_for) for _ in range(3)] == [200] * 3
    assert login_attempt(client, forwarded_for=forwarded_for) == 429


def test_behind_one_proxy_two_visitors_have_separate_buckets(three_logins_a_minute):
    three_logins_a_minute.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    exhaust(Client(), forwarded_for=ALICE)
    # Bob comes through the same proxy (same REMOTE_ADDR): Alice's failures do not lock him out.
    assert login_attempt(Client(), forwarded_for=BOB) == 200


def test_an_address_the_visitor_writes_in_front_is_not_believed(three_logins_a_minute):
    three_logins_a_minute.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    exhaust(Client(), forwarded_for=MALLORY)
    # Mallory sends "X-Forwarded-For: <Bob>"; the proxy appends Mallory's real address.
    spoofed = f"{BOB}, {MALLORY}"
    assert login_attempt(Client(), forwarded_for=spoofed) == 429
    assert login_attempt(Client(), forwarded_for=f"{BOB}, 10.9.9.9, {MALLORY}") == 429
    # Bob himself is still welcome.
    assert login_attempt(Client(), forwarded_for=BOB) == 200


def test_behind_two_proxies_the_second_address_from_the_right_is_the_client(
    three_logins_a_minute,
):
    three_logins_a_minute.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    cdn = "10.1.1.1"
    exhaust(Client(), forwarded_for=f"{ALICE}, {cdn}")
    assert login_attempt(Client(), forwarded_for=f"{BOB}, {cdn}") == 200
    assert login_attempt(Client(), forwarded_for=f"{BOB}, {ALICE}, {cdn}") == 429


def test_with_no_proxy_configured_the_header_is_ignored(three_logins_a_minute):
    """TRUSTED_PROXY_COUNT=0 (no proxy: `make run`, docker compose): X-Forwarded-For is whatever
    a client wrote, so the limits count per connection address, and rotating the header buys an
    attacker nothing. (Behind a proxy this setting would put everyone in the proxy's bucket.)"""
    three_logins_a_minute.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    exhaust(Client(), forwarded_for=ALICE)
    assert login_attempt(Client(), forwarded_for=BOB) == 429
    assert login_attempt(Client()) == 429


def test_the_429_page_is_the_sites_own_and_translated(three_logins_a_minute):
    client = Client()
    exhaust(client, forwarded_for=ALICE)
    for language, heading in (("en", "Too many requests"), ("fr", "Trop de requêtes")):
        response = client.post(
            f"/{language}/accounts/login/",
            {"login": "nobody@example.org", "password": "wrong"},
            REMOTE_ADDR=PROXY,
        )
        assert response.status_code == 429
        html = response.content.decode()
        assert f"<h1>{heading}</h1>" in html
        assert f'<html lang="{language}" dir="ltr">' in html
        assert 'class="site-header"' in html
