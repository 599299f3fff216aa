"""Reads of the public site: approved entities and their public fields only. The member area's
reads are in members.member_selectors."""

from django.db.models import Q, QuerySet, Value
from django.db.models.lookups import IContains
from django.http import Http404

from p2c_portal.locale_formats import Collated
from p2c_portal.text_folding import Unaccented

from .models import Entity, StakeholderGroup


def entity_list_public(*, query: str = "", group: str = "", country: str = "") -> QuerySet[Entity]:
    """Approved entities only, public fields only."""
    entities = (
        Entity.objects.approved()
        .select_related("headquarters_country")
        .only(
            "pk",
            "name",
            "acronym",
            "stakeholder_group",
            "sub_type",
            "website",
            "description",
            "updated_at",  # the open API pages and syncs by it
            "headquarters_country__name_en",
            "headquarters_country__name_translations",
            "headquarters_country__iso3",
        )
        # In the page language's alphabetical order ("Égypte" among the E's), with the primary
        # key breaking ties so that pages never overlap.
        .order_by(Collated("name"), "pk")
    )
    query = (query or "").strip()[:200]
    if query:
        # Accents and case ignored, as in the pledge search: "cote d'ivoire" finds "Côte d'Ivoire".
        folded = Unaccented(Value(query))
        entities = entities.filter(
            Q(IContains(Unaccented("name"), folded)) | Q(IContains(Unaccented("acronym"), folded))
        )
    if group in StakeholderGroup.values:
        entities = entities.filter(stakeholder_group=group)
    if country:
        entities = entities.filter(headquarters_country__iso3=country.upper()[:3])
    return entities


def entity_get_public(entity_id: int) -> Entity:
    entity = (
        Entity.objects.approved()
        .select_related("headquarters_country")
        .filter(pk=entity_id)
        .first()
    )
    if entity is None:
        raise Http404
    return entity
