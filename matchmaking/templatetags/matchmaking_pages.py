"""Template tags for the matchmaking includes that other apps' pages show (the home page, a
pledge's page, the member dashboard), so that those apps never import matchmaking."""

from django import template

from pledges.models import Pledge
from pledges.pledge_references import page_links

from .. import selectors

register = template.Library()


@register.simple_tag
def matchmaking_figures() -> dict:
    """{"open": open needs, "met": needs met}."""
    return selectors.matchmaking_figures()


@register.simple_tag
def needs_of_pledge(pledge: Pledge) -> dict:
    """The open needs a public pledge could serve, and the needs it met (no query for either
    when the pledge page read that the pledge has none)."""
    suggested = page_links(pledge, "need_suggestions")
    met = page_links(pledge, "needs_met")
    return {"serves": selectors.needs_for_pledge(pledge) if suggested != [] else [],
            "met": list(selectors.public_needs_met_by(pledge)) if met != [] else []}


@register.simple_tag
def matchmaking_for_member(user) -> dict:
    """What the dashboard shows: proposals waiting for the person's answer, and how many
    matches are suggested for their entities."""
    return {"waiting": list(selectors.pending_introductions_for_member(user)[:10]),
            "suggested": len(selectors.suggestions_for_member(user))}
