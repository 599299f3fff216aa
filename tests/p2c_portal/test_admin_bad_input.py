"""Values that are not keys or schedules, posted into the admin, are a form error, never a 500
(found by the hostile-input test of the admin, tests/p2c_portal/test_hostile_admin_input.py)."""

import pytest
from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin

from action_areas.models import Country
from p2c_portal.admin_autocomplete import KeyCheckingAutocompleteMixin

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="root@itu.example.org", superuser=True))
    return client


@pytest.mark.parametrize("typed", ["@SUM(1)", "²", "1e308", "\x00", "9" * 400, "' OR 1=1 --"])
@pytest.mark.parametrize(("path", "field"), [
    ("/en/admin/action_areas/countrygroupmembership/add/", "country"),
    ("/en/admin/members/entity/add/", "headquarters_country"),
    ("/en/admin/members/membership/add/", "user"),
])
def test_an_autocomplete_field_given_a_value_that_is_no_key_says_so(
    superuser_client, path, field, typed
):
    response = superuser_client.post(path, {field: typed})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors[field]  # "Select a valid choice" (or "Null characters are not allowed")


def test_an_autocomplete_field_shows_a_valid_choice_again(superuser_client):
    rwanda = Country.objects.get(iso3="RWA")
    response = superuser_client.post("/en/admin/action_areas/countrygroupmembership/add/",
                                     {"country": str(rwanda.pk), "group": "not-a-group"})
    assert response.status_code == 200
    assert f'<option value="{rwanda.pk}" selected>' in response.content.decode()


def test_every_autocomplete_of_the_admin_checks_its_keys():
    """An admin or inline added tomorrow with autocomplete_fields takes the mixin too."""
    admins = list(admin.site._registry.values())
    admins += [inline(model_admin.model, admin.site) for model_admin in admins
               for inline in model_admin.inlines]
    without = [type(a).__name__ for a in admins
               if isinstance(a, BaseModelAdmin) and a.autocomplete_fields
               and not isinstance(a, KeyCheckingAutocompleteMixin)]
    assert not without


@pytest.mark.parametrize("hour", ["-1", "-2+3", "' OR 1=1 --", "\x00", "99"])
def test_a_crontab_celery_cannot_read_is_a_form_error(superuser_client, hour):
    response = superuser_client.post("/en/admin/django_celery_beat/crontabschedule/add/", {
        "minute": "-2+3", "hour": hour, "day_of_month": "*", "month_of_year": "*",
        "day_of_week": "*", "timezone": "UTC",
    })
    assert response.status_code == 200
    assert response.context["adminform"].form.errors


def test_the_secretariat_can_add_a_site_on_postgresql(postgresql, superuser_client):
    """The sites table's sequence stands past the record the migrations created with its id."""
    from django.contrib.sites.models import Site

    response = superuser_client.post("/en/admin/sites/site/add/",
                                     {"domain": "p2c.example.org", "name": "Partner2Connect"})
    assert response.status_code == 302
    assert Site.objects.count() == 2


def test_a_list_of_choices_with_a_number_no_column_holds_is_refused(superuser_client, entity):
    """ModelMultipleChoiceField checks the posted ids with `id__in`: a 400-digit number made
    SQLite's driver raise OverflowError (a 500 on a developer's `make run`)."""
    from pledges.models import Pledge
    from tests.factories import PledgeFactory

    pledge = PledgeFactory(entity=entity)
    response = superuser_client.post(f"/en/admin/pledges/pledge/{pledge.pk}/change/",
                                     {"countries": ["9" * 400, "-" + "9" * 30]})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["countries"]
    assert list(Pledge.objects.filter(pk__in=[pledge.pk, 10**30])) == [pledge]
    assert not Pledge.objects.filter(pk__in=[10**30]).exists()
