"""ui.common.operations: one way for every write, a broadcast of what changed, focus back where it was."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from app.common.errors import NotFound
from app.services.changes import Changes
from ui.common.operations import Operations

TIMEOUT = 10_000


@pytest.fixture
def host(qtbot):
    widget = QWidget()
    layout = QVBoxLayout(widget)
    widget.first, widget.second = QLineEdit(), QLineEdit()
    layout.addWidget(widget.first)
    layout.addWidget(widget.second)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    widget.statuses = []
    widget.operations = Operations(widget, widget.statuses.append)
    return widget


def test_a_write_broadcasts_what_it_changed_then_calls_back(qtbot, host):
    heard, done = [], []
    host.operations.changed.connect(heard.append)
    with qtbot.waitSignal(host.operations.finished, timeout=TIMEOUT) as finished:
        host.operations.run(lambda: Changes.of("queues", ids=["q1"]), title="Deleting", changes=lambda c: c,
                            progress_arg=None, on_done=lambda result: done.append((list(heard), result)))
    assert finished.args == ["done"]
    assert heard == [Changes.of("queues", ids=["q1"])]
    assert done == [([Changes.of("queues", ids=["q1"])], Changes.of("queues", ids=["q1"]))]  # pages first


def test_a_failed_write_broadcasts_only_what_it_was_told_to(qtbot, host):
    heard, errors = [], []
    host.operations.changed.connect(heard.append)

    def gone():
        raise NotFound("queue 'Loans' no longer exists")

    with qtbot.waitSignal(host.operations.finished, timeout=TIMEOUT) as finished:
        host.operations.run(gone, title="Deleting", changes=Changes.of("queues"), progress_arg=None,
                            on_error=errors.append, changes_on_error=Changes.of("queues"))
    assert finished.args == ["failed"]
    assert [str(e) for e in errors] == ["queue 'Loans' no longer exists"]
    assert heard == [Changes.of("queues")]  # the list drops the record that is gone


def test_one_at_a_time(qtbot, host):
    release = threading.Event()
    with qtbot.waitSignal(host.operations.finished, timeout=TIMEOUT):
        first = host.operations.run(lambda: release.wait(TIMEOUT / 1000), title="Slow", changes=None,
                                    progress_arg=None)
        assert first is not None
        assert host.operations.run(lambda: None, title="Second", changes=None, progress_arg=None) is None
        assert host.statuses[-1] == "Wait for the running action to finish (or cancel it)"
        release.set()


def test_focus_goes_back_where_it_was(qtbot, host):
    host.first.setFocus()
    qtbot.waitUntil(host.first.hasFocus)
    release = threading.Event()
    with qtbot.waitSignal(host.operations.finished, timeout=TIMEOUT):
        host.operations.run(lambda: release.wait(TIMEOUT / 1000), title="Saving", changes=None, progress_arg=None)
        host.second.setFocus()  # as a progress dialog, or a click, would take it meanwhile
        qtbot.waitUntil(host.second.hasFocus)
        release.set()
    assert host.first.hasFocus()


def test_changes_name_known_kinds_only():
    assert Changes.of("agents") | Changes.of("queues", ids=["q"]) == Changes(frozenset({"agents", "queues"}),
                                                                            frozenset({"q"}))
    assert Changes.everything().touches({"presences"})
    with pytest.raises(ValueError):
        Changes.of("queue")
