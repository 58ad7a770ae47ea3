"""The main window's side of a controller (ui/workstreams/controller.py, ui/records/controller.py),
as a fake that records what it was told: the controllers are tested without a MainWindow."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from ui.common.operations import Changes, Operations


class FakeShell(QWidget):
    """What every controller's shell has: services, the status line, the one ``Operations`` (its
    broadcasts kept in ``broadcasts``), the current view, and the errors and refreshes asked for.
    ``keep_view = False``: the window refused to change view (an unsaved editor kept it)."""

    def __init__(self, services, view: str):
        super().__init__()
        self.services = services
        self.status_message = QLabel()
        self.operations = Operations(self, self.set_status)
        self.view = view
        self.keep_view = True
        self.commands_refreshed = 0
        self.errors: list[tuple[str, str]] = []
        self.broadcasts: list[Changes] = []
        self.operations.changed.connect(self.broadcasts.append)

    def current_view(self):
        return self.view

    def set_status(self, text):
        self.status_message.setText(text)

    def refresh_commands(self):
        self.commands_refreshed += 1

    def show_action_error(self, title, error):
        self.errors.append((title, str(error)))
