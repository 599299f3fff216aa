"""The member dashboard's "Invitations" and "Requests to join" blocks
(templates/pledges/includes/entity_invitations.html, entity_join_requests.html): the members app
lists entities and knows nothing of pledges, its templates ask these tags."""

from django import template

from ..partnership_selectors import (
    contribution_proposals_to_entity,
    invitations_for_entity,
    join_requests_of_entity,
    join_requests_to_entity,
)

register = template.Library()


@register.simple_tag
def invitations_waiting(entity) -> list:
    return list(invitations_for_entity(entity))


@register.simple_tag
def join_requests_waiting(entity) -> list:
    return list(join_requests_to_entity(entity))


@register.simple_tag
def join_requests_made(entity) -> list:
    return list(join_requests_of_entity(entity))


@register.simple_tag
def contribution_proposals_waiting(entity) -> list:
    return list(contribution_proposals_to_entity(entity))
