"""The languages the site offers, and one page's address in each of them.

Every page lives under a language prefix (`i18n_patterns`): /fr/pledges/?q=x is /en/pledges/?q=x
in French. The URL patterns themselves are never translated, so the same page in another language
is the same path under another prefix, whatever language the browser, the cookie or the request
speaks. (Django's `set_language` resolves its `next` address in the request's language instead,
and gives up when that is not the page's: the reason for the site's own switcher,
p2c_portal.views.language_switch.)
"""

import re
from urllib.parse import urlsplit, urlunsplit

from django import forms
from django.conf import settings
from django.utils.translation import get_supported_language_variant


def language_choices() -> list[tuple[str, str]]:
    """The offered languages as a model field's choices. A callable, so that migrations refer to
    it instead of copying the list: offering another language needs no migration."""
    return list(settings.LANGUAGES)


class LanguageSelect(forms.Select):
    """A choice of languages, each named in itself ("English", "العربية") and marked with its
    `lang`, as on the language switcher: a screen reader reading a French page says "English" as
    English, not as a French word."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["lang"] = str(value)
        return option


def offered_language(code: str | None) -> str:
    """The offered language (one of settings.LANGUAGES' codes) that best serves `code`, a browser's
    or a page's language tag: "zh", "zh-CN" and "zh_Hans" are all served by "zh-hans", "fr-CA" by
    "fr". Anything else, or nothing, gets the site's default language. The one place a stored
    language preference is derived from a tag."""
    tag = (code or "").strip().replace("_", "-").lower()
    if tag:
        try:
            return get_supported_language_variant(tag)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


def _language_prefix() -> re.Pattern:
    codes = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    return re.compile(rf"^/(?:{codes})(?=/|$)", re.IGNORECASE)


def page_without_language(address: str) -> str:
    """`address` (a path with its query string, as request.get_full_path() gives it) without its
    language prefix. LocaleMiddleware sends a visitor there on to the page in their own language
    (the cookie's, else the browser's): hreflang's x-default."""
    parts = urlsplit(address)
    path = _language_prefix().sub("", parts.path, count=1) or "/"
    return urlunsplit(("", "", path, parts.query, ""))


def page_in_language(address: str, language: str) -> str:
    """`address` in `language`: its language prefix replaced, or added where it has none."""
    return f"/{language}{page_without_language(address)}"
