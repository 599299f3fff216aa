"""PostgreSQL: the public list's title order ("Title (A to Z)") in Unicode's root collation
(ICU "und-x-icu") instead of lower(title) in the database's collation, so that accents and case
count only after the letters in every language ("Égypte…" among the E's, not after "Z"). The index
pledge_public_title is rebuilt on the new expression: a page is still read from the index in order
(tests/pledges/test_public_queries.py). Nothing on SQLite, as in 0006.
"""

from django.db import migrations
from django.db.models import F, Index, Q
from django.db.models.functions import Collate, Lower

PUBLIC = Q(status__in=["published", "completed"])
LOWER_TITLE = Index(Lower("title"), F("id"), condition=PUBLIC, name="pledge_public_title")
COLLATED_TITLE = Index(Collate(F("title"), "und-x-icu"), F("id"), condition=PUBLIC,
                       name="pledge_public_title")


def _swap(old: Index, new: Index):
    def swap(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            pledge = apps.get_model("pledges", "Pledge")
            schema_editor.remove_index(pledge, old)
            schema_editor.add_index(pledge, new)
    return swap


class Migration(migrations.Migration):
    dependencies = [("pledges", "0012_change_request_snapshot")]

    operations = [migrations.RunPython(_swap(LOWER_TITLE, COLLATED_TITLE),
                                       _swap(COLLATED_TITLE, LOWER_TITLE))]
