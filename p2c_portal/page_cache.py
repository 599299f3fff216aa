"""Whole public pages kept for anonymous visitors: the `public_page` view decorator.

Used by every public page of the site (pledges' home, list, detail, country and event pages,
open data; members' entity profile). An anonymous visitor's page is kept whole in the cache for
PAGE_CACHE_SECONDS, keyed by its address (which holds the language and the query string); a
visit within that time costs one cache read and no query. A kept page's CSRF token, if it has a
form that needs one, is stored as a placeholder and replaced with the visitor's own token on every
response; a page without one sets no CSRF cookie. Browsers and shared caches may keep the page
BROWSER_MAX_AGE seconds. Pages for a signed-in person, or carrying a one-time message, are never
stored anywhere.
"""

import hashlib
import re
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

PAGE_CACHE_SECONDS = 15
BROWSER_MAX_AGE = 15
PAGE_CACHE_VERSION = 1  # bump when a deployment changes the pages' markup
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_PLACEHOLDER = "__p2c_csrf_token_placeholder__"  # the same in every process


def _page_key(request) -> str:
    address = f"{get_language()}|{request.get_full_path()}"
    return f"pledges:page:v{PAGE_CACHE_VERSION}:" + hashlib.sha256(address.encode()).hexdigest()


def public_page(view=None, *, whole_page: bool = True):
    """GET and HEAD only; cacheable for anonymous visitors (kept whole server-side unless
    whole_page=False), private and unstored for everyone else."""

    def decorate(view):
        @require_safe
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            personal = request.user.is_authenticated or len(messages.get_messages(request)) > 0
            key = _page_key(request) if whole_page and not personal else None
            stored = cache.get(key) if key else None
            if stored is not None:
                html = stored["html"]
                if _CSRF_PLACEHOLDER in html:
                    html = html.replace(_CSRF_PLACEHOLDER, get_token(request))
                response = HttpResponse(html, content_type=stored["content_type"])
            else:
                response = view(request, *args, **kwargs)
                if key and _storable(response):
                    html = _CSRF_INPUT.sub(rf"\g<1>{_CSRF_PLACEHOLDER}\g<2>",
                                           response.content.decode())
                    stored = {"html": html, "content_type": response["Content-Type"]}
                    cache.set(key, stored, PAGE_CACHE_SECONDS)
            if personal:
                patch_cache_control(response, private=True, no_cache=True, no_store=True,
                                    max_age=0)
            else:
                patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
            patch_vary_headers(response, ["Cookie"])
            return response

        return wrapper

    return decorate(view) if view else decorate


def _storable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and response["Content-Type"].startswith("text/html")
        and not response.cookies  # nothing that belongs to one visitor
    )
