"""The standing hostile-input test of the secretariat's desk, the Django admin (issue #15).

The admin's pages are found from its URLconf (tests/hostile_input.walk): every registered
model's changelist, add, change, history and delete page, and the custom views (import, export,
workflow transitions, report actions, simple-history versions, a user's password), so a model
registered tomorrow is covered by itself. Two people use them: a superuser and a member of the
Secretariat group, both with their second factor given (tests/two_factor.py): the admin opens.

1. Every page is opened by both (about 370 GETs, a few seconds): no 500, and what each shows
   gives the query parameters of its changelists (search, sorting, pages, every filter link) and
   the forms it posts.
2. Then HOSTILE_REQUESTS requests, drawn with a fixed seed (the same ones on every run): each
   changelist and each form gets at least one, each query parameter and each field a hostile value
   of a category drawn for it, the 64 KB value among them; forms with their hidden fields as
   served (so a save can happen) or hostile too; uploads with malformed content under a hostile
   file name. Forms that delete or log out are left out (a delete page's own form deletes: its
   page was opened above).

Asserted for every request: no 500; the hostile markup never comes back unescaped; a form shown
again (rejected) still holds what was typed in its text fields.
"""

from __future__ import annotations

import html
import random
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import translation

from tests.factories import UserFactory
from tests.hostile_input import (
    CATEGORIES,
    CORPUS,
    LONG_QUERY_VALUE,
    MALFORMED_UPLOAD,
    MEGABYTE,
    Feeder,
    Form,
    PageParser,
    hostile_dataset,
    hostile_file_name,
    url_arguments,
    walk,
)

pytestmark = pytest.mark.django_db

SEED = 15
HOSTILE_REQUESTS = 220
# Query parameters Django's changelist reads whether or not a link shows them.
CHANGELIST_PARAMETERS = ("q", "o", "p", "e", "all", "_popup", "_to_field", "_changelist_filters")
# Not posted: it ends the session, or it deletes what the other requests use.
NOT_POSTED = ("/logout/", "/delete/")


@pytest.fixture
def admin_dataset(entity, entity_admin, member, secretariat, newcomer):
    data = hostile_dataset(entity, entity_admin, member, secretariat, newcomer)
    superuser = UserFactory(email="root@itu.example.org", full_name="Root User", superuser=True)
    data["desk"] = {"superuser": superuser, "secretariat": secretariat}
    return data


def admin_pages(data) -> tuple[dict[str, str], list[str]]:
    """Every page of the admin's URLconf ({address: pattern name}), and the patterns nobody
    can fill."""
    addresses, unknown = [], []
    with translation.override("en"):
        for pattern, name in walk(get_resolver().url_patterns):
            if not (name or "").startswith("admin:") or name.endswith(":None"):
                continue  # unnamed: the admin's redirects and catch-all
            if name == "admin:logout":
                continue  # POST only; it would end the session
            try:
                addresses.append((reverse(name), name))
                continue
            except NoReverseMatch:  # it takes arguments
                pass
            arguments = url_arguments(name, pattern, data)
            if not arguments:
                unknown.append(f"{name} ({pattern.pattern})")
                continue
            addresses.extend(
                (reverse(name, args=given) if isinstance(given, tuple) else
                 reverse(name, kwargs=given), name) for given in arguments
            )
    return dict(addresses), unknown


def hostile_value(rng: random.Random) -> str:
    return rng.choice(CORPUS[rng.choice(CATEGORIES)])


def query_parameters(address: str, parser: PageParser) -> list[str]:
    names = set(CHANGELIST_PARAMETERS)
    for link in parser.links:
        parts = urlsplit(html.unescape(link))
        if parts.path in ("", address):
            names.update(name for name, _v in parse_qsl(parts.query, keep_blank_values=True))
    for form in parser.forms:
        if form.method == "get" and (urlsplit(form.action).path or address) == address:
            names.update(form.fields)
    return sorted(names)


