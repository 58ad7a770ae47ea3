"""UI test fixtures: scripted answers for message boxes, isolated QSettings."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from ui.common import messages


class Answers:
    """Answers message boxes in order and records what was asked."""

    def __init__(self):
        self.queue: list[str] = []
        self.asked: list[tuple[str, str, str]] = []

    def push(self, *answers: str) -> None:
        self.queue.extend(answers)

    def __call__(self, kind: str, title: str, text: str) -> str:
        self.asked.append((kind, title, text))
        if not self.queue:
            # info/error boxes need no scripted answer; a question without one is a test bug
            if kind in ("info", "error", "warning"):
                return messages.OK
            raise AssertionError(f"unexpected {kind} dialog: {title}: {text}")
        return self.queue.pop(0)


@pytest.fixture(autouse=True)
def answers(monkeypatch):
    recorder = Answers()
    monkeypatch.setattr(messages, "responder", recorder)
    return recorder


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, qapp):
    """QSettings go to tmp_path, so tests never read or write the user's."""
    QCoreApplication.setOrganizationName("WorkstreamConsoleTests")
    QCoreApplication.setApplicationName("Workstream Console Tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield


@pytest.fixture(autouse=True)
def no_automatic_doctor_badges(monkeypatch):
    """The list's doctor badges run on a thread a moment after the list loads: only the tests
    about them (tests/ui/doctor/test_badges.py) turn them on."""
    from ui.doctor import badges

    monkeypatch.setattr(badges, "AUTOMATIC", False)


@pytest.fixture(autouse=True)
def no_dangling_timers_or_threads(monkeypatch, qapp):
    """A test fails if it leaves a QTimer running or a QThread alive (as napari's do).

    pytest-qt closes and deleteLater()s the test's widgets before fixture
    teardown; after flushing those deletions, anything still running was
    started by the test and never stopped: a leak that would fire into the
    next test.
    """
    from tests.ui.leaks import LeakTracker

    tracker = LeakTracker()
    tracker.install(monkeypatch)
    yield
    dangling = tracker.dangling(qapp)
    tracker.stop_all()  # so one leak does not cascade into other tests
    assert not dangling, "left running after the test: " + "; ".join(dangling)


@pytest.fixture
def styled(qapp):
    """The real look (its paddings and minimum widths decide what fits), undone afterwards."""
    from ui.common import style

    old_style, old_palette, old_font = qapp.style().name(), qapp.palette(), qapp.font()
    style.apply(qapp)
    yield
    qapp.setStyleSheet("")
    qapp.setStyle(old_style)
    qapp.setPalette(old_palette)
    qapp.setFont(old_font)
