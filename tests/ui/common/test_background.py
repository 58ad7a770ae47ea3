"""ui.common.background: the task runner's threads, progress, errors, Cancel and clean-up (no sleeps)."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.common.errors import UserError
from ui.common import background
from ui.common.background import (
    BackgroundTask,
    Cancelled,
    TaskProgressDialog,
    describe_error,
    run_in_background,
    running_tasks,
)

TIMEOUT = 20_000


class Outcome:
    """Records which callback ran, with what, and in which thread."""

    def __init__(self):
        self.done: list = []
        self.errors: list[BaseException] = []
        self.cancelled = 0
        self.threads: list[threading.Thread] = []

    def kwargs(self) -> dict:
        return {"on_done": self.on_done, "on_error": self.on_error, "on_cancelled": self.on_cancelled}

    def on_done(self, result) -> None:
        self.threads.append(threading.current_thread())
        self.done.append(result)

    def on_error(self, error) -> None:
        self.threads.append(threading.current_thread())
        self.errors.append(error)

    def on_cancelled(self) -> None:
        self.threads.append(threading.current_thread())
        self.cancelled += 1


@pytest.fixture
def parent(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture(autouse=True)
def no_task_left_running():
    yield
    left = running_tasks()
    for task in left:  # join before failing, so a broken test does not crash the next one
        task.cancel()
        task.wait(deliver=False)
    assert not left, "a background task was still running at the end of the test"
    timers = [timer for widget in QApplication.allWidgets() if isinstance(widget, TaskProgressDialog)
              for timer in widget.findChildren(QTimer) if timer.isActive()]
    assert not timers, "a progress dialog's timer was left running"


def start_and_wait(qtbot, parent, fn, *args, **kwargs) -> BackgroundTask:
    task = BackgroundTask(parent, fn, args, kwargs.pop("fn_kwargs", None), **kwargs)
    with qtbot.waitSignal(task.finished, timeout=TIMEOUT):
        task.start()
    assert task.worker.isFinished()
    return task


def test_the_function_runs_on_another_thread_and_the_result_comes_back_on_the_gui_thread(qtbot, parent):
    outcome = Outcome()
    ran_in: list[threading.Thread] = []

    def work(a, b, progress):
        ran_in.append(threading.current_thread())
        return a + b

    task = start_and_wait(qtbot, parent, work, 2, 3, **outcome.kwargs())
    assert outcome.done == [5] and not outcome.errors and not outcome.cancelled
    assert ran_in[0] is not threading.main_thread()
    assert outcome.threads == [threading.main_thread()]
    assert task.state == BackgroundTask.DONE and task.result == 5
    assert running_tasks() == []


def test_progress_reports_arrive_in_order_and_drive_the_progress_dialog(qtbot, parent):
    outcome = Outcome()
    seen_labels: list[str] = []

    def work(progress):
        for done, step in enumerate(("Checking the bundle", "Planning", "Applying")):
            progress(step, done, 3)
        progress("Done", 3, 3)
        return "ok"

    task = BackgroundTask(parent, work, on_done=outcome.on_done, progress_title="Importing the bundle")
    task.progressed.connect(lambda *_: seen_labels.append(task.progress.labelText() if task.progress else ""))
    with qtbot.waitSignal(task.finished, timeout=TIMEOUT):
        task.start()
        assert task.progress is not None and task.progress.windowTitle() == "Importing the bundle"
    assert [step for step, _done, _total in task.steps] == ["Checking the bundle", "Planning", "Applying", "Done"]
    assert seen_labels[:3] == ["Checking the bundle…", "Planning…", "Applying…"]
    assert outcome.done == ["ok"]
    assert task.progress is None  # closed and scheduled for deletion


def test_a_user_error_comes_back_to_on_error_as_one_line(qtbot, parent):
    outcome = Outcome()

    def work(progress):
        raise UserError("bundle: not a zip file")

    task = start_and_wait(qtbot, parent, work, **outcome.kwargs())
    assert task.state == BackgroundTask.FAILED and not outcome.done
    (error,) = outcome.errors
    assert describe_error(error) == "bundle: not a zip file"


def test_an_unexpected_error_is_reported_not_swallowed(qtbot, parent):
    outcome = Outcome()

    def work(progress):
        raise KeyError("oops")

    start_and_wait(qtbot, parent, work, **outcome.kwargs())
    (error,) = outcome.errors
    assert describe_error(error) == "unexpected error (KeyError: 'oops')"


def test_cancel_raises_cancelled_inside_the_worker_at_the_next_report(qtbot, parent):
    outcome = Outcome()
    entered, gate = threading.Event(), threading.Event()
    reached: list[str] = []

    def work(progress):
        progress("Reading", 0, 4)
        entered.set()
        assert gate.wait(TIMEOUT / 1000)
        try:
            progress("Applying", 3, 4)  # raises Cancelled
        except Cancelled:
            reached.append("cancelled inside")
            raise
        reached.append("applied")  # never
        return "applied"

    task = BackgroundTask(parent, work, progress_title="Importing", **outcome.kwargs())
    try:
        task.start()
        qtbot.waitUntil(entered.is_set, timeout=TIMEOUT)
        assert task.progress is not None and task.progress.cancel_button is not None
        task.progress.cancel_button.click()
        assert task.cancel_requested
        assert task.progress.labelText() == "Cancelling…" and not task.progress.cancel_button.isEnabled()
    finally:
        gate.set()
    with qtbot.waitSignal(task.finished, timeout=TIMEOUT):
        pass
    assert reached == ["cancelled inside"]
    assert task.state == BackgroundTask.CANCELLED and outcome.cancelled == 1 and not outcome.done


def test_a_cancel_after_the_last_step_does_not_claim_nothing_happened(qtbot, parent):
    outcome = Outcome()
    entered, gate = threading.Event(), threading.Event()

    def work(progress):
        progress("Applying", 3, 4)
        entered.set()
        assert gate.wait(TIMEOUT / 1000)  # the work is written here
        progress("Done", 4, 4)  # the final report never raises
        return "written"

    task = BackgroundTask(parent, work, progress_title="Importing", **outcome.kwargs())
    try:
        task.start()
        qtbot.waitUntil(entered.is_set, timeout=TIMEOUT)
        task.cancel()
    finally:
        gate.set()
    with qtbot.waitSignal(task.finished, timeout=TIMEOUT):
        pass
    assert outcome.done == ["written"] and task.cancel_requested and task.state == BackgroundTask.DONE


def test_the_progress_dialog_appears_for_slow_work_and_escape_asks_to_cancel(qtbot, parent):
    outcome = Outcome()
    gate = threading.Event()

    def work(progress):
        progress("Applying", 1, 2)
        assert gate.wait(TIMEOUT / 1000)
        progress("Checking", 1, 2)
        return "never"

    task = BackgroundTask(parent, work, progress_title="Importing", **outcome.kwargs())
    try:
        task.start()
        dialog = task.progress
        assert not dialog.isVisible()  # quick work never flashes a dialog
        qtbot.waitUntil(dialog.isVisible, timeout=TIMEOUT)  # after the minimum duration, while the GUI runs
        assert dialog.isModal()
        dialog.reject()  # Esc
        assert dialog.isVisible() and task.cancel_requested  # still shown, now "Cancelling…"
        assert dialog.labelText() == "Cancelling…"
    finally:
        gate.set()
    with qtbot.waitSignal(task.finished, timeout=TIMEOUT):
        pass
    assert outcome.cancelled == 1 and not dialog.isVisible()


def test_a_task_without_cancel_ignores_cancel(qtbot, parent):
    outcome = Outcome()
    gate = threading.Event()

    def work(progress):
        assert gate.wait(TIMEOUT / 1000)
        progress("Writing", 1, 2)
        return 1

    task = BackgroundTask(parent, work, progress_title="Exporting", cancellable=False, **outcome.kwargs())
    try:
        task.start()
        assert task.progress.cancel_button is None
        task.cancel()
        assert not task.cancel_requested
    finally:
        gate.set()
    with qtbot.waitSignal(task.finished, timeout=TIMEOUT):
        pass
    assert outcome.done == [1]


def test_without_progress_arg_the_function_gets_no_callback(qtbot, parent):
    outcome = Outcome()
    task = start_and_wait(qtbot, parent, lambda x: x * 2, 21, progress_arg=None, **outcome.kwargs())
    assert outcome.done == [42] and task.steps == []


def test_synchronous_mode_runs_in_the_calling_thread(qtbot, parent):
    outcome = Outcome()
    ran_in: list[threading.Thread] = []

    def work(progress):
        ran_in.append(threading.current_thread())
        progress("Working", 1, 1)
        return "sync"

    finished: list[bool] = []
    task = BackgroundTask(parent, work, synchronous=True, progress_title="Working", **outcome.kwargs())
    task.finished.connect(lambda: finished.append(True))
    task.start()  # returns when everything, callbacks and finished included, has happened
    assert finished == [True]
    assert ran_in == [threading.main_thread()] and outcome.done == ["sync"]
    assert task.state == BackgroundTask.DONE and task.progress is None and running_tasks() == []


def test_the_module_switch_makes_every_task_synchronous(qtbot, parent, monkeypatch):
    monkeypatch.setattr(background, "SYNCHRONOUS", True)
    outcome = Outcome()
    task = run_in_background(parent, lambda progress: threading.current_thread(), **outcome.kwargs())
    assert outcome.done == [threading.main_thread()] and task.state == BackgroundTask.DONE


def test_closing_the_parent_while_running_drops_the_callbacks_and_joins_the_thread(qtbot):
    outcome = Outcome()
    entered, gate = threading.Event(), threading.Event()
    widget = QWidget()
    widget.show()

    def work(progress):
        entered.set()
        assert gate.wait(TIMEOUT / 1000)
        progress("Applying", 1, 2)
        return "late"

    task = BackgroundTask(widget, work, progress_title="Importing", **outcome.kwargs())
    try:
        task.start()
        qtbot.waitUntil(entered.is_set, timeout=TIMEOUT)
        widget.deleteLater()
        with qtbot.waitSignal(widget.destroyed, timeout=TIMEOUT):
            pass
        assert task.cancel_requested
    finally:
        gate.set()
    with qtbot.waitSignal(task.finished, timeout=TIMEOUT):
        pass
    assert task.state == BackgroundTask.CANCELLED
    assert (outcome.done, outcome.errors, outcome.cancelled) == ([], [], 0)


def test_cancel_and_wait_all_joins_every_thread_without_callbacks(qtbot, parent):
    outcome = Outcome()
    started = threading.Event()

    def work(progress):
        started.set()
        while True:  # polls its progress callback, like a long import
            progress("Working", 0, 10)

    task = run_in_background(parent, work, progress_title="Working", **outcome.kwargs())
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT)
    background.cancel_and_wait_all()
    assert task.worker.isFinished() and task.state == BackgroundTask.CANCELLED
    assert running_tasks() == [] and outcome.cancelled == 0


def test_a_task_runs_once(qtbot, parent):
    task = start_and_wait(qtbot, parent, lambda progress: None)
    with pytest.raises(RuntimeError):
        task.start()
