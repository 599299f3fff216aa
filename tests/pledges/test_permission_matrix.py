"""Every pledges URL × every persona → the status a person would get.

The rules (DESIGN.md): only published pledges past their embargo are public; any other pledge is
a 404 to anyone outside the owning entity and the secretariat. An entity's members see its
pledges (any role); administrators and editors write, submit, withdraw and delete them; a viewer
who tries gets a 403. The secretariat reads every pledge and decides in the admin (staff in the
Secretariat group); other staff get a 403 there; anyone else is sent to log in.
"""

import datetime

import pytest
from django.utils import timezone

from tests.factories import PledgeFactory
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

pytestmark = pytest.mark.django_db

MANAGE_DRAFT = Redirect("/en/my-pledges/{draft}/")

ROWS = {
    # name: (method, url, {persona: expected}); "{draft}" is the id of the pledge so named.
    # --- The public site
    "home": ("get", "/en/", {"*": 200}),
    "pledge list": ("get", "/en/pledges/", {"*": 200}),
    "published pledge": ("get", "/en/pledges/{published}/", {"*": 200}),
    # Not public: its entity and the secretariat see it on the member page and in the admin.
    "draft on the public site": ("get", "/en/pledges/{draft}/", {"*": 404}),
    "submitted on the public site": ("get", "/en/pledges/{submitted}/", {"*": 404}),
    "embargoed on the public site": ("get", "/en/pledges/{embargoed}/", {"*": 404}),
    "CSV export": ("get", "/en/pledges/export.csv", {"*": 200}),
    "JSON export": ("get", "/en/pledges/export.json", {"*": 200}),
    "country": ("get", "/en/countries/RWA/", {"*": 200}),
    "event": ("get", "/en/events/wtdc-22-kigali/", {"*": 200}),
    "open data": ("get", "/en/open-data/", {"*": 200}),
    # --- The member area, on `entity`'s draft
    "my pledges": (
        "get",
        "/en/my-pledges/",
        {
            "anonymous": LOGIN,
            # No entity to act for: sent to the dashboard, which says how to join one.
            "newcomer": Redirect("/en/me/"),
            "staff_outsider": Redirect("/en/me/"),
            "secretariat": Redirect("/en/me/"),
            "*": 200,
        },
    ),
    "new pledge": (
        "get",
        "/en/my-pledges/new/",
        {
            "anonymous": LOGIN,
            # Not allowed to write: back to "My pledges", which says why.
            "newcomer": Redirect("/en/my-pledges/"),
            "viewer": Redirect("/en/my-pledges/"),
            "staff_outsider": Redirect("/en/my-pledges/"),
            "secretariat": Redirect("/en/my-pledges/"),
            "*": 200,  # other_member: for its own entity; nothing is written until saved
        },
    ),
    "draft": (
        "get",
        "/en/my-pledges/{draft}/",
        {"anonymous": LOGIN, **OUTSIDERS, "*": 200},
    ),
    "edit a section": (
        "get",
        "/en/my-pledges/{draft}/edit/basics/",
        {
            "anonymous": LOGIN,
            **OUTSIDERS,
            # May read, not edit: back to the pledge's page, which says so.
            "viewer": MANAGE_DRAFT,
            "secretariat": MANAGE_DRAFT,
            "*": 200,
        },
    ),
    "review before submitting": (
        "get",
        "/en/my-pledges/{draft}/review/",
        {"anonymous": LOGIN, **OUTSIDERS, "*": 200},
    ),
    "submit": (
        "post",
        "/en/my-pledges/{draft}/submit/",
        {
            "anonymous": LOGIN,
            **OUTSIDERS,
            "viewer": 403,
            "secretariat": 403,
            "*": MANAGE_DRAFT,
        },
    ),
    "withdraw page": (
        "get",
        "/en/my-pledges/{draft}/withdraw/",
        {"anonymous": LOGIN, **OUTSIDERS, "viewer": 403, "secretariat": 403, "*": 200},
    ),
    "withdraw": (
        "post",
        "/en/my-pledges/{draft}/withdraw/",
        {"anonymous": LOGIN, **OUTSIDERS, "viewer": 403, "secretariat": 403, "*": MANAGE_DRAFT},
    ),
    "delete page": (
        "get",
        "/en/my-pledges/{draft}/delete/",
        {
            "anonymous": LOGIN,
            **OUTSIDERS,
            # Whoever may not delete the draft is not asked to confirm its deletion.
            "viewer": 403,
            "secretariat": 403,
            "*": 200,
        },
    ),
    "delete": (
        "post",
        "/en/my-pledges/{draft}/delete/",
        {
            "anonymous": LOGIN,
            **OUTSIDERS,
            "viewer": 403,
            "secretariat": 403,
            "*": Redirect("/en/my-pledges/"),
        },
    ),
    # --- Campaigns: its members see the proposals; administrators and editors propose
    "campaigns of a draft": (
        "get", "/en/my-pledges/{draft}/campaigns/", {"anonymous": LOGIN, **OUTSIDERS, "*": 200},
    ),
    "propose for a campaign": (
        "post",
        "/en/my-pledges/{draft}/campaigns/",
        # No campaign chosen: the form says so (200), nothing written.
        {"anonymous": LOGIN, **OUTSIDERS, "viewer": 403, "secretariat": 403, "*": 200},
    ),
    # --- Another entity's draft: its own members only (and the secretariat, read-only)
    "another entity's draft": (
        "get",
        "/en/my-pledges/{other_draft}/",
        {"anonymous": LOGIN, "other_member": 200, "secretariat": 200, "*": 404},
    ),
    "another entity's draft, edit": (
        "get",
        "/en/my-pledges/{other_draft}/edit/basics/",
        {
            "anonymous": LOGIN,
            "other_member": 200,
            "secretariat": Redirect("/en/my-pledges/{other_draft}/"),
            "*": 404,
        },
    ),
    "another entity's draft, submit": (
        "post",
        "/en/my-pledges/{other_draft}/submit/",
        {
            "anonymous": LOGIN,
            "other_member": Redirect("/en/my-pledges/{other_draft}/"),
            "secretariat": 403,
            "*": 404,
        },
    ),
    # --- The review desk (admin)
    "desk: pledges": ("get", "/en/admin/pledges/pledge/", DESK),
    "desk: a pledge": ("get", "/en/admin/pledges/pledge/{submitted}/change/", DESK),
    "desk: its history": ("get", "/en/admin/pledges/pledge/{submitted}/history/", DESK),
    "desk: a decision": (
        "get", "/en/admin/pledges/pledge/{submitted}/transition/publish/", DESK,
    ),
    "desk: import": ("get", "/en/admin/pledges/pledge/import/", DESK),
    "desk: export": ("get", "/en/admin/pledges/pledge/export/", DESK),
    # Pledges are written by members (or imported), and kept.
    "desk: add a pledge": (
        "get", "/en/admin/pledges/pledge/add/", {**DESK, "secretariat": 403},
    ),
    "desk: delete a pledge": (
        "get", "/en/admin/pledges/pledge/{submitted}/delete/", {**DESK, "secretariat": 403},
    ),
    "desk: events": ("get", "/en/admin/pledges/event/", DESK),
    "desk: currency rates": ("get", "/en/admin/pledges/currencyrate/", DESK),
    "desk: upload rates": ("get", "/en/admin/pledges/currencyrate/upload/", DESK),
    "desk: rates uploads": ("get", "/en/admin/pledges/currencyrateupload/", DESK),
    # Rates come only from uploaded files, each naming its file: never typed in by hand.
    "desk: add a rate by hand": (
        "get", "/en/admin/pledges/currencyrate/add/", {**DESK, "secretariat": 403},
    ),
    "desk: coalition settings": ("get", "/en/admin/pledges/coalitionsettings/", DESK),
    "desk: campaign tags": ("get", "/en/admin/pledges/campaigntag/", DESK),
    # Tags are proposed by the pledging entity, and kept.
    "desk: add a campaign tag": (
        "get", "/en/admin/pledges/campaigntag/add/", {**DESK, "secretariat": 403},
    ),
}


@pytest.fixture
def pledges(entity, other_entity, member) -> dict[str, int]:
    """The ids of `entity`'s pledges in each state, and of a draft of `other_entity`."""
    return {
        "draft": PledgeFactory(entity=entity, created_by=member).pk,
        "submitted": PledgeFactory(entity=entity, submitted=True).pk,
        "published": PledgeFactory(entity=entity, published=True).pk,
        "embargoed": PledgeFactory(
            entity=entity, published=True,
            embargo_until=timezone.now() + datetime.timedelta(days=30),
        ).pk,
        "other_draft": PledgeFactory(entity=other_entity).pk,
    }


@pytest.mark.parametrize(("name", "persona"), matrix_params(ROWS, PERSONAS))
def test_permission_matrix(request, name, persona, pledges):
    method, url, expectations = ROWS[name]
    data = {"message": "No longer planned."} if method == "post" else None
    response = getattr(client_as(request, persona), method)(url.format_map(pledges), data)
    assert_answer(response, expected_for(expectations, persona), pledges)
