"""The doctor's note under the Routing rule items table: rules that never fire, and why.

``attach_rule_marks(editor, layout)`` adds a ``RuleMarks`` label to the rules
tab (one line in ui/workstreams/editor.py).  It re-checks the draft whenever
the rules or variables change: "Rule 3 'X' never fires: every conversation it
matches goes to rule 2 first. Try country = "fr" in Test routing."  Clicking a
rule in the note selects it in the table.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel
from PySide6.QtWidgets import QBoxLayout, QLabel, QWidget

from app.doctor import findings_for_workstream
from app.doctor.findings import Finding
from ui.doctor.view import witness_text

# The rule findings worth a mark in the editor (the rest live in the Doctor window).
MARKED_CODES = ("rule-shadowed", "rule-unsatisfiable", "rule-duplicate", "rule-always-true", "rule-possibly-shadowed")
MAX_LINES = 4


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rule_marks(stream: dict) -> dict[int, list[Finding]]:
    """Rule index -> the marked findings of a work stream draft (no queues needed)."""
    name = stream.get("name") or "(new)"
    draft = dict(stream, name=name)
    by_rule = findings_for_workstream({"workstreams": [draft]}, name).rules
    marks = {}
    for index, found in by_rule.items():
        kept = [f for f in found if f.code in MARKED_CODES]
        if kept:
            marks[index] = kept
    return marks


def _without_stream(message: str) -> str:
    """A finding's message without its leading "'Stream': " (the editor shows one stream)."""
    head, separator, rest = message.partition("': ")
    return rest if separator and head.startswith("'") else message


class RuleMarks(QLabel):
    def __init__(self, editor: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("doctorRuleMarks")
        self.setWordWrap(True)
        self.setProperty("role", "hint")
        self.setOpenExternalLinks(False)
        self.linkActivated.connect(self._select_rule)
        self.editor = editor
        self.marks: dict[int, list[Finding]] = {}
        models: list[QAbstractItemModel] = [editor.rules_model, editor.variables_model]
        for model in models:
            for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.rowsMoved,
                           model.dataChanged, model.layoutChanged):
                signal.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        try:
            self.marks = rule_marks(self.editor.draft())
        except Exception:  # noqa: BLE001 - a half-typed draft must never break the editor
            self.marks = {}
        lines = []
        draft = self.editor.draft()
        rules = draft.get("routing_rules", [])
        labels = {v.get("name"): v.get("display_name") or v.get("name") for v in draft.get("context_variables", [])}
        for index in sorted(self.marks)[:MAX_LINES]:
            finding = self.marks[index][0]
            label = f"rule {index + 1} '{rules[index].get('name', '')}'" if index < len(rules) else ""
            text = _without_stream(finding.message)
            if label and text.startswith(label):
                text = text[len(label):]
            text = _escape(text)
            if finding.witness is not None and finding.code != "rule-always-true":
                text = text.rstrip(".") + f". Try {_escape(witness_text(finding.witness, labels))} in Test routing."
            shown = label[:1].upper() + label[1:] if label else f"Rule {index + 1}"
            lines.append(f"⚠ <a href='{index}'>{_escape(shown)}</a>{text}")
        if len(self.marks) > MAX_LINES:
            lines.append(f"… and {len(self.marks) - MAX_LINES} more (View ▸ Configuration doctor)")
        self.setText("<br>".join(lines))
        self.setVisible(bool(lines))

    def _select_rule(self, link: str) -> None:
        view = self.editor.rules_view
        index = view.model().index(int(link), 0)
        if index.isValid():
            view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            view.scrollTo(index)
            view.setFocus()


def attach_rule_marks(editor: QWidget, layout: QBoxLayout) -> RuleMarks:
    marks = RuleMarks(editor)
    layout.addWidget(marks)
    return marks
