"""The *Test routing* pane beside a work stream's routing rule items.

Fill in the stream's context variables (typed: a number field refuses
"abc" inline), press **Test**, and see the destination queue and the trace:
every evaluated rule in order, the matching one highlighted green, each
condition row with the value seen and its result, failing rows red.  The pane
routes the editor's *draft* (unsaved edits included) with
``compile_workstream(draft).route(coerce_context(draft, values))``.

When the draft has classification rules the pane also says which one attaches
which skills; when the matched rule is a percentage split it shows the split, the
draw (typed, to replay one, or a new random one per Test) and the queue it chose.

Saved test cases (context → expected queue) live per work stream in the
database (``Services.save_test_case`` ...).  ``set_workstream`` re-runs them,
and ``failingCountChanged(int)`` tells the editor how many fail so it can badge
its tab when an edit breaks one.  Nothing the user types can raise out of the
pane: bad values are shown next to their field, a draft that does not compile
is shown as a message.

``RouteTraceView`` (the trace tree) is shared with the agent panel.
"""
from __future__ import annotations

from ui.common.typed_fields import check_typed_field, repolish

import copy
import random
from typing import Any, Callable, Mapping

from PySide6.QtCore import QEvent, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.common.errors import DocumentInvalid, UserError
from app.routing.router import Classification, RouteResult, classify, coerce_context, compile_workstream, \
    percentage_draw
from app.workstreams.editing import destination_text, skills_text
from ui.common import messages
from ui.panel.panel_models import GREEN, RED, TraceModel, render_value

PANE_QSS = """
QWidget#testRoutingPane { background: #FFFFFF; }
QWidget#testRoutingForm, QWidget#testRoutingBody, QScrollArea#testRoutingScroll { background: #FFFFFF; }
QLabel#paneTitle { font-size: 11pt; font-weight: 600; color: #242424; }
QLabel#paneHint { color: #616161; }
QLabel#fieldError { color: #C50F1F; }
QLineEdit[invalid="true"] { border: 1px solid #C50F1F; border-bottom: 2px solid #C50F1F; }
QLabel#routeResult { border-radius: 6px; padding: 6px 10px; font-weight: 600; }
QLabel#routeResult[outcome="rule"] { color: #0E700E; background: #DFF6DD; border: 1px solid #9FD89F; }
QLabel#routeResult[outcome="fallback"] { color: #115EA3; background: #EBF3FC; border: 1px solid #B4D6FA; }
QLabel#routeResult[outcome="error"] { color: #A4262C; background: #FDE7E9; border: 1px solid #F1BBBC; }
QLabel#splitResult, QLabel#classificationResult { color: #242424; padding: 0 2px; }
QLabel#casesSummary[failing="true"] { color: #C50F1F; font-weight: 600; }
QLabel#casesSummary[failing="false"] { color: #0E700E; }
QLabel#casesSummary[failing="none"] { color: #616161; }
QTreeView#routeTrace { border: 1px solid #E0E0E0; border-radius: 6px; }
"""


