"""Whatever a visitor or a robot puts in the address, the public pages answer with a normal page
(possibly empty) or a 404: never a server error, never their input unescaped."""

import re

import pytest

from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")

BAD_QUERIES = [
    "page=abc",
    "page=-1",
    "page=0",
    "page=1e9",
    "page=999999",
    "page=99999999999999999999999999",
    "page=%00",
    "q=" + "x" * 10_000,
    "q=" + "connect " * 2_000,
    "q=' OR 1=1 --",
    "q=%27%3B DROP TABLE pledges_pledge%3B --",
    "q=" + SCRIPT,
    "q=.*[(%5C",
    "q=%25_%25",
    "q=!!! & | ( ) : * <->",
    "q=%00%01%02",
    "q=%F0%9F%8C%8D école",
    "q=\"unbalanced",
    "type=nope",
    "type=" + SCRIPT,
    "area=unknown&area=access&area=access",
    "pillar=%00",
    "stakeholder=robots",
    "region=atlantis",
    "country=ZZZ",
    "country=rwa",
    "country=" + "A" * 5000,
    "targeting=XYZ",
    "beneficiary=' OR '1'='1",
    "sdg=abc",
    "sdg=99",
    "sdg=-1",
    "event=no-such-event",
    "year=abcd",
    "year=99999",
    "year=1800",
    "entity=abc",
    "entity=99999999999999999999999999",
    "entity=-5",
    "sort=evil",
    "sort=" + SCRIPT,
    "type[]=financial&area[0]=access",
    "&".join(["type=financial"] * 500),
]


@pytest.fixture
def some_pledges(db):
    PledgeFactory(published=True, financial=True)
    PledgeFactory(published=True)


@pytest.mark.parametrize("query", BAD_QUERIES)
@pytest.mark.parametrize("path", ["/en/pledges/", "/fr/pledges/", "/en/countries/RWA/",
                                  "/en/events/wtdc-22-kigali/"])
def test_bad_list_input_gives_a_normal_page(anonymous, some_pledges, path, query):
    response = anonymous.get(f"{path}?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert SCRIPT not in html
    assert not INLINE_SCRIPT.search(html)


@pytest.mark.parametrize("query", BAD_QUERIES)
@pytest.mark.parametrize("path", ["/en/pledges/export.csv", "/en/pledges/export.json"])
def test_bad_download_input_gives_a_normal_file(anonymous, some_pledges, path, query):
    response = anonymous.get(f"{path}?{query}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "reference" in content


def test_the_search_words_come_back_escaped(anonymous, some_pledges):
    html = anonymous.get("/en/pledges/", {"q": SCRIPT}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SCRIPT not in html


def test_a_long_search_is_cut_not_refused(anonymous, some_pledges):
    response = anonymous.get("/en/pledges/", {"q": "x" * 10_000})
    assert response.status_code == 200
    assert response.context["filters"].q == "x" * 200


def test_a_page_past_the_end_offers_the_first_page(anonymous, some_pledges):
    html = anonymous.get("/en/pledges/?page=999999&type=financial").content.decode()
    assert "There are fewer pledges than this page number suggests." in html
    assert 'href="?type=financial"' in html


def test_unknown_filter_values_are_ignored_not_fatal(anonymous, some_pledges):
    response = anonymous.get("/en/pledges/?type=nope&area=unknown&country=ZZZ")
    assert response.status_code == 200
    assert response.context["filters"].values == {}
    assert response.context["total"] == 2


@pytest.mark.parametrize(
    "path",
    [
        "/en/pledges/0/",
        "/en/pledges/999999/",
        "/en/pledges/99999999999999999999999999/",
        "/en/pledges/abc/",
        "/en/countries/ZZZ/",
        "/en/countries/RWANDA/",
        "/en/countries/R/",
        "/en/countries/%3Cscript%3E/",
        "/en/events/no-such-event/",
        "/en/events/" + "a" * 500 + "/",
    ],
)
def test_unknown_things_are_a_friendly_404(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 404
    assert not INLINE_SCRIPT.search(response.content.decode())


def test_a_lowercase_country_code_leads_to_the_country_page(anonymous):
    response = anonymous.get("/en/countries/rwa/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/en/countries/RWA/"


def test_public_pages_answer_head_and_refuse_writes(anonymous, some_pledges):
    assert anonymous.head("/en/pledges/").status_code == 200
    assert anonymous.post("/en/pledges/", {"q": "x"}).status_code == 405
    assert anonymous.post("/en/pledges/export.csv").status_code == 405
