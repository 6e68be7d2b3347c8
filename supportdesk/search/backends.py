"""Index backends: SQLite FTS5 and PostgreSQL full text, one interface.

Both store the same ``SearchDocument`` rows (written with the ORM); they differ only in the
match-and-rank query. A query runs in two passes: the word index first (title weighted over
body), then, when that leaves room, the character-gram index as a recall fallback, so a one-
or two-character Chinese query still finds text jieba segmented differently.

Queries are built from analysed tokens only, each quoted, so no input reaches either
engine's query syntax: quotes, AND, *, NEAR or a 5,000-character paste cannot fail.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.safestring import SafeString

from supportdesk.accounts.models import User
from supportdesk.search.analysis import Query, analyze, analyze_query, index_form, joined
from supportdesk.search.choices import DocKind
from supportdesk.search.highlight import highlight
from supportdesk.search.models import IndexState, SearchDocument

MAX_BODY = 20_000
# Each engine ranks at most this many (the newest) matches of a query (see ``_match``).
CANDIDATES = 2000


@dataclass
class DocFields:
    title: str
    body: str = ""
    keywords: str = ""  # ranked with the title (article keywords, ticket number...)
    organization_id: int | None = None
    is_public: bool = False
    ref: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    is_open: bool | None = None
    archived: bool = False
    required_permissions: str = ""


@dataclass
class Filters:
    """Narrowing on top of permissions: ``state`` "open" or "closed" (tickets), and whether
    archived tickets are included (they are by default: old cases are the useful ones)."""

    state: str = ""
    include_archived: bool = True


@dataclass
class Hit:
    kind: str
    object_id: int
    ref: str
    title: str
    title_html: SafeString
    snippet: SafeString
    score: float
    extra: dict[str, Any]
    organization_id: int | None


def _state() -> IndexState:
    state = IndexState.objects.first()
    if state is None:
        state, _ = IndexState.objects.get_or_create(pk=1)
    return state


def document_values(fields: DocFields) -> dict[str, Any]:
    title_tokens = analyze(f"{fields.title} {fields.keywords}")
    body_tokens = analyze(fields.body[:MAX_BODY])
    return {
        "organization_id": fields.organization_id,
        "is_public": fields.is_public,
        "ref": fields.ref,
        "title": fields.title[:300],
        "body": fields.body[:MAX_BODY],
        "extra": fields.extra,
        "is_open": fields.is_open,
        "archived": fields.archived,
        "required_permissions": fields.required_permissions or None,
        "title_tokens": joined(title_tokens.words),
        "body_tokens": joined(body_tokens.words),
        "gram_tokens": joined(title_tokens.grams + body_tokens.grams),
    }


def visibility(
    user: User | None,
    kinds: list[str],
    *,
    permitted: list[str] | None = None,
    public_only: bool = False,
) -> tuple[str, list[Any]]:
    """SQL condition (on alias ``d``) for what ``user`` may find: agents everything, a
    customer public articles and their own organization's tickets, anyone else nothing.

    On top of that, an article that requires permissions is found only when its (normalized)
    requirement is one of ``permitted``, the requirements the reader satisfies; ``None``
    means none. ``public_only`` narrows anyone to public articles (the portal's
    suggestions show only what a customer could read).
    """
    cond, params = _by_role(user, kinds, public_only=public_only)
    if cond == "1 = 0":
        return cond, params
    allowed = list(permitted or [])
    marks = ", ".join(["%s"] * len(allowed))
    restriction = (
        f"(d.required_permissions IS NULL OR d.required_permissions IN ({marks}))"
        if allowed
        else "d.required_permissions IS NULL"
    )
    return f"{cond} AND {restriction}", [*params, *allowed]


def scope_tokens(user: User | None, kinds: list[str], *, public_only: bool = False) -> list[str]:
    """The scope tokens (see migration 0006) of what someone other than an agent may find:
    public articles, and a customer's own organization's tickets. ``visibility`` stays the
    rule; these only let the engine start from the right few documents."""
    kinds = [k for k in kinds if k in DocKind.values] or list(DocKind.values)
    tokens = ["zzpublic"] if DocKind.ARTICLE in kinds else []
    if (
        DocKind.TICKET in kinds
        and not public_only
        and user is not None
        and user.is_authenticated
        and user.is_customer
        and user.organization_id is not None
    ):
        tokens.append(f"zzorg{user.organization_id}")
    return tokens


def _is_agent(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_agent)


def _by_role(user: User | None, kinds: list[str], *, public_only: bool) -> tuple[str, list[Any]]:
    kinds = [k for k in kinds if k in DocKind.values] or list(DocKind.values)
    if public_only:
        if DocKind.ARTICLE not in kinds:
            return "1 = 0", []
        return "(d.kind = %s AND d.is_public)", [DocKind.ARTICLE.value]
    if _is_agent(user):
        marks = ", ".join(["%s"] * len(kinds))
        return f"d.kind IN ({marks})", list(kinds)
    parts: list[str] = []
    params: list[Any] = []
    if DocKind.ARTICLE in kinds:
        parts.append("(d.kind = %s AND d.is_public)")
        params.append(DocKind.ARTICLE.value)
    if (
        DocKind.TICKET in kinds
        and user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_customer
        and user.organization_id is not None
    ):
        parts.append("(d.kind = %s AND d.organization_id = %s)")
        params += [DocKind.TICKET.value, user.organization_id]
    if not parts:
        return "1 = 0", []
    return "(" + " OR ".join(parts) + ")", params


class SearchBackend:
    vendor = ""

    # --- writing --------------------------------------------------------------------------

    def index_document(self, kind: str, object_id: int, fields: DocFields) -> None:
        values = document_values(fields)
        state = _state()
        generations = {state.active, *([state.building] if state.building else [])}
        for generation in generations:
            try:
                with transaction.atomic():
                    SearchDocument.objects.update_or_create(
                        generation=generation, kind=kind, object_id=object_id, defaults=values
                    )
            except IntegrityError:
                # Another worker inserted the same document between our read and insert:
                # the row exists now, so an update is enough.
                SearchDocument.objects.filter(
                    generation=generation, kind=kind, object_id=object_id
                ).update(**values)

    def remove(self, kind: str, object_id: int) -> None:
        SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()

    def compact(self) -> None:
        """Tidies the index after a rebuild wrote and deleted a whole generation."""

    # --- reading --------------------------------------------------------------------------

    def _match(
        self,
        tokens: list[str],
        *,
        grams: bool,
        where: str,
        params: list[Any],
        limit: int,
        scope: list[str] | None = None,
    ) -> list[tuple[int, float]]:
        """Ids and scores of the best ``limit`` documents matching any of ``tokens`` under
        ``where``. ``scope``, for anyone but agents: ``where`` admits only a few thousand
        documents, those carrying one of these scope tokens (``scope_tokens``), so the query
        starts from them and ranks every match, not just the newest."""
        raise NotImplementedError

    def search(
        self,
        query: str,
        *,
        kinds: list[str] | None = None,
        user: User | None,
        limit: int = 20,
        synonyms: list[list[str]] | None = None,
        exclude: list[tuple[str, int]] | None = None,
        filters: Filters | None = None,
        permitted: list[str] | None = None,
        public_only: bool = False,
    ) -> list[Hit]:
        q = analyze_query(query, synonyms)
        if q.is_empty or limit <= 0:
            return []
        cond, params = visibility(user, kinds or [], permitted=permitted, public_only=public_only)
        where = f"d.generation = %s AND {cond}"
        params = [_state().active, *params]
        filters = filters or Filters()
        if filters.state in ("open", "closed"):
            # Articles and customers have no state (NULL) and stay in the results.
            where += " AND (d.is_open IS NULL OR d.is_open = %s)"
            params.append(filters.state == "open")
        if not filters.include_archived:
            where += " AND NOT d.archived"
        excluded = set(exclude or [])
        want = limit + len(excluded)
        scope = (
            None
            if _is_agent(user) and not public_only
            else scope_tokens(user, kinds or [], public_only=public_only)
        )
        ranked = []
        if q.words:
            ranked = self._match([index_form(w) for w in q.words], grams=False, where=where,
                                 params=params, limit=want, scope=scope)  # fmt: skip
        if len(ranked) < want and q.grams:
            seen = {doc_id for doc_id, _ in ranked}
            more = self._match([index_form(g) for g in q.grams], grams=True, where=where,
                               params=params, limit=want + len(seen), scope=scope)  # fmt: skip
            # Gram matches rank after every word match.
            ranked += [(doc_id, score - 1e6) for doc_id, score in more if doc_id not in seen]
        return self._hits(ranked, q, excluded, limit)

    def _hits(
        self, ranked: list[tuple[int, float]], q: Query, excluded: set[tuple[str, int]], limit: int
    ) -> list[Hit]:
        docs = SearchDocument.objects.in_bulk([doc_id for doc_id, _ in ranked])
        identifiers = set(q.identifiers)
        hits: list[Hit] = []
        for doc_id, score in ranked:
            doc = docs.get(doc_id)
            if doc is None or (doc.kind, doc.object_id) in excluded:
                continue
            # A ticket number typed in full is a look-up: that ticket comes first.
            boost = 1e9 if doc.ref and doc.ref.lower() in identifiers else 0.0
            hits.append(
                Hit(
                    kind=doc.kind,
                    object_id=doc.object_id,
                    ref=doc.ref,
                    title=doc.title,
                    title_html=highlight(doc.title, q.highlight_terms),
                    snippet=highlight(doc.body, q.highlight_terms, width=160),
                    score=score + boost,
                    extra=doc.extra,
                    organization_id=doc.organization_id,
                )
            )
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def compact(self) -> None:
        # A rebuild leaves FTS5's index in many segments (one per committed batch, plus the
        # old generation's deletions), and every query then merges a common word's matches
        # across all of them: at 1,000,000 tickets counting 2,000 matches of 重启 took 43 ms,
        # 0.4 ms after merging them into one ('optimize', 8.7 s; bench/RESULTS.md, round 10).
        # Changes indexed later are merged by FTS5 as they come (automerge).
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES('optimize')")

    def _match(
        self,
        tokens: list[str],
        *,
        grams: bool,
        where: str,
        params: list[Any],
        limit: int,
        scope: list[str] | None = None,
    ) -> list[tuple[int, float]]:
        terms = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens if t)
        if not terms:
            return []
        columns = "gram_tokens" if grams else "{title_tokens body_tokens}"
        # The fourth column, scope_tokens, never counts towards a score.
        weights = "0.0, 0.0, 1.0, 0.0" if grams else "8.0, 1.0, 0.0, 0.0"
        if scope is not None:
            if not scope:
                return []
            allowed = " OR ".join(f'"{token}"' for token in scope)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT d.id, -bm25(search_fts, {weights}) AS score "  # noqa: S608
                    "FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid "
                    f"WHERE search_fts MATCH %s AND {where} ORDER BY score DESC LIMIT %s",
                    [f"{columns} : ({terms}) AND scope_tokens : ({allowed})", *params, limit],
                )
                return [(int(r[0]), float(r[1])) for r in cursor.fetchall()]
        base = (
            "FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid "
            f"WHERE search_fts MATCH %s AND {where}"
        )
        match = f"{columns} : ({terms})"
        tokens = [t for t in tokens if t]
        quoted = {t: '"' + t.replace('"', '""') + '"' for t in tokens}
        text = "d.gram_tokens, ''" if grams else "d.title_tokens, d.body_tokens"
        newest = f"SELECT d.id, {text} {base} ORDER BY search_fts.rowid DESC LIMIT %s"
        with connection.cursor() as cursor:
            # A common word matches a sixth of a million tickets. FTS5's bm25() counts every
            # match of each word for its IDF on every query (hundreds of milliseconds), so
            # only the newest CANDIDATES matches are ranked, as on PostgreSQL: FTS5 walks
            # matches by rowid without scoring them, so those are cheap to find.
            cursor.execute(newest, [match, *params, CANDIDATES])
            rows = cursor.fetchall()
            if len(rows) < CANDIDATES:
                # Few matches: bm25() itself, over all of them, is cheap.
                cursor.execute(
                    f"SELECT d.id, -bm25(search_fts, {weights}) AS score {base} "
                    "ORDER BY score DESC LIMIT %s",
                    [match, *params, limit],
                )
                return [(int(r[0]), float(r[1])) for r in cursor.fetchall()]
            # A rare word (Spooler beside 服务) must not lose its few, older matches to the
            # cut: the words with fewer matches than the cut are ranked in full.
            counts = {t: self._count(cursor, f"{columns} : ({q})") for t, q in quoted.items()}
            rare = [q for t, q in quoted.items() if counts[t] < CANDIDATES]
            if rare:
                cursor.execute(newest, [f"{columns} : ({' OR '.join(rare)})", *params, CANDIDATES])
                rows += cursor.fetchall()
            cursor.execute("SELECT max(id) FROM search_searchdocument")
            total = int(cursor.fetchone()[0] or 1)
        return _bm25(rows, tokens, counts, total, title_weight=1.0 if grams else 8.0)[:limit]

    @staticmethod
    def _count(cursor: Any, match: str) -> int:
        """Matches of ``match``, counted up to CANDIDATES."""
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH %s "
            "LIMIT %s)",
            [match, CANDIDATES],
        )
        return int(cursor.fetchone()[0])


def _bm25(
    rows: list[tuple[int, str, str]],
    tokens: list[str],
    counts: dict[str, int],
    total: int,
    *,
    title_weight: float,
) -> list[tuple[int, float]]:
    """FTS5's bm25 (k1 1.2, b 0.75; title weighted over body) over candidate rows (id,
    title tokens, body tokens), with each word's document frequency counted when it is
    below CANDIDATES and, above, estimated from its share of the candidates, the newest
    matches: what bm25() would compute, without reading every match of a common word."""
    if not rows:
        return []
    # Tokens are single-space separated, so " token " finds whole tokens (two adjacent
    # occurrences count once: a negligible undercount).
    docs = {
        doc_id: (f" {title} ", f" {body} ", title.count(" ") + body.count(" ") + 2)
        for doc_id, title, body in rows
    }
    ids = sorted(docs)
    window = max(1, ids[-1] - ids[0] + 1)
    avg_len = sum(d[2] for d in docs.values()) / len(docs)
    weights = {}
    for token in tokens:
        needle = f" {token} "
        df = counts.get(token, CANDIDATES)
        if df >= CANDIDATES:
            share = sum(1 for t, b, _ in docs.values() if needle in t or needle in b)
            df = max(df, round(share / window * total))
        weights[needle] = max(1e-6, math.log((total - df + 0.5) / (df + 0.5)))
    scored = []
    for doc_id, (title, body, length) in docs.items():
        norm = 1.2 * (0.25 + 0.75 * length / avg_len)
        score = 0.0
        for needle, idf in weights.items():
            tf = title_weight * title.count(needle) + body.count(needle)
            if tf:
                score += idf * tf * 2.2 / (tf + norm)
        scored.append((doc_id, score))
    scored.sort(key=itemgetter(1, 0), reverse=True)
    return scored


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def _match(
        self,
        tokens: list[str],
        *,
        grams: bool,
        where: str,
        params: list[Any],
        limit: int,
        scope: list[str] | None = None,
    ) -> list[tuple[int, float]]:
        column = "tsv_grams" if grams else "tsv"
        quoted = ["'" + t.replace("\\", "").replace("'", "") + "'" for t in tokens if t]
        terms = " | ".join(quoted)
        if not terms:
            return []
        if scope is not None:
            # Every match is ranked. A rare word starts from the GIN index; when a word is
            # common, the scope's few thousand documents (search_doc_kind_org) are read and
            # filtered instead: the planner would otherwise AND the scope with the word's GIN
            # bitmap, and building that bitmap for a word in a sixth of a million documents
            # costs 80-100 ms. OFFSET 0 keeps the word's condition out of the scope's scan.
            with connection.cursor() as cursor:
                total, frequent = self._statistics(cursor, column, [q[1:-1] for q in quoted])
                common = any(f * total >= 2 * CANDIDATES for f in frequent.values())
                rank = f"SELECT d.id, ts_rank(d.{column}, to_tsquery('simple', %s)) AS score"
                match = f"d.{column} @@ to_tsquery('simple', %s)"
                order = "ORDER BY score DESC, d.id DESC LIMIT %s"
                if common:
                    cursor.execute(
                        f"{rank} FROM (SELECT d.id, d.{column} FROM search_searchdocument d "  # noqa: S608
                        f"WHERE {where} OFFSET 0) d WHERE {match} {order}",
                        [terms, *params, terms, limit],
                    )
                else:
                    cursor.execute(
                        f"{rank} FROM search_searchdocument d WHERE {match} AND {where} {order}",
                        [terms, terms, *params, limit],
                    )
                return [(row[0], float(row[1])) for row in cursor.fetchall()]
        # A common word can match a large share of the documents: as on SQLite, the newest
        # CANDIDATES matches, plus every match of the words rarer than that, are scored with
        # ``_bm25`` (ts_rank has no inverse document frequency: a rare word like 发票 beside
        # common ones would not outrank them, and the backends would disagree).
        text = "d.gram_tokens, ''" if grams else "d.title_tokens, d.body_tokens"
        newest = (
            f"SELECT d.id, {text} FROM search_searchdocument d "  # noqa: S608 - constants
            f"WHERE d.{column} @@ to_tsquery('simple', %s) AND {where} "
            "ORDER BY d.id DESC LIMIT %s"
        )
        tokens = [t for t in tokens if t]
        with connection.cursor() as cursor:
            cursor.execute(newest, [terms, *params, CANDIDATES])
            rows = cursor.fetchall()
            lexemes = [q[1:-1] for q in quoted]
            total, frequent = self._statistics(cursor, column, lexemes)
            if len(rows) < CANDIDATES:
                # Every match is here: its document frequencies are exact.
                counts = _frequencies(rows, tokens)
            else:
                # Counting a common word's matches up to the cut reads thousands of rows (half
                # of a search's time at a million documents); the planner's statistics already
                # say which words are that common. Only the others are counted.
                threshold = 2 * CANDIDATES / total
                counts = {
                    t: CANDIDATES
                    for t, lexeme in zip(tokens, lexemes, strict=True)
                    if frequent.get(lexeme, 0.0) >= threshold
                }
                others = {t: q for t, q in zip(tokens, quoted, strict=True) if t not in counts}
                if others:
                    counts |= self._counts(cursor, column, others)
                rare = [q for t, q in zip(tokens, quoted, strict=True) if counts[t] < CANDIDATES]
                if rare:
                    cursor.execute(newest, [" | ".join(rare), *params, CANDIDATES])
                    rows += cursor.fetchall()
        return _bm25(rows, tokens, counts, total, title_weight=1.0 if grams else 8.0)[:limit]

    @staticmethod
    def _statistics(cursor: Any, column: str, tokens: list[str]) -> tuple[int, dict[str, float]]:
        """The number of documents and, for those of ``tokens`` among the column's most common
        lexemes, the share of documents holding them. Both come from the planner's statistics
        (kept by autovacuum's ANALYZE): counting a million rows per query would cost more than
        the whole search; max(id) after a rebuild is twice too much, but stands in before the
        first ANALYZE."""
        cursor.execute(
            "SELECT greatest(c.reltuples::bigint, 0), (SELECT max(id) FROM "
            "search_searchdocument) FROM pg_class c "
            "WHERE c.oid = 'search_searchdocument'::regclass"
        )
        estimated, top = cursor.fetchone()
        frequent = _common_lexemes(cursor, column)
        return int(estimated or top or 1), {t: frequent[t] for t in tokens if t in frequent}

    @staticmethod
    def _counts(cursor: Any, column: str, quoted: dict[str, str]) -> dict[str, int]:
        """Matches of each word, counted up to CANDIDATES, in one round trip. A common word
        stops the count early; a rare one is a short GIN posting list."""
        counts = ", ".join(
            f"(SELECT count(*) FROM (SELECT 1 FROM search_searchdocument d "  # noqa: S608
            f"WHERE d.{column} @@ to_tsquery('simple', %s) LIMIT {CANDIDATES}) s)"
            for _ in quoted
        )
        cursor.execute(f"SELECT {counts}", list(quoted.values()))
        return dict(zip(quoted, (int(c) for c in cursor.fetchone()), strict=True))


# column -> (when to read again, lexeme -> share of documents): the statistics change when
# ANALYZE runs, so a process reads them every few minutes (reading them costs ~1 ms of
# server time plus ~4 ms of planning, more than the rest of a short search).
_COMMON_LEXEMES: dict[str, tuple[float, dict[str, float]]] = {}
STATISTICS_TTL = 300.0


def _common_lexemes(cursor: Any, column: str) -> dict[str, float]:
    """The column's most common lexemes (``pg_stats.most_common_elems``, up to ten times the
    statistics target) and the share of documents holding each."""
    now = time.monotonic()
    cached = _COMMON_LEXEMES.get(column)
    if cached is not None and cached[0] > now:
        return cached[1]
    cursor.execute(
        "SELECT m.elem, m.freq FROM pg_stats s, "
        "unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS m(elem, freq) "
        "WHERE s.schemaname = current_schema() AND s.tablename = 'search_searchdocument' "
        "AND s.attname = %s AND m.elem IS NOT NULL",
        [column],
    )
    frequent = {str(elem): float(freq) for elem, freq in cursor.fetchall()}
    _COMMON_LEXEMES[column] = (now + STATISTICS_TTL, frequent)
    return frequent


def _frequencies(rows: list[tuple[int, str, str]], tokens: list[str]) -> dict[str, int]:
    needles = {t: f" {t} " for t in tokens}
    docs = [(f" {title} ", f" {body} ") for _, title, body in rows]
    return {t: sum(1 for a, b in docs if n in a or n in b) for t, n in needles.items()}


def get_backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()
