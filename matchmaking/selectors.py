"""Reads of matchmaking, scoped to who is asking: the public needs list with its facets, a
need's page and its suggestions, a member's needs and introductions, the contact details of an
accepted introduction."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.http import Http404
from django.utils import timezone
from django.utils.translation import pgettext

from action_areas.models import ActionArea, Country, CountryGroup, Pillar, Region
from members.models import Entity, Membership, StakeholderGroup
from p2c_portal.query_params import clean_text
from p2c_portal.text_folding import Unaccented, fold
from pledges.models import Pledge

from . import permissions
from .models import Introduction, Need, Suggestion, SupportKind

PAGE_SIZE = 20
MAX_SEARCH_LENGTH = 200
SUGGESTIONS_SHOWN = 10
PUBLIC_PLEDGE_STATUSES = (Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED)


@dataclass
class NeedFilters:
    """The public list's filters, read from the query string; unknown values are ignored."""

    values: dict[str, list[str]] = field(default_factory=dict)
    query: str = ""

    FACETS = ("area", "pillar", "country", "region", "group", "support", "stakeholder", "state")

    @classmethod
    def from_query(cls, params) -> "NeedFilters":
        values = {}
        for name in cls.FACETS:
            chosen = [value for value in (clean_text(v, 60) for v in params.getlist(name))
                      if value][:20]
            if chosen:
                values[name] = chosen
        query = clean_text(params.get("q"), MAX_SEARCH_LENGTH)
        return cls(values=values, query=query)

    def condition(self, without: str = "") -> Q:
        today = timezone.localdate()
        conditions = Q()
        for name, chosen in self.values.items():
            if name == without:
                continue
            conditions &= {
                "area": lambda v: Q(action_areas__code__in=v),
                "pillar": lambda v: Q(pillars__code__in=v),
                "country": lambda v: Q(countries__iso3__in=v),
                "region": lambda v: Q(countries__region__code__in=v),
                "group": lambda v: Q(countries__in=Country.objects.filter(
                    group_memberships__in=_group_memberships(today, v))),
                "support": lambda v: Q(support_kind__in=v),
                "stakeholder": lambda v: Q(entity__stakeholder_group__in=v),
                "state": _state_condition,
            }[name](chosen)
        return conditions


def _group_memberships(today, groups):
    from action_areas.models import CountryGroupMembership

    return CountryGroupMembership.objects.valid_on(today).filter(group__in=groups)


def _state_condition(states) -> Q:
    today = timezone.localdate()
    condition = Q(pk__in=[])
    if "open" in states:
        condition |= Q(status=Need.Status.PUBLISHED) & (
            Q(open_until__isnull=True) | Q(open_until__gte=today))
    if "met" in states:
        condition |= Q(status=Need.Status.MET)
    if "closed" in states:
        condition |= Q(status=Need.Status.CLOSED) | Q(
            status=Need.Status.PUBLISHED, open_until__lt=today)
    return condition


def _searched(queryset: QuerySet[Need], query: str) -> QuerySet[Need]:
    """Every word in the title, the description or the entity's name, accents ignored."""
    if not query:
        return queryset
    queryset = queryset.annotate(searched=Unaccented(Concat(
        "title", Value(" "), "description", Value(" "), "entity__name", Value(" "),
        "entity__acronym", output_field=TextField())))
    for word in fold(query).split()[:8]:
        queryset = queryset.filter(searched__icontains=word)
    return queryset


def need_list_public(filters: NeedFilters) -> QuerySet[Need]:
    ids = _searched(Need.objects.public(), filters.query).filter(filters.condition()).values("pk")
    return (Need.objects.filter(pk__in=ids).select_related("entity")
            .prefetch_related("countries", "action_areas")
            .order_by("-published_at", "-pk"))


def facet_options(language: str) -> dict[str, list[tuple[str, str]]]:
    return {
        "area": [(a.code, a.name_in(language)) for a in ActionArea.objects.all()],
        "pillar": [(p.code, p.name_in(language)) for p in Pillar.objects.all()],
        "country": sorted(((c.iso3, c.name_in(language)) for c in Country.objects.all()),
                          key=lambda pair: fold(pair[1])),
        "region": [(r.code, r.name_in(language)) for r in Region.objects.all()],
        # By the acronyms of the reader's language (PMA, PDSL, PEID in French).
        "group": [(value, pgettext("country group acronym", value))
                  for value, _label in CountryGroup.choices],
        "support": list(SupportKind.choices),
        "stakeholder": list(StakeholderGroup.choices),
        "state": [("open", Need.Status.PUBLISHED.label), ("met", Need.Status.MET.label),
                  ("closed", Need.Status.CLOSED.label)],
    }


