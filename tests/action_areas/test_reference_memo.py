"""The reference data the public pages read from a per-process memo (action_areas.reference_memo)
follows every change of it: triggers bump a version per table on any write, whoever writes."""

import sqlite3
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from action_areas.models import ActionArea, BeneficiaryGroup, Country, ReferenceVersion, Region
from action_areas.reference_memo import reference_data, reference_rows
from action_areas.reference_versions import install_triggers, trigger_statements
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db


class _FormValues(HTMLParser):
    """What a browser would send back for the page's main form, unchanged."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data: dict[str, str] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value") or "on"
            else:
                self.data[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _admin_rename(client, path: str, **changes) -> None:
    page = client.get(path)
    assert page.status_code == 200
    form = _FormValues()
    form.feed(page.content.decode())
    response = client.post(path, {**form.data, **changes})
    assert response.status_code == 302, response.content.decode()[:3000]


def test_an_admin_rename_of_a_country_shows_at_once_on_its_pages(anonymous, secretariat_client):
    pledge = PledgeFactory(published=True)  # in Rwanda
    rwanda = Country.objects.get(iso3="RWA")
    assert "Rwanda" in anonymous.get(f"/en/pledges/{pledge.pk}/").content.decode()

    _admin_rename(secretariat_client, f"/en/admin/action_areas/country/{rwanda.pk}/change/",
                  name_en="Republic of Rwanda")

    cache.clear()  # the whole-page cache (15 s) is another matter: the memo must not add to it
    assert "Republic of Rwanda" in anonymous.get(f"/en/pledges/{pledge.pk}/").content.decode()
    assert "Republic of Rwanda" in anonymous.get("/en/countries/RWA/").content.decode()
    assert "Republic of Rwanda" in anonymous.get(
        f"/en/entities/{pledge.entity_id}/").content.decode()


def test_an_admin_rename_of_an_action_area_shows_at_once_on_pledge_pages(
        anonymous, secretariat_client):
    pledge = PledgeFactory(published=True)  # in Access
    access = ActionArea.objects.get(code="access")
    assert "Universal access" not in anonymous.get(f"/en/pledges/{pledge.pk}/").content.decode()

    _admin_rename(secretariat_client,
                  f"/en/admin/action_areas/actionarea/{access.pk}/change/",
                  name_en="Universal access")

    cache.clear()
    assert "Universal access" in anonymous.get(f"/en/pledges/{pledge.pk}/").content.decode()
    assert "Universal access" in anonymous.get(
        f"/en/entities/{pledge.entity_id}/").content.decode()


def _version(table: str) -> int | None:
    return ReferenceVersion.objects.filter(table_name=table).values_list(
        "version", flat=True).first()


@pytest.mark.usefixtures("postgresql")
def test_postgresql_triggers_bump_the_version_on_every_kind_of_write():
    table = BeneficiaryGroup._meta.db_table
    seen = {_version(table)}
    with connection.cursor() as cursor:
        for statement in (
            f"INSERT INTO {table} (name_en, name_translations, code, position) "  # noqa: S608
            "VALUES ('Fishers', '{}', 'fishers', 90)",
            f"UPDATE {table} SET name_en = 'Fishing communities' WHERE code = 'fishers'",  # noqa: S608
            f"DELETE FROM {table} WHERE code = 'fishers'",  # noqa: S608
        ):
            cursor.execute(statement)
            version = _version(table)
            assert version not in seen, statement
            seen.add(version)
        # A dropped trigger (as SQLite's table rebuilds drop them) is put back after migrate.
        cursor.execute(f"DROP TRIGGER reference_version_bump ON {table}")
        install_triggers()
        cursor.execute(f"UPDATE {table} SET position = position + 1")  # noqa: S608
    assert _version(table) not in seen


def test_sqlite_triggers_bump_the_version_on_every_kind_of_write():
    database = sqlite3.connect(":memory:")
    database.execute("CREATE TABLE action_areas_referenceversion "
                     "(table_name varchar(63) PRIMARY KEY, version bigint NOT NULL)")
    database.execute("CREATE TABLE action_areas_region (id integer PRIMARY KEY, name_en text)")
    for statement in trigger_statements("sqlite", ["action_areas_region"]):
        database.execute(statement)

    def version():
        row = database.execute("SELECT version FROM action_areas_referenceversion "
                               "WHERE table_name = 'action_areas_region'").fetchone()
        return row and row[0]

    seen = {version()}
    for statement in ("INSERT INTO action_areas_region VALUES (1, 'Africa')",
                      "UPDATE action_areas_region SET name_en = 'Afrique' WHERE id = 1",
                      "DELETE FROM action_areas_region WHERE id = 1"):
        database.execute(statement)
        assert version() not in seen, statement
        seen.add(version())


def test_the_memo_reads_again_only_the_sections_whose_tables_changed():
    before = reference_data()
    Region.objects.filter(code="africa").update(name_en="African States")

    after = reference_data()

    assert after.regions is not before.regions
    # A country links to its region: read again with it.
    assert after.country_by_iso3["RWA"].region.name_en == "African States"
    assert after.areas is before.areas and after.sdgs is before.sdgs


def test_a_row_written_after_the_memo_was_read_is_found_without_error():
    held = reference_data()
    newcomer = Country.objects.create(iso3="XKX", iso2="XK", name_en="Kosovo",
                                      region=Region.objects.get(code="europe"))

    rows = reference_rows(held, "countries", [newcomer.pk])

    assert [country.name_en for country in rows] == ["Kosovo"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_a_committed_change_is_read_in_one_snapshot():
    europe = Region.objects.get(code="europe")
    reference_data()
    Region.objects.filter(pk=europe.pk).update(name_en="Europe and CIS")  # committed

    with CaptureQueriesContext(connection) as queries:
        after = reference_data()

    assert after.regions[europe.pk].name_en == "Europe and CIS"
    assert after.country_by_iso3["FRA"].region.name_en == "Europe and CIS"
    if connection.vendor == "postgresql":  # the versions and the rows from one snapshot
        statements = [query["sql"] for query in queries.captured_queries]
        snapshot = next(i for i, sql in enumerate(statements) if "REPEATABLE READ" in sql)
        assert statements[snapshot - 1] == "BEGIN"
        assert "referenceversion" in statements[snapshot + 1]


def _version_triggers() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger "
                           "WHERE tgname = 'reference_version_bump'")
        else:
            cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                           "AND name LIKE 'reference_version_bump_%'")
        return sorted({row[0].strip('"') for row in cursor.fetchall()})


def test_reversing_the_versions_migration_leaves_no_trigger_behind(db):
    """Migration 0009 reversed removes the triggers of every versioned table, those other
    apps registered (the events, the reporting cycles) included: one left behind would make
    every write of its table fail on the missing version table. (In the test's transaction:
    rolled back with it.)"""
    from action_areas.reference_versions import uninstall_triggers, versioned_tables
    from pledges.models import Event, Pledge
    from tests.factories import PledgeFactory

    assert {"pledges_event", "reporting_reportingcycle", "pledges_pledge"} <= set(
        versioned_tables())
    assert {"pledges_event", "pledges_pledge"} <= set(_version_triggers())
    uninstall_triggers(connection)
    assert _version_triggers() == []
    if connection.vendor == "postgresql":  # the pledges' deletion trigger has its own function
        with connection.cursor() as cursor:
            cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE %s",
                           ["action_areas_reference_version%"])
            assert cursor.fetchall() == []
    Event.objects.filter(slug="wtdc-22-kigali").update(name_en="Kigali roundtable")
    Region.objects.update(position=7)
    Pledge.objects.filter(pk=PledgeFactory(published=True).pk).delete()
