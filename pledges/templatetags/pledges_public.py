"""Template filters for showing a pledge to the public (and to its authors, the same way)."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext, ngettext, pgettext

from action_areas.models import CountryGroup
from p2c_portal.locale_formats import format_number, sorted_by_name
from p2c_portal.templatetags.locale_formats import local_compact, local_list

from ..models import AdvocacyActivity, PledgeType
from ..selectors import entity_pledges_public

register = template.Library()


@register.inclusion_tag("pledges/public/includes/entity_pledges.html")
def entity_pledges(entity) -> dict:
    """An entity's public pledges on its profile. The members app renders the profile and
    pledges sits above members, so the pledge list joins the page here, not in the view."""
    return {"entity_pledges": entity_pledges_public(entity), "entity": entity}


@register.filter
def advocacy_labels(values) -> list[str]:
    """The labels of a pledge's advocacy activity codes (unknown codes are left out)."""
    labels = dict(AdvocacyActivity.choices)
    return [str(labels[v]) for v in (values or []) if v in labels]


@register.filter
def country_group_label(code: str) -> str:
    """"LDC" -> "Least Developed Country", in the active language."""
    return str(dict(CountryGroup.choices).get(code, code))


def _group_acronym(group: str) -> str:
    if group == "LDC":
        return pgettext("country group acronym", "LDC")
    if group == "LLDC":
        return pgettext("country group acronym", "LLDC")
    if group == "SIDS":
        return pgettext("country group acronym", "SIDS")
    return group


@register.simple_tag
def pledge_countries(countries) -> SafeString:
    """A pledge's countries (the pledge body, templatetags.pledge_body), as the language sorts their
    names, each linked to its page with its groupings today (LDC, LLDC, SIDS) as abbreviations.
    Written here rather than as template nodes: a distinct pledge page renders them for every
    country, each with its nested loop and conditions (issue 20). The same markup as the
    template wrote."""
    today = timezone.localdate()
    labels = dict(CountryGroup.choices)
    items = []
    for country in sorted_by_name(countries, lambda country: country.name):
        groups = "".join(
            f' <abbr class="badge text-bg-light border country-group" '
            f'title="{escape(str(labels.get(group, group)))}">{escape(_group_acronym(group))}'
            f'</abbr>'
            for group in country.groups_on(today))
        url = escape(reverse("pledges:country_detail", args=[country.iso3]))
        items.append(f'<li class="list-inline-item mb-1"><a href="{url}"><bdi>'
                     f'{escape(country.name)}</bdi></a>{groups}</li>')
    return mark_safe("\n".join(items))  # every value escaped above


@register.simple_tag
def pledge_text(pledge, translated=True) -> dict:
    """The title and summary to show: in the visitor's language when the pledge has that
    translation (and `translated`), else as written; "language" is the `lang` to mark it with
    ("" when the entity has not said which language the original is in)."""
    if translated:
        return pledge.text_in(get_language() or "")
    return pledge.original_text()


@register.filter
def of_area(pillars, area) -> list:
    """The pillars (already loaded) of one action area, in their order."""
    return [pillar for pillar in pillars if pillar.action_area_id == area.pk]


# How many countries a pledge card names before "and N more countries".
CARD_COUNTRIES = 4


@register.simple_tag
def pledge_places(pledge) -> list[str]:
    """Where a pledge acts, for its card, as items of one list: its regions, its first
    CARD_COUNTRIES countries and "N more countries" (from the loaded regions and countries)."""
    places = [region.name for region in pledge.regions.all()]
    countries = list(pledge.countries.all())
    places += [country.name for country in countries[:CARD_COUNTRIES]]
    more = len(countries) - CARD_COUNTRIES
    if more > 0:
        places.append(
            ngettext("%(count)s more country", "%(count)s more countries", more)
            % {"count": format_number(more)}
        )
    return places


# How many words of its summary a pledge card shows.
CARD_SUMMARY_WORDS = 40
# A pledge type's label (lazy: in the active language), without get_pledge_type_display's
# hashing of the field's choices on every call.
_PLEDGE_TYPE_LABELS = dict(PledgeType.choices)


