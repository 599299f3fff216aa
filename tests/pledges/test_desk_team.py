"""Issue 16, a desk for a team: pledges under review are assigned to a reviewer (from the change
page and in bulk, with an "Assigned to" filter and column), and the secretariat keeps internal
notes on them, shown on the desk and in the history and nowhere else."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client

from members.services import MembersError
from pledges import services, workflow
from pledges.models import Pledge, PledgeNote
from tests.factories import PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN = "/en/admin/pledges/pledge/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def colleague(db):
    """A second reviewer of the secretariat."""
    user = UserFactory(email="colleague@itu.example.org", full_name="Carl Colleague", staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


def listed(client, query: str = "") -> list[int]:
    response = client.get(ADMIN + query)
    assert response.status_code == 200
    return [p.pk for p in response.context["cl"].result_list]


# --- Assignment -----------------------------------------------------------------------------------


def test_assign_to_me_from_the_change_page_then_the_mine_filter_lists_it(
    secretariat, secretariat_client
):
    mine, other = PledgeFactory(submitted=True), PledgeFactory(submitted=True)
    page = secretariat_client.get(f"{ADMIN}{mine.pk}/change/").content.decode()
    assert "Nobody is assigned." in page
    assert 'name="to" value="me"' in page

    response = secretariat_client.post(f"{ADMIN}{mine.pk}/assign/", {"to": "me"}, follow=True)
    assert "Assignment saved." in messages_of(response)
    mine.refresh_from_db()
    assert mine.assigned_to == secretariat and mine.assigned_at is not None
    assert "Assigned to" in response.content.decode()

    assert listed(secretariat_client, "?assigned=me") == [mine.pk]
    assert listed(secretariat_client, "?assigned=nobody") == [other.pk]
    assert set(listed(secretariat_client)) == {mine.pk, other.pk}  # anyone


def test_the_list_shows_the_assignee_and_the_filter_reads_anyone_me_nobody(
    secretariat, secretariat_client, colleague
):
    pledge = PledgeFactory(submitted=True)
    services.pledge_assign(actor=secretariat, pledge_ids=[pledge.pk], assignee_id=colleague.pk)
    html = secretariat_client.get(ADMIN).content.decode()
    assert "Carl Colleague" in html
    assert ">anyone</a>" in html and ">me</a>" in html and ">nobody (unassigned)</a>" in html
    assert "?assigned=me" in html


def test_reassign_and_unassign_from_the_change_page(secretariat, secretariat_client, colleague):
    pledge = PledgeFactory(submitted=True)
    secretariat_client.post(f"{ADMIN}{pledge.pk}/assign/", {"to": "me"})
    secretariat_client.post(f"{ADMIN}{pledge.pk}/assign/", {"reviewer": colleague.pk})
    pledge.refresh_from_db()
    assert pledge.assigned_to == colleague
    assert listed(client_for(colleague), "?assigned=me") == [pledge.pk]
    assert listed(secretariat_client, "?assigned=me") == []

    secretariat_client.post(f"{ADMIN}{pledge.pk}/assign/", {"reviewer": ""})
    pledge.refresh_from_db()
    assert pledge.assigned_to is None and pledge.assigned_at is None


def test_assignment_is_in_the_history_with_who_did_it_and_keeps_the_version(
    secretariat, secretariat_client, colleague
):
    pledge = PledgeFactory(submitted=True)
    version, updated_at = pledge.version, pledge.updated_at
    services.pledge_assign(actor=secretariat, pledge_ids=[pledge.pk], assignee_id=colleague.pk)
    pledge.refresh_from_db()
    assert (pledge.version, pledge.updated_at) == (version, updated_at)  # the author's, still
    latest = pledge.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == secretariat and latest.assigned_to_id == colleague.pk
    history = secretariat_client.get(f"{ADMIN}{pledge.pk}/history/").content.decode()
    # Read as people say it: "Assigned to: — → Carl Colleague", never "None" or an id.
    assert "<bdi>Carl Colleague</bdi>" in history and "<bdi>None</bdi>" not in history
    # Not a correction of the pledge: the reviewer's summary does not call it one.
    from pledges.desk_selectors import pledge_changes_since_submission

    assert pledge_changes_since_submission(pledge) == []
    # Assigning again to the same person changes nothing and writes no history row.
    rows = pledge.history.count()
    assert services.pledge_assign(
        actor=secretariat, pledge_ids=[pledge.pk], assignee_id=colleague.pk
    ) == 0
    assert pledge.history.count() == rows


def test_bulk_actions_assign_to_me_to_a_reviewer_and_unassign(
    secretariat, secretariat_client, colleague
):
    first, second, third = PledgeFactory.create_batch(3, submitted=True)
    ids = [str(first.pk), str(second.pk)]
    response = secretariat_client.post(
        ADMIN, {"action": "assign_selected_to_me", "_selected_action": ids}, follow=True
    )
    assert "2 records reassigned." in messages_of(response)
    assert set(listed(secretariat_client, "?assigned=me")) == {first.pk, second.pk}

    page = secretariat_client.post(
        ADMIN, {"action": "assign_selected", "_selected_action": [str(third.pk), ids[0]]}
    )
    assert page.status_code == 200
    assert "Carl Colleague" in page.content.decode()  # offered as a reviewer
    response = secretariat_client.post(ADMIN, {
        "action": "assign_selected", "_selected_action": [str(third.pk), ids[0]],
        "confirm": "yes", "reviewer": colleague.pk,
    }, follow=True)
    assert "2 records reassigned." in messages_of(response)
    assert set(listed(client_for(colleague), "?assigned=me")) == {first.pk, third.pk}

    secretariat_client.post(ADMIN, {"action": "unassign_selected", "_selected_action": ids})
    assert set(listed(secretariat_client, "?assigned=nobody")) == {first.pk, second.pk}


def test_only_secretariat_reviewers_can_be_assigned(
    secretariat, secretariat_client, staff_outsider, member
):
    pledge = PledgeFactory(submitted=True)
    superuser = UserFactory(superuser=True, full_name="Root Superuser")
    for not_a_reviewer in (staff_outsider, member):
        with pytest.raises(MembersError):
            services.pledge_assign(
                actor=secretariat, pledge_ids=[pledge.pk], assignee_id=not_a_reviewer.pk
            )
        response = secretariat_client.post(
            f"{ADMIN}{pledge.pk}/assign/", {"reviewer": not_a_reviewer.pk}, follow=True
        )
        assert "Only a reviewer of the secretariat can be assigned." in messages_of(response)
    pledge.refresh_from_db()
    assert pledge.assigned_to is None
    choices = secretariat_client.get(f"{ADMIN}{pledge.pk}/change/").context["desk"][
        "assign_form"
    ].fields["reviewer"].queryset
    assert set(choices) == {secretariat, superuser}
    services.pledge_assign(actor=secretariat, pledge_ids=[pledge.pk], assignee_id=superuser.pk)


def test_who_may_not_review_may_not_assign(staff_outsider, member, secretariat):
    pledge = PledgeFactory(submitted=True)
    for outsider in (staff_outsider, member):
        with pytest.raises(PermissionDenied):
            services.pledge_assign(
                actor=outsider, pledge_ids=[pledge.pk], assignee_id=secretariat.pk
            )
    assert client_for(staff_outsider).post(
        f"{ADMIN}{pledge.pk}/assign/", {"to": "me"}
    ).status_code == 403  # the admin refuses staff without the pledge permissions
    pledge.refresh_from_db()
    assert pledge.assigned_to is None


def test_the_admin_home_counts_my_assigned_pledges_and_opens_them(
    secretariat, secretariat_client, colleague
):
    mine = PledgeFactory(submitted=True)
    theirs = PledgeFactory(submitted=True)
    services.pledge_assign(actor=secretariat, pledge_ids=[mine.pk], assignee_id=secretariat.pk)
    services.pledge_assign(actor=secretariat, pledge_ids=[theirs.pk], assignee_id=colleague.pk)
    html = secretariat_client.get("/en/admin/").content.decode()
    assert "Pledges assigned to me, awaiting review" in html
    assert "?assigned=me&amp;status__exact=submitted" in html
    assert listed(secretariat_client, "?assigned=me&status__exact=submitted") == [mine.pk]


def test_the_assigned_list_stays_a_constant_number_of_queries(
    secretariat, secretariat_client, colleague, django_assert_max_num_queries
):
    pledges = PledgeFactory.create_batch(3, submitted=True)
    services.pledge_assign(actor=secretariat, pledge_ids=[p.pk for p in pledges],
                           assignee_id=colleague.pk)
    secretariat_client.get(ADMIN)  # the first request fills the per-process caches
    with django_assert_max_num_queries(40) as few:
        secretariat_client.get(ADMIN)
    more = PledgeFactory.create_batch(6, submitted=True)
    services.pledge_assign(actor=secretariat, pledge_ids=[p.pk for p in more],
                           assignee_id=secretariat.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        secretariat_client.get(ADMIN)


# --- Internal notes -------------------------------------------------------------------------------


def test_notes_are_added_on_the_change_page_and_read_in_order_with_author_and_time(
    secretariat, secretariat_client, colleague
):
    pledge = PledgeFactory(submitted=True)
    url = f"{ADMIN}{pledge.pk}/notes/add/"
    response = secretariat_client.post(url, {"text": "Called the ministry: figures confirmed."},
                                       follow=True)
    assert "Internal note added." in messages_of(response)
    client_for(colleague).post(url, {"text": "Second opinion: fine by me."})
    page = secretariat_client.get(f"{ADMIN}{pledge.pk}/change/").content.decode()
    first = page.index("Called the ministry: figures confirmed.")
    second = page.index("Second opinion: fine by me.")
    assert first < second
    assert "Sara Secretariat" in page[:first] and "Carl Colleague" in page[first:second]
    notes = list(PledgeNote.objects.filter(pledge=pledge))
    assert [n.author for n in notes] == [secretariat, colleague]


def test_an_empty_note_is_refused(secretariat, secretariat_client):
    pledge = PledgeFactory(submitted=True)
    response = secretariat_client.post(f"{ADMIN}{pledge.pk}/notes/add/", {"text": "  "},
                                       follow=True)
    assert "This field is required." in messages_of(response)
    with pytest.raises(services.PledgeError):
        services.pledge_note_add(author=secretariat, pledge_id=pledge.pk, text=" ")
    assert not PledgeNote.objects.exists()


def test_notes_are_in_the_history_view(secretariat, secretariat_client):
    pledge = PledgeFactory(submitted=True)
    services.pledge_note_add(author=secretariat, pledge_id=pledge.pk, text="Check the budget line.")
    html = secretariat_client.get(f"{ADMIN}{pledge.pk}/history/").content.decode()
    assert "Internal notes" in html and "Check the budget line." in html


def test_staff_outside_the_group_and_members_cannot_write_or_read_notes(
    staff_outsider, member, secretariat
):
    pledge = PledgeFactory(submitted=True)
    services.pledge_note_add(author=secretariat, pledge_id=pledge.pk, text="Only for us.")
    for outsider in (staff_outsider, member):
        with pytest.raises(PermissionDenied):
            services.pledge_note_add(author=outsider, pledge_id=pledge.pk, text="Sneaky")
    assert client_for(staff_outsider).post(
        f"{ADMIN}{pledge.pk}/notes/add/", {"text": "Sneaky"}
    ).status_code == 403
    assert client_for(staff_outsider).get(f"{ADMIN}{pledge.pk}/history/").status_code == 403
    assert PledgeNote.objects.count() == 1


NOTE = "INTERNAL-ONLY 7f3a: the office of the minister hinted the budget is not yet approved"


def test_a_note_never_reaches_members_the_public_open_data_exports_or_emails(
    secretariat, secretariat_client, member, member_client, entity, anonymous, mailoutbox,
    django_capture_on_commit_callbacks,
):
    from tests.admin_import import export, read_xlsx_export

    published = PledgeFactory(entity=entity, published=True, created_by=member)
    submitted = PledgeFactory(entity=entity, submitted=True, created_by=member)
    for pledge in (published, submitted):
        services.pledge_note_add(author=secretariat, pledge_id=pledge.pk, text=NOTE)
        services.pledge_assign(actor=secretariat, pledge_ids=[pledge.pk],
                               assignee_id=secretariat.pk)
    # The note is on the desk (the test would prove nothing otherwise).
    assert NOTE in secretariat_client.get(f"{ADMIN}{submitted.pk}/change/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.pledge_transition(pledge_id=submitted.pk, name="request_changes",
                                   actor=secretariat, message="Please add a baseline.")
    assert mailoutbox
    for email in mailoutbox:
        assert NOTE not in email.body
        assert all(NOTE not in str(body) for body, _type in getattr(email, "alternatives", []))

    member_pages = [
        "/en/me/", "/en/my-pledges/", f"/en/my-pledges/{published.pk}/",
        f"/en/my-pledges/{submitted.pk}/", f"/en/my-entities/{entity.pk}/",
    ]
    for url in member_pages:
        response = member_client.get(url)
        assert response.status_code == 200, url
        assert NOTE not in response.content.decode(), url
    public_pages = [
        "/en/", "/en/pledges/", f"/en/pledges/{published.pk}/", f"/en/entities/{entity.pk}/",
        "/en/entities/", "/en/open-data/", "/en/pledges/export.csv", "/en/pledges/export.json",
    ]
    for url in public_pages:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert NOTE not in body.decode(), url
    for fmt in ("csv", "json"):
        assert NOTE.encode() not in export(secretariat_client, "pledges/pledge", fmt)
    sheet = read_xlsx_export(export(secretariat_client, "pledges/pledge", "xlsx"))
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert published.title in cells and not any(NOTE in cell for cell in cells)
    assert Pledge.objects.filter(assigned_to=secretariat).count() == 2
