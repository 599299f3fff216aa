"""Template filters that write dates, numbers and amounts as the page's language does (CLDR).

Built into every template (settings.TEMPLATES "builtins"), so pages need no {% load %}:
    {{ pledge.start_date|local_date }}          1 June 2022 · 1er juin 2022 · 2022年6月1日
    {{ change.created_at|local_datetime }}      1 June 2022, 14:30
    {{ target.target_value|local_number }}      2,500,000.50 · 2 500 000,50
    {{ pledge.amount|local_amount:pledge.currency }}   US$2,500,000 · 2 500 000 $US
    {{ figures.goal_percent|local_percent }}    42% · 42 %
    {% for country in countries|collated:"name" %}   Côte d'Ivoire before Czechia
"""

from django import template

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
