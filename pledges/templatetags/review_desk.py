"""The secretariat's counters on the admin home page (templates/admin/index.html)."""

from django import template

from ..desk_selectors import review_desk_counts as counts

register = template.Library()


@register.simple_tag(takes_context=True)
def review_desk_counts(context) -> list[dict]:
    """What awaits the person looking: pledges to review, stale change requests, applications
    to vet. Empty for staff who may do none of it."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return counts(request.user)
