"""Guards against Qt binding releases with bugs that take the app down."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    happened = Signal()
    counted = Signal(int)


def test_emitting_signals_leaves_the_refcount_of_true_alone() -> None:
    # PySide6 6.12.0 decremented True's refcount on every emit(): after a few hundred emits
    # (a few hundred keystrokes) the interpreter aborts with "bool_dealloc".
    emitter = _Emitter()
    emitter.happened.connect(lambda: None)
    before = sys.getrefcount(True)
    for number in range(200):
        emitter.happened.emit()
        emitter.counted.emit(number)
    # The bug shows as -400 here; a few references taken or dropped elsewhere are noise.
    assert abs(sys.getrefcount(True) - before) < 20
