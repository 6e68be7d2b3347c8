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

Only for querysets of model instances whose shape never changes between calls: one key
value, fixed filters, no annotations. Per thread, because a compiler belongs to the thread's
connection.
"""

from __future__ import annotations

import itertools
import re
import threading
import weakref
from collections.abc import Callable
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

    def run(self, wrapper: Any, cursor: Any, params: list[Any]) -> None:
        if wrapper.vendor == "postgresql" and settings.DB_SERVER_PREPARE:
            raw = wrapper.connection
            if self.prepared_on is None or self.prepared_on() is not raw:
                cursor.execute(f"PREPARE {self.name} AS {_numbered(self.sql)}")
                self.prepared_on = weakref.ref(raw)
            args = f"({', '.join(['%s'] * len(params))})" if params else ""
            cursor.execute(f"EXECUTE {self.name}{args}", params)
        else:
            cursor.execute(self.sql, params)


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

    def first(self, key: object) -> Any:
        params = self.params
        if self.key_at is not None:
            params = list(params)
            params[self.key_at] = key
        wrapper = connections[self.db]
        with wrapper.cursor() as cursor:
            self.statement.run(wrapper, cursor, params)
            rows: list[Any] = cursor.fetchmany(1)
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

    def first(self, key: object = None) -> M | None:
        compiled: _Compiled | None = getattr(self._local, "compiled", None)
        if compiled is None:
            compiled = _Compiled(self._build(self._stand_in)[:1], self._stand_in)
            self._local.compiled = compiled
        found: M | None = compiled.first(key)
        return found


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

    def insert(self, obj: Model) -> None:
        compiler = self.compiler
        params = [compiler.prepare_value(f, compiler.pre_save_val(f, obj)) for f in self.fields]
        if any(hasattr(value, "as_sql") for value in params):
            raise ValueError("expressions cannot go through a prepared insert")
        wrapper = connections[self.db]
        with wrapper.cursor() as cursor:
            self.statement.run(wrapper, cursor, params)
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

    def insert(self, obj: M) -> M:
        with_pk = obj.pk is not None
        compiled: _CompiledInsert | None = getattr(self._local, f"compiled_{with_pk}", None)
        if compiled is None:
            compiled = _CompiledInsert(self.model, self.using, obj, with_pk=with_pk)
            setattr(self._local, f"compiled_{with_pk}", compiled)
        compiled.insert(obj)
        return obj
