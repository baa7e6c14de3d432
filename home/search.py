"""Site search in the municipality's own language, compounds included.

Norwegian and Swedish write compounds as one word: a page about "skoleskyss" or "grunnskolen"
should answer the query "skole", a page about "förskoleplats" the query "förskola". Wagtail's
database backend has one text search configuration for the whole index (and SQLite none), while
Alvdal writes bokmål and Avesta Swedish in the same index table. So the language work is done
here, in Python, with the Snowball stemmers (the algorithms behind PostgreSQL's ``norwegian``
and ``swedish`` configurations), and both PostgreSQL and SQLite only match the tokens:

* **Indexing** (:class:`WordForms`, in the page types' ``search_fields``): besides the text
  itself, each page indexes the stems of its words in its site's language (``skolene`` ->
  ``skol``) and the tails of its longer words (``grunnskolen`` -> ``skolen``, ``kolen``, ...),
  so that a query word can be found at the end or in the middle of a compound.
* **Querying** (:func:`search_pages`, through the query-only ``site`` backend): each query word
  is stemmed in the site's language; a stem of four letters or more matches as a prefix (words,
  stems and tails starting with it: inflections, compounds that start, end or continue with
  it), a shorter one only as a whole stem or word ("is" must not find "isolasjon"). Stop words
  are dropped unless the query has nothing else.
* **Ranking**: titles before bodies, short titles first. PostgreSQL adds a bonus for titles
  that hold the query word itself or an inflection of it, so the page titled with the exact
  word comes before the compounds; SQLite weighs the title column five times in FTS5's bm25.

The stemmers come from the ``snowballstemmer`` package, with one addition for Swedish: the
definite -an of words in -a ("förskolan") comes off too; Snowball leaves it.

The index holds every page's word forms, so after a change here (or to the minimum lengths)
run ``manage.py update_index``.
"""

import re
import threading
from functools import cache, lru_cache

import snowballstemmer
from django.conf import settings
from django.db import connection
from modelsearch.query import And, PlainText
from wagtail.search import index
from wagtail.search.backends import get_search_backend

#: Snowball algorithm for each site language (Municipality.language and settings.LANGUAGES).
STEMMERS = {
    "nb": "norwegian",
    "nn": "norwegian",
    "no": "norwegian",
    "sv": "swedish",
    "da": "danish",
    "fi": "finnish",
    "en": "english",
}

#: Snowball's stop word lists (snowballstem.org; PostgreSQL ships the same files as
#: norwegian.stop and swedish.stop). The Norwegian list covers bokmål and nynorsk.
_NORWEGIAN_STOP_WORDS = """
        og i jeg det at en et den til er som på de med han av ikke ikkje der så var meg seg men
        ett har om vi min mitt ha hadde hun nå over da ved fra du ut sin dem oss opp man kan hans
        hvor eller hva skal selv sjøl her alle vil bli ble blei blitt kunne inn når være kom noen
        noe ville dere deres kun ja etter ned skulle denne for deg si sine sitt mot å meget
        hvorfor dette disse uten hvordan ingen din ditt blir samme hvilken hvilke sånn inni
        mellom vår hver hvem vors hvis både bare enn fordi før mange også slik vært båe begge
        siden dykk dykkar dei deira deires deim di då eg ein eit eitt elles honom hjå ho hoe
        henne hennar hennes hoss hossen ingi inkje korleis korso kva kvar kvarhelst kven kvi
        kvifor me medan mi mine mykje no nokon noka nokor noko nokre sia sidan so somt somme um
        upp vere vore verte vort varte vart
"""
_SWEDISH_STOP_WORDS = """
        och det att i en jag hon som han på den med var sig för så till är men ett om hade de av
        icke mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde
        något från ut när efter upp vi dem vara vad över än dig kan sina här ha mot alla under
        någon eller allt mycket sedan ju denna själv detta åt utan varit hur ingen mitt ni bli
        blev oss din dessa några deras blir mina samma vilken er sådan vår blivit dess inom
        mellan sådant varför varje vilka ditt vem vilket sitta sådana vart dina vars vårt våra
        ert era vilkas
"""
STOP_WORDS = {
    "norwegian": frozenset(_NORWEGIAN_STOP_WORDS.split()),
    "swedish": frozenset(_SWEDISH_STOP_WORDS.split()),
}

#: A compound tail starts after at least this many letters ("grunn|skolen", "bygg|lovet").
MIN_HEAD = 3
#: ...and is at least this long ("skole|skyss"). Shorter tails would let three-letter words
#: answer for any word ending in them ("tak" for "mottak"); short query words match whole.
MIN_TAIL = 4
#: Query stems at least this long match as a prefix; shorter ones only as a whole word or stem.
MIN_PREFIX = 4
#: Words of a query beyond this many are ignored (every word must match).
MAX_TERMS = 12

