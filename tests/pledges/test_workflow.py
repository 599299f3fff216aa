"""The pledge lifecycle walked exhaustively: every transition × every status × every persona,
with the audit row and the emails each one produces."""

import pytest

from members.permissions import PermissionDenied
from pledges import workflow
from pledges.models import Pledge, PledgeStatusChange
from tests.factories import MembershipFactory, PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Pledge.Status
EXPECTED = {
    "submit": ({S.DRAFT, S.CHANGES_REQUESTED}, S.SUBMITTED),
    "request_changes": ({S.SUBMITTED}, S.CHANGES_REQUESTED),
    "publish": ({S.SUBMITTED}, S.PUBLISHED),
    "reject": ({S.SUBMITTED}, S.REJECTED),
    "withdraw": ({S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.PUBLISHED}, S.WITHDRAWN),
    "complete": ({S.PUBLISHED}, S.COMPLETED),
}
SECRETARIAT = {"request_changes", "publish", "reject", "complete"}
PERSONAS = ["secretariat", "entity_admin", "editor", "viewer", "other_entity", "staff_outsider"]


def test_the_table_is_exactly_the_designed_lifecycle():
    assert {n: (set(t.sources), t.target) for n, t in workflow.TRANSITIONS.items()} == EXPECTED


def allowed(name, persona):
    if name in SECRETARIAT:
        return persona == "secretariat"
    return persona in ("entity_admin", "editor")


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("status", list(S.values))
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_transition_from_every_status_by_every_persona(
    name, status, persona, secretariat, staff_outsider, entity, entity_admin, member, viewer,
    other_member, mailoutbox, django_capture_on_commit_callbacks,
):
    pledge = PledgeFactory(entity=entity, status=status,
                           reference="P2C-2022-0001" if status != S.DRAFT else None)
    actors = {"secretariat": secretariat, "entity_admin": entity_admin, "editor": member,
              "viewer": viewer, "other_entity": other_member, "staff_outsider": staff_outsider}
    sources, target = EXPECTED[name]
    with django_capture_on_commit_callbacks(execute=True):
        try:
            workflow.pledge_transition(
                pledge_id=pledge.pk, name=name, actor=actors[persona], message="Because."
            )
            outcome = "done"
        except PermissionDenied:
            outcome = "denied"
        except workflow.TransitionError:
            outcome = "refused"
    pledge.refresh_from_db()
    if not allowed(name, persona):
        assert outcome == "denied"
    elif status not in sources:
        assert outcome == "refused"
    else:
        assert outcome == "done"
    if outcome != "done":
        assert pledge.status == status
        assert not PledgeStatusChange.objects.filter(pledge=pledge).exists()
        assert mailoutbox == []
        return
    assert pledge.status == target
    change = PledgeStatusChange.objects.get(pledge=pledge)
    assert (change.actor, change.from_status, change.to_status, change.message) == (
        actors[persona], status, target, "Because."
    )
    recipients = sorted(address for mail in mailoutbox for address in mail.to)
    if name == "submit":
        # The submitter, the entity's administrators, and the secretariat's inbox.
        assert recipients == sorted({actors[persona].email, entity_admin.email,
                                     "secretariat@p2c.example.org"})
    else:
        assert recipients == [entity_admin.email]  # no submit in this test: admins only
        assert "Because." in mailoutbox[0].body


def test_submission_assigns_a_reference_once_and_resubmission_keeps_it(member, secretariat):
    pledge = PledgeFactory(entity=member.memberships.get().entity)
    workflow.pledge_transition(pledge_id=pledge.pk, name="submit", actor=member)
    pledge.refresh_from_db()
    reference = pledge.reference
    assert reference.startswith(f"P2C-{pledge.first_submitted_at.year}-")
    workflow.pledge_transition(pledge_id=pledge.pk, name="request_changes", actor=secretariat,
                               message="Add a baseline.")
    workflow.pledge_transition(pledge_id=pledge.pk, name="submit", actor=member)
    pledge.refresh_from_db()
    assert pledge.reference == reference
    other = PledgeFactory(entity=pledge.entity)
    workflow.pledge_transition(pledge_id=other.pk, name="submit", actor=member)
    other.refresh_from_db()
    assert other.reference != reference
    assert int(other.reference.rsplit("-", 1)[1]) == int(reference.rsplit("-", 1)[1]) + 1


