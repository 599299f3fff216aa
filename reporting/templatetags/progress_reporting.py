"""Template tags for the reporting includes. They compute what the includes show, so that the
templates of other apps only pass a pledge (and the pledges app never imports reporting).

Reporting statuses are computed once per request and entity: a list of an entity's pledges
costs three queries, not three per pledge."""

from django import template

from pledges.models import Pledge

from .. import permissions
from ..selectors import progress as selectors

register = template.Library()


def _request_cache(context, name: str) -> dict | None:
    request = context.get("request")
    if request is None:
        return None
    cache = getattr(request, name, None)
    if cache is None:
        cache = {}
        setattr(request, name, cache)
    return cache


@register.simple_tag(takes_context=True)
def pledge_reporting(context, pledge: Pledge, partnership=None) -> selectors.PledgeReporting:
    """The pledge's reporting status and the cycles it still has to report on: the pledging
    entity's, or with an accepted `partnership` that partner's own share."""
    if pledge.status != Pledge.Status.PUBLISHED:
        return selectors.PledgeReporting(pledge_id=pledge.pk, status=None)
    if partnership:
        cache = _request_cache(context, "_reporting_by_partner")
        if cache is None:
            return selectors.reporting_for_pledge(pledge, entity_id=partnership.entity_id)
        if partnership.entity_id not in cache:
            cache[partnership.entity_id] = selectors.reporting_for_partner(partnership.entity_id)
        found = cache[partnership.entity_id].get(pledge.pk)
        return found if found is not None else selectors.reporting_for_pledge(
            pledge, entity_id=partnership.entity_id)
    cache = _request_cache(context, "_reporting_by_entity")
    if cache is None:
        return selectors.reporting_for_pledge(pledge)
    if pledge.entity_id not in cache:
        cache[pledge.entity_id] = selectors.reporting_for_entity(pledge.entity_id)
    found = cache[pledge.entity_id].get(pledge.pk)
    return found if found is not None else selectors.reporting_for_pledge(pledge)


@register.simple_tag(takes_context=True)
def can_report_progress(context, pledge: Pledge, partnership=None) -> bool:
    """Whether the person viewing files this pledge's progress reports (with an accepted
    `partnership`: the partner's own share)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return False
    if partnership:  # accepted, as My pledges and the progress pages list them
        return permissions.role_in(user, partnership.entity) in permissions.WRITER_ROLES
    cache = _request_cache(context, "_can_report_by_entity")
    if cache is None:
        return permissions.can_report_progress(user, pledge)
    if pledge.entity_id not in cache:
        cache[pledge.entity_id] = permissions.can_report_progress(user, pledge)
    return cache[pledge.entity_id]


@register.simple_tag
def progress_reports_to_file(entity) -> list:
    """(pledge, cycle to report) pairs: the entity's progress reports to file now."""
    return selectors.progress_reports_to_file_for_entity(entity.pk)


@register.filter
def reporting_badge(status: str | None) -> str:
    """Bootstrap classes for a reporting status badge (contrast-safe pairs)."""
    return {
        selectors.ReportingStatus.UP_TO_DATE: "text-bg-success",
        selectors.ReportingStatus.DUE: "text-bg-warning",
        selectors.ReportingStatus.OVERDUE: "text-bg-danger",
        selectors.ReportingStatus.INACTIVE: "text-bg-secondary",
    }.get(status, "text-bg-light")


@register.filter
def implementation_badge(status: str) -> str:
    return {
        "not_started": "text-bg-light",
        "on_track": "text-bg-success",
        "at_risk": "text-bg-warning",
        "delayed": "text-bg-danger",
        "completed": "text-bg-primary",
    }.get(status, "text-bg-light")
