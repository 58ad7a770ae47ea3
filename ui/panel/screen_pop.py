"""The screen pop: the notification an agent gets for an offered conversation.

Like the product's notification: a title by channel ("Incoming chat request",
"Incoming SMS" ...), the customer's context values under their display names,
the queue and work stream, a countdown ("1:58") with a draining bar, Accept
and, for *screen pop with decline* streams, Decline.  *Directly open session*
streams never show one (the conversation is assigned at once).

The countdown reads **simulated** time: the owner calls :meth:`update_time`
with the simulator's time, so at 60× a 120 s pop lasts two wall seconds and
while the simulation is paused it stands still.  The pop never removes itself:
the panel drops it when the simulator reports ``accepted``, ``declined`` or
``offer_expired``.

A stream with decline reasons (version 2) asks for one: Decline opens a menu
of them (and "Without a reason"); arrow keys and Enter choose, Esc keeps the
pop.  The skills classification attached to the conversation show on the pop
("Needs Mortgages 3").

Keyboard: **Ctrl+Shift+A** accepts and **Ctrl+Shift+D** declines the pop shown
as the toast (``enable_shortcuts``; window-wide while it is visible, so there is
only ever one owner of the keys and no ambiguity); **Esc** declines the pop that
has the keyboard focus.  Alt+letter was not used: Alt+A / Alt+D are taken by
mnemonics of menus and buttons on some platforms and would collide between pops.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.panel.panel_models import plain_value

ACCEPT_KEYS = "Ctrl+Shift+A"
DECLINE_KEYS = "Ctrl+Shift+D"
URGENT_S = 15  # the bar turns red in the last seconds
ASK = object()  # decline(): no reason given yet — ask when the stream has decline reasons

CHANNEL_SHORT_TITLES = {  # on the narrow card pops
    "live_chat": "Incoming chat",
    "sms": "Incoming SMS",
    "facebook": "Facebook message",
    "entity_records": "Incoming record",
}
CHANNEL_TITLES = {
    "live_chat": "Incoming chat request",
    "sms": "Incoming SMS",
    "facebook": "Incoming Facebook message",
    "entity_records": "Incoming record",
}

POP_QSS = """
QFrame#screenPop { background: #FFFFFF; border: 1px solid #D1D1D1; border-left: 4px solid #0F6CBD;
    border-radius: 8px; }
QFrame#screenPop[toast="true"] { border: 1px solid #C7C7C7; border-left: 5px solid #0F6CBD; }
QFrame#screenPop[urgent="true"] { border-left-color: #C50F1F; }
QFrame#screenPop QLabel { background: transparent; border: none; }
QLabel#popTitle { font-weight: 600; color: #242424; }
QFrame#screenPop[toast="true"] QLabel#popTitle { font-size: 11pt; }
QLabel#popCountdown { font-weight: 600; color: #0F6CBD; }
QFrame#screenPop[toast="true"] QLabel#popCountdown { font-size: 14pt; }
QFrame#screenPop[urgent="true"] QLabel#popCountdown { color: #C50F1F; }
QLabel#popRoute { color: #616161; }
QLabel#popSkills { color: #5C2E91; }
QLabel#popContextName { color: #616161; }
QLabel#popContextValue { color: #242424; }
QFrame#screenPop QPushButton { padding: 4px 12px; min-width: 56px; }
QFrame#cardPop { background: transparent; border: none; }
QFrame#cardPop QPushButton { padding: 3px 10px; min-width: 52px; }
QFrame#screenPop[toast="true"] QPushButton { padding: 6px 18px; }
"""


_ACCENT_COLOUR = QColor("#0F6CBD")
_URGENT_COLOUR = QColor("#C50F1F")
_TEXT_COLOUR = QColor("#242424")
_GREY_TEXT = QColor("#616161")
_SKILL_COLOUR = QColor("#5C2E91")  # the skills a conversation needs (the skill chips on cards match)
_TRACK_COLOUR = QColor("#EDEDED")
_WHITE = QColor("#FFFFFF")
_BORDER_PEN = QPen(QColor("#D1D1D1"), 1)


def format_countdown(remaining: float) -> str:
    """Seconds left as m:ss, rounded up (a pop never shows 0:00 while it can still be answered)."""
    whole = max(0, math.ceil(remaining - 1e-9))
    return f"{whole // 60}:{whole % 60:02d}"


def skills_text(skills: Mapping[str, str]) -> str:
    """The skills a conversation needs, in words: "Needs Mortgages 3 · Languages 4" ("" for none)."""
    if not skills:
        return ""
    return "Needs " + " · ".join(f"{name} {rating}" for name, rating in sorted(skills.items(), key=lambda i: i[0].casefold()))


def context_lines(workstream: Mapping[str, Any], context: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(display name, value) for the context values that are set, in the stream's variable order."""
    lines = []
    seen = set()
    for variable in workstream.get("context_variables", []) or []:
        name = variable.get("name")
        if name in context and context[name] is not None and context[name] != "":
            lines.append((variable.get("display_name") or name, plain_value(context[name])))
            seen.add(name)
    for name, value in context.items():  # values of variables the stream no longer declares
        if name not in seen and value is not None and value != "":
            lines.append((name, plain_value(value)))
    return lines


