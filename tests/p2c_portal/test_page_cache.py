"""Whole pages kept for anonymous visitors (p2c_portal.page_cache) and CSRF tokens.

No public page of the site has a form that posts (the language switcher is links): those pages
set no CSRF cookie. A kept page that has one still gives each visitor a working token of their
own: a page of this module's own URLs shows it.
"""

import re

import pytest
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.test import Client
from django.urls import path
from django.views.decorators.http import require_POST

from p2c_portal.page_cache import public_page

pytestmark = pytest.mark.django_db

_FORM = engines["django"].from_string(
    '<form method="post" action="/posted/">{% csrf_token %}<button>Send</button></form>'
)


@public_page
def page_with_a_form(request):
    # The token as the `csrf` context processor would give it (this module has none of the
    # site's URLs, which the site's own context processors name).
    return HttpResponse(_FORM.render({"csrf_token": get_token(request)}))


@require_POST
def posted(request):
    return HttpResponse("posted")


urlpatterns = [path("form/", page_with_a_form), path("posted/", posted)]


@pytest.mark.urls(__name__)
def test_every_visitor_gets_a_working_token_of_their_own_from_a_kept_page():
    tokens = []
    for _visitor in range(2):
        client = Client(enforce_csrf_checks=True)
        html = client.get("/form/").content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        assert "placeholder" not in token
        tokens.append(token)
        response = client.post("/posted/", {"csrfmiddlewaretoken": token})
        assert response.status_code == 200  # not 403: the kept page's token works
    assert tokens[0] != tokens[1]


def test_a_kept_public_page_without_a_form_sets_no_csrf_cookie(anonymous):
    for _visit in range(2):  # rendered, then from the cache
        response = anonymous.get("/en/pledges/?q=x")
        assert response.status_code == 200
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert "csrftoken" not in response.cookies
