"""Every write the window makes, one way: off the GUI thread, then a broadcast of what changed.

After Anki's CollectionOp + operation_did_execute and git-cola's commands::

    window.operations.run(services.delete_queue, queue_id, title="Deleting 'Loans'",
                          changes=Changes.of("queues"), on_done=..., on_error=...)

``run`` starts the service call on the background runner (ui.common.background:
a progress dialog with Cancel when it takes a while), one operation at a time.
When it succeeds, ``changed`` carries a frozen ``Changes`` (the kinds of record
written, and their ids when known) and every page that shows one of those
kinds refreshes itself: nobody keeps a hand-written list of "what to reload
after what".  Focus goes back to the widget that had it before the operation.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

from app.services.changes import Changes

if TYPE_CHECKING:
    from ui.common.background import BackgroundTask

__all__ = ["Changes", "Operations"]  # Changes is the services' own: what each write returns

class Operations(QObject):
    """The one runner of the window's writes (see the module docstring)."""

    changed = Signal(object)  # Changes, after each write that succeeded
    finished = Signal(str)  # "done", "failed" or "cancelled", after the callbacks ran

    def __init__(self, window: QWidget, status: Callable[[str], None]):
        super().__init__(window)
        self.window = window
        self.status = status
        self.task: BackgroundTask | None = None

    def busy(self) -> bool:
        """True (and says so) while an operation runs: they go one at a time."""
        if self.task is not None and self.task.is_running():
            self.status("Wait for the running action to finish (or cancel it)")
            return True
        return False

    def broadcast(self, changes: Changes) -> None:
        """Tell every page what changed (also for writes made elsewhere, as the editor's own save)."""
        if changes.kinds:
            self.changed.emit(changes)

    def run(self, fn: Callable[..., Any], *args: Any, title: str,
            changes: Changes | Callable[[Any], Changes] | None,
            on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            cancelled_text: str = "Cancelled: nothing was changed",
            progress_arg: str | None = "progress", cancellable: bool = True,
            changes_on_error: Changes | None = None) -> BackgroundTask | None:
        """Start ``fn(*args)``; on success broadcast ``changes`` (or ``changes(result)``), then ``on_done``.

        ``changes_on_error``: what to broadcast when it fails (say, a record found
        gone: the lists drop it).  ``progress_arg=None``: ``fn`` takes no progress
        callback (a short write; it cannot be cancelled midway).
        """
        if self.busy():
            return None
        focus = QApplication.focusWidget()

        def settle(outcome: str, then: Callable[[], None]) -> None:
            self.task = None
            try:
                then()
            finally:
                if focus is not None and shiboken6.isValid(focus) and focus.isVisible() \
                        and QApplication.activeModalWidget() is None:
                    focus.setFocus()  # back where the person was
                self.finished.emit(outcome)

        def done(result: Any) -> None:
            def then() -> None:
                if changes is not None:
                    self.broadcast(changes(result) if callable(changes) else changes)
                if on_done is not None:
                    on_done(result)
            settle("done", then)

        def failed(error: BaseException) -> None:
            def then() -> None:
                if changes_on_error is not None:
                    self.broadcast(changes_on_error)
                if on_error is not None:
                    on_error(error)
                else:
                    raise error
            settle("failed", then)

        def cancelled() -> None:
            settle("cancelled", lambda: self.status(cancelled_text))

        self.status(f"{title}…")
        from ui.common.background import run_in_background  # the runner loads after the first paint

        self.task = run_in_background(self.window, fn, *args, progress_title=title, on_done=done,
                                      on_error=failed, on_cancelled=cancelled, progress_arg=progress_arg,
                                      cancellable=cancellable and progress_arg is not None)
        return self.task
