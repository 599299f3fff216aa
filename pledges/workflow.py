"""The pledge review lifecycle as data, and the one helper that performs every transition.

    draft ──submit──▶ submitted ──publish──▶ published ──complete──▶ completed
      ▲                  │  │                    │
      └─request_changes──┘  └──reject──▶ rejected │
    draft/submitted/changes_requested/published ──withdraw──▶ withdrawn

`changes_requested` is edited like `draft` and goes back to `submitted` on submit.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Entity
from p2c_portal.mail import email_send_templated, email_to_secretariat

from . import permissions
from .member_selectors import pledge_contacts
from .models import Pledge, PledgeStatusChange, ReferenceCounter
from .pledge_changes import pledge_snapshot
from .rates import pledge_convert

S = Pledge.Status


class TransitionError(Exception):
    """A transition that is not allowed now; the message is safe to show to the person."""


class IncompletePledge(TransitionError):
    def __init__(self, missing):
        self.missing = missing
        super().__init__(_("The pledge is not complete yet."))


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    who: str  # "member" (administrator/editor of the pledging entity) or "secretariat"
    message_required: bool = False
    email: str = ""  # templates/emails/pledges/<email>_*.txt to the submitter and administrators


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("submit", _("Submit for review"), frozenset({S.DRAFT, S.CHANGES_REQUESTED}),
                   S.SUBMITTED, "member", email="pledge_submitted"),
        Transition("request_changes", _("Request changes"), frozenset({S.SUBMITTED}),
                   S.CHANGES_REQUESTED, "secretariat", message_required=True,
                   email="pledge_changes_requested"),
        Transition("publish", _("Publish"), frozenset({S.SUBMITTED}), S.PUBLISHED,
                   "secretariat", email="pledge_published"),
        Transition("reject", _("Reject"), frozenset({S.SUBMITTED}), S.REJECTED, "secretariat",
                   message_required=True, email="pledge_rejected"),
        Transition("withdraw", _("Withdraw"),
                   frozenset({S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.PUBLISHED}),
                   S.WITHDRAWN, "member", email="pledge_withdrawn"),
        Transition("complete", _("Mark completed"), frozenset({S.PUBLISHED}), S.COMPLETED,
                   "secretariat", email="pledge_completed"),
    ]
}


def may(user, pledge: Pledge, transition: Transition) -> bool:
    if transition.who == "secretariat":
        return permissions.can_review_pledges(user)
    return permissions.role_in(user, pledge.entity) in permissions.WRITER_ROLES and (
        transition.name != "submit" or permissions.can_create_pledge(user, pledge.entity)
    )


def transition_allowed(user, pledge: Pledge, name: str) -> bool:
    """Whether `user` may perform `name` on the pledge in its current status."""
    transition = TRANSITIONS[name]
    return pledge.status in transition.sources and may(user, pledge, transition)


def allowed_transitions(pledge: Pledge, user) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if transition_allowed(user, pledge, t.name)]


def entity_not_vetted(entity: Entity) -> str:
    """Why the entity's pledges cannot be published while it is not approved (still applied,
    suspended…): its pledges are public only once the secretariat has vetted it. "" if it is."""
    if entity.status == Entity.Status.APPROVED:
        return ""
    return str(
        _("%(entity)s is not approved (%(status)s): its pledges cannot be published until the "
          "secretariat approves it.")
        % {"entity": entity, "status": entity.get_status_display()}
    )


def _locked_counter(year: int) -> ReferenceCounter:
    counter, _created = ReferenceCounter.objects.get_or_create(year=year)
    return ReferenceCounter.objects.select_for_update().get(pk=counter.pk)


def _reference(year: int, number: int) -> str:
    return f"P2C-{year}-{number:04d}"


class ReferenceBlock:
    """References (P2C-2022-0042) for the pledges submitted in one transaction, from their
    year's counter: locked when the first is taken, until the transaction ends, and written back
    once by `save`."""

    def __init__(self):
        self._counters: dict[int, ReferenceCounter] = {}

    def take(self, year: int) -> str:
        if year not in self._counters:
            self._counters[year] = _locked_counter(year)
        counter = self._counters[year]
        counter.last_value += 1
        return _reference(year, counter.last_value)

    def save(self) -> None:
        for counter in self._counters.values():
            counter.save(update_fields=["last_value"])


def reference_take(year: int) -> str:
    """The next reference of `year`, on its own: the demo data numbers its back-dated pledges
    in the year they were first submitted."""
    references = ReferenceBlock()
    reference = references.take(year)
    references.save()
    return reference


def _stamp_submission(pledge: Pledge, now, references: ReferenceBlock) -> list[str]:
    """What `submit` writes besides the status: the submission time, and the first time a
    reference and the first submission time. Returns the fields it set."""
    fields = ["submitted_at"]
    if not pledge.reference:
        pledge.reference = references.take(now.year)
        pledge.first_submitted_at = now
        fields += ["reference", "first_submitted_at"]
    pledge.submitted_at = now
    return fields


def _status_change(pledge: Pledge, *, actor, previous: str, message: str,
                   at=None) -> PledgeStatusChange:
    """The audit row of a transition just made (not saved yet)."""
    return PledgeStatusChange(
        pledge=pledge, actor=actor, from_status=previous, to_status=pledge.status,
        message=message, **({"created_at": at} if at is not None else {}),
    )


class BulkSubmission:
    """The `submit` transition for many new pledges written together (an import): the same
    status, reference, dates and audit row as pledge_transition(name="submit"), with the
    audit rows written in one query.

    The references are taken in `record`, once every pledge is written, not as each is: the
    year's counter stays locked from the first reference to the end of the transaction, and an
    import of thousands of rows (or its dry-run preview) would hold every member's submission
    waiting for minutes. A dry run never reaches `record`: its preview takes no reference.

    `submit` each pledge before it is written, `record` once they all are. The caller has
    checked that they are complete (pledges.completeness) and that `actor` may import them. No
    email: nobody of the entity submitted them (the secretariat enters what was pledged on
    paper), and the review's emails reach the entity's administrators."""

    def __init__(self, *, actor, message: str):
        self.actor = actor
        self.message = message
        self._references = ReferenceBlock()
        self._submitted: list[tuple[Pledge, str, object]] = []

    def submit(self, pledge: Pledge, now) -> None:
        transition = TRANSITIONS["submit"]
        if pledge.status not in transition.sources:
            raise TransitionError(
                _("This pledge is already “%(status)s”: it was changed in the meantime.")
                % {"status": pledge.get_status_display()}
            )
        previous = pledge.status
        pledge.status = transition.target
        if not pledge.reference:
            pledge.first_submitted_at = now
        pledge.submitted_at = now
        self._submitted.append((pledge, previous, now))

    def record(self) -> None:
        """Once the pledges are written: their references (in the order they were submitted,
        the counter locked only now), and each pledge's audit row."""
        numbered = []
        for pledge, _previous, when in self._submitted:
            if not pledge.reference:
                pledge.reference = self._references.take(when.year)
                numbered.append(pledge)
        self._references.save()
        if numbered:
            Pledge.objects.bulk_update(numbered, ["reference"], batch_size=1000)
            # The history rows written when these new pledges were saved, before they had
            # their reference: the history reads as the pledge was once the import ended.
            Pledge.history.model.objects.filter(
                id__in=[pledge.pk for pledge in numbered], reference__isnull=True,
            ).update(reference=Subquery(
                Pledge.objects.filter(pk=OuterRef("id")).values("reference")[:1]))
        PledgeStatusChange.objects.bulk_create([
            _status_change(pledge, actor=self.actor, previous=previous, message=self.message,
                           at=when)
            for pledge, previous, when in self._submitted
        ])
        self._submitted = []


