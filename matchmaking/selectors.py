"""Reads of matchmaking, scoped to who is asking: the public needs list with its facets, a
need's page and its suggestions, a member's needs and introductions, the contact details of an
accepted introduction."""

import datetime
import json
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from action_areas.models import ActionArea, Country, CountryGroup, Pillar, Region
from members.models import Entity, Membership, StakeholderGroup
from p2c_portal.query_params import clean_text
from p2c_portal.text_folding import Unaccented, fold
from pledges.models import Pledge
from reporting.compiled_report_sections import labels_in_every_language

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
        """The chosen facets but `without`; the many-valued ones as semi-joins on their through
        tables, so that a need matching two chosen areas or countries is still one row."""
        today = timezone.localdate()
        conditions = Q()
        for name, chosen in self.values.items():
            if name == without:
                continue
            conditions &= {
                "area": lambda v: _linked("action_areas", Q(actionarea__code__in=v)),
                "pillar": lambda v: _linked("pillars", Q(pillar__code__in=v)),
                "country": lambda v: _linked("countries", Q(country__iso3__in=v)),
                "region": lambda v: _linked("countries", Q(country__region__code__in=v)),
                "group": lambda v: _linked("countries", Q(
                    country_id__in=_group_memberships(today, v).values("country_id"))),
                "support": lambda v: Q(support_kind__in=v),
                "stakeholder": lambda v: Q(entity__stakeholder_group__in=v),
                "state": _state_condition,
            }[name](chosen)
        return conditions


def _linked(field_name: str, condition: Q) -> Q:
    """The need has a link of its many-to-many field `field_name` that meets `condition`."""
    through = Need._meta.get_field(field_name).remote_field.through
    return Q(Exists(through.objects.filter(condition, need_id=OuterRef("pk"))))


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
    queryset = queryset.alias(searched=Unaccented(Concat(
        "title", Value(" "), "description", Value(" "), "entity__name", Value(" "),
        "entity__acronym", output_field=TextField())))
    for word in fold(query).split()[:8]:
        queryset = queryset.filter(searched__icontains=word)
    return queryset


