"""Models behind the agent panel and the Test routing pane.

* ``EventLogModel`` — the simulator's events as a table (time, event,
  conversation, agent, details), appended in batches with ``beginInsertRows``
  and capped (oldest rows dropped) so a long run stays light.  Cells are
  formatted on demand from the stored event dicts, never by querying anything,
  once per row (the texts are kept); ``data`` answers the roles a view asks
  for every cell it paints (seven of them) with plain int comparisons, since
  it runs ~300 times per repaint of the log.
* ``TraceModel`` — a routing trace (``RouteResult.trace``) as a tree: the rules
  in evaluation order, matched or not, each with its condition rows (value
  seen, result), nested groups shown as "All of" / "Any of" rows.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPen, QPixmap, QStandardItem, QStandardItemModel

from app.routing.conditions import OPERATOR_LABELS, VALUELESS_OPERATORS
from ui.panel.sim_driver import format_clock

# --------------------------------------------------------------------------- formatting helpers

GREEN = "#0E700E"
GREEN_BG = "#DFF6DD"
RED = "#A4262C"
RED_BG = "#FDE7E9"
AMBER = "#8A5300"
GREY = "#707070"

EVENT_LABELS = {
    "classified": "Classified",
    "routed": "Routed",
    "overflowed": "Overflowed",
    "queued": "Queued",
    "offered": "Screen pop",
    "accepted": "Accepted",
    "declined": "Declined",
    "offer_expired": "Offer expired",
    "assigned": "Assigned",
    "waiting": "Customer idle",
    "active": "Customer active",
    "closed": "Closed",
    "reconnected": "Reconnected",
    "capacity_released": "Capacity released",
    "capacity_changed": "Capacity changed",
    "presence_changed": "Presence changed",
    "action_rejected": "Action rejected",
    "pick_rejected": "Pick rejected",
    "scenario_loaded": "Scenario loaded",
    "configuration_changed": "Setup changed",  # short: the log's Event column fits at 1024 px
}

_EVENT_COLOURS = {
    "accepted": GREEN, "assigned": GREEN,
    "declined": AMBER, "offer_expired": AMBER, "overflowed": AMBER,
    "action_rejected": RED, "pick_rejected": RED, "configuration_changed": "#115EA3",
    "capacity_released": GREY, "capacity_changed": GREY,
}

_RELEASE_REASONS = {
    "declined": "declined", "offer_expired": "pop expired", "withdrawn": "offer withdrawn",
    "ended": "ended", "wrap_up_over": "wrap-up over", "auto_close": "auto-closed",
}


def event_label(name: str) -> str:
    return EVENT_LABELS.get(name, name.replace("_", " ").capitalize())


def render_value(value: Any) -> str:
    """A context value as a trainer reads it: text quoted, whole floats without .0, None as (not set)."""
    if value is None:
        return "(not set)"
    if isinstance(value, list):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def plain_value(value: Any) -> str:
    """A context value without quotes (pop summaries)."""
    if isinstance(value, str):
        return value
    return render_value(value)


def overflow_details(event: Mapping[str, Any]) -> str:
    """An ``overflowed`` event in words: why the queue overflowed, then what happened."""
    queue = event.get("queue")
    why = f"{queue} is closed" if event.get("when") == "closed" else f"too many waiting in {queue}"
    action = event.get("action")
    if action == "transfer":
        return f"{why}: transferred to {event.get('to')}"
    if action == "end":
        reason = event.get("reason")
        return f"{why}: ended" + (f" ({reason})" if reason else "")
    if action == "assign_anyway":
        return f"{why}: assigned there anyway"
    return f"{why}: {action}"


def event_details(event: Mapping[str, Any]) -> str:
    """One readable line for an event."""
    kind = event.get("event")
    if kind == "classified":
        skills = event.get("skills") or {}
        if not skills:
            return "needs no particular skill (no classification rule matched)"
        needs = ", ".join(f"{name} at {rating} or better" for name, rating in skills.items())
        return f"needs {needs} (rule '{event.get('rule')}')" if event.get("rule") else f"needs {needs}"
    if kind == "routed":
        queue = event.get("queue")
        if queue is None:
            return "no rule matched and the work stream has no default queue"
        if event.get("fallback"):
            return f"{event.get('workstream')} → {queue} (default queue: no rule matched)"
        draw = event.get("draw")
        split = f", a percentage split that drew {draw:.0f} of 100" if isinstance(draw, (int, float)) else ""
        return f"{event.get('workstream')} → {queue} by rule '{event.get('rule')}'{split}"
    if kind == "overflowed":
        return overflow_details(event)
    if kind == "queued":
        reason = event.get("reason")
        if reason == "pick_mode":
            return f"open work item in {event.get('queue')} (pick mode)"
        if reason == "closed":
            return f"waiting in {event.get('queue')} until it opens"
        return f"waiting in {event.get('queue')}: no eligible agent"
    if kind == "offered":
        expires = event.get("expires_at")
        return f"pop until {format_clock(expires)}" if isinstance(expires, (int, float)) else "pop"
    if kind == "accepted":
        return "the agent accepted the pop"
    if kind == "declined":
        reason = event.get("reason")
        return f"the agent declined the pop: {reason}" if reason else "the agent declined the pop"
    if kind == "offer_expired":
        return "nobody answered the pop in time"
    if kind == "assigned":
        via = event.get("via")
        return "opened directly (no pop)" if via == "direct_open" else "picked from the open work items" \
            if via == "pick" else str(via or "")
    if kind == "waiting":
        return "the customer went quiet"
    if kind == "active":
        return "the customer is back"
    if kind == "closed":
        return {"ended": "ended", "auto_close": "auto-closed after inactivity"}.get(event.get("reason"),
                                                                                   str(event.get("reason", "")))
    if kind == "capacity_released":
        reason = _RELEASE_REASONS.get(event.get("reason"), event.get("reason", ""))
        if event.get("profile"):  # a profile-based stream: a slot of the capacity profile, not units
            return f"a {event['profile']} slot back ({reason}); {event.get('free_slots')} free"
        return f"{event.get('units')} units back ({reason}); {event.get('free')} free"
    if kind == "capacity_changed":
        return f"capacity {event.get('capacity')}; {event.get('free')} free"
    if kind == "presence_changed":
        if event.get("reason") == "missed_notification":
            return f"set to {event.get('presence')}: the agent missed a notification"
        return f"{event.get('presence')}"
    if kind == "reconnected":
        agent = event.get("agent")
        return f"the customer came back: to {agent}, the last agent" if agent and event.get("within_window") \
            else "the customer came back: routed again"
    if kind in ("action_rejected", "pick_rejected"):
        action = event.get("action")
        return f"{action}: {event.get('reason')}" if action else str(event.get("reason", ""))
    if "details" in event:
        return str(event["details"])
    skip = {"t", "event", "conversation", "agent"}
    return ", ".join(f"{k}={v}" for k, v in event.items() if k not in skip)


# --------------------------------------------------------------------------- the event log

# Roles as plain ints: comparing ``role`` with ``Qt.ItemDataRole.X`` looks the enum up on every call.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_USER = int(Qt.ItemDataRole.UserRole)
BOLD_EVENTS = frozenset({"offered", "accepted", "declined", "offer_expired", "action_rejected"})


def _cells(event: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    """The five texts of a log row."""
    t = event.get("t")
    return (format_clock(t) if isinstance(t, (int, float)) else "", event_label(str(event.get("event", ""))),
            str(event.get("conversation") or ""), str(event.get("agent") or ""), event_details(event))


class EventLogModel(QAbstractTableModel):
    """The simulator's events, newest last, at most ``max_rows`` of them."""

    COLUMNS = ("Time", "Event", "Conversation", "Agent", "Details")
    TIME, EVENT, CONVERSATION, AGENT, DETAILS = range(5)
    EventRole = Qt.ItemDataRole.UserRole + 1         # the raw event name ("offer_expired")
    ConversationRole = Qt.ItemDataRole.UserRole + 2  # the conversation id, or None
    AgentRole = Qt.ItemDataRole.UserRole + 3
    RecordRole = Qt.ItemDataRole.UserRole + 4        # the event dict
    MAX_ROWS = 5_000

    def __init__(self, parent=None, max_rows: int = MAX_ROWS):
        super().__init__(parent)
        self._rows: list[Mapping[str, Any]] = []
        self._texts: list[tuple | None] = []  # per row, its cells' texts once shown (None: not yet)
        self.max_rows = max(1, max_rows)
        self._colours = {name: QBrush(QColor(colour)) for name, colour in _EVENT_COLOURS.items()}
        self._bold = QFont()
        self._bold.setBold(True)
        self.dropped = 0  # rows dropped from the top since the last clear

    # ------------------------------------------------------------------ Qt API

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY):
        row = index.row()  # -1 for an invalid index
        if row < 0 or row >= len(self._rows):
            return None
        if role == _DISPLAY or role == _TOOLTIP:
            column = index.column()
            if not 0 <= column < 5:
                return None
            if role == _TOOLTIP and column == self.EVENT:
                return str(self._rows[row].get("event", ""))
            texts = self._texts[row]
            if texts is None:
                texts = self._texts[row] = _cells(self._rows[row])
            return texts[column]
        if role == _FOREGROUND:
            return self._colours.get(self._rows[row].get("event"))
        if role == _FONT:
            if index.column() == self.EVENT and self._rows[row].get("event") in BOLD_EVENTS:
                return self._bold
            return None
        if role <= _USER:
            return None
        event = self._rows[row]
        if role == self.EventRole:
            return event.get("event")
        if role == self.ConversationRole:
            return event.get("conversation")
        if role == self.AgentRole:
            return event.get("agent")
        if role == self.RecordRole:
            return dict(event)
        return None

    # ------------------------------------------------------------------ appending

    def append_events(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Add a batch at the end (one insert), first dropping the oldest rows past the cap."""
        if not events:
            return
        batch = list(events[-self.max_rows:])
        self.dropped += len(events) - len(batch)  # a batch longer than the cap keeps its newest rows
        overflow = len(self._rows) + len(batch) - self.max_rows
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            del self._rows[:overflow]
            del self._texts[:overflow]
            self.endRemoveRows()
            self.dropped += overflow
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
        self._rows.extend(batch)
        self._texts.extend([None] * len(batch))
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._texts = []
        self.dropped = 0
        self.endResetModel()

    def event_at(self, row: int) -> Mapping[str, Any] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def events(self) -> list[Mapping[str, Any]]:
        return list(self._rows)

    def find_last(self, event: str, conversation: str | None = None) -> int:
        """The row of the newest ``event`` (of ``conversation``), or -1."""
        for row in range(len(self._rows) - 1, -1, -1):
            record = self._rows[row]
            if record.get("event") == event and (conversation is None or record.get("conversation") == conversation):
                return row
        return -1


# --------------------------------------------------------------------------- the route trace

_SEGMENT = re.compile(r"(all|any)\[(\d+)\]")
_ICONS: dict[bool, QIcon] = {}


def result_icon(ok: bool) -> QIcon:
    """A small green ✓ or red ✗ disc (painted once)."""
    icon = _ICONS.get(ok)
    if icon is None:
        pixmap = QPixmap(14, 14)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#107C10" if ok else "#C50F1F"))
        painter.drawEllipse(QRectF(0.5, 0.5, 13, 13))
        pen = QPen(QColor("#FFFFFF"), 1.8)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        if ok:
            painter.drawPolyline([QPointF(4, 7.2), QPointF(6.2, 9.4), QPointF(10.2, 4.8)])
        else:
            painter.drawLine(QPointF(4.6, 4.6), QPointF(9.4, 9.4))
            painter.drawLine(QPointF(9.4, 4.6), QPointF(4.6, 9.4))
        painter.end()
        icon = _ICONS[ok] = QIcon(pixmap)
    return icon


def condition_text(leaf: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    variable = leaf.get("variable", "?")
    name = labels.get(variable, variable)
    operator = leaf.get("operator", "?")
    label = OPERATOR_LABELS.get(operator, operator)
    if operator in VALUELESS_OPERATORS:
        return f"{name} {label}"
    return f"{name} {label} {render_value(leaf.get('value'))}"


class TraceModel(QStandardItemModel):
    """A routing trace as a tree of rules and condition rows (read-only)."""

    COLUMNS = ("Rule / condition", "Value seen")  # a rule row shows its queue there
    KindRole = Qt.ItemDataRole.UserRole + 1    # "rule", "group", "condition", "fallback", "skipped", "summary"
    MatchedRole = Qt.ItemDataRole.UserRole + 2  # the row's result (bool) where it has one
    RuleRole = Qt.ItemDataRole.UserRole + 3     # the rule name
    OutcomeRole = Qt.ItemDataRole.UserRole + 4  # "Matched", "true", "false" ...

    def __init__(self, parent=None):
        super().__init__(0, len(self.COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(self.COLUMNS))
        self._bold = QFont()
        self._bold.setBold(True)

    def clear_trace(self) -> None:
        self.removeRows(0, self.rowCount())

    def set_trace(self, trace: Sequence[Mapping[str, Any]], *, queue: str | None, rule: str | None,
                  fallback: bool, labels: Mapping[str, str] | None = None,
                  rule_queues: Mapping[str, str] | None = None, skipped: Iterable[str] = ()) -> None:
        """Show ``trace``; ``labels`` maps variable names to display names, ``rule_queues`` rule → queue,
        ``skipped`` names the rules after the match (never evaluated)."""
        labels = labels or {}
        rule_queues = rule_queues or {}
        self.clear_trace()
        root = self.invisibleRootItem()
        for entry in trace:
            name = str(entry.get("rule", "?"))
            matched = bool(entry.get("matched"))
            position = entry.get("position")
            number = f"{position + 1}. " if isinstance(position, int) else ""
            destination = rule_queues.get(name)
            row = self._row(f"{number}{name}", f"→ {destination}" if destination else "",
                            "Matched" if matched else "Not matched", kind="rule", result=matched,
                            rule=name, highlight=GREEN_BG if matched else None, bold=matched,
                            tip="The first rule whose condition is true decides the queue." if matched
                            else "Its condition is false: evaluation goes on with the next rule.")
            if destination:
                row[1].setForeground(QBrush(QColor(GREEN if matched else GREY)))
            root.appendRow(row)
            self._conditions(row[0], entry.get("conditions", []), labels, name)
        if fallback:
            text = "No rule matched: default queue" if queue else "No rule matched and no default queue"
            result = "Used" if queue else "Unrouted"
            root.appendRow(self._row(text, f"→ {queue}" if queue else "", result, kind="fallback", result=True,
                                     highlight=GREEN_BG if queue else RED_BG, bold=True,
                                     tip="No rule matched, so the work stream's default queue is used."))
        skipped = list(skipped)
        if skipped:
            root.appendRow(self._row("Not evaluated: " + ", ".join(skipped), "", "", kind="skipped",
                                     foreground=GREY,
                                     tip="Rules after the matching one are never evaluated."))

    # ------------------------------------------------------------------ building rows

    def _row(self, text: str, seen: str, outcome: str, *, kind: str, result: Any = None,
             rule: str | None = None, highlight: str | None = None, bold: bool = False, foreground: str | None = None,
             tip: str = "") -> list[QStandardItem]:
        """Two cells: the text (with a ✓/✗ icon for its result) and the value seen (or the outcome)."""
        items = [QStandardItem(text), QStandardItem(seen or outcome)]
        for item in items:
            item.setEditable(False)
            item.setData(kind, self.KindRole)
            if result is not None:
                item.setData(bool(result), self.MatchedRole)
            if rule is not None:
                item.setData(rule, self.RuleRole)
            if highlight:
                item.setBackground(QBrush(QColor(highlight)))
            if foreground:
                item.setForeground(QBrush(QColor(foreground)))
            if bold:
                item.setFont(self._bold)
        if result is not None:
            items[0].setIcon(result_icon(bool(result)))
            if not seen:
                items[1].setForeground(QBrush(QColor(GREEN if result else RED)))
        outcome_text = f" — {outcome}" if outcome and seen else ""
        items[0].setToolTip(f"{text}{outcome_text}" + (f"\n{tip}" if tip else ""))
        items[1].setToolTip(f"{seen}: {outcome}" if seen and outcome else tip or seen or outcome)
        items[0].setData(outcome, self.OutcomeRole)
        return items

    def _conditions(self, parent: QStandardItem, conditions: Sequence[Mapping[str, Any]],
                    labels: Mapping[str, str], rule: str) -> None:
        if not conditions:
            parent.appendRow(self._row("(no conditions: always true)", "", "true", kind="condition", result=True,
                                       rule=rule))
            return
        # Rebuild the group structure from the leaf paths ("any[2].all[0]").
        tree: dict = {"kind": None, "children": {}}
        for leaf in conditions:
            node = tree
            segments = _SEGMENT.findall(str(leaf.get("path", "")))
            for depth, (key, index) in enumerate(segments):
                node["kind"] = node["kind"] or key
                index = int(index)
                if depth == len(segments) - 1:
                    node["children"][index] = {"leaf": leaf}
                else:
                    node = node["children"].setdefault(index, {"kind": None, "children": {}})
            if not segments:
                tree["children"][len(tree["children"])] = {"leaf": leaf}
        self._emit_node(parent, tree, labels, rule, top=True)

    def _node_result(self, node: dict) -> bool:
        if "leaf" in node:
            return bool(node["leaf"].get("result"))
        results = [self._node_result(child) for child in node["children"].values()]
        return any(results) if node["kind"] == "any" else all(results)

    def _emit_node(self, parent: QStandardItem, node: dict, labels: Mapping[str, str], rule: str,
                   top: bool = False) -> None:
        if "leaf" in node:
            leaf = node["leaf"]
            result = bool(leaf.get("result"))
            row = self._row(condition_text(leaf, labels), render_value(leaf.get("seen")),
                            "true" if result else "false", kind="condition", result=result, rule=rule,
                            highlight=None if result else RED_BG)
            parent.appendRow(row)
            return
        children = [node["children"][key] for key in sorted(node["children"])]
        if len(children) == 1 and top:
            self._emit_node(parent, children[0], labels, rule)
            return
        if top and node["kind"] == "all":
            for child in children:  # "all" at the top reads naturally as a plain list
                self._emit_node(parent, child, labels, rule)
            return
        result = self._node_result(node)
        label = "Any of these" if node["kind"] == "any" else "All of these"
        row = self._row(label, "", "true" if result else "false", kind="group", result=result, rule=rule)
        parent.appendRow(row)
        for child in children:
            self._emit_node(row[0], child, labels, rule)

    # ------------------------------------------------------------------ reading back (tests, tooltips)

    def rows_of_kind(self, kind: str) -> list[QStandardItem]:
        found: list[QStandardItem] = []

        def walk(item: QStandardItem) -> None:
            for r in range(item.rowCount()):
                child = item.child(r, 0)
                if child.data(self.KindRole) == kind:
                    found.append(child)
                walk(child)
        walk(self.invisibleRootItem())
        return found


__all__ = ["EVENT_LABELS", "EventLogModel", "TraceModel", "condition_text", "event_details", "event_label",
           "plain_value", "render_value"]
