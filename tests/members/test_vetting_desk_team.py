"""Issue 16, a desk for a team, on the vetting desk: entity applications assigned to a reviewer,
the secretariat's internal notes on an entity, and the possible duplicates of an application
(the application form's similarity check) shown to the secretariat."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client

from action_areas.models import Country
from members import services, workflow
from members.models import Entity, EntityNote
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN = "/en/admin/members/entity/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def listed(client, query: str = "") -> list[int]:
    response = client.get(ADMIN + query)
    assert response.status_code == 200
    return [e.pk for e in response.context["cl"].result_list]


@pytest.fixture
def colleague(db):
    user = UserFactory(email="colleague@itu.example.org", full_name="Carl Colleague", staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


# --- Assignment -----------------------------------------------------------------------------------


def test_an_application_is_assigned_from_its_vetting_page_and_found_under_mine(
    secretariat, secretariat_client, colleague
):
    application = EntityFactory(applied=True, name="Digital Futures Lab")
    other = EntityFactory(applied=True)
    response = secretariat_client.post(f"{ADMIN}{application.pk}/assign/", {"to": "me"},
                                       follow=True)
    assert "Assignment saved." in messages_of(response)
    application.refresh_from_db()
    assert application.assigned_to == secretariat
    assert listed(secretariat_client, "?assigned=me") == [application.pk]
    assert other.pk in listed(secretariat_client, "?assigned=nobody")
    assert "Sara Secretariat" in secretariat_client.get(ADMIN).content.decode()  # the column

    secretariat_client.post(f"{ADMIN}{application.pk}/assign/", {"reviewer": colleague.pk})
    assert listed(client_for(colleague), "?assigned=me") == [application.pk]
    latest = application.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == secretariat and latest.assigned_to_id == colleague.pk

    secretariat_client.post(f"{ADMIN}{application.pk}/assign/", {"reviewer": ""})
    application.refresh_from_db()
    assert application.assigned_to is None


def test_bulk_assignment_of_applications(secretariat, secretariat_client, colleague):
    first, second = EntityFactory.create_batch(2, applied=True)
    ids = [str(first.pk), str(second.pk)]
    response = secretariat_client.post(ADMIN, {
        "action": "assign_selected", "_selected_action": ids, "confirm": "yes",
        "reviewer": colleague.pk,
    }, follow=True)
    assert "2 records reassigned." in messages_of(response)
    assert set(listed(client_for(colleague), "?assigned=me")) == {first.pk, second.pk}
    secretariat_client.post(ADMIN, {"action": "assign_selected_to_me", "_selected_action": ids})
    assert set(listed(secretariat_client, "?assigned=me")) == {first.pk, second.pk}
    secretariat_client.post(ADMIN, {"action": "unassign_selected", "_selected_action": ids})
    assert Entity.objects.filter(assigned_to__isnull=False).count() == 0


def test_an_application_cannot_be_assigned_to_a_member_or_by_one(secretariat, member):
    application = EntityFactory(applied=True)
    with pytest.raises(services.MembersError):
        services.entity_assign(actor=secretariat, entity_ids=[application.pk],
                               assignee_id=member.pk)
    with pytest.raises(PermissionDenied):
        services.entity_assign(actor=member, entity_ids=[application.pk],
                               assignee_id=secretariat.pk)


def test_the_admin_home_counts_my_applications(secretariat, secretariat_client):
    mine = EntityFactory(applied=True)
    EntityFactory(applied=True)
    services.entity_assign(actor=secretariat, entity_ids=[mine.pk], assignee_id=secretariat.pk)
    from pledges.desk_selectors import review_desk_counts

    counts = {str(c["label"]): c for c in review_desk_counts(secretariat)}
    assigned = counts["Entity applications assigned to me, awaiting vetting"]
    assert assigned["count"] == 1
    assert listed(secretariat_client, assigned["url"].split(ADMIN)[1]) == [mine.pk]


# --- Internal notes -------------------------------------------------------------------------------

NOTE = "INTERNAL-ONLY 91c2: the website registrar lists another owner"


def test_notes_on_an_entity_in_order_on_its_page_and_in_its_history(
    secretariat, secretariat_client, colleague
):
    entity = EntityFactory(applied=True)
    url = f"{ADMIN}{entity.pk}/notes/add/"
    secretariat_client.post(url, {"text": "First: asked for a letter."})
    client_for(colleague).post(url, {"text": "Second: letter came."})
    page = secretariat_client.get(f"{ADMIN}{entity.pk}/change/").content.decode()
    assert page.index("First: asked for a letter.") < page.index("Second: letter came.")
    assert "Carl Colleague" in page
    history = secretariat_client.get(f"{ADMIN}{entity.pk}/history/").content.decode()
    assert "First: asked for a letter." in history and "Second: letter came." in history
    assert [n.author for n in EntityNote.objects.filter(entity=entity)] == [secretariat, colleague]


def test_a_note_on_an_entity_never_reaches_its_members_the_public_or_emails(
    secretariat, secretariat_client, entity, entity_admin, anonymous, mailoutbox,
    django_capture_on_commit_callbacks,
):
    services.entity_note_add(author=secretariat, entity_id=entity.pk, text=NOTE)
    assert NOTE in secretariat_client.get(f"{ADMIN}{entity.pk}/change/").content.decode()
    admin_client = client_for(entity_admin)
    for url in ("/en/me/", f"/en/my-entities/{entity.pk}/", f"/en/my-entities/{entity.pk}/edit/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert NOTE not in response.content.decode(), url
    for url in (f"/en/entities/{entity.pk}/", "/en/entities/", "/en/"):
        assert NOTE not in anonymous.get(url).content.decode(), url
    from tests.admin_import import export

    assert NOTE.encode() not in export(secretariat_client, "members/entity", "csv")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.entity_transition(entity_id=entity.pk, name="suspend", actor=secretariat,
                                   message="Suspended while we check.")
    assert mailoutbox and all(NOTE not in email.body for email in mailoutbox)


def test_staff_outside_the_group_cannot_add_notes(staff_outsider):
    entity = EntityFactory(applied=True)
    with pytest.raises(PermissionDenied):
        services.entity_note_add(author=staff_outsider, entity_id=entity.pk, text="x")
    assert client_for(staff_outsider).post(
        f"{ADMIN}{entity.pk}/notes/add/", {"text": "x"}
    ).status_code == 403


# --- Possible duplicates --------------------------------------------------------------------------


def test_the_vetting_page_lists_possible_duplicates_with_status_country_website_and_link(
    secretariat_client, member
):
    senegal = Country.objects.get(iso3="SEN")
    application = EntityFactory(applied=True, name="Agence du Numérique", acronym="ADN",
                                website="https://www.adn.example.sn/apply")
    same_name = EntityFactory(name="Agence du numerique", acronym="", rejected=True,
                              headquarters_country=senegal, website="https://other.example.org")
    same_site = EntityFactory(name="Something else", acronym="SE",
                              website="https://adn.example.sn/")
    pending = EntityFactory(applied=True, name="ADN", acronym="", website="https://x.example")
    unrelated = EntityFactory(name="Unrelated Institute", acronym="UI")
    MembershipFactory(entity=pending, user=member)

    response = secretariat_client.get(f"{ADMIN}{application.pk}/change/")
    html = response.content.decode()
    assert [e.pk for e in response.context["duplicates"]] == sorted(
        [same_name.pk, same_site.pk, pending.pk],
        key=lambda pk: Entity.objects.get(pk=pk).name,
    )
    section = html[html.index("Possible duplicates"):]
    for duplicate in (same_name, same_site, pending):
        assert f'href="{ADMIN}{duplicate.pk}/change/"' in section
        assert duplicate.website in section
    assert "Rejected" in section and "Applied" in section and str(senegal) in section
    assert unrelated.name not in section
    # The applicant's form still offers only what a member may know of (approved, or their own).
    from members.member_selectors import entity_find_similar

    offered = entity_find_similar(user=UserFactory(), name="Agence du Numérique", acronym="ADN",
                                  website="https://adn.example.sn")
    assert {e.pk for e in offered} == {same_site.pk}


def test_a_unique_application_says_there_is_no_duplicate(secretariat_client):
    entity = EntityFactory(applied=True, name="Only One", acronym="OO",
                           website="https://only-one.example")
    html = secretariat_client.get(f"{ADMIN}{entity.pk}/change/").content.decode()
    assert "No other entity has a similar name, acronym or website." in html