def facet_counts(filters: NeedFilters) -> dict[str, dict[str, int]]:
    """For each facet, how many needs each value would give with the other facets as chosen."""
    today = timezone.localdate()
    base = _searched(Need.objects.public(), filters.query)
    counts = {}
    paths = {"area": "action_areas__code", "pillar": "pillars__code", "country": "countries__iso3",
             "region": "countries__region__code", "support": "support_kind",
             "stakeholder": "entity__stakeholder_group"}
    for name, path in paths.items():
        rows = (base.filter(filters.condition(without=name)).values(path)
                .annotate(n=Count("pk", distinct=True)))
        counts[name] = {row[path]: row["n"] for row in rows if row[path]}
    scoped = base.filter(filters.condition(without="group"))
    counts["group"] = {
        group: scoped.filter(countries__in=Country.objects.filter(
            group_memberships__in=_group_memberships(today, [group]))).distinct().count()
        for group, _label in CountryGroup.choices
    }
    scoped = base.filter(filters.condition(without="state"))
    counts["state"] = {state: scoped.filter(_state_condition([state])).count()
                       for state in ("open", "met", "closed")}
    return counts


def need_get_public(need_id: int) -> Need:
    need = (Need.objects.public().select_related("entity", "met_by_pledge__entity")
            .prefetch_related("countries", "action_areas", "pillars").filter(pk=need_id).first())
    if need is None:
        raise Http404
    return need


def need_suggestions(need: Need) -> list[Suggestion]:
    """The pledges suggested for the need (public ones only, best first), read from the table
    the task fills: one query."""
    if not need.is_open():
        return []
    now = timezone.now()
    # The public rule of Pledge.objects.public(), on the joined pledge: a semi-join over every
    # public pledge would read 100,000 rows for the need's twenty.
    return list(
        Suggestion.objects.filter(need=need, pledge__status__in=PUBLIC_PLEDGE_STATUSES)
        .filter(Q(pledge__embargo_until__isnull=True) | Q(pledge__embargo_until__lte=now))
        .exclude(pledge__entity__status=Entity.Status.SUSPENDED)
        .select_related("pledge__entity").order_by("-score", "-pledge__published_at", "pk")
        [:SUGGESTIONS_SHOWN]
    )


def suggested_entities(suggestions: list[Suggestion]) -> list[Entity]:
    """The entities behind the suggested pledges, each once, in the pledges' order."""
    seen = {}
    for suggestion in suggestions:
        seen.setdefault(suggestion.pledge.entity_id, suggestion.pledge.entity)
    return list(seen.values())


def needs_for_pledge(pledge: Pledge) -> list[Suggestion]:
    """The open needs a public pledge could serve, best first."""
    return list(
        Suggestion.objects.filter(pledge=pledge, need__in=Need.objects.open())
        .select_related("need__entity").order_by("-score", "-need__published_at", "pk")
        [:SUGGESTIONS_SHOWN]
    )


def _writer_entities(user) -> QuerySet[Entity]:
    return Entity.objects.filter(
        status=Entity.Status.APPROVED, memberships__user=user,
        memberships__role__in=permissions.WRITER_ROLES,
    )


def member_entities(user) -> QuerySet[Entity]:
    return Entity.objects.filter(memberships__user=user).order_by("name")


def need_list_for_member(user) -> QuerySet[Need]:
    return (Need.objects.filter(entity__memberships__user=user).select_related("entity")
            .order_by("-updated_at", "-pk"))


def need_get_for_member(user, need_id: int) -> Need:
    """A need of one of the person's entities, or for the secretariat any need; 404 otherwise."""
    need = Need.objects.select_related("entity").filter(pk=need_id).first()
    if need is None or role_or_none(user, need) is None:
        raise Http404
    return need


def role_or_none(user, need: Need):
    return permissions.role_in(user, need.entity)


def suggestions_for_member(user) -> list[Suggestion]:
    """The dashboard's matches: open needs suggested for the person's entities' pledges, and
    pledges suggested for their entities' open needs."""
    entities = _writer_entities(user).values("pk")
    return list(
        Suggestion.objects.filter(
            Q(pledge__entity__in=entities, need__in=Need.objects.open())
            | Q(need__entity__in=entities, need__in=Need.objects.open(),
                pledge__in=Pledge.objects.public()))
        .select_related("need__entity", "pledge__entity")
        .order_by("-score", "-computed_at", "pk")[:20]
    )


