"""The GUI-thread collector freezes what start-up built, once, so full collections stay short."""

from __future__ import annotations

import gc

from PySide6.QtWidgets import QApplication

from workbench.ui.shell.gc_guard import GuiThreadGarbageCollector


def test_freeze_takes_the_objects_alive_now_out_of_collections_once(qapp: QApplication) -> None:
    collector = GuiThreadGarbageCollector(qapp)
    try:
        before = gc.get_freeze_count()
        collector.freeze()
        frozen = gc.get_freeze_count()
        assert frozen > before
        later = [[] for _ in range(1000)]  # objects made after the first freeze
        collector.freeze()
        # The second call freezes none of them (a frozen object that dies meanwhile, on any thread,
        # leaves the frozen set, so the count may only go down, never up by the new objects).
        assert gc.get_freeze_count() <= frozen
        assert later
    finally:
        collector._timer.stop()
        gc.unfreeze()
        gc.disable()  # the session's collector (conftest) keeps automatic collection off


def test_stop_collects_on_the_gui_thread_and_leaves_automatic_collection_off(
    qapp: QApplication,
) -> None:
    import weakref

    class Node:
        pass

    collector = GuiThreadGarbageCollector(qapp)
    try:
        node = Node()
        node.cycle = node  # type: ignore[attr-defined]  # garbage only a collection frees
        alive = weakref.ref(node)
        del node
        collector.stop()
        assert alive() is None  # collected here, on this (the GUI) thread
        # At exit other threads still run: a collection they set off could destroy Qt objects
        # there. Automatic collection must not come back.
        assert not gc.isenabled()
    finally:
        collector.deleteLater()
        gc.disable()  # the session's collector (conftest) keeps automatic collection off