def test_incomplete_pledge_cannot_be_submitted(member):
    pledge = PledgeFactory(entity=member.memberships.get().entity, title="", with_defaults=False)
    with pytest.raises(workflow.IncompletePledge) as refused:
        workflow.pledge_transition(pledge_id=pledge.pk, name="submit", actor=member)
    fields = {m.field for m in refused.value.missing}
    assert {"title", "action_areas", "countries", "targets"} <= fields
    pledge.refresh_from_db()
    assert (pledge.status, pledge.reference) == ("draft", None)


def test_replayed_submission_is_one_submission_one_reference_one_email(
    member, mailoutbox, django_capture_on_commit_callbacks
):
    pledge = PledgeFactory(entity=member.memberships.get().entity)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.pledge_transition(pledge_id=pledge.pk, name="submit", actor=member,
                                   expected_status="draft")
        with pytest.raises(workflow.TransitionError):
            workflow.pledge_transition(pledge_id=pledge.pk, name="submit", actor=member,
                                       expected_status="draft")
    assert PledgeStatusChange.objects.filter(pledge=pledge).count() == 1
    assert sum(1 for m in mailoutbox if m.to == ["secretariat@p2c.example.org"]) == 1


def test_people_of_a_non_approved_entity_cannot_submit(member):
    entity = member.memberships.get().entity
    pledge = PledgeFactory(entity=entity)
    entity.status = "suspended"
    entity.save()
    with pytest.raises(PermissionDenied):
        workflow.pledge_transition(pledge_id=pledge.pk, name="submit", actor=member)


def test_emails_go_to_each_recipient_in_their_language(
    entity, member, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    french_admin = UserFactory(email="directrice@example.fr", french=True)
    MembershipFactory(user=french_admin, entity=entity, role="administrator")
    pledge = PledgeFactory(entity=entity, submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.pledge_transition(pledge_id=pledge.pk, name="publish", actor=secretariat)
    french = next(m for m in mailoutbox if m.to == ["directrice@example.fr"])
    english = next(m for m in mailoutbox if m.to == ["admin@minict.example.org"])
    assert "publié" in french.subject
    assert "published" in english.subject
    assert f"/fr/my-pledges/{pledge.pk}/" in french.body


def test_review_emails_go_to_the_pledges_contacts(
    entity, entity_admin, member, viewer, secretariat, mailoutbox,
    django_capture_on_commit_callbacks,
):
    """Its author and its last submitter while they still write for the entity, and the
    entity's administrators: not an author who left, nor one who is only a viewer now (the same
    people as the reminders about it)."""
    author = UserFactory(email="author@minict.example.org")
    author_membership = MembershipFactory(user=author, entity=entity, role="editor")
    pledge = PledgeFactory(entity=entity, created_by=author)
    workflow.pledge_transition(pledge_id=pledge.pk, name="submit", actor=member)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.pledge_transition(pledge_id=pledge.pk, name="request_changes",
                                   actor=secretariat, message="Add a baseline.")
    assert sorted(m.to[0] for m in mailoutbox) == [
        entity_admin.email, author.email, member.email]
    author_membership.delete()
    member.memberships.update(role="viewer")
    mailoutbox.clear()
    workflow.pledge_transition(pledge_id=pledge.pk, name="submit", actor=entity_admin)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.pledge_transition(pledge_id=pledge.pk, name="publish", actor=secretariat)
    assert [m.to for m in mailoutbox] == [[entity_admin.email]]
