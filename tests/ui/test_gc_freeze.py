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


def test_stop_leaves_automatic_collection_off() -> None:
    # In a process of its own: this session's collector must stay as it is.
    import subprocess
    import sys

    script = """
import gc
from PySide6.QtWidgets import QApplication
from workbench.ui.shell.gc_guard import GuiThreadGarbageCollector

app = QApplication([])
collector = GuiThreadGarbageCollector(app)

collector.stop()
# At exit other threads still run: a collection they set off could destroy Qt objects there.
assert not gc.isenabled(), "automatic collection came back"
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
