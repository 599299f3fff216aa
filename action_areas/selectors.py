import unicodedata

from django.db.models import Prefetch

from .models import ActionArea, Country, Indicator, Pillar


def action_area_list():
    return ActionArea.objects.order_by("position", "code")


def name_sort_key(name: str) -> str:
    """Sorts names ignoring accents and case ("Côte d'Ivoire" beside "Costa Rica"): names are
    translated in Python, so the database cannot order them in the reader's language."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def action_area_list_with_pillars():
    """The Action Framework (the open API): each area with its active pillars in
    `active_pillars`, ordered by code (a stable order to page by)."""
    return ActionArea.objects.prefetch_related(Prefetch(
        "pillars", to_attr="active_pillars",
        queryset=Pillar.objects.filter(is_active=True).order_by("position", "code"),
    )).order_by("code", "pk")


def country_list_with_groupings():
    """Every country with its region and its dated group memberships (Country.groups_on reads
    them for any date without another query), ordered by ISO code."""
    return (Country.objects.select_related("region").prefetch_related("group_memberships")
            .order_by("iso3", "pk"))


def indicator_list_public():
    """The catalogue's active indicators (what pledge targets count towards), each with its
    action areas, ordered by code (a stable order to page by)."""
    return (Indicator.objects.active()
            .prefetch_related(Prefetch("action_areas",
                                       queryset=ActionArea.objects.order_by("position")))
            .order_by("code", "pk"))
