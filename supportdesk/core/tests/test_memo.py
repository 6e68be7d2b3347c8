"""Lookups shared within a burst of work are read once there, and every time elsewhere."""

from __future__ import annotations

from functools import partial

from supportdesk.core.memo import lookups_shared, remembered


def test_a_lookup_is_read_once_within_a_block_and_every_time_outside() -> None:
    reads: list[str] = []

    def read(key: str) -> str:
        reads.append(key)
        return key.upper()

    assert remembered("a", lambda: read("a")) == "A"
    assert remembered("a", lambda: read("a")) == "A"
    assert reads == ["a", "a"]

    reads.clear()
    with lookups_shared():
        values = [remembered(k, partial(read, k)) for k in ("a", "b", "a", "b")]
        with lookups_shared():  # nested: the same block
            values.append(remembered("a", lambda: read("a")))
    assert values == ["A", "B", "A", "B", "A"]
    assert reads == ["a", "b"]

    # A new block reads afresh: a change made since is seen.
    with lookups_shared():
        remembered("a", lambda: read("a"))
    assert reads == ["a", "b", "a"]
