"""Many pledges fast, for the public-site tests: rows and links written with bulk_create."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Campaign,
    Country,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from pledges.models import CampaignTag, Event, Pledge, Target
from tests.factories import EntityFactory

_numbers = itertools.count(1)
TYPES = ["financial", "policy", "advocacy", "programme"]


def bulk_pledges(n: int, *, status: str = "published", entities=None, event=None,
                 **fields) -> list[Pledge]:
    """`n` complete pledges of every type, spread over entities, action areas, pillars,
    regions, countries, beneficiary groups, SDGs and years, each with two targets."""
    entities = entities or [EntityFactory() for _ in range(3)]
    event = event or Event.objects.get(slug="wtdc-22-kigali")
    now = timezone.now()
    rows = []
    for i in range(n):
        number = next(_numbers)
        kind = TYPES[i % 4]
        published = status in ("published", "completed")
        row = dict(
            entity=entities[i % len(entities)],
            reference=f"P2C-2030-{number:05d}" if status != "draft" else None,
            title=f"Bulk pledge {number} to connect schools",
            summary="Connect rural schools and clinics to broadband.",
            description="Fibre, satellite links and digital skills for teachers.",
            pledge_type=kind,
            event=event if i % 2 == 0 else None,
            start_date=datetime.date(2022, 6, 1),
            end_date=datetime.date(2027, 12, 31),
            status=status,
            contact_name="Paul Pledger",
            contact_email="paul@example.org",
            published_at=(now - datetime.timedelta(days=365 * (i % 3), minutes=i))
            if published else None,
        )
        if kind == "financial":
            row.update(amount=Decimal("1000000.00"), currency="USD",
                       usd_amount=Decimal("1000000.00"), usd_rate=Decimal("1"),
                       usd_rate_date=datetime.date(2022, 6, 1), modality="grant")
        elif kind == "programme":
            row.update(programme_kind="new", people_to_reach=5000)
        elif kind == "policy":
            row.update(policy_instrument="law", policy_stage="adopted", jurisdiction="Rwanda")
        else:
            row.update(advocacy_activities=["research", "campaign"], audience="Regulators")
        row.update(fields)
        rows.append(Pledge(**row))
    pledges = Pledge.objects.bulk_create(rows)
    link_everything(pledges)
    return pledges


def link_everything(pledges) -> None:
    areas = list(ActionArea.objects.all())
    pillars = list(Pillar.objects.all())
    regions = list(Region.objects.all())
    countries = list(Country.objects.filter(iso3__in=["RWA", "UGA", "KEN", "FJI", "NPL"]))
    groups = list(BeneficiaryGroup.objects.all())
    sdgs = list(SustainableDevelopmentGoal.objects.filter(number__in=[4, 5, 9, 17]))
    links = {
        "action_areas": (areas, "actionarea"),
        "pillars": (pillars, "pillar"),
        "regions": (regions, "region"),
        "countries": (countries, "country"),
        "beneficiary_groups": (groups, "beneficiarygroup"),
        "sdgs": (sdgs, "sustainabledevelopmentgoal"),
    }
    for name, (choices, column) in links.items():
        through = Pledge._meta.get_field(name).remote_field.through
        through.objects.bulk_create([
            through(pledge_id=pledge.pk, **{f"{column}_id": choice.pk})
            for i, pledge in enumerate(pledges)
            for choice in {choices[i % len(choices)].pk: choices[i % len(choices)],
                           choices[(i + 1) % len(choices)].pk: choices[(i + 1) % len(choices)]
                           }.values()
        ])
    Target.objects.bulk_create([
        Target(pledge=pledge, indicator=f"Indicator {k}", unit="schools", baseline=Decimal(0),
               target_value=Decimal(100 * (k + 1)), target_date=datetime.date(2027, 6, 30),
               position=k)
        for pledge in pledges for k in range(2)
    ])


CAMPAIGN_STATES = [
    "campaign=schools",
    "campaign=schools&campaign=ai-for-good&type=financial",
    "campaign=ai-for-good&area=access&region=africa",
]


def tag_campaigns(public: list[Pledge], unpublished: list[Pledge] = ()) -> None:
    """Two active campaigns and an inactive one, with confirmed, proposed and declined tags:
    only the confirmed tags of public pledges in active campaigns count on the list."""
    period = {"starts_on": datetime.date(2025, 1, 1), "ends_on": datetime.date(2025, 12, 31)}
    schools = Campaign.objects.create(slug="schools", name_en="Connect every school", **period)
    ai = Campaign.objects.create(slug="ai-for-good", name_en="AI for good", **period)
    old = Campaign.objects.create(slug="old-drive", name_en="Old drive", is_active=False,
                                  **period)
    decided = timezone.now()
    confirmed, proposed, declined = (CampaignTag.Status.CONFIRMED, CampaignTag.Status.PROPOSED,
                                     CampaignTag.Status.DECLINED)
    tags = [(pledge, schools, confirmed) for pledge in public[:6]]
    tags += [(pledge, ai, confirmed) for pledge in public[3:10]]
    tags += [(public[6], schools, proposed), (public[7], schools, declined),
             (public[10], old, confirmed)]
    tags += [(pledge, schools, confirmed) for pledge in unpublished]
    CampaignTag.objects.bulk_create([
        CampaignTag(pledge=pledge, campaign=campaign, status=status,
                    decided_at=decided if status != proposed else None)
        for pledge, campaign, status in tags
    ])
