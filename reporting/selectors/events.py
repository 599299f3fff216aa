"""Reads for the events page: every event with its public pledges and its published reports
(reporting sits above pledges, so this is the one app that sees both)."""

from django.db.models import Count, Prefetch, Q

from pledges.models import Event, Pledge

from ..models import ReportRun


def event_index_public() -> list[Event]:
    """Every event, newest first, each with `public_pledges` (how many public pledges were
    announced at it) and `published_reports` (its published reports, newest first). Two
    queries, whatever the number of events."""
    return list(
        Event.objects.annotate(public_pledges=Count(
            "pledges", filter=Q(pledges__in=Pledge.objects.public().values("pk")), distinct=True,
        ))
        .prefetch_related(Prefetch(
            "reports", to_attr="published_reports",
            queryset=ReportRun.objects.filter(is_published=True, status=ReportRun.Status.DONE)
            .defer("figures").order_by("-published_at", "-pk"),
        ))
        .order_by("-start_date", "slug")
    )
