"""Pledges' figures on /metrics (p2c_portal.metrics): what the public sees."""

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric

from p2c_portal.metrics import portal_gauges

from .models import Pledge


@portal_gauges
def public_pledges() -> Iterable[Metric]:
    yield GaugeMetricFamily(
        "p2c_public_pledges", "Pledges the public sees (published or completed, past any embargo).",
        value=Pledge.objects.public().count(),
    )