_WORD = re.compile(r"[^\W_]+")
_local = threading.local()


def stemmer_for(language):
    """The Snowball algorithm for a language code ("nb", "sv-se"), or None."""
    if not language:
        return None
    return STEMMERS.get(language.lower().split("-")[0].split("_")[0])


@lru_cache(maxsize=200_000)
def stem(word, algorithm):
    """``word`` (lower case) stemmed by ``algorithm``; the word itself without one."""
    if algorithm is None:
        return word
    stemmers = _local.__dict__.setdefault("stemmers", {})  # Snowball stemmers keep state
    if algorithm not in stemmers:
        stemmers[algorithm] = snowballstemmer.stemmer(algorithm)
    stemmed = stemmers[algorithm].stemWord(word)
    if algorithm == "swedish" and stemmed.endswith("an") and len(stemmed) - 2 >= _r1(stemmed):
        # Snowball's Swedish stemmer leaves the definite -an of words in -a ("skolan",
        # "förskolan", "kyrkan"), which would then not meet "skola" or "förskolor". Taken off
        # here within R1, as Snowball takes off its endings ("plan" keeps its "an").
        stemmed = stemmed[:-2]
    return stemmed


_SWEDISH_VOWELS = frozenset("aeiouyäåö")


def _r1(word):
    """Where Snowball's region R1 starts in a Swedish word (at least after three letters)."""
    for position in range(1, len(word)):
        if word[position - 1] in _SWEDISH_VOWELS and word[position] not in _SWEDISH_VOWELS:
            return max(position + 1, 3)
    return len(word)


def words(text):
    """The words of ``text``, lower case, in order (letters and digits; hyphens split)."""
    return _WORD.findall(text.lower())


@lru_cache(maxsize=200_000)
def _forms(word, algorithm):
    forms = {}
    stemmed = stem(word, algorithm)
    if stemmed != word:
        forms[stemmed] = None
    for start in range(MIN_HEAD, len(word) - MIN_TAIL + 1):
        forms[word[start:]] = None
    return tuple(forms)


def word_forms(text, language):
    """What the index holds for ``text`` besides the text: stems and compound tails."""
    algorithm = stemmer_for(language)
    stop_words = STOP_WORDS.get(algorithm, frozenset())
    forms = {}
    for word in dict.fromkeys(words(text)):
        if word.isalpha() and word not in stop_words:
            forms.update(dict.fromkeys(_forms(word, algorithm)))
    return " ".join(forms)


def page_language(page):
    """The language of the municipality whose site holds ``page`` (the site default without).

    Read from the municipalities (once per request, see ``publishing.memo``), not from
    Wagtail's cached site root paths, which can be older than the sites themselves while
    profiles are loaded; kept on the page object.
    """
    language = getattr(page, "_search_language", None)
    if language is None:
        from publishing.models import Municipality

        path = getattr(page, "path", None) or ""
        municipality = Municipality.objects.for_page(page) if path else None
        language = municipality.language if municipality else settings.LANGUAGE_CODE
        page._search_language = language
    return language


class WordForms(index.SearchField):
    """Indexes the stems and compound tails of a field's words, in the page's site language.

    ``WordForms("title")`` goes with the title (PostgreSQL keeps it in the title vector).
    """

    def get_value(self, obj):
        value = super().get_value(obj)
        if not value:
            return ""
        if not isinstance(value, str):
            value = " ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
        return word_forms(value, page_language(obj))


def word_form_fields(*field_names):
    """``search_fields`` entries for the word forms of ``field_names``.

    The title's forms weigh as much as the title (Wagtail's boost for it, so that PostgreSQL's
    weights stay as they are): "Grunnskolen" in a title counts as a title match for "skole".
    """
    from wagtail.models import Page

    boosts = {
        field.field_name: field.boost
        for field in Page.search_fields
        if type(field) is index.SearchField
    }
    return [WordForms(name, boost=boosts.get(name)) for name in field_names]


class Term(PlainText):
    """One query word: matched by its stem's prefix (long stems) or as stem or word."""

    def __init__(self, word, stemmed):
        super().__init__(word)
        self.word = word
        self.stem = stemmed
        self.prefix = len(stemmed) >= MIN_PREFIX

    def alternatives(self):
        """The exact tokens that answer this word: the stem and the word itself."""
        return list(dict.fromkeys([self.stem, self.word]))

    def __repr__(self):
        return f"<Term {self.word!r} stem={self.stem!r} prefix={self.prefix}>"


