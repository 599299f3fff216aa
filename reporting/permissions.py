"""Who may do what with progress reports; views, templates and services all ask these."""

from members.permissions import PermissionDenied, role_in  # noqa: F401  (re-exported)
from pledges.models import Pledge
from pledges.permissions import WRITER_ROLES


def can_report_progress(user, pledge: Pledge) -> bool:
    """Administrators and editors of the pledging entity file its progress reports."""
    return role_in(user, pledge.entity) in WRITER_ROLES


def can_view_progress_private(user, pledge: Pledge) -> bool:
    """Drafts and the member pages: the entity's members (any role)."""
    return role_in(user, pledge.entity) is not None


def can_hide_progress_report(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active
        and user.has_perm("reporting.hide_progressreport")
    )
