"""The entity lifecycle walked exhaustively: every transition, status and persona."""

import pytest

from members import workflow
from members.models import Entity, EntityStatusChange
from members.permissions import PermissionDenied
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Entity.Status
EXPECTED = {
    # transition: (allowed sources, target)
    "approve": ({S.APPLIED}, S.APPROVED),
    "request_info": ({S.APPLIED}, S.MORE_INFO_REQUESTED),
    "respond": ({S.MORE_INFO_REQUESTED}, S.APPLIED),
    "reject": ({S.APPLIED}, S.REJECTED),
    "suspend": ({S.APPROVED}, S.SUSPENDED),
    "reinstate": ({S.SUSPENDED}, S.APPROVED),
}
SECRETARIAT_ONLY = {"approve", "request_info", "reject", "suspend", "reinstate"}


def test_the_table_is_exactly_the_designed_lifecycle():
    actual = {name: (set(t.sources), t.target) for name, t in workflow.TRANSITIONS.items()}
    assert actual == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("status", list(S.values))
@pytest.mark.parametrize("persona", ["secretariat", "entity_admin", "editor", "stranger"])
def test_every_transition_from_every_status_by_every_persona(
    name, status, persona, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    entity = EntityFactory(status=status)
    admin = UserFactory(email="boss@entity.example.org", french=True)
    MembershipFactory(user=admin, entity=entity, role="administrator")
    actors = {
        "secretariat": secretariat,
        "entity_admin": admin,
        "editor": MembershipFactory(entity=entity, role="editor").user,
        "stranger": UserFactory(),
    }
    sources, target = EXPECTED[name]
    may = (persona == "secretariat") if name in SECRETARIAT_ONLY else (persona == "entity_admin")
    with django_capture_on_commit_callbacks(execute=True):
        if not may:
            with pytest.raises(PermissionDenied):
                workflow.entity_transition(
                    entity_id=entity.pk, name=name, actor=actors[persona], message="Why"
                )
        elif status not in sources:
            with pytest.raises(workflow.TransitionError, match="changed in the meantime"):
                workflow.entity_transition(
                    entity_id=entity.pk, name=name, actor=actors[persona], message="Why"
                )
        else:
            workflow.entity_transition(
                entity_id=entity.pk, name=name, actor=actors[persona], message="Why"
            )
    entity.refresh_from_db()
    if may and status in sources:
        assert entity.status == target
        change = EntityStatusChange.objects.get(entity=entity)
        assert (change.actor, change.from_status, change.to_status, change.message) == (
            actors[persona],
            status,
            target,
            "Why",
        )
        if name in SECRETARIAT_ONLY:
            # The entity's administrators hear of every secretariat decision, in their language.
            assert [m.to for m in mailoutbox] == [[admin.email]]
            assert "Why" in mailoutbox[0].body
        else:
            assert mailoutbox == []
    else:
        assert entity.status == status
        assert not EntityStatusChange.objects.filter(entity=entity).exists()
        assert mailoutbox == []


@pytest.mark.parametrize("name", ["request_info", "reject", "suspend", "respond"])
def test_decisions_that_need_a_reason_refuse_an_empty_message(name, secretariat):
    sources, _target = EXPECTED[name]
    entity = EntityFactory(status=next(iter(sources)))
    actor = secretariat
    if name == "respond":
        actor = MembershipFactory(entity=entity, role="administrator").user
    with pytest.raises(workflow.TransitionError, match="message is required"):
        workflow.entity_transition(entity_id=entity.pk, name=name, actor=actor, message="  ")
    entity.refresh_from_db()
    assert entity.status in sources


def test_second_of_two_conflicting_decisions_is_told_the_status_changed(secretariat):
    other_secretariat = UserFactory(superuser=True)
    entity = EntityFactory(applied=True)
    workflow.entity_transition(entity_id=entity.pk, name="approve", actor=secretariat)
    with pytest.raises(workflow.TransitionError, match="already “Approved”"):
        workflow.entity_transition(
            entity_id=entity.pk, name="reject", actor=other_secretariat, message="No"
        )
    entity.refresh_from_db()
    assert entity.status == S.APPROVED
    assert EntityStatusChange.objects.filter(entity=entity).count() == 1


def test_staff_outside_the_secretariat_group_cannot_decide(staff_outsider):
    entity = EntityFactory(applied=True)
    with pytest.raises(PermissionDenied):
        workflow.entity_transition(entity_id=entity.pk, name="approve", actor=staff_outsider)


def test_applicant_answers_a_request_for_information_from_the_dashboard(
    secretariat,
    entity_admin_client,
    entity,
    entity_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    Entity.objects.filter(pk=entity.pk).update(status=S.APPLIED)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.entity_transition(
            entity_id=entity.pk,
            name="request_info",
            actor=secretariat,
            message="Who will attend the roundtable?",
        )
    assert f"/en/my-entities/{entity.pk}/respond/" in mailoutbox[0].body
    dashboard = entity_admin_client.get("/en/me/").content.decode()
    assert "Who will attend the roundtable?" in dashboard
    assert "Answer the secretariat" in dashboard
    page = entity_admin_client.get(f"/en/my-entities/{entity.pk}/respond/")
    form = page.context["form"]
    data = {name: form.initial.get(name) for name in form.fields if name != "logo"}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v not in (None, False)}
    data["leader_name"] = "The Minister herself"
    data["answer"] = "The Minister herself will attend."
    with django_capture_on_commit_callbacks(execute=True):
        response = entity_admin_client.post(f"/en/my-entities/{entity.pk}/respond/", data)
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.status == S.APPLIED
    assert entity.leader_name == "The Minister herself"
    assert mailoutbox[-1].to == ["secretariat@p2c.example.org"]
    assert "The Minister herself will attend." in mailoutbox[-1].body
