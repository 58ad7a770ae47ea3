"""Tracks the QTimers and QThreads a test starts, to find the ones it leaves running."""
from __future__ import annotations

import weakref

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QThread, QThreadPool, QTimer


class LeakTracker:
    def __init__(self):
        self.started: list[weakref.ref] = []

    def install(self, monkeypatch) -> None:
        real_timer_start, real_thread_start = QTimer.start, QThread.start
        started = self.started

        def timer_start(timer, *args):
            started.append(weakref.ref(timer))
            return real_timer_start(timer, *args)

        def thread_start(thread, *args):
            started.append(weakref.ref(thread))
            return real_thread_start(thread, *args)

        monkeypatch.setattr(QTimer, "start", timer_start)
        monkeypatch.setattr(QThread, "start", thread_start)

    def _alive(self):
        for ref in self.started:
            obj = ref()
            if obj is not None and shiboken6.isValid(obj):
                yield obj

    def dangling(self, app) -> list[str]:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
        QThreadPool.globalInstance().waitForDone(5_000)
        found = []
        for obj in self._alive():
            if isinstance(obj, QTimer) and obj.isActive():
                parent = type(obj.parent()).__name__ if obj.parent() else "no parent"
                found.append(f"QTimer '{obj.objectName()}' every {obj.interval()} ms ({parent})")
            elif isinstance(obj, QThread) and obj.isRunning():
                found.append(f"QThread '{obj.objectName()}'")
        return found

    def stop_all(self) -> None:
        for obj in self._alive():
            if isinstance(obj, QTimer):
                obj.stop()
            elif isinstance(obj, QThread):
                obj.quit()
                obj.wait(5_000)