def need_list_public(filters: NeedFilters) -> QuerySet[Need]:
    return (_searched(Need.objects.public(), filters.query).filter(filters.condition())
            .select_related("entity")
            .prefetch_related("countries")  # the list's cards name the countries only
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


# The facet counts in one statement, as the pledge list's grouped query counts its own
# (pledges.filters.facet_counts): a CTE of the matching needs with their single-valued facets,
# one more for each chosen facet (the others applied, that one not), and a UNION ALL of one
# grouped part per facet over the CTE it needs, joined to the through tables. One round trip and
# one pass over each table, instead of a query per facet (and per country group and state)
# re-running the filters and the search.

_BASE_COLUMNS = ("b_id", "b_support", "b_stakeholder", "b_state")
_M2M_FACETS = {  # facet -> (need field, column of the other table counted by)
    "area": ("action_areas", "code"),
    "pillar": ("pillars", "code"),
    "country": ("countries", "iso3"),
}
_SINGLE_FACETS = {"support": "b_support", "stakeholder": "b_stakeholder", "state": "b_state"}


def _state_of_need(today: datetime.date) -> Case:
    """"open", "met" or "closed", as the state facet filters (_state_condition)."""
    return Case(
        When(status=Need.Status.MET, then=Value("met")),
        When(status=Need.Status.CLOSED, then=Value("closed")),
        When(open_until__lt=today, then=Value("closed")),
        default=Value("open"),
    )


def _base_sql(queryset: QuerySet[Need], today: datetime.date) -> tuple[str, tuple]:
    def rows(queryset):
        return queryset.order_by().values(
            b_id=F("pk"), b_support=F("support_kind"),
            b_stakeholder=F("entity__stakeholder_group"), b_state=_state_of_need(today),
        ).query.sql_with_params()

    try:
        return rows(queryset)
    except EmptyResultSet:  # a filter that matches nothing (an unknown state): an empty set
        return rows(Need.objects.filter(pk__lt=0))


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _facet_part(name: str, base: str) -> str:
    """SELECT facet, value, n over the needs of CTE `base`."""
    quote = connection.ops.quote_name
    if name in _SINGLE_FACETS:
        column = _SINGLE_FACETS[name]
        return (f"SELECT '{name}', {column}, COUNT(*) FROM {base} "  # noqa: S608
                f"GROUP BY {column}")
    countries = Need._meta.get_field("countries").remote_field.through
    if name in _M2M_FACETS:
        field_name, key = _M2M_FACETS[name]
        field = Need._meta.get_field(field_name)
        through = field.remote_field.through
        target = through._meta.get_field(field.m2m_reverse_field_name()).column
        return (f"SELECT '{name}', o.{quote(key)}, COUNT(*) "  # noqa: S608
                f"FROM {_table(through)} t JOIN {base} ON {base}.b_id = t.need_id "
                f"JOIN {_table(field.related_model)} o ON o.id = t.{quote(target)} "
                f"GROUP BY o.{quote(key)}")
    if name == "region":  # a need in two countries of a region counts once
        return (f"SELECT 'region', r.code, COUNT(DISTINCT t.need_id) "  # noqa: S608
                f"FROM {_table(countries)} t JOIN {base} ON {base}.b_id = t.need_id "
                f"JOIN {_table(Country)} c ON c.id = t.country_id "
                f"JOIN {_table(Region)} r ON r.id = c.region_id GROUP BY r.code")
    if name == "group":  # a country of the group today; each need once
        return (f"SELECT 'group', g.grp, COUNT(DISTINCT t.need_id) "  # noqa: S608
                f"FROM {_table(countries)} t JOIN {base} ON {base}.b_id = t.need_id "
                f"JOIN groups_today g ON g.country_id = t.country_id GROUP BY g.grp")
    raise KeyError(name)


def facet_counts(filters: NeedFilters) -> dict:
    """{"total": needs matching, "counts": {facet: {value: n}}}: for each facet, how many needs
    each value would give with the other facets (and the search) as chosen. One query."""
    from action_areas.models import CountryGroupMembership

    today = timezone.localdate()
    searched = _searched(Need.objects.public(), filters.query)
    bases, ctes, params = {}, [], []
    for number, skip in enumerate([None, *filters.values]):
        bases[skip] = f"b{number}"
        sql, base_params = _base_sql(searched.filter(filters.condition(without=skip or "")),
                                     today)
        ctes.append(f"b{number} ({', '.join(_BASE_COLUMNS)}) AS ({sql})")
        params.extend(base_params)
    groups_sql, groups_params = (CountryGroupMembership.objects.valid_on(today).order_by()
                                 .values("country_id", "group").query.sql_with_params())
    ctes.append(f"groups_today (country_id, grp) AS ({groups_sql})")
    params.extend(groups_params)
    parts = ["SELECT 'total', '', COUNT(*) FROM b0"]
    parts += [_facet_part(name, bases.get(name, "b0")) for name in NeedFilters.FACETS]
    sql = "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL ".join(parts)
    counts: dict[str, dict[str, int]] = {name: {} for name in NeedFilters.FACETS}
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, n in cursor.fetchall():
            if facet == "total":
                total = n
            elif value:
                counts[facet][value] = n
    return {"total": total, "counts": counts}


def need_get_public(need_id: int) -> Need:
    """A public need with its entity; the pledge that met it, if any, read only then."""
    need = Need.objects.public().select_related("entity").filter(pk=need_id).first()
    if need is None:
        raise Http404
    if need.status == Need.Status.MET and need.met_by_pledge_id:
        need.met_by_pledge = (Pledge.objects.select_related("entity")
                              .only("title", "entity__name").filter(pk=need.met_by_pledge_id)
                              .first())
    return need


@dataclass
class NeedFacts:
    """A need's countries, action areas and pillars, each in its list's usual order, as objects
    that know their name in every language (enough to show them, not to save them)."""

    countries: list[Country]
    action_areas: list[ActionArea]
    pillars: list[Pillar]


def need_facts(need_id: int) -> NeedFacts:
    """The need's countries, areas and pillars in one query, instead of a prefetch each: on the
    need's page, building an ORM query cost more than the database took to answer it (at 10,000
    needs, BENCHMARKS.md). In the models' orders: countries by name, areas and pillars by
    position."""
    quote = connection.ops.quote_name
    kinds = {  # kind -> (model, need field, its code field, order of its rows)
        "country": (Country, "countries", "iso3", "o.name_en"),
        "area": (ActionArea, "action_areas", "code", "o.position, o.code"),
        "pillar": (Pillar, "pillars", "code", "a.position, o.position, o.code"),
    }
    parts = []
    for kind, (model, field_name, code, order) in kinds.items():
        field = Need._meta.get_field(field_name)
        through = field.remote_field.through
        target = through._meta.get_field(field.m2m_reverse_field_name()).column
        area = (f" JOIN {_table(ActionArea)} a ON a.id = o.action_area_id"
                if model is Pillar else "")
        parts.append(
            f"SELECT '{kind}', o.id, o.name_en, o.name_translations, o.{quote(code)}, "  # noqa: S608
            f"ROW_NUMBER() OVER (ORDER BY {order}) FROM {_table(through)} t "
            f"JOIN {_table(model)} o ON o.id = t.{quote(target)}{area} WHERE t.need_id = %s")
    facts = NeedFacts(countries=[], action_areas=[], pillars=[])
    found = {"country": facts.countries, "area": facts.action_areas, "pillar": facts.pillars}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 6", [need_id] * len(parts))
        for kind, pk, name_en, translations, code_value, _position in cursor.fetchall():
            model, _field, code, _order = kinds[kind]
            if isinstance(translations, str):  # jsonb, which Django has psycopg leave as text
                translations = json.loads(translations)
            found[kind].append(model(pk=pk, name_en=name_en,
                                     name_translations=translations or {},
                                     **{code: code_value}))
    return facts


def need_suggestions(need: Need) -> list[Suggestion]:
    """The pledges suggested for the need (public ones only, best first), read from the table
    the task fills: one query, of the columns the page shows."""
    if not need.is_open():
        return []
    now = timezone.now()
    # The public rule of Pledge.objects.public(), on the joined pledge: a semi-join over every
    # public pledge would read 100,000 rows for the need's twenty.
    return list(
        Suggestion.objects.filter(need=need, pledge__status__in=PUBLIC_PLEDGE_STATUSES)
        .filter(Q(pledge__embargo_until__isnull=True) | Q(pledge__embargo_until__lte=now))
        .exclude(pledge__entity__status=Entity.Status.SUSPENDED)
        .select_related("pledge__entity")
        .only("need_id", "pledge_id", "score", "reasons", "pledge__title", "pledge__entity_id",
              "pledge__entity__name")
        .order_by("-score", "-pledge__published_at", "pk")
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


def matchmaking_report(as_of: datetime.date) -> dict:
    """A compiled report's matchmaking section, as of the end of the report's date: needs
    published, introductions made and accepted, needs met; needs by action area and by country
    group (the groupings as they stood that day). Counts and labels only, in every language
    (reporting.compiled_report_sections, which lays it out on the report's page and in its
    files): nobody's contact details. A handful of queries, whatever the numbers."""
    end = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time.max))
    totals = matchmaking_figures(end)
    published = Need.objects.public().filter(published_at__lte=end)
    met = Q(status=Need.Status.MET, ended_at__lte=end)
    by_area = {row["action_areas__code"]: row for row in (
        published.values("action_areas__code")
        .annotate(published=Count("pk", distinct=True),
                  met=Count("pk", filter=met, distinct=True)))}
    rows = [{"code": f"area.{area.code}",
             "label": labels_in_every_language(lambda area=area: area.name),
             "values": [by_area.get(area.code, {}).get("published", 0),
                        by_area.get(area.code, {}).get("met", 0)]}
            for area in ActionArea.objects.all()]
    for group, label in CountryGroup.choices:
        in_group = published.filter(countries__in=Country.objects.filter(
            group_memberships__in=_group_memberships(as_of, [group])))
        counted = in_group.aggregate(published=Count("pk", distinct=True),
                                     met=Count("pk", filter=met, distinct=True))
        rows.append({"code": f"group.{group}", "label": labels_in_every_language(label),
                     "values": [counted["published"], counted["met"]]})
    return {
        "title": labels_in_every_language(_("Matchmaking")),
        "sheet": labels_in_every_language(_("Matchmaking")),
        "totals": [
            {"code": code, "label": labels_in_every_language(label), "value": totals[key]}
            for code, key, label in (
                ("needs_published", "published", _("Needs published")),
                ("introductions_made", "introductions", _("Introductions made")),
                ("introductions_accepted", "accepted", _("Introductions accepted")),
                ("needs_met", "met", _("Needs met")),
            )
        ],
        "table": {
            "caption": labels_in_every_language(
                _("Needs by action area and by country group")),
            "row_heading": labels_in_every_language(_("Action area or country group")),
            "columns": [
                {"code": "published", "label": labels_in_every_language(_("Needs published"))},
                {"code": "met", "label": labels_in_every_language(_("Needs met"))},
            ],
            "rows": rows,
        },
    }


def public_needs_met_by(pledge: Pledge) -> QuerySet[Need]:
    return Need.objects.public().filter(met_by_pledge=pledge, status=Need.Status.MET)



def writer_entity_ids(user) -> list[int]:
    """The approved entities the person may speak for (administrator or editor)."""
    return list(_writer_entities(user).values_list("pk", flat=True))
