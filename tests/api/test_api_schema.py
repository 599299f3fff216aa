"""The OpenAPI description is valid and the whole API keeps to it: schemathesis generates
requests from the schema (valid and invalid parameters) against PostgreSQL with demo-like data;
no answer is a server error and every answer matches the schema."""

import datetime
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from action_areas.models import CoalitionGoal, Indicator
from pledges.models import Partnership
from tests.factories import EntityFactory, PledgeFactory, TargetFactory


@pytest.fixture
def api_schema(postgresql, settings_without_limits):
    pledge = PledgeFactory(published=True, financial=True)
    pledge.co_pledgers.add(EntityFactory())
    Partnership.objects.create(pledge=pledge, entity=EntityFactory(), role="funder",
                               status="accepted", accepted_at=pledge.published_at)
    trained = Indicator.objects.get(code="people-trained-digital-skills")
    TargetFactory(pledge=PledgeFactory(published=True, is_global=True),
                  catalogue_indicator=trained)
    PledgeFactory(published=True, status="withdrawn")  # a removal
    CoalitionGoal.objects.create(code="trained", name_en="People trained", indicator=trained,
                                 target_value=Decimal("1000000"),
                                 target_date=datetime.date(2030, 12, 31))
    CoalitionGoal.objects.create(code="usd", name_en="USD mobilised", measure="usd",
                                 scope="country_group", country_group="LDC",
                                 target_value=Decimal("1000000000"),
                                 target_date=datetime.date(2030, 12, 31))
    django_app = get_wsgi_application()

    def app(environ, start_response):  # werkzeug's test client sends no client address
        environ.setdefault("REMOTE_ADDR", "192.0.2.10")
        return django_app(environ, start_response)

    # As Django's test client does: the test's transaction (its connection) outlives requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def settings_without_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS,
                                    "api_anonymous": "100000/m/ip"}


# Each operation's cases drawn by Hypothesis from its strategy (schemathesis' pytest plugin does
# not run under pytest 9): a bounded number of examples, valid and invalid parameters.
EXAMPLES_PER_OPERATION = 20


def test_the_api_keeps_to_its_schema(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 11
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def keeps_to_the_schema(case):
            # Not "positive data accepted": a schema-valid string may still be an unknown code
            # or a cursor the API never gave, which the API refuses (400, named) by design.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        keeps_to_the_schema()


@pytest.mark.django_db
def test_the_schema_validates(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn",
                 "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/pledges/" in (tmp_path / "schema.yaml").read_text()
