"""A visitor follows a pledge, an entity or a country by email: confirmation first, a weekly
digest of what changed in their language, exactly once, and a one-click way out. The address is
never shown on any public page."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from action_areas.models import Country
from following import services
from following.models import Digest, Follow, Follower
from p2c_portal.models import OutboundEmail
from pledges import amendment_workflow
from tests.factories import EntityFactory, PledgeFactory

pytestmark = pytest.mark.django_db

ADDRESS = "ada.follower@example.net"
# Wednesday 11 March 2026, noon: the last whole week is Monday 2 to Sunday 8 March.
WEDNESDAY = datetime.datetime(2026, 3, 11, 12, tzinfo=datetime.UTC)
IN_LAST_WEEK = datetime.datetime(2026, 3, 4, 10, tzinfo=datetime.UTC)


def _follow(client, path: str, email: str = ADDRESS, **extra):
    return client.post(path, {"email": email}, **extra)


def _link(body: str, name: str) -> str:
    return re.search(rf"https?://[^\s]+/follow/{name}/[^\s/]+/", body).group(0)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_follow_confirm_then_the_weekly_digest_then_stop_by_the_link(
    anonymous, mailoutbox, django_capture_on_commit_callbacks
):
    rwanda = Country.objects.get(iso3="RWA")
    with time_machine.travel(IN_LAST_WEEK - datetime.timedelta(days=10)):
        page = anonymous.get("/fr/countries/RWA/").content.decode()
        assert 'href="/fr/follow/country/RWA/"' in page
        with django_capture_on_commit_callbacks(execute=True):
            response = _follow(anonymous, "/fr/follow/country/RWA/")
    assert response.status_code == 200
    assert "Vérifiez votre boîte de réception" in response.content.decode()
    [confirmation] = mailoutbox
    assert confirmation.to == [ADDRESS]
    assert confirmation.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/fr/follow/stop/" in confirmation.extra_headers["List-Unsubscribe"]
    assert "Rwanda" in confirmation.body

    # Nothing is sent before the address confirms.
    with time_machine.travel(IN_LAST_WEEK):
        PledgeFactory(published=True, title="Fibre for Kigali")  # in Rwanda (factory default)
    with time_machine.travel(WEDNESDAY), django_capture_on_commit_callbacks(execute=True):
        assert services.digests_create_due() == 0
    assert len(mailoutbox) == 1

    # The link shows a button (a mail scanner opening it confirms nothing); the button confirms.
    confirm = _path(_link(confirmation.body, "confirm"))
    assert anonymous.get(confirm).status_code == 200
    assert Follow.objects.get().confirmed_at is None
    with time_machine.travel(IN_LAST_WEEK - datetime.timedelta(days=9)):
        response = anonymous.post(confirm)
    assert response.status_code == 302
    assert Follow.objects.get().confirmed_at is not None

    # The weekly digest: created and sent once, however many beats and workers.
    with time_machine.travel(WEDNESDAY), django_capture_on_commit_callbacks(execute=True):
        assert services.digests_create_due() == 1
        assert services.digests_create_due() == 0
    digest = Digest.objects.get()
    assert digest.status == Digest.Status.SENT
    with time_machine.travel(WEDNESDAY), django_capture_on_commit_callbacks(execute=True):
        assert services.digest_deliver(digest_id=digest.pk) is False  # already sent
    assert len(mailoutbox) == 2
    weekly = mailoutbox[1]
    assert weekly.to == [ADDRESS]
    assert "Fibre for Kigali" in weekly.body
    assert "Publiés :" in weekly.body  # in French, the follower's language
    assert weekly.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert OutboundEmail.objects.get(pk=digest.email_id).headers["List-Unsubscribe"]

    # The mail program's one-click unsubscribe: a POST without any CSRF token.
    stop_all = _path(weekly.extra_headers["List-Unsubscribe"].strip("<>"))
    assert anonymous.get(stop_all).status_code == 200 and Follower.objects.exists()
    from django.test import Client
    response = Client(enforce_csrf_checks=True).post(stop_all, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Follower.objects.filter(email=ADDRESS).exists()
    assert anonymous.get(stop_all).status_code == 404
    assert rwanda.pk  # the country itself is untouched


def test_a_week_with_nothing_new_sends_nothing(anonymous, mailoutbox,
                                               django_capture_on_commit_callbacks):
    pledge = PledgeFactory(published=True)
    follower = Follower.objects.create(email=ADDRESS, language="en")
    Follow.objects.create(follower=follower, kind="pledge", pledge=pledge,
                          confirmed_at=IN_LAST_WEEK - datetime.timedelta(days=30))
    with time_machine.travel(WEDNESDAY), django_capture_on_commit_callbacks(execute=True):
        services.digests_create_due()
    assert Digest.objects.get().status == Digest.Status.SKIPPED
    assert mailoutbox == []


def test_progress_and_pledges_of_a_followed_entity_are_in_its_digest(
    mailoutbox, django_capture_on_commit_callbacks
):
    entity = EntityFactory(name="Rural Connect Ltd")
    follower = Follower.objects.create(email=ADDRESS, language="en")
    Follow.objects.create(follower=follower, kind="entity", entity=entity,
                          confirmed_at=IN_LAST_WEEK - datetime.timedelta(days=30))
    with time_machine.travel(IN_LAST_WEEK):
        PledgeFactory(published=True, entity=entity, title="Mesh networks for villages")
    PledgeFactory(status="submitted", entity=entity, title="Not yet public")
    with time_machine.travel(WEDNESDAY), django_capture_on_commit_callbacks(execute=True):
        services.digests_create_due()
    [digest_email] = mailoutbox
    assert "Mesh networks for villages" in digest_email.body
    assert "Not yet public" not in digest_email.body
    assert "Stop following this:" in digest_email.body


def _amend(pledge, member, secretariat, *, reason: str) -> None:
    amendment = amendment_workflow.amendment_propose(
        user=member, pledge_id=pledge.pk, reason=reason,
        values={"amount": Decimal("3000000"), "countries": [Country.objects.get(iso3="RWA")]},
    )
    amendment_workflow.amendment_transition(amendment_id=amendment.pk, name="approve",
                                            actor=secretariat, message="OK")


def _follow_confirmed(kind: str, target) -> None:
    follower = Follower.objects.create(email=ADDRESS, language="en")
    Follow.objects.create(follower=follower, kind=kind, **{kind: target},
                          confirmed_at=IN_LAST_WEEK - datetime.timedelta(days=30))


@pytest.mark.parametrize("kind", ["pledge", "entity", "country"])
def test_an_amendment_approved_in_the_week_is_in_the_digest_once(
    kind, entity, member, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    pledge = PledgeFactory(entity=entity, published=True, financial=True,
                           title="Solar links for clinics", amount=Decimal("5000000"))
    _follow_confirmed(kind, {"pledge": pledge, "entity": entity,
                             "country": Country.objects.get(iso3="RWA")}[kind])
    with time_machine.travel(IN_LAST_WEEK):
        _amend(pledge, member, secretariat, reason="Budget revised after the tender")
    mailoutbox.clear()
    with time_machine.travel(WEDNESDAY), django_capture_on_commit_callbacks(execute=True):
        services.digests_create_due()
        services.digests_create_due()  # a rerun sends nothing more
    [digest_email] = mailoutbox
    body = digest_email.body
    assert body.count("Amended:") == 1
    assert body.count("“Solar links for clinics” — Reason: Budget revised after the tender") == 1
    assert "Published:" not in body


def test_a_week_without_amendments_does_not_mention_any(
    entity, member, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    amended = PledgeFactory(entity=entity, published=True, financial=True,
                            title="Solar links for clinics", amount=Decimal("5000000"))
    _follow_confirmed("entity", entity)
    with time_machine.travel(IN_LAST_WEEK - datetime.timedelta(days=7)):
        _amend(amended, member, secretariat, reason="Budget revised after the tender")
    with time_machine.travel(IN_LAST_WEEK):
        PledgeFactory(published=True, entity=entity, title="Mesh networks for villages")
    mailoutbox.clear()
    with time_machine.travel(WEDNESDAY), django_capture_on_commit_callbacks(execute=True):
        services.digests_create_due()
    [digest_email] = mailoutbox
    assert "Mesh networks for villages" in digest_email.body
    assert "Amended:" not in digest_email.body and "Budget revised" not in digest_email.body


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b", "x" * 250 + "@example.org"])
def test_a_bad_address_is_refused_on_the_form_and_nothing_is_saved(anonymous, email, mailoutbox):
    pledge = PledgeFactory(published=True)
    response = _follow(anonymous, f"/en/follow/pledge/{pledge.pk}/", email=email)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not Follower.objects.exists() and mailoutbox == []


@pytest.mark.parametrize(("kind", "key"), [("pledge", "draft"), ("pledge", "99999999999999999999"),
                                           ("entity", "0"), ("country", "XXX"),
                                           ("secret", "1"), ("country", "R" * 300)])
def test_only_public_things_can_be_followed(anonymous, kind, key):
    draft = PledgeFactory(status="draft")
    key = str(draft.pk) if key == "draft" else key
    assert anonymous.get(f"/en/follow/{kind}/{key}/").status_code == 404
    assert _follow(anonymous, f"/en/follow/{kind}/{key}/").status_code == 404


def test_nobody_can_flood_an_inbox_with_confirmations(anonymous, mailoutbox,
                                                      django_capture_on_commit_callbacks):
    cache.clear()
    pledges = [PledgeFactory(published=True) for _ in range(6)]
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for pledge in pledges:
            statuses.append(_follow(anonymous, f"/en/follow/pledge/{pledge.pk}/").status_code)
    assert statuses == [200] * 5 + [429]
    assert len(mailoutbox) == 5


def test_a_follower_address_appears_nowhere_public(anonymous, django_capture_on_commit_callbacks):
    entity = EntityFactory()
    pledge = PledgeFactory(published=True, entity=entity, financial=True)
    with django_capture_on_commit_callbacks(execute=True):
        _follow(anonymous, f"/en/follow/pledge/{pledge.pk}/")
        _follow(anonymous, f"/en/follow/entity/{entity.pk}/")
        _follow(anonymous, "/en/follow/country/RWA/")
    Follow.objects.update(confirmed_at=timezone.now())
    cache.clear()
    for url in ("/en/", "/en/pledges/", f"/en/pledges/{pledge.pk}/", f"/en/entities/{entity.pk}/",
                "/en/countries/RWA/", "/en/pledges/feed.atom", "/en/reports/feed.atom",
                "/en/pledges/export.csv", "/en/pledges/export.json", "/en/members/"):
        response = anonymous.get(url)
        body = (b"".join(response.streaming_content) if response.streaming
                else response.content).decode()
        assert ADDRESS not in body and "ada.follower" not in body, url
    # The follow pages themselves never echo it back either.
    response = _follow(anonymous, "/en/follow/country/KEN/")
    assert ADDRESS not in response.content.decode()
