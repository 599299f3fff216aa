""""Write a new pledge" writes nothing until its first section is saved with valid data: no
piles of untitled drafts, and nothing typed is lost on the way."""

import pytest

from pledges.models import Pledge

pytestmark = pytest.mark.django_db

NEW = "/en/my-pledges/new/"


def test_opening_write_a_new_pledge_and_leaving_writes_nothing(member_client, entity):
    my_pledges = member_client.get("/en/my-pledges/").content.decode()
    assert f'href="{NEW}">Write a new pledge</a>' in my_pledges
    page = member_client.get(NEW)
    assert page.status_code == 200
    html = page.content.decode()
    assert "New pledge" in html and 'name="title"' in html
    # Leaving: back to the list, which has nothing new on it.
    member_client.get("/en/my-pledges/")
    assert not Pledge.objects.exists()


def test_an_invalid_first_save_writes_nothing_and_keeps_what_was_typed(member_client, entity):
    typed = {"title": "", "summary": "Fibre for clinics in Kigali",
             "start_date": "2025-06-01", "end_date": "2024-01-01", "save_next": "1"}
    response = member_client.post(NEW, typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Give the pledge a title: the draft is saved with it." in html
    assert "The end date is before the start date." in html
    assert "Fibre for clinics in Kigali" in html and 'value="2025-06-01"' in html
    assert not Pledge.objects.exists()


def test_a_valid_first_save_creates_exactly_one_draft_with_what_was_typed(
    member, member_client, entity
):
    typed = {"title": "Connect 500 schools in Rwanda", "summary": "Broadband for rural schools.",
             "pledge_type": "financial", "start_date": "2025-06-01", "save_next": "1"}
    response = member_client.post(NEW, typed)
    [pledge] = Pledge.objects.all()
    assert response.status_code == 302
    assert response.url == f"/en/my-pledges/{pledge.pk}/edit/details/"
    assert (pledge.entity, pledge.created_by, pledge.status) == (entity, member, "draft")
    assert (pledge.title, pledge.summary, pledge.pledge_type) == (
        "Connect 500 schools in Rwanda", "Broadband for rural schools.", "financial")
    assert str(pledge.start_date) == "2025-06-01"
    # The member continues on the draft's other sections as before.
    assert member_client.get(response.url).status_code == 200
    assert "Connect 500 schools in Rwanda" in member_client.get("/en/my-pledges/").content.decode()


def test_save_draft_stays_on_the_basics_of_the_new_draft(member_client, entity):
    response = member_client.post(NEW, {"title": "Digital skills for 10,000 women",
                                        "save": "1"})
    [pledge] = Pledge.objects.all()
    assert response.url == f"/en/my-pledges/{pledge.pk}/edit/basics/"


def test_those_who_may_not_write_a_pledge_create_nothing(viewer_client, entity):
    assert viewer_client.get(NEW).status_code == 302
    assert viewer_client.post(NEW, {"title": "Not allowed"}).status_code == 302
    assert not Pledge.objects.exists()


def test_typed_basics_survive_an_expired_session(client, member, entity):
    typed = {"title": "Kept across the login", "save": "1"}
    assert client.post(NEW, typed).status_code == 302  # to the login page
    assert not Pledge.objects.exists()
    client.force_login(member)
    response = client.get(NEW)  # back from the login page: replayed as sent
    [pledge] = Pledge.objects.all()
    assert pledge.title == "Kept across the login"
    assert response.url == f"/en/my-pledges/{pledge.pk}/edit/basics/"


def test_a_double_click_on_the_first_save_makes_one_draft(member_client, entity):
    """The form sent twice (a double click, a resent form): both answers lead to the same
    draft. The second request waits for the first (a lock on the member) and finds its draft."""
    typed = {"title": "Connect 500 schools in Rwanda", "summary": "Broadband for rural schools.",
             "pledge_type": "financial", "start_date": "2025-06-01", "save_next": "1"}
    first = member_client.post(NEW, typed)
    second = member_client.post(NEW, typed)
    [pledge] = Pledge.objects.all()
    assert first.url == second.url == f"/en/my-pledges/{pledge.pk}/edit/details/"
    # Another pledge, even with the same title, is another draft.
    member_client.post(NEW, {**typed, "summary": "Broadband for rural clinics."})
    assert Pledge.objects.count() == 2
