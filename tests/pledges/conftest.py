"""Set-ups shared by the pledges' test files: an accepted funder of a published pledge, with the
month's rates its contribution is converted at (partners' contribution changes, issue 18)."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from pledges.models import CurrencyRate, Partnership, RateSource
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

from .funders import accepted_funder


@pytest.fixture
def rates(db):
    """0.8 euro and 0.5 pound per US dollar this month."""
    month = timezone.localdate().replace(day=1)
    for currency, rate in (("EUR", "0.8"), ("GBP", "0.5")):
        CurrencyRate.objects.update_or_create(
            currency=currency, month=month,
            defaults={"rate_per_usd": Decimal(rate), "source": RateSource.TEST_DATA})


@pytest.fixture
def funding(rates, entity, entity_admin):
    """Entity A's published pledge, funded by FNS with EUR 1,000,000 (USD 1,250,000), accepted:
    (partnership, FNS's administrator, who reads French, FNS's editor, who reads English)."""
    pledge = PledgeFactory(entity=entity, published=True, financial=True,
                           title="Schools online in Rwanda",
                           published_at=timezone.now() - datetime.timedelta(days=3))
    funder = EntityFactory(name="Fonds Numérique Solidaire", acronym="FNS")
    chloe = UserFactory(email="chloe@fns.example.org", preferred_language="fr")
    MembershipFactory(user=chloe, entity=funder, role="administrator")
    editor = UserFactory(email="ed@fns.example.org")
    MembershipFactory(user=editor, entity=funder, role="editor")
    request = accepted_funder(pledge, chloe, accepted_by=entity_admin, amount="1000000",
                              currency="EUR")
    mail.outbox = []
    return Partnership.objects.get(pk=request.pk), chloe, editor