def test_every_admin_page_survives_hostile_input_from_the_secretariat_and_a_superuser(
    admin_dataset,
):
    desk = admin_dataset["desk"]
    clients = {}
    for persona, user in desk.items():
        clients[persona] = Client()
        clients[persona].force_login(user)  # with the second factor (tests/two_factor.py)
        assert clients[persona].get("/en/admin/").status_code == 200, persona
    addresses, unknown = admin_pages(admin_dataset)
    assert not unknown, (
        "These admin URL patterns take arguments the hostile-input test cannot fill: add them "
        f"to url_arguments() or a row to the dataset: {unknown}"
    )
    feeder = Feeder(clients)

    # 1. Every page, by both.
    queries: list[tuple[str, str, list[str]]] = []  # (persona, address, parameter names)
    forms: list[tuple[str, str, Form, dict]] = []  # (persona, target, form, hidden as served)
    for persona in desk:
        for address in addresses:
            response = feeder.send(persona, "get", address)
            feeder.check(persona, "get", address, {}, response)
            if response is None or response.status_code != 200:
                continue
            parser = PageParser()
            if "html" in response.get("Content-Type", "") and not response.streaming:
                parser.feed(response.content.decode(errors="replace"))
            queries.append((persona, address, query_parameters(address, parser)))
            for form in parser.forms:
                target = urlsplit(html.unescape(form.action)).path or address
                if form.method == "post" and not any(part in target for part in NOT_POSTED):
                    served = {name: parser.values[name][0] for name, kind in form.fields.items()
                              if kind == "hidden" and parser.values.get(name)}
                    forms.append((persona, target, form, served))
    assert len(queries) > 200 and len(forms) > 100  # the desk was really opened

    # 2. Hostile requests, drawn with a fixed seed: every changelist's parameters and every
    # distinct form (changelist actions, add, change, transitions, decisions, import, export, a
    # password) once, the superuser's where both see it; then a draw of everything else (the
    # secretariat's, other pages' parameters) until the budget is spent.
    rng = random.Random(SEED)
    every_job = [("query", *q) for q in queries] + [("form", *f) for f in forms]
    essential = {}
    for job in every_job:
        page = addresses.get(job[2], "")
        if job[0] == "query" and not page.endswith("_changelist"):
            continue
        if job[0] == "form" and page.endswith(("_history", "_delete")):
            continue  # else every form: changelist actions, add, change, transitions, import…
        key = (job[2], tuple(sorted(job[3].fields)) if job[0] == "form" else ())
        essential.setdefault(key, job)
    jobs = list(essential.values())
    rest = [job for job in every_job if job not in jobs]
    jobs.extend(rng.sample(rest, max(0, min(len(rest), HOSTILE_REQUESTS - len(jobs)))))
    assert 150 <= len(jobs) <= HOSTILE_REQUESTS, len(jobs)
    for job in jobs:
        if job[0] == "query":
            _kind, persona, address, names = job
            data = {name: hostile_value(rng) for name in names}
            if rng.random() < 0.3:  # the 64 KB value, in one parameter (the page echoes them)
                data[rng.choice(names)] = LONG_QUERY_VALUE
            feeder.check(persona, "get", address, data, feeder.send(persona, "get", address, data))
        else:
            _kind, persona, target, form, served = job
            if "_auth_user_id" not in clients[persona].session:
                clients[persona].force_login(desk[persona])
            data = dict(served) if rng.random() < 0.6 else {}
            for name, kind in form.fields.items():
                if kind == "hidden" and name in data:
                    continue
                data[name] = MEGABYTE if rng.random() < 0.02 else hostile_value(rng)
            for name in form.files:
                data[name] = SimpleUploadedFile(hostile_file_name(rng.randrange(1000)),
                                                MALFORMED_UPLOAD, content_type="text/csv")
            feeder.check(persona, "post", target, data, feeder.send(persona, "post", target, data),
                         form)

    assert feeder.requests <= len(addresses) * 2 + HOSTILE_REQUESTS
    assert not feeder.problems, (
        f"{len(feeder.problems)} problems in {feeder.requests} hostile admin requests:\n"
        + "\n".join(feeder.problems[:80])
    )

