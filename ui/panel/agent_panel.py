"""The live agent panel: a simulated contact centre for trainers.

Layout::

    +----------------------------------------------------------------------------+
    | Pause 1× 2× 5× 10× 60×   Simulated time 00:02:05  Reset   12 conversations |  clock bar
    +----------------------------------------------------+-----------------------+
    | Billing  3 members · 0 waiting                     | [Send] [Route trace]  |
    |  [card] [card] [card]      (grouped by home queue: | Send: work stream,    |
    | VIP ...                     see ui/panel/agent_cards.py) |  typed fields, Burst, |
    |  (presence, capacity, chips, pops)                 |  Open scenario…       |
    +----------------------------------------------------+ Route trace: the tree |
    | Event log: time, event, conversation, agent,       +-----------------------+
    | details (select a row: its route trace)            | toast: the pop of the |
    |                                                    | agent in focus        |
    +----------------------------------------------------+-----------------------+

The toast is docked in the bottom-right corner rather than floating, so it never
hides the log or the trace; the route trace shares the right column with the
injector as a tab (selecting a conversation brings it forward) because side by
side with the log neither had room at the 1030 px the main window leaves.

The configuration comes from the database (``export_document``) or, for the
benchmark, a document handed in.  A ``SimulationDriver`` runs the simulator
on a scaled clock; its batched events update the log, the cards that an
event names, the queue headers and the toast (once per tick).  Pops count
down in simulated time.  The driver's timer runs while the panel is visible
and stops when it is hidden or closed.

Staying responsive at 60× with hundreds of agents: a tick only does the cheap
part (counters, queue headers, the clock).  The log's new rows and the cards
its events name wait for the refresh queue — repeated events for one card
coalesce — which a short single-shot timer works through in slices: first the
log (one insert), then the stale cards *on screen*, at most ``REFRESH_BUDGET_S``
of wall time per slice; the same slices move the countdowns of the pops on
screen and rebuild the toast.  The event loop runs between slices, so a tick,
the log and the cards each repaint on their own with input handled in between.
Cards off screen stay stale until they scroll into view.  Cards never change
height as pops come and go (see ui/panel/agent_cards.py), so a refreshed card
repaints itself only and the cards and groups after it stay where they are.
The batch of a user action (Accept, Send ...) is shown at once.
"""
from __future__ import annotations

from ui.common.typed_fields import check_typed_field, repolish

import json
import time
from datetime import datetime
from collections import Counter
from typing import Any, Callable, Mapping

from PySide6.QtCore import QItemSelection, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontMetrics, QHideEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.common.errors import UserError
from models.choices import DEFAULT_QUEUE_PRIORITY, DISTRIBUTION_MODE_LABELS, NOTIFICATION_LABELS
from ui.common import messages
from ui.common.column_fit import fit_columns
from ui.panel.agent_cards import (
    CARD_WIDTH,
    CARDS_QSS,
    AgentCard,
    ConversationChip,
    ConversationInfo,
    ElidedLabel,
    FlowLayout,
    QueueGroup,
    home_queues,
)
from ui.panel.panel_models import BOLD_EVENTS, EVENT_LABELS, EventLogModel, plain_value
from ui.panel.screen_pop import POP_QSS, CardPop, ScreenPop
from ui.panel.sim_driver import SPEED_PRESETS, SimulationDriver, format_clock
from ui.workstreams.routing_trial_pane import RouteTraceView
from ui.common.spin_boxes import SpinBox

REFRESH_BUDGET_S = 0.006  # wall time one slice may spend refreshing cards before yielding to the event loop
REFRESH_YIELD_MS = 1      # between two slices
AUTOPILOT_SEED = 2026  # one seed: the same clicks give the same run
EMPTY_TEXT = "Send a conversation to see routing and screen pops. Tip: Burst sends many at once."
SCREENSHOT_STREAM = "Chat - Retail banking"
LOCAL_NOW = object()  # AgentPanel's calendar_start default (see its docstring)

NARROW_PANEL = 900        # narrower (a 1024 px screen), the clock bar drops its "Simulated time" caption
LOG_CELL_PADDING = 20     # a log cell's padding (6 px a side in the style sheet), focus margins and air
RIGHT_MINIMUM = 272       # the right column (Send, Route trace, the toast) at its narrowest
PRESENTATION_SCALE = 1.5  # type and cards in presentation mode, for the back of a room
# Presentation mode: the explicit sizes of the normal style sheet, larger (more specific selectors win).
PRESENTATION_QSS = """
QWidget#agentPanel QLabel#simClock { font-size: 34pt; }
QWidget#agentPanel QLabel#clockCaption { font-size: 14pt; }
QWidget#agentPanel QLabel#queueTitle { font-size: 17pt; }
QWidget#agentPanel QLabel[role="panelTitle"] { font-size: 16pt; }
QWidget#agentPanel QLabel#traceHeader { font-size: 16pt; }
QWidget#agentPanel QLabel#emptyLog { font-size: 15pt; }
QWidget#agentPanel QFrame#screenPop[toast="true"] QLabel#popTitle { font-size: 17pt; }
QWidget#agentPanel QFrame#screenPop[toast="true"] QLabel#popCountdown { font-size: 26pt; }
"""

PANEL_QSS = POP_QSS + CARDS_QSS + """
QWidget#agentPanel { background: #F5F7FA; }
QFrame#clockBar { background: #FFFFFF; border: none; border-bottom: 1px solid #E0E0E0; }
QToolButton[role="speed"] { background: #FFFFFF; color: #242424; border: 1px solid #D1D1D1; border-radius: 6px;
    padding: 4px 10px; min-width: 30px; }
QToolButton[role="speed"]:hover { background: #F5F5F5; }
QToolButton[role="speed"]:checked { background: #0F6CBD; color: #FFFFFF; border-color: #0F6CBD; font-weight: 600; }
QToolButton#speedPause:checked { background: #FFF4CE; color: #8A5300; border-color: #F2C661; }
QToolButton#resetButton, QToolButton#exitPresentation, QPushButton#scenarioButton { background: #FFFFFF; color: #242424;
    border: 1px solid #D1D1D1; border-radius: 6px; padding: 4px 10px; }
QToolButton#resetButton:hover, QToolButton#exitPresentation:hover { background: #F5F5F5; }
QLabel#simClock { font-size: 16pt; font-weight: 600; color: #242424; padding: 0px 4px; }
QLabel#clockCaption { color: #616161; }
QLabel#panelStats { color: #424242; }
QWidget#cardsCanvas { background: #F5F7FA; }
QScrollArea#cardsScroll { background: #F5F7FA; border: none; }
QFrame#sideColumn, QFrame#tracePanel, QFrame#logPanel { background: #FFFFFF; border: none; }
QTabWidget#sideTabs::pane { border: none; border-top: 1px solid #E0E0E0; background: #FFFFFF; top: -1px; }
QTabWidget#sideTabs > QTabBar::tab { padding: 8px 14px 7px 14px; margin-right: 2px; }
QLabel[role="panelTitle"] { font-size: 11pt; font-weight: 600; color: #242424; }
QLabel[role="panelHint"] { color: #616161; }
QLabel[role="fieldError"] { color: #C50F1F; }
QLabel#sendStatus { color: #0E700E; }
QLabel#sendStatus[error="true"] { color: #C50F1F; }
QLineEdit[invalid="true"] { border: 1px solid #C50F1F; border-bottom: 2px solid #C50F1F; }
QFrame[role="divider"] { background: #EDEDED; max-height: 1px; min-height: 1px; border: none; }
QLabel#emptyLog { color: #616161; font-size: 10.5pt; padding: 24px; }
QLabel#traceHeader { font-weight: 600; color: #242424; font-size: 11pt; }
QLabel#traceWhy { color: #242424; }
QFrame#rightColumn { background: #FFFFFF; border: none; border-left: 1px solid #E0E0E0; }
QFrame#toast { background: #F0F4F9; border: none; border-top: 1px solid #D6E1EE; }
QLabel#toastHeader { color: #424242; font-weight: 600; }
QLabel#toastOthers { color: #424242; }
QLabel#loadError { color: #A4262C; background: #FDE7E9; border: 1px solid #F1BBBC; border-radius: 6px;
    padding: 8px 12px; }
QTableView#eventLog { border: none; border-top: 1px solid #E0E0E0; }
QTableView#eventLog::item { padding: 0px 6px; }
QTableView#eventLog QHeaderView::section { padding: 6px 4px; }
"""

# event -> the conversation's state afterwards (for the counters and queue headers)
_STATE_AFTER = {
    "queued": "queued", "offered": "offered", "accepted": "active", "assigned": "active",
    "declined": "moving", "offer_expired": "moving", "waiting": "waiting", "active": "active", "closed": "closed",
}


def _divider() -> QFrame:
    line = QFrame()
    line.setProperty("role", "divider")
    return line


