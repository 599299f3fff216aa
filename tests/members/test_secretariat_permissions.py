"""Least privilege: the Secretariat group holds exactly the permissions listed, each justified, in
members.secretariat_group; what the README promises the secretariat can do opens to them in the
admin, and what would let a secretariat member take over an entity answers 403."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from members.models import Membership, MembershipChange
from members.secretariat_group import SECRETARIAT_PERMISSIONS, secretariat_permission_names

pytestmark = pytest.mark.django_db

ADMIN = "/en/admin/"


def held_by_the_group() -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name="Secretariat")
        .permissions.values_list("content_type__app_label", "codename")
    }


def test_the_group_holds_exactly_its_list():
    assert held_by_the_group() == secretariat_permission_names()
    assert all(why.strip() for _model, _codename, why in SECRETARIAT_PERMISSIONS)
    assert "members.change_membership" not in held_by_the_group()


def test_the_command_checks_and_puts_the_list_back():
    group = Group.objects.get(name="Secretariat")
    group.permissions.add(Permission.objects.get(codename="change_membership"))
    group.permissions.remove(Permission.objects.get(codename="view_periodictask"))
    with pytest.raises(CommandError):
        call_command("secretariat_permissions", "--check", stdout=io.StringIO())

    out = io.StringIO()
    call_command("secretariat_permissions", stdout=out)
    assert "revoked: members.change_membership" in out.getvalue()
    assert "granted: django_celery_beat.view_periodictask" in out.getvalue()
    assert held_by_the_group() == secretariat_permission_names()

    call_command("secretariat_permissions", stdout=io.StringIO())  # a rerun changes nothing
    assert held_by_the_group() == secretariat_permission_names()
    out = io.StringIO()
    call_command("secretariat_permissions", "--check", stdout=out)
    assert "exactly" in out.getvalue()


@pytest.fixture
def beat_task(db):
    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    return PeriodicTask.objects.create(name="mail sweep", task="p2c_portal.tasks.sweep",
                                       interval=every_hour)


@pytest.mark.parametrize("page", [
    # README: "The secretariat reviews and runs the coalition from the Django admin."
    "members/entity/",
    "pledges/pledge/",
    "pledges/pledge/import/",
    "members/entity/export/",
    # README: outbound emails, where the secretariat can resend an uncertain one
    "p2c_portal/outboundemail/",
    # README: "The secretariat can adjust periodic tasks in the admin (django-celery-beat)."
    "django_celery_beat/periodictask/",
    "django_celery_beat/periodictask/{task}/change/",
    "django_celery_beat/crontabschedule/add/",
    "django_celery_beat/intervalschedule/add/",
    # README: "The secretariat compiles reports in the admin (Compiled reports → Add)"
    "reporting/reportrun/add/",
    "reporting/reportingcycle/add/",
    "reporting/reminder/",
    "reporting/remindersettings/",
    "pledges/coalitionsettings/",
    # The team of an entity is visible, read only
    "members/membership/",
])
def test_what_the_readme_promises_opens_to_the_secretariat(page, secretariat, beat_task):
    client = Client()
    client.force_login(secretariat)
    assert client.get(ADMIN + page.format(task=beat_task.pk), follow=True).status_code == 200


def test_the_secretariat_adjusts_a_periodic_task(secretariat, beat_task):
    client = Client()
    client.force_login(secretariat)
    every_day = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    page = client.get(f"{ADMIN}django_celery_beat/periodictask/{beat_task.pk}/change/")
    data = {
        name: value for name, value in page.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, list | dict)
    }
    data.update({"interval": every_day.pk, "enabled": "", "args": "[]", "kwargs": "{}",
                 "headers": "{}", "name": beat_task.name, "task": beat_task.task,
                 "regtask": "", "expire_seconds": "", "priority": "", "queue": "",
                 "exchange": "", "routing_key": ""})
    response = client.post(f"{ADMIN}django_celery_beat/periodictask/{beat_task.pk}/change/",
                           data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    beat_task.refresh_from_db()
    assert beat_task.interval == every_day
    assert not beat_task.enabled


def test_a_secretariat_member_cannot_make_themselves_an_entitys_administrator(
    entity, entity_admin, secretariat
):
    own = Membership.objects.create(user=secretariat, entity=entity, role="viewer")
    client = Client()
    client.force_login(secretariat)
    url = f"{ADMIN}members/membership/{own.pk}/change/"
    assert client.post(url, {"role": "administrator"}).status_code == 403
    entity_page = client.post(f"{ADMIN}members/entity/{entity.pk}/change/", {
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": own.pk, "memberships-0-role": "administrator",
    })
    assert entity_page.status_code in (200, 302, 403)
    own.refresh_from_db()
    assert own.role == "viewer"
    assert not MembershipChange.objects.filter(entity=entity, person=secretariat).exists()
    # Adding oneself, or removing someone, is refused as well.
    assert client.get(f"{ADMIN}members/membership/add/").status_code == 403
    assert client.post(f"{ADMIN}members/membership/{own.pk}/delete/",
                       {"post": "yes"}).status_code == 403


def test_the_secretariat_shares_out_the_queues_and_keeps_notes_it_never_rewrites(
    secretariat, entity
):
    """README: the desk for a team. Assigning needs no permission beyond deciding (vet_entity,
    review_pledge); notes are read and added, never changed or deleted, by anyone in the group."""
    from tests.factories import PledgeFactory

    pledge = PledgeFactory(entity=entity, submitted=True)
    client = Client()
    client.force_login(secretariat)
    for desk in (f"members/entity/{entity.pk}", f"pledges/pledge/{pledge.pk}"):
        assert client.post(f"{ADMIN}{desk}/assign/", {"to": "me"}).status_code == 302
        assert client.post(f"{ADMIN}{desk}/notes/add/", {"text": "Seen."}).status_code == 302
        assert client.get(f"{ADMIN}{desk}/history/").status_code == 200
    entity.refresh_from_db()
    pledge.refresh_from_db()
    assert entity.assigned_to == secretariat and pledge.assigned_to == secretariat
    assert entity.internal_notes.count() == 1 and pledge.internal_notes.count() == 1
    for model in ("members.entitynote", "pledges.pledgenote"):
        app_label, name = model.split(".")
        assert secretariat.has_perm(f"{app_label}.view_{name}")
        assert secretariat.has_perm(f"{app_label}.add_{name}")
        assert not secretariat.has_perm(f"{app_label}.change_{name}")
        assert not secretariat.has_perm(f"{app_label}.delete_{name}")
