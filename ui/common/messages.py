"""The one module that shows message boxes, so tests can answer them.

Tests replace ``ui.common.messages.responder`` (a callable taking the kind, title and
text and returning the button chosen) instead of clicking real dialogs.
"""
from __future__ import annotations

import logging

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

# QMessageBox is imported where a box is shown: its type (and its enums) cost the first
# window's start-up a millisecond or two, and most sessions never show one.

SAVE, DISCARD, CANCEL, YES, NO, OK = "save", "discard", "cancel", "yes", "no", "ok"

# kind, title, text -> answer; None means "show a real dialog".
responder: Callable[[str, str, str], str] | None = None


def _ask(parent: QWidget | None, kind: str, title: str, text: str, buttons: list[tuple[str, str]], default: str,
         informative: str = "") -> str:
    """``buttons``: (answer, the name of its QMessageBox.StandardButton), in order."""
    if responder is not None:
        return responder(kind, title, text)
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    box.setIcon({"error": QMessageBox.Icon.Critical, "warning": QMessageBox.Icon.Warning,
                 "question": QMessageBox.Icon.Question}.get(kind, QMessageBox.Icon.Information))
    mapping = {}
    for answer, standard in buttons:
        mapping[box.addButton(getattr(QMessageBox.StandardButton, standard))] = answer
    box.setDefaultButton(next(b for b, a in mapping.items() if a == default))
    box.exec()
    return mapping.get(box.clickedButton(), CANCEL)


def info(parent: QWidget | None, title: str, text: str, informative: str = "") -> None:
    _ask(parent, "info", title, text, [(OK, "Ok")], OK, informative)


def error(parent: QWidget | None, title: str, text: str, informative: str = "") -> None:
    logging.getLogger(__name__).error("%s: %s %s", title, text, informative)
    _ask(parent, "error", title, text, [(OK, "Ok")], OK, informative)


def confirm(parent: QWidget | None, title: str, text: str, informative: str = "") -> bool:
    """Yes/No, defaulting to No (for destructive actions)."""
    return _ask(parent, "question", title, text,
                [(YES, "Yes"), (NO, "No")], NO, informative) == YES


def save_discard_cancel(parent: QWidget | None, title: str, text: str) -> str:
    """The unsaved-changes guard: returns SAVE, DISCARD or CANCEL."""
    return _ask(parent, "question", title, text,
                [(SAVE, "Save"), (DISCARD, "Discard"), (CANCEL, "Cancel")], SAVE)


def conflict(parent: QWidget | None, title: str, text: str, informative: str = "",
             mine: dict | None = None, theirs: dict | None = None) -> str:
    """Someone else saved first: 'mine' (overwrite), 'theirs' (reload) or CANCEL.

    Given both versions (``mine``: the unsaved edit, ``theirs``: what is saved now),
    shows them side by side, field by field (ui.common.conflict_dialog.ConflictDialog);
    without them, a message box with the same three answers.
    """
    if responder is not None:
        return responder("conflict", title, text)
    if mine is not None and theirs is not None:
        from ui.common.conflict_dialog import ConflictDialog

        dialog = ConflictDialog(parent, title, mine, theirs, text=text, informative=informative)
        dialog.exec()
        return dialog.choice
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setText(text)
    box.setInformativeText(informative)
    mine_button = box.addButton("Keep mine", QMessageBox.ButtonRole.AcceptRole)
    theirs_button = box.addButton("Take theirs", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return {mine_button: "mine", theirs_button: "theirs"}.get(box.clickedButton(), CANCEL)


def sentence(text: str) -> str:
    """One line of text as a sentence: spaces folded, a capital first, a full stop last."""
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
