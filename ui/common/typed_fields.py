"""A line edit holding a value for a typed context variable, checked as the user types."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from app.common.errors import UserError
from app.routing.router import coerce_value


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property (``invalid``) changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def check_typed_field(edit: QLineEdit, label: QLabel, name: str, var_type: str) -> str | None:
    """Mark ``edit`` invalid and show why in ``label``; the problem, or None (empty = not set)."""
    problem = None
    if edit.text().strip():
        try:
            coerce_value(name, edit.text(), var_type)
        except UserError as error:
            problem = str(error).split(": ", 1)[-1]
    invalid = problem is not None
    if edit.property("invalid") != invalid:
        edit.setProperty("invalid", invalid)
        repolish(edit)
    label.setText(problem or "")
    label.setVisible(invalid)
    return problem
