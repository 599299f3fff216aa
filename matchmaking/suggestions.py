"""Which published pledges could help a need, scored in the database and kept in the Suggestion
table. Run by tasks (matchmaking.tasks), never on a request: a need's page reads its rows.

The score explains itself. Each reason adds its weight:

    same country 4 · else active in the region 2 · else works globally 1
    same pillar 3 · same action area 1 · offers this kind of support 3
    reports progress on time 1

A pledge is suggested when it shares a pillar, an action area or the kind of support, and scores
at least MIN_SCORE. Refreshed when a need is published (need side: its best LIMIT pledges) and,
by the periodic sweep, for every pledge changed since the last sweep (pledge side: the open needs
it could serve).
"""

from django.db import connection, transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from action_areas.models import Country
from pledges.models import Pledge
from reporting.models import ProgressReport

from .models import PLEDGE_TYPES_OFFERING, Need, Reason, Suggestion, SuggestionSweep

LIMIT = 20  # pledges kept per need
MIN_SCORE = 4
WEIGHTS = {
    Reason.SAME_COUNTRY: 4, Reason.SAME_REGION: 2, Reason.GLOBAL: 1, Reason.SAME_PILLAR: 3,
    Reason.SAME_AREA: 1, Reason.OFFERS_SUPPORT: 3, Reason.REPORTS_ON_TIME: 1,
}


def _through(model, name: str):
    return model._meta.get_field(name).remote_field.through


PledgeCountry = _through(Pledge, "countries")
PledgeRegion = _through(Pledge, "regions")
PledgePillar = _through(Pledge, "pillars")
PledgeArea = _through(Pledge, "action_areas")
NeedCountry = _through(Need, "countries")
NeedPillar = _through(Need, "pillars")
NeedArea = _through(Need, "action_areas")


def _score(*, country, region, global_, pillar, area, offers, on_time):
    """The score expression from the reasons' boolean expressions."""
    def weight(condition, reason):
        return Case(When(condition, then=Value(WEIGHTS[reason])), default=Value(0),
                    output_field=IntegerField())
    geography = Case(
        When(country, then=Value(WEIGHTS[Reason.SAME_COUNTRY])),
        When(region, then=Value(WEIGHTS[Reason.SAME_REGION])),
        When(global_, then=Value(WEIGHTS[Reason.GLOBAL])),
        default=Value(0), output_field=IntegerField(),
    )
    return (geography + weight(pillar, Reason.SAME_PILLAR) + weight(area, Reason.SAME_AREA)
            + weight(offers, Reason.OFFERS_SUPPORT) + weight(on_time, Reason.REPORTS_ON_TIME))


def _reasons(row: dict) -> list[str]:
    reasons = []
    if row["m_country"]:
        reasons.append(Reason.SAME_COUNTRY)
    elif row["m_region"]:
        reasons.append(Reason.SAME_REGION)
    elif row["m_global"]:
        reasons.append(Reason.GLOBAL)
    for flag, reason in (("m_pillar", Reason.SAME_PILLAR), ("m_area", Reason.SAME_AREA),
                         ("m_offers", Reason.OFFERS_SUPPORT),
                         ("m_on_time", Reason.REPORTS_ON_TIME)):
        if row[flag]:
            reasons.append(reason)
    return [str(reason) for reason in reasons]


FLAGS = ("m_country", "m_region", "m_global", "m_pillar", "m_area", "m_offers", "m_on_time")


def _annotated(queryset, flags: dict):
    return (queryset.annotate(**flags)
            .filter(Q(m_pillar=True) | Q(m_area=True) | Q(m_offers=True))
            .annotate(score=_score(
                country=Q(m_country=True), region=Q(m_region=True), global_=Q(m_global=True),
                pillar=Q(m_pillar=True), area=Q(m_area=True), offers=Q(m_offers=True),
                on_time=Q(m_on_time=True)))
            .filter(score__gte=MIN_SCORE))


def _on_time_entities() -> list[int]:
    """The entities that have filed a progress report by its cycle's due date: one read of the
    reports, rather than a correlated look-up per scored pledge."""
    return list(ProgressReport.objects.filter(
        status=ProgressReport.Status.SUBMITTED, submitted_at__date__lte=F("cycle__due_on"),
    ).order_by().values_list("pledge__entity_id", flat=True).distinct())


def pledges_for_need(need: Need, *, on_time: list[int] | None = None) -> list[dict]:
    """The best LIMIT public pledges for `need`: {"pledge_id", "score", "reasons"}, best first.
    `on_time`: _on_time_entities(), when the caller scores many needs."""
    countries = list(need.countries.values_list("pk", flat=True))
    regions = list(Country.objects.filter(pk__in=countries).values_list("region_id", flat=True)
                   .distinct())
    region_countries = list(Country.objects.filter(region_id__in=regions)
                            .values_list("pk", flat=True))
    pillars = list(need.pillars.values_list("pk", flat=True))
    areas = list(need.action_areas.values_list("pk", flat=True))
    on_time = _on_time_entities() if on_time is None else on_time
    pledge = OuterRef("pk")
    flags = {
        "m_country": Exists(PledgeCountry.objects.filter(pledge_id=pledge,
                                                         country_id__in=countries)),
        "m_region": Exists(PledgeRegion.objects.filter(pledge_id=pledge, region_id__in=regions))
        | Exists(PledgeCountry.objects.filter(pledge_id=pledge,
                                              country_id__in=region_countries)),
        "m_global": Q(is_global=True),
        "m_pillar": Exists(PledgePillar.objects.filter(pledge_id=pledge, pillar_id__in=pillars)),
        "m_area": Exists(PledgeArea.objects.filter(pledge_id=pledge, actionarea_id__in=areas)),
        "m_offers": Q(pledge_type__in=PLEDGE_TYPES_OFFERING.get(need.support_kind, ())),
        "m_on_time": Q(entity_id__in=on_time),
    }
    rows = (_annotated(Pledge.objects.public().exclude(entity_id=need.entity_id), flags)
            .order_by("-score", "-published_at", "-pk")
            .values("pk", "score", *FLAGS)[:LIMIT])
    return [{"pledge_id": row["pk"], "score": row["score"], "reasons": _reasons(row)}
            for row in rows]


