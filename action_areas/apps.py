from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ActionAreasConfig(AppConfig):
    name = "action_areas"
    verbose_name = _("Action Framework and reference data")

    def ready(self):
        from .reference_versions import install_triggers_after_migrate

        # SQLite drops a table's triggers when a migration rebuilds it: put them back.
        post_migrate.connect(install_triggers_after_migrate, sender=self,
                             dispatch_uid="action_areas_reference_version_triggers")