def introduction_list_for_member(user) -> QuerySet[Introduction]:
    entities = Entity.objects.filter(memberships__user=user).values("pk")
    return (Introduction.objects.filter(Q(from_entity__in=entities) | Q(to_entity__in=entities))
            .select_related("need", "pledge", "from_entity", "to_entity")
            .order_by("-created_at", "-pk"))


def introduction_get_for_member(user, introduction_id: int) -> Introduction:
    introduction = (Introduction.objects.select_related("need", "pledge", "from_entity",
                                                         "to_entity")
                    .filter(pk=introduction_id).first())
    if introduction is None or not permissions.can_see_introduction(user, introduction):
        raise Http404
    return introduction


def introduction_contacts(user, introduction: Introduction) -> list[dict]:
    """Both sides' contact details (the entity's contact email and its administrators' names
    and addresses), for the two sides of an accepted introduction only; [] to anyone else."""
    if not permissions.can_see_contacts(user, introduction):
        return []
    contacts = []
    for entity in (introduction.from_entity, introduction.to_entity):
        administrators = (Membership.objects.filter(entity=entity,
                                                    role=Membership.Role.ADMINISTRATOR,
                                                    user__is_active=True)
                          .select_related("user").order_by("user__full_name"))
        contacts.append({
            "entity": entity, "email": entity.contact_email,
            "people": [{"name": m.user.full_name, "email": m.user.email}
                       for m in administrators],
        })
    return contacts


def pending_introductions_for_member(user) -> QuerySet[Introduction]:
    """What waits for this person's answer (the dashboard item)."""
    administered = Entity.objects.filter(memberships__user=user,
                                         memberships__role=Membership.Role.ADMINISTRATOR)
    return (Introduction.objects.filter(status=Introduction.Status.PENDING)
            .filter(Q(to_entity__in=administered)
                    | Q(by_secretariat=True, from_entity__in=administered))
            .select_related("need", "from_entity", "to_entity"))


def matchmaking_figures(as_of=None) -> dict:
    """Open needs and needs met (home page); with `as_of`, as they stood then (compiled
    reports): published by then, met by then."""
    public = Need.objects.public()
    if as_of is None:
        return {"open": Need.objects.open().count(),
                "met": public.filter(status=Need.Status.MET).count()}
    published = public.filter(published_at__lte=as_of)
    introductions = Introduction.objects.filter(created_at__lte=as_of)
    return {
        "published": published.count(),
        "met": published.filter(status=Need.Status.MET, ended_at__lte=as_of).count(),
        "introductions": introductions.count(),
        "accepted": introductions.filter(status=Introduction.Status.ACCEPTED,
                                         answered_at__lte=as_of).count(),
    }


def matchmaking_report(as_of) -> dict:
    """A compiled report's matchmaking section, as of the end of the report's date: needs
    published, introductions made and accepted, needs met; needs by action area and by country
    group (the groupings as they stood that day). A handful of queries, whatever the numbers."""
    end = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time.max))
    totals = matchmaking_figures(end)
    published = Need.objects.public().filter(published_at__lte=end)
    met = Q(status=Need.Status.MET, ended_at__lte=end)
    by_area = {row["action_areas__code"]: row for row in (
        published.values("action_areas__code")
        .annotate(published=Count("pk", distinct=True),
                  met=Count("pk", filter=met, distinct=True)))}
    areas = [{"label": area.name, "published": by_area.get(area.code, {}).get("published", 0),
              "met": by_area.get(area.code, {}).get("met", 0)}
             for area in ActionArea.objects.all()]
    groups = []
    for group, label in CountryGroup.choices:
        in_group = published.filter(countries__in=Country.objects.filter(
            group_memberships__in=_group_memberships(as_of, [group])))
        counted = in_group.aggregate(published=Count("pk", distinct=True),
                                     met=Count("pk", filter=met, distinct=True))
        groups.append({"label": label, **counted})
    return {"totals": totals, "areas": areas, "groups": groups}


def public_needs_met_by(pledge: Pledge) -> QuerySet[Need]:
    return Need.objects.public().filter(met_by_pledge=pledge, status=Need.Status.MET)



def writer_entity_ids(user) -> list[int]:
    """The approved entities the person may speak for (administrator or editor)."""
    return list(_writer_entities(user).values_list("pk", flat=True))
