"""Run a slow service call off the GUI thread, with a progress dialog and Cancel.

After git-cola's task runner::

    task = run_in_background(self, import_bundle, db, path, dry_run=True,
                             on_done=self.show_plan, on_error=self.show_error,
                             progress_title="Reading the bundle")

``fn(*args, **kwargs, progress=report)`` runs on a ``QThread``.  The service calls
``report(step, done, total)``; each call is sent to the GUI thread by a queued
signal and shown in a window-modal ``QProgressDialog`` (it appears only when the
work takes longer than ``MIN_DURATION_MS``), so the window keeps repainting.

Cancel sets a flag that the *next* ``report`` checks: it raises ``Cancelled``
inside the worker, so the service unwinds and its transaction rolls back (the
bundle service applies in one transaction and writes nothing when it raises).
A report with ``done == total`` says the work is over and never raises: a Cancel
that comes too late is not turned into a false "nothing was written".

Exactly one of ``on_done(result)``, ``on_error(error)`` or ``on_cancelled()``
runs, in the GUI thread, after the thread has been joined; then ``finished``
is emitted (tests wait for it with ``qtbot.waitSignal``).  When the parent
widget is destroyed first, the callbacks are dropped.  ``synchronous=True`` (or
the module switch ``SYNCHRONOUS``) runs ``fn`` in the calling thread, with the
same callbacks, for scripts and screenshots.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QProgressBar, QProgressDialog, QPushButton, QWidget

from app.common.errors import DocumentInvalid, UserError

log = logging.getLogger(__name__)

MIN_DURATION_MS = 300
SYNCHRONOUS = False  # tests and scripts may switch every task to the calling thread

_RUNNING: set["BackgroundTask"] = set()
_QUIT_HOOKED = False


class Cancelled(Exception):
    """Raised inside a task at its first progress report after Cancel was pressed."""

    def __init__(self, message: str = "cancelled"):
        super().__init__(message)


def describe_error(error: BaseException) -> str:
    """The one line to show for an error a task raised."""
    if isinstance(error, (UserError, DocumentInvalid)):
        text = str(error)
    elif isinstance(error, OSError):
        text = error.strerror or str(error)
        if error.filename:
            text = f"{error.filename}: {text}"
    else:
        text = f"unexpected error ({type(error).__name__}: {error})"
    return " ".join(text.split())


# --------------------------------------------------------------------------- the worker thread


class _Worker(QThread):
    """Runs the function once; ``progressed`` crosses to the GUI thread queued."""

    progressed = Signal(str, int, int)

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict, progress_arg: str | None):
        super().__init__()
        self.fn, self.args, self.kwargs, self.progress_arg = fn, args, kwargs, progress_arg
        self.cancel_event = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None

    def report(self, step: str, done: int, total: int) -> None:
        """The ``progress`` callback handed to the service (called in the worker thread)."""
        if self.cancel_event.is_set() and not (total and done >= total):
            raise Cancelled()
        self.progressed.emit(str(step), int(done), int(total))

    def call(self) -> None:
        kwargs = dict(self.kwargs)
        if self.progress_arg:
            kwargs[self.progress_arg] = self.report
        try:
            if self.cancel_event.is_set():
                raise Cancelled()
            self.result = self.fn(*self.args, **kwargs)
        except BaseException as error:  # noqa: BLE001 - every outcome goes back to the GUI thread
            self.error = error

    def run(self) -> None:  # the new thread
        self.call()


# --------------------------------------------------------------------------- the progress dialog


class TaskProgressDialog(QProgressDialog):
    """A window-modal progress dialog whose Cancel asks the task to stop (and waits for it).

    The bar is updated directly (not through ``setValue``, which spins a nested
    event loop in modal dialogs); the dialog shows itself after the minimum
    duration through QProgressDialog's own timer.
    """

    def __init__(self, parent: QWidget, title: str, cancellable: bool):
        super().__init__(parent)
        self.setObjectName("taskProgress")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAutoReset(False)
        self.setAutoClose(True)
        self.setMinimumWidth(380)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first report
        self.bar.setTextVisible(False)
        self.setBar(self.bar)
        self.cancellable = cancellable
        self.cancel_button: QPushButton | None = None
        if cancellable:
            self.cancel_button = QPushButton("Cancel")
            self.setCancelButton(self.cancel_button)
        else:
            self.setCancelButton(None)
        # Cancel must not hide the dialog: the task runs on until its next check.
        self.canceled.disconnect(self.cancel)
        self.setLabelText(f"{title}…")
        self.setMinimumDuration(MIN_DURATION_MS)
        # The one setValue call: it (re)starts the show timer with the minimum duration.
        self.setValue(0)

    def show_step(self, step: str, done: int, total: int) -> None:
        if self.cancel_button is not None and not self.cancel_button.isEnabled():
            return  # cancelling: keep saying so
        self.setLabelText(f"{step}…" if step and not step.endswith(("…", ".")) else step)
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(max(0, min(done, total)))

    def show_cancelling(self) -> None:
        self.setLabelText("Cancelling…")
        if self.cancel_button is not None:
            self.cancel_button.setEnabled(False)

    def close_for_good(self) -> None:
        self.reset()  # hides, and stops the show timer
        self.hide()
        self.deleteLater()

    # Esc and the close box ask to cancel, like the button; they never just hide the dialog.
    def reject(self) -> None:
        if self.cancellable:
            self.canceled.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        if self.cancellable:
            self.canceled.emit()


# --------------------------------------------------------------------------- the task


class BackgroundTask(QObject):
    """One call of ``fn`` in the background; see the module docstring."""

    progressed = Signal(str, int, int)
    finished = Signal()

    RUNNING, DONE, FAILED, CANCELLED = "running", "done", "failed", "cancelled"

    def __init__(self, parent: QWidget | None, fn: Callable[..., Any], args: tuple = (), kwargs: dict | None = None, *,
                 on_done: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 on_cancelled: Callable[[], None] | None = None,
                 progress_title: str = "", cancellable: bool = True, progress_arg: str | None = "progress",
                 synchronous: bool | None = None):
        super().__init__()  # no QObject parent: the task outlives a widget closed while it runs
        self._parent = parent
        self._parent_gone = False
        self.on_done, self.on_error, self.on_cancelled = on_done, on_error, on_cancelled
        self.title = progress_title
        self.cancellable = cancellable
        self.synchronous = SYNCHRONOUS if synchronous is None else synchronous
        self.worker = _Worker(fn, tuple(args), dict(kwargs or {}), progress_arg)
        self.state = ""
        self.result: Any = None
        self.error: BaseException | None = None
        self.progress: TaskProgressDialog | None = None
        self.steps: list[tuple[str, int, int]] = []
        self._finished = False
        if parent is not None:
            parent.destroyed.connect(self._parent_destroyed)

    # ------------------------------------------------------------------ control

    def start(self) -> "BackgroundTask":
        if self.state:
            raise RuntimeError("a background task runs once")
        self.state = self.RUNNING
        _RUNNING.add(self)
        _hook_quit()
        if self._parent is not None and self.title and not self.synchronous:
            self.progress = TaskProgressDialog(self._parent, self.title, self.cancellable)
            self.progress.canceled.connect(self.cancel)
        self.worker.progressed.connect(self._progressed)
        if self.synchronous:
            self.worker.call()
            self._finish()
        else:
            self.worker.finished.connect(self._thread_finished)
            self.worker.start()
        return self

    @Slot()
    def cancel(self) -> None:
        """Ask the task to stop at its next progress report (no effect once it has finished)."""
        if self.state != self.RUNNING or not self.cancellable:
            return
        self.worker.cancel_event.set()
        if self.progress is not None and shiboken6.isValid(self.progress):
            self.progress.show_cancelling()

    @property
    def cancel_requested(self) -> bool:
        return self.worker.cancel_event.is_set()

    def is_running(self) -> bool:
        return self.state == self.RUNNING

    def wait(self, deliver: bool = True) -> None:
        """Join the thread now and settle the task (callbacks only when ``deliver``)."""
        if self.state == self.RUNNING and not self.synchronous:
            self.worker.wait()
        self._finish(deliver=deliver)

    # ------------------------------------------------------------------ GUI-thread slots

    @Slot(str, int, int)
    def _progressed(self, step: str, done: int, total: int) -> None:
        if self._finished:
            return
        self.steps.append((step, done, total))
        if self.progress is not None and shiboken6.isValid(self.progress):
            self.progress.show_step(step, done, total)
        self.progressed.emit(step, done, total)

    @Slot()
    def _thread_finished(self) -> None:
        self.worker.wait()
        self._finish()

    @Slot()
    def _parent_destroyed(self) -> None:
        self._parent_gone = True
        self.progress = None  # destroyed with its parent
        self.worker.cancel_event.set()

    def _finish(self, deliver: bool = True) -> None:
        if self._finished:
            return
        self._finished = True
        worker = self.worker
        try:
            worker.progressed.disconnect(self._progressed)
        except (RuntimeError, TypeError):
            pass
        if self.progress is not None and shiboken6.isValid(self.progress):
            self.progress.close_for_good()
        self.progress = None
        self.result, self.error = worker.result, worker.error
        if isinstance(self.error, Cancelled):
            self.state = self.CANCELLED
        elif self.error is not None:
            self.state = self.FAILED
            if not isinstance(self.error, (UserError, DocumentInvalid, OSError)):
                log.error("background task %r failed", self.title or getattr(worker.fn, "__name__", "?"),
                          exc_info=self.error)
        else:
            self.state = self.DONE
        _RUNNING.discard(self)
        if self._parent is not None and not self._parent_gone:
            try:
                self._parent.destroyed.disconnect(self._parent_destroyed)
            except (RuntimeError, TypeError):
                pass
        if deliver and not self._parent_gone and (self._parent is None or shiboken6.isValid(self._parent)):
            try:
                if self.state == self.CANCELLED:
                    if self.on_cancelled is not None:
                        self.on_cancelled()
                elif self.state == self.FAILED:
                    if self.on_error is not None:
                        self.on_error(self.error)
                    elif not isinstance(self.error, (UserError, DocumentInvalid, OSError)):
                        raise self.error  # a bug nobody handles: let it surface
                elif self.on_done is not None:
                    self.on_done(self.result)
            finally:
                self.finished.emit()
        else:
            self.finished.emit()


def run_in_background(parent: QWidget | None, fn: Callable[..., Any], *args: Any,
                      on_done: Callable[[Any], None] | None = None,
                      on_error: Callable[[BaseException], None] | None = None,
                      on_cancelled: Callable[[], None] | None = None,
                      progress_title: str = "", cancellable: bool = True,
                      progress_arg: str | None = "progress", synchronous: bool | None = None,
                      **kwargs: Any) -> BackgroundTask:
    """Start ``fn(*args, **kwargs, progress=report)`` on a thread; returns the running task.

    ``progress_arg=None`` calls ``fn`` without a progress callback (it then cannot
    be cancelled midway).  No ``progress_title`` means no progress dialog.
    """
    task = BackgroundTask(parent, fn, args, kwargs, on_done=on_done, on_error=on_error, on_cancelled=on_cancelled,
                          progress_title=progress_title, cancellable=cancellable, progress_arg=progress_arg,
                          synchronous=synchronous)
    return task.start()


def running_tasks() -> list[BackgroundTask]:
    return list(_RUNNING)


def cancel_and_wait_all() -> None:
    """Cancel every running task and join its thread, without callbacks (at quit)."""
    for task in list(_RUNNING):
        task.cancel()
        task.wait(deliver=False)


def _hook_quit() -> None:
    global _QUIT_HOOKED
    app = QCoreApplication.instance()
    if app is not None and not _QUIT_HOOKED:
        app.aboutToQuit.connect(cancel_and_wait_all)
        _QUIT_HOOKED = True
