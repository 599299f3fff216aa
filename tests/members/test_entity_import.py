"""Entities in and out of the admin: natural key (name + country, else website domain), status
never imported (new entities arrive as applied, for vetting), one transaction, permissions."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from members.models import Entity, EntityStatusChange, website_domain
from tests.admin_import import (
    confirm,
    csv_bytes,
    export,
    messages_of,
    problems,
    read_csv_export,
    upload,
    xlsx_bytes,
)
from tests.factories import EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

PATH = "members/entity"
ADMIN = f"/en/admin/{PATH}/"
HEADINGS = ["Name", "acronym", "Stakeholder group", "headquarters_country", "website",
            "description", "contact_email", "commitment_evidence", "pledge_readiness",
            "leader_name", "leader_title", "leader_attends_roundtable",
            "consent_public_reporting", "status"]


def sheet(*rows) -> list[list]:
    return [HEADINGS, *rows]


def row(name, country="Rwanda", website="connect.example.org", group="Private sector",
        consent="yes", status="approved"):
    return [name, "", group, country, website, "Connecting schools.", "info@connect.example.org",
            "Ten years of work.", "Ready to connect 1,000 schools.", "Grace", "CEO", "oui",
            consent, status]


def state():
    return list(Entity.objects.order_by("pk").values_list(
        "pk", "name", "status", "website", "headquarters_country__iso3", "stakeholder_group"))


def test_website_domain():
    assert website_domain("https://www.itu.int/en/Pages/default.aspx") == "itu.int"
    assert website_domain("itu.int") == "itu.int"
    assert website_domain("HTTP://WWW.Example.ORG.") == "example.org"
    assert website_domain("") == ""


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_reimport_changes_nothing(fmt, secretariat_client, entity, other_entity):
    EntityFactory(applied=True, name="=cmd|' /C calc'!A0", description="@SUM(A1)")
    before = state()
    preview = upload(secretariat_client, PATH, export(secretariat_client, PATH, fmt),
                     f"entities.{fmt}")
    assert problems(preview) == []
    assert {r["action"] for r in preview.context["report"]["rows"]} == {"skip"}
    done = confirm(secretariat_client, PATH, preview)
    assert "Import finished: 0 new, 0 updated, 3 unchanged." in messages_of(done)
    assert state() == before


def test_formula_payloads_are_neutralised_in_the_entity_export(secretariat_client):
    EntityFactory(name="=1+1", acronym="+cmd", description="-2+3", leader_title="@SUM(A1)")
    [exported] = read_csv_export(export(secretariat_client, PATH, "csv"))
    assert (exported["name"], exported["acronym"], exported["description"],
            exported["leader_title"]) == ("'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_new_entities_arrive_as_applied_and_reimporting_updates(fmt, secretariat,
                                                               secretariat_client, mailoutbox):
    rows = sheet(row("Connect Foundation"), row("Fondation Lumière", country="FRA",
                                                website="www.lumiere.example.fr",
                                                group="Civil society"))
    content = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    preview = upload(secretariat_client, PATH, content, f"signups.{fmt}")
    assert problems(preview) == []
    done = confirm(secretariat_client, PATH, preview)
    assert "Import finished: 2 new, 0 updated, 0 unchanged." in messages_of(done)
    connect = Entity.objects.get(name="Connect Foundation")
    assert connect.status == Entity.Status.APPLIED  # never the file's "approved"
    assert (connect.stakeholder_group, connect.headquarters_country.iso3, connect.website) == (
        "private_sector", "RWA", "https://connect.example.org")
    assert connect.leader_attends_roundtable is True
    audit = EntityStatusChange.objects.get(entity=connect)
    assert (audit.from_status, audit.to_status, audit.actor) == ("", "applied", None)
    assert secretariat.email in audit.message
    assert mailoutbox == []
    queue = secretariat_client.get(ADMIN + "?status__exact=applied")
    assert {e.name for e in queue.context["cl"].result_list} == {"Connect Foundation",
                                                               "Fondation Lumière"}
    # Again, with the name typed differently and one renamed: matched, not duplicated.
    rows = sheet(row("connect  FOUNDATION"), row("Fondation Lumière pour tous", country="France",
                                                 website="https://lumiere.example.fr/about",
                                                 group="Civil society"))
    again = upload(secretariat_client, PATH,
                   csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows), f"signups.{fmt}")
    assert [r["action"] for r in again.context["report"]["rows"]] == ["update", "update"]
    confirm(secretariat_client, PATH, again)
    assert Entity.objects.count() == 2
    assert Entity.objects.filter(name="Fondation Lumière pour tous").exists()


def test_an_import_never_changes_a_status(secretariat_client, other_entity):
    other_entity.status = Entity.Status.SUSPENDED
    other_entity.save()
    content = csv_bytes([["name", "headquarters_country", "description", "status"],
                         [other_entity.name, "RWA", "New description", "approved"]])
    confirm(secretariat_client, PATH, upload(secretariat_client, PATH, content))
    other_entity.refresh_from_db()
    assert (other_entity.description, other_entity.status) == ("New description", "suspended")


def test_every_bad_row_is_listed_and_nothing_is_imported(secretariat_client):
    rows = sheet(
        row("Good One"),
        row("No Consent", consent="no"),
        row("Nowhere", country="Atlantis", group="Aliens"),
        row("Good One"),
    )
    preview = upload(secretariat_client, PATH, csv_bytes(rows))
    found = problems(preview)
    assert {(line, column) for line, column, _m in found} >= {
        (3, "consent_public_reporting"), (4, "headquarters_country"),
        (4, "stakeholder_group"), (5, ""),
    }
    assert any(line == 5 and "repeats line 2" in m for line, _c, m in found)
    assert "confirm_form" not in preview.context
    assert not Entity.objects.exists()


def test_two_entities_with_one_website_need_their_name(secretariat_client):
    EntityFactory(name="UN agency A", website="https://www.un.example.org/a")
    EntityFactory(name="UN agency B", website="https://www.un.example.org/b")
    content = csv_bytes([["name", "headquarters_country", "website"],
                         ["UN agency C", "RWA", "un.example.org"]])
    [(line, _column, message)] = problems(upload(secretariat_client, PATH, content))
    assert line == 2 and "Several entities use the website un.example.org" in message


def test_import_and_export_need_their_own_permissions(entity):
    user = UserFactory(staff=True, email="viewer@itu.example.org")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_entity",
                                                                       "vet_entity"]))
    client = Client()
    client.force_login(user)
    page = client.get(ADMIN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "import_link" not in html and "export_link" not in html
    for url in ("import/", "export/"):
        assert client.get(ADMIN + url).status_code == 403
    assert client.post(ADMIN + "process_import/", {}).status_code == 403


def test_entity_history_cannot_be_reverted(secretariat_client):
    entity = EntityFactory(applied=True, name="Before")
    entity.name = "After"
    entity.save()
    first = entity.history.order_by("history_date").first()
    url = f"{ADMIN}{entity.pk}/history/{first.history_id}/"
    assert secretariat_client.get(url).status_code == 200
    assert secretariat_client.post(url, {"name": "Before"}).status_code == 403
    entity.refresh_from_db()
    assert entity.name == "After"
