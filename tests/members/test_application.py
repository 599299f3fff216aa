"""Applying for an entity: the form, its errors, duplicate detection, what gets created."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from members.models import Entity, EntityStatusChange, Membership
from p2c_portal.models import OutboundEmail
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

APPLY_URL = "/en/entities/apply/"


def application(**overrides):
    from action_areas.models import Country

    data = {
        "name": "Agence Numérique du Sénégal",
        "acronym": "ANS",
        "stakeholder_group": "government",
        "sub_type": "",
        "headquarters_country": Country.objects.get(iso3="SEN").pk,
        "website": "https://www.ans.example.sn",
        "description": "Digital agency.",
        "contact_email": "contact@ans.example.sn",
        "commitment_evidence": "Built 40 community digital centres since 2018.",
        "commitment_links": "https://ans.example.sn/centres\nhttps://ans.example.sn/report",
        "pledge_readiness": "Ready to pledge 200 more centres in rural areas.",
        "leader_name": "Awa Diop",
        "leader_title": "Director General",
        "leader_attends_roundtable": "on",
        "consent_public_reporting": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def png_bytes(size=(40, 20), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 90, 156)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_applicant_becomes_first_administrator_and_both_sides_are_emailed(
    newcomer, newcomer_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = newcomer_client.post(APPLY_URL, application())
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/me/"
    entity = Entity.objects.get(name="Agence Numérique du Sénégal")
    assert entity.status == Entity.Status.APPLIED
    assert entity.applied_by == newcomer
    assert Membership.objects.get(entity=entity).user == newcomer
    assert Membership.objects.get(entity=entity).role == Membership.Role.ADMINISTRATOR
    change = EntityStatusChange.objects.get(entity=entity)
    assert (change.actor, change.from_status, change.to_status) == (newcomer, "", "applied")
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == ["newcomer@example.org", "secretariat@p2c.example.org"]
    to_secretariat = next(m for m in mailoutbox if m.to == ["secretariat@p2c.example.org"])
    assert "Agence Numérique du Sénégal" in to_secretariat.subject
    assert f"/admin/members/entity/{entity.pk}/change/" in to_secretariat.body
    dashboard = newcomer_client.get("/en/me/").content.decode()
    assert "Agence Numérique du Sénégal" in dashboard
    assert "The secretariat is reviewing the application" in dashboard


def test_french_applicant_gets_french_acknowledgement(
    mailoutbox, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    person = UserFactory(email="awa@example.sn", french=True)
    from django.test import Client

    client = Client()
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/fr/entities/apply/", application())
    acknowledgement = next(m for m in mailoutbox if m.to == ["awa@example.sn"])
    assert "Nous avons reçu" in acknowledgement.subject
    assert "/fr/me/" in acknowledgement.body


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"website": "not a website"}, "website", "Enter a valid URL."),
        ({"website": "ftp://files.example.org"}, "website", "starting with https://"),
        ({"consent_public_reporting": None}, "consent_public_reporting", "This field is required."),
        ({"leader_name": ""}, "leader_name", "This field is required."),
        (
            {"commitment_links": "https://ok.example.org\njavascript:alert(1)"},
            "commitment_links",
            "Line 2 is not a web address",
        ),
        ({"name": "x" * 201}, "name", "Ensure this value has at most 200 characters"),
        ({"description": "d" * 1001}, "description", "at most 1000 characters"),
        ({"stakeholder_group": "aliens"}, "stakeholder_group", "Select a valid choice"),
        ({"headquarters_country": "999999"}, "headquarters_country", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_specific_message_and_nothing_is_created(
    newcomer_client, overrides, field, message
):
    response = newcomer_client.post(APPLY_URL, application(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert not Entity.objects.exists()
    # What the person typed is still in the form.
    assert "Built 40 community digital centres since 2018." in response.content.decode()


def test_logo_is_validated_and_reencoded_as_png(newcomer_client):
    upload = SimpleUploadedFile("logo.jpg", png_bytes((1200, 600), "JPEG"), "image/jpeg")
    response = newcomer_client.post(APPLY_URL, {**application(), "logo": upload})
    assert response.status_code == 302
    entity = Entity.objects.get()
    logo = Image.open(io.BytesIO(bytes(entity.logo_png)))
    assert logo.format == "PNG"
    assert max(logo.size) == 512


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("logo.png", b"<svg onload=alert(1)>", "not an image we can read"),
        ("logo.png", b"%PDF-1.4 not an image", "not an image we can read"),
        ("huge.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 1), "too large"),
    ],
)
def test_non_image_or_oversized_logo_is_refused(newcomer_client, filename, content, message):
    upload = SimpleUploadedFile(filename, content, "image/png")
    response = newcomer_client.post(APPLY_URL, {**application(), "logo": upload})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["logo"])
    assert not Entity.objects.exists()


@pytest.mark.parametrize(
    "existing",
    [
        {"name": "AGENCE NUMERIQUE DU SENEGAL", "website": "https://other.example.org"},
        {"name": "Something else", "acronym": "ans", "website": "https://other.example.org"},
        {"name": "Different name", "acronym": "DN", "website": "http://ans.example.sn/about"},
    ],
    ids=["same-name-ignoring-case-and-accents", "same-acronym", "same-website-domain"],
)
def test_similar_entity_is_offered_instead_of_a_duplicate(newcomer_client, existing):
    similar = EntityFactory(**existing)
    response = newcomer_client.post(APPLY_URL, application())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Is your entity already here?" in html
    assert f"/en/entities/{similar.pk}/join/" in html
    assert Entity.objects.count() == 1
    # Confirming that it is a different organisation goes through.
    response = newcomer_client.post(APPLY_URL, {**application(), "confirm_new": "1"})
    assert response.status_code == 302
    assert Entity.objects.count() == 2


def test_applying_twice_for_the_same_entity_is_refused(newcomer_client):
    newcomer_client.post(APPLY_URL, application())
    response = newcomer_client.post(APPLY_URL, {**application(), "confirm_new": "1"})
    assert response.status_code == 200
    assert "already applied for this entity" in response.content.decode()
    assert Entity.objects.count() == 1


def test_html_in_fields_is_stored_as_text_and_escaped(newcomer, newcomer_client):
    newcomer_client.post(APPLY_URL, application(name="<script>alert(1)</script> Agency"))
    entity = Entity.objects.get(applied_by=newcomer)
    assert entity.name == "<script>alert(1)</script> Agency"
    html = newcomer_client.get("/en/me/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Agency" in html


def test_join_request_reaches_the_entity_administrators(
    newcomer, newcomer_client, entity, entity_admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = newcomer_client.post(
            f"/en/entities/{entity.pk}/join/", {"message": "I lead the schools programme."}
        )
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [[entity_admin.email]]
    assert f"/en/my-entities/{entity.pk}/" in mailoutbox[0].body
    again = newcomer_client.post(f"/en/entities/{entity.pk}/join/", {"message": ""}, follow=True)
    assert "already asked to join" in again.content.decode()
    assert OutboundEmail.objects.count() == 1


@pytest.mark.parametrize(
    "status",
    [Entity.Status.APPLIED, Entity.Status.MORE_INFO_REQUESTED, Entity.Status.SUSPENDED,
     Entity.Status.REJECTED],
)
def test_similar_entities_never_reveal_someone_elses_entity_that_is_not_approved(
    newcomer_client, status
):
    hidden = EntityFactory(name="Agence Numérique du Sénégal", acronym="ANS",
                           website="https://www.ans.example.sn", status=status)
    response = newcomer_client.post(APPLY_URL, application())
    html = response.content.decode()
    # Nothing about the application under vetting: the newcomer's own application goes through.
    assert response.status_code == 302
    assert f"/en/entities/{hidden.pk}/join/" not in html
    assert Entity.objects.filter(name="Agence Numérique du Sénégal").count() == 2


def test_similar_entities_include_the_applicants_own_pending_application(
    newcomer, newcomer_client
):
    newcomer_client.post(APPLY_URL, application())
    own = Entity.objects.get(applied_by=newcomer)
    assert own.status == Entity.Status.APPLIED
    response = newcomer_client.post(APPLY_URL, application(name="ANS Sénégal"))
    assert response.status_code == 200
    assert "Is your entity already here?" in response.content.decode()


@pytest.mark.parametrize(
    "status",
    [Entity.Status.APPLIED, Entity.Status.MORE_INFO_REQUESTED, Entity.Status.SUSPENDED,
     Entity.Status.REJECTED],
)
def test_an_entity_that_is_not_approved_cannot_be_asked_to_join(
    newcomer_client, mailoutbox, django_capture_on_commit_callbacks, status
):
    from members.models import JoinRequest

    hidden = EntityFactory(status=status)
    with django_capture_on_commit_callbacks(execute=True):
        response = newcomer_client.post(
            f"/en/entities/{hidden.pk}/join/", {"message": "Let me in."}, follow=True
        )
    assert "This entity cannot be joined." in response.content.decode()
    assert not JoinRequest.objects.exists()
    assert mailoutbox == []
