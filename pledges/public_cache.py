"""The cache of the public pages' expensive reads (counters, facets, totals), keyed by language
and query string, in one of two ways:

- `cached`: served as is for PUBLIC_CACHE_FRESH seconds; past that, the next request recomputes
  it while the others are served the previous value (PUBLIC_CACHE_STALE seconds at most: then
  another request may start), so they neither pile onto the database nor wait;
- `cached_until_changed`, for what covers every public pledge (the home page's figures, the
  facets of the unfiltered list: seconds of work at 100,000 pledges): kept until the public
  pledges change, told by public_fingerprint() (one indexed query), or PUBLIC_CACHE_LONGEST
  seconds at most. On a change, one request recomputes while the others get the last value.

With whole pages kept p2c_portal.page_cache.PAGE_CACHE_SECONDS and browsers keeping them
BROWSER_MAX_AGE seconds, a publication, withdrawal or edit shows within a minute.
"""

import hashlib
import pickle
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from action_areas.models import Campaign, Country, CountryGroupMembership
from action_areas.reference_versions import VERSION_TABLE
from members.models import Entity

from .models import Event, Pledge

PUBLIC_CACHE_FRESH = 20
PUBLIC_CACHE_STALE = 10
PUBLIC_CACHE_WAIT = 10  # at most, for a value another request is computing
PUBLIC_CACHE_LONGEST = 600  # a safety net for changes no save tells (reference data)
PUBLIC_CACHE_VERSION = 4  # bump when the shape of a cached value changes
# Statuses a public pledge is in, or leaves it for: a save into or out of the public set, and
# any edit of a public pledge, moves the latest updated_at among them (auto_now: every save).
_PUBLIC_OR_LEFT = (Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED, Pledge.Status.WITHDRAWN)


def _wait_for(key: str):
    """The entry that another request is computing (it holds key:refresh), once it is there;
    None if it does not come within PUBLIC_CACHE_WAIT seconds. Identical requests arriving
    together (a shared link, a crawler) then cost one computation, not one each."""
    deadline = time.monotonic() + PUBLIC_CACHE_WAIT
    while time.monotonic() < deadline:
        time.sleep(0.05)
        entry = cache.get(key)
        if entry is not None:
            return entry
    return None


def cached(key: str, compute):
    """compute() cached briefly; past its freshness, one caller recomputes it while the others
    get the previous value (stale-while-revalidate), so an expiry never stampedes. With no
    previous value, the others wait for the one being computed."""
    key = f"pledges:public:v{PUBLIC_CACHE_VERSION}:" + hashlib.sha256(key.encode()).hexdigest()
    entry = cache.get(key)
    if entry is not None:
        fresh_until, value = entry
        if time.time() < fresh_until:
            return value
        if not cache.add(f"{key}:refresh", 1, PUBLIC_CACHE_STALE):
            return value  # someone else is refreshing it
    elif not cache.add(f"{key}:refresh", 1, PUBLIC_CACHE_STALE):
        entry = _wait_for(key)  # someone else is computing it
        if entry is not None:
            return entry[1]
    try:
        value = compute()
        # Kept well past its freshness: an expired value is recomputed by one request while the
        # others are served it, so that only a value never computed makes anyone wait (the
        # filters' reference lists are read by every list, country and event page: when they
        # vanished after 30 s, every page arriving then waited for one request).
        cache.set(key, (time.time() + PUBLIC_CACHE_FRESH, value),
                  PUBLIC_CACHE_FRESH + PUBLIC_CACHE_LONGEST)
    finally:
        cache.delete(f"{key}:refresh")
    return value


# The fingerprint read during the GET or HEAD request being served ([] until it is read; None
# outside such a request): a country page asks for it three times (its pledges, its totals,
# the global totals), a query each time. A request that may write (POST...) reads it afresh
# every time, so that what it changes counts at once in what it then shows.
_fingerprint_of_request: ContextVar[list | None] = ContextVar("public_fingerprint_of_request",
                                                               default=None)


