"""Quick create / edit of a context variable: Display Name, Name, Type.

For a new variable the Name follows the Display Name as it is typed
(app.workstreams.editing.suggest_variable_name) until the user edits the Name by hand.
Save stays disabled while anything is invalid; each problem shows under its field.
"""
from __future__ import annotations

import re
from typing import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.workstreams.editing import suggest_variable_name
from models.choices import NAME_MAX, VARIABLE_NAME_PATTERN, VARIABLE_TYPE_LABELS, VARIABLE_TYPES
from ui.common import messages
from ui.common.widgets import ErrorLabel, apply_editor_style, hint_label

_NAME_RE = re.compile(VARIABLE_NAME_PATTERN)


def name_problem(name: str, taken: Iterable[str]) -> str | None:
    """Why ``name`` cannot be a variable's Name (None when it can)."""
    if not name:
        return "Enter a name."
    if len(name) > NAME_MAX:
        return f"A name has at most {NAME_MAX} characters (this one has {len(name)})."
    if not _NAME_RE.match(name):
        if name[0].isdigit():
            return "A name cannot start with a digit."
        return "Use only letters, digits and underscores (no spaces or symbols)."
    if name.casefold() in {t.casefold() for t in taken}:
        return f"This work stream already has a variable named '{name}'."
    return None


def display_name_problem(display_name: str) -> str | None:
    if not display_name.strip():
        return "Enter a display name."
    if len(display_name) > NAME_MAX:
        return f"A display name has at most {NAME_MAX} characters (this one has {len(display_name)})."
    return None


class VariableDialog(QDialog):
    """``variable`` None creates; ``taken`` are the other variables' names;
    ``used_by`` names the rules that read this variable (its type is then locked)."""

    def __init__(self, taken: Iterable[str], variable: dict | None = None, used_by: Iterable[str] = (),
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._taken = [t for t in taken]
        self._original = dict(variable) if variable else None
        self._used_by = list(used_by)
        self._following = variable is None
        self._touched: set[str] = set()
        self.setObjectName("variableDialog")
        self.setWindowTitle("New context variable" if variable is None else "Edit context variable")
        self.setMinimumWidth(460)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(hint_label("A context variable carries a value from the conversation "
                                    "(a pre-chat answer, a CRM field) for routing rules to compare."))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.display_name_edit = QLineEdit(self)
        self.display_name_edit.setObjectName("displayName")
        self.display_name_edit.setPlaceholderText("e.g. Customer tier")
        self.display_name_error = ErrorLabel(self)
        self.display_name_error.setObjectName("displayNameError")
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("variableName")
        self.name_edit.setPlaceholderText("filled in from the display name")
        self.name_edit.setToolTip("Letters, digits and underscores; not starting with a digit. "
                                  "Routing rules and the channel refer to the variable by this name.")
        self.name_error = ErrorLabel(self)
        self.name_error.setObjectName("nameError")
        # Said when the suggested Name had to differ from the Display Name's (another variable has it).
        self.name_note = hint_label("", self)
        self.name_note.setObjectName("nameNote")
        self.name_note.setWordWrap(True)
        self.name_note.hide()
        self.type_combo = QComboBox(self)
        self.type_combo.setObjectName("variableType")
        for value in VARIABLE_TYPES:
            self.type_combo.addItem(VARIABLE_TYPE_LABELS[value], value)
        self.type_note = hint_label("", self)
        self.type_note.setObjectName("typeNote")
        form.addRow("Display name", self.display_name_edit)
        form.addRow("", self.display_name_error)
        form.addRow("Name", self.name_edit)
        form.addRow("", self.name_error)
        form.addRow("", self.name_note)
        form.addRow("Type", self.type_combo)
        form.addRow("", self.type_note)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        if variable is not None:
            self.display_name_edit.setText(variable.get("display_name", ""))
            self.name_edit.setText(variable.get("name", ""))
            self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(variable.get("type", "text"))))
        if self._used_by:
            self.type_note.setText("Used by " + _rule_list(self._used_by) + "; its type cannot change "
                                   "while rules compare it. Renaming it updates those rules.")
        self.type_note.setVisible(bool(self._used_by))

        self.display_name_edit.textChanged.connect(self._display_name_changed)
        self.name_edit.textEdited.connect(self._name_edited)
        self.name_edit.textChanged.connect(lambda _t: self._validate())
        self.type_combo.currentIndexChanged.connect(lambda _i: self._validate())
        self._validate()
        apply_editor_style(self)

    # -------------------------------------------------------------- behaviour
    def is_following(self) -> bool:
        """True while the Name is still filled in from the Display Name."""
        return self._following

    def _display_name_changed(self, text: str) -> None:
        self._touched.add("display_name")
        if self._following:
            self.name_edit.setText(suggest_variable_name(text, self._taken))
        self._validate()

    def _name_edited(self, _text: str) -> None:
        # Typed by the user (setText does not emit textEdited): stop following.
        self._following = False
        self._touched.add("name")

    def _validate(self) -> bool:
        display_problem = display_name_problem(self.display_name_edit.text())
        name_problem_ = name_problem(self.name_edit.text(), self._taken)
        show_display = "display_name" in self._touched
        show_name = "name" in self._touched or ("display_name" in self._touched and bool(self.name_edit.text()))
        if not self.name_edit.text() and "display_name" in self._touched and self.display_name_edit.text().strip():
            name_problem_ = "The display name has no letters or digits to make a name from; type a name."
            show_name = True
        self.display_name_error.show_message(display_problem if show_display else None)
        self.name_error.show_message(name_problem_ if show_name else None)
        plain = suggest_variable_name(self.display_name_edit.text())
        clash = next((t for t in self._taken if t.casefold() == plain.casefold()), None) if plain else None
        if self._following and clash and self.name_edit.text() != plain:
            self.name_note.setText(f"'{clash}' is another variable's name, so this one is "
                                   f"'{self.name_edit.text()}'. Type another name if you prefer.")
            self.name_note.show()
        else:
            self.name_note.hide()
        ok = display_problem is None and name_problem_ is None
        self.save_button.setEnabled(ok)
        if self.isVisible() and self.height() < self.sizeHint().height():
            self.resize(self.width(), self.sizeHint().height())  # a message is never cut off at the bottom
        return ok

    def value(self) -> dict:
        result = dict(self._original or {})
        result.update(display_name=self.display_name_edit.text().strip(), name=self.name_edit.text(),
                      type=self.type_combo.currentData())
        return result

    def accept(self) -> None:  # noqa: D102
        self._touched.update({"display_name", "name"})
        if not self._validate():
            return
        if self._original is not None and self._used_by \
                and self.type_combo.currentData() != self._original.get("type", "text"):
            messages.error(self, "Type cannot change",
                           f"'{self._original.get('display_name')}' is compared by {_rule_list(self._used_by)}, "
                           f"so its type cannot change. Change or delete those rules first.")
            self.type_combo.setCurrentIndex(self.type_combo.findData(self._original.get("type", "text")))
            return
        super().accept()


def _rule_list(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names[:5]]
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return ("rule " if len(names) == 1 else "rules ") + ", ".join(quoted) + more