def needs_for_pledge(pledge: Pledge) -> list[dict]:
    """Every open need `pledge` could serve: {"need_id", "score", "reasons"}."""
    countries = list(pledge.countries.values_list("pk", flat=True))
    regions = set(pledge.regions.values_list("pk", flat=True)) | set(
        Country.objects.filter(pk__in=countries).values_list("region_id", flat=True))
    on_time = ProgressReport.objects.filter(
        pledge__entity_id=pledge.entity_id, status=ProgressReport.Status.SUBMITTED,
        submitted_at__date__lte=F("cycle__due_on")).exists()
    kinds = [kind for kind, types in PLEDGE_TYPES_OFFERING.items()
             if pledge.pledge_type in types]
    need = OuterRef("pk")
    flags = {
        "m_country": Exists(NeedCountry.objects.filter(need_id=need, country_id__in=countries)),
        "m_region": Exists(NeedCountry.objects.filter(need_id=need,
                                                      country__region_id__in=regions)),
        "m_global": Value(pledge.is_global),
        "m_pillar": Exists(NeedPillar.objects.filter(
            need_id=need, pillar_id__in=pledge.pillars.values("pk"))),
        "m_area": Exists(NeedArea.objects.filter(
            need_id=need, actionarea_id__in=pledge.action_areas.values("pk"))),
        "m_offers": Q(support_kind__in=kinds),
        "m_on_time": Value(on_time),
    }
    rows = (_annotated(Need.objects.open().exclude(entity_id=pledge.entity_id), flags)
            .values("pk", "score", *FLAGS))
    return [{"need_id": row["pk"], "score": row["score"], "reasons": _reasons(row)}
            for row in rows]


def _without_jit() -> None:
    """PostgreSQL's JIT compiles the scoring query's many expressions for seconds before it
    runs for less (measured at 100,000 pledges: 6.5 s of 10.8 s): off for this transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


@transaction.atomic
def need_suggestions_refresh(*, need_id: int) -> int:
    """Replace the need's suggestions with its best pledges now (none unless it is open).
    Idempotent: run twice, the same rows. Returns how many."""
    need = Need.objects.select_for_update().filter(pk=need_id).first()
    if need is None:
        return 0
    _without_jit()
    rows = pledges_for_need(need) if Need.objects.open().filter(pk=need_id).exists() else []
    now = timezone.now()
    Suggestion.objects.filter(need=need).delete()
    Suggestion.objects.bulk_create([
        Suggestion(need=need, pledge_id=row["pledge_id"], score=row["score"],
                   reasons=row["reasons"], computed_at=now)
        for row in rows
    ])
    Need.objects.filter(pk=need_id).update(suggested_at=now)
    return len(rows)


@transaction.atomic
def pledge_suggestions_refresh(*, pledge_id: int) -> int:
    """Replace the pledge's suggestions for open needs with its scores now (none unless it is
    public). Idempotent. Returns how many."""
    pledge = Pledge.objects.select_related("entity").filter(pk=pledge_id).first()
    if pledge is None:
        return 0
    _without_jit()
    rows = needs_for_pledge(pledge) if pledge.is_public() else []
    now = timezone.now()
    Suggestion.objects.filter(pledge_id=pledge_id).delete()
    Suggestion.objects.bulk_create([
        Suggestion(need_id=row["need_id"], pledge_id=pledge_id, score=row["score"],
                   reasons=row["reasons"], computed_at=now)
        for row in rows
    ])
    return len(rows)


def suggestions_refresh_stale(*, batch: int = 500) -> int:
    """The periodic sweep: needs never scored (suggested_at empty), then every pledge saved
    since the last sweep (its watermark). Safe to run twice or concurrently: each refresh
    replaces rows, and the watermark only moves forward. Returns how many it refreshed."""
    refreshed = 0
    for need_id in Need.objects.open().filter(suggested_at__isnull=True).values_list(
            "pk", flat=True)[:batch]:
        need_suggestions_refresh(need_id=need_id)
        refreshed += 1
    sweep, _created = SuggestionSweep.objects.get_or_create(pk=1)
    changed = list(Pledge.objects.filter(updated_at__gt=sweep.pledges_seen_until)
                   .order_by("updated_at", "pk").values_list("pk", "updated_at")[:batch])
    for pledge_id, _updated in changed:
        pledge_suggestions_refresh(pledge_id=pledge_id)
        refreshed += 1
    if changed:
        SuggestionSweep.objects.filter(pk=1, pledges_seen_until__lt=changed[-1][1]).update(
            pledges_seen_until=changed[-1][1])
    return refreshed
