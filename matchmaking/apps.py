from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matchmaking"
    verbose_name = _("Matchmaking")

    def ready(self):
        # Reporting may not import matchmaking (layers): the compiled reports' matchmaking
        # section is handed to it here.
        from reporting.compiled_report_sections import report_section_register

        from .selectors import matchmaking_report

        report_section_register("matchmaking", matchmaking_report)