class DrainBar(QWidget):
    """The countdown bar: a painted, asynchronous stand-in for QProgressBar (whose setValue repaints
    synchronously — at 20 updates a second that flushed the whole window's pending paints each time)."""

    def __init__(self, maximum: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("popProgress")
        self.setFixedHeight(4)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._maximum = max(1, maximum)
        self._value = self._maximum
        self._urgent = False

    def maximum(self) -> int:
        return self._maximum

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:
        value = max(0, min(self._maximum, value))
        if value != self._value:
            self._value = value
            self.update()

    def set_urgent(self, urgent: bool) -> None:
        if urgent != self._urgent:
            self._urgent = urgent
            self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        rect = QRectF(self.rect())
        painter.setBrush(QColor("#EDEDED"))
        painter.drawRoundedRect(rect, 2, 2)
        if self._value > 0:
            painter.setBrush(QColor("#C50F1F" if self._urgent else "#0F6CBD"))
            painter.drawRoundedRect(QRectF(0, 0, rect.width() * self._value / self._maximum, rect.height()), 2, 2)
        painter.end()


class ChannelGlyph(QWidget):
    """A round badge with a speech bubble (chat) or an envelope (SMS and the rest), painted."""

    def __init__(self, channel: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.channel = channel
        self.setFixedSize(28, 28)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#0F6CBD"))
        painter.drawEllipse(QRectF(0, 0, 28, 28))
        painter.setBrush(QColor("#FFFFFF"))
        if self.channel == "live_chat":
            painter.drawRoundedRect(QRectF(7, 8, 14, 10), 3, 3)
            tail = QPolygonF([QPointF(10, 17), QPointF(10, 21.5), QPointF(14, 17)])
            painter.drawPolygon(tail)
            painter.setBrush(QColor("#0F6CBD"))
            for x in (10.5, 14, 17.5):
                painter.drawEllipse(QPointF(x, 13), 1.1, 1.1)
        else:
            painter.drawRoundedRect(QRectF(7, 9, 14, 10), 1.5, 1.5)
            pen = QPen(QColor("#0F6CBD"), 1.4)
            painter.setPen(pen)
            painter.drawPolyline(QPolygonF([QPointF(7.5, 9.5), QPointF(14, 14.5), QPointF(20.5, 9.5)]))
        painter.end()


class _Answerable:
    """Accept/Decline shared by the toast and the card pop: answered once, then disabled.

    The class using it provides ``accepted(conversation)`` and ``declined(conversation, reason)``
    signals, ``conversation_id``, ``can_decline``, ``decline_reasons``, ``accept_button``,
    ``decline_button`` (None without Decline) and sets ``_answered = False``.
    """

    reason_menu: QMenu | None = None

    def accept(self) -> None:
        if self._answered:
            return
        self._answered = True
        self._disable()
        self.accepted.emit(self.conversation_id)

    def decline(self, reason: Any = ASK) -> None:
        """Decline; with the stream's decline reasons and no ``reason`` given, ask for one first."""
        if self._answered or not self.can_decline:
            return
        if reason is ASK:
            if self.decline_reasons:
                self.ask_decline_reason()
                return
            reason = None
        self._answered = True
        self._disable()
        self.declined.emit(self.conversation_id, reason)

    def ask_decline_reason(self) -> QMenu:
        """The stream's decline reasons as a menu under Decline (keyboard: arrows, Enter; Esc keeps the pop)."""
        if self.reason_menu is not None:
            self.reason_menu.close()
            self.reason_menu.deleteLater()
        menu = QMenu(self)  # type: ignore[arg-type] — a QWidget subclass uses this mix-in
        menu.setObjectName("declineReasons")
        menu.setToolTipsVisible(True)
        title = menu.addAction("Why decline?")
        title.setEnabled(False)
        conversation = self.conversation_id
        for reason in self.decline_reasons:
            action = menu.addAction(reason)
            action.triggered.connect(lambda _checked=False, r=reason, c=conversation: self._reason_chosen(c, r))
        menu.addSeparator()
        plain = menu.addAction("Without a reason")
        plain.triggered.connect(lambda _checked=False, c=conversation: self._reason_chosen(c, None))
        self.reason_menu = menu
        anchor = self.decline_button or self
        menu.popup(anchor.mapToGlobal(QPoint(0, anchor.height())))
        menu.setActiveAction(menu.actions()[1] if len(menu.actions()) > 1 else None)
        return menu

    def _reason_chosen(self, conversation: str, reason: str | None) -> None:
        if conversation == self.conversation_id:  # not a later offer shown in this widget meanwhile
            self.decline(reason)

    def _disable(self) -> None:
        self.accept_button.setEnabled(False)
        if self.decline_button is not None:
            self.decline_button.setEnabled(False)


class ScreenPop(_Answerable, QFrame):
    """One offered conversation; ``accepted(conversation)`` / ``declined(conversation, reason)`` when answered."""

    accepted = Signal(str)
    declined = Signal(str, object)  # conversation, reason (None: none)
    selected = Signal(str)  # the body was clicked: show this conversation's route

    def __init__(self, conversation_id: str, *, workstream: Mapping[str, Any], queue: str | None,
                 context: Mapping[str, Any] | None, expires_at: float, agent: str = "", now: float = 0.0,
                 toast: bool = False, skills: Mapping[str, str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("screenPop")
        self.setProperty("toast", toast)
        self.setProperty("urgent", False)
        self.conversation_id = conversation_id
        self.agent = agent
        self.workstream_name = str(workstream.get("name", ""))
        self.channel = str(workstream.get("channel", "live_chat"))
        self.expires_at = float(expires_at)
        self.timeout_s = float(workstream.get("screen_pop_timeout_s") or 120)
        self.can_decline = workstream.get("notification") == "screen_pop_decline"
        self.decline_reasons = list(workstream.get("decline_reasons") or [])
        self.queue = queue
        self.skills = dict(skills or {})
        self._answered = False
        self._shown_text = ""
        self._shown_value = -1
        self._shortcuts: list[QShortcut] = []
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # At least as tall as its lines need as they wrap at its width (a narrow column wraps the title).
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        layout = QVBoxLayout(self)
        margin = 14 if toast else 8
        layout.setContentsMargins(margin, margin - 2, margin, margin - 2)
        layout.setSpacing(6 if toast else 4)

        head = QHBoxLayout()
        head.setSpacing(8)
        if toast:
            head.addWidget(ChannelGlyph(self.channel))
        self.title_label = QLabel(CHANNEL_TITLES.get(self.channel, "Incoming conversation"))
        self.title_label.setObjectName("popTitle")
        self.title_label.setWordWrap(True)  # large type (presentation) in a narrow column: wrap, never cut
        head.addWidget(self.title_label, 1)
        layout.addLayout(head)

        route = f"Queue {queue or '(none)'} · work stream {self.workstream_name}"
        self.route_label = QLabel(route if toast else f"{conversation_id} · {route}")
        self.route_label.setObjectName("popRoute")
        self.route_label.setWordWrap(True)  # the stream's name goes on a second line rather than being cut
        self.route_label.setToolTip(f"Conversation {conversation_id} on {self.workstream_name}, queue {queue}")
        layout.addWidget(self.route_label)
        self.skills_label = QLabel(skills_text(self.skills))
        self.skills_label.setObjectName("popSkills")
        self.skills_label.setWordWrap(True)
        self.skills_label.setToolTip("The skills the work stream's classification rules attached")
        self.skills_label.setVisible(bool(self.skills))
        layout.addWidget(self.skills_label)

        lines = context_lines(workstream, context or {})
        self.context_rows = lines
        self._toast = toast
        self._workstream = workstream
        self._value_labels: list[QLabel] = []
        if lines:
            grid = QGridLayout()
            grid.setContentsMargins(0, 2, 0, 2)
            grid.setHorizontalSpacing(10)
            grid.setVerticalSpacing(3)
            for row, (name, value) in enumerate(lines):
                name_label = QLabel(name)
                name_label.setObjectName("popContextName")
                value_label = QLabel(value)
                value_label.setObjectName("popContextValue")
                value_label.setWordWrap(True)
                self._value_labels.append(value_label)
                grid.addWidget(name_label, row, 0, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(value_label, row, 1)
            grid.setColumnStretch(1, 1)
            layout.addLayout(grid)
        else:
            none = QLabel("No context values")
            none.setObjectName("popContextName")
            layout.addWidget(none)

        # The countdown beside its draining bar, like a timer.
        timer_row = QHBoxLayout()
        timer_row.setSpacing(10)
        self.countdown_label = QLabel()
        self.countdown_label.setObjectName("popCountdown")
        self.countdown_label.setToolTip("Time left to answer (simulated time)")
        timer_row.addWidget(self.countdown_label)
        self.progress = DrainBar(max(1, int(self.timeout_s * 10)))
        timer_row.addWidget(self.progress, 1, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(timer_row)

        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        self.accept_button = QPushButton("Accept")
        self.accept_button.setObjectName("popAccept")
        self.accept_button.setProperty("role", "primary")
        self.accept_button.setToolTip(f"Accept the conversation ({ACCEPT_KEYS} on the notification)")
        self.accept_button.clicked.connect(self.accept)
        buttons.addWidget(self.accept_button)
        self.decline_button: QPushButton | None = None
        if self.can_decline:
            self.decline_button = QPushButton("Decline")
            self.decline_button.setObjectName("popDecline")
            self.decline_button.setToolTip(f"Decline: the conversation goes to the next agent "
                                           f"({DECLINE_KEYS} on the notification, Esc on the pop)")
            if self.decline_reasons:
                self.decline_button.setText("Decline…")
                self.decline_button.setToolTip(f"Decline with a reason: the conversation goes to the next agent "
                                               f"({DECLINE_KEYS} on the notification, Esc on the pop)")
            self.decline_button.clicked.connect(lambda: self.decline())
            buttons.addWidget(self.decline_button)
        else:
            note = QLabel("No decline: answer or let it time out")
            note.setObjectName("popRoute")
            buttons.addWidget(note)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.decline)
        self.update_time(now)

    def set_offer(self, conversation_id: str, *, workstream: Mapping[str, Any], queue: str | None,
                  context: Mapping[str, Any] | None, expires_at: float, agent: str = "", now: float = 0.0,
                  skills: Mapping[str, str] | None = None) -> bool:
        """Show another offer in this widget when it looks the same (same work stream, same context rows):
        only texts change, so nothing is built, polished or laid out again.  False (and nothing changed)
        when it does not fit: build a new pop then."""
        lines = context_lines(workstream, context or {})
        if workstream is not self._workstream and workstream != self._workstream \
                or [name for name, _v in lines] != [name for name, _v in self.context_rows]:
            return False
        self.conversation_id = conversation_id
        self.agent = agent
        self.expires_at = float(expires_at)
        self.queue = queue
        self.context_rows = lines
        self.skills = dict(skills or {})
        self.skills_label.setText(skills_text(self.skills))
        self.skills_label.setVisible(bool(self.skills))
        route = f"Queue {queue or '(none)'} · work stream {self.workstream_name}"
        self.route_label.setText(route if self._toast else f"{conversation_id} · {route}")
        self.route_label.setToolTip(f"Conversation {conversation_id} on {self.workstream_name}, queue {queue}")
        for label, (_name, value) in zip(self._value_labels, lines):
            if label.text() != value:
                label.setText(value)
        self._answered = False
        self.accept_button.setEnabled(True)
        if self.decline_button is not None:
            self.decline_button.setEnabled(True)
        self.update_time(now)
        return True

    # ------------------------------------------------------------------ time

    @property
    def remaining(self) -> float:
        return self._remaining

    def update_time(self, now: float) -> None:
        """Show the time left at simulated time ``now``."""
        remaining = max(0.0, self.expires_at - now)
        self._remaining = remaining
        text = format_countdown(remaining)
        if text != self._shown_text:
            self._shown_text = text
            self.countdown_label.setText(text)
        value = int(round(remaining * 10))
        if value != self._shown_value:
            self._shown_value = value
            self.progress.setValue(min(value, self.progress.maximum()))
        urgent = remaining <= URGENT_S
        if urgent != self.property("urgent"):
            self.setProperty("urgent", urgent)
            self.progress.set_urgent(urgent)
            self.style().unpolish(self)
            self.style().polish(self)
            self.countdown_label.style().unpolish(self.countdown_label)
            self.countdown_label.style().polish(self.countdown_label)

    @property
    def countdown_text(self) -> str:
        return self._shown_text

    # ------------------------------------------------------------------ answering


    @property
    def answered(self) -> bool:
        return self._answered

    def enable_shortcuts(self) -> None:
        """Window-wide Ctrl+Shift+A / Ctrl+Shift+D while this pop is visible (the toast only)."""
        if self._shortcuts:
            return
        accept = QShortcut(QKeySequence(ACCEPT_KEYS), self)
        accept.setContext(Qt.ShortcutContext.WindowShortcut)
        accept.activated.connect(self.accept)
        self._shortcuts.append(accept)
        if self.can_decline:
            decline = QShortcut(QKeySequence(DECLINE_KEYS), self)
            decline.setContext(Qt.ShortcutContext.WindowShortcut)
            decline.activated.connect(self.decline)
            self._shortcuts.append(decline)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.selected.emit(self.conversation_id)
        super().mousePressEvent(event)


class CardPop(_Answerable, QFrame):
    """The compact pop stacked on an agent card: same signals and countdown as ``ScreenPop``.

    Title, countdown, route, a one-line summary of the context and the draining bar
    are painted (a card can hold several pops and hundreds of cards may be on screen);
    only Accept and Decline are real buttons.  A countdown step repaints only the
    countdown and the bar (at 60× every pop on screen steps on every tick); the fonts,
    metrics and elided texts are kept between paints.
    """

    accepted = Signal(str)
    declined = Signal(str, object)  # conversation, reason (None: none)
    selected = Signal(str)

    PAINTED_HEIGHT = 102
    HEIGHT = 138
    COUNTDOWN_WIDTH = 64  # the top-right corner a countdown step repaints (room for "10:00")
    BAR_TOP = 96

    def __init__(self, conversation_id: str, *, workstream: Mapping[str, Any], queue: str | None,
                 context: Mapping[str, Any] | None, expires_at: float, agent: str = "", now: float = 0.0,
                 skills: Mapping[str, str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("cardPop")
        self.setFixedHeight(self.HEIGHT)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # The painted rows follow the font (larger in presentation mode): see _fit_to_font.
        self._lines = (6, 18, 25, 59, self.BAR_TOP, self.PAINTED_HEIGHT, self.COUNTDOWN_WIDTH, 42, 76)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, self.PAINTED_HEIGHT, 8, 8)
        layout.setSpacing(6)
        self.accept_button = QPushButton("Accept")
        self.accept_button.setObjectName("popAccept")
        self.accept_button.setProperty("role", "primary")
        self.accept_button.clicked.connect(self.accept)
        layout.addWidget(self.accept_button)
        self._decline = QPushButton("Decline")
        self._decline.setObjectName("popDecline")
        self._decline.clicked.connect(lambda: self.decline())
        layout.addWidget(self._decline)
        layout.addStretch(1)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.decline)
        self._fonts: tuple[QFont, QFont, QFontMetrics, QFontMetrics] | None = None  # plain, bold and their metrics
        self._elided: dict[tuple[str, int, bool], str] = {}
        self.set_offer(conversation_id, workstream=workstream, queue=queue, context=context,
                       expires_at=expires_at, agent=agent, now=now, skills=skills)
        self._fit_to_font()

    def set_offer(self, conversation_id: str, *, workstream: Mapping[str, Any], queue: str | None,
                  context: Mapping[str, Any] | None, expires_at: float, agent: str = "", now: float = 0.0,
                  skills: Mapping[str, str] | None = None) -> None:
        """Show another offer in this widget (cards reuse their pop widgets)."""
        self.conversation_id = conversation_id
        self.agent = agent
        self.workstream_name = str(workstream.get("name", ""))
        self.channel = str(workstream.get("channel", "live_chat"))
        self.expires_at = float(expires_at)
        self.timeout_s = float(workstream.get("screen_pop_timeout_s") or 120)
        self.can_decline = workstream.get("notification") == "screen_pop_decline"
        self.decline_reasons = list(workstream.get("decline_reasons") or [])
        self.queue = queue
        self.skills = dict(skills or {})
        # Always a line, so every pop (and card) is the same height: the skills attached, or that none were.
        self.skills_line = skills_text(self.skills) or "No skills needed"
        self.title = CHANNEL_SHORT_TITLES.get(self.channel, "Incoming")
        # Where it was routed, said in words: the card sits under the agent's home queue, which need not
        # be the queue that offered this conversation (a General chat on a card under VIP).
        self.route = f"Queue {queue}" if queue else "No queue"
        self.stream_line = f"Work stream {self.workstream_name}"
        lines = context_lines(workstream, context or {})
        self.context_rows = lines
        self.summary = " · ".join([conversation_id, *(value for _name, value in lines)]) if lines \
            else f"{conversation_id} · no context values"
        self.setToolTip(f"{self.title} {conversation_id}\nQueue: {queue or '(none)'}\n"
                        f"Work stream: {self.workstream_name}\n"
                        + (f"{skills_text(self.skills)}\n" if self.skills else "")
                        + ("\n".join(f"{n}: {v}" for n, v in lines) or "No context values"))
        self._answered = False
        self._shown_text = ""
        self._fraction = -1.0
        was_urgent = getattr(self, "_urgent", False)
        self._urgent = False
        self._remaining = 0.0
        self._elided.clear()
        self.accept_button.setEnabled(True)
        self._decline.setEnabled(True)
        self._decline.setVisible(self.can_decline)
        decline_text = "Decline…" if self.decline_reasons else "Decline"
        if self._decline.text() != decline_text:
            self._decline.setText(decline_text)
            self._decline.setToolTip("Decline with a reason" if self.decline_reasons else "")
        self.update_time(now)
        if self._urgent != was_urgent:
            self.update()  # the accent colour down the left edge
        else:
            self.update(0, 0, self.width(), self._lines[5])  # the buttons repaint themselves when they change

    @property
    def decline_button(self) -> QPushButton | None:
        return self._decline if self.can_decline else None

    @property
    def remaining(self) -> float:
        return self._remaining

    @property
    def countdown_text(self) -> str:
        return self._shown_text

    @property
    def answered(self) -> bool:
        return self._answered

    def update_time(self, now: float) -> None:
        remaining = max(0.0, self.expires_at - now)
        self._remaining = remaining
        text = format_countdown(remaining)
        fraction = min(1.0, remaining / self.timeout_s) if self.timeout_s else 0.0
        urgent = remaining <= URGENT_S
        # Repaint only when something visible moved (a pixel of the bar is ~0.4 % of its width), and
        # only what moved: the countdown and the bar (the accent colour is everywhere, down the left
        # edge too).
        if urgent != self._urgent:
            self._shown_text, self._fraction, self._urgent = text, fraction, urgent
            self.update()
            return
        width = self.width()
        title_top, line, _route, _summary, bar_top, _painted, countdown, _stream, _skills = self._lines
        if text != self._shown_text:
            self._shown_text = text
            self.update(width - countdown, 0, countdown, title_top + line + 2)
        if abs(fraction - self._fraction) > 0.004:
            self._fraction = fraction
            self.update(0, bar_top - 1, width, 6)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._fonts = None
            self._elided.clear()
            self._fit_to_font()
        super().changeEvent(event)

    def _fit_to_font(self) -> None:
        """Rows, bar and height for the current font: the defaults at the usual size, taller with larger
        type (presentation mode) so nothing painted is cut."""
        _plain, _bold, plain_metrics, bold_metrics = self._fonts_and_metrics()
        line = max(plain_metrics.height(), bold_metrics.height()) + 1
        title_top = 6
        route_top = title_top + line + 1
        stream_top = route_top + line - 1
        summary_top = stream_top + line - 1
        skills_top = summary_top + line - 1
        bar_top = skills_top + line + 3
        painted = bar_top + 6
        countdown = max(self.COUNTDOWN_WIDTH, bold_metrics.horizontalAdvance("10:00") + 20)
        self._lines = (title_top, line, route_top, summary_top, bar_top, painted, countdown, stream_top, skills_top)
        layout = self.layout()
        margins = layout.contentsMargins()
        if margins.top() != painted:
            layout.setContentsMargins(margins.left(), painted, margins.right(), margins.bottom())
        # The buttons may not have their new font yet (they are told after this widget): from the metrics.
        buttons = max(self.accept_button.sizeHint().height(), self._decline.sizeHint().height(),
                      plain_metrics.height() + 14)
        height = max(self.HEIGHT, painted + buttons + margins.bottom())
        if self.height() != height or self.minimumHeight() != height:
            self.setFixedHeight(height)
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._elided.clear()
        super().resizeEvent(event)

    def _fonts_and_metrics(self) -> tuple[QFont, QFont, QFontMetrics, QFontMetrics]:
        if self._fonts is None:
            plain = QFont(self.font())
            bold = QFont(plain)
            bold.setBold(True)
            self._fonts = (plain, bold, QFontMetrics(plain), QFontMetrics(bold))
        return self._fonts

    def _elide(self, text: str, width: int, bold: bool) -> str:
        key = (text, width, bold)
        elided = self._elided.get(key)
        if elided is None:
            metrics = self._fonts_and_metrics()[3 if bold else 2]
            elided = self._elided[key] = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
        return elided

    def paintEvent(self, event: QPaintEvent) -> None:
        exposed = event.region()
        width = self.width()
        plain, bold, _plain_metrics, bold_metrics = self._fonts_and_metrics()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        accent = _URGENT_COLOUR if self._urgent else _ACCENT_COLOUR
        painter.setPen(_BORDER_PEN)
        painter.setBrush(_WHITE)
        painter.drawRoundedRect(rect, 6, 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(accent)
        painter.drawRoundedRect(QRectF(0, 0, 4, self.height()), 2, 2)
        painter.setFont(bold)
        title_top, line, route_top, summary_top, bar_top, _painted, countdown, stream_top, skills_top = self._lines
        count_width = bold_metrics.horizontalAdvance(self._shown_text)
        if exposed.intersects(QRect(width - countdown, 0, countdown, title_top + line + 2)):
            painter.setPen(accent)
            painter.drawText(QRectF(width - 10 - count_width, title_top, count_width, line),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self._shown_text)
        if exposed.intersects(QRect(0, 0, width - countdown, bar_top - 1)):
            # The title stops where the widest countdown starts, so a countdown step never overlaps it.
            title_width = width - 12 - countdown
            painter.setPen(_TEXT_COLOUR)
            painter.drawText(QRectF(12, title_top, title_width, line), Qt.AlignmentFlag.AlignVCenter,
                             self._elide(self.title, title_width, True))
            painter.setFont(plain)
            painter.setPen(_TEXT_COLOUR)
            painter.drawText(QRectF(12, route_top, width - 22, line - 1), Qt.AlignmentFlag.AlignVCenter,
                             self._elide(self.route, width - 22, False))
            painter.setPen(_GREY_TEXT)
            painter.drawText(QRectF(12, stream_top, width - 22, line - 1), Qt.AlignmentFlag.AlignVCenter,
                             self._elide(self.stream_line, width - 22, False))
            painter.setPen(_GREY_TEXT)
            painter.drawText(QRectF(12, summary_top, width - 22, line - 1), Qt.AlignmentFlag.AlignVCenter,
                             self._elide(self.summary, width - 22, False))
            painter.setPen(_SKILL_COLOUR if self.skills else _GREY_TEXT)
            painter.drawText(QRectF(12, skills_top, width - 22, line - 1), Qt.AlignmentFlag.AlignVCenter,
                             self._elide(self.skills_line, width - 22, False))
        bar = QRectF(12, bar_top, width - 22, 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_TRACK_COLOUR)
        painter.drawRoundedRect(bar, 2, 2)
        if self._fraction > 0:
            painter.setBrush(accent)
            painter.drawRoundedRect(QRectF(bar.x(), bar.y(), bar.width() * self._fraction, bar.height()), 2, 2)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.selected.emit(self.conversation_id)
        super().mousePressEvent(event)


__all__ = ["ACCEPT_KEYS", "ASK", "CHANNEL_TITLES", "CardPop", "DECLINE_KEYS", "POP_QSS", "ScreenPop", "context_lines",
           "format_countdown", "skills_text"]
