from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "p2c_portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # Connects the receivers that remember a passed second factor in the session.
        from . import staff_two_factor  # noqa: F401
        from .integer_lookups import register

        register()
        connection_created.connect(_register_sqlite_collation)
        # Web and workers alike (Celery's Django fix-up runs this before the first task).
        if settings.SENTRY_DSN:
            from .error_reports import error_reports_start

            error_reports_start(dsn=settings.SENTRY_DSN, environment=settings.SENTRY_ENVIRONMENT)


def _register_sqlite_collation(sender, connection, **kwargs) -> None:
    """SQLite has no Unicode collation of its own: the pyuca order that p2c_portal.locale_formats
    uses in Python, under the name `Collated` asks for on SQLite; nor an unaccent function: the
    one p2c_portal.text_folding.Unaccented asks for."""
    if connection.vendor == "sqlite":
        from .locale_formats import SQLITE_COLLATION, compare_collated
        from .text_folding import fold

        connection.connection.create_collation(SQLITE_COLLATION, compare_collated)
        connection.connection.create_function("p2c_unaccent", 1, fold, deterministic=True)
