"""The version of a pledge in force on a date, computed by the database from its revisions.

An approved amendment (PledgeRevision) keeps the whole version it replaced (`before`: every
field, related records as ids, targets). On day D the pledge read what the first revision
approved after D replaced, or its current values when no revision came after D. Compiled reports
"as of" D read their pledges through these expressions (the USD equivalent, the type, the title,
the event, "global", the start date, the action areas, pillars, regions, countries — hence
LDC/LLDC/SIDS targeting —, beneficiary groups and SDGs), so that an amendment approved later
leaves a report dated before it unchanged, byte for byte. Each is one SQL expression over any
number of pledges and revisions. Targets in force are read by the goals' figures
(reporting.selectors.goals) from the revisions' `before`, each target with its catalogue
indicator.
"""

import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    DecimalField,
    Exists,
    F,
    Field,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    When,
)
from django.db.models.fields.json import KT, KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from .models import Partnership, PartnershipAmendment, Pledge, PledgeRevision


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def _later(as_of: datetime.date, pledge_id) -> QuerySet[PledgeRevision]:
    """The pledge's revisions approved after `as_of`, the first one first."""
    return PledgeRevision.objects.filter(
        pledge_id=pledge_id, approved_at__gte=_end_of(as_of),
    ).order_by("approved_at", "pk")


def replacing_revisions(as_of: datetime.date) -> QuerySet[PledgeRevision]:
    """For each pledge amended after `as_of`, the first revision approved after it: its
    `before` is the version in force on `as_of`."""
    return PledgeRevision.objects.filter(
        approved_at__gte=_end_of(as_of),
        pk=Subquery(_later(as_of, OuterRef("pledge_id")).values("pk")[:1]),
    )


def field_in_force(name: str, as_of: datetime.date, output_field: Field, *,
                   pledge_id: str = "pk", current: str | None = None) -> Case:
    """A pledge field's value in force at the end of `as_of`, as an expression on a query whose
    `pledge_id` names the pledge's id and `current` the field now (through a relation, say
    "pledge_id" and "pledge__usd_amount")."""
    later = _later(as_of, OuterRef(pledge_id))
    replaced = KT(f"before__{name}")
    if not isinstance(output_field, TextField):
        replaced = Cast(replaced, output_field)
    return Case(
        When(Exists(later), then=Subquery(later.annotate(value=replaced).values("value")[:1])),
        default=F(current or name),
        output_field=output_field,
    )


def usd_in_force(as_of: datetime.date, *, pledge_id: str = "pk",
                 current: str = "usd_amount") -> Case:
    """The USD equivalent in force at the end of `as_of` (see field_in_force)."""
    return field_in_force("usd_amount", as_of, DecimalField(max_digits=20, decimal_places=2),
                          pledge_id=pledge_id, current=current)


def contributions_in_force(as_of: datetime.date, *, pledge_id: str = "pk") -> Subquery:
    """The USD sum of the contributions of the pledge's funders that were accepted partners at
    the end of `as_of` (accepted before, not ended by then); None when there were none: what
    a report as of that date adds, once, to the pledge's own USD amount."""
    end = _end_of(as_of)
    # A funder's amount changed by an approved proposal after `as_of` counts as it was then:
    # the first such proposal kept the USD equivalent it replaced.
    changed_later = (PartnershipAmendment.objects
                     .filter(partnership_id=OuterRef("pk"),
                             status=PartnershipAmendment.Status.APPROVED, decided_at__gte=end)
                     .order_by("decided_at", "pk"))
    usd_then = Case(
        When(Exists(changed_later), then=Subquery(changed_later.values("previous_usd_amount")[:1])),
        default=F("usd_amount"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )
    funders = (Partnership.objects
               .filter(pledge_id=OuterRef(pledge_id), role=Partnership.Role.FUNDER,
                       accepted_at__lt=end)
               .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end))
               .annotate(usd_then=usd_then).filter(usd_then__isnull=False)
               .order_by().values("pledge_id").annotate(total=Sum("usd_then"))
               .values("total"))
    return Subquery(funders, output_field=DecimalField(max_digits=20, decimal_places=2))


def type_in_force(as_of: datetime.date) -> Case:
    return field_in_force("pledge_type", as_of, TextField())


def title_in_force(as_of: datetime.date) -> Case:
    return field_in_force("title", as_of, TextField())


def global_in_force(as_of: datetime.date) -> Case:
    return field_in_force("is_global", as_of, BooleanField())


def start_date_in_force(as_of: datetime.date) -> Case:
    return field_in_force("start_date", as_of, DateField())


