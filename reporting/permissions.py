"""Who may do what with progress reports; views, templates and services all ask these.

A progress report is filed by one entity: the pledging entity, or an accepted partner of the
pledge reporting its own share (issue 18, shared delivery). `entity` below is the entity a
report is filed for; None means the pledging entity."""

from members.models import Entity
from members.permissions import PermissionDenied, role_in  # noqa: F401  (re-exported)
from pledges.models import Partnership, Pledge
from pledges.permissions import WRITER_ROLES


def is_reporting_partner(pledge: Pledge, entity: Entity) -> bool:
    """An approved entity whose partnership in the pledge is accepted now (not invited,
    declined or ended): it reports its share of the pledge."""
    return (entity.status == Entity.Status.APPROVED
            and Partnership.objects.accepted().filter(pledge=pledge, entity=entity).exists())


def _reports_for(pledge: Pledge, entity: Entity | None) -> bool:
    return entity is None or entity.pk == pledge.entity_id or is_reporting_partner(pledge, entity)


def can_report_progress(user, pledge: Pledge, entity: Entity | None = None) -> bool:
    """Administrators and editors of the pledging entity file its progress reports; those of an
    accepted partner file the partner's."""
    entity = entity or pledge.entity
    return role_in(user, entity) in WRITER_ROLES and _reports_for(pledge, entity)


def can_view_progress_private(user, pledge: Pledge, entity: Entity | None = None) -> bool:
    """Drafts and the member pages: the reporting entity's members (any role)."""
    entity = entity or pledge.entity
    return role_in(user, entity) is not None and _reports_for(pledge, entity)


def can_hide_progress_report(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active
        and user.has_perm("reporting.hide_progressreport")
    )
