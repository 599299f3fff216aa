"""Reporting's figures on /metrics (p2c_portal.metrics): reminders due, compiled reports."""

from collections.abc import Iterable

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily, Metric

from p2c_portal.metrics import portal_gauges

from .models import Reminder, ReportRun


@portal_gauges
def reminders_due() -> Iterable[Metric]:
    yield GaugeMetricFamily(
        "p2c_reminders_due", "Reminders that fell due and wait to be sent.",
        value=Reminder.objects.filter(status=Reminder.Status.PENDING).count(),
    )


@portal_gauges
def report_runs() -> Iterable[Metric]:
    counts = dict(ReportRun.objects.order_by().values_list("status").annotate(count=Count("pk")))
    family = GaugeMetricFamily(
        "p2c_report_runs", "Compiled reports, by status.", labels=["status"]
    )
    for status in ReportRun.Status.values:
        family.add_metric([status], counts.get(status, 0))
    yield family
