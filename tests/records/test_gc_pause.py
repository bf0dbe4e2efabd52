"""The cycle-collector helpers: pausing it, and hiding long-lived objects from it."""

from __future__ import annotations

import gc

from harness.gc_pause import cycle_collector_paused, long_lived_frozen


def test_paused_collector_is_restored():
    assert gc.isenabled()
    with cycle_collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_objects_alive_before_the_block_are_frozen_inside_it_and_collectable_after():
    class Node:
        pass

    old = Node()
    old.self = old  # a cycle, alive when the block starts
    before = gc.get_freeze_count()
    with long_lived_frozen():
        assert gc.get_freeze_count() > before
        new = Node()
        new.self = new
        del new
        assert gc.collect() >= 1  # cycles made inside the block are still collected
    assert gc.get_freeze_count() == 0
    del old
    assert gc.collect() >= 1  # and the frozen one is collectable once the block ends
