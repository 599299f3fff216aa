from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

from .languages import page_in_language, page_without_language

# Longer query strings are no address anyone chose from the site's filters: the language links
# keep the path alone, so that a huge query is not echoed a dozen times into the page.
MAX_KEPT_QUERY = 2000


def site(request):
    return {"SITE_NAME": settings.SITE_NAME}


def languages(request):
    """The page in every offered language, its query string kept: the switcher's links
    (includes/language_switcher.html) and the hreflang alternates in every page's head
    (includes/language_alternates.html). Absolute addresses start from SITE_URL, not from the
    request's host, so that a page kept in the cache names the same addresses for everyone."""
    address = request.get_full_path()
    if len(request.META.get("QUERY_STRING", "")) > MAX_KEPT_QUERY:
        address = request.path
    current = get_language()
    return {
        "page_languages": [
            {
                "code": code,
                "name": name,
                "current": code == current,
                "switch_url": reverse("language_switch", args=[code])
                + "?"
                + urlencode({"next": address}),
                "absolute_url": settings.SITE_URL + page_in_language(address, code),
            }
            for code, name in settings.LANGUAGES
        ],
        "page_default_url": settings.SITE_URL + page_without_language(address),
    }
