"""Reads for following: what a follow points at (public things only) and what changed in a
week for one follower."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from action_areas.models import Country
from members.models import Entity
from pledges.models import Pledge, PledgeRevision
from reporting.models import ProgressReport

from .models import Follow, Follower

# A digest lists at most this many changes per thing followed, then says how many more.
DIGEST_LIST_LIMIT = 20


def follow_target_public(kind: str, key: str):
    """The public pledge, approved entity or country a visitor may follow; 404 for anything
    else (a draft, a suspended entity, no such thing)."""
    if kind == Follow.Kind.PLEDGE and key.isdigit() and 0 < int(key) < 2**63:
        target = Pledge.objects.public().filter(pk=int(key)).first()
    elif kind == Follow.Kind.ENTITY and key.isdigit() and 0 < int(key) < 2**63:
        target = Entity.objects.approved().filter(pk=int(key)).first()
    elif kind == Follow.Kind.COUNTRY and len(key) == 3:
        target = Country.objects.filter(iso3=key.upper()).first()
    else:
        target = None
    if target is None:
        raise Http404
    return target


def follow_by_token(token: str) -> Follow:
    follow = (Follow.objects.select_related("follower", "pledge", "entity", "country")
              .filter(token=token).first() if 20 <= len(token) <= 64 else None)
    if follow is None:
        raise Http404
    return follow


def follower_by_token(token: str) -> Follower:
    follower = Follower.objects.filter(token=token).first() if 20 <= len(token) <= 64 else None
    if follower is None:
        raise Http404
    return follower


@dataclass
class FollowNews:
    follow: Follow
    published: list = field(default_factory=list)  # pledges published in the week
    progress: list = field(default_factory=list)  # progress reports submitted in the week
    amended: list = field(default_factory=list)  # amendments approved in the week (revisions)

    @property
    def is_empty(self) -> bool:
        return not (self.published or self.progress or self.amended)


def follower_news(follower: Follower, start: datetime.datetime,
                  end: datetime.datetime) -> list[FollowNews]:
    """For each confirmed follow of the follower, what became public between start and end:
    pledges published (of the entity, naming the country, or the pledge itself), amendments
    approved on them and progress reports submitted on them. Only what the public may see
    now."""
    news = []
    public = Pledge.objects.public()
    follows = (follower.follows.confirmed().select_related("pledge", "entity", "country")
               .order_by("created_at", "pk"))
    for follow in follows:
        if follow.kind == Follow.Kind.PLEDGE:
            scope = Q(pk=follow.pledge_id)
        elif follow.kind == Follow.Kind.ENTITY:
            scope = Q(entity_id=follow.entity_id) | Q(co_pledgers=follow.entity_id)
        else:
            scope = Q(countries=follow.country_id)
        pledges = public.filter(scope).distinct()
        item = FollowNews(follow)
        item.published = list(
            pledges.filter(published_at__gte=start, published_at__lt=end)
            .select_related("entity").order_by("published_at", "pk")[:DIGEST_LIST_LIMIT]
        )
        item.progress = list(
            ProgressReport.objects.public()
            .filter(pledge__in=pledges.values("pk"), submitted_at__gte=start,
                    submitted_at__lt=end)
            .select_related("pledge", "cycle").order_by("submitted_at", "pk")
            [:DIGEST_LIST_LIMIT]
        )
        item.amended = list(
            PledgeRevision.objects
            .filter(pledge__in=pledges.values("pk"), approved_at__gte=start, approved_at__lt=end)
            .select_related("pledge").order_by("approved_at", "pk")[:DIGEST_LIST_LIMIT]
        )
        news.append(item)
    return news


def followers_with_confirmed_follows():
    return Follower.objects.filter(follows__confirmed_at__isnull=False).distinct()
