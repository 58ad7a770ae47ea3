"""What the main window remembers between sessions: its geometry, the view and list filter
showing, and the navigation's width once the user chose it.

A mixin of ``MainWindow`` (like ``ui.shell.file_commands.FileCommands``): it uses the window's
``remember_settings``, ``show_view``, ``set_workstream_filter``/``workstream_filter``,
``current_view``, ``navigation_choice`` and ``set_navigation_collapsed``.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from ui.records.list_models import WORKSTREAM_STATES
from ui.shell.actions import VIEWS

SETTINGS_GEOMETRY = "mainWindow/geometry"
SETTINGS_STATE = "mainWindow/state"
SETTINGS_VIEW = "mainWindow/view"
SETTINGS_WS_FILTER = "mainWindow/workstreamFilter"
SETTINGS_NAV_COLLAPSED = "mainWindow/navigationCollapsed"  # only once the user has chosen


class WindowSettings:
    def settings(self) -> QSettings:
        return QSettings()

    def restore_settings(self) -> None:
        self.restore_geometry()
        self.restore_view()

    def restore_geometry(self) -> None:
        """Size and place the window as it was, and the navigation's chosen width (before it is shown,
        so it does not jump)."""
        settings = self.settings()
        geometry = settings.value(SETTINGS_GEOMETRY)
        if isinstance(geometry, (QByteArray, bytes)):
            self.restoreGeometry(QByteArray(geometry))
        state = settings.value(SETTINGS_STATE)
        if isinstance(state, (QByteArray, bytes)):
            self.restoreState(QByteArray(state))
        collapsed = settings.value(SETTINGS_NAV_COLLAPSED)
        if collapsed in (True, False, "true", "false"):  # a bool, or its text in an INI file
            self.set_navigation_collapsed(collapsed in (True, "true"), chosen=True)

    def restore_view(self) -> None:
        """The list filter and the view that were showing (these need the data)."""
        settings = self.settings()
        ws_filter = settings.value(SETTINGS_WS_FILTER)
        if isinstance(ws_filter, str) and ws_filter in WORKSTREAM_STATES:
            self.set_workstream_filter(ws_filter)
        view = settings.value(SETTINGS_VIEW)
        if isinstance(view, str) and view in {key for key, _label, _icon in VIEWS}:
            self.show_view(view)

    def save_settings(self) -> None:
        if not self.remember_settings:
            return
        settings = self.settings()
        settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        settings.setValue(SETTINGS_STATE, self.saveState())
        settings.setValue(SETTINGS_VIEW, self.current_view())
        settings.setValue(SETTINGS_WS_FILTER, self.workstream_filter())
        if self.navigation_choice is not None:  # never chosen: the window's width keeps deciding
            settings.setValue(SETTINGS_NAV_COLLAPSED, self.navigation_choice)
        settings.sync()
