from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Pledges")

    def ready(self):
        from action_areas.reference_versions import register_table

        # Registers the search's SQL functions on every new SQLite connection (make run).
        from . import text_search  # noqa: F401
        from .models import Event, Pledge

        # An event's code (the event facet's value) changed in the admin tells the public
        # fingerprint (public_cache), through the version a trigger keeps of the events' table.
        register_table(Event._meta.db_table)
        # So does the deletion of a public pledge, which no remaining row's updated_at tells: no
        # page deletes one (the admin refuses, its targets may not be deleted there), but an
        # operator may, from a shell (a take-down), and the open-data files kept serving it.
        # Only that: every other write of a pledge moves its updated_at, and a version bumped
        # by every write would queue all pledge writes behind one row.
        public = ", ".join(f"'{status}'" for status in (Pledge.Status.PUBLISHED,
                                                         Pledge.Status.COMPLETED))
        register_table(Pledge._meta.db_table,
                       deletions_where=f"{{row}}.status IN ({public})")
