"""Reads for the events page: every event with its public pledges and its published reports
(reporting sits above pledges, so this is the one app that sees both)."""

from django.db.models import Prefetch

from pledges.models import Event
from pledges.selectors import pledge_counts_public

from ..models import ReportRun


def event_index_public() -> list[Event]:
    """Every event, newest first, each with `public_pledges` (how many public pledges were
    announced at it: pledges.selectors.pledge_counts_public) and `published_reports` (its
    published reports, newest first). Two queries, whatever the number of events."""
    counts = pledge_counts_public("event")
    events = list(
        Event.objects.prefetch_related(Prefetch(
            "reports", to_attr="published_reports",
            queryset=ReportRun.objects.filter(is_published=True, status=ReportRun.Status.DONE)
            .defer("figures").order_by("-published_at", "-pk"),
        ))
        .order_by("-start_date", "slug")
    )
    for event in events:
        event.public_pledges = counts.get(event.slug, 0)
    return events