@transaction.atomic
def pledge_transition(
    *, pledge_id: int, name: str, actor, message: str = "", embargo_until=None,
    expected_status: str | None = None,
) -> Pledge:
    """Perform a named transition: lock, check, save, audit, email after commit.

    `expected_status` guards against replays (a double click, a resent form): when the pledge is
    no longer in the status the person saw, nothing happens twice.
    """
    from .completeness import missing_for_submission

    transition = TRANSITIONS[name]
    pledge = Pledge.objects.select_for_update().select_related("entity").get(pk=pledge_id)
    if not may(actor, pledge, transition):
        raise permissions.PermissionDenied(_("You are not allowed to do this."))
    if pledge.status not in transition.sources or (
        expected_status is not None and pledge.status != expected_status
    ):
        raise TransitionError(
            _("This pledge is already “%(status)s”: it was changed in the meantime.")
            % {"status": pledge.get_status_display()}
        )
    message = (message or "").strip()
    if transition.message_required and not message:
        raise TransitionError(_("A message is required for this decision."))
    if name == "submit":
        missing = missing_for_submission(pledge)
        if missing:
            raise IncompletePledge(missing)
    if name == "publish":
        publish_refusal = entity_not_vetted(pledge.entity)
        if publish_refusal:
            raise TransitionError(publish_refusal)
    now = timezone.now()
    previous = pledge.status
    pledge.status = transition.target
    fields = ["status", "version", "updated_at"]
    if name == "submit":
        references = ReferenceBlock()
        fields += _stamp_submission(pledge, now, references)
        references.save()
        if "first_submitted_at" in fields and pledge.amount is not None:
            # The amount is pledged now: converted at this month's rate (pledges.rates).
            fields += pledge_convert(pledge)
    if name == "publish":
        pledge.published_at = now
        pledge.embargo_until = embargo_until
        fields += ["published_at", "embargo_until"]
    pledge.version += 1
    pledge.save(update_fields=fields)
    change = _status_change(pledge, actor=actor, previous=previous, message=message)
    if name == "request_changes":
        change.snapshot = pledge_snapshot(pledge)
    change.save()
    if transition.email:
        _email_pledgers(pledge=pledge, template=transition.email, message=message)
    if name == "submit":
        email_to_secretariat(
            template="pledges/pledge_to_secretariat",
            context={"pledge": pledge, "resubmission": previous == S.CHANGES_REQUESTED,
                     "answer": message},
        )
    return pledge


def _email_pledgers(*, pledge: Pledge, template: str, message: str) -> None:
    """Its author and last submitter (while they write for the entity) and the entity's
    administrators, each in their language."""
    for user in pledge_contacts(pledge, administrators_too=True):
        email_send_templated(
            template=f"pledges/{template}",
            to=[user.email],
            context={"pledge": pledge, "message": message, "recipient": user},
            language=user.preferred_language,
        )
