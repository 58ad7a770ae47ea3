"""Table columns that fit the table's width, so a list never scrolls sideways (``fit_columns``).

A module of its own, with only the Qt types it uses: the list pages need it for the first
window, and ``ui.common.widgets`` (form widgets, dialogs) is not needed until a form opens.
"""
from __future__ import annotations

from typing import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QToolTip

CELL_PADDING = 16  # a cell's text margins and a little air, beside what the text needs


class ColumnFitter(QObject):
    """Keeps a table's columns inside its width (see ``fit_columns``)."""

    def __init__(self, view: QAbstractItemView, slack: int | None, sizes: Callable[[int], int] | None,
                 minimum_slack: int, keep: Iterable[int] = ()):
        super().__init__(view)
        self.view = view
        self.slack = slack
        self.keep = frozenset(keep)
        self.sizes = sizes
        self.minimum_slack = minimum_slack
        # The share of the width the slack column may claim for its contents before the other
        # columns have theirs (0: none, the slack only takes what is left).  For a name column.
        self.slack_share = 0.0
        self._model = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._viewport = view.viewport()  # kept: a view being destroyed must not be asked for it
        self._viewport.installEventFilter(self)
        view.installEventFilter(self)
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.sectionCountChanged.connect(self.schedule)
        self._watch_model()

    def schedule(self, *_args) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def _watch_model(self) -> None:
        model = self.view.model()
        if model is self._model:
            return
        self._model = model
        if model is not None:
            for signal in (model.modelReset, model.layoutChanged, model.rowsInserted, model.rowsRemoved,
                           model.dataChanged, model.headerDataChanged):
                signal.connect(self.schedule)

    def slack_column(self) -> int:
        """The column given by the caller, else the one its owner set to stretch (remembered: fitting
        makes every column interactive), else the widest."""
        header = self.view.horizontalHeader()
        if self.slack is None:
            for column in range(header.count()):
                if header.sectionResizeMode(column) == QHeaderView.ResizeMode.Stretch:
                    self.slack = column
                    break
        if self.slack is not None:
            return self.slack
        return max(range(header.count()), key=self._wanted, default=0)

    def set_slack_share(self, share: float) -> None:
        """Let the slack column (a name, say) have its whole text, up to ``share`` of the width,
        before the other columns are as wide as their contents."""
        self.slack_share = share
        self.schedule()

    def _wanted(self, column: int) -> int:
        header = self.view.horizontalHeader()
        if self.sizes is not None:
            want = self.sizes(column)
        else:
            want = max(self.view.sizeHintForColumn(column), 0) + CELL_PADDING // 2
        return max(want, header.sectionSizeHint(column), header.minimumSectionSize())

    def fit(self) -> None:
        """Others as wide as their contents (the widest of them give way first when even that is too
        much); the slack column has what is left, never less than ``minimum_slack``."""
        self._watch_model()
        view, header = self.view, self.view.horizontalHeader()
        columns = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        if not columns:
            return
        slack = self.slack_column()
        room = view.viewport().width()
        if room <= 0:
            return
        wanted = {c: self._wanted(c) for c in columns if c != slack}
        floor = {c: max(header.sectionSizeHint(c), header.minimumSectionSize()) for c in wanted}
        slack_floor = max(self.minimum_slack, header.sectionSizeHint(slack) if slack in columns else 0)
        target = slack_floor
        if self.slack_share and slack in columns:
            # A name in the slack: whole (up to its share of the width) before the others' contents.
            target = max(slack_floor, min(self._wanted(slack), int(room * self.slack_share)))
        over = sum(wanted.values()) + (target if slack in columns else 0) - room
        over = self._give_way(wanted, floor, over)  # the widest first, down to its header's width
        if over > 0 and target > slack_floor:  # the share gives way before any header is cut
            over -= min(over, target - slack_floor)
        if over > 0 and slack in columns:
            # Even the headers do not fit (seven columns beside a wide navigation at 1024 px): cut
            # the other headers short rather than the slack column, which is usually the name.
            least = header.minimumSectionSize()
            over = self._give_way(wanted, {c: least for c in wanted}, over)
        for column, width in wanted.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)
        if slack in columns:
            header.setSectionResizeMode(slack, QHeaderView.ResizeMode.Interactive)
            width = max(slack_floor if over <= 0 else header.minimumSectionSize(), room - sum(wanted.values()))
            if header.sectionSize(slack) != width:
                header.resizeSection(slack, width)

    def _give_way(self, wanted: dict[int, int], floor: dict[int, int], over: int) -> int:
        """Trim the widest column that can still give (never under ``floor``, never a ``keep``
        column) until ``over`` pixels are found or none can give; what is still over."""
        while over > 0:
            giving = [c for c in wanted if wanted[c] > floor[c] and c not in self.keep]
            if not giving:
                break
            widest = max(giving, key=lambda c: wanted[c])
            step = min(over, wanted[widest] - floor[widest],
                       max(1, wanted[widest] - max([wanted[c] for c in giving if c != widest], default=0)))
            wanted[widest] -= step
            over -= step
        return over

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 — Qt's name
        kind = event.type()
        if watched is self._viewport:
            if kind == QEvent.Type.Resize:
                self.schedule()
            elif kind == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
                return self._elided_tooltip(event)
        elif watched is self.view and kind in (QEvent.Type.Show, QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.schedule()
        return False

    def _elided_tooltip(self, event: QHelpEvent) -> bool:
        """A cell cut short shows its whole text as a tooltip (unless the model has a tooltip of its own)."""
        index = self.view.indexAt(event.pos())
        if not index.isValid() or index.data(Qt.ItemDataRole.ToolTipRole):
            return False
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if text is None:
            return False
        text = str(text)
        if self.view.sizeHintForIndex(index).width() <= self.view.columnWidth(index.column()):
            QToolTip.hideText()
            return True  # fits: no tooltip
        QToolTip.showText(event.globalPos(), text, self.view.viewport(), self.view.visualRect(index))
        return True


def fit_columns(view: QAbstractItemView, slack: int | None = None, *, sizes: Callable[[int], int] | None = None,
                minimum_slack: int = 120, keep: Iterable[int] = ()) -> ColumnFitter:
    """Fit a table's columns into its width, so it never scrolls sideways.

    ``slack`` (default: the column set to ``Stretch``, else the widest) takes the room the
    others leave and elides its text, the whole text shown as a tooltip; the others are as
    wide as their contents (``sizes(column)`` instead, for a table too large to measure),
    and when even that is too much the widest of them give way, down to their header's
    width, eliding the same way (except the ``keep`` columns).  Refits when the table is
    resized or its rows change.
    """
    fitter = ColumnFitter(view, slack, sizes, minimum_slack, keep)
    fitter.schedule()
    return fitter
