"""Every reporting URL × every persona → the status a person would get.

The rules (DESIGN.md): a pledge's progress pages belong to its entity — any member reads them,
administrators and editors file reports (a viewer who tries gets a 403), and anyone outside the
entity gets a 404. The secretariat reads progress reports in the admin, where these pages send
it. Compiled reports are public once published, a 404 before; the secretariat compiles,
publishes and reads them in the admin (staff in the Secretariat group; other staff get a 403;
anyone else is sent to log in).
"""

import datetime
from types import SimpleNamespace

import pytest
import time_machine

from action_areas.models import Campaign
from pledges.models import Partnership
from reporting.models import ReminderSettings
from reporting.services import compiled_reports
from tests.permission_matrix import (
    DESK,
    LOGIN,
    OUTSIDERS,
    PERSONAS,
    Redirect,
    assert_answer,
    client_as,
    expected_for,
    matrix_params,
)

from .cycles import at, file_report, make_cycle, make_published_pledge

pytestmark = pytest.mark.django_db

TO_THE_DESK = Redirect("/en/admin/reporting/progressreport/")  # the secretariat's place
ADMIN = "/en/admin/reporting"

ROWS = {
    # name: (method, url, {persona: expected}); "{pledge}" is the id of the object so named.
    # --- The member area: `entity`'s pledge, in the open cycle
    "progress reports of a pledge": (
        "get",
        "/en/my-pledges/{pledge}/progress/",
        {"anonymous": LOGIN, **OUTSIDERS, "secretariat": TO_THE_DESK, "*": 200},
    ),
    "progress form": (
        "get",
        "/en/my-pledges/{pledge}/progress/{cycle}/",
        {"anonymous": LOGIN, **OUTSIDERS, "viewer": 403, "secretariat": TO_THE_DESK, "*": 200},
    ),
    "progress form, save the draft": (
        "post",
        "/en/my-pledges/{pledge}/progress/{cycle}/",
        {
            "anonymous": LOGIN,
            **OUTSIDERS,
            "viewer": 403,
            "secretariat": TO_THE_DESK,
            "*": Redirect("/en/my-pledges/{pledge}/progress/{cycle}/"),
        },
    ),
    "submitted progress report": (
        "get",
        "/en/my-pledges/{reported_pledge}/progress/{cycle}/",
        {"anonymous": LOGIN, **OUTSIDERS, "secretariat": TO_THE_DESK, "*": 200},
    ),
    # --- Another entity's pledge: its own members only
    "another entity's progress reports": (
        "get",
        "/en/my-pledges/{other_pledge}/progress/",
        {"anonymous": LOGIN, "other_member": 200, "secretariat": TO_THE_DESK, "*": 404},
    ),
    "another entity's progress form": (
        "post",
        "/en/my-pledges/{other_pledge}/progress/{cycle}/",
        {
            "anonymous": LOGIN,
            "other_member": Redirect("/en/my-pledges/{other_pledge}/progress/{cycle}/"),
            "secretariat": TO_THE_DESK,
            "*": 404,
        },
    ),
    # --- Shared delivery (issue 18): `other_entity`'s pledge, `entity` an accepted partner that
    # files its own share; an invited (or declined, ended) partner is still an outsider.
    "a shared pledge's progress reports": (
        "get",
        "/en/my-pledges/{shared_pledge}/progress/",
        {"anonymous": LOGIN, "newcomer": 404, "staff_outsider": 404,
         "secretariat": TO_THE_DESK, "*": 200},
    ),
    "a shared pledge's progress form": (
        "get",
        "/en/my-pledges/{shared_pledge}/progress/{cycle}/",
        {"anonymous": LOGIN, "newcomer": 404, "staff_outsider": 404, "viewer": 403,
         "secretariat": TO_THE_DESK, "*": 200},
    ),
    "a shared pledge's progress form, save the partner's draft": (
        "post",
        "/en/my-pledges/{shared_pledge}/progress/{cycle}/",
        {"anonymous": LOGIN, "newcomer": 404, "staff_outsider": 404, "viewer": 403,
         "secretariat": TO_THE_DESK,
         "*": Redirect("/en/my-pledges/{shared_pledge}/progress/{cycle}/")},
    ),
    "a pledge `entity` is only invited to": (
        "get",
        "/en/my-pledges/{invited_pledge}/progress/{cycle}/",
        {"anonymous": LOGIN, "other_member": 200, "secretariat": TO_THE_DESK, "*": 404},
    ),
    # --- Compiled reports on the public site
    "reports": ("get", "/en/reports/", {"*": 200}),
    "published report": ("get", "/en/reports/{published_run}/", {"*": 200}),
    "published report's file": ("get", "/en/reports/{published_run}/en/pdf", {"*": 200}),
    "unpublished report": ("get", "/en/reports/{unpublished_run}/", {"*": 404}),
    "unpublished report's file": ("get", "/en/reports/{unpublished_run}/en/pdf", {"*": 404}),
    # --- Coalition goals on the public site; their catalogue and mapping on the desk
    "goals": ("get", "/en/goals/", {"*": 200}),
    "a goal": ("get", "/en/goals/usd-100-billion/", {"*": 200}),
    "no such goal": ("get", "/en/goals/no-such-goal/", {"*": 404}),
    "goals as open data": ("get", "/en/open-data/goals.csv", {"*": 200}),
    "desk: indicators": ("get", "/en/admin/action_areas/indicator/", DESK),
    "desk: add an indicator": ("get", "/en/admin/action_areas/indicator/add/", DESK),
    "desk: coalition goals": ("get", "/en/admin/action_areas/coalitiongoal/", DESK),
    "desk: add a coalition goal": ("get", "/en/admin/action_areas/coalitiongoal/add/", DESK),
    "desk: targets to map": ("get", "/en/admin/pledges/target/", DESK),
    # --- Campaigns on the public site; run on the desk, their tags confirmed there
    "campaigns": ("get", "/en/campaigns/", {"*": 200}),
    "a campaign": ("get", "/en/campaigns/{campaign}/", {"*": 200}),
    "an inactive campaign": ("get", "/en/campaigns/{inactive_campaign}/", {"*": 404}),
    "no such campaign": ("get", "/en/campaigns/no-such-campaign/", {"*": 404}),
    "desk: campaigns": ("get", "/en/admin/action_areas/campaign/", DESK),
    "desk: add a campaign": ("get", "/en/admin/action_areas/campaign/add/", DESK),
    # Tags point at campaigns: a campaign is closed, never deleted.
    "desk: delete a campaign": (
        "get", "/en/admin/action_areas/campaign/{campaign_id}/delete/",
        {**DESK, "secretariat": 403}),
    "desk: campaign tags": ("get", "/en/admin/pledges/campaigntag/", DESK),
    # --- The desk (admin)
    "desk: reporting cycles": ("get", f"{ADMIN}/reportingcycle/", DESK),
    "desk: a reporting cycle": ("get", f"{ADMIN}/reportingcycle/{{cycle}}/change/", DESK),
    "desk: add a reporting cycle": ("get", f"{ADMIN}/reportingcycle/add/", DESK),
    "desk: progress reports": ("get", f"{ADMIN}/progressreport/", DESK),
    "desk: a progress report": ("get", f"{ADMIN}/progressreport/{{report}}/change/", DESK),
    "desk: reminders": ("get", f"{ADMIN}/reminder/", DESK),
    # The list of the one settings row opens the row.
    "desk: reminder settings": (
        "get",
        f"{ADMIN}/remindersettings/",
        {
            **DESK,
            "secretariat": Redirect(f"{ADMIN}/remindersettings/{{settings}}/change/"),
        },
    ),
    "desk: the reminder settings": (
        "get", f"{ADMIN}/remindersettings/{{settings}}/change/", DESK,
    ),
    "desk: compiled reports": ("get", f"{ADMIN}/reportrun/", DESK),
    "desk: ask for a report": ("get", f"{ADMIN}/reportrun/add/", DESK),
    "desk: a compiled report": ("get", f"{ADMIN}/reportrun/{{unpublished_run}}/change/", DESK),
    "desk: its file": ("get", f"{ADMIN}/reportrun/{{unpublished_run}}/file/en/pdf/", DESK),
    "desk: publish it": (
        "post",
        f"{ADMIN}/reportrun/{{unpublished_run}}/action/publish/",
        {**DESK, "secretariat": Redirect(f"{ADMIN}/reportrun/{{unpublished_run}}/change/")},
    ),
    # A compiled report is a record: unpublished, never deleted.
    "desk: delete it": (
        "get",
        f"{ADMIN}/reportrun/{{unpublished_run}}/delete/",
        {**DESK, "secretariat": 403},
    ),
}


