"""The dangling-timer check itself: it must see a leak, and forget a stopped or deleted timer."""
from __future__ import annotations

from PySide6.QtCore import QObject, QThread, QTimer

from tests.ui.leaks import LeakTracker


def test_a_running_parentless_timer_is_reported(monkeypatch, qapp):
    tracker = LeakTracker()
    tracker.install(monkeypatch)
    timer = QTimer()
    timer.setObjectName("forgotten")
    timer.start(1000)
    assert tracker.dangling(qapp) == ["QTimer 'forgotten' every 1000 ms (no parent)"]
    timer.stop()
    assert tracker.dangling(qapp) == []


def test_a_timer_deleted_with_its_owner_is_not_a_leak(monkeypatch, qapp):
    tracker = LeakTracker()
    tracker.install(monkeypatch)
    owner = QObject()
    QTimer(owner).start(1000)
    owner.deleteLater()
    assert tracker.dangling(qapp) == []


def test_a_running_thread_is_reported(monkeypatch, qapp):
    tracker = LeakTracker()
    tracker.install(monkeypatch)
    thread = QThread()
    thread.setObjectName("worker")
    thread.start()
    assert tracker.dangling(qapp) == ["QThread 'worker'"]
    tracker.stop_all()
    assert tracker.dangling(qapp) == []
