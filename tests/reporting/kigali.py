"""The Kigali roundtable's pledges, with known totals: the data behind every compiled-report test
(here, in the report workers' test and in the browser's report journey). The `kigali` fixture of
conftest.py builds them; a browser test calls `kigali_pledges()` itself."""

import datetime
from decimal import Decimal

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Country,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from pledges.models import Event, Pledge
from tests.factories import EntityFactory, PledgeFactory, TargetFactory

from .cycles import at

KIGALI_CUTOFF = datetime.date(2022, 6, 16)


def kigali_pledge(entity, *, pledge_type="programme", usd=None, areas=(), pillars=(),
                  countries=(), regions=(), beneficiaries=(), sdgs=(), submitted="2022-05-20",
                  status="published", event="wtdc-22-kigali", **kwargs):
    financial = {}
    if pledge_type == "financial":
        financial = dict(amount=usd, currency="USD", usd_amount=usd, modality="grant",
                         programme_kind="", people_to_reach=None)
    pledge = PledgeFactory(
        entity=entity, published=True, pledge_type=pledge_type, with_defaults=False,
        event=Event.objects.get(slug=event) if event else None, **financial, **kwargs,
    )
    pledge.status = status
    pledge.first_submitted_at = at(submitted, 9)
    pledge.published_at = at("2022-06-06", 9)
    pledge.save()
    pledge.action_areas.set(ActionArea.objects.filter(code__in=areas))
    pledge.pillars.set(Pillar.objects.filter(code__in=pillars))
    pledge.countries.set(Country.objects.filter(iso3__in=countries))
    pledge.regions.set(Region.objects.filter(code__in=regions))
    pledge.beneficiary_groups.set(BeneficiaryGroup.objects.filter(code__in=beneficiaries))
    pledge.sdgs.set(SustainableDevelopmentGoal.objects.filter(number__in=sdgs))
    TargetFactory(pledge=pledge)
    return pledge


def kigali_pledges() -> dict[str, Pledge]:
    """Four pledges announced at the Kigali roundtable and submitted by 16 June 2022, and five
    that a Kigali report must leave out. Bhutan (BTN) was an LDC in June 2022 and graduated on
    13 December 2023."""
    government = EntityFactory(name="Ministry of ICT", stakeholder_group="government")
    company = EntityFactory(name="=HYPERLINK(\"http://evil\") Telecom",
                            stakeholder_group="private_sector")
    bank = EntityFactory(name="Development Bank", stakeholder_group="international")
    pledges = {
        "p1": kigali_pledge(government, pledge_type="financial", usd=Decimal("5000000"),
                            areas=["access"], pillars=["infrastructure"],
                            countries=["RWA", "BTN"], beneficiaries=["rural-remote"], sdgs=[9],
                            reference="P2C-2022-0001"),
        "p2": kigali_pledge(company, pledge_type="financial", usd=Decimal("2000000"),
                            areas=["access", "adoption"], pillars=["affordability", "skills"],
                            countries=["FJI"], beneficiaries=["women-girls"], sdgs=[5, 9],
                            reference="P2C-2022-0002", title="-2+3 cmd"),
        "p3": kigali_pledge(bank, pledge_type="policy", policy_instrument="strategy",
                            areas=["accelerate"], pillars=["policy-regulation"], is_global=True,
                            regions=["africa"], sdgs=[17], reference="P2C-2022-0003"),
        "p4": kigali_pledge(government, areas=["value-creation"], countries=["BTN"],
                            beneficiaries=["youth"], reference="P2C-2022-0004"),
    }
    # Left out: submitted after the cut-off, never published, embargoed, withdrawn, not announced
    # at Kigali.
    kigali_pledge(government, pledge_type="financial", usd=Decimal("9"), areas=["access"],
                  countries=["RWA"], submitted="2022-07-01", reference="P2C-2022-0005")
    kigali_pledge(company, areas=["access"], countries=["RWA"], status="submitted",
                  reference="P2C-2022-0006")
    embargoed = kigali_pledge(bank, areas=["access"], countries=["RWA"],
                              reference="P2C-2022-0007")
    Pledge.objects.filter(pk=embargoed.pk).update(embargo_until=at("2099-01-01"))
    kigali_pledge(bank, areas=["access"], countries=["RWA"], status="withdrawn",
                  reference="P2C-2022-0008")
    kigali_pledge(bank, areas=["access"], countries=["RWA"], event=None,
                  reference="P2C-2022-0009")
    return pledges
