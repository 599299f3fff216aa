"""The member dashboard's "Invitations" block (templates/pledges/includes/entity_invitations.html):
the members app lists entities and knows nothing of pledges, its template asks this tag."""

from django import template

from ..partnership_selectors import invitations_for_entity

register = template.Library()


@register.simple_tag
def invitations_waiting(entity) -> list:
    return list(invitations_for_entity(entity))
