"""Template filters for showing a pledge to the public (and to its authors, the same way)."""

from django import template
from django.utils.translation import get_language, ngettext

from action_areas.models import CountryGroup
from p2c_portal.locale_formats import format_number

from ..models import AdvocacyActivity
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
