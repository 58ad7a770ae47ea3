"""The classification rule dialog: name, the skills it attaches (each with a minimum rating)
and the same condition builder as routing rules."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.common.names import name_key
from app.routing.conditions import render_condition, validate_condition
from app.workstreams.catalogue import DistributionCatalogue
from models.choices import NAME_MAX
from ui.common.icons import icon
from ui.common.widgets import ErrorLabel, apply_editor_style, hint_label
from ui.workstreams.condition_builder import ConditionSection


class SkillRow(QWidget):
    """One required skill: the skill, and the lowest rating (from the skill's own rating model)."""

    changed = Signal()
    removeRequested = Signal(object)

    def __init__(self, catalogue: DistributionCatalogue, parent: QWidget):
        super().__init__(parent)
        self.catalogue = catalogue
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.skill_combo = QComboBox(self)
        self.skill_combo.setObjectName("classificationSkill")
        self.skill_combo.setPlaceholderText("Select a skill")
        for name in catalogue.skills:
            self.skill_combo.addItem(name, name)
        self.skill_combo.setCurrentIndex(-1)
        self.at_least = QLabel("at least", self)
        self.rating_combo = QComboBox(self)
        self.rating_combo.setObjectName("classificationRating")
        self.rating_combo.setPlaceholderText("Rating")
        self.rating_combo.setMinimumContentsLength(8)
        self.remove_button = QPushButton(self)
        self.remove_button.setObjectName("classificationSkillRemove")
        self.remove_button.setIcon(icon("delete"))
        self.remove_button.setProperty("role", "icon")
        self.remove_button.setToolTip("Remove this skill")
        self.remove_button.setAccessibleName("Remove skill")
        layout.addWidget(self.skill_combo, 2)
        layout.addWidget(self.at_least)
        layout.addWidget(self.rating_combo, 1)
        layout.addWidget(self.remove_button)
        self.skill_combo.currentIndexChanged.connect(self._skill_changed)
        self.rating_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self))

    def _skill_changed(self, _index: int) -> None:
        """The ratings are the chosen skill's rating model; a rating that exists there too is kept."""
        kept = self.rating()
        self.rating_combo.blockSignals(True)
        self.rating_combo.clear()
        for value in self.catalogue.ratings(self.skill() or ""):
            self.rating_combo.addItem(value, value)
        self.rating_combo.setCurrentIndex(self.rating_combo.findData(kept) if kept is not None else -1)
        self.rating_combo.blockSignals(False)
        self.changed.emit()

    def set_value(self, skill: str, rating: str) -> None:
        index = self.skill_combo.findData(skill)
        if index < 0:  # a skill the catalogue lacks (renamed elsewhere): still shown, flagged by validation
            self.skill_combo.addItem(skill, skill)
            index = self.skill_combo.count() - 1
        self.skill_combo.setCurrentIndex(index)
        at = self.rating_combo.findData(rating)
        if at < 0:
            self.rating_combo.addItem(rating, rating)
            at = self.rating_combo.count() - 1
        self.rating_combo.setCurrentIndex(at)

    def skill(self) -> str | None:
        return self.skill_combo.currentData()

    def rating(self) -> str | None:
        return self.rating_combo.currentData()