class _WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their wrapped text needs in the column's current width (QTreeView alone
    sizes rows for one line, so a long condition would be cut in a narrow side panel)."""

    def __init__(self, view: QTreeView):
        super().__init__(view)
        self._view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        view = self._view
        width = view.header().sectionSize(index.column())
        if index.column() == 0:
            depth = 1
            parent = index.parent()
            while parent.isValid():
                depth += 1
                parent = parent.parent()
            width -= view.indentation() * depth + 20  # the branch, the ✓/✗ icon and its gap
        width = max(40, width - 8)  # the cell's own margins
        text = str(index.data() or "")
        font = index.data(Qt.ItemDataRole.FontRole) or option.font
        rect = QFontMetrics(font).boundingRect(0, 0, width, 10_000, int(Qt.TextFlag.TextWordWrap), text)
        return QSize(hint.width(), max(hint.height(), rect.height() + 4))


class RouteTraceView(QTreeView):
    """A routing trace as a tree (rules → conditions) with matched/failed highlighting."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("routeTrace")
        self.trace_model = TraceModel(self)
        self.setModel(self.trace_model)
        self.setItemDelegate(_WrappingDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setIndentation(14)
        # Traces are short: rows wrap instead of eliding the condition a trainer wants to read.
        self.setUniformRowHeights(False)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.header()
        header.setStretchLastSection(False)
        # Both sized here, not stretched: a stretched "Rule / condition" was cut by the value column in a
        # narrow pane, and "Value seen" sized before the style sheet's bold header font was cut too.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(lambda *_: self.scheduleDelayedItemsLayout())
        self._fit_columns()

    def show_route(self, workstream: Mapping[str, Any], *, trace, queue: str | None, rule: str | None,
                   fallback: bool) -> None:
        """Show a trace of ``workstream``'s rules (a configuration-document work stream)."""
        labels = {v.get("name"): v.get("display_name") or v.get("name")
                  for v in workstream.get("context_variables", []) or [] if isinstance(v, Mapping)}
        rules = [r for r in workstream.get("routing_rules", []) or [] if isinstance(r, Mapping)]
        rule_queues = {str(r.get("name")): destination_text(r) for r in rules}  # a split: "A 60 % · B 40 %"
        evaluated = {str(entry.get("rule")) for entry in trace}
        skipped = [str(r.get("name")) for r in rules if str(r.get("name")) not in evaluated] if not fallback else []
        self.trace_model.set_trace(trace, queue=queue, rule=rule, fallback=fallback, labels=labels,
                                   rule_queues=rule_queues, skipped=skipped)
        self.expandAll()
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Each header whole: the value column as wide as its contents up to 40 % of the view, the rule
        column the rest, neither narrower than its header's text (too narrow a view scrolls sideways)."""
        header = self.header()
        room = self.viewport().width()
        rule_floor, value_floor = header.sectionSizeHint(0), header.sectionSizeHint(1)
        value = self.sizeHintForColumn(1) if self.trace_model.rowCount() else 0
        value = max(value_floor, min(value, int(room * 0.4), room - rule_floor))
        header.resizeSection(1, value)
        header.resizeSection(0, max(rule_floor, room - value))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._fit_columns()  # the header's text measures differently in the new look

    def clear(self) -> None:
        self.trace_model.clear_trace()
        self._fit_columns()


class _SaveCaseDialog(QDialog):
    def __init__(self, parent: QWidget | None, name: str, queues: list[str], current: str | None):
        super().__init__(parent)
        self.setWindowTitle("Save as test case")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit(name)
        self.name_edit.setMaxLength(100)
        form.addRow("Name", self.name_edit)
        self.queue_combo = QComboBox()
        self.queue_combo.addItems(queues)
        if current in queues:
            self.queue_combo.setCurrentText(current)
        form.addRow("Expected queue", self.queue_combo)
        layout.addLayout(form)
        hint = QLabel("The case passes while these values route to the expected queue.")
        hint.setObjectName("paneHint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)


class TestRoutingPane(QWidget):
    """Route sample contexts through a draft work stream; keep them as test cases."""

    __test__ = False  # not a pytest class, whatever its name says

    failingCountChanged = Signal(int)
    routed = Signal(object)  # the RouteResult of the last Test

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("testRoutingPane")
        self.setStyleSheet(PANE_QSS)
        self.services = services
        self._draft: dict = {"name": "", "context_variables": [], "routing_rules": []}
        self._workstream_id: str | None = None
        self._router = None
        self._compile_error: str | None = None
        self._fields: dict[str, QLineEdit] = {}
        self._errors: dict[str, QLabel] = {}
        self._types: dict[str, str] = {}
        self._form_signature: tuple | None = None
        self._cases: list[dict] = []
        self._case_results: dict[str, tuple[bool, str]] = {}
        self._failing = -1
        self._tested = False
        self.last_result: RouteResult | None = None
        self.last_classification: Classification | None = None
        self.draws = random.Random()  # a new draw per Test unless one is typed (tests seed it)
        # Replaced by tests; returns (name, expected queue) or None when cancelled.
        self.ask_case: Callable[[str, list[str], str | None], tuple[str, str] | None] = self._ask_case

        # One scrolling column: form, buttons, result, trace, saved cases (the editor's side panel is narrow).
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.body_scroll = QScrollArea()
        self.body_scroll.setObjectName("testRoutingScroll")
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.body_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(self.body_scroll)
        body = QWidget()
        body.setObjectName("testRoutingBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(6)
        self.body_scroll.setWidget(body)

        title = QLabel("Test routing")
        title.setObjectName("paneTitle")
        layout.addWidget(title)
        hint = QLabel("Route a made-up conversation through these rules (unsaved edits included).")
        hint.setObjectName("paneHint")
        hint.setWordWrap(True)
        layout.addWidget(hint)

        # --- the form, buttons and the result
        self.form_widget = QWidget()
        self.form_widget.setObjectName("testRoutingForm")
        self.form = QFormLayout(self.form_widget)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setVerticalSpacing(4)
        layout.addWidget(self.form_widget)
        self.no_variables = QLabel("This work stream has no context variables: every conversation goes "
                                   "through the same rules.")
        self.no_variables.setObjectName("paneHint")
        self.no_variables.setWordWrap(True)
        self.no_variables.hide()
        layout.addWidget(self.no_variables)
        buttons = QHBoxLayout()
        self.test_button = QPushButton("Test")
        self.test_button.setObjectName("testButton")
        self.test_button.setProperty("role", "primary")
        self.test_button.setToolTip("Route these values through the rules (Enter in a field)")
        self.test_button.clicked.connect(self.run_test)
        buttons.addWidget(self.test_button)
        self.save_case_button = QPushButton("Save as test case…")
        self.save_case_button.setObjectName("saveCaseButton")
        self.save_case_button.clicked.connect(lambda: self.save_as_test_case())
        buttons.addWidget(self.save_case_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        # The split draw: shown while a rule of the draft is a percentage split.
        self.draw_row = QWidget()
        self.draw_row.setObjectName("splitDrawRow")
        draw_layout = QVBoxLayout(self.draw_row)
        draw_layout.setContentsMargins(0, 0, 0, 0)
        draw_layout.setSpacing(2)
        draw_label = QLabel("Split draw (0 to 99.99)")
        self.draw_edit = QLineEdit()
        self.draw_edit.setObjectName("splitDraw")
        self.draw_edit.setClearButtonEnabled(True)
        self.draw_edit.setPlaceholderText("empty: a new random draw each Test")
        self.draw_edit.setToolTip("Type a draw to replay one; a split sends the conversation to the first queue "
                                  "whose running total of percentages is above it")
        draw_label.setBuddy(self.draw_edit)
        self.draw_edit.returnPressed.connect(self.run_test)
        self.draw_edit.textChanged.connect(lambda _t: self._draw_edited())
        self.draw_error = QLabel("")
        self.draw_error.setObjectName("fieldError")
        policy = self.draw_error.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # as the fields' errors: nothing moves when it comes and goes
        self.draw_error.setSizePolicy(policy)
        self.draw_error.hide()
        draw_layout.addWidget(draw_label)
        draw_layout.addWidget(self.draw_edit)
        draw_layout.addWidget(self.draw_error)
        self.draw_row.hide()
        layout.insertWidget(layout.indexOf(self.form_widget) + 2, self.draw_row)
        self.result_label = QLabel("")
        self.result_label.setObjectName("routeResult")
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        layout.addWidget(self.result_label)
        self.split_label = QLabel("")
        self.split_label.setObjectName("splitResult")
        self.split_label.setWordWrap(True)
        self.split_label.hide()
        layout.addWidget(self.split_label)
        self.classification_label = QLabel("")
        self.classification_label.setObjectName("classificationResult")
        self.classification_label.setWordWrap(True)
        self.classification_label.hide()
        layout.addWidget(self.classification_label)

        # --- the trace
        self.trace_view = RouteTraceView()
        self.trace_view.setMinimumHeight(200)
        layout.addWidget(self.trace_view, 1)

        # --- saved cases
        head = QHBoxLayout()
        cases_title = QLabel("Saved test cases")
        cases_title.setObjectName("paneTitle")
        head.addWidget(cases_title)
        head.addStretch(1)
        self.run_all_button = QPushButton("Run all")
        self.run_all_button.setObjectName("runAllButton")
        self.run_all_button.setToolTip("Route every saved case through these rules")
        self.run_all_button.clicked.connect(self.run_all)
        head.addWidget(self.run_all_button)
        layout.addSpacing(4)
        layout.addLayout(head)
        self.cases_summary = QLabel("")
        self.cases_summary.setObjectName("casesSummary")
        self.cases_summary.setWordWrap(True)
        layout.addWidget(self.cases_summary)
        self.case_list = QListWidget()
        self.case_list.setObjectName("testCases")
        self.case_list.setMinimumHeight(110)
        self.case_list.setWordWrap(True)
        self.case_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.case_list.setToolTip("Click a case to load its values and test them")
        self.case_list.itemActivated.connect(self._case_activated)
        self.case_list.itemClicked.connect(self._case_activated)
        self.case_list.currentRowChanged.connect(lambda _r: self._update_buttons())
        layout.addWidget(self.case_list)
        self.delete_case_button = QPushButton("Delete test case")
        self.delete_case_button.setObjectName("deleteCaseButton")
        self.delete_case_button.clicked.connect(self.delete_selected_case)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.delete_case_button)
        layout.addLayout(row)
        self._update_buttons()

    # ------------------------------------------------------------------ the work stream

    def set_workstream(self, draft: Mapping[str, Any] | None, workstream_id: str | None) -> None:
        """Test ``draft`` (the editor's in-memory work stream); its saved cases run again at once."""
        old_values = self.values()
        self._draft = copy.deepcopy(dict(draft or {}))
        id_changed = workstream_id != self._workstream_id
        self._workstream_id = workstream_id
        try:
            self._router = compile_workstream(self._draft)
            self._compile_error = None
        except (UserError, DocumentInvalid) as error:
            self._router, self._compile_error = None, str(error)
        except Exception as error:  # noqa: BLE001 — a half-edited draft must never break the pane
            self._router, self._compile_error = None, f"the rules are incomplete ({type(error).__name__}: {error})"
        if id_changed:
            self._form_signature = None  # another stream: fresh, empty fields
        self._build_form(old_values if not id_changed else {})
        self.draw_row.setVisible(self._has_split())
        self._load_cases()  # every time: another window or the CLI may have changed them
        if self._tested and not id_changed:
            self.run_test()
        else:
            self._tested = False
            self._clear_result()
            if self._compile_error:
                self._show_message(f"Can't test these rules yet: {self._compile_error}")
        self.run_all()

    def _variables(self) -> list[dict]:
        return [v for v in self._draft.get("context_variables", []) or []
                if isinstance(v, Mapping) and isinstance(v.get("name"), str) and v.get("name")]

    def _build_form(self, keep: Mapping[str, str]) -> None:
        signature = tuple((v["name"], v.get("type"), v.get("display_name")) for v in self._variables())
        if signature == self._form_signature:
            return  # same variables: keep the fields (and the focus) as they are
        self._form_signature = signature
        while self.form.rowCount():
            self.form.removeRow(0)
        self._fields.clear()
        self._errors.clear()
        self._types.clear()
        for variable in self._variables():
            name = variable["name"]
            var_type = variable.get("type", "text") if variable.get("type") in ("text", "number") else "text"
            self._types[name] = var_type
            edit = QLineEdit(keep.get(name, ""))
            edit.setObjectName(f"value_{name}")
            edit.setClearButtonEnabled(True)
            edit.setPlaceholderText("a number, or empty for not set" if var_type == "number" else "empty for not set")
            edit.setToolTip(f"{name} ({var_type})")
            edit.textChanged.connect(lambda _t, n=name: self._field_edited(n))
            edit.returnPressed.connect(self.run_test)
            error = QLabel("")
            error.setObjectName("fieldError")
            error.setWordWrap(False)
            # Its line stays reserved while hidden: an error must not push the Test button from under the pointer.
            policy = error.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            error.setSizePolicy(policy)
            error.hide()
            holder = QWidget()
            holder_layout = QVBoxLayout(holder)
            holder_layout.setContentsMargins(0, 0, 0, 0)
            holder_layout.setSpacing(2)
            holder_layout.addWidget(edit)
            holder_layout.addWidget(error)
            label = f"{variable.get('display_name') or name}" + (" (number)" if var_type == "number" else "")
            self.form.addRow(label, holder)
            self._fields[name] = edit
            self._errors[name] = error
            self._check_field(name)
        self.no_variables.setVisible(not self._fields)
        self.form_widget.setVisible(bool(self._fields))
        self._retab()

    def _retab(self) -> None:
        """Tab top to bottom: the fields (rebuilt after everything else), the draw, Test, the cases."""
        chain = [*self._fields.values(), self.draw_edit, self.test_button, self.save_case_button,
                 self.run_all_button, self.case_list, self.delete_case_button]
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)

    def focus_first_field(self) -> None:
        """The keyboard in the first value field (else the split draw, else Test), scrolled into view."""
        candidates = [*self._fields.values(), self.draw_edit, self.test_button]
        first = next(widget for widget in candidates if widget.isVisibleTo(self) or widget is self.test_button)
        self.body_scroll.verticalScrollBar().setValue(0)  # the pane's title too, not only the field
        self.body_scroll.ensureWidgetVisible(first)
        first.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ------------------------------------------------------------------ values

    def values(self) -> dict[str, str]:
        """What is typed, by variable name (empty fields left out)."""
        return {name: edit.text() for name, edit in self._fields.items() if edit.text().strip() != ""}

    def set_values(self, values: Mapping[str, Any]) -> None:
        for name, edit in self._fields.items():
            value = values.get(name)
            edit.setText("" if value is None else
                         (str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)))

    def _field_edited(self, name: str) -> None:
        """A value changed: check it; a result shown for other values no longer stands beside a wrong one."""
        if self._check_field(name) and self.last_result is not None:
            self._clear_result()
            self._update_buttons()

    def _clear_result(self) -> None:
        self.last_result = None
        self.last_classification = None
        for label in (self.result_label, self.split_label, self.classification_label):
            label.hide()
        self.trace_view.clear()

    def _has_split(self) -> bool:
        return any(isinstance(r, Mapping) and r.get("queues") for r in self._draft.get("routing_rules", []) or [])

    def _draw_edited(self) -> None:
        problem = self._draw_problem()
        self.draw_error.setText(problem or "")
        self.draw_error.setVisible(bool(problem))
        self.draw_edit.setProperty("invalid", bool(problem))
        repolish(self.draw_edit)
        if problem and self.last_result is not None:
            self._clear_result()

    def _draw_problem(self) -> str | None:
        text = self.draw_edit.text().strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            return f"'{text}' is not a number."
        if not 0 <= value < 100:
            return "A draw is from 0 up to (not including) 100."
        return None

    def _draw(self) -> float:
        """The typed draw, or a new one (two decimals, so it can be typed back to replay it)."""
        text = self.draw_edit.text().strip()
        return float(text) if text else min(99.99, round(percentage_draw(self.draws), 2))

    def _check_field(self, name: str) -> str | None:
        return check_typed_field(self._fields[name], self._errors[name], name, self._types[name])

    def typed_context(self) -> tuple[dict[str, Any], dict[str, str]]:
        """(typed values, errors by variable) from the form."""
        errors = {}
        for name in self._fields:
            problem = self._check_field(name)
            if problem:
                errors[name] = problem
        if errors:
            return {}, errors
        try:
            return coerce_context(self._draft, self.values()), {}
        except (UserError, KeyError, TypeError) as error:
            return {}, {"": str(error)}

    # ------------------------------------------------------------------ testing

    def run_test(self) -> RouteResult | None:
        """Route the form's values; the result (or None when a value or the draft is wrong)."""
        self._tested = True
        if self._router is None:
            self._show_message(f"Can't test these rules yet: {self._compile_error}")
            self.trace_view.clear()
            self.last_result = None
            return None
        context, errors = self.typed_context()
        if not errors and self.draw_row.isVisible() and self._draw_problem():
            errors = {"": "the split draw"}
        if errors:
            fields = ", ".join(self._label(n) for n in errors if n) or errors.get("", "")
            self._clear_result()
            self._show_message(f"Fix the highlighted value{'s' if len(errors) > 1 else ''} first: {fields}")
            return None
        try:
            result = self._router.route(context, draw=self._draw() if self._has_split() else None)
        except Exception as error:  # noqa: BLE001 — never raise out of the pane
            self._clear_result()
            self._show_message(f"Can't route: {error}")
            return None
        self.last_result = result
        self._show_split(result)
        self._show_classification(context)
        if result.queue is None:
            self._show_result("No rule matched and the work stream has no default queue", "error")
        elif result.fallback:
            self._show_result(f"→ {result.queue}   (default queue: no rule matched)", "fallback")
        else:
            self._show_result(f"→ {result.queue}   by rule “{result.rule}”", "rule")
        self.trace_view.show_route(self._draft, trace=result.trace, queue=result.queue, rule=result.rule,
                                   fallback=result.fallback)
        self._update_buttons()
        self.routed.emit(result)
        return result

    def _show_split(self, result: RouteResult) -> None:
        if not result.targets:
            self.split_label.hide()
            return
        shares = " · ".join(f"{t.queue} {t.percent} %" for t in result.targets)
        draw = "" if result.draw is None else f"{result.draw:.2f}"
        self.split_label.setText(f"Split {shares}: the draw {draw} chose {result.queue}.")
        self.split_label.setToolTip("A split sends a conversation to the first queue whose running total of "
                                    "percentages is above the draw (0 to 99.99)")
        self.split_label.show()

    def _show_classification(self, context: Mapping[str, Any]) -> None:
        """Which classification rule attaches which skills (nothing shown for a stream without rules)."""
        if not self._draft.get("classification_rules"):
            self.last_classification = None
            self.classification_label.hide()
            return
        try:
            found = classify(self._draft, context)
        except Exception as error:  # noqa: BLE001 — a half-edited rule must not break the pane
            self.last_classification = None
            self.classification_label.setText(f"Can't classify yet: {error}")
            self.classification_label.show()
            return
        self.last_classification = found
        if found.rule is None:
            text = "Classification: no rule matched, so no skills are required."
        else:
            text = f"Classified by “{found.rule}”: needs {skills_text(found.skills)}."
        self.classification_label.setText(text)
        self.classification_label.show()

    def _label(self, name: str) -> str:
        for variable in self._variables():
            if variable["name"] == name:
                return variable.get("display_name") or name
        return name

    def _show_result(self, text: str, outcome: str) -> None:
        self.result_label.setText(text)
        self.result_label.setProperty("outcome", outcome)
        repolish(self.result_label)
        self.result_label.show()

    def _show_message(self, text: str) -> None:
        self._show_result(text, "error")

    # ------------------------------------------------------------------ test cases

    @property
    def cases(self) -> list[dict]:
        return list(self._cases)

    @property
    def failing_count(self) -> int:
        return max(0, self._failing)

    def case_result(self, name: str) -> tuple[bool, str] | None:
        return self._case_results.get(name)

    def _load_cases(self) -> None:
        self._cases = []
        if self._workstream_id is not None and self.services is not None:
            try:
                self._cases = self.services.list_test_cases(self._workstream_id)
            except UserError as error:
                self.cases_summary.setText(f"Can't load the test cases: {error}")

    def _queues_for_cases(self) -> list[str]:
        names: list[str] = []
        if self.services is not None:
            try:
                names = list(self.services.names("queues"))
            except Exception:  # noqa: BLE001 — the list is a convenience
                names = []
        rules = [r for r in self._draft.get("routing_rules", []) or [] if isinstance(r, Mapping)]
        split_queues = [share.get("queue") for r in rules for share in r.get("queues") or []
                        if isinstance(share, Mapping)]
        for queue in [self._draft.get("default_queue")] + [r.get("queue") for r in rules] + split_queues:
            if isinstance(queue, str) and queue and queue not in names:
                names.append(queue)
        return names

    def _ask_case(self, default_name: str, queues: list[str], current: str | None) -> tuple[str, str] | None:
        dialog = _SaveCaseDialog(self, default_name, queues, current)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.name_edit.text().strip(), dialog.queue_combo.currentText()

    def save_as_test_case(self, name: str | None = None, expected_queue: str | None = None) -> str | None:
        """Keep the form's values as a case; asks for the name and expected queue when not given."""
        if self._workstream_id is None:
            messages.info(self, "Save the work stream first",
                          "Test cases belong to a saved work stream. Save it, then save the case.")
            return None
        result = self.run_test()
        if result is None:
            return None
        context, _errors = self.typed_context()
        if name is None or expected_queue is None:
            summary = ", ".join(f"{self._label(k)} {render_value(v)}" for k, v in context.items()) or "no values"
            answer = self.ask_case(name or summary[:100], self._queues_for_cases(),
                                   expected_queue or result.queue)
            if answer is None:
                return None
            name, expected_queue = answer
        try:
            case_id = self.services.save_test_case(self._workstream_id, name, context, expected_queue)
        except (UserError, DocumentInvalid) as error:
            messages.error(self, "Can't save the test case", str(error))
            return None
        self._load_cases()
        self.run_all()
        return case_id

    def delete_selected_case(self) -> None:
        item = self.case_list.currentItem()
        if item is None:
            return
        case = item.data(Qt.ItemDataRole.UserRole)
        if not messages.confirm(self, "Delete test case", f"Delete the test case '{case['name']}'?"):
            return
        try:
            self.services.delete_test_case(case["id"])
        except UserError as error:
            messages.error(self, "Can't delete the test case", str(error))
            return
        self._load_cases()
        self.run_all()

    def _run_case(self, case: Mapping[str, Any]) -> tuple[bool, str]:
        if self._router is None:
            return False, f"the rules don't compile: {self._compile_error}"
        try:
            context = coerce_context(self._draft, case.get("context") or {})
        except UserError as error:
            return False, str(error)
        except Exception as error:  # noqa: BLE001
            return False, f"{type(error).__name__}: {error}"
        try:
            result = self._router.route(context)
        except Exception as error:  # noqa: BLE001
            return False, f"can't route: {error}"
        got = result.queue
        expected = case.get("expected_queue")
        if result.targets:  # a split: the draw decides, so a case expecting any of its queues passes
            shares = " · ".join(f"{t.queue} {t.percent} %" for t in result.targets)
            if any(t.queue.casefold() == str(expected or "").casefold() for t in result.targets):
                return True, f"→ split {shares}"
            return False, f"expected {expected}, got the split {shares}"
        if (got or "").casefold() == str(expected or "").casefold():
            return True, f"→ {got}"
        return False, f"expected {expected}, got {got or 'no queue'}"

    def run_all(self) -> int:
        """Run every saved case against the draft; returns (and signals) how many fail."""
        self._case_results = {}
        current = self.case_list.currentRow()
        self.case_list.clear()
        failing = 0
        for case in self._cases:
            passed, detail = self._run_case(case)
            self._case_results[case["name"]] = (passed, detail)
            failing += not passed
            item = QListWidgetItem(f"{'✓' if passed else '✗'}  {case['name']}\n      "
                                   f"{'expects ' + str(case.get('expected_queue')) if passed else detail}")
            item.setForeground(QBrush(QColor(GREEN if passed else RED)))
            values = ", ".join(f"{self._label(k)} {render_value(v)}" for k, v in (case.get("context") or {}).items())
            item.setToolTip(f"{values or 'no values'}\nexpects {case.get('expected_queue')}: {detail}")
            item.setData(Qt.ItemDataRole.UserRole, case)
            self.case_list.addItem(item)
        if 0 <= current < self.case_list.count():
            self.case_list.setCurrentRow(current)
        if self._workstream_id is None:
            self.cases_summary.setText("Save the work stream to keep test cases.")
        elif not self._cases:
            self.cases_summary.setText("No saved cases yet: test some values, then Save as test case.")
        elif failing:
            self.cases_summary.setText(f"{failing} of {len(self._cases)} failing")
        else:
            self.cases_summary.setText(f"All {len(self._cases)} passing")
        flagged = "true" if failing else ("false" if self._cases else "none")  # green only when cases pass
        if self.cases_summary.property("failing") != flagged:
            self.cases_summary.setProperty("failing", flagged)
            repolish(self.cases_summary)
        self._update_buttons()
        if failing != self._failing:
            self._failing = failing
            self.failingCountChanged.emit(failing)
        return failing

    def _case_activated(self, item: QListWidgetItem) -> None:
        case = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(case, Mapping):
            self.set_values(case.get("context") or {})
            self.run_test()

    def _update_buttons(self) -> None:
        saved = self._workstream_id is not None
        self.save_case_button.setEnabled(saved and self._router is not None)
        self.save_case_button.setToolTip("Keep these values and the queue they should reach" if saved
                                         else "Save the work stream first")
        self.run_all_button.setEnabled(bool(self._cases))
        self.delete_case_button.setEnabled(self.case_list.currentItem() is not None)


__all__ = ["PANE_QSS", "RouteTraceView", "TestRoutingPane"]