def event_in_force(as_of: datetime.date) -> Case:
    return field_in_force("event", as_of, IntegerField(), current="event_id")


class _JsonIds(Func):
    """A snapshot's list of ids (a JSON array) as an integer array."""

    template = "ARRAY(SELECT jsonb_array_elements_text(%(expressions)s)::integer)"
    output_field = ArrayField(IntegerField())


class _JsonIdRows(Func):
    """A snapshot's list of ids, one row per id (in a subquery's select list)."""

    template = "jsonb_array_elements_text(%(expressions)s)::integer"
    output_field = IntegerField()


def _through(name: str):
    field = Pledge._meta.get_field(name)
    return field.remote_field.through, f"{field.m2m_reverse_field_name()}_id"


def linked_in_force(name: str, as_of: datetime.date, items, *, pledge_id: str = "pk") -> Q:
    """A condition on a pledge query: the pledge's version in force at the end of `as_of`
    links (many-to-many field `name`: "countries", "regions"…) to at least one of `items`
    (a list of ids or a query of ids)."""
    through, column = _through(name)
    if connection.vendor != "postgresql":
        return Q(**{f"{pledge_id}__in": _linked_pledge_ids(name, as_of, items)})
    wanted = ArraySubquery(items) if isinstance(items, QuerySet) else list(items)
    replaced_linked = (replacing_revisions(as_of).filter(pledge_id=OuterRef(pledge_id))
                       .annotate(ids=_JsonIds(KeyTransform(name, "before")))
                       .filter(ids__overlap=wanted))
    now_linked = through.objects.filter(pledge_id=OuterRef(pledge_id),
                                        **{f"{column}__in": items})
    return Q(Exists(replaced_linked)) | (
        ~Q(Exists(_later(as_of, OuterRef(pledge_id)))) & Q(Exists(now_linked))
    )


def _linked_pledge_ids(name: str, as_of: datetime.date, items) -> set[int]:
    """linked_in_force read in Python, for SQLite (`make run`), which has neither arrays nor
    set-returning JSON functions in a select list: the few demo pledges, the same answer."""
    through, column = _through(name)
    wanted = {next(iter(row.values())) if isinstance(row, dict)
              else row[0] if isinstance(row, tuple) else getattr(row, "pk", row)
              for row in items}  # a list of ids, or a query of one column
    replaced = dict(replacing_revisions(as_of).values_list("pledge_id", "before"))
    linked = {pledge_id for pledge_id, before in replaced.items()
              if wanted & set((before or {}).get(name) or ())}
    now_linked = (through.objects.filter(**{f"{column}__in": wanted})
                  .exclude(pledge_id__in=replaced.keys()).values_list("pledge_id", flat=True))
    return linked | set(now_linked)


def related_ids_in_force(name: str, as_of: datetime.date, pledge_ids: QuerySet) -> Q:
    """A condition on the related model (Country for "countries"…): linked to at least one of
    the pledges `pledge_ids` (a query of ids) in their version in force at the end of `as_of`."""
    through, column = _through(name)
    amended_after = replacing_revisions(as_of).filter(pledge_id__in=pledge_ids)
    if connection.vendor != "postgresql":
        replaced = {pk for before in amended_after.values_list("before", flat=True)
                    for pk in (before or {}).get(name) or ()}
        return Q(pk__in=replaced) | Q(pk__in=through.objects.filter(
            pledge_id__in=pledge_ids).exclude(pledge_id__in=amended_after.values("pledge_id"))
            .values(column))
    return Q(pk__in=amended_after.annotate(item=_JsonIdRows(KeyTransform(name, "before")))
             .values("item")) | Q(pk__in=through.objects.filter(pledge_id__in=pledge_ids).exclude(
                 pledge_id__in=amended_after.values("pledge_id")).values(column))


def amended_since(as_of: datetime.date) -> set[int]:
    """The ids of the pledges amended after `as_of` (one query): for a walk over many pledges
    to ask versions_replaced only about those (none, for a report as of today)."""
    return set(PledgeRevision.objects.filter(approved_at__gte=_end_of(as_of))
               .values_list("pledge_id", flat=True).distinct())


def versions_replaced(as_of: datetime.date, pledge_ids: list[int]) -> dict[int, dict]:
    """{pledge id: the version in force at the end of `as_of`} for those of `pledge_ids`
    amended since (one query); the others read as they are now."""
    return dict(replacing_revisions(as_of).filter(pledge_id__in=pledge_ids)
                .values_list("pledge_id", "before"))
