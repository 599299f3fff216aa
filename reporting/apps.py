from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        # Registers the system check that names the font packages the PDF reports need.
        from . import compiled_report_fonts  # noqa: F401
