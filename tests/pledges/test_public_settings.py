"""The coalition's USD goal is a setting the secretariat changes in the admin."""

from decimal import Decimal

import pytest

from pledges.models import CoalitionSettings

pytestmark = pytest.mark.django_db


def test_the_goal_starts_at_100_billion_dollars():
    assert CoalitionSettings.load().usd_goal == Decimal("100000000000")
    assert CoalitionSettings.objects.count() == 1


def test_the_secretariat_changes_the_goal_in_the_admin(secretariat_client):
    url = "/en/admin/pledges/coalitionsettings/1/change/"
    assert secretariat_client.get(url).status_code == 200
    response = secretariat_client.post(url, {"usd_goal": "120000000000"})
    assert response.status_code == 302
    assert CoalitionSettings.load().usd_goal == Decimal("120000000000")


def test_there_is_only_ever_one_settings_row(secretariat_client):
    assert secretariat_client.get("/en/admin/pledges/coalitionsettings/add/").status_code == 403
    assert secretariat_client.get(
        "/en/admin/pledges/coalitionsettings/1/delete/"
    ).status_code == 403


def test_members_cannot_change_the_goal(member_client):
    response = member_client.get("/en/admin/pledges/coalitionsettings/1/change/")
    assert response.status_code == 302  # to the login page: members are not staff
