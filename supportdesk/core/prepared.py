"""One-row reads and inserts whose SQL is compiled once per thread, not on every request.

Building and compiling a queryset costs more CPU than running it for the small reads every
API request makes (the caller's token with its user, the organization and priority a new
ticket names): 0.6–0.9 ms for the token read against 0.1–0.2 ms for the statement itself
(bench/RESULTS.md, round 7). :class:`PreparedRead` compiles its queryset the first time a
thread uses it, with a stand-in value where the key goes, and afterwards runs the same SQL
with the real key, turning the row into model instances the way the ORM does (its
converters, ``from_db`` and ``select_related`` populators).

On PostgreSQL the statement is also prepared on the server (``PREPARE``, once per database
connection), so the planner does not plan the same lookup again on every request: planning
the agent's eleven-table ticket read took 3.4 ms for 0.3 ms of execution (round 7).
Prepared statements outlive a rolled-back transaction (PostgreSQL keeps them for the
session), so one PREPARE per connection is enough; the plan of a lookup by a unique key is
the same for every key. Statements go through Django's cursor, so they are logged and
counted like any other.

Several reads, or several inserts, can go to the database together (``first_together``,
``insert_together``): on PostgreSQL as one query string, one round trip instead of one each.
A filing reads the organization, priority and category it names in one, and writes the
ticket and its first event in another (bench/RESULTS.md, round 10).

Only for querysets of model instances whose shape never changes between calls: one key
value, fixed filters, no annotations. Per thread, because a compiler belongs to the thread's
connection.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql import InsertQuery

M = TypeVar("M", bound=Model)

# Stand-ins for the key while compiling: values no real key takes.
TEXT_KEY = "\x00prepared-read-key\x00"
INT_KEY = -7_301_946_552_018_337

_names = itertools.count(1)
_PLACEHOLDER = re.compile(r"%%|%s")

# psycopg parses a query's placeholders once and keeps the result (an LRU of 128 queries),
# but only for queries of at most 50 values, so that bulk statements do not crowd the cache.
# A filing's ticket and event rows, written together (``insert_together``), have 56: their
# query was parsed again on every filing, 5 % of the request's CPU (bench/RESULTS.md, round
# 10). Our widest statements fit in 128 values; the cache keeps its size (queries longer than
# 4 KB are still not kept).
WIDEST_CACHED_STATEMENT = 128
with contextlib.suppress(ImportError):  # SQLite-only processes never import psycopg
    from psycopg import _queries as _psycopg_queries

    _psycopg_queries.MAX_CACHED_STATEMENT_PARAMS = max(
        _psycopg_queries.MAX_CACHED_STATEMENT_PARAMS, WIDEST_CACHED_STATEMENT
    )


def _numbered(sql: str) -> str:
    """Django's ``%s`` placeholders as PostgreSQL's ``$1, $2, ...`` (``%%`` is a literal %)."""
    numbers = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)


class _Statement:
    """One SQL statement of a thread; on PostgreSQL prepared once per database connection."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.name = f"sd_prepared_{next(_names)}"
        self.prepared_on: weakref.ref[Any] | None = None  # the connection it is prepared on

    def text(self, wrapper: Any, cursor: Any, params: list[Any]) -> str:
        """The SQL to send with ``params``: on PostgreSQL, ``EXECUTE`` (``PREPARE`` first)."""
        if wrapper.vendor == "postgresql" and settings.DB_SERVER_PREPARE:
            raw = wrapper.connection
            if self.prepared_on is None or self.prepared_on() is not raw:
                cursor.execute(f"PREPARE {self.name} AS {_numbered(self.sql)}")
                self.prepared_on = weakref.ref(raw)
            args = f"({', '.join(['%s'] * len(params))})" if params else ""
            return f"EXECUTE {self.name}{args}"
        return self.sql


