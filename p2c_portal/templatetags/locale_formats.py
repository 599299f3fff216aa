"""Template filters that write dates, numbers and amounts as the page's language does (CLDR).

Built into every template (settings.TEMPLATES "builtins"), so pages need no {% load %}:
    {{ pledge.start_date|local_date }}          1 June 2022 · 1er juin 2022 · 2022年6月1日
    {{ change.created_at|local_datetime }}      1 June 2022, 14:30
    {{ target.target_value|local_number }}      2,500,000.50 · 2 500 000,50
    {{ figures.goal_percent|local_decimal }}    0.75 · 0,75 (the decimals the value has)
    {{ pledge.amount|local_amount:pledge.currency }}   US$2,500,000 · 2 500 000 $US
    {{ figures.goal_percent|local_percent }}    42% · 42 %
    {% for country in countries|collated:"name" %}   Côte d'Ivoire before Czechia
    {{ pledge.action_areas.all|local_list }}    Access, Adoption and Value · 接入、采用和价值
    {{ partners|local_list:"bdi" }}             each name isolated in <bdi> (names people wrote)
    {{ figures.usd|local_compact }}             2.5 million · 2,5 millions · 250万
    {{ file.size|local_filesize }}              119.9 kB · 119,9 ko · 119.9 كيلوبايت
"""

from django import template
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

from p2c_portal import locale_formats

register = template.Library()


@register.filter
def local_date(value):
    return locale_formats.format_date(value)


@register.filter
def local_month(value):
    return locale_formats.format_month(value)


@register.filter
def local_datetime(value):
    return locale_formats.format_datetime(value)


@register.filter
def local_number(value):
    return locale_formats.format_number(value)


@register.filter
def local_decimal(value):
    return locale_formats.format_decimal(value)


@register.filter
def local_amount(value, currency="USD"):
    return locale_formats.format_amount(value, currency or "USD")


@register.filter
def local_percent(value):
    return locale_formats.format_percent(value)


@register.filter
def collated(items, attribute="name"):
    """`items` sorted by `attribute` as the page's language sorts names:
    {% for country in countries|collated:"name" %}."""
    return locale_formats.sorted_by_name(items, lambda item: getattr(item, attribute, item))


@register.filter
def local_filesize(value):
    return locale_formats.format_file_size(value)


@register.filter
def local_compact(value):
    """A headline figure in words: 2.5 million, 2,5 millions, 250万 (inside "USD {{ amount }}")."""
    return locale_formats.format_compact_number(value)


@register.filter(needs_autoescape=True)
def local_list(items, isolate="", autoescape=True) -> SafeString:
    """The items (their str()) listed as the page's language lists names, each escaped: "A, B
    and C", « A, B et C », "A وB وC", "A、B和C". `"bdi"` wraps each item in <bdi>, for names
    people wrote (a Latin entity name in an Arabic list)."""
    items = list(items or [])
    if not items:
        return SafeString("")
    if isolate == "bdi":
        items = [format_html("<bdi>{}</bdi>", item) for item in items]
    elif autoescape:
        items = [conditional_escape(item) for item in items]
    # The language's pattern is listed around placeholders and escaped in turn, then the
    # (escaped) items are put in: nothing in a name can look like part of the pattern.
    placeholders = [f"\x00{index}\x00" for index in range(len(items))]
    text = escape(locale_formats.format_list(placeholders)) if autoescape else (
        locale_formats.format_list(placeholders))
    for placeholder, item in zip(placeholders, items, strict=True):
        text = text.replace(placeholder, str(item), 1)
    return mark_safe(text)  # the pattern escaped above, each item escaped or already safe