@register.simple_tag
def pledge_card(pledge, heading_level=2) -> SafeString:
    """One pledge in a list (loaded by selectors._cards / _card_queryset): its type, reference
    and state, its title linked to its page, its entity, the start of its summary, its action
    areas, where it acts and its USD figure. Written here rather than as an included template:
    a list, entity, country, event or home page shows 12 to 20 cards, and the include with its
    tags and filters was a large share of those pages' CPU at 100,000 pledges (issue 20).

    What people wrote (title, summary, entity and place names) is escaped; the catalogue's
    sentences are not, as {% translate %} and {% blocktranslate %} leave them. A title or
    summary in another language than the page's says which in `lang`; names sit in <bdi>."""
    text = pledge_text(pledge)
    language = text["language"]
    lang = format_html(' lang="{}"', language) if language else ""
    level = heading_level or 2
    kind = escape(_PLEDGE_TYPE_LABELS.get(pledge.pledge_type, pledge.pledge_type))
    if pledge.reference:
        kind += f" · {escape(pledge.reference)}"
    if pledge.status == pledge.Status.COMPLETED:
        kind += ' · <span class="badge text-bg-success">{}</span>'.format(gettext("Completed"))
    entity = gettext("By %(entity)s") % {"entity": format_html("<bdi>{}</bdi>", pledge.entity.name)}
    summary = ""
    if text["summary"]:
        words = Truncator(text["summary"]).words(CARD_SUMMARY_WORDS, truncate=" …")
        summary = f'<p class="card-text" dir="auto"{lang}>{escape(words)}</p>'
    areas = pledge.action_areas.all()
    areas = ('<li><span class="visually-hidden">{} </span>{}</li>'.format(
        gettext("Action areas:"), local_list(areas)) if areas else "")
    where = (gettext("Global") if pledge.is_global
             else local_list(pledge_places(pledge), "bdi"))
    usd = pledge.usd_committed
    usd = ("<li>{}</li>".format(gettext("USD %(amount)s") % {"amount": escape(local_compact(usd))})
           if usd else "")
    where_label = gettext("Where:")
    # Every value above is escaped, safe (local_list, format_html) or a catalogue sentence.
    return mark_safe(
        f'<article class="card h-100 pledge-card">\n'
        f'  <div class="card-body">\n'
        f'    <p class="small text-body-secondary mb-1">{kind}</p>\n'
        f'    <h{level} class="h5 card-title"><a href="{escape(pledge.get_absolute_url())}">'
        f"<bdi{lang}>{escape(text['title'])}</bdi></a></h{level}>\n"
        f'    <p class="card-text small mb-2">{entity}</p>\n'
        f"    {summary}\n"
        f'    <ul class="list-unstyled small text-body-secondary mb-0 pledge-card-facts">\n'
        f"      {areas}\n"
        f'      <li><span class="visually-hidden">{where_label} </span>{where}</li>\n'
        f"      {usd}\n"
        f"    </ul>\n"
        f"  </div>\n"
        f"</article>"
    )


def _facet_checkbox(name: str, index: int, option: dict, checked: bool) -> str:
    ident = f"facet-{name}-{index}"
    return (
        f'<div class="form-check">\n'
        f'<input class="form-check-input" type="checkbox" name="{name}" '
        f'value="{escape(str(option["value"]))}" id="{ident}"{" checked" if checked else ""}>\n'
        f'<label class="form-check-label" for="{ident}"><bdi>{escape(str(option["label"]))}</bdi> '
        f'<span class="facet-count">({escape(format_number(option["count"]))})</span></label>\n'
        f'</div>'
    )


@register.simple_tag
def facet_choices(facet: dict) -> SafeString:
    """A filter panel's choices (pledges.views.public._facet_panels): its checkboxes, or the
    chosen ones and a select of the others. Written here rather than as template nodes: a
    distinct list shows some 170 of them, and as nodes they were a third of its CPU at 100,000
    pledges (BENCHMARKS.md, issue 20). The same markup as the template wrote."""
    name = escape(facet["name"])
    parts = []
    if facet["widget"] == "select":
        parts += [_facet_checkbox(name, index, option, True)
                  for index, option in enumerate(facet["selected"], 1)]
        if facet["unselected"]:
            label = escape(str(facet["label"]))
            if facet["selected"]:
                label = gettext("%(facet)s (add another)") % {"facet": label}
            options = "".join(
                f'<option value="{escape(str(option["value"]))}">{escape(str(option["label"]))} '
                f'({escape(format_number(option["count"]))})</option>'
                for option in facet["unselected"])
            any_value = escape(gettext("Any"))
            parts.append(
                f'<label class="form-label small" for="facet-{name}-add">{label}</label>\n'
                f'<select class="form-select form-select-sm" name="{name}" id="facet-{name}-add">\n'
                f'<option value="">{any_value}</option>\n{options}\n</select>')
    else:
        parts += [_facet_checkbox(name, index, option, option["selected"])
                  for index, option in enumerate(facet["values"], 1)]
    return mark_safe("\n".join(parts))