class FingerprintPerRequestMiddleware:
    """Keeps public_fingerprint() for the time of a GET or HEAD view, and only that: reset as
    the view returns, so that nothing after it (a streamed body, a task run in the same thread)
    is given a fingerprint that may be old by then."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        token = _fingerprint_of_request.set([])
        try:
            return self.get_response(request)
        finally:
            _fingerprint_of_request.reset(token)


def public_fingerprint() -> tuple:
    """Read once per GET or HEAD request (above), else at every call."""
    remembered = _fingerprint_of_request.get()
    if remembered:
        return remembered[0]
    fingerprint = _read_public_fingerprint()
    if remembered is not None:
        remembered.append(fingerprint)
    return fingerprint


def _read_public_fingerprint() -> tuple:
    """What the public pledges' counters depend on, read in one query from indexes: the last
    save of a pledge that is or was public (publication, withdrawal, completion, edit), the next
    end of an embargo (it changes when one ends), the last save of an entity (its stakeholder
    group, its approval), the last save of a campaign (made inactive, its pledges leave the
    campaign facet; a few dozen rows, no index needed), the versions of the countries and their
    groupings (a country moved to another region, an LDC graduation entered in the admin:
    bumped by triggers, action_areas.reference_versions), that of the events (the event facet
    and the events page know an event by its code, which the admin may change: pledges.apps
    registers the table), that of the pledges, which only the deletion of a public pledge bumps
    (an operator's take-down: no remaining row tells it; pledges.apps registers it) and the day
    (groupings are dated)."""
    pledges = connection.ops.quote_name(Pledge._meta.db_table)
    entities = connection.ops.quote_name(Entity._meta.db_table)
    campaigns = connection.ops.quote_name(Campaign._meta.db_table)
    statuses = ", ".join(["%s"] * len(_PUBLIC_OR_LEFT))
    sql = f"""
        SELECT (SELECT MAX(updated_at) FROM {pledges} WHERE status IN ({statuses})),
               (SELECT MIN(embargo_until) FROM {pledges} WHERE embargo_until > %s),
               (SELECT MAX(updated_at) FROM {entities}),
               (SELECT MAX(updated_at) FROM {campaigns}),
               (SELECT MAX(version) FROM {VERSION_TABLE} WHERE table_name = %s),
               (SELECT MAX(version) FROM {VERSION_TABLE} WHERE table_name = %s),
               (SELECT MAX(version) FROM {VERSION_TABLE} WHERE table_name = %s),
               (SELECT MAX(version) FROM {VERSION_TABLE} WHERE table_name = %s)
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_PUBLIC_OR_LEFT, timezone.now(), Country._meta.db_table,
                             CountryGroupMembership._meta.db_table, Event._meta.db_table,
                             Pledge._meta.db_table])
        row = cursor.fetchone()
    return (*(str(value) for value in row), str(timezone.localdate()))


def cached_until_changed(key: str, compute):
    """compute() kept while public_fingerprint() stays the same (PUBLIC_CACHE_LONGEST seconds
    at most). When it changes, one caller recomputes while the others get the previous value
    for PUBLIC_CACHE_STALE seconds at most."""
    key = f"pledges:public:v{PUBLIC_CACHE_VERSION}:" + hashlib.sha256(key.encode()).hexdigest()
    fingerprint = public_fingerprint()
    entry = cache.get(key)
    if entry is not None:
        seen, fresh_until, value = entry
        if seen == fingerprint and time.time() < fresh_until:
            return value
        if not cache.add(f"{key}:refresh", 1, PUBLIC_CACHE_STALE):
            return value  # someone else is refreshing it
    elif not cache.add(f"{key}:refresh", 1, PUBLIC_CACHE_STALE):
        entry = _wait_for(key)  # someone else is computing it
        if entry is not None:
            return entry[2]
    try:
        value = compute()
        cache.set(key, (fingerprint, time.time() + PUBLIC_CACHE_LONGEST, value),
                  PUBLIC_CACHE_LONGEST + PUBLIC_CACHE_STALE)
    finally:
        cache.delete(f"{key}:refresh")
    return value


class KeptPerState:
    """One value built from the public pledges (the facet bitsets, the goal state), once per
    state of what it reads (`fingerprint`) for every process: kept in the cache under the
    fingerprint, with a token that tells a process its in-memory copy is still the one, and in
    each process's memory. Built by one request per change; a request arriving while another
    thread or process builds the new one gets the previous one (a change of a moment ago)
    rather than waiting. Kept PUBLIC_CACHE_LONGEST at most: a safety net for changes no save
    tells. The value carries `fingerprint`, `token` and `built_at` (time.time())."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.latest = None  # this process's, for every thread
        self.building = threading.Lock()

    def _key(self, fingerprint: tuple) -> str:
        return f"{self.prefix}:" + hashlib.sha256("|".join(fingerprint).encode()).hexdigest()

    def get(self, fingerprint: tuple, build: Callable[[], object]):
        key = self._key(fingerprint)
        latest = self.latest
        if (latest is not None and latest.fingerprint == fingerprint
                and time.time() - latest.built_at < PUBLIC_CACHE_LONGEST
                and cache.get(f"{key}:token") == latest.token):
            return latest
        stored = cache.get(key)
        if stored is not None:
            loaded = pickle.loads(stored)  # noqa: S301 -- written below by this code, never by users
            if cache.get(f"{key}:token") == loaded.token:
                self.latest = loaded
                return loaded
        if not self.building.acquire(blocking=latest is None):
            return latest  # another thread of this process is building the new one
        try:
            if latest is not None and not cache.add(f"{key}:building", 1, 60):
                return latest  # another process is building it: the previous one meanwhile
            value = build()
            cache.set_many({key: pickle.dumps(value, pickle.HIGHEST_PROTOCOL),
                            f"{key}:token": value.token}, PUBLIC_CACHE_LONGEST)
            cache.delete(f"{key}:building")
            self.latest = value
            return value
        finally:
            self.building.release()

    def forget(self) -> None:
        """Drop this process's copy (tests that change the data under a frozen fingerprint)."""
        self.latest = None
