"""The version of a pledge in force on a date, computed by the database from its revisions.

An approved amendment (PledgeRevision) keeps the figures it replaced (`before`). On day D the
pledge read what the first revision approved after D replaced, or its current values when no
revision came after D. Compiled reports "as of" D sum these, so that an amendment approved later
leaves a report dated before it unchanged, byte for byte.

The USD equivalent is what the reports add up; the other figures they show (countries, regions,
dates) are read as they are now.
"""

import datetime

from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Subquery,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from .models import PledgeRevision


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def usd_in_force(as_of: datetime.date, *, pledge_id: str = "pk",
                 current: str = "usd_amount") -> Case:
    """The USD equivalent in force at the end of `as_of`, as an expression on a query whose
    `pledge_id` names the pledge's id and `current` its usd_amount (through a relation, say
    "pledge_id" and "pledge__usd_amount")."""
    later = PledgeRevision.objects.filter(
        pledge_id=OuterRef(pledge_id), approved_at__gte=_end_of(as_of),
    ).order_by("approved_at", "pk")
    replaced = Cast(KT("before__usd_amount"), DecimalField(max_digits=20, decimal_places=2))
    return Case(
        When(Exists(later), then=Subquery(later.annotate(usd=replaced).values("usd")[:1])),
        default=F(current),
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )
