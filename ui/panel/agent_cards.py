"""Agent cards for the live panel, and the queue groups that hold them.

An ``AgentCard`` shows one agent: name, a presence selector, queue badges, a
capacity gauge (active work, capacity held by outstanding pops, wrap-up, free),
the active conversations as chips (a menu to end them or make the customer go
quiet / come back) and the agent's screen pops stacked at the bottom.

Grouping: every agent appears **once**, under its *home queue* — the smallest
queue it belongs to (ties: the first in the document).  Showing an agent under
each of its queues would put the same pop on screen two or three times and
make one click answer "several" pops; the smallest queue is the most telling
group (the VIP advisers, the billing team) while a catch-all queue that
everybody is in would otherwise swallow everyone.  The card's badges list all
its queues, and every queue keeps a header (members, conversations waiting),
even one that is nobody's home.

A card's height never changes while the simulation runs: it shows one pop in
full and a "+N more pops waiting" line (its tooltip names them; the
notification pane lists them all), one line of conversation chips ("+N more"
beyond), and keeps the room of each when it is empty.  Every card of a panel is
as tall as the tallest (``set_floor_height``), so the cards of a row line up
and the groups below never move as pops come and go.

Keeping hundreds of cards live: a card refreshes only when an event of the
tick names its agent *and* it is on screen (the panel refreshes off-screen
cards when they scroll into view); being fixed-size, a label changing inside it
never relayouts the whole panel; its pop and chip widgets are reused rather
than rebuilt; the pop is painted (only Accept and Decline are real buttons).
A queue group's header is fixed-size too, so its counts change without moving
anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Mapping, Sequence

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QMouseEvent, QPainter, QPaintEvent, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QMenu,
    QSizePolicy,
    QSpacerItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetItem,
)

from ui.panel.screen_pop import CardPop

MAX_POPS = 1  # in full on a card; the others are a "+N more" line (the notification lists all)
MAX_CHIPS = 8
CARD_WIDTH = 222
CARD_SPACING = 10

PRESENCE_COLOURS = {
    "available": "#13A10E",
    "busy": "#D13438",
    "busy_dnd": "#C50F1F",
    "away": "#EAA300",
    "offline": "#8A8A8A",
}
SEGMENT_COLOURS = {"active": "#0F6CBD", "offered": "#F7A23B", "wrap_up": "#8A8A8A", "free": "#E6E6E6"}

CARDS_QSS = """
QFrame#agentCard { background: #FFFFFF; border: 1px solid #E0E0E0; border-radius: 8px; }
QFrame#agentCard:hover { border-color: #C7C7C7; }
QFrame#agentCard[selected="true"] { border: 2px solid #0F6CBD; }
QFrame#agentCard QLabel { background: transparent; border: none; }
QLabel#agentName { font-weight: 600; color: #242424; }
QLabel#queueBadge { color: #115EA3; background: #EBF3FC; border-radius: 4px; padding: 1px 6px; }
QLabel#queueBadge[home="true"] { color: #FFFFFF; background: #0F6CBD; }
QLabel#skillBadge { color: #5C2E91; background: #F3EEF9; border-radius: 4px; padding: 1px 6px; }
QLabel#queueTag { color: #FFFFFF; background: #5C2E91; border-radius: 4px; padding: 0px 5px; font-weight: 600; }
QLabel#queueClosed { color: #A4262C; background: #FDE7E9; border: 1px solid #F1BBBC; border-radius: 4px;
    padding: 0px 5px; font-weight: 600; }
QLabel#capacityText { color: #616161; }
QLabel#morePops { color: #8A5300; }
QLabel#cardStatus { color: #616161; }
QComboBox#presenceCombo { padding: 2px 4px 2px 6px; min-height: 18px; border-radius: 6px; }
QToolButton#conversationChip { background: #F0F6FC; color: #115EA3; border: 1px solid #CFE4FA;
    border-radius: 10px; padding: 1px 18px 1px 8px; }
QToolButton#conversationChip[state="waiting"] { background: #FFF9F0; color: #8A5300; border-color: #FBD5A5; }
QToolButton#conversationChip:hover { border-color: #0F6CBD; }
QToolButton#conversationChip::menu-button { border: none; width: 14px; }
QFrame#queueGroup { background: transparent; border: none; }
QLabel#queueTitle { font-size: 11pt; font-weight: 600; color: #242424; }
QLabel#queueMeta { color: #616161; }
QLabel#queueMeta[waiting="true"] { color: #8A5300; font-weight: 600; }
QToolButton#pickButton { color: #0F6CBD; background: #FFFFFF; border: 1px solid #B4D6FA; border-radius: 6px;
    padding: 1px 8px; }
QToolButton#pickButton::menu-indicator { image: none; width: 0px; }
"""


# --------------------------------------------------------------------------- helpers

@lru_cache(maxsize=16)
def presence_icon(base: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(PRESENCE_COLOURS.get(base, "#8A8A8A")))
    painter.drawEllipse(1, 1, 10, 10)
    if base == "busy_dnd":
        painter.setBrush(QColor("#FFFFFF"))
        painter.drawRect(3, 5, 6, 2)
    elif base == "offline":
        painter.setBrush(QColor("#FFFFFF"))
        painter.drawEllipse(3, 3, 6, 6)
    painter.end()
    return QIcon(pixmap)


_AVATAR_COLOURS = ("#0F6CBD", "#8764B8", "#038387", "#CA5010", "#4F6BED", "#498205", "#C239B3", "#986F0B")


def initials(name: str) -> str:
    parts = [p for p in name.replace("-", " ").split() if p]
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0][:2].upper()
    return (parts[0][0] + parts[-1][0]).upper()


def home_queues(agent_queues: Mapping[str, Sequence[str]], queue_sizes: Mapping[str, int],
                queue_order: Sequence[str]) -> dict[str, str | None]:
    """Agent → its home queue: the smallest of its queues, ties by document order (None: no queue)."""
    order = {name: index for index, name in enumerate(queue_order)}
    homes: dict[str, str | None] = {}
    for agent, queues in agent_queues.items():
        if not queues:
            homes[agent] = None
            continue
        homes[agent] = min(queues, key=lambda q: (queue_sizes.get(q, 0), order.get(q, len(order)), q))
    return homes


def profile_slots(view: Any, offers: Sequence[Any], info: Callable[[str], "ConversationInfo"]) \
        -> list[tuple[str, int, int]]:
    """(capacity profile, conversations and pops holding it, the agent's limit) for each profile of a
    version 2 configuration: a profile-based stream takes a slot, not units, so units alone read 0."""
    if not getattr(view, "profiles", None):
        return []
    held: dict[str, int] = {}
    for conversation in (*view.active, *(offer.conversation for offer in offers)):
        stream = info(conversation).workstream
        if stream.get("capacity_format") == "profile" and stream.get("capacity_profile"):
            key = str(stream["capacity_profile"]).casefold()
            held[key] = held.get(key, 0) + 1
    return [(name, held.get(name.casefold(), 0), limit) for name, limit in view.profiles.items()]


@dataclass
class ConversationInfo:
    """What a card needs to know about one conversation."""

    id: str
    workstream: Mapping[str, Any]
    queue: str | None
    state: str
    context: Mapping[str, Any] = field(default_factory=dict)
    units: int = 0
    skills: Mapping[str, str] = field(default_factory=dict)  # what classification attached (skill -> rating)


def _keep_room_when_hidden(widget: QWidget) -> None:
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)


class FlowLayout(QLayout):
    """Lays items out left to right, wrapping to new lines (cards, chips)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8, height_for_width: bool = True):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._hfw = height_for_width
        self._hfw_cache: dict[int, int] = {}
        self.setContentsMargins(0, 0, 0, 0)

    def invalidate(self) -> None:
        self._hfw_cache.clear()
        super().invalidate()

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insertWidget(self, index: int, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        if 0 <= index < len(self._items):
            return self._items.pop(index)
        return None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return self._hfw

    def heightForWidth(self, width: int) -> int:
        height = self._hfw_cache.get(width)
        if height is None:
            height = self._hfw_cache[width] = self._do_layout(QRect(0, 0, width, 0), apply=False)
        return height

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._do_layout(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _do_layout(self, rect: QRect, apply: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y = area.x(), area.y()
        line_height = 0
        spacing = self._spacing
        for item in self._items:
            widget = item.widget()
            if widget is not None and widget.isHidden():
                continue
            flow_width = getattr(widget, "flow_width", None)
            if flow_width is not None:
                width = min(flow_width(), max(1, area.width()))
                hint = QSize(width, item.heightForWidth(width) if item.hasHeightForWidth() else item.sizeHint().height())
            else:
                hint = item.sizeHint()
                if item.hasHeightForWidth():
                    hint.setHeight(item.heightForWidth(hint.width()))
            next_x = x + hint.width() + spacing
            if next_x - spacing > area.right() + 1 and line_height > 0:
                x = area.x()
                y = y + line_height + spacing
                next_x = x + hint.width() + spacing
                line_height = 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x = next_x
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


class ElidedLabel(QLabel):
    """A one-line label that shows as much of its text as fits, with "…", and the whole text as its
    tooltip when it had to cut it.  It never asks for more room than ``minimum_chars`` characters,
    so a long text never widens (or clips) the row it sits in."""

    def __init__(self, text: str = "", parent: QWidget | None = None, minimum_chars: int = 6):
        super().__init__(parent)
        self._full = ""
        self._tip = ""
        self._minimum_chars = minimum_chars
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def full_text(self) -> str:
        return self._full

    def setText(self, text: str) -> None:  # noqa: N802 — Qt's name
        self._full = text
        self._elide()

    def set_tooltip(self, tip: str) -> None:
        """A tooltip of its own (shown under the full text when the text is cut)."""
        self._tip = tip
        self._elide()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = super().minimumSizeHint()
        # A short text ("VIP") needs no more than itself: a tag beside it then sits right after it.
        metrics = self.fontMetrics()
        least = min(metrics.horizontalAdvance("M" * self._minimum_chars), metrics.horizontalAdvance(self._full) + 2)
        return QSize(least, hint.height())

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 2, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._elide()

    def _elide(self) -> None:
        room = self.contentsRect().width()
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(0, room))
        if shown != super().text():
            super().setText(shown)
        tip = self._full if shown != self._full else ""
        tip = "\n".join(t for t in (tip, self._tip) if t)
        if tip != self.toolTip():
            self.setToolTip(tip)


class Avatar(QWidget):
    """A round badge with the agent's initials (painted: no per-widget style sheet)."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("agentAvatar")
        self.setFixedSize(32, 32)
        self.text = initials(name)
        self.colour = QColor(_AVATAR_COLOURS[sum(map(ord, name)) % len(_AVATAR_COLOURS)])

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:  # larger type (presentation): a larger disc
            side = max(32, self.fontMetrics().height() * 2)
            if self.width() != side:
                self.setFixedSize(side, side)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colour)
        painter.drawEllipse(self.rect().adjusted(0, 0, -1, -1))
        painter.setPen(QColor("#FFFFFF"))
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.text)
        painter.end()


class CapacityGauge(QWidget):
    """A thin bar: active work, units held by pops, wrap-up, free (painted, no child widgets)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFixedHeight(8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.capacity = 0
        self.segments: tuple[int, int, int] = (0, 0, 0)  # active, offered, wrap-up

    def set_units(self, capacity: int, active: int, offered: int, wrap_up: int) -> None:
        segments = (max(0, active), max(0, offered), max(0, wrap_up))
        if capacity == self.capacity and segments == self.segments:
            return
        self.capacity, self.segments = capacity, segments
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        rect = QRectF(self.rect())
        painter.setBrush(QColor(SEGMENT_COLOURS["free"]))
        painter.drawRoundedRect(rect, 4, 4)
        total = max(self.capacity, sum(self.segments), 1)
        x = rect.x()
        painter.setClipRect(rect)
        for value, key in zip(self.segments, ("active", "offered", "wrap_up")):
            if value <= 0:
                continue
            width = rect.width() * value / total
            painter.setBrush(QColor(SEGMENT_COLOURS[key]))
            painter.drawRoundedRect(QRectF(x, rect.y(), width + 4, rect.height()), 4, 4) if x == rect.x() \
                else painter.drawRect(QRectF(x, rect.y(), width, rect.height()))
            x += width
        painter.end()


class PresenceCombo(QComboBox):
    """The card's presence drop-down: every presence shows at once, Offline included.

    A drop-down that overlays its current item (Fusion's popup) sizes its list without the
    item view's style-sheet padding and border, so the last presence sat under a scroll
    arrow; and other styles stop at ``maxVisibleItems``.  After Qt has placed the list, it
    grows by what is missing, and moves up if the screen ends first."""

    def showPopup(self) -> None:  # noqa: N802 — Qt's name
        self.setMaxVisibleItems(max(1, self.count()))
        super().showPopup()
        view = self.view()
        popup = view.window()
        if popup is self.window():
            return
        rows = sum(view.sizeHintForRow(row) for row in range(self.count()) if not view.isRowHidden(row))
        screen = (self.screen() or popup.screen()).availableGeometry()
        grew = False
        for _ in range(3):  # the scroll arrows go once the list fits, which frees their room
            if popup.layout() is not None:
                popup.layout().activate()
            shortfall = rows - view.viewport().height()
            if shortfall <= 0:
                break
            geometry = popup.geometry()
            geometry.setHeight(min(screen.height(), geometry.height() + shortfall))
            if geometry.bottom() > screen.bottom():
                geometry.moveBottom(screen.bottom())
            if geometry.top() < screen.top():
                geometry.moveTop(screen.top())
            popup.setGeometry(geometry)
            grew = True
        if grew:
            if popup.layout() is not None:
                popup.layout().activate()
            surplus = view.viewport().height() - rows  # the arrows' room, no longer needed
            if surplus > 0:
                popup.resize(popup.width(), popup.height() - surplus)
        view.scrollToTop()


class ConversationChip(QToolButton):
    """An active conversation on a card: click for its route, the arrow for end / idle / active."""

    def __init__(self, conversation_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conversationChip")
        self.conversation_id = conversation_id
        self.state = ""
        self._full_text = ""
        self._fit_width: int | None = None
        self.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.menu_ = QMenu(self)
        self.show_route_action = self.menu_.addAction("Show route")
        self.idle_action = self.menu_.addAction("Customer goes quiet")
        self.active_action = self.menu_.addAction("Customer is back")
        self.menu_.addSeparator()
        self.end_action = self.menu_.addAction("End conversation")
        self.setMenu(self.menu_)

    def fit_to(self, width: int | None) -> None:
        """At most ``width`` pixels wide, the text elided to fit (None: the whole text)."""
        if width != self._fit_width:
            self._fit_width = width
            self._fit_text()

    def _fit_text(self) -> None:
        text = self._full_text
        if self._fit_width is not None:
            overhead = super().sizeHint().width() - self.fontMetrics().horizontalAdvance(self.text())
            text = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, max(0, self._fit_width - overhead))
        if text != self.text():
            self.setText(text)

    def set_info(self, info: ConversationInfo) -> None:
        stream = str(info.workstream.get("name", ""))
        waiting = info.state == "waiting"
        # The queue it was routed to, named as one (the work stream is in the tooltip).
        queue = info.queue or "none"
        self._full_text = f"{info.id} · queue {queue if len(queue) <= 14 else queue[:13] + '…'}" + (" · idle" if waiting else "")
        self._fit_text()
        self.setToolTip(f"{info.id}: queue {info.queue}, work stream {stream}; "
                        f"{'customer idle (waiting)' if waiting else 'active'}. Click for its route; "
                        "the arrow ends it or changes the customer's activity.")
        state = "waiting" if waiting else "active"
        if state != self.state:
            self.state = state
            self.setProperty("state", state)
            self.style().unpolish(self)
            self.style().polish(self)
        self.idle_action.setVisible(not waiting)
        self.active_action.setVisible(waiting)


# --------------------------------------------------------------------------- the card

class AgentCard(QFrame):
    presenceChosen = Signal(str, str)       # agent, presence
    acceptRequested = Signal(str, str)      # agent, conversation
    declineRequested = Signal(str, str, object)  # agent, conversation, reason (None: none)
    endRequested = Signal(str)              # conversation
    idleRequested = Signal(str)
    activeRequested = Signal(str)
    conversationSelected = Signal(str)
    clicked = Signal(str)                   # agent

    def __init__(self, name: str, presences: Sequence[tuple[str, str]], queues: Sequence[str],
                 home_queue: str | None = None, parent: QWidget | None = None, card_width: int | None = None,
                 skills: Mapping[str, str] | None = None):
        super().__init__(parent)
        self.setObjectName("agentCard")
        self.setProperty("selected", False)
        self.name = name
        self.queues = tuple(queues)
        self.card_width = card_width or CARD_WIDTH  # wider in presentation mode (larger type)
        self.setFixedWidth(self.card_width)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        self.pops: dict[str, CardPop] = {}
        self.chips: dict[str, ConversationChip] = {}
        self._pop_pool: list[CardPop] = []
        self._chip_pool: list[ConversationChip] = []
        self._selected = False
        self._now = 0.0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(5)

        head = QHBoxLayout()
        head.setSpacing(8)
        self.avatar = Avatar(name)
        head.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignVCenter)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.name_label = QLabel(name)
        self.name_label.setObjectName("agentName")
        self.name_label.setToolTip(name)
        self.name_label.setMinimumWidth(40)
        names.addWidget(self.name_label)
        self.status_label = QLabel("No conversations")
        self.status_label.setObjectName("cardStatus")
        names.addWidget(self.status_label)
        head.addLayout(names, 1)
        layout.addLayout(head)

        self.presence_combo = PresenceCombo()
        self.presence_combo.setObjectName("presenceCombo")
        self.presence_combo.setToolTip(f"{name}'s presence: only presences a work stream allows get its pops")
        for presence, base in presences:
            self.presence_combo.addItem(presence_icon(base), presence, base)
        self.presence_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.presence_combo.setMinimumContentsLength(10)
        self.presence_combo.setIconSize(QSize(10, 10))
        self.presence_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.presence_combo.activated.connect(self._presence_activated)
        layout.addWidget(self.presence_combo)

        gauge_row = QHBoxLayout()
        gauge_row.setSpacing(8)
        self.gauge = CapacityGauge()
        gauge_row.addWidget(self.gauge, 1)
        self.capacity_label = QLabel()
        self.capacity_label.setObjectName("capacityText")
        self.capacity_label.setToolTip("Capacity units in use / the agent's capacity")
        gauge_row.addWidget(self.capacity_label)
        layout.addLayout(gauge_row)

        self.badge_area = QWidget()
        badges = FlowLayout(self.badge_area, spacing=4, height_for_width=False)
        for queue in self.queues or ("No queue",):
            badge = QLabel(queue)
            badge.setObjectName("queueBadge")
            badge.setProperty("home", queue == home_queue)
            badge.setToolTip("Home queue: the card is grouped here" if queue == home_queue else "Also a member")
            badges.addWidget(badge)
        # The agent's skills, after the queues, in the skills' own colour (a pop says what it needs the same way).
        self.skills = dict(skills or {})
        self.skill_badges: list[QLabel] = []
        for skill, rating in sorted(self.skills.items(), key=lambda item: item[0].casefold()):
            badge = QLabel(f"{skill} {rating}")
            badge.setObjectName("skillBadge")
            badge.setToolTip(f"Skill {skill}, rating {rating}")
            badges.addWidget(badge)
            self.skill_badges.append(badge)
        layout.addWidget(self.badge_area)
        self._badges = badges

        # The parts that come and go (chips, the pop, "+N more") keep their room when empty, so a card's
        # height never changes while the simulation runs and the groups below never move.
        self.chip_area = QWidget()
        self.chip_layout = QHBoxLayout(self.chip_area)
        self.chip_layout.setContentsMargins(0, 0, 0, 0)
        self.chip_layout.setSpacing(4)
        self.more_chips = ElidedLabel(minimum_chars=3)
        self.more_chips.setObjectName("cardStatus")
        self.more_chips.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.more_chips.hide()
        self.chip_layout.addWidget(self.more_chips)
        self.chip_layout.addStretch(1)
        layout.addWidget(self.chip_area)

        # One pop in full, in a slot of a pop's height whether or not there is one.  The pop and the chips
        # are made when first needed (hundreds of cards open faster); the panel measures a pop and a chip
        # once in its style and gives every card their heights (set_slot_heights).
        self.pop_slot = QWidget()
        self.pop_area = QVBoxLayout(self.pop_slot)
        self.pop_area.setContentsMargins(0, 0, 0, 0)
        self.pop_area.setSpacing(0)
        self._chip_height = self.fontMetrics().height() + 8
        self.pop_slot.setFixedHeight(CardPop.HEIGHT)
        layout.addWidget(self.pop_slot)
        self.more_pops = ElidedLabel()
        self.more_pops.setObjectName("morePops")
        _keep_room_when_hidden(self.more_pops)
        self.more_pops.hide()
        layout.addWidget(self.more_pops)
        layout.addStretch(1)  # a card made as tall as the tallest of the panel leaves the room at the bottom
        self._floor_height = 0  # the panel's card height (cards of one panel are the same height)
        self._natural: int | None = None  # the last natural_height()

    # ------------------------------------------------------------------ state

    def set_selected(self, selected: bool) -> None:
        if selected == self._selected:
            return
        self._selected = selected
        self.setProperty("selected", selected)
        self.style().unpolish(self)
        self.style().polish(self)

    @property
    def selected(self) -> bool:
        return self._selected

    def refresh(self, view: Any, info: Callable[[str], ConversationInfo], now: float) -> bool:
        """Show ``view`` (an ``AgentView``); ``info(conversation id)`` describes conversations.
        Returns whether the card changed height: never (its height is fixed: one pop in full and a
        "+N more" line, one line of chips)."""
        self._now = now
        index = self.presence_combo.findText(view.presence)
        if index >= 0 and index != self.presence_combo.currentIndex():
            self.presence_combo.setCurrentIndex(index)
        offers = list(view.offers)
        offered_units = sum(info(offer.conversation).units for offer in offers)
        used = view.capacity - view.free_capacity
        active_units = used - offered_units - view.wrap_up_units
        self.gauge.set_units(view.capacity, active_units, offered_units, view.wrap_up_units)
        slots = profile_slots(view, offers, info)
        capacity_text = f"{used}/{view.capacity}" + "".join(f" · {name} {held}/{limit}" for name, held, limit in slots)
        if capacity_text != self.capacity_label.text():
            self.capacity_label.setText(capacity_text)
        self.gauge.setToolTip(f"Capacity {view.capacity}: {max(0, active_units)} in conversations, "
                              f"{offered_units} held by pops, {view.wrap_up_units} in wrap-up, "
                              f"{view.free_capacity} free"
                              + "".join(f"\nCapacity profile {name}: {held} of {limit} at once" for name, held, limit
                                        in slots))
        parts = []
        if view.active:
            parts.append(f"{len(view.active)} active")
        if offers:
            parts.append(f"{len(offers)} pop{'s' if len(offers) != 1 else ''}")
        if view.wrap_up_units:
            parts.append("wrap-up")
        status = " · ".join(parts) or "No conversations"
        if status != self.status_label.text():
            self.status_label.setText(status)
        self._sync_chips(list(view.active), info)
        self._sync_pops(offers, info)
        return False  # sized once, by the panel (set_floor_height) or when first shown: never by a refresh

    def natural_height(self) -> int:
        """The height the card's parts need (the same with or without pops and chips)."""
        badges = self._badges.heightForWidth(self.card_width - 20)  # the badges wrap onto the lines they need
        if self.badge_area.maximumHeight() != badges or self.badge_area.minimumHeight() != badges:
            self.badge_area.setFixedHeight(badges)
        chips = max(self._chip_height, self.more_chips.sizeHint().height())
        if self.chip_area.maximumHeight() != chips or self.chip_area.minimumHeight() != chips:
            self.chip_area.setFixedHeight(chips)
        layout = self.layout()
        layout.invalidate()
        layout.activate()
        self._natural = layout.sizeHint().height()
        return self._natural

    def set_slot_heights(self, pop: int, chip: int) -> None:
        """The heights of a pop and a chip in the panel's style (measured once for all the cards)."""
        self._chip_height = chip
        if self.pop_slot.maximumHeight() != pop or self.pop_slot.minimumHeight() != pop:
            self.pop_slot.setFixedHeight(pop)

    def set_floor_height(self, height: int) -> bool:
        """The panel's card height: every card as tall as the tallest (one with more queue badges), so
        the cards of a row line up.  True when the card changed height."""
        self._floor_height = height
        return self._fit_height(measured=True)

    def _fit_height(self, measured: bool = False) -> bool:
        """A fixed size, so changes inside the card never relayout the whole panel.  True when it changed.
        ``measured``: ``natural_height`` was just called (by the panel: it is not measured again)."""
        natural = self._natural if measured and self._natural is not None else self.natural_height()
        height = max(natural, self._floor_height)
        if height != self.maximumHeight() or height != self.minimumHeight():
            self.setFixedHeight(height)
            return True
        return False

    def _new_chip(self) -> ConversationChip:
        chip = ConversationChip("")
        chip.clicked.connect(lambda _c=False, ch=chip: self.conversationSelected.emit(ch.conversation_id))
        chip.show_route_action.triggered.connect(lambda _c=False, ch=chip: self.conversationSelected.emit(ch.conversation_id))
        chip.idle_action.triggered.connect(lambda _c=False, ch=chip: self.idleRequested.emit(ch.conversation_id))
        chip.active_action.triggered.connect(lambda _c=False, ch=chip: self.activeRequested.emit(ch.conversation_id))
        chip.end_action.triggered.connect(lambda _c=False, ch=chip: self.endRequested.emit(ch.conversation_id))
        chip.hide()
        self.chip_layout.insertWidget(len(self._chip_pool), chip)
        self._chip_pool.append(chip)
        return chip

    def _new_pop(self) -> CardPop:
        pop = CardPop("", workstream={}, queue=None, context={}, expires_at=self._now, agent=self.name, now=self._now)
        pop.accepted.connect(lambda c, a=self.name: self.acceptRequested.emit(a, c))
        pop.declined.connect(lambda c, r, a=self.name: self.declineRequested.emit(a, c, r))
        pop.selected.connect(self.conversationSelected)
        pop.hide()
        self.pop_area.addWidget(pop)
        self._pop_pool.append(pop)
        return pop

    def _sync_chips(self, active: list[str], info: Callable[[str], ConversationInfo]) -> None:
        """Chip widgets are kept and reused: position i shows the i-th active conversation.  One line of
        them: those that do not fit are counted in "+N more" (the tooltip names them)."""
        room = self.card_width - 20
        spacing = self.chip_layout.spacing()
        pool = self._chip_pool
        self.chips = {}
        shown = 0
        used = 0
        for index, conv_id in enumerate(active[:MAX_CHIPS]):
            chip = pool[index] if index < len(pool) else self._new_chip()
            chip.conversation_id = conv_id
            chip.set_info(info(conv_id))
            chip.fit_to(None)
            width = chip.sizeHint().width()
            left = len(active) - index - 1
            reserve = (spacing + self.more_chips.fontMetrics().horizontalAdvance(f"+{left} more") + 4) if left else 0
            if index and used + spacing + width + reserve > room:
                break
            if index == 0 and width + reserve > room:  # a first chip too wide for the line: its text elides
                chip.fit_to(room - reserve)
                width = chip.sizeHint().width()
            used += (spacing if index else 0) + width
            if chip.isHidden():
                chip.show()
            self.chips[conv_id] = chip
            shown += 1
        for chip in pool[shown:]:
            if not chip.isHidden():
                chip.hide()
        extra = len(active) - shown
        self.more_chips.setVisible(extra > 0)
        if extra > 0:
            self.more_chips.setText(f"+{extra} more")
            self.more_chips.set_tooltip("Also active: " + ", ".join(active[shown:]))

    def _sync_pops(self, offers: list, info: Callable[[str], ConversationInfo]) -> None:
        """The first outstanding offer in full (the reused pop widget); the others are a "+N more" line
        whose tooltip names them; the notification pane lists them all."""
        if not self._pop_pool and not offers:
            return
        pop = self._pop_pool[0] if self._pop_pool else self._new_pop()
        previous = dict(self.pops)
        self.pops = {}
        if offers:
            offer = offers[0]
            expires_at = float(offer.expires_at or self._now)
            # A conversation offered again to this agent (after it expired or was declined) is a new
            # offer with its own expiry: show it afresh, never the old countdown.
            if previous.get(offer.conversation) is not pop or pop.answered or pop.expires_at != expires_at:
                details = info(offer.conversation)
                pop.set_offer(offer.conversation, workstream=details.workstream, queue=details.queue,
                              context=details.context, expires_at=expires_at, agent=self.name, now=self._now,
                              skills=details.skills)
            else:
                pop.update_time(self._now)
            if pop.isHidden():
                pop.show()
            self.pops[offer.conversation] = pop
        elif not pop.isHidden():
            pop.hide()
        extra = len(offers) - len(self.pops)
        self.more_pops.setVisible(extra > 0)
        if extra > 0:
            self.more_pops.setText(f"+{extra} more pop{'s' if extra != 1 else ''} waiting")
            self.more_pops.set_tooltip("Also offered to this agent: "
                                       + ", ".join(o.conversation for o in offers[MAX_POPS:])
                                       + ". Click the card: its notification lists them all.")

    def update_time(self, now: float) -> None:
        self._now = now
        for pop in self.pops.values():
            pop.update_time(now)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._floor_height:
            self._fit_height()  # now that the style sheet has sized the labels

    def is_on_screen(self) -> bool:
        """Whether any of the card shows in its scroll area's viewport (or in its window, outside one)."""
        if not self.isVisible():
            return False
        return not self.visibleRegion().isEmpty()

    # ------------------------------------------------------------------ input

    def _presence_activated(self, index: int) -> None:
        self.presenceChosen.emit(self.name, self.presence_combo.itemText(index))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.name)
        super().mousePressEvent(event)


class QueueGroup(QFrame):
    """A queue's header and the cards of the agents whose home queue it is.

    The header (title, members and waiting counts, Pick…) is a fixed-size child laid
    over a spacer of its height rather than an item of the group's layout: its counts
    change on most ticks, and a label changing inside a widget that is not fixed-size
    relayouts every group of the panel (Qt passes the geometry change up to the top).
    """

    def __init__(self, queue: str | None, members: int, parent: QWidget | None = None,
                 card_width: int | None = None, priority: int | None = None, assignment_method: str | None = None,
                 has_hours: bool = False):
        super().__init__(parent)
        self.setObjectName("queueGroup")
        self.queue = queue
        self.card_width = card_width or CARD_WIDTH
        self.members = members
        self.cards: list[AgentCard] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 8)
        layout.setSpacing(6)
        self.header = QWidget(self)
        self.header.setObjectName("queueHeader")
        # Two lines: the queue's name (and Pick… in pick mode), then its counts.  On one line the counts
        # were cut ("Mortgages 0 members · 0 wai…") in a group as narrow as one card.
        head = QGridLayout(self.header)
        head.setContentsMargins(0, 0, 0, 0)
        head.setHorizontalSpacing(10)
        head.setVerticalSpacing(0)
        self.title = ElidedLabel(queue or "No queue")
        self.title.setObjectName("queueTitle")
        self.title.set_tooltip(f"Queue {queue}: the agents whose smallest queue it is are grouped here"
                               if queue else "Agents in no queue")
        head.addWidget(self.title, 0, 0)
        # Version 2: "P1" when the queue has a priority (lower first), "Closed" outside its operating hours.
        tags = QHBoxLayout()
        tags.setSpacing(4)
        self.priority_tag = QLabel(f"P{priority}" if priority is not None else "")
        self.priority_tag.setObjectName("queueTag")
        method = (assignment_method or "highest_capacity").replace("_", " ")
        self.priority_tag.setToolTip(f"Priority {priority}: an agent in several queues is offered this queue's "
                                     f"conversations before those of a queue with a larger number. "
                                     f"Assignment: {method}." if priority is not None else "")
        self.priority_tag.setVisible(priority is not None)
        tags.addWidget(self.priority_tag)
        self.closed_tag = QLabel("Closed")
        self.closed_tag.setObjectName("queueClosed")
        self.closed_tag.setToolTip("Outside the queue's operating hours: its overflow rules apply, or its "
                                   "conversations wait until it opens")
        self.closed_tag.hide()
        tags.addWidget(self.closed_tag)
        head.addLayout(tags, 0, 1, Qt.AlignmentFlag.AlignVCenter)  # right after the name, not at the far edge
        self.has_hours = has_hours
        self.is_open = True
        self.pick_button = QToolButton()
        self.pick_button.setObjectName("pickButton")
        self.pick_button.setText("Pick…")
        self.pick_button.setToolTip("Pick mode: choose an open work item and the member who picks it")
        self.pick_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.pick_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.pick_menu = QMenu(self.pick_button)
        self.pick_button.setMenu(self.pick_menu)
        self.pick_button.hide()
        head.addWidget(self.pick_button, 0, 3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.meta = ElidedLabel()
        self.meta.setObjectName("queueMeta")
        head.addWidget(self.meta, 1, 0, 1, 4)
        # The name as wide as it is (shorter, with "…", only when the group is narrower), then the tags;
        # the spare room after them.
        self.title.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        head.setColumnStretch(2, 1)
        self._header_space = QSpacerItem(0, self.header_height(), QSizePolicy.Policy.Minimum,
                                         QSizePolicy.Policy.Fixed)
        layout.addItem(self._header_space)
        self.note = QLabel()
        self.note.setObjectName("queueMeta")
        self.note.hide()
        layout.addWidget(self.note)
        self.card_area = QWidget()
        self.card_layout = FlowLayout(self.card_area, spacing=CARD_SPACING)
        layout.addWidget(self.card_area)
        self._counts = (-1, -1)
        self.set_waiting(0)

    def header_height(self) -> int:
        """The header's two lines (name and Pick…, then the counts), plus the spacing under it (a layout
        puts none after a spacer)."""
        return self._header_rows() + max(0, self.layout().spacing())

    def _header_rows(self) -> int:
        first = max(self.title.sizeHint().height(), self.pick_button.sizeHint().height(),
                    self.priority_tag.sizeHint().height(), self.closed_tag.sizeHint().height())
        return first + self.meta.sizeHint().height()

    def header_width(self) -> int:
        """Room for the name, Pick… and the longest counts this queue may show, so the group never
        changes width as counts change (and nothing is cut when there is room)."""
        self.header.ensurePolished()
        worst = self._meta_text(999, 999)
        name = self.title.fontMetrics().horizontalAdvance(self.title.full_text()) + 4
        tags = sum(tag.sizeHint().width() + 4 for tag in (self.priority_tag, self.closed_tag)
                   if tag is self.closed_tag and self.has_hours or tag is self.priority_tag and tag.text())
        return max(name + 10 + tags + 10 + self.pick_button.sizeHint().width(),
                   self.meta.fontMetrics().horizontalAdvance(worst) + 4)

    def set_open(self, is_open: bool) -> None:
        """Open or closed by the queue's operating hours at the simulated time (the header does not move)."""
        if is_open != self.is_open:
            self.is_open = is_open
            self.closed_tag.setVisible(not is_open)

    def _place_header(self) -> None:
        """Fit the header over its spacer (on resize and once styled; never because a count changed)."""
        self.header.ensurePolished()
        space = self.header_height()
        if space != self._header_space.sizeHint().height():
            self._header_space.changeSize(0, space, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            self.layout().invalidate()
        size = QSize(max(1, self.width()), self._header_rows())
        if self.header.minimumSize() != size or self.header.maximumSize() != size:
            self.header.setFixedSize(size)
        self.header.move(0, self.layout().contentsMargins().top())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_header()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._place_header()

    def flow_width(self) -> int:
        """The width this group wants in a flow of groups: its cards side by side, and at least its
        header's (fixed: a count changing never moves the groups)."""
        count = max(1, len(self.cards))
        return max(count * self.card_width + (count - 1) * CARD_SPACING, self.header_width())

    def add_card(self, card: AgentCard) -> None:
        self.cards.append(card)
        self.card_layout.addWidget(card)

    def finish(self) -> None:
        """Call after adding cards: explains an empty group."""
        if not self.cards:
            self.card_area.hide()
            if self.members:
                self.note.setText(f"{'All its' if self.members != 1 else 'Its'} {self.members} "
                                  f"member{'s are' if self.members != 1 else ' is'} shown under a smaller queue.")
                self.note.setWordWrap(True)
            else:
                self.note.setText("No agents: conversations routed here wait.")
            self.note.show()

    def _meta_text(self, waiting: int, open_items: int) -> str:
        members = f"{self.members} member{'s' if self.members != 1 else ''}"
        text = f"{members} · {waiting} waiting" if self.queue else members
        if open_items:
            text += f" · {open_items} open item{'s' if open_items != 1 else ''}"
        return text

    def set_waiting(self, waiting: int, open_items: int = 0) -> None:
        """Push conversations waiting for an agent, and pick-mode open work items."""
        if (waiting, open_items) == self._counts:
            return
        self._counts = (waiting, open_items)
        self.meta.setText(self._meta_text(waiting, open_items))
        self.pick_button.setVisible(open_items > 0)
        flagged = waiting > 0 or open_items > 0
        if self.meta.property("waiting") != flagged:
            self.meta.setProperty("waiting", flagged)
            self.meta.style().unpolish(self.meta)
            self.meta.style().polish(self.meta)


__all__ = ["AgentCard", "CARDS_QSS", "CapacityGauge", "ConversationChip", "ConversationInfo", "FlowLayout",
           "ElidedLabel", "MAX_CHIPS", "MAX_POPS", "QueueGroup", "home_queues", "initials", "presence_icon"]