class ClockLabel(QLabel):
    """The simulated clock: as wide as its widest time in its font, so it is never cut ("00:02:3")
    and nothing beside it moves as it ticks."""

    def sizeHint(self) -> QSize:  # noqa: N802 — Qt's name
        hint = super().sizeHint()
        metrics = self.fontMetrics()
        widest = max(metrics.horizontalAdvance(f"{d}{d}:{d}{d}:{d}{d}") for d in "0123456789")
        return QSize(hint.width() - metrics.horizontalAdvance(self.text()) + widest + 2, hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()


class Toast(QFrame):
    """The notification of the agent in focus, docked in the panel's bottom-right corner like the
    product's toast (in the layout rather than floating, so it never hides the log or the trace)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("toast")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(6)
        self.header = ElidedLabel()
        self.header.setObjectName("toastHeader")
        layout.addWidget(self.header)
        # The agent's other outstanding offers (a card shows only the first in full): one line that names
        # them, each with its queue and expiry in the tooltip, so the column keeps its room for Send.
        self.others = ElidedLabel()
        self.others.setObjectName("toastOthers")
        self.others.hide()
        layout.addWidget(self.others)
        self.pop: ScreenPop | None = None
        self.hide()

    def set_pop(self, pop: ScreenPop | None) -> None:
        if self.pop is not None:
            self.layout().removeWidget(self.pop)
            self.pop.hide()
            self.pop.deleteLater()
        self.pop = pop
        if pop is not None:
            self.layout().insertWidget(1, pop)
            pop.show()  # now, not when the layout gets round to it: its room is measured next
            self.hold_room()

    def hold_room(self) -> None:
        """Never less tall than the notification needs: with wrapped lines the column's layout would
        otherwise squeeze it to what its height-for-width guess says (the context rows overlapped)."""
        if self.pop is not None:
            self.pop.ensurePolished()
        layout = self.layout()
        layout.invalidate()
        height = layout.sizeHint().height()
        if layout.hasHeightForWidth() and self.width() > 0:  # the lines as they wrap at its width now
            height = max(height, layout.totalHeightForWidth(self.width()))
        if self.minimumHeight() != height:
            self.setMinimumHeight(height)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.hold_room()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.hold_room()

    def set_others(self, conversations: list[str], details: list[str]) -> None:
        text = f"Also waiting: {', '.join(conversations)}" if conversations else ""
        if text != self.others.full_text():
            self.others.setText(text)
            self.others.set_tooltip("\n".join(details))
        if self.others.isVisibleTo(self) != bool(conversations):
            self.others.setVisible(bool(conversations))
            self.hold_room()


class AgentPanel(QWidget):
    """Trainers' live panel over the simulator (see the module docstring)."""

    cardsRefreshed = Signal()  # the refresh queue drained: every card on screen shows the current state
    presentationChanged = Signal(bool)  # presentation mode on or off (the window's View → Presentation follows)

    def __init__(self, services, parent: QWidget | None = None, *, time_source: Callable[[], float] | None = None,
                 config_doc: Mapping[str, Any] | None = None, speed: float = 1.0,
                 calendar_start: datetime | None | object = LOCAL_NOW):
        """``calendar_start``: the local date-time of simulated second 0, for queues' operating hours.
        By default a panel on the real clock starts at the computer's local time now (a queue closes
        when it closes today), and one on an injected clock (tests, benchmarks) has no calendar: every
        queue is open.  None: no calendar."""
        super().__init__(parent)
        self.setObjectName("agentPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(PANEL_QSS)
        self.services = services
        self._config_doc = config_doc
        self._presentation = False
        self._card_width = CARD_WIDTH
        self._hidden_chrome: list[QWidget] = []
        self._window_state = None
        self.load_error: str | None = None
        self.cards: dict[str, AgentCard] = {}
        self.groups: dict[str | None, QueueGroup] = {}
        self._cards_with_pops: set[str] = set()
        self._stale_cards: set[str] = set()  # changed since their last refresh (coalesced)
        self._countdowns_due = False  # the simulated time moved: the pops on screen count down
        self._toast_due = False
        self._log_backlog: list[dict] = []  # a tick's events, for the log's own slice
        self._log_skipped = 0
        self._groups_widget: QWidget | None = None
        self._hours_queues: list[str] = []  # queues with operating hours (their "Closed" tag follows the clock)
        self._focus_agent: str | None = None
        self.selected_conversation: str | None = None
        self._conv_state: dict[str, str] = {}
        self._conv_queue: dict[str, str | None] = {}
        self._state_counts: Counter = Counter()
        self._waiting: Counter = Counter()
        self._open_items: dict[str | None, dict[str, None]] = {}  # queue -> pick-mode items, oldest first
        self._fields: dict[str, QLineEdit] = {}
        self._field_errors: dict[str, QLabel] = {}
        self._field_types: dict[str, str] = {}
        self._shown_time = ""
        self._sized = False
        self._structure: tuple = ()
        # Replaced by tests: returns a file path or "" when cancelled.
        self.choose_scenario_file: Callable[[], str] = self._choose_scenario_file

        # The refresh queue's slices (see the module docstring); single shot, restarted while work is left.
        # 1 ms rather than 0: a zero timer restarted at once would also run before the other timers that
        # fell due meanwhile; one millisecond lets everything pending have its turn between two slices.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setObjectName("cardRefreshTimer")
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._refresh_timer.setInterval(REFRESH_YIELD_MS)
        self._refresh_timer.timeout.connect(self._refresh_slice)

        doc = self._read_config() or {}
        if calendar_start is LOCAL_NOW:
            calendar_start = datetime.now().replace(microsecond=0) if time_source is None else None
        self.driver = SimulationDriver(doc, self, time_source=time_source, speed=speed,
                                       calendar_start=calendar_start)
        self.driver.eventsEmitted.connect(self._on_events)
        self.driver.timeChanged.connect(self._on_time)
        self.driver.speedChanged.connect(self._sync_speed_buttons)
        self.driver.simulationReset.connect(self._on_reset)
        self.driver.configurationChanged.connect(self._on_reconfigured)
        # "Agents answer their pops" (app/simulation/autopilot.py): follows the driver's simulator,
        # which a reset or a saved change replaces.
        self.autopilot = None
        self.driver.timeChanged.connect(self._play_autopilot)
        self.driver.simulationReset.connect(self._attach_autopilot)
        self.driver.configurationChanged.connect(self._attach_autopilot)
        if config_doc is None and services is not None:
            # Saved changes (any writer: editors, imports, bundles, the sample generator) reach the
            # running panel at its next tick, without Refresh.
            from app.store.changes import data_version

            self.driver.watch_configuration(lambda: data_version(self.services.db), self._read_saved_config)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_clock_bar())
        self.load_error_label = QLabel()
        self.load_error_label.setObjectName("loadError")
        self.load_error_label.setWordWrap(True)
        self.load_error_label.hide()
        outer.addWidget(self.load_error_label)

        # Left: the cards over the event log.  Right: "Send" and "Route trace" tabs, with the toast
        # docked in the bottom-right corner (it never covers the log or the trace).
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setChildrenCollapsible(False)
        left = QSplitter(Qt.Orientation.Vertical)
        left.setChildrenCollapsible(False)
        left.addWidget(self._build_cards_area())
        left.addWidget(self._build_log())
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        left.setSizes([470, 260])
        self.left_splitter = left
        self.main_splitter.addWidget(left)
        right = QFrame()
        right.setObjectName("rightColumn")
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("sideTabs")
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.addTab(self._build_side_column(), "Send")
        self.side_tabs.addTab(self._build_trace_panel(), "Route trace")
        self.side_tabs.setTabToolTip(0, "Send a conversation, a burst, or play a scenario")
        self.side_tabs.setTabToolTip(1, "Why the selected conversation went to its queue")
        right_layout.addWidget(self.side_tabs, 1)
        self.side_tabs.setMinimumHeight(120)  # gives way to the toast, which is never squeezed
        self.toast = Toast(right)
        right_layout.addWidget(self.toast)
        right.setMinimumWidth(RIGHT_MINIMUM)
        right.setMaximumWidth(440)
        self.right_column = right
        self.main_splitter.addWidget(right)
        self.main_splitter.setStretchFactor(0, 1)
        self.main_splitter.setStretchFactor(1, 0)
        self.main_splitter.setSizes([980, 300])
        outer.addWidget(self.main_splitter, 1)
        # Cards come into view when a splitter gives the cards area more room, too.
        self.main_splitter.splitterMoved.connect(lambda _pos, _index: self._cards_area_resized())
        self.left_splitter.splitterMoved.connect(lambda _pos, _index: self._cards_area_resized())

        self._rebuild()
        self._show_load_error()

    # ================================================================== configuration

    def _read_config(self) -> dict | None:
        """The configuration document, or None (and ``load_error`` says why) when it can't be simulated."""
        if self._config_doc is not None:
            return dict(self._config_doc)
        from app.config.io import export_document
        from app.simulation.engine import normalize_config

        try:
            doc = export_document(self.services.db)
            normalize_config(doc)
        except UserError as error:
            self.load_error = f"Can't simulate this configuration: {error}"
            return None
        except Exception as error:  # noqa: BLE001 — a broken database must not take the window down
            self.load_error = f"Can't read the configuration: {type(error).__name__}: {error}"
            return None
        self.load_error = None
        return doc

    def _read_saved_config(self) -> dict | None:
        """The configuration after a saved change; None (the banner says why) when it can't be simulated."""
        doc = self._read_config()
        self._show_load_error()
        return doc

    def set_autopilot(self, on: bool) -> None:
        """Agents answer their own pops (on) or leave them to the trainer (off)."""
        self.autopilot_check.setChecked(on)

    def _attach_autopilot(self, *_args) -> None:
        if self.autopilot is not None:
            self.autopilot.close()
            self.autopilot = None
        if self.autopilot_check.isChecked():
            from app.simulation.autopilot import AutoAnswer

            self.autopilot = AutoAnswer(self.driver.simulator, seed=AUTOPILOT_SEED)
            self.autopilot.play_due(self.driver.simulator.time)  # pops already up count from now on

    def _play_autopilot(self, now: float) -> None:
        if self.autopilot is not None:
            self.autopilot.play_due(self.driver.simulator.time)

    def _on_reconfigured(self) -> None:
        """A saved change was applied mid-run: the simulation goes on at its time on the new configuration
        (the driver logs what changed); the cards follow it."""
        self._conv_state.clear()
        self._conv_queue.clear()
        self._state_counts.clear()
        self._waiting.clear()
        self._open_items.clear()
        focus = self._focus_agent
        if self._structure == self._structure_key():
            self._restart_cards()
        else:
            self._rebuild()
        for queue, group in self.groups.items():
            counts = self.driver.simulator.queue_counts(queue) if queue is not None else None
            group.set_waiting(*(counts or (0, 0)))
        if focus in self.cards:
            self.focus_agent(focus)
        if self.selected_conversation and self.driver.simulator.conversation(self.selected_conversation) is None:
            self.selected_conversation = None

    def live_conversations(self) -> int:
        """Conversations still going on (waiting, ringing, active or idle) in the simulator."""
        return len(self.driver.simulator.conversations(("queued", "offered", "active", "waiting")))

    def reset_clicked(self) -> bool:
        """Reset, asking first while conversations are live (a class may be mid-demo); True when done."""
        live = self.live_conversations()
        if live and not messages.confirm(
                self, "Reset the simulation?",
                f"{live} conversation{'s are' if live != 1 else ' is'} still going on. Reset ends "
                f"{'them' if live != 1 else 'it'} and starts again at 00:00:00.",
                "The event log is cleared too. The configuration is not changed."):
            return False
        self.reload()
        return True

    def reload(self) -> None:
        """Read the configuration again and start a fresh simulation on it (the Reset button).

        When it can't be read, the banner says why and the simulation restarts on the
        configuration it had."""
        doc = self._read_config()
        try:
            self.driver.reset(doc)
        except UserError as error:
            self.load_error = f"Can't simulate this configuration: {error}"
            self.driver.reset()
        self._show_load_error()

    def _show_load_error(self) -> None:
        self.load_error_label.setText(self.load_error or "")
        self.load_error_label.setVisible(bool(self.load_error))

    # ================================================================== building

    def _build_clock_bar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("clockBar")
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(6)
        self.speed_group = QButtonGroup(self)
        self.speed_group.setExclusive(True)
        self.speed_buttons: dict[str, QToolButton] = {}
        for label, speed in SPEED_PRESETS:
            button = QToolButton()
            button.setText(label)
            button.setCheckable(True)
            button.setProperty("role", "speed")
            button.setObjectName("speedPause" if speed is None else f"speed{int(speed)}x")
            button.setToolTip("Pause the simulated clock: pops stop counting down" if speed is None
                              else f"Run the simulated clock at {label} real time")
            button.clicked.connect(lambda _c=False, s=speed: self.set_speed(s))
            button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)  # never squeezed to "…"
            self.speed_group.addButton(button)
            self.speed_buttons[label] = button
            layout.addWidget(button)
        layout.addSpacing(14)
        caption = QLabel("Simulated time")
        caption.setObjectName("clockCaption")
        layout.addWidget(caption)
        self.clock_caption = caption  # hidden on a narrow panel, so the counts beside Reset have room
        self.clock_label = ClockLabel("00:00:00")
        self.clock_label.setObjectName("simClock")
        self.clock_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.clock_label.setToolTip("Simulated time since the simulation started")
        layout.addWidget(self.clock_label)
        self.reset_button = QToolButton()
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setText("Reset")
        self.reset_button.setToolTip("Start again at 00:00:00 on the configuration as saved now (agents back to "
                                     "their configured presence, no conversations)")
        self.reset_button.clicked.connect(self.reset_clicked)
        self.reset_button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        layout.addWidget(self.reset_button)
        self.exit_presentation_button = QToolButton()
        self.exit_presentation_button.setObjectName("exitPresentation")
        self.exit_presentation_button.setText("Exit presentation")
        self.exit_presentation_button.setToolTip("Back to the normal window (F11: View → Presentation)")
        self.exit_presentation_button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.exit_presentation_button.clicked.connect(lambda: self.set_presentation(False))
        self.exit_presentation_button.hide()
        layout.addWidget(self.exit_presentation_button)
        self.stats_label = ElidedLabel(minimum_chars=4)
        self.stats_label.setObjectName("panelStats")
        self.stats_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.stats_label, 1)
        self._sync_speed_buttons()
        return bar

    def _build_cards_area(self) -> QWidget:
        self.cards_scroll = QScrollArea()
        self.cards_scroll.setObjectName("cardsScroll")
        self.cards_scroll.setWidgetResizable(True)
        self.cards_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.cards_scroll.setMinimumWidth(320)
        self.cards_scroll.verticalScrollBar().valueChanged.connect(lambda _v: self._cards_scrolled())
        return self.cards_scroll

    def _build_side_column(self) -> QWidget:
        column = QFrame()
        column.setObjectName("sideColumn")
        column.setMinimumWidth(240)  # the right column is at least as wide as this needs (see _split)
        column.setMaximumWidth(440)
        self.side_column = column
        layout = QVBoxLayout(column)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(6)

        title = QLabel("Send a conversation")
        title.setProperty("role", "panelTitle")
        layout.addWidget(title)
        self.stream_combo = QComboBox()
        self.stream_combo.setObjectName("injectWorkstream")
        self.stream_combo.setToolTip("The work stream the conversation arrives on")
        self.stream_combo.currentIndexChanged.connect(lambda _i: self._build_inject_form())
        layout.addWidget(self.stream_combo)
        self.stream_hint = QLabel()
        self.stream_hint.setProperty("role", "panelHint")
        self.stream_hint.setWordWrap(True)
        layout.addWidget(self.stream_hint)
        self.inject_form_widget = QWidget()
        self.inject_form = QFormLayout(self.inject_form_widget)
        self.inject_form.setContentsMargins(0, 2, 0, 2)
        self.inject_form.setHorizontalSpacing(10)
        self.inject_form.setVerticalSpacing(4)
        self.inject_form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.inject_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addWidget(self.inject_form_widget)
        send_row = QHBoxLayout()
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setProperty("role", "primary")
        self.send_button.setToolTip("A conversation arrives now with these values (Enter in a field)")
        self.send_button.clicked.connect(self.send_conversation)
        send_row.addWidget(self.send_button)
        self.send_status = QLabel()
        self.send_status.setObjectName("sendStatus")
        self.send_status.setWordWrap(True)
        send_row.addWidget(self.send_status, 1)
        layout.addLayout(send_row)

        layout.addSpacing(4)
        layout.addWidget(_divider())
        burst_title = QLabel("Burst")
        burst_title.setProperty("role", "panelTitle")
        layout.addWidget(burst_title)
        burst_row = QHBoxLayout()
        burst_row.setSpacing(8)
        self.burst_spin = SpinBox()
        self.burst_spin.setObjectName("burstCount")
        self.burst_spin.setRange(1, 5000)
        self.burst_spin.setValue(25)
        self.burst_spin.setToolTip("How many conversations the burst sends")
        self.burst_spin.valueChanged.connect(lambda n: self.burst_button.setText(f"Send {n}"))
        burst_row.addWidget(self.burst_spin)
        self.burst_button = QPushButton("Send 25")
        self.burst_button.setObjectName("burstButton")
        self.burst_button.setToolTip("Send that many conversations with random values on this work stream")
        self.burst_button.clicked.connect(lambda: self.send_burst())
        burst_row.addWidget(self.burst_button)
        burst_row.addStretch(1)
        layout.addLayout(burst_row)
        burst_hint = QLabel("Believable values: the work stream's rules take turns catching them, "
                            "so each rule fires.")
        burst_hint.setProperty("role", "panelHint")
        burst_hint.setWordWrap(True)
        layout.addWidget(burst_hint)
        # Alone at 60x a trainer cannot answer six agents' pops: they expire (and may set agents Away).
        self.autopilot_check = QCheckBox("Agents answer their pops")
        self.autopilot_check.setObjectName("autopilotCheck")
        self.autopilot_check.setToolTip("Each pop is accepted a few seconds after it appears and each conversation "
                                        "ends after three to seven minutes, so queues fill and drain at any speed. "
                                        "Off: pops wait for Accept or Decline.")
        self.autopilot_check.toggled.connect(self._attach_autopilot)
        layout.addWidget(self.autopilot_check)
        autopilot_hint = QLabel("Accepted within 3–12 s, chats of 3–7 min. You can still accept, decline or end "
                                "any of them first.")
        autopilot_hint.setProperty("role", "panelHint")
        autopilot_hint.setWordWrap(True)
        layout.addWidget(autopilot_hint)

        layout.addSpacing(4)
        layout.addWidget(_divider())
        scenario_title = QLabel("Scenario")
        scenario_title.setProperty("role", "panelTitle")
        layout.addWidget(scenario_title)
        scenario_row = QHBoxLayout()
        self.scenario_button = QPushButton("Open scenario…")
        self.scenario_button.setObjectName("scenarioButton")
        self.scenario_button.setToolTip("Play a 'wsc simulate' scenario file from now on")
        self.scenario_button.clicked.connect(self.open_scenario)
        scenario_row.addWidget(self.scenario_button)
        scenario_row.addStretch(1)
        layout.addLayout(scenario_row)
        self.scenario_label = QLabel("Plays a wsc simulate file: its times count from when you open it.")
        self.scenario_label.setProperty("role", "panelHint")
        self.scenario_label.setWordWrap(True)
        layout.addWidget(self.scenario_label)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("sideScroll")
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(column)
        return scroll

    def _build_log(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("logPanel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(4)
        head = QHBoxLayout()
        head.setContentsMargins(14, 0, 14, 0)
        title = QLabel("Event log")
        title.setProperty("role", "panelTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.log_count = QLabel()
        self.log_count.setProperty("role", "panelHint")
        head.addWidget(self.log_count)
        layout.addLayout(head)
        self.log_model = EventLogModel(self)
        self.log_view = QTableView()
        self.log_view.setObjectName("eventLog")
        self.log_view.setModel(self.log_model)
        self.log_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.log_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.log_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.log_view.setShowGrid(False)
        self.log_view.setWordWrap(False)
        self.log_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        vertical = self.log_view.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.log_view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(40)
        self._log_widths: dict[int, int] = {}
        self._size_log_columns()
        # Never sideways: Details takes what is left and elides (each cell's tooltip is its whole text);
        # the agent and conversation give way before the time and the event name.  Widths come from the
        # font, not the rows (thousands of them, a batch every tick).
        self.log_fitter = fit_columns(self.log_view, EventLogModel.DETAILS, sizes=self._log_widths.__getitem__,
                                      minimum_slack=110, keep=(EventLogModel.TIME, EventLogModel.EVENT))
        self.log_view.selectionModel().selectionChanged.connect(self._log_selection_changed)
        self.log_stack = QStackedWidget()
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setObjectName("emptyLog")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.log_stack.addWidget(self.empty_label)
        self.log_stack.addWidget(self.log_view)
        layout.addWidget(self.log_stack, 1)
        return panel

    def _size_log_columns(self) -> None:
        """Rows and columns for the log's font (every event name fits its column; names are people's)."""
        metrics = QFontMetrics(self.log_view.font())
        self.log_view.verticalHeader().setDefaultSectionSize(max(26, metrics.height() + 9))
        bold = QFont(self.log_view.font())
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        # Event names in bold (the pops and their answers) or plain, as the log shows them.
        longest_event = max((bold_metrics if event in BOLD_EVENTS else metrics).horizontalAdvance(label)
                            for event, label in EVENT_LABELS.items())
        people = [agent["name"] for agent in self.driver.config.get("agents", [])] or ["Emma Lindqvist"]
        longest_agent = min(max(metrics.horizontalAdvance(name) for name in people),
                            metrics.horizontalAdvance("M" * 14))
        header = self.log_view.horizontalHeader()
        pad = LOG_CELL_PADDING
        widths = (metrics.horizontalAdvance("00:00:00") + pad, longest_event + pad,
                  max(metrics.horizontalAdvance("C-0000") + pad, header.sectionSizeHint(EventLogModel.CONVERSATION)),
                  longest_agent + pad)
        self._log_widths.update(enumerate(widths))
        self._log_widths[EventLogModel.DETAILS] = header.sectionSizeHint(EventLogModel.DETAILS)
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
        fitter = getattr(self, "log_fitter", None)
        if fitter is not None:
            fitter.schedule()

    def _build_trace_panel(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("tracePanel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(4)
        self.trace_header = QLabel("Select a conversation in the log or on a card to see why it went to its queue.")
        self.trace_header.setObjectName("traceHeader")
        self.trace_header.setWordWrap(True)
        layout.addWidget(self.trace_header)
        self.trace_why = QLabel()
        self.trace_why.setObjectName("traceWhy")
        self.trace_why.setWordWrap(True)
        self.trace_why.hide()
        layout.addWidget(self.trace_why)
        self.trace_view = RouteTraceView()
        self.trace_view.setMinimumHeight(90)
        layout.addWidget(self.trace_view, 1)
        # In a scroll area: its wrapped lines would otherwise hold the column's height (height for width)
        # and push the notification under the bottom edge on a short screen (presentation at 720 px).
        scroll = QScrollArea()
        scroll.setObjectName("traceScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(panel)
        return scroll

    # ------------------------------------------------------------------ cards

    def _rebuild(self) -> None:
        """Cards, queue groups and the injector for the driver's configuration (after a reset too)."""
        sim = self.driver.simulator
        self._cards_with_pops.clear()
        self._stale_cards.clear()
        self.cards.clear()
        self.groups.clear()
        canvas = QWidget()
        canvas.setObjectName("cardsCanvas")
        canvas_layout = QVBoxLayout(canvas)
        canvas_layout.setContentsMargins(12, 8, 8, 12)
        canvas_layout.setSpacing(4)
        groups_widget = QWidget()
        groups_flow = FlowLayout(groups_widget, spacing=18)
        canvas_layout.addWidget(groups_widget)
        self._groups_widget = groups_widget
        agents = sim.agents()
        queue_views = sim.queues()
        queue_order = [q.name for q in queue_views]
        sizes = {q.name: len(q.members) for q in queue_views}
        homes = home_queues({a.name: a.queues for a in agents}, sizes, queue_order)
        presences = [(name, base) for name, base in self._presence_list()]
        queue_docs = {q["name"]: q for q in self.driver.config.get("queues", [])}
        self._hours_queues = [q.name for q in queue_views if queue_docs.get(q.name, {}).get("operating_hours")
                              and self.driver.calendar_start is not None]
        for view in queue_views:
            queue = view.name
            priority = view.priority if view.priority != DEFAULT_QUEUE_PRIORITY else None  # only one that was set
            group = QueueGroup(queue, sizes[queue], card_width=self._card_width,
                               priority=priority, assignment_method=view.assignment_method,
                               has_hours=queue in self._hours_queues)
            group.set_open(view.is_open)
            group.pick_menu.aboutToShow.connect(lambda g=group: self._fill_pick_menu(g))
            self.groups[queue] = group
        if any(home is None for home in homes.values()):
            self.groups[None] = QueueGroup(None, sum(1 for h in homes.values() if h is None),
                                           card_width=self._card_width)
        for view in agents:
            card = AgentCard(view.name, presences, view.queues, homes[view.name], card_width=self._card_width,
                             skills=view.skills)
            card.presenceChosen.connect(self._presence_chosen)
            card.acceptRequested.connect(self.accept)
            card.declineRequested.connect(self.decline)
            card.endRequested.connect(self.driver.end)
            card.idleRequested.connect(self.driver.idle)
            card.activeRequested.connect(self.driver.active)
            card.conversationSelected.connect(self.show_conversation)
            card.clicked.connect(self.focus_agent)
            self.cards[view.name] = card
            self.groups[homes[view.name]].add_card(card)
            card.refresh(view, self._conversation_info, sim.time)
            if view.offers:
                self._cards_with_pops.add(view.name)
        # Groups with cards first (document order), then queues that are nobody's home queue.
        for group in sorted(self.groups.values(), key=lambda g: not g.cards):
            group.finish()
            groups_flow.addWidget(group)
        if not agents:
            none = QLabel("No agents in this configuration: add agents and queues, then come back.")
            none.setObjectName("emptyLog")
            canvas_layout.addWidget(none)
        canvas_layout.addStretch(1)
        old = self.cards_scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        self.cards_scroll.setWidget(canvas)
        self._equalize_card_heights()
        self._fill_stream_combo()
        self._set_toast(None)
        self._on_time(sim.time)
        self._update_stats()
        self._update_empty_state()
        self._structure = self._structure_key()

    def _equalize_card_heights(self) -> None:
        """Every card as tall as the tallest (one with more queue badges), once styled: the cards of a
        row line up, and as no card changes height afterwards the groups never move."""
        if not self.cards:
            return
        pop_height, chip_height = self._measure_slots()
        for card in self.cards.values():
            card.ensurePolished()
            card.set_slot_heights(pop_height, chip_height)
        height = max(card.natural_height() for card in self.cards.values())
        for card in self.cards.values():
            card.set_floor_height(height)

    def _measure_slots(self) -> tuple[int, int]:
        """A pop's and a chip's height in the panel's style and type (one of each, measured in the cards
        area and thrown away): cards keep that room for them before they have any."""
        canvas = self.cards_scroll.widget()
        pop = CardPop("C-0000", workstream={"notification": "screen_pop_decline"}, queue="Queue", context={},
                      expires_at=0.0)
        chip = ConversationChip("C-0000")
        chip.set_info(ConversationInfo("C-0000", {}, "Queue", "active"))
        try:
            for probe in (pop, chip):
                probe.setParent(canvas)
                probe.hide()
                probe.ensurePolished()
            return pop.height(), chip.sizeHint().height()
        finally:
            pop.deleteLater()
            chip.deleteLater()

    def _presence_list(self) -> list[tuple[str, str]]:
        from models.choices import BASE_PRESENCE_NAMES, BASE_PRESENCES

        presences = [(BASE_PRESENCE_NAMES[base], base) for base in BASE_PRESENCES]
        for presence in self.driver.config.get("presences", []):
            presences.append((presence["name"], presence["base"]))
        order = {base: index for index, base in enumerate(BASE_PRESENCES)}
        return sorted(presences, key=lambda p: (order.get(p[1], 9), p[0] not in BASE_PRESENCE_NAMES.values(), p[0]))

    def _conversation_info(self, conversation_id: str) -> ConversationInfo:
        view = self.driver.simulator.conversation(conversation_id)
        if view is None:
            return ConversationInfo(conversation_id, {}, None, "unknown")
        stream = self.driver.workstream(view.workstream) or {"name": view.workstream}
        return ConversationInfo(conversation_id, stream, view.queue, view.state,
                                self.driver.context_of(conversation_id), int(stream.get("capacity", 0)),
                                view.skills)

    def _refresh_card(self, agent: str, force: bool = False) -> bool:
        """Show the agent's state on its card — now if the card is on screen, else when it scrolls into
        view (cards off screen only collect the change: hundreds of agents cost what a screenful costs).
        True when the card changed height (only its first refresh may)."""
        card = self.cards.get(agent)
        if card is None:
            return False
        if not force and not card.is_on_screen():
            self._stale_cards.add(agent)
            return False
        self._stale_cards.discard(agent)
        view = self.driver.simulator.agent(agent)
        if view is None:
            return False
        moved = card.refresh(view, self._conversation_info, self.driver.time)
        if card.pops:
            self._cards_with_pops.add(agent)
        else:
            self._cards_with_pops.discard(agent)
        return moved

    # ------------------------------------------------------------------ the injector

    def _fill_stream_combo(self) -> None:
        current = self.stream_combo.currentData()
        self.stream_combo.blockSignals(True)
        self.stream_combo.clear()
        streams = sorted(self.driver.config.get("workstreams", []),
                         key=lambda ws: (not ws.get("active", True), ws["name"].casefold()))
        for ws in streams:
            label = ws["name"] + ("" if ws.get("active", True) else "  (inactive)")
            self.stream_combo.addItem(label, ws["name"])
        index = self.stream_combo.findData(current) if current else -1
        if index < 0:
            index = self.stream_combo.findData(SCREENSHOT_STREAM)
        self.stream_combo.setCurrentIndex(max(0, index) if self.stream_combo.count() else -1)
        self.stream_combo.blockSignals(False)
        has_streams = self.stream_combo.count() > 0
        for widget in (self.send_button, self.burst_button, self.burst_spin, self.stream_combo):
            widget.setEnabled(has_streams)
        self._build_inject_form()

    def current_workstream(self) -> str | None:
        return self.stream_combo.currentData()

    def set_workstream(self, name: str) -> None:
        index = self.stream_combo.findData(name)
        if index < 0:
            raise UserError(f"unknown work stream '{name}'")
        self.stream_combo.setCurrentIndex(index)

    def _build_inject_form(self) -> None:
        while self.inject_form.rowCount():
            self.inject_form.removeRow(0)
        self._fields.clear()
        self._field_errors.clear()
        self._field_types.clear()
        stream = self.driver.workstream(self.current_workstream() or "")
        if stream is None:
            self.stream_hint.setText("No work streams in this configuration.")
            return
        timeout = stream.get("screen_pop_timeout_s", 120)
        notification = stream.get("notification", "")
        pop = "" if notification == "direct_open" else f", {timeout} s to answer"
        self.stream_hint.setText(f"{DISTRIBUTION_MODE_LABELS.get(stream.get('distribution_mode'), '')} · "
                                 f"{NOTIFICATION_LABELS.get(notification, notification)}{pop}")
        for variable in stream.get("context_variables", []):
            name, var_type = variable["name"], variable.get("type", "text")
            edit = QLineEdit()
            edit.setObjectName(f"inject_{name}")
            edit.setPlaceholderText("number" if var_type == "number" else "text")
            edit.setToolTip(f"{variable.get('display_name') or name} ({var_type}); empty = not set")
            edit.setClearButtonEnabled(True)
            edit.textChanged.connect(lambda _t, n=name: self._check_field(n))
            edit.returnPressed.connect(self.send_conversation)
            error = QLabel()
            error.setProperty("role", "fieldError")
            error.setWordWrap(True)
            error.hide()
            holder = QWidget()
            holder_layout = QVBoxLayout(holder)
            holder_layout.setContentsMargins(0, 0, 0, 0)
            holder_layout.setSpacing(1)
            holder_layout.addWidget(edit)
            holder_layout.addWidget(error)
            label = QLabel(variable.get("display_name") or name)
            label.setToolTip(name)
            self.inject_form.addRow(label, holder)
            self._fields[name] = edit
            self._field_errors[name] = error
            self._field_types[name] = var_type
        if not self._fields:
            note = QLabel("No context variables: the conversation takes the default route.")
            note.setProperty("role", "panelHint")
            note.setWordWrap(True)
            self.inject_form.addRow(note)

    def set_field(self, name: str, text: str) -> None:
        self._fields[name].setText(text)

    def _check_field(self, name: str) -> str | None:
        return check_typed_field(self._fields[name], self._field_errors[name], name, self._field_types[name])

    def send_conversation(self) -> str | None:
        """Inject the form's conversation; its id, or None when a value is wrong."""
        stream = self.current_workstream()
        if stream is None:
            return None
        problems = [name for name in self._fields if self._check_field(name)]
        if problems:
            self._send_status("Fix the highlighted value first.", error=True)
            return None
        context = {name: edit.text() for name, edit in self._fields.items() if edit.text().strip()}
        conv_id = self.driver.inject(stream, context)
        view = self.driver.simulator.conversation(conv_id)
        if view is None:
            row = self.log_model.find_last("action_rejected", conv_id)
            reason = self.log_model.event_at(row).get("reason") if row >= 0 else "rejected"
            self._send_status(f"Not sent: {reason}", error=True)
            return None
        self._send_status(f"{conv_id} → {view.queue or 'no queue'}")
        self.show_conversation(conv_id, reveal=False)  # the trace is ready in its tab; keep the form
        return conv_id

    def _send_status(self, text: str, error: bool = False) -> None:
        self.send_status.setText(text)
        if self.send_status.property("error") != error:
            self.send_status.setProperty("error", error)
            repolish(self.send_status)

    def send_burst(self, n: int | None = None, seed: int | None = None) -> list[str]:
        stream = self.current_workstream()
        if stream is None:
            return []
        count = self.burst_spin.value() if n is None else n
        try:
            ids = self.driver.burst(count, stream, seed=seed)
        except UserError as error:
            messages.error(self, "Can't send the burst", str(error))
            return []
        backlog = self.driver.burst_backlog
        self._send_status(f"Burst of {len(ids)} sent" + (f" ({backlog} still arriving)" if backlog else ""))
        return ids

    # ------------------------------------------------------------------ scenarios

    def _choose_scenario_file(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(self, "Open scenario", "", "Scenario (*.json);;All files (*)")
        return path

    def open_scenario(self) -> bool:
        path = self.choose_scenario_file()
        if not path:
            return False
        return self.load_scenario_file(path)

    def load_scenario_file(self, path: str) -> bool:
        """Play a scenario file; a bad one is refused with its one-line reason."""
        from pathlib import Path

        try:
            from ui.whatif.panel_player import is_workload, play_workload, read_json_file  # what-if models too
            data = read_json_file(path)
            if is_workload(data):
                self.scenario_label.setText(play_workload(self.driver, data, Path(path).name))
                return True
            count = self.driver.load_scenario_file(path)
        except UserError as error:
            messages.error(self, "Can't play this scenario", str(error))
            return False
        self.scenario_label.setText(f"{Path(path).name}: {count} events from {format_clock(self.driver.time)}")
        return True

    # ================================================================== presentation mode

    @property
    def presentation(self) -> bool:
        return self._presentation

    def set_presentation(self, on: bool, full_screen: bool = True) -> None:
        """Presentation mode, for a projector: larger type and cards, the clock large, and the window
        full screen with its menus, navigation, command bar and status bar hidden (F11 or "Exit
        presentation" comes back).  The simulation goes on untouched.  ``full_screen=False`` keeps the
        window's size (screenshots at a given size)."""
        on = bool(on)
        if on == self._presentation:
            return
        self._presentation = on
        # Through the style sheet: a style sheet fixes each child's font when it is polished, so a
        # font set on the panel would not reach them.
        base = QApplication.font().pointSizeF()
        size = round((base if base > 0 else 9.0) * PRESENTATION_SCALE, 1)
        everything = f"QWidget#agentPanel QWidget {{ font-size: {size}pt; }}\n"
        self.setStyleSheet(PANEL_QSS + (everything + PRESENTATION_QSS if on else ""))
        self._card_width = int(CARD_WIDTH * PRESENTATION_SCALE) if on else CARD_WIDTH
        self.exit_presentation_button.setVisible(on)
        room = int(440 * PRESENTATION_SCALE) if on else 440  # the toast and the form at the larger type
        self.right_column.setMaximumWidth(room)
        self.right_column.setMinimumWidth(int(290 * PRESENTATION_SCALE) if on else RIGHT_MINIMUM)
        self.side_column.setMaximumWidth(room)
        self._show_window_chrome(not on, full_screen)
        focus = self._focus_agent
        self._rebuild()  # cards at their new width, showing the simulator's state as it is now
        for queue, group in self.groups.items():
            counts = self.driver.simulator.queue_counts(queue) if queue is not None else None
            if counts is not None:
                group.set_waiting(*counts)
        if focus in self.cards:
            self.focus_agent(focus)
        self._size_log_columns()
        self._fit_clock()
        self._sized = False  # the splitter takes the new room (full screen) at the next resize
        self._split(self.width())
        self.presentationChanged.emit(on)

    def _split(self, width: int) -> None:
        """Share ``width`` between the cards and the right column (Send, Route trace, the toast)."""
        if width < 600:
            return
        # Never narrower than the Send form needs in this font (it does not scroll sideways).
        base = int(290 * PRESENTATION_SCALE) if self._presentation else RIGHT_MINIMUM
        form = max(self.side_column.minimumWidth(), self.side_column.minimumSizeHint().width()) + \
            self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) + 4
        self.right_column.setMinimumWidth(max(base, form))
        # Narrow (1024 px screens): the right column at its minimum, so the log keeps room for Details.
        low = max(300 if width >= 900 else 0, self.right_column.minimumWidth())
        high = max(low, min(self.right_column.maximumWidth(), int(400 * (PRESENTATION_SCALE if self._presentation
                                                                           else 1))))
        right = max(low, min(high, int(width * 0.29)))
        self.main_splitter.setSizes([width - right, right])
        self._split_cards_and_log()

    def _split_cards_and_log(self) -> None:
        """Room for a whole row of cards above the log when the window is short (720 px, presentation):
        the log keeps a few rows, the cards the rest up to a row's height; tall windows keep 3:2."""
        total = sum(self.left_splitter.sizes())
        group = next((g for g in self.groups.values() if g.cards), None)
        if total <= 0 or group is None:
            return
        row = (self.cards_scroll.widget().layout().contentsMargins().top() + group.layout().contentsMargins().top()
               + group.header_height() + group.cards[0].height() + 16)
        log_rows = self.log_view.verticalHeader().defaultSectionSize()
        log_least = self.log_view.horizontalHeader().sizeHint().height() + 3 * log_rows + 44  # title and 3 rows
        cards = max(int(total * 0.6), min(row, total - log_least))
        self.left_splitter.setSizes([cards, total - cards])

    def _show_window_chrome(self, show: bool, full_screen: bool = True) -> None:
        """Hide (and later restore) what is not the panel: the window's menu and status bars, its
        navigation pane and command row; full screen while hidden."""
        window = self.window()
        if window is self:
            return
        if not show:
            chrome = [getattr(window, "menuBar", lambda: None)(), getattr(window, "statusBar", lambda: None)()]
            chrome += [window.findChild(QWidget, name) for name in ("navPane", "commandRow")]
            self._hidden_chrome = [w for w in chrome if w is not None and w.isVisibleTo(window)]
            for widget in self._hidden_chrome:
                widget.hide()
            if full_screen:
                self._window_state = window.windowState()
                window.showFullScreen()
            return
        for widget in self._hidden_chrome:
            widget.show()
        self._hidden_chrome = []
        if self._window_state is not None:
            window.setWindowState(self._window_state)
            self._window_state = None

    # ================================================================== simulation

    def set_speed(self, speed: float | None) -> None:
        """A preset: None pauses, a number runs at that many times real time."""
        self.driver.set_speed(speed)

    def reset(self) -> None:
        """Start the simulation again on the same configuration."""
        self.driver.reset()

    def _sync_speed_buttons(self) -> None:
        if not hasattr(self, "driver"):
            return
        label = "Pause" if self.driver.paused else next(
            (text for text, speed in SPEED_PRESETS if speed == self.driver.speed), None)
        for text, button in self.speed_buttons.items():
            button.setChecked(text == label)

    def accept(self, agent: str, conversation: str) -> None:
        self.driver.accept(agent, conversation)

    def pick(self, agent: str, conversation: str) -> None:
        self.driver.pick(agent, conversation)

    def open_items(self, queue: str) -> list[str]:
        """The pick-mode work items open in ``queue``, oldest first."""
        view = self.driver.simulator.queue(queue) if queue else None
        return list(view.open_work_items) if view is not None else []

    def _fill_pick_menu(self, group: QueueGroup) -> None:
        menu = group.pick_menu
        menu.clear()
        queue = self.driver.simulator.queue(group.queue) if group.queue else None
        items = self.open_items(group.queue)
        if queue is None or not items:
            menu.addAction("No open work items").setEnabled(False)
            return
        for conv_id in items[:20]:
            view = self.driver.simulator.conversation(conv_id)
            sub = menu.addMenu(f"{conv_id} · {view.workstream if view else ''}")
            for agent in queue.members:
                action = sub.addAction(f"{agent} picks it")
                action.triggered.connect(lambda _c=False, a=agent, c=conv_id: self.pick(a, c))
        if len(items) > 20:
            menu.addAction(f"+{len(items) - 20} more").setEnabled(False)

    def decline(self, agent: str, conversation: str, reason: str | None = None) -> None:
        self.driver.decline(agent, conversation, reason)

    def _presence_chosen(self, agent: str, presence: str) -> None:
        self.driver.set_presence(agent, presence)

    def _on_reset(self) -> None:
        self._log_backlog = []
        self._log_skipped = 0
        self.log_model.clear()
        self._conv_state.clear()
        self._conv_queue.clear()
        self._state_counts.clear()
        self._waiting.clear()
        self._open_items.clear()
        self._focus_agent = None
        self.selected_conversation = None
        self.trace_view.clear()
        self.trace_header.setText("Select a conversation in the log or on a card to see why it went to its queue.")
        self.trace_why.hide()
        self.trace_header.setToolTip("")
        self.send_status.clear()
        self.scenario_label.setText("Plays a wsc simulate file: its times count from when you open it.")
        if self._structure == self._structure_key():
            self._restart_cards()  # same agents and queues: keep the cards (hundreds take seconds to build)
        else:
            self._rebuild()
        self._sync_speed_buttons()

    def _structure_key(self) -> tuple:
        """What the cards and groups are built from (not the agents' changing state)."""
        config = self.driver.config
        return (tuple((a["name"], a["capacity"]) for a in config.get("agents", [])),
                tuple((q["name"], tuple(q.get("agents", []))) for q in config.get("queues", [])),
                tuple((p["name"], p["base"]) for p in config.get("presences", [])),
                tuple(json.dumps(ws, sort_keys=True) for ws in config.get("workstreams", [])))

    def _restart_cards(self) -> None:
        for card in self.cards.values():
            card.set_selected(False)
        for group in self.groups.values():
            group.set_waiting(0, 0)
        self._cards_with_pops.clear()
        self._set_toast(None)
        self.refresh_all_cards_lazily()
        self._on_time(self.driver.time)
        self._update_stats()
        self._update_empty_state()

    def _on_events(self, batch: list) -> None:
        deferred = self.driver.ticking
        self._log_backlog.extend(batch)
        if len(self._log_backlog) > 2 * self.log_model.max_rows:  # hidden for long: only the newest can show
            self._log_skipped += len(self._log_backlog) - self.log_model.max_rows
            del self._log_backlog[:-self.log_model.max_rows]
        dirty_agents: set[str] = set()  # one refresh per card, however many of its events the batch has
        dirty_queues: set[str | None] = set()
        first_offer: str | None = None
        selected_touched = False
        for event in batch:
            kind = event.get("event")
            agent = event.get("agent")
            conv = event.get("conversation")
            if agent:
                dirty_agents.add(agent)
            if conv is None:
                continue
            if conv == self.selected_conversation:
                selected_touched = True
            if kind == "routed":
                self._conv_queue[conv] = event.get("queue")
                self._set_state(conv, "new" if event.get("queue") else "unrouted", dirty_queues)
            elif kind == "queued" and event.get("reason") == "pick_mode":
                self._set_state(conv, "open", dirty_queues)
            elif kind in _STATE_AFTER:
                self._set_state(conv, _STATE_AFTER[kind], dirty_queues)
                if kind == "offered" and first_offer is None:
                    first_offer = agent
        self._stale_cards.update(agent for agent in dirty_agents if agent in self.cards)
        sim = self.driver.simulator
        for queue in dirty_queues:
            group = self.groups.get(queue)
            counts = sim.queue_counts(queue) if queue is not None else None
            if group is not None and counts is not None:  # the simulator's own counts, not ones kept from events
                group.set_waiting(*counts)
        if self._focus_agent is None and first_offer is not None:
            self.focus_agent(first_offer)
        elif self._focus_agent in dirty_agents:
            self._toast_due = True
        if deferred:
            self._schedule_refresh()  # the log, then the cards on screen, in slices after this tick
        else:
            self._flush_log()  # a user action: show its effect at once
            if dirty_agents or self._toast_due:
                self._refresh_now()
        if selected_touched:
            self._update_trace_header()

    def _flush_log(self) -> None:
        """Append the events waiting for the log (one insert), and the counts that go with them."""
        backlog = self._log_backlog
        if backlog:
            self._log_backlog = []
            scrollbar = self.log_view.verticalScrollBar()
            # Follow the newest rows unless the user scrolled up (the first rows: the view is not shown yet).
            at_bottom = self.log_stack.currentWidget() is not self.log_view \
                or scrollbar.value() >= scrollbar.maximum() - 2
            self.log_model.append_events(backlog)
            if self._log_skipped:
                self.log_model.dropped += self._log_skipped
                self._log_skipped = 0
            self._update_empty_state()  # shown before it scrolls: a hidden view does not scroll
            if at_bottom:
                self.log_view.scrollToBottom()
        self._update_stats()
        self._update_empty_state()

    def _set_state(self, conv: str, state: str, dirty_queues: set) -> None:
        old = self._conv_state.get(conv)
        if old == state:
            return
        queue = self._conv_queue.get(conv)
        if old is not None:
            self._state_counts[old] -= 1
        self._state_counts[state] += 1
        self._conv_state[conv] = state
        if old == "queued":
            self._waiting[queue] -= 1
            dirty_queues.add(queue)
        if state == "queued":
            self._waiting[queue] += 1
            dirty_queues.add(queue)
        if old == "open":
            self._open_items.get(queue, {}).pop(conv, None)
            dirty_queues.add(queue)
        if state == "open":
            self._open_items.setdefault(queue, {})[conv] = None
            dirty_queues.add(queue)

    # ------------------------------------------------------------------ the refresh queue

    @property
    def refresh_pending(self) -> bool:
        """Log rows or cards on screen still to show in a coming slice (``cardsRefreshed`` when done)."""
        return self._refresh_timer.isActive()

    def _schedule_refresh(self) -> None:
        if self.isVisible() and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _refresh_slice(self) -> None:
        """One slice of the refresh queue: the log's new rows, or at most ``REFRESH_BUDGET_S`` on cards;
        then the event loop (input, and painting what the slice changed) before the next slice."""
        if not self.isVisible():
            return  # showEvent starts it again
        if self._log_backlog:
            self._flush_log()
            self._refresh_timer.start()  # the cards next, once the log has been painted on its own
            return
        if self._refresh_visible(time.perf_counter() + REFRESH_BUDGET_S):
            self.cardsRefreshed.emit()
        else:
            self._refresh_timer.start()

    def _refresh_now(self) -> None:
        """Everything on screen up to date now (no budget); what moved into view follows in a slice."""
        if self._log_backlog:
            self._flush_log()
        if self._refresh_visible(None):
            self._refresh_timer.stop()
            self.cardsRefreshed.emit()
        else:
            self._schedule_refresh()

    def _refresh_visible(self, deadline: float | None) -> bool:
        """Refresh the stale cards on screen (until ``deadline``), move the countdowns of the others on
        screen when the time moved, and rebuild the toast when due.  True when nothing is left."""
        if not self.isVisible():
            return True
        now = self.driver.time
        countdowns, self._countdowns_due = self._countdowns_due, False
        stale = self._stale_cards
        with_pops = self._cards_with_pops
        cards = self.cards
        left = moved = False
        refreshed = 0
        for agent in self.cards_on_screen():
            card = cards[agent]
            if agent in stale:
                # At least one card per slice, so the queue always moves on.
                if deadline is None or not refreshed or time.perf_counter() < deadline:
                    moved |= self._refresh_card(agent, force=True)
                    refreshed += 1
                    continue
                left = True
                if not countdowns:
                    break
            if countdowns and agent in with_pops:
                card.update_time(now)
        if self._toast_due:
            # After the cards if the budget is spent; but a slice that refreshed no card does the toast
            # (at least one piece of work per slice, or a spent budget would put it off for ever).
            if left or (refreshed and deadline is not None and time.perf_counter() >= deadline):
                left = True
            else:
                self._toast_due = False
                self._update_toast()
        # Cards that grew or shrank may bring stale ones into view once the layout has run (the
        # layout request is handled before the next slice).
        return not (left or (moved and stale))

    def cards_on_screen(self) -> list[str]:
        """The agents whose cards show in the cards area's viewport, in layout order (from the cards'
        geometry: hundreds of cards cost a look at each queue group, not at each card)."""
        canvas = self.cards_scroll.widget()
        groups_widget = self._groups_widget
        if canvas is None or groups_widget is None:
            return []
        viewport = self.cards_scroll.viewport()
        shown = QRect(-canvas.x(), -canvas.y(), viewport.width(), viewport.height())  # in canvas coordinates
        origin = groups_widget.pos()
        found: list[str] = []
        for group in self.groups.values():
            if not group.cards:
                continue
            box = group.geometry().translated(origin)
            if not box.intersects(shown):
                continue
            offset = box.topLeft() + group.card_area.pos()
            for card in group.cards:
                if card.geometry().translated(offset).intersects(shown):
                    found.append(card.name)
        return found

    def _cards_scrolled(self) -> None:
        """Cards that scrolled into view: the first slice at once (before they are painted), the rest after."""
        self._countdowns_due = bool(self._cards_with_pops)
        if not self._refresh_visible(time.perf_counter() + REFRESH_BUDGET_S):
            self._schedule_refresh()

    def refresh_stale_cards(self) -> None:
        """Bring the cards on screen up to date now (those off screen when they scroll into view)."""
        self._refresh_now()

    def refresh_all_cards_lazily(self) -> None:
        """Cards on screen now, the others when they scroll into view."""
        self._stale_cards.update(self.cards)
        self._refresh_now()

    def refresh_all_cards(self) -> None:
        for agent in self.cards:
            self._refresh_card(agent, force=True)

    def _update_stats(self) -> None:
        counts = self._state_counts
        total = len(self._conv_state)
        if not total:
            text = "No conversations yet"
        else:
            parts = [f"{total} conversation{'s' if total != 1 else ''}"]
            for key, label in (("offered", "ringing"), ("active", "active"), ("waiting", "idle"),
                               ("queued", "waiting"), ("open", "open items"), ("unrouted", "unrouted"),
                               ("closed", "closed")):
                if counts[key]:
                    parts.append(f"{counts[key]} {label}")
            text = " · ".join(parts)
        if text != self.stats_label.full_text():
            self.stats_label.setText(text)
        rows = self.log_model.rowCount()
        count = f"{rows:,} events" + (f" (oldest {self.log_model.dropped:,} dropped)" if self.log_model.dropped else "")
        if count != self.log_count.text():
            self.log_count.setText(count)

    def _update_empty_state(self) -> None:
        empty = self.log_model.rowCount() == 0
        target = self.empty_label if empty else self.log_view
        if self.log_stack.currentWidget() is not target:
            self.log_stack.setCurrentWidget(target)

    def _fit_clock(self) -> None:
        self.clock_label.updateGeometry()  # its size hint follows its font (presentation mode)

    def _on_time(self, now: float) -> None:
        text = format_clock(now)
        if text != self._shown_time:
            self._shown_time = text
            self.clock_label.setText(text)
        if self.toast.pop is not None:
            self.toast.pop.update_time(now)
        for queue in self._hours_queues:  # opening hours move with the clock, not with events
            group = self.groups.get(queue)
            if group is not None:
                view = self.driver.simulator.queue(queue)
                group.set_open(view is None or view.is_open)
        if self._cards_with_pops:
            self._countdowns_due = True  # the pops on screen, in the refresh queue's next slice
            if self.driver.ticking:
                self._schedule_refresh()
            else:
                self._refresh_now()

    # ================================================================== focus, toast and trace

    @property
    def focused_agent(self) -> str | None:
        return self._focus_agent

    def focus_agent(self, agent: str | None) -> None:
        """Put ``agent`` in focus: its card is selected and its pop shows as the toast."""
        if agent is not None and agent not in self.cards:
            return
        if self._focus_agent in self.cards:
            self.cards[self._focus_agent].set_selected(False)
        self._focus_agent = agent
        if agent is not None:
            self.cards[agent].set_selected(True)
        self._update_toast()

    def _update_toast(self) -> None:
        agent = self._focus_agent
        view = self.driver.simulator.agent(agent) if agent else None
        offers = list(view.offers) if view is not None else []
        if not offers:
            if self.toast.pop is not None and self.toast.pop.agent != agent:
                self._set_toast(None)
            else:
                self.toast.hide()  # the pop widget waits, hidden, to show the agent's next offer
            return
        offer = offers[0]
        current = self.toast.pop
        expires_at = offer.expires_at or self.driver.time
        if current is None or current.conversation_id != offer.conversation or current.answered \
                or current.expires_at != float(expires_at):
            info = self._conversation_info(offer.conversation)
            # The same agent's next pop on the same work stream reuses the toast (only texts change).
            if current is None or current.agent != agent or not current.set_offer(
                    offer.conversation, workstream=info.workstream, queue=info.queue, context=info.context,
                    expires_at=expires_at, agent=agent, now=self.driver.time, skills=info.skills):
                pop = ScreenPop(offer.conversation, workstream=info.workstream, queue=info.queue,
                                context=info.context, expires_at=expires_at, agent=agent, now=self.driver.time,
                                toast=True, skills=info.skills)
                pop.setObjectName("screenPop")
                pop.accepted.connect(lambda c, a=agent: self.accept(a, c))
                pop.declined.connect(lambda c, r, a=agent: self.decline(a, c, r))
                pop.selected.connect(self.show_conversation)
                self._set_toast(pop)
        if self.toast.isHidden():
            self.toast.show()
        self.toast.hold_room()
        more = f"  ·  1 of {len(offers)}" if len(offers) > 1 else ""
        self.toast.header.setText(f"Notification for {agent}{more}")
        details = []
        for offer in offers[1:]:
            until = f", until {format_clock(offer.expires_at)}" if offer.expires_at is not None else ""
            details.append(f"{offer.conversation}: queue {self._conversation_info(offer.conversation).queue or 'none'}"
                           f"{until}")
        self.toast.set_others([offer.conversation for offer in offers[1:]], details)

    def _set_toast(self, pop: ScreenPop | None) -> None:
        self.toast.set_pop(pop)
        if pop is None:
            self.toast.hide()
            return
        pop.enable_shortcuts()
        self.toast.show()

    @property
    def toast_pop(self) -> ScreenPop | None:
        return self.toast.pop if self.toast.isVisibleTo(self) else None

    def show_conversation(self, conversation_id: str, reveal: bool = True) -> None:
        """Show why ``conversation_id`` went to its queue (the Route trace tab, brought to the front
        unless ``reveal`` is False)."""
        view = self.driver.simulator.conversation(conversation_id)
        if view is None:
            return
        if reveal:
            self.side_tabs.setCurrentIndex(1)
        self.selected_conversation = conversation_id
        stream = self.driver.workstream(view.workstream) or {"name": view.workstream}
        self.trace_view.show_route(stream, trace=view.trace, queue=view.queue, rule=view.rule,
                                   fallback=view.fallback)
        self._update_trace_header()

    def _update_trace_header(self) -> None:
        conv_id = self.selected_conversation
        view = self.driver.simulator.conversation(conv_id) if conv_id else None
        if view is None:
            return
        if view.queue is None:
            why = "no rule matched and there is no default queue"
        elif view.fallback:
            why = "default queue (no rule matched)"
        else:
            why = f"rule “{view.rule}”"
        state = view.state + (f" with {view.agent}" if view.agent else
                              f", ringing {view.offered_to}" if view.offered_to else "")
        self.trace_header.setText(f"{conv_id} → {view.queue or 'no queue'}")
        self.trace_why.setText(f"{view.workstream} · {why} · {state}")
        self.trace_why.show()
        stream = self.driver.workstream(view.workstream) or {}
        labels = {v["name"]: v.get("display_name") or v["name"] for v in stream.get("context_variables", [])}
        context = self.driver.context_of(conv_id)
        text = " · ".join(f"{labels.get(k, k)}: {plain_value(v)}" for k, v in context.items() if v is not None)
        # The values the rules read show in the tree; the full context is one hover away.
        self.trace_header.setToolTip(f"Context: {text or 'no values'}")

    def _log_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        conv = self.log_model.index(indexes[0].row(), 0).data(EventLogModel.ConversationRole)
        if conv:
            self.show_conversation(conv)
        agent = self.log_model.index(indexes[0].row(), 0).data(EventLogModel.AgentRole)
        if agent in self.cards:
            self.focus_agent(agent)

    def select_log_row(self, row: int) -> None:
        self.log_view.selectRow(row)

    # ================================================================== Qt events

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_clock()
        self.driver.start()
        if self._stale_cards or self._cards_with_pops or self._toast_due or self._log_backlog:
            self._countdowns_due = bool(self._cards_with_pops)
            self._schedule_refresh()  # once laid out (the timer is the panel's: it goes with it)

    def hideEvent(self, event: QHideEvent) -> None:
        self.driver.stop()
        self._refresh_timer.stop()
        super().hideEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        width = event.size().width()
        self.clock_caption.setVisible(width >= NARROW_PANEL)
        if not self._sized and width >= 600:
            # First real size (and after presentation mode): about 29 % for the right column, within
            # its limits (300-400 px normally), the rest for the cards.
            self._sized = True
            self._split(width)
        self._cards_area_resized()

    def _cards_area_resized(self) -> None:
        if self._stale_cards or self._cards_with_pops:
            self._countdowns_due = bool(self._cards_with_pops)
            self._schedule_refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.driver.stop()
        self._refresh_timer.stop()
        super().closeEvent(event)

    # ================================================================== screenshots

    def screenshot_state(self) -> bool:
        """A demo state for ``wsc gui --screenshot PATH --tab agent-panel``: one conversation accepted,
        one ringing with Accept/Decline a few simulated seconds into its 120 s countdown (toast shown),
        one opened directly.  Never raises; False when the configuration has nothing to show."""
        try:
            return self._screenshot_state()
        except Exception:  # noqa: BLE001 — a screenshot helper must not crash the screenshot
            return False

    def _screenshot_state(self) -> bool:
        driver = self.driver
        streams = driver.config.get("workstreams", [])
        if not streams:
            return False
        stream = driver.workstream(SCREENSHOT_STREAM)
        if stream is None:
            pushing = [ws for ws in streams if ws.get("distribution_mode") == "push"
                       and ws.get("notification") != "direct_open"]
            stream = (pushing or streams)[0]
        name = stream["name"]
        variables = {v["name"]: v.get("type", "text") for v in stream.get("context_variables", [])}

        def context(**values: Any) -> dict:
            return {k: v for k, v in values.items() if k in variables and
                    (variables[k] == "number") == isinstance(v, (int, float))}

        driver.reset()

        def jump(t: float) -> None:
            driver.clock.set(max(t, driver.clock.now()))
            driver.run_pending()

        first = driver.inject(name, context(customertier="Gold", topic="Mortgage renewal", accountbalance=18250))
        jump(12)
        view = driver.simulator.conversation(first)
        if view is not None and view.offered_to:
            driver.accept(view.offered_to, first)
        direct = next((ws for ws in streams if ws.get("notification") == "direct_open" and ws.get("active", True)),
                      None)
        if direct is not None:
            direct_vars = {v["name"] for v in direct.get("context_variables", [])}
            values = {"alerttype": "payment", "amount": 64.5}
            driver.inject(direct["name"], {k: v for k, v in values.items() if k in direct_vars})
        jump(20)
        # An overdrawn customer asking about a payment: two rules fail, the third sends it to Billing.
        ringing = driver.inject(name, context(customertier="Silver", topic="payment", accountbalance=-120,
                                              portfoliovalue=2000))
        jump(23)
        # Two more ringing (overdrawn customers asking about fees): pops on another card too, one of them
        # needing a skill (version 2 classification: a mortgage question needs Mortgages 3).
        driver.inject(name, context(customertier="Standard", topic="fees on my mortgage", accountbalance=-40))
        driver.inject(name, context(customertier="Silver", topic="statement", accountbalance=-15))
        jump(28)
        view = driver.simulator.conversation(ringing)
        if view is not None and view.offered_to:
            self.focus_agent(view.offered_to)
        self.set_workstream(name)
        self.show_conversation(ringing)  # the Route trace tab, with rules failing and matching
        row = self.log_model.find_last("offered", ringing)
        if row >= 0:
            self.log_view.selectionModel().blockSignals(True)
            self.log_view.selectRow(row)
            self.log_view.selectionModel().blockSignals(False)
        return True


__all__ = ["AgentPanel", "EMPTY_TEXT", "PANEL_QSS", "Toast"]
