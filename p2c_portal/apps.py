from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "p2c_portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # Connects the receivers that remember a passed second factor in the session.
        from . import staff_two_factor  # noqa: F401
        from .integer_lookups import register

        register()
