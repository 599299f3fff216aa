"""Pledges whose type was changed before a new type cleared the old type's details still carry
them (a policy pledge with an amount in the open data): each pledge keeps only its own type's
details from now on. The values are copied here, not imported from pledges.models, so that
this migration keeps doing what it did when the model changes later."""

from django.db import migrations
from django.db.models import Q

DETAILS = {
    "financial": {
        "amount": None, "currency": "", "usd_amount": None, "usd_rate": None,
        "usd_rate_date": None, "modality": "", "disbursement_start": None,
        "disbursement_end": None,
    },
    "policy": {"policy_instrument": "", "policy_stage": "", "jurisdiction": ""},
    "advocacy": {"advocacy_activities": [], "audience": ""},
    "programme": {"programme_kind": "", "people_to_reach": None},
}


def clear_other_types_details(apps, schema_editor):
    Pledge = apps.get_model("pledges", "Pledge")
    for pledge_type in [*DETAILS, ""]:
        stale = {
            field: empty
            for kind, fields in DETAILS.items() if kind != pledge_type
            for field, empty in fields.items()
        }
        holding_any = Q()
        for field, empty in stale.items():
            holding_any |= Q(**{f"{field}__isnull": False}) & ~Q(**{field: empty})
        # One UPDATE per type, touching only the rows that hold a stale detail.
        Pledge.objects.filter(holding_any, pledge_type=pledge_type).update(**stale)


class Migration(migrations.Migration):
    dependencies = [("pledges", "0010_event_name_translations")]

    operations = [
        migrations.RunPython(clear_other_types_details, migrations.RunPython.noop, elidable=True),
    ]
