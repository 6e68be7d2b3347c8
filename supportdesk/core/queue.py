"""The worker queue's storage, with one addition: jobs queued in a burst are written at once.

Each job Huey queues is its own write to the queue's store; on the embedded SQLite queue that
is a transaction with an fsync, about as dear as the work that queued it. Code that does
many things in a row (mail intake files a batch of messages, each queueing routing, SLA,
index and acknowledgement jobs) wraps the burst in :func:`jobs_queued_together`: the jobs
are collected and written in one transaction when the block ends, in the order they were
queued. Outside such a block, and in other threads, queueing is unchanged.

The block is for work whose jobs are queued after a commit anyway (``on_commit``
receivers): the jobs are written when the block ends instead of one by one, which is no
less safe, since a crash between the commit and the queue write loses them either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from huey import RedisHuey as _RedisHuey
from huey import SqliteHuey as _SqliteHuey
from huey.storage import RedisStorage, SqliteStorage

_Job = tuple["_CollectingMixin", bytes, Any]
_pending: ContextVar[list[_Job] | None] = ContextVar("queued_jobs", default=None)


class _CollectingMixin:
    """Storage that holds jobs back while a :func:`jobs_queued_together` block is open."""

    def enqueue(self, data: bytes, priority: Any = None) -> None:
        pending = _pending.get()
        if pending is not None:
            pending.append((self, data, priority))
            return
        super().enqueue(data, priority)  # type: ignore[misc]

    def enqueue_many(self, jobs: list[tuple[bytes, Any]]) -> None:
        for data, priority in jobs:
            super().enqueue(data, priority)  # type: ignore[misc]


class CollectingSqliteStorage(_CollectingMixin, SqliteStorage):
    def _create_connection(self) -> Any:
        conn = super()._create_connection()
        # The desk's own SQLite database runs WAL with synchronous=NORMAL (settings): a
        # commit survives the process dying, and only a power loss can take the last few
        # transactions. The queue keeps the same promise instead of SQLite's default FULL,
        # which syncs the log to disk on every job written: ~4 ms of waiting per filing,
        # most of a ticket's time through the API on SQLite (bench/RESULTS.md, round 7).
        conn.execute("pragma synchronous=NORMAL")
        return conn

    def enqueue_many(self, jobs: list[tuple[bytes, Any]]) -> None:
        # One transaction (one fsync) for the whole burst.
        with self.db(commit=True) as cursor:
            cursor.executemany(
                "insert into task (queue, data, priority) values (?, ?, ?)",
                [(self.name, self.to_blob(data), priority or 0) for data, priority in jobs],
            )


class CollectingRedisStorage(_CollectingMixin, RedisStorage):
    pass


class SqliteHuey(_SqliteHuey):
    storage_class = CollectingSqliteStorage


class RedisHuey(_RedisHuey):
    storage_class = CollectingRedisStorage


@contextmanager
def jobs_queued_together() -> Iterator[None]:
    """Jobs queued in this block (this thread or task) are written together when it ends.

    Nested blocks join the outermost one. If the block raises, the jobs queued so far are
    still written: they belong to changes that were committed before the error.
    """
    if _pending.get() is not None:
        yield
        return
    jobs: list[_Job] = []
    token = _pending.set(jobs)
    try:
        yield
    finally:
        _pending.reset(token)
        by_storage: dict[_CollectingMixin, list[tuple[bytes, Any]]] = {}
        for storage, data, priority in jobs:
            by_storage.setdefault(storage, []).append((data, priority))
        for storage, held in by_storage.items():
            storage.enqueue_many(held)
