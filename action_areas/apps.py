from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionAreasConfig(AppConfig):
    name = "action_areas"
    verbose_name = _("Action Framework and reference data")
