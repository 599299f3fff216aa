"""Reads of the secretariat's desk (the Django admin) shared by every record it reviews: who can
be assigned, and for an entity under vetting, its internal notes and its possible duplicates."""

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from .member_selectors import entity_matches
from .models import Entity, EntityNote, User


def reviewers(permission: str) -> QuerySet[User]:
    """The accounts a record can be assigned to: active staff holding `permission`
    ("app_label.codename") through a group or directly, and active staff superusers. The same
    people as permissions.can_be_assigned_reviews, in one query."""
    app_label, codename = permission.split(".")
    held = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True) | Q(groups__permissions__in=held) | Q(user_permissions__in=held)
        )
        .distinct()
        .order_by("full_name", "email")
    )


def entity_internal_notes(entity_id: int) -> QuerySet[EntityNote]:
    """Oldest first: a conversation reads in the order it was held."""
    return EntityNote.objects.filter(entity_id=entity_id).select_related("author")


def entity_possible_duplicates(entity: Entity) -> list[Entity]:
    """Other entities that are probably the same organisation (the application form's similarity
    check: name or acronym ignoring case, accents and punctuation, or the website's domain),
    whatever their status: the secretariat sees applications, rejections and suspensions too."""
    candidates = (
        Entity.objects.exclude(pk=entity.pk)
        .select_related("headquarters_country")
        .only("pk", "name", "acronym", "website", "status", "headquarters_country")
        .order_by("name", "pk")
    )
    return entity_matches(
        candidates, name=entity.name, acronym=entity.acronym, website=entity.website
    )
