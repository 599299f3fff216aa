"""Cache-Control of representative pages: what belongs to one visitor (a cookie, a signed-in
page, a logo not yet public) is never kept by a shared cache; public pages without cookies may
be."""

import io

import pytest
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.urls import path
from PIL import Image

from p2c_portal.page_cache import public_page
from tests.factories import EntityFactory, PledgeFactory

pytestmark = pytest.mark.django_db

_FORM = engines["django"].from_string(
    '<form method="post" action="/posted/">{% csrf_token %}<button>Send</button></form>'
)


@public_page
def public_page_with_a_form(request):
    return HttpResponse(_FORM.render({"csrf_token": get_token(request)}))


urlpatterns = [path("form/", public_page_with_a_form)]


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 156)).save(buffer, format="PNG")
    return buffer.getvalue()


def _assert_private(response, url):
    directives = _directives(response)
    assert "private" in directives and "no-store" in directives, (url, directives)
    assert "public" not in directives, (url, directives)


ANONYMOUS_URLS = ["/en/", "/en/pledges/", "/en/pledges/{pledge}/", "/en/entities/{entity}/",
                  "/en/open-data/", "/en/accounts/login/", "/en/accounts/signup/",
                  "/en/entities/", "/en/countries/RWA/"]


def test_no_anonymous_response_is_public_and_sets_a_cookie(anonymous):
    pledge = PledgeFactory(published=True)
    public_without_cookie = 0
    for url in ANONYMOUS_URLS:
        url = url.format(pledge=pledge.pk, entity=pledge.entity.pk)
        for _visit in range(2):  # the second visit is served from the page cache
            response = anonymous.get(url)
            assert response.status_code == 200, url
            if response.cookies:
                _assert_private(response, url)
            elif "public" in _directives(response):
                public_without_cookie += 1
    assert public_without_cookie  # public pages stay cacheable when they carry no cookie


@pytest.mark.urls(__name__)
def test_a_public_page_that_hands_out_a_csrf_cookie_is_private(anonymous):
    for _visit in range(2):  # rendered, then from the page cache
        response = anonymous.get("/form/")
        assert "csrftoken" in response.cookies
        _assert_private(response, "a public page with a form")


def test_the_login_page_with_its_csrf_cookie_is_private(anonymous):
    response = anonymous.get("/en/accounts/login/")
    assert "csrftoken" in response.cookies
    _assert_private(response, "/en/accounts/login/")


def test_member_pages_are_private_and_not_stored(member_client, entity):
    for url in ["/en/me/", f"/en/my-entities/{entity.pk}/", "/en/", "/en/pledges/"]:
        response = member_client.get(url)
        assert response.status_code == 200, url
        _assert_private(response, url)


def test_a_logo_is_publicly_cacheable_only_once_the_entity_is_approved(anonymous, member_client,
                                                                       entity):
    approved = EntityFactory(logo_png=_png())
    response = anonymous.get(f"/en/entities/{approved.pk}/logo.png")
    assert response.status_code == 200
    assert {"public", "max-age=3600"} <= _directives(response)

    entity.status = "applied"
    entity.logo_png = _png()
    entity.save()
    response = member_client.get(f"/en/entities/{entity.pk}/logo.png")
    assert response.status_code == 200
    _assert_private(response, "logo of an entity under vetting")
    assert anonymous.get(f"/en/entities/{entity.pk}/logo.png").status_code == 404
