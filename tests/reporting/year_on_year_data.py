"""Two years of the coalition for the year-on-year comparison of cycle reports (the figures
each must give are worked out by hand in tests/reporting/test_year_on_year.py)."""

import datetime

from action_areas.models import Country
from members.models import EntityIdentityChange
from reporting.models import ReportingCycle
from tests.factories import EntityFactory, PledgeFactory
from tests.reporting import goal_data
from tests.reporting.cycles import at, make_cycle


def build() -> ReportingCycle:
    """Bhutan Telecom's financial pledge in Bhutan (an LDC until 13 Dec 2023), made in 2022
    while the company had its headquarters in Kenya (moved to Bhutan in May 2023); a
    ministry's programme in Kenya made in 2023. Withdrawn, unpublished and later pledges count
    in neither year. Returns the 2023 reporting cycle."""
    kenya, bhutan = Country.objects.get(iso3="KEN"), Country.objects.get(iso3="BTN")
    telecom = EntityFactory(name="Bhutan Telecom", stakeholder_group="private_sector",
                            headquarters_country=bhutan)
    EntityIdentityChange.objects.create(
        entity=telecom, status=EntityIdentityChange.Status.APPROVED, name=telecom.name,
        stakeholder_group="private_sector", headquarters_country=bhutan,
        previous_name=telecom.name, previous_stakeholder_group="private_sector",
        previous_headquarters_country=kenya, requested_at=at("2023-04-20"),
        decided_at=at("2023-05-01"))
    ministry = EntityFactory(name="Ministry of ICT")  # headquarters in Rwanda (Africa)
    goal_data.public_pledge(entity=telecom, countries=("BTN",), areas=("access",),
                            published_on="2022-06-10", financial=True)
    goal_data.public_pledge(entity=ministry, countries=("KEN",), areas=("adoption",),
                            published_on="2023-03-01")
    withdrawn = goal_data.public_pledge(entity=ministry, countries=("RWA",),
                                        published_on="2022-08-01", financial=True)
    withdrawn.status = "withdrawn"
    withdrawn.save(update_fields=["status"])
    PledgeFactory(submitted=True, financial=True)
    goal_data.public_pledge(countries=("RWA",), published_on="2024-02-01", financial=True)
    return make_cycle(name_en="2023", name_translations={}, period_start=datetime.date(2023, 1, 1),
                      period_end=datetime.date(2023, 12, 31), opens_on=datetime.date(2024, 1, 15),
                      due_on=datetime.date(2024, 3, 31))
