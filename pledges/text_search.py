"""Finding pledges by their words, in any of the six languages, ignoring accents and case.

Two database functions carry the folding, under the same names on both databases, so that the
search is written once:

- ``p2c_unaccent(text)`` (p2c_portal.text_folding): the text without accents. On PostgreSQL an
  IMMUTABLE wrapper around the ``unaccent`` extension (migration 0008): ``unaccent()`` itself is
  only STABLE and cannot appear in an index expression. On SQLite (``make run``) a Python
  function registered on every connection, which also folds case.
- ``p2c_translations_text(translations)``: the titles and summaries of a pledge's translations as
  one text, so that a pledge is found by any of its languages.

On PostgreSQL the pledge's words are a full-text document (English and French stemming), stored
in a GIN-indexed column (migration 0030); on SQLite every word is a substring match of the
folded text.

Chinese and Japanese are written without spaces between words, so full-text search, which cuts
text into words at spaces, would see "推动数字包容" as one word and never find "数字" in it. A
query word written in those scripts is found as a substring instead, through a trigram index
(pg_trgm, migration 0014) on the text cut into overlapping pairs of characters (see
`unsegmented_grams`); with such a word in it, the query's web-search syntax is not read.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from bisect import bisect_right
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchVectorField
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import (
    BooleanField,
    Expression,
    ExpressionWrapper,
    Func,
    Q,
    TextField,
    Value,
)
from django.db.models.expressions import Col
from django.db.models.functions import Upper
from django.db.models.lookups import Contains, IContains, IExact

from members.models import Entity
from p2c_portal.text_folding import Unaccented, fold

from .models import Pledge
from .public_cache import KeptPerState, public_fingerprint

SEARCHED_COLUMNS = ("title", "reference", "summary", "description")
# Han (with extension A and the compatibility ideographs), hiragana, katakana (with the half-width
# forms) and Hangul syllables (Korean writes spaces but glues particles to its words). The same
# ranges as migration 0014's function; punctuation (、。「」，) is not in them and separates runs.
UNSEGMENTED_RUN = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]+"
)
MAX_RUN_LENGTH = 40  # characters of one run matched through the index; the rest are rechecked
MAX_WORDS = 8  # words matched one by one against entity names; the rest still match the text
MAX_ENTITIES = 2000


class TranslationsText(Func):
    function = "p2c_translations_text"
    output_field = TextField()


class PledgeText(Func):
    """PostgreSQL: the title, summary, description and translations of a pledge, as one text."""

    function = "p2c_pledge_text"
    output_field = TextField()


class UnsegmentedGrams(Func):
    """PostgreSQL: the overlapping pairs of characters of a text's Chinese, Japanese or Korean
    runs, space-separated and with a space at each end: "推动数字" gives " 推动 动数 数字 字 "."""

    function = "p2c_unsegmented_grams"
    output_field = TextField()


def translations_text(translations) -> str:
    """Every translated title and summary of a pledge, as one text (Python side of the SQL
    function of the same name)."""
    if isinstance(translations, str):
        try:
            translations = json.loads(translations)
        except ValueError:
            return ""
    if not isinstance(translations, dict):
        return ""
    parts = []
    for text in translations.values():
        if isinstance(text, dict):
            parts.extend(str(text.get(key) or "") for key in ("title", "summary"))
    return " ".join(parts)


def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "p2c_translations_text", 1, translations_text, deterministic=True
        )


connection_created.connect(_register_sqlite_functions, dispatch_uid="p2c_search_functions")


class StoredSearchDocument(Expression):
    """PostgreSQL: the pledge's column `search_document` (migration 0030), which the model does
    not declare: resolved to a column of the query's pledge table, so that it follows the table
    when the query becomes a subquery (aliases relabelled)."""

    output_field = SearchVectorField()

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False,
                           for_save=False):
        if query.model is not Pledge:
            raise ValueError("the search document is a column of the pledges' table")
        return Col(query.get_initial_alias(), _STORED_DOCUMENT, output_field=SearchVectorField())


_STORED_DOCUMENT = SearchVectorField()
_STORED_DOCUMENT.set_attributes_from_name("search_document")


def search_document() -> StoredSearchDocument:
    """PostgreSQL: the text a pledge is found by, unaccented, stemmed in English and in French,
    stored in a generated column that PostgreSQL computes on every write and indexes with GIN
    (migration 0030, which holds the expression; tests/pledges/test_public_search.py checks
    that the plan uses the index)."""
    return StoredSearchDocument()


def _is_plain(query: str) -> bool:
    """True when the query uses none of the web-search syntax: "phrases", -exclusion, or."""
    return '"' not in query and not any(
        word.startswith("-") or word.lower() == "or" for word in query.split()
    )


def _entity_matches(query: str, words: list[str]) -> tuple[list[int], list[list[int]]]:
    """Entities named by the whole query, and by each word: (phrase ids, ids per word). A name
    matches when it contains the text; an acronym when it is the text (accents and case
    ignored). PostgreSQL: compared in Python with the names as the database folds them, kept
    until an entity or a public pledge changes — comparing in the database unaccented every
    entity's name for every word (0.3–0.7 s a search at 5,000 entities, BENCHMARKS.md)."""
    if connection.vendor != "postgresql":
        return _entity_matches_in_database(query, words)
    folded_query, *folded_words = _folded_in_database([query, *words])
    names = _folded_entity_names()
    by_phrase = names.matching(folded_query)
    by_word = [names.matching(word) for word in folded_words]
    # The first MAX_ENTITIES entities (by id) that match anything, as the database would stop.
    chosen = sorted(by_phrase.union(*by_word))[:MAX_ENTITIES]
    return ([pk for pk in chosen if pk in by_phrase],
            [[pk for pk in chosen if pk in found] for found in by_word])


