"""Synthetic, deterministic benchmark data: `manage.py seed_bench --pledges 100000 --seed 42`.

What it writes (all marked, so that it can be told from real data and removed again):
- entities of every stakeholder group, headquartered in every country, named "[bench] …";
- pledges of every type, status and action area, by those entities: targets, pillars, regions,
  countries, beneficiary groups, SDGs, co-pledgers, events, financial amounts in several
  currencies with their USD equivalents, embargoes, references;
- a few bench events (slug "bench-…") and one marker event, BENCH_MARKER_SLUG, whose location
  records the parameters of the completed run ("pledges=100000 seed=42 data=2");
- the coalition goals a secretariat with a catalogue would set: about three in four targets
  mapped to the catalogue indicator their text names (as members picking an indicator would),
  a goal per indicator, three scoped ones (action area Access, the LDCs, the Africa region),
  and the USD goal of the migrations (`seed_goals`, added once, also to an earlier run's data);
- reporting cycles "[bench] 2022 annual report" and "[bench] 2023 annual report", and the
  progress reports of the published and completed pledges they cover: about three in four file
  each cycle (some late, a few only start a draft), with a value achieved per target, the amount
  disbursed of financial pledges, a narrative and evidence links. Progress is drawn from a random
  stream of its own, so the pledges of a seed are the same with or without it.

How: bulk_create in batches for entities and pledges; the many-to-many through tables and the
targets with multi-row INSERTs of plain tuples (same SQL as bulk_create, no model instances).
No save(), hence no signals and no simple_history rows (a benchmark needs no audit trail).
The same --pledges and --seed give the same rows (`bench_digest()` proves it) on any database.
It bypasses the services on purpose: they check a person's permissions and audit one pledge at
a time.

Safety: it refuses to run when the database holds any entity or pledge it did not create (real
data) unless --force is given; --flush-bench removes earlier bench data (and only that).

"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    CoalitionGoal,
    Country,
    Indicator,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from action_areas.services import goal_save
from members.models import Entity, EntitySubType, StakeholderGroup
from pledges.models import (
    AdvocacyActivity,
    CurrencyRate,
    Event,
    FinancialModality,
    Partnership,
    Pledge,
    PledgeStatusChange,
    PledgeType,
    PolicyInstrument,
    PolicyStage,
    ProgrammeKind,
    Target,
)
from reporting.models import ProgressReport, ReportingCycle, TargetProgress

BENCH_PREFIX = "[bench] "
BENCH_EVENT_PREFIX = "bench-"
BENCH_MARKER_SLUG = "bench-synthetic-data"
# Part of the marker: data seeded by an earlier version of this command (without progress
# reports) is not taken for a completed run, and `make bench` replaces it.
BENCH_DATA_VERSION = 2
# The needs whose suggestions seed_bench computes (the first ones: the bench's need page); the
# others' are left due, for the periodic sweep, as after a bulk import. Scoring one need reads
# every public pledge (seconds at 100,000, BENCHMARKS.md): all 10,000 would take hours.
NEEDS_SCORED = 20
BATCH = 2000  # pledges generated and inserted at a time (their related rows follow them)
UTC = datetime.UTC
EPOCH = datetime.datetime(2022, 1, 10, 9, 0, tzinfo=UTC)  # fixed: the data never depends on now
SPAN_SECONDS = 4 * 365 * 86400
FAR_FUTURE = datetime.datetime(2099, 1, 1, tzinfo=UTC)  # embargoes that never lift

# Status mix of a live coalition: mostly public, the rest in review or closed.
STATUS_WEIGHTS = [
    (Pledge.Status.PUBLISHED, 62),
    (Pledge.Status.COMPLETED, 10),
    (Pledge.Status.DRAFT, 8),
    (Pledge.Status.SUBMITTED, 7),
    (Pledge.Status.CHANGES_REQUESTED, 3),
    (Pledge.Status.REJECTED, 4),
    (Pledge.Status.WITHDRAWN, 6),
]
TYPE_WEIGHTS = [
    (PledgeType.FINANCIAL, 30), (PledgeType.PROGRAMME, 35),
    (PledgeType.POLICY, 15), (PledgeType.ADVOCACY, 20),
]
# Used when the database has no rate for a currency (rates are seeded by pledges 0002).
FALLBACK_RATES = {
    "USD": "1", "EUR": "1.05", "GBP": "1.25", "CHF": "1.04", "JPY": "0.0077",
    "CNY": "0.15", "XOF": "0.0016", "RWF": "0.00098",
}
CURRENCY_WEIGHTS = [("USD", 45), ("EUR", 20), ("GBP", 8), ("CHF", 6), ("JPY", 6),
                    ("CNY", 5), ("XOF", 5), ("RWF", 5)]

GROUP_NAMES = {
    StakeholderGroup.GOVERNMENT: (
        ["Ministry of ICT of {c}", "National Regulatory Authority of {c}",
         "City of {city}", "Ministry of Education of {c}", "Digital Agency of {c}"],
        [EntitySubType.NATIONAL_GOVERNMENT, EntitySubType.REGULATOR,
         EntitySubType.LOCAL_AUTHORITY],
    ),
    StakeholderGroup.PRIVATE_SECTOR: (
        ["{w} Telecom", "{w} Networks", "{w} Satellite Systems", "{w} Foundation",
         "{w} Cloud Services", "{w} Mobile"],
        [EntitySubType.COMPANY, EntitySubType.PHILANTHROPY],
    ),
    StakeholderGroup.INTERNATIONAL: (
        ["{w} Development Bank", "Regional Commission for {w} Connectivity",
         "{w} Programme for Digital Inclusion"],
        [EntitySubType.UN_ENTITY, EntitySubType.REGIONAL_ORGANISATION,
         EntitySubType.DEVELOPMENT_BANK],
    ),
    StakeholderGroup.CIVIL_SOCIETY: (
        ["{w} Digital Rights Alliance", "Connect {c} Initiative", "{w} Women in Tech Network"],
        [EntitySubType.OTHER],
    ),
    StakeholderGroup.ACADEMIA: (
        ["University of {city}", "{w} Institute of Technology", "{c} Research Centre"],
        [EntitySubType.OTHER],
    ),
    StakeholderGroup.YOUTH: (
        ["{c} Youth Coders", "{w} Student Network", "Young Innovators of {c}"],
        [EntitySubType.OTHER],
    ),
    StakeholderGroup.MEDIA: (
        ["{w} Broadcasting Corporation", "{w} Media Group", "{c} Community Radio"],
        [EntitySubType.OTHER],
    ),
}
WORDS = ["Aurora", "Baobab", "Cedar", "Delta", "Equator", "Falcon", "Granite", "Horizon",
         "Indigo", "Jasmine", "Kilimanjaro", "Lagoon", "Meridian", "Nimbus", "Orbit", "Pioneer",
         "Quartz", "Rift", "Savanna", "Tropic", "Unity", "Vertex", "Zenith", "Atlas", "Beacon"]
CITIES = ["Kigali", "Nairobi", "Dakar", "Lima", "Manila", "Suva", "Almaty", "Tunis", "Quito",
          "Hanoi", "Accra", "Geneva", "Lusaka", "Apia", "Dhaka", "Bogotá", "Yaoundé", "Tbilisi"]

TITLE_TEMPLATES = [
    "Connecting {n} rural schools to broadband in {place}",
    "Affordable mobile internet for {n} households in {place}",
    "Digital skills training for {n} women and girls in {place}",
    "National broadband strategy for {place}",
    "Community networks for remote villages in {place}",
    "Satellite connectivity for {n} health centres in {place}",
    "Open data and e-government services in {place}",
    "Cybersecurity capacity building for {place}",
    "Fibre backbone extension across {place}",
    "Youth coding clubs and innovation hubs in {place}",
    "Spectrum policy reform to lower prices in {place}",
    "Digital financial inclusion for small farmers in {place}",
    "Public Wi-Fi in {n} markets and libraries in {place}",
    "Media literacy campaign against misinformation in {place}",
    "Start-up accelerator for digital entrepreneurs in {place}",
]
SUMMARY_SENTENCES = [
    "We will extend last-mile connectivity to underserved communities.",
    "The programme lowers the cost of devices and data for low-income users.",
    "Teachers receive training and schools receive equipment and content.",
    "The policy sets universal service obligations and a transparent fund.",
    "Local partners will operate the network and train technicians.",
    "Progress is reported yearly against quantified targets.",
    "Women and persons with disabilities are a priority group.",
    "The initiative builds on a pilot that reached several districts.",
    "Financing combines grants with concessional loans and private investment.",
    "An awareness campaign accompanies the roll-out in local languages.",
]
INDICATORS = [
    ("Schools connected", "schools"), ("People trained", "people"),
    ("Households with broadband", "households"), ("Health centres connected", "centres"),
    ("Kilometres of fibre", "km"), ("Base stations deployed", "sites"),
    ("Public Wi-Fi hotspots", "hotspots"), ("Women trained in digital skills", "women"),
    ("Mobile broadband coverage", "%"), ("USD disbursed", "USD"),
]
# The free-text indicators above → the catalogue's codes (action_areas migration 0006).
CATALOGUE_OF_INDICATOR = {
    "Schools connected": "schools-connected",
    "People trained": "people-trained-digital-skills",
    "Households with broadband": "people-connected",
    "Health centres connected": "health-facilities-connected",
    "Kilometres of fibre": "fibre-deployed-km",
    "Base stations deployed": "sites-towers-built",
    "Public Wi-Fi hotspots": "public-wifi-hotspots",
    "Women trained in digital skills": "people-trained-digital-skills",
    "Mobile broadband coverage": "mobile-broadband-coverage",
    "USD disbursed": "funds-disbursed-usd",
}
MAPPED_SHARE = 0.75  # of the targets: the others stay "other (describe)", free text only
GOAL_PREFIX = "bench-"  # the goals' codes
# The scoped goals, on people connected: (code, scope fields by reference-data code).
SCOPED_GOALS = [
    ("bench-access", "action_area", "access"),
    ("bench-ldc", "country_group", "LDC"),
    ("bench-africa", "region", "africa"),
]
AUDIENCES = ["Policy makers", "Parliamentarians", "Regulators and operators",
             "Teachers and parents", "The general public", "Investors"]

# Progress reporting: one annual cycle per year, filed early in the next year.
CYCLE_YEARS = (2022, 2023)
# How reliably a pledging entity reports: each pledge draws one, then files each cycle with it.
FILING_PROBABILITIES = [(0.95, 50), (0.75, 30), (0.3, 20)]
DRAFT_SHARE = 0.05  # of the reports of the latest cycle: started, never submitted
PROGRESS_SENTENCES = [
    "The first districts are connected and the network is in service.",
    "Procurement took longer than planned; deployment starts next quarter.",
    "Training sessions were held with local partners in three regions.",
    "The regulator adopted the implementing decree after a public consultation.",
    "Device costs rose, so fewer households were reached than planned.",
    "A second phase was approved and co-financed by a development bank.",
    "Women made up more than half of the participants this year.",
    "Flooding delayed the construction of several sites.",
    "Usage data show strong demand in the connected schools.",
    "An independent evaluation confirmed the results reported here.",
]


def bench_entities():
    return Entity.objects.filter(name__startswith=BENCH_PREFIX)


def bench_pledges():
    return Pledge.objects.filter(entity__name__startswith=BENCH_PREFIX)


def reporting_models():
    """(ReportingCycle, ProgressReport, TargetProgress)."""
    return ReportingCycle, ProgressReport, TargetProgress


def real_data_counts() -> tuple[int, int]:
    """(entities, pledges) that seed_bench did not create."""
    entities = Entity.objects.exclude(name__startswith=BENCH_PREFIX).count()
    pledges = Pledge.objects.exclude(entity__name__startswith=BENCH_PREFIX).count()
    return entities, pledges


def seeded_parameters() -> str | None:
    """"pledges=N seed=S" of the completed bench run in this database, or None."""
    return (
        Event.objects.filter(slug=BENCH_MARKER_SLUG).values_list("location", flat=True).first()
    )


def parameters_label(pledges: int, seed: int) -> str:
    return f"pledges={pledges} seed={seed} data={BENCH_DATA_VERSION}"


def bench_digest() -> str:
    """SHA-256 over the key columns of the bench data, independent of primary-key values (and so
    of the database's sequences): equal digests mean the same data."""
    digest = hashlib.sha256()
    pledges = bench_pledges().order_by("pk")
    first = pledges.values_list("pk", flat=True).first() or 0
    for row in pledges.values_list(
        "pk", "reference", "title", "summary", "pledge_type", "status", "entity__name",
        "event__slug", "amount", "currency", "usd_amount", "people_to_reach", "is_global",
        "published_at", "embargo_until", "start_date", "end_date",
    ):
        digest.update(repr((row[0] - first, *row[1:])).encode())
    for name, key in (("action_areas", "code"), ("pillars", "code"), ("countries", "iso3"),
                      ("regions", "code"), ("beneficiary_groups", "code"), ("sdgs", "number"),
                      ("co_pledgers", "name")):
        through = Pledge._meta.get_field(name).remote_field.through
        other = Pledge._meta.get_field(name).m2m_reverse_field_name()
        rows = through.objects.filter(pledge__in=pledges).order_by("pledge_id", f"{other}__{key}")
        for pledge_id, value in rows.values_list("pledge_id", f"{other}__{key}"):
            digest.update(repr((name, pledge_id - first, value)).encode())
    targets = Target.objects.filter(pledge__in=pledges).order_by("pledge_id", "position")
    for row in targets.values_list("pledge_id", "indicator", "target_value", "target_date",
                                   "catalogue_indicator__code"):
        digest.update(repr((row[0] - first, *row[1:])).encode())
    models = reporting_models()
    _cycle, report_model, progress_model = models
    reports = report_model.objects.filter(pledge__in=pledges).order_by(
        "pledge_id", "cycle__period_start")
    for row in CoalitionGoal.objects.filter(code__startswith=GOAL_PREFIX).order_by(
            "code").values_list("code", "indicator__code", "scope", "action_area__code",
                                "country_group", "region__code", "target_value"):
        digest.update(repr(("goal", *row)).encode())
    for row in reports.values_list(
        "pledge_id", "cycle__name_en", "status", "implementation_status", "percent_complete",
        "amount_disbursed", "currency", "usd_disbursed", "narrative", "evidence_links",
        "submitted_at",
    ):
        digest.update(repr(("report", row[0] - first, *row[1:])).encode())
    rows = progress_model.objects.filter(report__pledge__in=pledges).order_by(
        "report__pledge_id", "report__cycle__period_start", "position")
    for row in rows.values_list("report__pledge_id", "report__cycle__name_en", "position",
                                "target__indicator", "achieved_value"):
        digest.update(repr(("progress", row[0] - first, *row[1:])).encode())
    return digest.hexdigest()


def flush_bench_data(stdout=None) -> None:
    """Remove every bench row: raw deletes, so no per-row signals (simple_history would write a
    history row per deleted pledge) and no collection of 100,000 objects in memory."""
    pledges = bench_pledges().values("pk")
    entities = bench_entities().values("pk")
    with transaction.atomic():
        models = reporting_models()
        # Raw deletes: the ORM's would write a simple_history row per deleted report.
        cycle_model, report_model, _progress_model = models
        reports = report_model._base_manager.filter(pledge_id__in=pledges).values("pk")
        for relation in report_model._meta.related_objects:  # values per target, audit trail
            if not relation.many_to_many:
                relation.related_model._base_manager.filter(
                    **{f"{relation.field.name}__in": reports})._raw_delete(connection.alias)
        report_model.history.model.objects.filter(
            pledge_id__in=pledges)._raw_delete(connection.alias)
        report_model._base_manager.filter(pledge_id__in=pledges)._raw_delete(connection.alias)
        for field in Pledge._meta.many_to_many:
            through = field.remote_field.through
            through.objects.filter(pledge_id__in=pledges)._raw_delete(connection.alias)
        through = Pledge.co_pledgers.through
        through.objects.filter(entity_id__in=entities)._raw_delete(connection.alias)
        # Other rows pointing at bench pledges (reminders, and whatever later apps add): the
        # ORM's delete, which cascades correctly.
        for relation in Pledge._meta.related_objects:
            if relation.many_to_many or relation.related_model in (Target, PledgeStatusChange):
                continue
            relation.related_model._base_manager.filter(
                **{f"{relation.field.name}__in": pledges}
            ).delete()
        Target.objects.filter(pledge_id__in=pledges)._raw_delete(connection.alias)
        PledgeStatusChange.objects.filter(pledge_id__in=pledges)._raw_delete(connection.alias)
        Pledge.history.model.objects.filter(entity_id__in=entities)._raw_delete(connection.alias)
        deleted = Pledge.objects.filter(pk__in=pledges)._raw_delete(connection.alias)
        Entity.history.model.objects.filter(
            name__startswith=BENCH_PREFIX)._raw_delete(connection.alias)
        for relation in Entity._meta.related_objects:
            if relation.many_to_many or relation.related_model is Pledge:
                continue
            if relation.related_model is Pledge.co_pledgers.through:
                continue
            if relation.related_model is Pledge.history.model:
                continue
            relation.related_model._base_manager.filter(
                **{f"{relation.field.name}__in": entities}
            ).delete()
        entity_count = Entity.objects.filter(pk__in=entities)._raw_delete(connection.alias)
        Event.objects.filter(slug__startswith=BENCH_EVENT_PREFIX).delete()
        cycle_model.objects.filter(name_en__startswith=BENCH_PREFIX).exclude(
            pk__in=report_model._base_manager.values("cycle_id")).delete()
    if stdout:
        stdout.write(f"Removed {deleted} bench pledges and {entity_count} bench entities.")


TARGET_COLUMNS = ["pledge_id", "indicator", "unit", "baseline", "target_value", "target_date",
                  "position"]
TARGET_PROGRESS_COLUMNS = ["report_id", "target_id", "indicator", "unit", "baseline",
                           "target_value", "achieved_value", "position"]


def insert_rows(model, columns: list[str], rows: list[tuple], chunk: int = 1000) -> None:
    """Multi-row INSERTs of plain tuples: what bulk_create does, without building a model
    instance per row (a million through rows at 100,000 pledges). Any backend."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), chunk):
            part = rows[offset : offset + chunk]
            cursor.execute(  # names from the model's metadata, values as parameters
                f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholder] * len(part))}",  # noqa: S608
                [value for row in part for value in row],
            )


def seed_catalogue_goals(seed: int) -> int:
    """What Command.seed_goals does (bench/api.py calls it too). Idempotent: the mapping is drawn
    only while no bench target has a catalogue indicator, and goals are added by code."""
    indicators = {indicator.code: indicator for indicator in
                  Indicator.objects.filter(code__in=CATALOGUE_OF_INDICATOR.values())}
    targets = Target.objects.filter(pledge__in=bench_pledges())
    with transaction.atomic():
        if not targets.filter(catalogue_indicator__isnull=False).exists():
            rng = random.Random(f"catalogue-{seed}")  # noqa: S311 -- synthetic data
            chosen: dict[str, list[int]] = {}
            for pk, text in targets.order_by("pledge_id", "position").values_list(
                    "pk", "indicator"):
                code = CATALOGUE_OF_INDICATOR.get(text)
                if code in indicators and rng.random() < MAPPED_SHARE:
                    chosen.setdefault(code, []).append(pk)
            for code, ids in chosen.items():
                for start in range(0, len(ids), 10000):
                    Target.objects.filter(pk__in=ids[start:start + 10000]).update(
                        catalogue_indicator=indicators[code])
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # the planner's view of the mapped column
                    cursor.execute("ANALYZE pledges_target")
        # The admin's write path; a superuser of the moment (never saved) holds its permission.
        actor = get_user_model()(is_superuser=True, is_active=True)
        existing = set(CoalitionGoal.objects.filter(code__startswith=GOAL_PREFIX)
                       .values_list("code", flat=True))
        target_date = datetime.date(2030, 12, 31)
        wanted = [
            (f"{GOAL_PREFIX}{indicator.code}", indicator, {"scope": CoalitionGoal.Scope.ALL},
             10 + position)
            for position, indicator in enumerate(sorted(indicators.values(),
                                                        key=lambda i: i.code))]
        people = indicators.get("people-connected")
        scopes = {"action_area": lambda code: {"action_area": ActionArea.objects.get(code=code)},
                  "country_group": lambda code: {"country_group": code},
                  "region": lambda code: {"region": Region.objects.get(code=code)}}
        if people is not None:
            wanted += [(code, people, {"scope": scope, **scopes[scope](value)}, 30)
                       for code, scope, value in SCOPED_GOALS]
        added = 0
        for code, indicator, scope, position in wanted:
            if code in existing:
                continue
            goal_save(actor=actor, goal_id=None, values={
                "code": code, "name_en": f"{BENCH_PREFIX}{indicator.name_en}"
                + ("" if scope["scope"] == CoalitionGoal.Scope.ALL else f" ({code})"),
                "measure": CoalitionGoal.Measure.INDICATOR, "indicator": indicator,
                "target_value": Decimal(10**9 if scope["scope"] == CoalitionGoal.Scope.ALL
                                        else 10**8),
                "target_date": target_date, "position": position, **scope})
            added += 1
    return added


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _when(rng: random.Random) -> datetime.datetime:
    return EPOCH + datetime.timedelta(seconds=rng.randrange(SPAN_SECONDS))


class Generator:
    """Draws every value from one random.Random(seed), in one fixed order."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)  # noqa: S311 -- synthetic data, not secrets
        # Progress draws from its own stream: adding it changed none of the pledges of a seed.
        self.progress_rng = random.Random(f"progress-{seed}")  # noqa: S311
        # Reference data in a stable order (by code), so that draws do not depend on pks.
        self.areas = list(ActionArea.objects.order_by("code"))
        self.pillars_by_area: dict[int, list[Pillar]] = {}
        for pillar in Pillar.objects.filter(is_active=True).order_by("code"):
            self.pillars_by_area.setdefault(pillar.action_area_id, []).append(pillar)
        self.regions = list(Region.objects.order_by("code"))
        self.countries = list(Country.objects.order_by("iso3"))
        self.beneficiaries = list(BeneficiaryGroup.objects.order_by("code"))
        self.sdgs = list(SustainableDevelopmentGoal.objects.order_by("number"))
        if not (self.areas and self.countries and self.regions):
            raise CommandError("Reference data is missing: run `manage.py migrate` first.")
        self.rates = {code: Decimal(rate) for code, rate in FALLBACK_RATES.items()}
        self.rate_dates = {code: datetime.date(2022, 6, 1) for code in FALLBACK_RATES}
        for rate in CurrencyRate.objects.order_by("currency", "month"):
            if rate.currency in self.rates:  # the latest month of each currency wins
                self.rates[rate.currency] = 1 / rate.rate_per_usd
                self.rate_dates[rate.currency] = rate.month

    # --- events and entities -----------------------------------------------------------------
    def events(self) -> list[Event]:
        existing = list(Event.objects.exclude(slug__startswith=BENCH_EVENT_PREFIX)
                        .order_by("slug"))
        created = Event.objects.bulk_create([
            Event(slug=f"{BENCH_EVENT_PREFIX}roundtable-{year}",
                  name_en=f"{BENCH_PREFIX}Digital Development Roundtable {year}",
                  name_translations={"fr": f"{BENCH_PREFIX}Table ronde sur le développement "
                                                 f"numérique {year}"},
                  location=self.rng.choice(CITIES),
                  start_date=datetime.date(year, 6, 5), end_date=datetime.date(year, 6, 9),
                  is_open_for_pledges=False)
            for year in (2023, 2024, 2025)
        ])
        return existing + created

    def entities(self, count: int) -> list[Entity]:
        rng = self.rng
        groups = list(StakeholderGroup)
        rows = []
        for i in range(count):
            group = groups[i % len(groups)]  # every group, evenly
            country = self.countries[rng.randrange(len(self.countries))] if i >= len(
                self.countries) else self.countries[i]  # every country at least once
            templates, sub_types = GROUP_NAMES[group]
            name = rng.choice(templates).format(
                c=country.name_en, city=rng.choice(CITIES), w=rng.choice(WORDS)
            )
            status = _weighted(rng, [(Entity.Status.APPROVED, 90), (Entity.Status.APPLIED, 5),
                                     (Entity.Status.SUSPENDED, 3), (Entity.Status.REJECTED, 2)])
            slug = f"e{i:06d}"
            applied = _when(rng)
            rows.append(Entity(
                name=f"{BENCH_PREFIX}{name} {i + 1}",
                acronym="".join(w[0] for w in name.split() if w[:1].isupper())[:8] + str(i % 100),
                stakeholder_group=group,
                sub_type=rng.choice(sub_types),
                headquarters_country=country,
                website=f"https://{slug}.bench.example.org/",
                description=" ".join(rng.sample(SUMMARY_SENTENCES, 3)),
                contact_email=f"contact@{slug}.bench.example.org",
                commitment_evidence=" ".join(rng.sample(SUMMARY_SENTENCES, 4)),
                pledge_readiness=" ".join(rng.sample(SUMMARY_SENTENCES, 2)),
                leader_name=f"Leader {i + 1}",
                leader_title=rng.choice(["Minister", "CEO", "Director-General", "President",
                                         "Rector", "Executive Director"]),
                leader_attends_roundtable=rng.random() < 0.7,
                consent_public_reporting=True,
                status=status,
                applied_at=applied,
                decided_at=None if status == Entity.Status.APPLIED
                else applied + datetime.timedelta(days=rng.randrange(1, 60)),
            ))
        return Entity.objects.bulk_create(rows, batch_size=BATCH)

    # --- pledges -------------------------------------------------------------------------------
    def pledge(self, index: int, entities: list[Entity], events: list[Event]):
        """One pledge and its related rows (as ids/values, inserted once the pledge has a pk)."""
        rng = self.rng
        # The first pledges cycle through every type, status and area, so that any N >= 28
        # has each of them; the rest follow realistic weights.
        statuses = [s for s, _w in STATUS_WEIGHTS]
        types = [t for t, _w in TYPE_WEIGHTS]
        if index < len(statuses) * len(types):
            status, pledge_type = statuses[index % len(statuses)], types[index // len(statuses)]
        else:
            status, pledge_type = _weighted(rng, STATUS_WEIGHTS), _weighted(rng, TYPE_WEIGHTS)
        entity = entities[rng.randrange(len(entities))]
        created = _when(rng)
        is_global = rng.random() < 0.08
        countries = [] if is_global else rng.sample(self.countries, rng.choice(
            [1, 1, 1, 2, 2, 3, 4, 6, 10]))
        regions = sorted({c.region_id for c in countries}) if rng.random() < 0.4 else []
        place = ("the world" if is_global else countries[0].name_en if len(countries) == 1
                 else f"{countries[0].name_en} and {len(countries) - 1} other countries")
        n = rng.choice([50, 120, 300, 1000, 2500, 10000, 50000])
        title = rng.choice(TITLE_TEMPLATES).format(n=f"{n:,}", place=place)[:200]
        start = (created + datetime.timedelta(days=rng.randrange(0, 200))).date()
        end = start + datetime.timedelta(days=rng.choice([365, 730, 1095, 1460, 1825]))
        pledge = Pledge(
            entity_id=entity.pk,
            title=title,
            summary=" ".join(rng.sample(SUMMARY_SENTENCES, 2)),
            description="\n\n".join(rng.sample(SUMMARY_SENTENCES, 5)),
            pledge_type=pledge_type,
            event_id=events[rng.randrange(len(events))].pk if rng.random() < 0.6 else None,
            start_date=start,
            end_date=end,
            is_global=is_global,
            other_partners=rng.choice(["", "", "Local operators", "National universities",
                                       "World Bank; UNICEF"]),
            contact_name=f"Contact {index + 1}",
            contact_email=f"pledge{index + 1}@bench.example.org",
            status=status,
            created_at=created,
        )
        if pledge_type == PledgeType.FINANCIAL:
            currency = _weighted(rng, CURRENCY_WEIGHTS)
            usd = Decimal(rng.choice([1, 2, 5, 10, 25, 50, 100, 250])) * 10 ** rng.randrange(4, 8)
            rate = self.rates[currency]
            amount = (usd / rate).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
            pledge.amount = amount
            pledge.currency = currency
            # Recorded as the UN writes a rate (units per dollar), and as test data.
            pledge.usd_rate = (1 / rate).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
            pledge.usd_rate_date = pledge.amount_month = self.rate_dates[currency]
            pledge.usd_rate_is_test_data = currency != "USD"
            pledge.usd_amount = (amount * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            pledge.modality = rng.choice(FinancialModality.values)
            pledge.disbursement_start, pledge.disbursement_end = start, end
        elif pledge_type == PledgeType.POLICY:
            pledge.policy_instrument = rng.choice(PolicyInstrument.values)
            pledge.policy_stage = rng.choice(PolicyStage.values)
            pledge.jurisdiction = place[:200]
        elif pledge_type == PledgeType.ADVOCACY:
            pledge.advocacy_activities = sorted(rng.sample(AdvocacyActivity.values,
                                                           rng.randint(1, 3)))
            pledge.audience = rng.choice(AUDIENCES)
        else:
            pledge.programme_kind = rng.choice(ProgrammeKind.values)
            pledge.people_to_reach = n * rng.choice([1, 10, 100])
        if status != Pledge.Status.DRAFT:
            pledge.reference = f"BENCH-{index + 1:07d}"
            pledge.first_submitted_at = created + datetime.timedelta(days=rng.randrange(1, 30))
            pledge.submitted_at = pledge.first_submitted_at
        if status in (Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED):
            pledge.published_at = pledge.submitted_at + datetime.timedelta(
                days=rng.randrange(1, 45))
            if rng.random() < 0.02:
                pledge.embargo_until = FAR_FUTURE  # announced later: hidden from the public
        if index < len(self.areas):
            areas = [self.areas[index]]  # every area in the first pledges
        else:
            areas = rng.sample(self.areas, rng.choice([1, 1, 2, 2, 3]))
        pillars = []
        for area in areas:
            options = self.pillars_by_area.get(area.pk, [])
            if options:
                pillars += rng.sample(options, min(len(options), rng.randint(1, 2)))
        co_pledgers = []
        if rng.random() < 0.2:
            co_pledgers = sorted({entities[rng.randrange(len(entities))].pk
                                  for _i in range(rng.randint(1, 3))} - {entity.pk})
        related = {
            "action_areas": [a.pk for a in areas],
            "pillars": [p.pk for p in pillars],
            "regions": regions,
            "countries": [c.pk for c in countries],
            "beneficiary_groups": [b.pk for b in rng.sample(self.beneficiaries, min(
                len(self.beneficiaries), rng.randint(1, 3)))],
            "sdgs": [s.pk for s in rng.sample(self.sdgs, min(len(self.sdgs),
                                                             rng.randint(1, 4)))],
            "co_pledgers": co_pledgers,
        }
        targets = []  # rows of TARGET_COLUMNS, without the pledge id
        for position in range(rng.randint(1, 3)):
            indicator, unit = rng.choice(INDICATORS)
            baseline = Decimal(rng.randrange(0, 1000)) if rng.random() < 0.7 else None
            target_value = Decimal((baseline or 0) + rng.randrange(10, 100000))
            targets.append((indicator, unit, baseline, target_value, end, position))
        return pledge, related, targets


    # --- progress reports ----------------------------------------------------------------------
    def cycles(self, cycle_model) -> list:
        return cycle_model.objects.bulk_create([
            cycle_model(
                name_en=f"{BENCH_PREFIX}{year} annual report",
                name_translations={"fr": f"{BENCH_PREFIX}Rapport annuel {year}"},
                period_start=datetime.date(year, 1, 1), period_end=datetime.date(year, 12, 31),
                opens_on=datetime.date(year + 1, 1, 15), due_on=datetime.date(year + 1, 3, 31),
                created_at=datetime.datetime(year + 1, 1, 5, 9, tzinfo=UTC),
            )
            for year in CYCLE_YEARS
        ])

    def progress(self, pledge: Pledge, targets: list[tuple], cycles: list, report_model):
        """The pledge's reports, oldest cycle first: (report, [(position, achieved value)]).
        A cycle is reported on by a published or completed pledge that it covers (published
        by the end of the period, started before it ended; ReportingCycle.covers)."""
        if pledge.status not in (Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED):
            return []
        rng = self.progress_rng
        diligence = _weighted(rng, FILING_PROBABILITIES)
        percent = 0
        reports = []
        for number, cycle in enumerate(cycles):
            period_over = datetime.datetime.combine(
                cycle.period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=UTC)
            if pledge.published_at >= period_over or pledge.start_date > cycle.period_end:
                continue
            if rng.random() >= diligence:
                continue  # missed
            draft = number == len(cycles) - 1 and rng.random() < DRAFT_SHARE
            percent = min(100, percent + rng.randint(5, 45))
            share = Decimal(percent) / 100
            started = datetime.datetime.combine(cycle.opens_on, datetime.time(9), tzinfo=UTC) \
                + datetime.timedelta(days=rng.randrange(0, 60), minutes=rng.randrange(600))
            report = report_model(
                pledge_id=pledge.pk, cycle_id=cycle.pk, entity_id=pledge.entity_id,
                status=report_model.Status.DRAFT if draft else report_model.Status.SUBMITTED,
                implementation_status=(
                    "completed" if percent == 100 else "not_started" if percent < 10
                    else _weighted(rng, [("on_track", 60), ("at_risk", 20), ("delayed", 20)])),
                percent_complete=percent,
                narrative=" ".join(rng.sample(PROGRESS_SENTENCES, rng.randint(1, 3))),
                evidence_links=[
                    f"https://bench.example.org/{pledge.reference.lower()}/{cycle.period_end.year}"
                    f"-{n + 1}.pdf" for n in range(rng.choice([0, 1, 1, 2]))],
                created_at=started,
                # Most before the due date, some late (late reports are accepted).
                submitted_at=None if draft else started + datetime.timedelta(
                    days=rng.randrange(0, 120)),
                version=1 if draft else 2,
            )
            if pledge.pledge_type == PledgeType.FINANCIAL and not draft:
                report.amount_disbursed = (pledge.amount * share * Decimal(
                    rng.uniform(0.5, 1.0))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                report.currency = pledge.currency
                report.usd_disbursed = (report.amount_disbursed / pledge.usd_rate).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP)
            achieved = []
            for _indicator, _unit, baseline, target_value, _end, position in targets:
                if draft and rng.random() < 0.5:
                    achieved.append((position, None))  # not filled in yet
                    continue
                start = baseline or Decimal(0)
                reached = start + (target_value - start) * share * Decimal(rng.uniform(0.6, 1.2))
                achieved.append((position, reached.quantize(Decimal("1"),
                                                            rounding=ROUND_HALF_UP)))
            reports.append((report, achieved))
        return reports


class Command(BaseCommand):
    help = ("Fill the database with deterministic synthetic pledges for benchmarks. Refuses to "
            "touch a database with real data unless --force.")

    def add_arguments(self, parser):
        parser.add_argument("--pledges", type=int, default=None,
                            help="Number of pledges to create (1,000 to 100,000 are typical).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument("--entities", type=int, default=None,
                            help="Number of entities (default: pledges / 20, at least 30).")
        parser.add_argument("--force", action="store_true",
                            help="Run even though the database holds real entities or pledges.")
        parser.add_argument("--flush-bench", action="store_true",
                            help="Remove earlier bench data first (alone: only remove it).")
        parser.add_argument("--digest", action="store_true",
                            help="Print the digest of the bench data at the end.")

    def handle(self, *args, pledges, seed, entities, force, flush_bench, digest, **options):
        if pledges is None and not flush_bench:
            raise CommandError("Give --pledges N (or --flush-bench to remove bench data).")
        if pledges is not None and pledges < 1:
            raise CommandError("--pledges must be at least 1.")
        real_entities, real_pledges = real_data_counts()
        if (real_entities or real_pledges) and not force:
            raise CommandError(
                f"Refusing to run: this database holds real data ({real_entities} entities and "
                f"{real_pledges} pledges not created by seed_bench). Point DATABASE_URL at a "
                "benchmark database, or give --force to add bench data beside it."
            )
        if flush_bench:
            flush_bench_data(self.stdout)
        if pledges is None:
            return
        wanted = parameters_label(pledges, seed)
        if bench_entities().exists() or Event.objects.filter(
                slug__startswith=BENCH_EVENT_PREFIX).exists():
            done = seeded_parameters()
            if done == wanted:
                self.seed_needs(pledges, seed)
                self.seed_goals(seed)
                self.stdout.write(f"Bench data with {wanted} is already there: nothing to do.")
                if digest:
                    self.stdout.write(f"digest {bench_digest()}")
                return
            raise CommandError(
                f"The database already holds bench data ({done or 'an incomplete run'}); "
                "give --flush-bench to replace it."
            )
        entity_count = entities or max(30, pledges // 20)
        started = time.monotonic()
        report_count = self.seed(pledges, seed, entity_count)
        self.seed_needs(pledges, seed)
        self.seed_goals(seed)
        self.stdout.write(
            f"Seeded {pledges} pledges, {entity_count} entities and {report_count} progress "
            f"reports ({wanted}) in {time.monotonic() - started:.1f} s."
        )
        if digest:
            self.stdout.write(f"digest {bench_digest()}")

    def seed(self, count: int, seed: int, entity_count: int) -> int:
        """Seed everything; return the number of progress reports."""
        generator = Generator(seed)
        models = reporting_models()
        cycles = []
        with transaction.atomic():
            events = generator.events()
            all_entities = generator.entities(entity_count)
            pledging = [e for e in all_entities if e.status != Entity.Status.APPLIED]
            cycles = generator.cycles(models[0])
        report_count = 0
        throughs = {f.name: (f.remote_field.through, f.m2m_reverse_field_name())
                    for f in Pledge._meta.many_to_many}
        for start in range(0, count, BATCH):
            batch = [generator.pledge(i, pledging, events)
                     for i in range(start, min(count, start + BATCH))]
            with transaction.atomic():
                if connection.vendor == "postgresql":  # synthetic rows: no need to wait for fsync
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                created = Pledge.objects.bulk_create([p for p, _r, _t in batch])
                links: dict[str, list] = {name: [] for name in throughs}
                targets = []
                for pledge, (_p, related, pledge_targets) in zip(created, batch, strict=True):
                    for name, ids in related.items():
                        links[name] += [(pledge.pk, other) for other in ids]
                    targets += [(pledge.pk, *row) for row in pledge_targets]
                for name, rows in links.items():
                    through, column = throughs[name]
                    insert_rows(through, ["pledge_id", f"{column}_id"], rows)
                insert_rows(Target, TARGET_COLUMNS, targets)
                # The co-pledgers as an accepted invitation leaves them (pledges.partnerships).
                since = {pledge.pk: pledge.published_at or pledge.created_at for pledge in created}
                Partnership.objects.bulk_create(
                    [Partnership(pledge_id=pledge_id, entity_id=entity_id, status="accepted",
                                 invited_at=since[pledge_id], accepted_at=since[pledge_id])
                     for pledge_id, entity_id in links.get("co_pledgers", [])],
                    batch_size=BATCH)
                if cycles:
                    report_count += self.seed_progress(generator, created, batch, cycles, models)
            self.stdout.write(f"  {min(count, start + BATCH)} / {count} pledges", ending="\r")
            self.stdout.flush()
        self.stdout.write("")
        Event.objects.create(
            slug=BENCH_MARKER_SLUG, name_en=f"{BENCH_PREFIX}Synthetic data",
            name_translations={"fr": f"{BENCH_PREFIX}Données synthétiques"},
            location=parameters_label(count, seed),
            start_date=datetime.date(2022, 1, 1), end_date=datetime.date(2022, 1, 1),
            is_open_for_pledges=False,
        )
        with connection.cursor() as cursor:  # fresh statistics for the planner
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        return report_count

    def seed_goals(self, seed: int) -> int:
        """Map MAPPED_SHARE of the bench targets to the catalogue (when none is mapped yet) and
        add the goals missing (by code) through the service the admin uses. Returns how many
        goals it added."""
        added = seed_catalogue_goals(seed)
        self.stdout.write(f"Seeded {added} coalition goals; "
                          f"{CoalitionGoal.objects.shown().count()} shown.")
        return added

    def seed_needs(self, pledges: int, seed: int) -> int:
        """One published need per ten pledges (10,000 with 100,000), of the bench entities, with
        their areas, pillars and countries; the suggestions of the first NEEDS_SCORED are
        computed as the task does (matchmaking.suggestions), the others are left due. Added once:
        a rerun finds them. Returns how many it added."""
        from matchmaking.models import Need
        from matchmaking.suggestions import need_suggestions_refresh

        wanted = max(1, pledges // 10)
        existing = Need.objects.filter(entity__name__startswith=BENCH_PREFIX).count()
        if existing < wanted:
            self.seed_need_rows(existing, wanted, seed)
        # The first needs' suggestions, as the task computes them (those not computed yet).
        scored = (Need.objects.filter(entity__name__startswith=BENCH_PREFIX).order_by("pk")
                  .values_list("pk", "suggested_at")[:NEEDS_SCORED])
        for need_id, suggested_at in scored:
            if suggested_at is None:
                need_suggestions_refresh(need_id=need_id)
        self.stdout.write(f"Seeded {max(0, wanted - existing)} needs; suggestions of the first "
                          f"{NEEDS_SCORED}.")
        return max(0, wanted - existing)

    def seed_need_rows(self, existing: int, wanted: int, seed: int) -> None:
        from matchmaking.models import Need, SupportKind

        rng = random.Random(seed + 21)  # noqa: S311  (synthetic data, not secrets)
        entities = list(bench_entities().filter(status=Entity.Status.APPROVED)
                        .values_list("pk", flat=True))
        pillars = list(Pillar.objects.values_list("pk", "action_area_id"))
        countries = list(Country.objects.values_list("pk", flat=True))
        kinds = list(SupportKind.values)
        now = timezone.now()
        throughs = {f.name: (f.remote_field.through, f.m2m_reverse_field_name())
                    for f in Need._meta.many_to_many}
        for start in range(existing, wanted, BATCH):
            rows, related = [], []
            for index in range(start, min(wanted, start + BATCH)):
                published = now - datetime.timedelta(days=rng.randrange(1, 900))
                rows.append(Need(
                    entity_id=rng.choice(entities),
                    title=f"{BENCH_PREFIX}Need {index + 1}: " + rng.choice(SUMMARY_SENTENCES)[:120],
                    description=" ".join(rng.sample(SUMMARY_SENTENCES, 3)),
                    support_kind=kinds[index % len(kinds)], status=Need.Status.PUBLISHED,
                    submitted_at=published, published_at=published, created_at=published,
                ))
                pillar, area = rng.choice(pillars)
                related.append({"action_areas": [area], "pillars": [pillar],
                                "countries": rng.sample(countries, rng.randrange(1, 4))})
            with transaction.atomic():
                created = Need.objects.bulk_create(rows)
                for name, (through, column) in throughs.items():
                    insert_rows(through, ["need_id", f"{column}_id"],
                                [(need.pk, other) for need, links in zip(created, related,
                                                                         strict=True)
                                 for other in links[name]])
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")

    @staticmethod
    def seed_progress(generator: Generator, created: list[Pledge], batch: list, cycles: list,
                      models: tuple) -> int:
        """The progress reports of one batch of pledges, and their values per target."""
        _cycle_model, report_model, progress_model = models
        drawn = [
            generator.progress(pledge, pledge_targets, cycles, report_model)
            for pledge, (_p, _r, pledge_targets) in zip(created, batch, strict=True)
        ]
        # bulk_create gives each report its primary key (RETURNING), which its values need.
        reports = report_model.objects.bulk_create([r for rows in drawn for r, _a in rows])
        target_ids = {
            (pledge_id, position): pk for pk, pledge_id, position in Target.objects.filter(
                pledge_id__in=[p.pk for p in created]).values_list("pk", "pledge_id", "position")
        }
        rows = []
        for pledge, pledge_reports, (_p, _r, pledge_targets) in zip(
                created, drawn, batch, strict=True):
            by_position = {row[5]: row for row in pledge_targets}
            for report, achieved in pledge_reports:
                for position, value in achieved:
                    indicator, unit, baseline, target_value, _end, _pos = by_position[position]
                    rows.append((report.pk, target_ids[(pledge.pk, position)], indicator, unit,
                                 baseline, target_value, value, position))
        insert_rows(progress_model, TARGET_PROGRESS_COLUMNS, rows)
        return len(reports)
