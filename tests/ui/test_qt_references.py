"""The Qt binding keeps Python's reference counts straight.

PySide6 6.12.0 dropped a reference to None on every call of a Qt method returning nothing, and
to True on every emit; after some thousands of calls the process aborts. This pins the fix
(requirements.lock holds 6.11.3) against a future upgrade.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    changed = Signal(bool)


def test_calls_and_emits_keep_none_and_true_alive() -> None:
    emitter = _Emitter()
    received = [0]

    def count(value: bool) -> None:
        received[0] += 1

    emitter.changed.connect(count)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(2000):
        emitter.setObjectName("x")
        emitter.changed.emit(True)
    assert received[0] == 2000
    # Other threads may hold or drop a few references meanwhile; 2000 lost ones is the bug.
    assert abs(sys.getrefcount(None) - none_before) < 200
    assert abs(sys.getrefcount(True) - true_before) < 200