def _folded_in_database(texts: list[str]) -> list[str]:
    """The texts as the database compares them: UPPER(p2c_unaccent(text)), in one query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ARRAY(SELECT UPPER(p2c_unaccent(t)) FROM unnest(%s::text[]) "
                       "WITH ORDINALITY AS u(t, n) ORDER BY n)", [texts])
        return [text or "" for text in cursor.fetchone()[0]]


@dataclass
class FoldedEntityNames:
    """Every entity's name and acronym as the database folds them (UPPER(p2c_unaccent(...))),
    for one state of the entities and public pledges. The names are one string, each followed
    by a newline, so that finding a text in all of them is str.find's loop in C rather than a
    Python comparison per entity (5,000 a search)."""

    fingerprint: tuple
    token: str
    built_at: float
    names: str
    starts: list[int]  # where each entity's name begins in `names`, then len(names)
    ids: list[int]  # in the order of `names`: ascending
    by_acronym: dict[str, list[int]]

    def matching(self, text: str) -> set[int]:
        """The entities whose name contains `text` or whose acronym is it."""
        if not text:  # in every name, as `"" in name` is
            return set(self.ids)
        found = set(self.by_acronym.get(text, ()))
        if "\n" in text:  # no name holds one: it would join two names
            return found
        at = self.names.find(text)
        while at != -1:
            index = bisect_right(self.starts, at) - 1
            found.add(self.ids[index])
            at = self.names.find(text, self.starts[index + 1])  # on from the next name
        return found


_FOLDED_NAMES = KeptPerState("pledges:entity-names-folded:v1")


def _folded_entity_names() -> FoldedEntityNames:
    fingerprint = public_fingerprint()
    return _FOLDED_NAMES.get(fingerprint, lambda: _read_folded_entity_names(fingerprint))


def _read_folded_entity_names(fingerprint: tuple) -> FoldedEntityNames:
    rows = Entity.objects.order_by("pk").values_list(
        "pk", Upper(Unaccented("name")), Upper(Unaccented("acronym")))
    names, starts, ids, by_acronym, length = [], [], [], {}, 0
    for pk, name, acronym in rows:
        name = (name or "").replace("\n", " ") + "\n"
        starts.append(length)
        length += len(name)
        names.append(name)
        ids.append(pk)
        if acronym is not None:
            by_acronym.setdefault(acronym, []).append(pk)
    starts.append(length)
    return FoldedEntityNames(fingerprint=fingerprint, token=secrets.token_hex(8),
                             built_at=time.time(), names="".join(names), starts=starts,
                             ids=ids, by_acronym=by_acronym)


def _entity_matches_in_database(query: str, words: list[str]) -> tuple[list[int], list[list[int]]]:

    def names(text: str) -> Q:
        folded = Unaccented(Value(text))
        return Q(IContains(Unaccented("name"), folded)) | Q(IExact(Unaccented("acronym"), folded))

    tests = {"m_phrase": names(query)}
    tests.update({f"m_{number}": names(word) for number, word in enumerate(words)})
    rows = (
        Entity.objects.annotate(**{
            key: ExpressionWrapper(test, output_field=BooleanField())
            for key, test in tests.items()
        })
        .filter(reduce(or_, tests.values()))
        .values_list("pk", *tests)[:MAX_ENTITIES]
    )
    phrase: list[int] = []
    per_word: list[list[int]] = [[] for _word in words]
    for pk, by_phrase, *by_word in rows:
        if by_phrase:
            phrase.append(pk)
        for number, matched in enumerate(by_word):
            if matched:
                per_word[number].append(pk)
    return phrase, per_word


def _by_entity(ids: list[int]) -> Q:
    return Q(entity_id__in=ids) if ids else Q(pk__in=[])


def search_condition(query: str) -> Q:
    """Pledges whose words (in any of their languages), or whose entity's name or acronym, match
    the search: every word must be found, either in the pledge or in its entity's name, so that
    "Orange numérique" finds the Orange Foundation's digital pledges."""
    words = [word for word in re.split(r"\s+", query) if word][:MAX_WORDS]
    unsegmented = UNSEGMENTED_RUN.search(query) is not None
    if unsegmented:  # every word is found as it is written: quotes add nothing
        words = [word for word in (word.strip('"') for word in words) if word]
    plain = unsegmented or _is_plain(query)
    phrase_ids, ids_per_word = _entity_matches(query, words if plain else [])
    if connection.vendor != "postgresql":
        return _sqlite_condition(query.split()[:20], phrase_ids)
    if unsegmented:
        return _postgresql_unsegmented_condition(words, phrase_ids, ids_per_word)
    return _postgresql_condition(query, words if plain else [], phrase_ids, ids_per_word)


