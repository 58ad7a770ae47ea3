"""The doctor's badge on the work streams list: a dot in the Name column, coloured by the
stream's worst finding, with every finding in its tooltip.

The findings are computed off the GUI thread (``ui.common.background``, no progress
dialog) for the rows the list has loaded, a page at a time
(``app.doctor.service.workstream_badges`` reads only those streams and what they use),
a moment after the list has painted, so start-up never waits for them (nor imports the
doctor).  They are kept
until the database's data version moves (``app.store.changes``): then they are
recomputed for the rows loaded.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.common.names import name_key

if TYPE_CHECKING:
    from ui.common.background import BackgroundTask


_ICONS: dict = {}  # severity (None: blank) -> icon, made once each (a QApplication must exist)


def badge_icon(severity: str | None):
    """The dot for a severity, or a blank of the same size (None) so every name lines up."""
    found = _ICONS.get(severity)
    if found is None:
        if severity is not None:
            from ui.doctor.view import severity_icon  # the doctor's colours; imported once badges exist

            found = severity_icon(severity)
        else:
            from PySide6.QtCore import Qt
            from PySide6.QtGui import QIcon, QPixmap

            pixmap = QPixmap(12, 12)
            pixmap.fill(Qt.GlobalColor.transparent)
            found = QIcon(pixmap)
        _ICONS[severity] = found
    return found


# Tests of other screens switch this off (tests/ui/conftest.py), so no badge thread outlives them.
AUTOMATIC = True


class WorkstreamBadges(QObject):
    """Keeps a ``WorkStreamListModel``'s badges up to date."""

    updated = Signal()  # new badges were handed to the model (tests wait for it)
    DELAY_MS = 800  # after the list has loaded: the first paint and the lists filling come first

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model  # its ``services`` may arrive later (the start-up shell opens the database)
        self.known: dict[str, object] = {}  # folded name -> Badge | None, at ``version``
        self.version: int | None = None
        self.task: BackgroundTask | None = None
        self.pending = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(self.DELAY_MS)
        self.timer.timeout.connect(self.run)
        model.badge_icon = badge_icon
        model.refreshed.connect(self.schedule)
        model.rowsInserted.connect(self.schedule)  # a further page scrolled in

    def schedule(self, *_args) -> None:
        if AUTOMATIC and not self.timer.isActive():
            self.timer.start()

    @property
    def db(self):
        return self.model.services.db

    def missing(self) -> list[str]:
        """Names of loaded rows whose badge is not known at the current data version."""
        from app.store.changes import data_version  # SQLAlchemy: not on the start-up path

        version = data_version(self.db.engine)
        if version != self.version:
            self.known, self.version = {}, version
        seen: set[str] = set()
        names = []
        for row in self.model.rows:
            key = name_key(row.name)
            if key not in self.known and key not in seen:
                seen.add(key)
                names.append(row.name)
        return names

    def run(self) -> BackgroundTask | None:
        if self.task is not None and self.task.is_running():
            self.pending = True  # again when this one is done
            return None
        if self.model.services is None:
            return None
        names = self.missing()
        if not names:
            return None
        from app.doctor.service import workstream_badges

        version = self.version
        parent = self.parent()
        from ui.common.background import run_in_background  # the runner loads after the first paint

        task = run_in_background(parent if isinstance(parent, QWidget) else None, workstream_badges,
                                 self.db, names, progress_title="", cancellable=True,
                                 on_done=lambda badges: self._done(badges, version),
                                 on_error=lambda _error: None)  # the list works without badges
        self.task = task
        task.finished.connect(self._finished)
        return task

    def _done(self, badges: dict, version: int | None) -> None:
        if version != self.version:
            self.pending = True  # computed on data that has changed since
            return
        self.known.update(badges)
        self.model.set_badges({key: badge for key, badge in self.known.items() if badge is not None})
        self.updated.emit()

    def _finished(self) -> None:
        self.task = None
        if self.pending:
            self.pending = False
            self.schedule()

    def cancel(self) -> None:
        self.timer.stop()
        if self.task is not None and self.task.is_running():
            self.task.on_done = self.task.on_error = self.task.on_cancelled = None
            self.task.cancel()