def _run(db: str, parts: Sequence[tuple[_Statement, list[Any]]]) -> Iterator[tuple[Any, Any]]:
    """Runs the statements, yielding (connection, cursor) at the result of each in turn.

    PostgreSQL takes them in one query string, one round trip for all (simple query protocol;
    the values are bound by psycopg's client-side cursor, as for every Django query); SQLite
    runs one statement per call. Read each result before taking the next.
    """
    wrapper = connections[db]
    with wrapper.cursor() as cursor:
        if wrapper.vendor != "postgresql" or len(parts) == 1:
            for statement, params in parts:
                cursor.execute(statement.text(wrapper, cursor, params), params)
                yield wrapper, cursor
            return
        texts = [statement.text(wrapper, cursor, params) for statement, params in parts]
        cursor.execute("; ".join(texts), [value for _, params in parts for value in params])
        for i in range(len(parts)):
            if i:
                cursor.nextset()
            yield wrapper, cursor


class _Compiled:
    def __init__(self, queryset: QuerySet[Any], stand_in: object | None) -> None:
        self.db = queryset.db
        compiler = queryset.query.get_compiler(using=self.db)
        sql, params = compiler.as_sql()
        self.sql, self.params = sql, list(params)
        self.key_at: int | None = None
        if stand_in is not None:
            found = [
                i for i, p in enumerate(self.params) if type(p) is type(stand_in) and p == stand_in
            ]
            if len(found) != 1:
                raise ValueError(f"the key must appear once among the parameters: {params!r}")
            self.key_at = found[0]
        klass_info = compiler.klass_info
        if klass_info is None or compiler.annotation_col_map:
            raise ValueError("only querysets of model instances without annotations")
        select = compiler.select
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, self.db)
        self.model: type[Model] = klass_info["model"]
        self.compiler = compiler
        self.statement = _Statement(self.sql)
        self.converters = compiler.get_converters([column[0] for column in select])

    def params_for(self, key: object) -> list[Any]:
        params = self.params
        if self.key_at is not None:
            params = list(params)
            params[self.key_at] = key
        return params

    def found(self, rows: list[Any]) -> Any:
        """The model instance of the statement's first row (None without rows)."""
        if not rows:
            return None
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        row = rows[0]
        found = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
        for populator in self.populators:
            populator.populate(row, found)
        return found


class PreparedRead(Generic[M]):
    """``build(stand_in)[:1]`` compiled once per thread; ``first(key)`` runs it for a key.

    ``build`` gets the stand-in (``TEXT_KEY`` or ``INT_KEY``, as ``key_type`` says; none for
    a read without a key) and returns the queryset, ordered or explicitly unordered.
    """

    def __init__(
        self, build: Callable[[Any], QuerySet[M]], key_type: type[str] | type[int] | None
    ) -> None:
        self._build = build
        self._stand_in: object | None = {str: TEXT_KEY, int: INT_KEY, None: None}[key_type]
        self._local = threading.local()

    def compiled(self) -> _Compiled:
        compiled: _Compiled | None = getattr(self._local, "compiled", None)
        if compiled is None:
            compiled = _Compiled(self._build(self._stand_in)[:1], self._stand_in)
            self._local.compiled = compiled
        return compiled

    def first(self, key: object = None) -> M | None:
        found: list[M | None] = first_together((self, key))
        return found[0]


def first_together(*reads: tuple[PreparedRead[Any], object]) -> list[Any]:
    """``read.first(key)`` for each pair, in one round trip on PostgreSQL (one database)."""
    compiled = [read.compiled() for read, _key in reads]
    parts = [(c.statement, c.params_for(key)) for c, (_r, key) in zip(compiled, reads, strict=True)]
    rows = [cursor.fetchmany(1) for _wrapper, cursor in _run(compiled[0].db, parts)]
    return [c.found(first) for c, first in zip(compiled, rows, strict=True)]


