"""Only published or completed pledges past their embargo, of an entity that is not suspended,
reach the public: nothing else shows on any page, in any counter or facet, or in any download."""

import datetime
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from action_areas.models import BeneficiaryGroup, Country, SustainableDevelopmentGoal
from tests.factories import EntityFactory, EventFactory, PledgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_memory_cache(settings):
    """A cache whose entries expire on the test's clock (time_machine cannot move Redis's)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "public-site-expiry"}}
    cache.clear()

# "suspended": a published pledge of an entity the secretariat suspended.
HIDDEN_STATES = ["draft", "submitted", "changes_requested", "rejected", "withdrawn", "embargoed",
                 "suspended"]


def _visible():
    """The one public pledge: financial, USD 1 million, in Rwanda, by one entity."""
    return PledgeFactory(published=True, financial=True, title="Visible pledge for Rwanda")


def _hidden(state, **extra):
    """A pledge in `state` that would change every counter and facet if it leaked: another
    entity and co-pledger, Fiji (SIDS), an event, a year, an SDG, a beneficiary group of its own,
    USD 7.7 billion."""
    status = "published" if state in ("embargoed", "suspended") else state
    entity_status = "suspended" if state == "suspended" else "approved"
    pledge = PledgeFactory(
        status=status,
        reference="P2C-2019-0999" if status != "draft" else None,
        title=f"HIDDEN {state} pledge",
        summary="Secret plans for Fiji.",
        entity=EntityFactory(name="Hidden Entity Ltd", status=entity_status),
        event=EventFactory(slug="hidden-event", name_en="Hidden Summit",
                           name_translations={"fr": "Sommet caché"}),
        pledge_type="financial", programme_kind="", people_to_reach=None,
        amount=Decimal("7700000000"), currency="USD", usd_amount=Decimal("7700000000"),
        published_at=datetime.datetime(2019, 5, 5, tzinfo=datetime.UTC),
        embargo_until=timezone.now() + datetime.timedelta(days=30)
        if state == "embargoed" else None,
        with_defaults=False,
        **extra,
    )
    pledge.countries.set([Country.objects.get(iso3="FJI")])
    pledge.sdgs.set([SustainableDevelopmentGoal.objects.get(number=14)])
    pledge.beneficiary_groups.set([BeneficiaryGroup.objects.get(code="lgbtqi")])
    pledge.co_pledgers.set([EntityFactory(name="Hidden Partner Org")])
    return pledge


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


HIDDEN_WORDS = ["HIDDEN", "Hidden Entity", "Hidden Partner", "Hidden Summit", "Fiji",
                "P2C-2019-0999", "7.7 billion", "7700000000", "SDG 14", "LGBTQI"]


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_a_pledge_that_is_not_public_is_a_404_even_for_a_guessed_id(anonymous, member_client,
                                                                     state):
    hidden = _hidden(state)
    assert anonymous.get(f"/en/pledges/{hidden.pk}/").status_code == 404
    assert anonymous.get(f"/fr/pledges/{hidden.pk}/").status_code == 404
    # Members of another entity are the public too.
    assert member_client.get(f"/en/pledges/{hidden.pk}/").status_code == 404


@pytest.mark.parametrize("state", HIDDEN_STATES)
@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/fr/",
        "/en/pledges/",
        "/en/pledges/?q=HIDDEN",
        "/en/pledges/?q=Fiji",
        "/en/pledges/?q=Hidden+Entity",
        "/en/pledges/?country=FJI",
        "/en/pledges/?targeting=SIDS",
        "/en/pledges/?sdg=14",
        "/en/pledges/?beneficiary=lgbtqi",
        "/en/pledges/?year=2019",
        "/en/pledges/?event=hidden-event",
        "/en/pledges/?sort=usd",
        "/en/pledges/export.csv",
        "/en/pledges/export.json",
        "/en/pledges/export.csv?country=FJI",
        "/en/countries/FJI/",
        "/en/countries/RWA/",
        "/en/events/hidden-event/",
        "/en/entities/{entity}/",
        "/en/entities/{partner}/",
    ],
)
def test_a_pledge_that_is_not_public_leaks_nowhere(anonymous, state, url):
    _visible()
    hidden = _hidden(state)
    url = url.format(entity=hidden.entity.pk, partner=hidden.co_pledgers.get().pk)
    response = anonymous.get(url)
    if state == "suspended" and url == f"/en/entities/{hidden.entity.pk}/":
        assert response.status_code == 404  # a suspended entity has no public page meanwhile
        return
    assert response.status_code == 200
    text = _text(response)
    if url.startswith("/en/pledges/?") or url == "/en/pledges/":
        only_hidden_match = url not in ("/en/pledges/", "/en/pledges/?sort=usd")
        assert response.context["total"] == (0 if only_hidden_match else 1)
        for facet in response.context["facets"]:  # what was chosen shows, counted 0
            assert all(v["count"] == 0 for v in facet["selected"]) or not only_hidden_match
    searched = url.lower().replace("+", " ")
    echoed = {"country=fji": "Fiji", "sdg=14": "SDG 14", "event=hidden-event": "Hidden Summit",
              "beneficiary=lgbtqi": "LGBTQI"}
    for word in HIDDEN_WORDS:
        if word.lower() in searched or any(
            f"?{choice}" in searched and word == label for choice, label in echoed.items()
        ):
            continue  # the search box and the chosen filters show what the visitor asked for
        if word in ("Fiji", "Hidden Summit") and url.startswith(("/en/countries/FJI",
                                                                  "/en/events/hidden")):
            continue  # the country's and the event's own pages name them, with no pledge
        if word.startswith("Hidden") and "/entities/" in url:
            continue  # the entities' own profiles name them, with no pledge
        assert word not in text, f"{word!r} leaks on {url}"


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_counters_and_facets_count_public_pledges_only(anonymous, state):
    _visible()
    _hidden(state)
    home = anonymous.get("/en/").context
    figures = home["figures"]
    assert (figures["pledges"], figures["entities"], figures["countries"]) == (1, 1, 1)
    assert figures["usd"] == Decimal("1000000")
    assert {row["value"]: row["pledges"] for row in home["types"]}["financial"] == 1

    listing = anonymous.get("/en/pledges/").context
    assert listing["total"] == 1
    shown = {facet["name"]: {v["value"]: v["count"] for v in facet["values"]}
             for facet in listing["facets"]}
    assert shown["type"] == {"financial": 1}
    assert shown["country"] == {"RWA": 1}
    assert "SIDS" not in shown["targeting"]
    assert "sdg" not in shown and "beneficiary" not in shown and "event" not in shown
    assert "2019" not in shown["year"]

    data = json.loads(_text(anonymous.get("/en/pledges/export.json")))
    assert [p["title"] for p in data["pledges"]] == ["Visible pledge for Rwanda"]


def test_completed_pledges_are_public_and_say_so(anonymous):
    pledge = PledgeFactory(published=True, status="completed", title="A finished pledge")
    response = anonymous.get(f"/en/pledges/{pledge.pk}/")
    assert response.status_code == 200
    assert "Completed" in response.content.decode()
    assert "A finished pledge" in anonymous.get("/en/pledges/").content.decode()


def test_an_embargoed_pledge_appears_when_the_embargo_ends(anonymous):
    opening = timezone.now() + datetime.timedelta(days=2)
    pledge = PledgeFactory(published=True, embargo_until=opening, title="Announced at opening")
    assert anonymous.get(f"/en/pledges/{pledge.pk}/").status_code == 404
    with time_machine.travel(opening + datetime.timedelta(seconds=1)):
        cache.clear()
        assert anonymous.get(f"/en/pledges/{pledge.pk}/").status_code == 200
        assert "Announced at opening" in anonymous.get("/en/pledges/").content.decode()


def test_a_withdrawn_pledge_disappears_within_a_minute(anonymous, local_memory_cache):
    """Pages and counters are cached briefly: what the site sends reflects a withdrawal at most
    45 seconds later, and browsers may keep a page 15 seconds more."""
    pledge = PledgeFactory(published=True, title="Soon withdrawn")
    urls = ["/en/", "/en/pledges/", f"/en/pledges/{pledge.pk}/", "/en/countries/RWA/",
            "/en/pledges/?type=programme"]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for url in urls:  # visitors fill every cache
            assert "Soon withdrawn" in anonymous.get(url).content.decode(), url
        # Saved like every write of the portal (workflow, admin, import): updated_at moves.
        pledge.status = "withdrawn"
        pledge.save()
    with time_machine.travel(start + datetime.timedelta(seconds=16), tick=False):
        # The pages were kept 15 s: rendered again, they no longer list or show it.
        assert anonymous.get(f"/en/pledges/{pledge.pk}/").status_code == 404
        assert "Soon withdrawn" not in anonymous.get("/en/pledges/").content.decode()
    with time_machine.travel(start + datetime.timedelta(seconds=46), tick=False):
        # The counters were kept at most 30 s, the pages showing them 15 s.
        assert anonymous.get("/en/").context["figures"]["pledges"] == 0
        assert anonymous.get("/en/pledges/").context["total"] == 0
        for url in urls:
            assert "Soon withdrawn" not in anonymous.get(url).content.decode(), url


def test_an_expired_count_is_recomputed_once_while_other_visitors_get_the_last_one(
    local_memory_cache,
):
    """No stampede: when the cached counters expire, one request recomputes them and the
    requests arriving meanwhile are served the previous figures, for 10 seconds at most."""
    from pledges.public_cache import cached

    computed, served_meanwhile = [], []

    def compute():
        computed.append(timezone.now())
        if len(computed) == 2:  # another visitor arrives while this one recomputes
            served_meanwhile.append(cached("counters", compute))
        return len(computed)

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert cached("counters", compute) == 1
        assert cached("counters", compute) == 1
    with time_machine.travel(start + datetime.timedelta(seconds=21), tick=False):
        assert cached("counters", compute) == 2
        assert served_meanwhile == [1]
        assert cached("counters", compute) == 2
    with time_machine.travel(start + datetime.timedelta(seconds=21 + 31), tick=False):
        assert cached("counters", compute) == 3  # long expired: computed afresh
    assert len(computed) == 3


def test_the_unfiltered_counters_are_kept_until_a_public_pledge_changes(
    postgresql, anonymous, local_memory_cache, secretariat
):
    """The home page's figures and the unfiltered list's facets take seconds at 100,000
    pledges: they are recomputed when a pledge is published, withdrawn or edited (or an embargo
    ends), not every half minute, and the change still shows within a minute. (Counted by the
    builds of the facet bitsets, which PostgreSQL alone has.)"""
    from pledges import selectors, workflow

    # Midday, whenever the suite runs: the kept counters are per day (the LDC/LLDC/SIDS
    # groupings are dated), so minutes before midnight the next steps would see a new day.
    start = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(start - datetime.timedelta(minutes=1), tick=False):
        PledgeFactory(published=True, title="Already public")
        waiting = PledgeFactory(status="submitted", reference="P2C-2026-0777",
                                title="Just published")
    with time_machine.travel(start, tick=False):
        assert anonymous.get("/en/").context["figures"]["pledges"] == 1
        assert anonymous.get("/en/pledges/").context["total"] == 1
    computed = []
    real_build = selectors.facet_bitsets.build  # the facets' bitsets (pledges.facet_bitsets)

    def counting(*args):
        computed.append(1)
        return real_build(*args)

    selectors.facet_bitsets.build = counting
    try:
        with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
            # Nothing changed: the pages are rendered again from the kept counters.
            assert anonymous.get("/en/pledges/").context["total"] == 1
            assert anonymous.get("/en/pledges/?sort=title").context["total"] == 1
            assert computed == []
            workflow.pledge_transition(pledge_id=waiting.pk, name="publish", actor=secretariat)
        with time_machine.travel(start + datetime.timedelta(minutes=5, seconds=16), tick=False):
            assert anonymous.get("/en/").context["figures"]["pledges"] == 2
            assert anonymous.get("/en/pledges/").context["total"] == 2
            assert computed == [1]
            waiting.refresh_from_db()
            waiting.pledge_type = "policy"  # an edit in the admin saves the pledge
            waiting.save()
        with time_machine.travel(start + datetime.timedelta(minutes=5, seconds=32), tick=False):
            shown = {facet["name"]: {v["value"]: v["count"] for v in facet["values"]}
                     for facet in anonymous.get("/en/pledges/").context["facets"]}
            assert shown["type"].get("policy", 0) >= 1
            assert len(computed) == 2
    finally:
        selectors.facet_bitsets.build = real_build


def test_the_kept_counters_change_when_an_embargo_ends(anonymous, local_memory_cache):
    opening = timezone.now() + datetime.timedelta(hours=2)
    PledgeFactory(published=True, title="Public already")
    PledgeFactory(published=True, embargo_until=opening, title="Announced at opening")
    assert anonymous.get("/en/").context["figures"]["pledges"] == 1
    assert anonymous.get("/en/pledges/").context["total"] == 1
    with time_machine.travel(opening + datetime.timedelta(seconds=16), tick=False):
        assert anonymous.get("/en/").context["figures"]["pledges"] == 2
        assert anonymous.get("/en/pledges/").context["total"] == 2


def test_identical_requests_arriving_together_compute_the_counts_once(local_memory_cache):
    """With nothing cached yet, a request that finds another one computing the same counts
    waits for its result instead of computing them too (8 visitors, one computation)."""
    import threading

    from pledges.public_cache import cached

    computed = []

    def compute():
        computed.append(1)
        return "counts"

    first_started, release = threading.Event(), threading.Event()

    def slow():
        first_started.set()
        release.wait(5)
        return compute()

    first = threading.Thread(target=lambda: cached("shared", slow))
    first.start()
    first_started.wait(5)
    threading.Timer(0.3, release.set).start()
    assert cached("shared", compute) == "counts"  # waited for the first one's result
    first.join(5)
    assert computed == [1]


def test_a_suspended_entitys_pledges_leave_the_public_site_and_return_on_reinstatement(
    anonymous, secretariat, local_memory_cache
):
    """Suspended through the vetting desk's workflow: the pledges leave every list, counter,
    page and download within a minute (like a withdrawal), with no word of why, and come back as
    they were on reinstatement."""
    from members.workflow import entity_transition

    _visible()
    suspended = PledgeFactory(published=True, title="Pledge of a suspended entity",
                              entity=EntityFactory(name="Suspended Networks Ltd"))
    entity = suspended.entity
    pages = ["/en/", "/en/pledges/", "/en/countries/RWA/", "/en/pledges/?type=programme",
             "/en/pledges/export.csv", "/en/pledges/export.json", "/fr/pledges/"]
    start = timezone.now()

    def shown() -> dict:
        return {url: "Pledge of a suspended entity" in _text(anonymous.get(url)) for url in pages}

    def figures() -> tuple:
        home = anonymous.get("/en/").context["figures"]
        return home["pledges"], home["entities"], anonymous.get("/en/pledges/").context["total"]

    with time_machine.travel(start, tick=False):
        assert figures() == (2, 2, 2)
        assert all(shown().values())
        entity_transition(entity_id=entity.pk, name="suspend", actor=secretariat,
                          message="Misconduct under investigation: confidential")
    with time_machine.travel(start + datetime.timedelta(seconds=46), tick=False):
        assert figures() == (1, 1, 1)
        assert not any(shown().values())
        assert anonymous.get(f"/en/pledges/{suspended.pk}/").status_code == 404
        assert anonymous.get(f"/en/entities/{entity.pk}/").status_code == 404
        for url in [*pages, "/en/entities/", f"/en/pledges/{suspended.pk}/",
                    f"/en/entities/{entity.pk}/"]:
            text = _text(anonymous.get(url))
            assert "Suspended Networks" not in text, url
            assert "Misconduct" not in text, url
            assert "suspen" not in text.lower(), url  # nothing says why, nor that it happened
        entity_transition(entity_id=entity.pk, name="reinstate", actor=secretariat)
    with time_machine.travel(start + datetime.timedelta(seconds=92), tick=False):
        assert figures() == (2, 2, 2)
        assert all(shown().values())
        assert anonymous.get(f"/en/pledges/{suspended.pk}/").status_code == 200
        assert "Suspended Networks Ltd" in _text(anonymous.get(f"/en/entities/{entity.pk}/"))
