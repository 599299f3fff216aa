"""Cache-Control on every response: what belongs to one visitor is never kept by a shared cache.

A response that sets or deletes a cookie (the CSRF token, the session, the language, messages)
is `private, no-store` whatever the view asked for: a proxy keeping it would hand one visitor's
cookie to the next. A response no view marked (member pages, forms, redirects, errors) is
`private, no-store` too. Views mark what is the same for everyone and may be public
(`public_page` for anonymous visitors, approved entities' logos, published report files); that
mark stands only while the response sets no cookie.
"""

from django.utils.cache import patch_cache_control


def _make_private(response) -> None:
    del response["Cache-Control"]
    patch_cache_control(response, private=True, no_cache=True, no_store=True, max_age=0)


class CacheHeadersMiddleware:
    """Placed first after SecurityMiddleware, so that it sees the cookies every other
    middleware (sessions, CSRF, messages, language) has set on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.cookies or not response.has_header("Cache-Control"):
            _make_private(response)
        return response
