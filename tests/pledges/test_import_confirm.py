"""The confirmed import's write path (issue #16): one preview is confirmed once, even by two
requests at once; a failure in the middle of the writes leaves nothing; every limit of the
member's form holds at import; pledges of entities not vetted are flagged and cannot be
published; valid but incomplete rows become drafts whose entities are invited, once, to complete
them."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from members.models import Entity
from members.workflow import entity_transition
from p2c_portal.models import OutboundEmail
from pledges import import_drafts, workflow
from pledges.models import ImportedDraftsInvitation, Pledge, PledgeStatusChange, Target
from spreadsheets import import_engine
from spreadsheets.models import FileImport
from tests.admin_import import confirm, csv_bytes, messages_of, problems, upload
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Pledge.Status
PATH = "pledges/pledge"
ADMIN = f"/en/admin/{PATH}/"
HEADINGS = ["entity", "title", "summary", "description", "pledge_type", "start_date", "end_date",
            "action_areas", "countries", "people_to_reach", "programme_kind", "targets",
            "contact_name", "contact_email"]
TARGET = "Teachers trained | teachers | 0 | 5,000 | 2025-12-31"


def row(entity, title, *, description="What and how.", people="5000", targets=TARGET,
        summary="Digital skills."):
    return [entity.name, title, summary, description, "programme", "2022-07-01", "2025-12-31",
            "Adoption", "Rwanda; KEN", people, "new", targets, "Ana", "ana@example.org"]


def roundtable(entity, count: int = 5) -> bytes:
    return csv_bytes([HEADINGS] + [row(entity, f"Pledge {n}") for n in range(count)])


def everything_imported() -> tuple:
    return (Pledge.objects.count(), Pledge.history.count(), PledgeStatusChange.objects.count(),
            Target.objects.count())


# --- One preview, one import ----------------------------------------------------------------------


def test_a_preview_confirmed_twice_imports_once_and_says_so(secretariat_client, entity):
    preview = upload(secretariat_client, PATH, roundtable(entity, 3), "kigali.csv")
    first = confirm(secretariat_client, PATH, preview)
    assert "Import finished: 3 new, 0 updated, 0 unchanged." in messages_of(first)
    assert everything_imported() == (3, 3, 3, 3)
    # The same form sent again: a double click, the back button, a second tab.
    second = confirm(secretariat_client, PATH, preview)
    [message] = messages_of(second)
    assert message.startswith("This file was already imported (kigali.csv, ")
    assert "secretariat@itu.example.org" in message and "nothing was imported again" in message
    file_import = FileImport.objects.get()
    result_url = f"{ADMIN}import/{file_import.pk}/"
    assert f'href="{result_url}"' in message
    assert second.redirect_chain[-1][0] == result_url  # what was imported, one click away
    page = second.content.decode()
    assert "3 new, 0 updated, 0 unchanged." in page
    for number in range(3):
        pledge = Pledge.objects.get(title=f"Pledge {number}")
        assert f'href="{ADMIN}{pledge.pk}/change/"' in page
    assert everything_imported() == (3, 3, 3, 3)


def test_a_forged_or_foreign_token_imports_nothing(secretariat_client, entity):
    preview = upload(secretariat_client, PATH, roundtable(entity, 2))
    form = dict(preview.context["confirm_form"].initial)
    done = secretariat_client.post(f"{ADMIN}process_import/", {**form, "token": "forged"},
                                   follow=True)
    assert any("upload the file again" in m for m in messages_of(done))
    # A pledge preview's token does not confirm an import of entities.
    done = secretariat_client.post("/en/admin/members/entity/process_import/", form, follow=True)
    assert any("upload the file again" in m for m in messages_of(done))
    assert Pledge.objects.count() == 0
    assert FileImport.objects.get().status == FileImport.Status.PREVIEWED


def test_previews_never_confirmed_are_forgotten_after_a_day(secretariat_client, entity):
    upload(secretariat_client, PATH, roundtable(entity, 1))
    FileImport.objects.update(previewed_at=timezone.now() - datetime.timedelta(days=2))
    confirmed = upload(secretariat_client, PATH, roundtable(entity, 2))
    confirm(secretariat_client, PATH, confirmed)
    upload(secretariat_client, PATH, roundtable(entity, 3))  # the next preview tidies up
    FileImport.objects.update(previewed_at=timezone.now() - datetime.timedelta(days=2))
    upload(secretariat_client, PATH, roundtable(entity, 3))
    assert sorted(FileImport.objects.values_list("status", flat=True)) == [
        FileImport.Status.IMPORTED, FileImport.Status.PREVIEWED]  # what was imported is kept


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_confirmations_import_once(postgresql):
    """Two requests with their own connections confirm the same preview at the same moment: the
    first to consume the token imports; the second waits for it, then imports nothing and says
    the file was already imported."""
    from django.contrib.auth.models import Group

    secretariat = UserFactory(email="sara@itu.example.org", staff=True)
    secretariat.groups.add(Group.objects.get(name="Secretariat"))
    entity = EntityFactory(name="Ministry of ICT of Rwanda")
    client = Client()
    client.force_login(secretariat)
    preview = upload(client, PATH, roundtable(entity, 20), "kigali.csv")
    form = preview.context["confirm_form"].initial
    barrier = threading.Barrier(2)
    responses, errors = [], []

    seen_waiting = []

    def hold_the_claim(execute, sql, params, many, context):
        # Whoever consumes the token first keeps its transaction open until the other request
        # is seen waiting for the row it locked: the two confirmations really overlap.
        result = execute(sql, params, many, context)
        claim = sql.startswith('UPDATE "spreadsheets_fileimport" SET "status"')
        if claim and context["cursor"].rowcount:
            with context["connection"].cursor() as cursor:
                for _attempt in range(100):
                    cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh, not this
                    cursor.execute(  # transaction's cached view of the other sessions
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND query LIKE %s", ['UPDATE "spreadsheets_fileimport" SET "status"%'],
                    )
                    if cursor.fetchone()[0]:
                        seen_waiting.append(True)
                        break
                    threading.Event().wait(0.1)
        return result

    def confirm_now():
        from django.db import connection as own_connection

        own_client = Client()
        own_client.force_login(secretariat)
        try:
            barrier.wait(timeout=10)
            with own_connection.execute_wrapper(hold_the_claim):
                responses.append(own_client.post(f"{ADMIN}process_import/", form, follow=True))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            own_connection.close()

    threads = [threading.Thread(target=confirm_now) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert seen_waiting == [True]
    # What each person reads on their page (a threaded test client's `context` may hold the
    # other thread's templates: the page itself is the truth).
    said = sorted(
        "imported" if "Import finished: 20 new, 0 updated, 0 unchanged." in page
        else "refused" if "This file was already imported (kigali.csv" in page else page
        for page in (response.content.decode() for response in responses)
    )
    assert said == ["imported", "refused"]
    assert Pledge.objects.count() == 20
    assert Pledge.history.count() == 20
    assert PledgeStatusChange.objects.count() == 20
    assert len(set(Pledge.objects.values_list("reference", flat=True))) == 20


# --- A failure in the middle of the writes leaves nothing -----------------------------------------


class FailingStatement:
    """Lets the first `after` statements matching `start` through, then fails the next one (a
    statement the database refuses, in the middle of the writes)."""

    def __init__(self, start: str, after: int = 0):
        self.start, self.after, self.seen = start, after, 0

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith(self.start):
            self.seen += 1
            if self.seen > self.after:
                raise RuntimeError(f"the database failed on: {sql[:60]}")
        return execute(sql, params, many, context)


@pytest.mark.parametrize(
    ("statement", "after"),
    [
        ('INSERT INTO "pledges_pledge" ', 2),  # the third bulk batch of pledges
        ('INSERT INTO "pledges_pledge_countries"', 0),  # the many-to-many rows
        ('INSERT INTO "pledges_target"', 0),  # the targets, after the history rows
    ],
    ids=["later pledge batch", "many-to-many", "targets"],
)
def test_a_failure_inside_the_writes_leaves_no_pledge_and_no_history(
    statement, after, secretariat_client, entity, monkeypatch,
):
    monkeypatch.setattr(import_engine, "WRITE_BATCH", 2)  # 7 rows: pledges in 4 batches
    preview = upload(secretariat_client, PATH, roundtable(entity, 7))
    assert problems(preview) == []
    failing = FailingStatement(statement, after)
    with connection.execute_wrapper(failing):
        done = confirm(secretariat_client, PATH, preview)
    assert failing.seen == after + 1  # it did fail where meant, after earlier writes
    assert "Nothing was imported" in " ".join(messages_of(done))
    assert everything_imported() == (0, 0, 0, 0)
    # The token is given back with the rest: nothing happened.
    assert FileImport.objects.get().status == FileImport.Status.PREVIEWED


# --- The member form's limits hold at import ------------------------------------------------------


def test_every_limit_of_the_form_is_enforced_with_a_message_per_row(secretariat_client, entity):
    rows = [
        HEADINGS,
        row(entity, "Too long", description="x" * 30_000),
        row(entity, "Long summary", summary="y" * 601),
        row(entity, "Nobody to reach", people="0"),
        row(entity, "Zero target", targets="Teachers | teachers | 0 | 0 | 2025-12-31"),
        row(entity, "Long unit", targets=f"Teachers | {'u' * 51} | 0 | 5 | 2025-12-31"),
        row(entity, "Fine"),
    ]
    found = problems(upload(secretariat_client, PATH, csv_bytes(rows)))
    by_line = {line: (column, message) for line, column, message in found}
    assert sorted(by_line) == [2, 3, 4, 5, 6]
    assert by_line[2] == ("description", "Ensure this value has at most 10000 characters "
                          "(it has 30000).")
    assert by_line[3] == ("summary", "Ensure this value has at most 600 characters (it has 601).")
    assert by_line[4] == ("people_to_reach", "Ensure this value is greater than or equal to 1.")
    assert by_line[5][0] == "targets" and "target value: The number must be at least 0.01" in (
        by_line[5][1])
    assert by_line[6][0] == "targets" and "unit: Ensure this value has at most 50" in by_line[6][1]
    assert Pledge.objects.count() == 0


# --- Entities not vetted --------------------------------------------------------------------------


def test_pledges_of_an_entity_not_approved_are_flagged_and_cannot_be_published(
    secretariat, secretariat_client, entity, django_capture_on_commit_callbacks,
):
    applied = EntityFactory(name="Youth Connect Network", acronym="YCN", applied=True)
    rows = [HEADINGS, row(entity, "Vetted"), row(applied, "Not vetted")]
    preview = upload(secretariat_client, PATH, csv_bytes(rows))
    report = preview.context["report"]
    warning = ("Youth Connect Network (YCN) is not approved (Applied): its pledges cannot be "
               "published until the secretariat approves it.")
    assert [r["warnings"] for r in report["rows"]] == [[], [warning]]
    html = preview.content.decode()
    assert "1 row has a warning: read it before you confirm." in html and warning in html
    confirm(secretariat_client, PATH, preview)
    pledge = Pledge.objects.get(title="Not vetted")
    assert pledge.status == S.SUBMITTED
    # The publish action says why, naming the entity: on its page, and if the form is sent.
    done = secretariat_client.get(f"{ADMIN}{pledge.pk}/transition/publish/", follow=True)
    assert warning in messages_of(done)
    assert done.redirect_chain[-1][0] == f"{ADMIN}{pledge.pk}/change/"
    done = secretariat_client.post(f"{ADMIN}{pledge.pk}/transition/publish/",
                                   {"expected_status": "submitted"}, follow=True)
    assert warning in messages_of(done)
    # The bulk publish too, before and after the click, while it publishes the other one.
    vetted = Pledge.objects.get(title="Vetted")
    page = secretariat_client.post(ADMIN, {
        "action": "publish_selected", "_selected_action": [pledge.pk, vetted.pk],
    })
    assert page.context["to_publish"] == [vetted] and page.context["not_vetted"] == [pledge]
    assert "Not published, because their entity is not approved yet:" in page.content.decode()
    done = secretariat_client.post(ADMIN, {
        "action": "publish_selected", "_selected_action": [pledge.pk, vetted.pk],
        "confirm": "yes",
    }, follow=True)
    said = messages_of(done)
    assert f"{pledge}: not published. {warning}" in said
    assert "1 pledge published; its entity has been emailed." in said
    pledge.refresh_from_db()
    assert pledge.status == S.SUBMITTED
    # Once the entity is approved, the pledge can be published.
    entity_transition(entity_id=applied.pk, name="approve", actor=secretariat)
    assert Entity.objects.get(pk=applied.pk).status == Entity.Status.APPROVED
    workflow.pledge_transition(pledge_id=pledge.pk, name="publish", actor=secretariat)
    pledge.refresh_from_db()
    assert pledge.status == S.PUBLISHED


def test_suspended_entities_pledges_cannot_be_published(secretariat):
    from tests.factories import PledgeFactory

    pledge = PledgeFactory(entity=EntityFactory(name="Paused Org", acronym="PO", suspended=True),
                           submitted=True)
    refusal = r"Paused Org \(PO\) is not approved \(Suspended\)"
    with pytest.raises(workflow.TransitionError, match=refusal):
        workflow.pledge_transition(pledge_id=pledge.pk, name="publish", actor=secretariat)


# --- Incomplete is not refused: drafts, and their entities invited --------------------------------


def test_valid_but_incomplete_rows_become_drafts_and_each_entity_is_invited_once(
    secretariat_client, entity, entity_admin, other_entity, django_capture_on_commit_callbacks,
):
    french_admin = UserFactory(email="admin@cf.example.org", full_name="Claire", french=True)
    MembershipFactory(user=french_admin, entity=other_entity, role="administrator")
    MembershipFactory(user=UserFactory(email="editor@cf.example.org"), entity=other_entity,
                      role="editor")
    rows = [
        HEADINGS,
        row(entity, "Complete"),
        row(entity, "No targets yet", targets=""),
        row(entity, "No people yet", people=""),
        row(other_entity, "Sans cibles", targets=""),
        ["Nobody Inc", "Invalid", "", "", "", "", "", "", "", "", "", "", "", ""],
    ]
    preview = upload(secretariat_client, PATH, csv_bytes(rows))
    # Only the invalid row blocks the import (with what it also lacks, all at once); the
    # incomplete but valid ones are not problems.
    found = problems(preview)
    assert sorted((line, column) for line, column, _m in found) == [(6, ""), (6, "entity")]
    assert any("The pledge is not complete either" in message for _l, _c, message in found)
    preview = upload(secretariat_client, PATH, csv_bytes(rows[:5]), "kigali.csv")
    report = preview.context["report"]
    assert problems(preview) == []
    assert [(r["record"].split(" — ")[-1], r["missing"]) for r in report["rows"]] == [
        ("Complete", []),
        ("No targets yet", ["Add at least one quantified target."]),
        ("No people yet", ["Give the number of people to reach."]),
        ("Sans cibles", ["Add at least one quantified target."]),
    ]
    html = preview.content.decode()
    assert "3 rows are valid but not complete: they will be saved as drafts" in html
    assert html.count("New draft") == 3
    with django_capture_on_commit_callbacks(execute=True):
        done = confirm(secretariat_client, PATH, preview)
    assert "Import finished: 4 new, 0 updated, 0 unchanged." in messages_of(done)
    page = done.content.decode()
    assert "3 pledges are not complete: they were saved as drafts" in page
    assert "Add at least one quantified target." in page
    drafts = Pledge.objects.filter(status=S.DRAFT)
    assert sorted(drafts.values_list("title", flat=True)) == [
        "No people yet", "No targets yet", "Sans cibles"]
    assert all(p.reference is None for p in drafts)  # given on submission
    assert Pledge.objects.get(title="Complete").status == S.SUBMITTED
    assert PledgeStatusChange.objects.count() == 1  # the submission; drafts were not submitted

    def invitations():
        return sorted((e.to[0], e.language, e.subject)
                      for e in OutboundEmail.objects.filter(template="pledges/imported_drafts"))

    sent = invitations()
    assert sent == [
        ("admin@cf.example.org", "fr",
         "Un engagement de Connect Foundation attend en brouillon : complétez-le et soumettez-le"),
        ("admin@minict.example.org", "en",
         "2 pledges of Ministry of ICT of Rwanda are waiting as drafts: complete and submit them"),
    ]
    body = OutboundEmail.objects.get(to=["admin@minict.example.org"]).body_text
    for draft in drafts.filter(entity=entity):
        assert draft.title in body and f"/en/my-pledges/{draft.pk}/review/" in body
    assert "Complete" not in body.split("\n- ")[1:]
    # The job again (a second delivery, a second worker): nobody is emailed twice.
    file_import = FileImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert import_drafts.imported_drafts_invite(file_import_id=file_import.pk) == 0
        assert import_drafts.imported_drafts_invite(file_import_id=file_import.pk) == 0
    assert invitations() == sent
    assert ImportedDraftsInvitation.objects.count() == 2


def test_drafts_of_an_import_whose_task_was_never_queued_are_invited_by_the_sweep(
    secretariat_client, entity, entity_admin, django_capture_on_commit_callbacks,
):
    rows = [HEADINGS, row(entity, "No targets yet", targets="")]
    # The import commits, but its task is never queued (the broker was down).
    with django_capture_on_commit_callbacks(execute=False):
        confirm(secretariat_client, PATH, upload(secretariat_client, PATH, csv_bytes(rows)))
    assert not OutboundEmail.objects.filter(template="pledges/imported_drafts").exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert import_drafts.imported_drafts_sweep() == 1
        assert import_drafts.imported_drafts_sweep() == 0  # the next sweep: nobody twice
    [invitation] = OutboundEmail.objects.filter(template="pledges/imported_drafts")
    assert invitation.to == [entity_admin.email]
    # A week later, older imports are no longer looked at.
    later = timezone.now() + import_drafts.SWEEP_WINDOW + datetime.timedelta(hours=1)
    ImportedDraftsInvitation.objects.all().delete()
    assert import_drafts.imported_drafts_sweep(now=later) == 0