class ClassificationRuleDialog(QDialog):
    """Create (``rule`` None) or edit a classification rule of a stream with ``variables``."""

    def __init__(self, catalogue: DistributionCatalogue, variables: list[dict], rule: dict | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.catalogue = catalogue
        self._original = dict(rule) if rule else None
        self._variables = [dict(v) for v in variables]
        self._labels = {v["name"]: v.get("display_name") or v["name"] for v in variables}
        self._touched: set[str] = set()
        self.skill_rows: list[SkillRow] = []
        self.setObjectName("classificationRuleEditor")
        self.setWindowTitle("New classification rule" if rule is None else f"Edit classification rule - {rule['name']}")
        self.resize(820, 640)
        self.setMinimumSize(640, 480)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("classificationName")
        self.name_edit.setPlaceholderText("Required")
        self.name_error = ErrorLabel(self)
        self.name_error.setObjectName("classificationNameError")
        form.addRow("Name", self.name_edit)
        form.addRow("", self.name_error)
        skills_box = QWidget(self)
        skills_layout = QVBoxLayout(skills_box)
        skills_layout.setContentsMargins(0, 0, 0, 0)
        skills_layout.setSpacing(6)
        self._skills_layout = QVBoxLayout()
        self._skills_layout.setSpacing(6)
        skills_layout.addLayout(self._skills_layout)
        self.add_skill_button = QPushButton("Add skill", self)
        self.add_skill_button.setObjectName("classificationAddSkill")
        self.add_skill_button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.add_skill_button.clicked.connect(lambda: self.add_skill_row(focus=True))
        adder = QHBoxLayout()
        adder.addWidget(self.add_skill_button)
        adder.addStretch(1)
        skills_layout.addLayout(adder)
        if not catalogue.skills:
            skills_layout.addWidget(hint_label("There are no skills yet: add them in the Skills view first.", self))
            self.add_skill_button.setEnabled(False)
        self.skills_error = ErrorLabel(self)
        self.skills_error.setObjectName("classificationSkillsError")
        form.addRow("Required skills", skills_box)
        form.addRow("", self.skills_error)
        layout.addLayout(form)

        condition = ConditionSection(self, layout, self._variables, rule.get("condition") if rule else None,
                                     "The rule attaches its skills to a conversation when this is true.")
        self.builder, self.preview_label, self.condition_error = condition.builder, condition.preview, condition.error
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        if rule is not None:
            self.name_edit.setText(rule.get("name", ""))
            for skill, rating in (rule.get("skills") or {}).items():
                self.add_skill_row().set_value(skill, rating)
        elif catalogue.skills:
            self.add_skill_row()
        self.name_edit.textChanged.connect(lambda _t: self._touch("name"))
        self.builder.changed.connect(self._condition_changed)
        self._check()
        self._condition_changed()
        apply_editor_style(self)

    # -------------------------------------------------------------- skills
    def add_skill_row(self, focus: bool = False) -> SkillRow:
        row = SkillRow(self.catalogue, self)
        row.changed.connect(lambda: self._touch("skills"))
        row.removeRequested.connect(self._remove_skill_row)
        self._skills_layout.addWidget(row)
        # A row made after the dialog's other widgets: Tab still reaches it in place, before Add skill.
        anchor = self.skill_rows[-1].remove_button if self.skill_rows else self.name_edit
        for before, after in ((anchor, row.skill_combo), (row.skill_combo, row.rating_combo),
                              (row.rating_combo, row.remove_button)):
            QWidget.setTabOrder(before, after)
        self.skill_rows.append(row)
        if focus:
            row.skill_combo.setFocus(Qt.FocusReason.OtherFocusReason)
        self._check()
        return row

    def _remove_skill_row(self, row: SkillRow) -> None:
        at = self.skill_rows.index(row)
        self.skill_rows.remove(row)
        row.hide()
        row.deleteLater()
        self._touch("skills")
        if self.skill_rows:
            self.skill_rows[min(at, len(self.skill_rows) - 1)].skill_combo.setFocus()
        else:
            self.add_skill_button.setFocus()

    # -------------------------------------------------------------- checks
    def _touch(self, what: str) -> None:
        self._touched.add(what)
        self._check()

    def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        name = self.name_edit.text().strip()
        if not name:
            problems["name"] = "Enter a name for the rule."
        elif len(name) > NAME_MAX:
            problems["name"] = f"A name has at most {NAME_MAX} characters (this one has {len(name)})."
        seen: set[str] = set()
        for row in self.skill_rows:
            if row.skill() is None:
                problems.setdefault("skills", "Choose a skill in every row.")
            elif row.rating() is None:
                problems.setdefault("skills", f"Choose the lowest rating in '{row.skill()}' that qualifies.")
            elif name_key(row.skill()) in seen:
                problems.setdefault("skills", f"Skill '{row.skill()}' is listed twice.")
            else:
                seen.add(name_key(row.skill()))
        if not self.skill_rows:
            problems["skills"] = "Add at least one skill: the rule attaches skills to a conversation."
        return problems

    def _check(self, reveal: bool = False) -> dict[str, str]:
        problems = self.problems()
        shown = self._touched | ({"name", "skills"} if reveal else set())
        self.name_error.show_message(problems.get("name") if "name" in shown else None)
        self.skills_error.show_message(problems.get("skills") if "skills" in shown else None)
        return problems

    def _condition_changed(self) -> None:
        text = render_condition(self.builder.condition(), self._labels) if not self.builder.problems() else "…"
        self.preview_label.setText(f"Reads: {text}")
        self.condition_error.show_message(None)

    # -------------------------------------------------------------- result
    def rule(self) -> dict:
        result = dict(self._original or {})
        result.update(name=self.name_edit.text().strip(), condition=self.builder.condition(),
                      skills={row.skill(): row.rating() for row in self.skill_rows if row.skill() and row.rating()})
        return result

    def accept(self) -> None:  # noqa: D102
        problems = self._check(reveal=True)
        if "name" in problems:
            self.name_edit.setFocus()
            return
        if "skills" in problems:
            bad = next((r for r in self.skill_rows if r.skill() is None or r.rating() is None), None)
            (bad.skill_combo if bad and bad.skill() is None else bad.rating_combo if bad
             else self.add_skill_button).setFocus()
            return
        bad_row = self.builder.reveal_problems()
        if bad_row is not None:
            self.condition_error.show_message("Fix the condition rows marked in red.")
            (bad_row.value_edit if bad_row.value_edit.isVisible() else bad_row.variable_combo).setFocus()
            return
        types = {v["name"]: v.get("type", "text") for v in self._variables}
        issues = [str(i) for i in validate_condition(self.builder.condition(), types)]
        if issues:
            self.condition_error.show_message("; ".join(issues))
            return
        super().accept()


def focusable_before(widget: QWidget) -> QWidget:
    """The widget Tab reaches just before ``widget`` (a container there would stand for its last child)."""
    before = widget.previousInFocusChain()
    while before is not widget and not (before.focusPolicy() & Qt.FocusPolicy.TabFocus and not before.findChildren(QWidget)):
        before = before.previousInFocusChain()
    return before