def build_query(text, language):
    """The search query for ``text`` in ``language``, or None if it holds no word."""
    algorithm = stemmer_for(language)
    stop_words = STOP_WORDS.get(algorithm, frozenset())
    found = list(dict.fromkeys(words(text)))
    content = [word for word in found if word not in stop_words] or found
    terms = [Term(word, stem(word, algorithm)) for word in content[:MAX_TERMS]]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else And(terms)


def search_pages(pages, text, language):
    """Search ``pages`` (a page queryset) for ``text`` in ``language``, best first."""
    query = build_query(text, language)
    if query is None:
        return pages.none()
    return get_search_backend("site").search(query, pages)


def _terms(query):
    """The words of a query that :func:`build_query` made (a Term or an And of Terms), or
    None for any other query."""
    if isinstance(query, Term):
        return [query]
    if isinstance(query, And):
        parts = [_terms(subquery) for subquery in query.subqueries]
        if all(part is not None for part in parts):
            return [term for part in parts for term in part]
    return None


# The query-only backend. Wagtail's own database backend ("default") keeps the index; this one
# reads it and knows the Term query. Its classes are made on first use: the vendor modules load
# the index models, which do not exist yet while this module is imported by home.models.

#: How much a title with the query word itself (or an inflection) adds to the rank.
EXACT_TITLE_BONUS = 2.0
#: SQLite: how much more a match in the title counts than one in the body (FTS5's bm25).
SQLITE_TITLE_WEIGHT = 5.0
#: SQLite: at most this many results are read in rank order at once (more: unordered).
SQLITE_MAX_ORDERED = 5000


@cache
def _postgres_backend():
    from django.contrib.postgres.search import SearchQuery, SearchRank
    from django.db.models import F, Q
    from modelsearch.backends.database.postgres.postgres import (
        PostgresSearchBackend,
        PostgresSearchQueryCompiler,
    )
    from modelsearch.backends.database.postgres.query import Lexeme

    class SiteQueryCompiler(PostgresSearchQueryCompiler):
        def build_tsquery_content(self, query, config=None, invert=False):
            if not isinstance(query, Term):
                return super().build_tsquery_content(query, config=config, invert=invert)
            if query.prefix:
                lexemes = Lexeme(query.stem, prefix=True, invert=invert)
            else:
                lexemes = _combine(
                    [Lexeme(token, invert=invert) for token in query.alternatives()], invert
                )
            return SearchQuery(lexemes, search_type="raw", config=config)

        def _build_rank_expression(self, vectors, config):
            rank = super()._build_rank_expression(vectors, config)
            terms = _terms(self.query)
            if self.fields is not None or not terms:
                return rank
            exact = _combine([Lexeme(t) for term in terms for t in term.alternatives()], False)
            title_rank = SearchRank(
                F("index_entries__title"),
                SearchQuery(exact, search_type="raw", config=config),
                weights=self.sql_weights,
            )
            return rank + title_rank * F("index_entries__title_norm") * EXACT_TITLE_BONUS

        def search(self, config, start, stop, score_field=None, backend=None):
            terms = _terms(self.query)
            if self.fields is not None or not terms:
                return super().search(config, start, stop, score_field, backend=backend)
            # Every word in the title or in the body. Wagtail tests the concatenation
            # (title || body), which no index covers and which PostgreSQL builds for every
            # row; the columns one by one use their GIN indexes, and cost little without them.
            condition = Q()
            for term in terms:
                tsquery = self.build_tsquery(term, config=config)
                condition &= Q(index_entries__title=tsquery) | Q(index_entries__body=tsquery)
            queryset = self.queryset.filter(condition)
            rank = self._build_rank_expression(self.get_index_vectors(None), config)
            return self._apply_ordering_and_scoring(queryset, rank, start, stop, score_field)

    class SitePostgresSearchBackend(QueryOnly, PostgresSearchBackend):
        query_compiler_class = SiteQueryCompiler

    return SitePostgresSearchBackend


