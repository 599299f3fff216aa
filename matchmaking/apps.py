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

        from pledges.pledge_references import register_page_link

        from .models import Need, Suggestion

        # The public pledge page reads whether the pledge met or could serve any need with its
        # links: most did not, and its needs section then needs no query.
        register_page_link("need_suggestions", Suggestion, "pledge")
        register_page_link("needs_met", Need, "met_by_pledge")
