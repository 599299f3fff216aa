from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        from pledges import open_data

        # Registers the system check that names the font packages the PDF reports need.
        from . import compiled_report_fonts  # noqa: F401
        from .goal_open_data import goals_resource

        # The goals file joins the portal's data package (pledges cannot import reporting).
        if goals_resource not in open_data.MORE_RESOURCES:
            open_data.MORE_RESOURCES.append(goals_resource)

        from pledges.pledge_references import register_page_link

        from .models import ProgressReport

        # The public pledge page reads whether the pledge has any report with its links: most
        # have none, and the timeline then needs no query for them.
        register_page_link("progress_reports", ProgressReport, "pledge")

        from action_areas.reference_versions import register_table

        from .models import ReportingCycle

        # The cycles keep a version read with the pledge page's links (migration 0011): the
        # page's reporting status takes them from a per-process memo (selectors.progress).
        register_table(ReportingCycle._meta.db_table)
