"""The standing hostile-input test: every page the URLconf has, every query parameter and every
form field on it, fed a corpus of hostile values (issue #15).

Pages are found by walking the URLconf, so a new page is covered by itself; arguments of URL
patterns come from a small dataset (an approved entity, a published pledge, a draft, a country, an
event, a reporting cycle…), and a pattern whose argument nobody knows how to fill fails the test
(add it to URL_ARGUMENTS). Each page is opened by the first persona that gets it (anonymous,
member, entity administrator, secretariat); the forms are the <form> elements of the page; the
query parameters are those of its GET forms, of its links to itself, and a few every list reads.

To stay within about a minute, each request carries a different category in each field (a Latin
square: request k gives field i category (i + k) mod n), so every field and every parameter gets
every category exactly once; the 1 MB values go two fields at a time (the body limit for fields
is 2.5 MB), together with an upload whose file name is 1 MB long; other uploads carry malformed
UTF-8 under hostile file names. Each page's query parameters also get, one per page in turn, a
64 KB value, more than any server in front lets through (gunicorn refuses a request line over
4,094 bytes, nginx one over 8 KB): Django must cope with a proxy configured more generously; a
1 MB address would never reach it.

The Django admin is fed by its own module, test_hostile_admin_input.py (a superuser and the
secretariat, a seeded draw of its pages, parameters and forms); what a member saves is read back
from the database by test_hostile_input_kept.py.

Asserted: no 500; the hostile markup never comes back unescaped; a form that is shown again
(rejected) still holds what was typed in its text fields.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import translation

from tests.hostile_input import (
    COMMON_PARAMETERS,
    DESTRUCTIVE,
    NOT_PAGES,
    Feeder,
    Form,
    PageParser,
    feed_form,
    feed_parameters,
    hostile_dataset,
    url_arguments,
    walk,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(entity, entity_admin, member, secretariat, newcomer):
    return hostile_dataset(entity, entity_admin, member, secretariat, newcomer)


def pages(data) -> tuple[list[str], list[str]]:
    """Every page of the URLconf as an address, and the patterns nobody knows how to fill."""
    addresses, unknown = [], []
    with translation.override("en"):
        for pattern, name in walk(get_resolver().url_patterns):
            callback = pattern.callback
            module = f"{callback.__module__}.{getattr(callback, '__name__', '')}"
            if module in NOT_PAGES or name is None or name.endswith(":None"):
                continue  # unnamed: the admin's redirects and catch-all
            if name.startswith("admin:"):
                continue  # the secretariat's desk: Django's admin, not yet fed (too slow here)
            try:
                addresses.append(reverse(name))
                continue
            except NoReverseMatch:  # it takes arguments
                pass
            arguments = url_arguments(name, pattern, data)
            if arguments is None:
                unknown.append(f"{name} ({pattern.pattern})")
                continue
            addresses.extend(
                reverse(name, args=given) if isinstance(given, tuple) else
                reverse(name, kwargs=given) for given in arguments
            )
    return list(dict.fromkeys(addresses)), unknown


# The walk is shared out between tests that xdist's workers run side by side (`make test`), each a
# few tens of seconds instead of one of two minutes that kept a worker busy alone: the pages'
# query parameters in PAGE_PARTS parts (page k, with its turn k, in part k mod PAGE_PARTS), the
# forms in FORM_PARTS parts (each part finds the forms of every page, then feeds every
# FORM_PARTS-th of them in the order of the whole walk). Together the parts send what the whole
# walk sent; test_the_parts_share_out_every_page_and_form_once checks the sharing.
PAGE_PARTS = 3
FORM_PARTS = 3


def share(items: list, part: int, parts: int) -> list:
    """Part `part` (0 to parts - 1) of `items`: every parts-th item from the part-th."""
    return items[part::parts]


def logged_in_clients(dataset) -> dict[str, Client]:
    clients = {}
    for persona, user in dataset["personas"].items():
        clients[persona] = Client()
        if user is not None:
            clients[persona].force_login(user)
    return clients


def every_page(dataset) -> list[str]:
    addresses, unknown = pages(dataset)
    assert not unknown, (
        "These URL patterns take arguments the hostile-input test cannot fill: add them to "
        f"url_arguments(): {unknown}"
    )
    return addresses


def assert_no_problems(feeder: Feeder) -> None:
    assert not feeder.problems, (
        f"{len(feeder.problems)} problems in {feeder.requests} hostile requests:\n"
        + "\n".join(feeder.problems[:80])
    )


@pytest.mark.parametrize("part", range(PAGE_PARTS))
def test_every_parameter_of_every_page_survives_hostile_input(dataset, part):
    feeder = Feeder(logged_in_clients(dataset))
    personas = list(dataset["personas"])
    addresses = list(enumerate(every_page(dataset)))
    for turn, address in share(addresses, part, PAGE_PARTS):
        persona, response = _first_persona_served(feeder, personas, address)
        if response is None:
            continue
        parser = _parsed(response)
        names = set(COMMON_PARAMETERS)
        for link in parser.links:
            parts = urlsplit(html.unescape(link))
            if parts.path in ("", address):
                names.update(name for name, _v in parse_qsl(parts.query, keep_blank_values=True))
        for form in parser.forms:
            target = urlsplit(form.action).path or address
            if form.method == "get" and target == address:
                names.update(form.fields)
        feed_parameters(feeder, persona, address, sorted(names), turn)
    assert_no_problems(feeder)


@pytest.mark.parametrize("part", range(FORM_PARTS))
def test_every_field_of_every_form_survives_hostile_input(dataset, part):
    clients = logged_in_clients(dataset)
    feeder = Feeder(clients)
    for persona, target, form, page in share(forms_to_feed(feeder, dataset), part, FORM_PARTS):
        user = dataset["personas"][persona]

        def refresh(served, persona=persona, user=user, page=page, form=form):
            # A destructive form may have logged the persona out: log in again.
            if user is not None and "_auth_user_id" not in clients[persona].session:
                clients[persona].force_login(user)
            hidden = [name for name, kind in form.fields.items() if kind == "hidden"]
            if not served or not hidden:
                return {}
            response = clients[persona].get(page)  # the current version number
            parser = PageParser()
            parser.feed(response.content.decode(errors="replace"))
            return {name: parser.values[name][0] for name in hidden if parser.values.get(name)}

        feed_form(feeder, persona, target, form, refresh)
    assert_no_problems(feeder)


def forms_to_feed(feeder: Feeder, dataset) -> list[tuple[str, str, Form, str]]:
    """The POST forms of every page, once each (same target, fields and files), as (persona,
    target, form, page): each by the first persona its page is shown to, destructive ones last."""
    forms = []
    personas = list(dataset["personas"])
    for address in every_page(dataset):
        persona, response = _first_persona_served(feeder, personas, address)
        if response is None:
            continue
        for form in _parsed(response).forms:
            if form.method != "get":
                forms.append((persona, urlsplit(form.action).path or address, form, address))
    forms.sort(key=lambda item: bool(DESTRUCTIVE.search(item[1])))
    once = {}
    for persona, target, form, page in forms:
        key = (target, tuple(sorted(form.fields)), tuple(sorted(form.files)))
        once.setdefault(key, (persona, target, form, page))
    return list(once.values())


def test_the_parts_share_out_every_page_and_form_once():
    for parts in (PAGE_PARTS, FORM_PARTS):
        for count in range(300):
            items = list(range(count))
            shared = [item for part in range(parts) for item in share(items, part, parts)]
            assert sorted(shared) == items


def _parsed(response) -> PageParser:
    parser = PageParser()
    if "html" in response.get("Content-Type", "") and not response.streaming:
        parser.feed(response.content.decode(errors="replace"))
    return parser


def _first_persona_served(feeder: Feeder, personas: list[str], address: str):
    """The first persona (from anonymous up to the secretariat) the page is shown to."""
    last = (None, None)
    order = personas[::-1] if "/admin/" in address else personas
    for persona in order:
        response = feeder.send(persona, "get", address)
        if response is None:
            return None, None
        if response.status_code >= 500:
            feeder.check(persona, "get", address, {}, response)
            return None, None
        if response.status_code == 200:
            return persona, response
        last = (persona, response)
    return last
