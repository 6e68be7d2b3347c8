"""Jobs queued in a burst are written to the worker queue together, and none is lost."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from supportdesk.core.queue import SqliteHuey, jobs_queued_together


@pytest.fixture
def queue(tmp_path: Path) -> SqliteHuey:
    return SqliteHuey("test-burst", filename=str(tmp_path / "tasks.sqlite3"))


def _queued_args(queue: SqliteHuey) -> list[int]:
    return [task.args[0] for task in queue.pending()]


def test_jobs_queued_in_a_block_reach_the_queue_together_in_order(queue: SqliteHuey) -> None:
    @queue.task()
    def remember(n: int) -> int:
        return n

    with jobs_queued_together():
        for n in range(5):
            remember(n)
        assert queue.pending_count() == 0  # held back until the block ends
    assert _queued_args(queue) == [0, 1, 2, 3, 4]

    # Outside a block each job is written at once, as before.
    remember(5)
    assert _queued_args(queue) == [0, 1, 2, 3, 4, 5]


def test_jobs_queued_before_an_error_in_the_block_are_still_written(queue: SqliteHuey) -> None:
    @queue.task()
    def remember(n: int) -> int:
        return n

    with pytest.raises(RuntimeError), jobs_queued_together():
        remember(1)
        with jobs_queued_together():  # nested: joins the outer block
            remember(2)
        raise RuntimeError("the rest of the batch failed")
    assert _queued_args(queue) == [1, 2]


def test_other_threads_queue_as_usual_while_a_block_is_open(queue: SqliteHuey) -> None:
    @queue.task()
    def remember(n: int) -> int:
        return n

    with jobs_queued_together():
        remember(1)
        other = threading.Thread(target=remember, args=(2,))
        other.start()
        other.join()
        assert _queued_args(queue) == [2]
    assert _queued_args(queue) == [2, 1]
