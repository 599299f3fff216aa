"""Template tags for the member area pages that the members app renders (pledges sits above
members, so what the dashboard lists of pledges joins the page here, not in the view)."""

from django import template

from ..member_selectors import pledge_list_changes_requested

register = template.Library()


@register.simple_tag
def pledges_changes_requested(entity) -> list:
    """The entity's pledges waiting for changes the secretariat asked for (one query)."""
    return list(pledge_list_changes_requested(entity))
