"""A fixed data set for the coalition goals' figures: what each goal must add up to is worked
out by hand in the tests from these few pledges."""

import datetime
from decimal import Decimal

from action_areas.models import ActionArea, CoalitionGoal, Country, Indicator, Region
from reporting.models import ProgressReport, TargetProgress
from tests.factories import EntityFactory, PledgeFactory, TargetFactory
from tests.reporting.cycles import at, make_cycle

KIGALI = datetime.date(2022, 6, 30)  # Bhutan still an LDC (graduated 13 Dec 2023)


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def goal(code: str, **fields) -> CoalitionGoal:
    fields.setdefault("name_en", code)
    fields.setdefault("target_value", Decimal("1000"))
    fields.setdefault("target_date", datetime.date(2026, 12, 31))
    return CoalitionGoal.objects.create(code=code, **fields)


def public_pledge(*, countries=("RWA",), areas=("access",), published_on="2022-06-10",
                  targets=(), **kwargs):
    """A pledge published on `published_on`, with `targets`: (indicator code or None, value)."""
    pledge = PledgeFactory(published=True, with_defaults=False, **kwargs)
    pledge.published_at = at(published_on, 12)
    pledge.save(update_fields=["published_at"])
    pledge.action_areas.set(ActionArea.objects.filter(code__in=areas))
    pledge.countries.set(Country.objects.filter(iso3__in=countries))
    for position, (code, value) in enumerate(targets):
        TargetFactory(pledge=pledge, position=position, target_value=Decimal(value),
                      catalogue_indicator=indicator(code) if code else None)
    return pledge


def report(pledge, cycle, values: dict, *, submitted_on: str, status="submitted",
           usd_disbursed=None) -> ProgressReport:
    """A progress report with, per target position, the value achieved."""
    filed = ProgressReport.objects.create(
        pledge=pledge, entity=pledge.entity,
        cycle=cycle, status=status, submitted_at=at(submitted_on, 10),
        usd_disbursed=usd_disbursed,
    )
    for target in pledge.targets.all():
        if target.position in values:
            TargetProgress.objects.create(
                report=filed, target=target, indicator=target.indicator, unit=target.unit,
                target_value=target.target_value, achieved_value=Decimal(values[target.position]),
            )
    return filed


def build():
    """Two public pledges counted; withdrawn, unpublished and embargoed ones that must not be."""
    co_pledger = EntityFactory(name="Co-pledging Ministry")
    rwanda = public_pledge(
        countries=("RWA",), areas=("access", "adoption"),
        targets=[("people-connected", "100"), ("mobile-broadband-coverage", "40"),
                 (None, "5000")],
    )
    rwanda.co_pledgers.add(co_pledger)
    bhutan = public_pledge(
        countries=("BTN",), areas=("access",),
        entity=EntityFactory(name="Bhutan Telecom", stakeholder_group="private_sector"),
        targets=[("people-connected", "50"), ("mobile-broadband-coverage", "70")],
    )
    later = public_pledge(countries=("FJI",), published_on="2024-02-01",
                          targets=[("people-connected", "7")])
    withdrawn = public_pledge(targets=[("people-connected", "1000")])
    withdrawn.status = "withdrawn"
    withdrawn.save(update_fields=["status"])
    PledgeFactory(submitted=True, with_defaults=False).targets.create(
        catalogue_indicator=indicator("people-connected"), indicator="People", unit="people",
        target_value=Decimal("1000"), target_date=datetime.date(2026, 1, 1))
    embargoed = public_pledge(targets=[("people-connected", "1000")])
    embargoed.embargo_until = at("2099-01-01")
    embargoed.save(update_fields=["embargo_until"])

    cycle_2023 = make_cycle(name_en="2023", period_start=datetime.date(2023, 1, 1),
                            period_end=datetime.date(2023, 12, 31),
                            opens_on=datetime.date(2024, 1, 15), due_on=datetime.date(2024, 3, 31))
    cycle_2024 = make_cycle()
    report(rwanda, cycle_2023, {0: "30", 1: "20"}, submitted_on="2024-03-01")
    report(rwanda, cycle_2024, {0: "60", 1: "35"}, submitted_on="2025-03-01")
    report(bhutan, cycle_2023, {0: "20", 1: "65"}, submitted_on="2024-03-01")
    report(bhutan, cycle_2024, {0: "999"}, submitted_on="2025-03-01", status="draft")
    report(withdrawn, cycle_2023, {0: "999"}, submitted_on="2024-03-01")
    return {"rwanda": rwanda, "bhutan": bhutan, "later": later,
            "africa": Region.objects.get(code="africa")}
