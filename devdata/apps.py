from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevDataConfig(AppConfig):
    """Demo data (`load_demo_data`) and the benchmark generator (`seed_bench`).

    The top layer: it may use every app, and no app uses it. Both commands write through the
    apps' services, so that demo and benchmark data go through the same rules as real data.
    """

    name = "devdata"
    verbose_name = _("Demo and benchmark data")
