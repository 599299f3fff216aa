"""PostgreSQL: partial indexes in the public list's three orders, over public statuses only.

With them the first page of the list (and of a country's, event's or entity's pledges) is read
from the index in order and stops after page_size + 1 rows, instead of sorting every public
pledge. Nothing on SQLite (whose CREATE INDEX has no NULLS LAST), where lists are small.

The orders are those of pledges.filters.PledgeFilters.ordering(); the condition is that of
Pledge.objects.public() (the embargo is checked on the rows read). Like the search index, they
live outside the model state: tests/pledges/test_public_queries.py checks that plans use them.
"""

from django.db import migrations
from django.db.models import F, Index, Q
from django.db.models.functions import Lower

PUBLIC = Q(status__in=["published", "completed"])
INDEXES = [
    Index(F("published_at").desc(nulls_last=True), F("id").desc(), condition=PUBLIC,
          name="pledge_public_newest"),
    Index(F("usd_amount").desc(nulls_last=True), F("published_at").desc(nulls_last=True),
          F("id").desc(), condition=PUBLIC, name="pledge_public_usd"),
    Index(Lower("title"), F("id"), condition=PUBLIC, name="pledge_public_title"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in INDEXES:
            schema_editor.add_index(apps.get_model("pledges", "Pledge"), index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in INDEXES:
            schema_editor.remove_index(apps.get_model("pledges", "Pledge"), index)


class Migration(migrations.Migration):
    dependencies = [("pledges", "0005_pledge_search_index")]

    operations = [migrations.RunPython(create, drop)]
