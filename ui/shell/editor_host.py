"""The editor page: a breadcrumb ('Work streams › Chat - Support *') over the work stream editor."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from ui.common.icons import icon


class EditorHost(QWidget):
    """The editor page: a breadcrumb ('Work streams › Chat - Support *') over the editor."""

    backRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.editor: QWidget | None = None
        self._title = ""
        self._dirty = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        crumb = QWidget()
        crumb.setObjectName("breadcrumb")
        crumb.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        crumb_layout = QHBoxLayout(crumb)
        crumb_layout.setContentsMargins(16, 8, 24, 8)
        crumb_layout.setSpacing(4)
        self.back_button = QToolButton()
        self.back_button.setObjectName("breadcrumbBack")
        self.back_button.setText("Work streams")
        self.back_button.setIcon(icon("back"))
        self.back_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.back_button.setToolTip("Back to the list of work streams")
        self.back_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.back_button.clicked.connect(self.backRequested)
        crumb_layout.addWidget(self.back_button)
        separator = QLabel("›")
        separator.setProperty("role", "crumbSeparator")
        crumb_layout.addWidget(separator)
        self.crumb_label = QLabel()
        self.crumb_label.setProperty("role", "crumb")
        crumb_layout.addWidget(self.crumb_label)
        crumb_layout.addStretch(1)
        layout.addWidget(crumb)
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.body, 1)

    def set_editor(self, editor: QWidget, title: str) -> None:
        self.editor = editor
        self.body.addWidget(editor)
        self._dirty = False
        self.set_title(title)

    def take_editor(self) -> QWidget | None:
        editor, self.editor = self.editor, None
        if editor is not None:
            self.body.removeWidget(editor)
        return editor

    def set_title(self, title: str) -> None:
        self._title = title.rstrip("*").rstrip() or "New work stream"
        self._show()

    def set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self._show()

    def title(self) -> str:
        return self.crumb_label.text()

    def _show(self) -> None:
        self.crumb_label.setText(self._title + (" *" if self._dirty else ""))
