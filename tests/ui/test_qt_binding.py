"""The Qt binding must not leak references to None/True/False (PySide6 6.12.0 on Python 3.11 did,
aborting long sessions with 'none_dealloc'); pyproject pins a release without the bug."""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLineEdit

CALLS = 20_000


class _Emitter(QObject):
    fired = Signal(int)


def test_void_calls_keep_the_reference_count_of_none(qtbot):
    edit = QLineEdit()
    qtbot.addWidget(edit)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        edit.setText("x")
    assert abs(sys.getrefcount(None) - before) < CALLS // 10


def test_emit_keeps_the_reference_count_of_true():
    emitter = _Emitter()
    received = []
    emitter.fired.connect(received.append)
    before = sys.getrefcount(True)
    for _ in range(CALLS):
        emitter.fired.emit(1)
    assert len(received) == CALLS
    assert abs(sys.getrefcount(True) - before) < CALLS // 10
