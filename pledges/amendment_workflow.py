"""The amendment lifecycle of a published pledge as data, and the one helper that performs
every transition.

    (member proposes) ──▶ proposed ──approve──▶ approved   (the proposed version becomes current)
                            │  ▲  └──reject──▶ rejected
              request_changes  resubmit
                            ▼  │
                      changes_requested
    proposed/changes_requested ──withdraw (member)──▶ withdrawn

The published version stays public, unchanged, until `approve`: then the proposed version is
written in the same transaction as the amendment's status, a PledgeRevision (the public revision
history) and an audit row in the pledge's status trail.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from p2c_portal.mail import email_send_templated, email_to_secretariat

from . import permissions, services
from .member_selectors import pledge_contacts
from .models import Pledge, PledgeAmendment, PledgeRevision, PledgeStatusChange
from .pledge_changes import pledge_snapshot, snapshot_differences, snapshot_values

A = PledgeAmendment.Status
MAX_REASON = 300


class AmendmentError(Exception):
    """A refused amendment step; the message is safe to show to the person."""


@dataclass(frozen=True)
class AmendmentTransition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    who: str  # "member" (administrator/editor of the pledging entity) or "secretariat"
    message_required: bool = False
    email: str = ""  # templates/emails/pledges/<email>_*.txt to the entity's contacts


TRANSITIONS: dict[str, AmendmentTransition] = {
    t.name: t
    for t in [
        AmendmentTransition("resubmit", _("Submit the amendment again"),
                            frozenset({A.CHANGES_REQUESTED}), A.PROPOSED, "member"),
        AmendmentTransition("approve", _("Approve the amendment"), frozenset({A.PROPOSED}),
                            A.APPROVED, "secretariat", message_required=True,
                            email="amendment_approved"),
        AmendmentTransition("request_changes", _("Request changes to the amendment"),
                            frozenset({A.PROPOSED}), A.CHANGES_REQUESTED, "secretariat",
                            message_required=True, email="amendment_changes_requested"),
        AmendmentTransition("reject", _("Reject the amendment"), frozenset({A.PROPOSED}),
                            A.REJECTED, "secretariat", message_required=True,
                            email="amendment_rejected"),
        AmendmentTransition("withdraw", _("Withdraw the amendment"),
                            frozenset({A.PROPOSED, A.CHANGES_REQUESTED}), A.WITHDRAWN, "member"),
    ]
}


def may(user, amendment: PledgeAmendment, transition: AmendmentTransition) -> bool:
    if transition.who == "secretariat":
        return permissions.can_review_pledges(user)
    return permissions.can_amend_pledge(user, amendment.pledge)


def transition_allowed(user, amendment: PledgeAmendment, name: str) -> bool:
    transition = TRANSITIONS[name]
    return amendment.status in transition.sources and may(user, amendment, transition)


def allowed_transitions(amendment: PledgeAmendment, user) -> list[AmendmentTransition]:
    return [t for t in TRANSITIONS.values() if transition_allowed(user, amendment, t.name)]


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise AmendmentError(_("Say briefly why the pledge is amended."))
    if len(reason) > MAX_REASON:
        raise AmendmentError(_("The reason is too long (at most %(max)d characters).")
                             % {"max": MAX_REASON})
    return reason


def _proposed_from(base: dict, values: dict) -> dict:
    proposed = {**base, **snapshot_values(values)}
    if len(proposed.get("countries", [])) > services.MAX_COUNTRIES:
        raise AmendmentError(_("Choose at most %(max)d countries.")
                             % {"max": services.MAX_COUNTRIES})
    if len(proposed.get("targets", [])) > services.MAX_TARGETS:
        raise AmendmentError(_("A pledge can have at most %(max)d targets.")
                             % {"max": services.MAX_TARGETS})
    if not proposed.get("targets"):
        raise AmendmentError(_("A pledge needs at least one target."))
    if not snapshot_differences(base, proposed):
        raise AmendmentError(_("Nothing was changed: an amendment must change something."))
    return proposed


@transaction.atomic
def amendment_propose(*, user, pledge_id: int, values: dict, reason: str) -> PledgeAmendment:
    """A new amendment of a published pledge: `values` holds the amended fields (form values,
    targets as a list of dicts). The pledge itself is not touched."""
    pledge = Pledge.objects.select_for_update().select_related("entity").get(pk=pledge_id)
    if not permissions.can_amend_pledge(user, pledge):
        raise permissions.PermissionDenied(_("You are not allowed to amend this pledge."))
    if PledgeAmendment.objects.filter(pledge=pledge, status__in=PledgeAmendment.OPEN).exists():
        raise AmendmentError(_("An amendment of this pledge is already under review."))
    reason = _clean_reason(reason)
    base = pledge_snapshot(pledge)
    base["usd_amount"] = snapshot_values({"usd_amount": pledge.usd_amount})["usd_amount"]
    proposed = _proposed_from(base, values)
    now = timezone.now()
    try:
        with transaction.atomic():
            amendment = PledgeAmendment.objects.create(
                pledge=pledge, entity=pledge.entity, proposed_by=user, reason=reason,
                base=base, proposed=proposed, created_at=now, submitted_at=now,
            )
    except IntegrityError as error:  # two proposals at once: the constraint keeps one
        raise AmendmentError(_("An amendment of this pledge is already under review.")) from error
    _email_secretariat(amendment, resubmission=False)
    return amendment


@transaction.atomic
def amendment_revise(*, user, amendment_id: int, values: dict, reason: str,
                     answer: str = "") -> PledgeAmendment:
    """The member's new proposal after the secretariat asked for changes: back to review."""
    amendment = _locked(amendment_id)
    transition = TRANSITIONS["resubmit"]
    _check(user, amendment, transition, expected_status=None)
    amendment.reason = _clean_reason(reason)
    amendment.proposed = _proposed_from(amendment.base, values)
    amendment.answer = (answer or "").strip()[:2000]
    amendment.status = transition.target
    amendment.submitted_at = timezone.now()
    amendment.save()
    _email_secretariat(amendment, resubmission=True)
    return amendment