@cache
def _sqlite_backend():
    from django.db.models import Case, IntegerField, Value, When
    from modelsearch.backends.database.sqlite.query import (
        BM25,
        Lexeme,
        LexemeCombinable,
        MatchExpression,
        SearchQueryExpression,
        SearchQueryField,
        SQLiteFTSIndexEntry,
    )
    from modelsearch.backends.database.sqlite.sqlite import (
        SQLiteSearchBackend,
        SQLiteSearchQueryCompiler,
    )
    from modelsearch.utils import get_descendants_content_types_pks

    class Grouped(LexemeCombinable):
        """Alternatives in parentheses: FTS5 binds AND tighter than OR."""

        _output_field = SearchQueryField()

        def __init__(self, inner):
            super().__init__(output_field=SearchQueryField())
            self.inner = inner

        def as_sql(self, compiler, connection):
            sql, params = compiler.compile(self.inner)
            return "%s", [f"({sql % tuple(params)})"]

    class WeightedBM25(BM25):
        """FTS5's bm25 with the columns weighted (autocomplete, body, title), titles first."""

        def as_sql(self, compiler, connection, function=None, template=None):
            table = SQLiteFTSIndexEntry._meta.db_table
            return f"bm25({table}, 0, 1, {SQLITE_TITLE_WEIGHT})", []

    class SiteQueryCompiler(SQLiteSearchQueryCompiler):
        def build_search_query_content(self, query, config=None):
            if not isinstance(query, Term):
                return super().build_search_query_content(query, config=config)
            if query.prefix:
                lexemes = Lexeme(query.stem, prefix=True)
            else:
                lexemes = Grouped(_combine([Lexeme(t) for t in query.alternatives()], False))
            return SearchQueryExpression(lexemes)

        def build_tsrank(self, vector, query, config=None, boost=1.0):
            if isinstance(query, Term):
                return WeightedBM25() * boost if boost != 1.0 else WeightedBM25()
            return super().build_tsrank(vector, query, config=config, boost=boost)

        def search(self, config, start, stop, score_field=None):
            terms = _terms(self.query)
            if self.fields is not None or not terms or score_field or not self.order_by_relevance:
                return super().search(config, start, stop, score_field)
            # Wagtail ranks each result with a subquery that runs the full-text query again,
            # which costs a second for a common word on 2,000 pages. Here the full-text query
            # runs once (index entries first, as FTS5 answers fastest), its scores are sorted in
            # Python and the page asked for is read in that order.
            match = MatchExpression(
                self.FTS_TABLE_FIELDS, self.build_search_query(self.query, config=config)
            )
            entries = SQLiteFTSIndexEntry.objects.filter(match).filter(
                index_entry__content_type__in=get_descendants_content_types_pks(self.queryset.model)
            )
            rank = self._build_rank_expression(self.get_search_vectors(), config)
            scores = dict(
                entries.annotate(score=rank).values_list("index_entry__object_id", "score")
            )
            found = self.queryset.filter(pk__in=entries.values("index_entry__object_id"))
            ordered = sorted(
                found.values_list("pk", flat=True), key=lambda pk: (scores[str(pk)], -pk)
            )
            chosen = ordered[start:stop]
            if len(chosen) > SQLITE_MAX_ORDERED:
                # Counting, or reading thousands at once: newest first, not by rank.
                return found.order_by("-pk")[start:stop]
            if not chosen:
                return self.queryset.none()
            position = Case(
                *(When(pk=pk, then=Value(number)) for number, pk in enumerate(chosen)),
                output_field=IntegerField(),
            )
            return self.queryset.filter(pk__in=chosen).order_by(position)

    class SiteSQLiteSearchBackend(QueryOnly, SQLiteSearchBackend):
        query_compiler_class = SiteQueryCompiler

    return SiteSQLiteSearchBackend


def _combine(lexemes, invert):
    combined = lexemes[0]
    for lexeme in lexemes[1:]:
        combined = combined & lexeme if invert else combined | lexeme
    return combined


class QueryOnly:
    """Reads the index that the default backend writes: nothing to rebuild or update here."""

    rebuilder_class = None

    def __init__(self, params):
        # The same text search configuration as the index (the default backend's), since the
        # tokens are already in the site's language.
        default = settings.WAGTAILSEARCH_BACKENDS.get("default", {})
        params = {**params, "SEARCH_CONFIG": default.get("SEARCH_CONFIG"), "ATOMIC_REBUILD": False}
        super().__init__(params)
        self.rebuilder_class = None

    def add(self, obj):
        pass

    def add_bulk(self, model, obj_list):
        pass

    def delete(self, obj):
        pass


def SearchBackend(params):
    """The site search backend for the database in use (PostgreSQL or SQLite with FTS5)."""
    if connection.vendor == "postgresql":
        return _postgres_backend()(params)
    if connection.vendor == "sqlite":
        from modelsearch.backends.database.sqlite.utils import fts5_available

        if fts5_available():
            return _sqlite_backend()(params)
    raise NotImplementedError(
        f"The site search needs PostgreSQL or SQLite with FTS5, not {connection.vendor}"
    )
