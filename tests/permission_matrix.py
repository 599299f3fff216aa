"""What the permission-matrix tests share (tests/<app>/test_permission_matrix.py): the expected
answers, a persona's client, and the check of a response against what was expected.

A matrix row is `name: (method, url, {persona: expected})`, "*" standing for every persona not
named; the URL may be a template filled in with the ids of the test's objects ("{draft}").
`expected` is a status code, LOGIN (sent to the site's login page), ADMIN_LOGIN (the admin's own
redirect for anyone who is not staff; its login page sends on to the site's), a `Redirect`
elsewhere, or a `Disagreement`: the answer the product's rules call for where the code gives
another, run as a strict xfail so that the test says so until the code is fixed.
"""

import re
from dataclasses import dataclass

import pytest
from django.test import Client

from tests.factories import EntityFactory, MembershipFactory, UserFactory

LOGIN = "login"
ADMIN_LOGIN = "admin login"


# Everyone a page may be asked by: the personas of tests/conftest.py.
PERSONAS = [
    "anonymous",
    "newcomer",
    "viewer",
    "member",
    "entity_admin",
    "other_member",
    "staff_outsider",
    "secretariat",
]
OUTSIDERS = {"newcomer": 404, "other_member": 404, "staff_outsider": 404}  # of `entity`
# A partnership (invitation, request to join, contribution and its changes) is seen by the
# members of either side only: the secretariat too gets a 404 there (it decides in the admin).
NOT_A_SIDE = {**OUTSIDERS, "secretariat": 404}


def desk_answers(personas: list[str]) -> dict:
    """A page of the admin: anyone who is not staff is sent to the admin's login, staff outside
    the secretariat get a 403, the secretariat the page."""
    return {**{persona: ADMIN_LOGIN for persona in personas
               if persona not in ("staff_outsider", "secretariat")},
            "staff_outsider": 403, "secretariat": 200}


DESK = desk_answers(PERSONAS)


@dataclass(frozen=True)
class Redirect:
    """A 302 whose whole Location matches this regular expression (a template, like the rows'
    URLs: "{draft}" stands for an object's id)."""

    to: str


@dataclass(frozen=True)
class Disagreement:
    """The rules say `expected`; the code answers `code_gives` (why: what the rule is)."""

    expected: int | str | Redirect
    code_gives: int | str | Redirect
    why: str


def expected_for(expectations: dict, persona: str):
    return expectations.get(persona, expectations.get("*"))


def matrix_params(rows: dict, personas: list[str]) -> list:
    """One case per (row, persona), named "row-persona"; a Disagreement runs as a strict xfail."""
    params = []
    for name, (_method, _url, expectations) in rows.items():
        for persona in personas:
            expected = expected_for(expectations, persona)
            marks = []
            if isinstance(expected, Disagreement):
                marks = [pytest.mark.xfail(strict=True, reason=(
                    f"Disagreement with the rules: {expected.why} (the code answers "
                    f"{expected.code_gives!r}, the rules call for {expected.expected!r})"
                ))]
            params.append(pytest.param(name, persona, id=f"{name}-{persona}", marks=marks))
    return params


def administrator_of_another_entity(email: str, entity_name: str):
    """The administrator of a third entity (`other_member`'s is an outsider to both sides): the
    other side of a partnership in the matrices of partnerships."""
    user = UserFactory(email=email)
    MembershipFactory(user=user, entity=EntityFactory(name=entity_name), role="administrator")
    return user


def url_and_form(url: str, field: str, form: dict) -> tuple[str, dict]:
    """A row's "…/?field=value" URL as the URL posted to and the form posted, with the value."""
    path, _separator, value = url.partition(f"?{field}=")
    return path, {**form, field: value}


def client_as(request, persona: str) -> Client:
    """The `anonymous` client, logged in as the persona fixture of that name (tests/conftest.py)."""
    client = request.getfixturevalue("anonymous")
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def assert_answer(response, expected, ids=None, *, language: str = "en") -> None:
    """The response is what `expected` says; `ids` fills in the templates of a Redirect."""
    if isinstance(expected, Disagreement):
        expected = expected.expected
    status, location = response.status_code, response.headers.get("Location", "")
    answer = f"the answer was {status}" + (f" to {location}" if location else "")
    if expected == LOGIN:
        assert status == 302 and location.startswith(f"/{language}/accounts/login/"), answer
    elif expected == ADMIN_LOGIN:
        assert status == 302 and location.startswith(f"/{language}/admin/login/"), answer
    elif isinstance(expected, Redirect):
        target = expected.to.format_map(ids) if ids is not None else expected.to
        assert status == 302 and re.fullmatch(target, location), f"{answer}, not to {target}"
    else:
        assert status == expected, f"{answer}, not {expected}"
