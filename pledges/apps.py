from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Pledges")

    def ready(self):
        from django.core.signals import request_finished, request_started

        # Registers the search's SQL functions on every new SQLite connection (make run).
        from . import text_search  # noqa: F401
        from .public_cache import (
            forget_fingerprint_after_request,
            remember_fingerprint_during_request,
        )

        request_started.connect(remember_fingerprint_during_request,
                                dispatch_uid="pledges.public_fingerprint.start")
        request_finished.connect(forget_fingerprint_after_request,
                                 dispatch_uid="pledges.public_fingerprint.finish")
