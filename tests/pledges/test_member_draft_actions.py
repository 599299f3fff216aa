"""What the member is offered on their own pledge: a draft is deleted, not withdrawn; sending
the same form again is not someone else's change."""

import pytest

from pledges.models import Pledge
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db


def test_a_draft_offers_only_deleting_it(member_client, entity):
    draft = PledgeFactory(entity=entity)
    html = member_client.get(f"/en/my-pledges/{draft.pk}/").content.decode()
    assert "Delete the draft" in html
    assert "Withdraw the pledge" not in html


def test_a_submitted_pledge_offers_withdrawing_it(member_client, entity):
    pledge = PledgeFactory(entity=entity, submitted=True)
    html = member_client.get(f"/en/my-pledges/{pledge.pk}/").content.decode()
    assert "Withdraw the pledge" in html
    assert "Delete the draft" not in html


def test_sending_the_same_section_again_is_not_a_conflict(member_client, entity):
    draft = PledgeFactory(entity=entity, title="Old title")
    seen_version = draft.version
    url = f"/en/my-pledges/{draft.pk}/edit/basics/"
    first = member_client.post(url, {"version": seen_version, "title": "Schools online"})
    assert first.status_code == 302
    # The back button, or a second click: the page's version is now stale, the values are not.
    again = member_client.post(url, {"version": seen_version, "title": "Schools online"})
    assert again.status_code == 302
    assert "Someone else saved this pledge" not in again.content.decode()
    assert Pledge.objects.get(pk=draft.pk).title == "Schools online"


def test_a_stale_page_with_other_values_is_still_a_conflict(member_client, entity):
    draft = PledgeFactory(entity=entity, title="Old title")
    seen_version = draft.version
    url = f"/en/my-pledges/{draft.pk}/edit/basics/"
    member_client.post(url, {"version": seen_version, "title": "Schools online"})
    response = member_client.post(url, {"version": seen_version, "title": "Clinics online"})
    assert response.status_code == 409
    assert Pledge.objects.get(pk=draft.pk).title == "Schools online"