def _words_match(text: str, search_type: str) -> Q:
    """PostgreSQL: the pledge's full-text document matches `text` in English or in French."""
    from django.contrib.postgres.search import SearchQuery, SearchVectorExact

    folded = Unaccented(Value(text))
    words_query = SearchQuery(folded, config="english", search_type=search_type) | (
        SearchQuery(folded, config="french", search_type=search_type)
    )
    return Q(SearchVectorExact(search_document(), words_query))


def _postgresql_condition(query, words, phrase_ids, ids_per_word) -> Q:
    condition = _words_match(query, "websearch") | _by_entity(phrase_ids)
    if len(words) > 1 and any(ids_per_word):
        # Some words name an entity: each word in the pledge's text or in its entity's name.
        pairs = zip(words, ids_per_word, strict=True)
        condition |= reduce(
            and_, (_words_match(word, "plain") | _by_entity(ids) for word, ids in pairs)
        )
    return condition


def unsegmented_grams() -> UnsegmentedGrams:
    """PostgreSQL: the pairs of characters the index of migration 0014 is built on (change both
    together; tests/pledges/test_public_search.py checks that the plan uses the index)."""
    return UnsegmentedGrams(PledgeText("title", "summary", "description", "translations"))


def _grams_pattern(run: str) -> str:
    """What the pairs of a text contain where the text contains `run`: its pairs in order, the
    last character beginning the next pair. " 数字 字包 包" is in " 推动 动数 数字 字包 包容 容 "
    exactly where "数字包" is in "推动数字包容"; " 数" wherever 数 is. The pairs before the last
    are all two characters long, so they come from one run of the text, one after the other."""
    return " " + " ".join(run[position:position + 2] for position in range(len(run)))


def _unsegmented_word_match(word: str) -> Q:
    """PostgreSQL: the pledge's text contains `word`, which has Chinese, Japanese or Korean in
    it, as a substring, found through the trigram index on the text's pairs of characters."""
    runs = UNSEGMENTED_RUN.findall(word)
    grams = unsegmented_grams()
    condition = reduce(and_, (Q(Contains(grams, _grams_pattern(run[:MAX_RUN_LENGTH])))
                              for run in runs[:MAX_WORDS]))
    if runs != [word] or len(word) > MAX_RUN_LENGTH:
        # Other characters too ("5G网络"), or a long run: the rows the index found must also
        # contain the whole word as it was typed, ignoring accents and case.
        whole_text = Unaccented(PledgeText("title", "summary", "description", "translations"))
        condition &= Q(IContains(whole_text, Unaccented(Value(word))))
    return condition


def _postgresql_unsegmented_condition(words, phrase_ids, ids_per_word) -> Q:
    """Every word in the pledge or in its entity's name: Chinese, Japanese or Korean words as
    substrings of the pledge's text, the others in its full-text document."""

    def found(word: str) -> Q:
        if UNSEGMENTED_RUN.search(word):
            return _unsegmented_word_match(word)
        return _words_match(word, "plain")

    pairs = zip(words, ids_per_word, strict=True)
    return reduce(and_, (found(word) | _by_entity(ids) for word, ids in pairs)) | (
        _by_entity(phrase_ids)
    )


def _sqlite_condition(words: list[str], phrase_ids: list[int]) -> Q:
    """Every word in one of the pledge's texts or in its entity's name or acronym."""
    texts = [Unaccented(name) for name in SEARCHED_COLUMNS]
    texts.append(Unaccented(TranslationsText("translations")))
    conditions = []
    for word in words:
        folded = fold(word)
        found = [Q(IContains(text, folded)) for text in texts]
        found += [Q(IContains(Unaccented("entity__name"), folded)),
                  Q(IExact(Unaccented("entity__acronym"), folded))]
        conditions.append(reduce(or_, found))
    return reduce(and_, conditions, Q()) | _by_entity(phrase_ids)