class Objects(dict):
    """The ids of the test's objects, each built the first time a row names it (compiling a
    report takes time: only the rows about reports pay for it)."""

    def __init__(self, builders: dict):
        super().__init__()
        self.builders = builders
        self.built = {}

    def get_object(self, name: str):
        if name not in self.built:
            self.built[name] = self.builders[name](self)
        return self.built[name]

    def __missing__(self, name: str) -> int:
        return self.get_object(name).pk


@pytest.fixture(autouse=True)
def _while_the_2024_cycle_is_open():
    with time_machine.travel(at("2025-02-01", 9), tick=False):
        yield


@pytest.fixture
def objects(entity, other_entity, member, django_capture_on_commit_callbacks) -> Objects:
    def compiled_run(filter_query: str, *, published: bool):
        with django_capture_on_commit_callbacks(execute=True):
            run, _created = compiled_reports.compiled_report_request(
                parameters=compiled_reports.compiled_report_parameters(kind="custom",
                                                         filter_query=filter_query))
        run.refresh_from_db()  # compiled when the request committed
        if published:
            compiled_reports.compiled_report_set_published(run=run, published=True)
        return run

    def partnered(pledge, status: str):
        Partnership.objects.create(pledge=pledge, entity=entity, status=status,
                                   accepted_at=at("2024-07-01") if status == "accepted" else None)
        if status == "accepted":
            pledge.co_pledgers.add(entity)
        return pledge

    return Objects({
        "cycle": lambda o: make_cycle(),  # 2024, open from 15 January 2025
        "pledge": lambda o: make_published_pledge(entity, created_by=member),
        "reported_pledge": lambda o: make_published_pledge(entity, created_by=member),
        "report": lambda o: file_report(o.get_object("reported_pledge"), o.get_object("cycle")),
        "other_pledge": lambda o: make_published_pledge(other_entity),
        "shared_pledge": lambda o: partnered(make_published_pledge(other_entity), "accepted"),
        "invited_pledge": lambda o: partnered(make_published_pledge(other_entity), "invited"),
        "settings": lambda o: ReminderSettings.load(),
        "published_run": lambda o: compiled_run("", published=True),
        # Campaigns are addressed by their slug: the row's "id" is the slug.
        "campaign": lambda o: SimpleNamespace(pk=o.get_object("campaign_id").slug),
        "campaign_id": lambda o: Campaign.objects.create(
            slug="schools", name_en="School connectivity", starts_on=datetime.date(2025, 1, 1),
            ends_on=datetime.date(2025, 12, 31)),
        "inactive_campaign": lambda o: SimpleNamespace(pk=Campaign.objects.create(
            slug="closed", name_en="Closed", starts_on=datetime.date(2024, 1, 1),
            ends_on=datetime.date(2024, 12, 31), is_active=False).slug),
        "unpublished_run": lambda o: compiled_run("type=programme", published=False),
    })


@pytest.mark.parametrize(("name", "persona"), matrix_params(ROWS, PERSONAS))
def test_permission_matrix(request, name, persona, objects):
    method, url, expectations = ROWS[name]
    if "{reported_pledge}" in url:
        objects.get_object("report")  # the pledge's report for the cycle, submitted
    data = {"version": "0", "implementation_status": "on_track", "percent_complete": "40"}
    response = getattr(client_as(request, persona), method)(
        url.format_map(objects), data if method == "post" else None
    )
    assert_answer(response, expected_for(expectations, persona), objects)