def _locked(amendment_id: int) -> PledgeAmendment:
    return (PledgeAmendment.objects.select_for_update(of=("self",))
            .select_related("pledge__entity").get(pk=amendment_id))


def _check(user, amendment, transition, *, expected_status) -> None:
    if not may(user, amendment, transition):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    if amendment.status not in transition.sources or (
        expected_status is not None and amendment.status != expected_status
    ):
        raise AmendmentError(
            _("This amendment is already “%(status)s”: it was changed in the meantime.")
            % {"status": amendment.get_status_display()}
        )


@transaction.atomic
def amendment_transition(*, amendment_id: int, name: str, actor, message: str = "",
                         expected_status: str | None = None) -> PledgeAmendment:
    """Perform a named decision (approve, request_changes, reject, withdraw): lock, check,
    save, apply on approval, audit, email after commit."""
    transition = TRANSITIONS[name]
    amendment = _locked(amendment_id)
    if name == "resubmit":
        raise AmendmentError(_("Use the amendment form to submit it again."))
    _check(actor, amendment, transition, expected_status=expected_status)
    message = (message or "").strip()
    if transition.message_required and not message:
        raise AmendmentError(_("A message is required for this decision."))
    now = timezone.now()
    if name == "approve":
        _apply(amendment, actor=actor, message=message, now=now)
    amendment.status = transition.target
    if transition.who == "secretariat":
        amendment.message = message
        amendment.decided_by = actor
        amendment.decided_at = now
    amendment.save()
    if transition.email:
        for user in pledge_contacts(amendment.pledge, administrators_too=True):
            email_send_templated(
                template=f"pledges/{transition.email}", to=[user.email],
                context={"pledge": amendment.pledge, "amendment": amendment,
                         "message": message, "recipient": user},
                language=user.preferred_language,
            )
    return amendment


def _apply(amendment: PledgeAmendment, *, actor, message: str, now) -> None:
    """Make the proposed version current: only the fields the amendment changes, so that a
    correction the secretariat made meanwhile elsewhere is kept."""
    pledge = Pledge.objects.select_for_update().get(pk=amendment.pledge_id)
    if pledge.status != Pledge.Status.PUBLISHED:
        raise AmendmentError(
            _("The pledge is “%(status)s”: only a published pledge can be amended.")
            % {"status": pledge.get_status_display()}
        )
    changed = snapshot_differences(amendment.base, amendment.proposed)
    before = pledge_snapshot(pledge)
    before["usd_amount"] = snapshot_values({"usd_amount": pledge.usd_amount})["usd_amount"]
    services.pledge_apply_amendment(
        pledge=pledge, snapshot={name: amendment.proposed[name] for name in changed},
    )
    pledge.refresh_from_db()
    PledgeRevision.objects.create(
        pledge=pledge, amendment=amendment, reason=amendment.reason, approved_at=now,
        changes=[{"field": name, "before": before.get(name), "after": amendment.proposed[name]}
                 for name in changed],
        before=before,
    )
    PledgeStatusChange.objects.create(
        pledge=pledge, actor=actor, from_status=pledge.status, to_status=pledge.status,
        message=_("Amendment approved (%(reason)s): %(message)s")
        % {"reason": amendment.reason, "message": message},
        created_at=now,
    )


def _email_secretariat(amendment: PledgeAmendment, *, resubmission: bool) -> None:
    email_to_secretariat(
        template="pledges/amendment_to_secretariat",
        context={"pledge": amendment.pledge, "amendment": amendment,
                 "resubmission": resubmission},
    )