class _CompiledInsert:
    def __init__(self, model: type[Model], db: str, obj: Model, *, with_pk: bool) -> None:
        meta = model._meta
        self.db = db
        # The columns ``Model.save`` writes for a new row (``Model._save_table``).
        self.fields = [
            f
            for f in meta.local_concrete_fields
            if not f.generated and (with_pk or f is not meta.auto_field)
        ]
        self.returning = [] if with_pk else list(meta.db_returning_fields)
        query = InsertQuery(model)
        query.insert_values(self.fields, [obj])
        compiler = query.get_compiler(using=db)
        compiler.returning_fields = self.returning
        [(sql, params)] = compiler.as_sql()
        if len(params) != len(self.fields) or sql.count("%s") != len(self.fields):
            raise ValueError(f"only plain column values can be prepared: {sql}")
        self.compiler = compiler
        self.statement = _Statement(sql)
        features = compiler.connection.features
        self.lastrowid = bool(self.returning) and not features.can_return_columns_from_insert

    def params_for(self, obj: Model) -> list[Any]:
        compiler = self.compiler
        params = [compiler.prepare_value(f, compiler.pre_save_val(f, obj)) for f in self.fields]
        if any(hasattr(value, "as_sql") for value in params):
            raise ValueError("expressions cannot go through a prepared insert")
        return params

    def inserted(self, obj: Model, wrapper: Any, cursor: Any) -> None:
        """Takes what the database gave the new row (its id) from the statement's result."""
        if self.lastrowid:
            table, column = obj._meta.db_table, obj._meta.pk.column
            obj.pk = wrapper.ops.last_insert_id(cursor, table, column)
        elif self.returning:
            row = cursor.fetchone()
            for value, field in zip(row, self.returning, strict=True):
                setattr(obj, field.attname, value)
        obj._state.adding = False
        obj._state.db = self.db


class PreparedInsert(Generic[M]):
    """``obj.save(force_insert=True)`` for new rows of one model, compiled once per thread.

    Building an INSERT through the ORM costs more CPU than the database spends on it: for a
    filing's ticket and event rows, 0.4-0.5 ms each against 0.06-0.15 ms of execution
    (bench/RESULTS.md, round 8). The statement is the one ``save`` would run (compiled by
    Django's own insert compiler the first time), the values go through the same field
    methods (``pre_save``, ``get_db_prep_save``), and on PostgreSQL it is prepared on the
    server once per connection, like ``PreparedRead``.

    Unlike ``save``, no ``pre_save``/``post_save`` signal is sent and the model's own
    ``save`` is not called: only for models that need neither (a test checks that no
    receiver listens to the models that use it). The primary key is written when the caller
    set it, else it comes back from the insert.
    """

    def __init__(self, model: type[M], using: str = "default") -> None:
        self.model = model
        self.using = using
        self._local = threading.local()

    def compiled(self, obj: M) -> _CompiledInsert:
        with_pk = obj.pk is not None
        compiled: _CompiledInsert | None = getattr(self._local, f"compiled_{with_pk}", None)
        if compiled is None:
            compiled = _CompiledInsert(self.model, self.using, obj, with_pk=with_pk)
            setattr(self._local, f"compiled_{with_pk}", compiled)
        return compiled

    def insert(self, obj: M) -> M:
        insert_together((self, obj))
        return obj


def insert_together(*inserts: tuple[PreparedInsert[Any], Model]) -> None:
    """``prepared.insert(obj)`` for each pair in order, in one round trip on PostgreSQL.

    On PostgreSQL the inserts are one query string, which the server runs as one transaction
    when no transaction is open (its simple query protocol): outside ``atomic`` they land
    together or not at all. A row may point at one inserted before it in the same call (an
    event at its new ticket, whose id the caller set): PostgreSQL checks foreign keys at the
    end of the statement, or at commit for Django's deferred ones.
    """
    rows = [(prepared.compiled(obj), obj) for prepared, obj in inserts]
    results = _run(rows[0][0].db, [(c.statement, c.params_for(obj)) for c, obj in rows])
    for (c, obj), (wrapper, cursor) in zip(rows, results, strict=True):
        c.inserted(obj, wrapper, cursor)
