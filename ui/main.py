"""Starting the GUI: ``run(db_url, ...)`` (called by ``wsc gui``) and ``python -m ui.main``.

With ``screenshot=PATH`` the window is laid out at ``size``, showing the asked
view / work stream / tab (or a record dialog), rendered to a PNG and the
function returns without entering the event loop.  Without a display this
switches Qt to the offscreen platform by itself.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from app.errors import UserError

ORGANIZATION = "WorkstreamConsole"
APPLICATION = "Workstream Console"
LAYOUT_PASSES = 6


def parse_size(size: str) -> QSize:
    try:
        width, height = (int(part) for part in size.lower().split("x"))
    except ValueError:
        raise UserError(f"--size must look like 1280x800, not '{size}'") from None
    if not (320 <= width <= 10000 and 240 <= height <= 10000):
        raise UserError(f"--size {size} is out of range (320x240 to 10000x10000)")
    return QSize(width, height)


def _needs_offscreen() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False


def application(screenshot: bool = False) -> QApplication:
    """The QApplication (created once, with the console's names, icon and look)."""
    from ui import style
    from ui.icons import app_icon

    app = QApplication.instance()
    if app is None:
        if screenshot and _needs_offscreen():
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        QCoreApplication.setOrganizationName(ORGANIZATION)
        QCoreApplication.setApplicationName(APPLICATION)
        QApplication.setApplicationDisplayName(APPLICATION)
        app = QApplication(sys.argv[:1])
    style.apply(app)
    app.setWindowIcon(app_icon())
    return app


def _settle(app: QApplication) -> None:
    """Let layouts, polish and deferred events run (no event loop, no sleeps)."""
    for _ in range(LAYOUT_PASSES):
        app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    app.processEvents()


def _fail(parent: QWidget | None, title: str, text: str, quiet: bool) -> int:
    if quiet:
        print(f"wsc: {text}", file=sys.stderr)
    else:
        from ui import messages

        print(f"wsc: {text}", file=sys.stderr)
        messages.error(parent, title, text)
    return 1


def run(db_url: str, *, screenshot: str | None = None, workstream: str | None = None, tab: str | None = None,
        view: str | None = None, size: str = "1280x800", dialog: str | None = None) -> int:
    """Open the console on ``db_url``; returns the exit code.

    ``dialog`` (screenshots only) opens a record dialog over the window:
    ``"agents:Ana Ruiz"`` edits that agent, ``"queues"`` shows a new queue.
    """
    from app.database import open_database
    from app.services import Services
    from ui.main_window import MainWindow

    quiet = screenshot is not None
    app = application(screenshot=quiet)
    try:
        window_size = parse_size(size) if quiet else None
    except UserError as error:
        return _fail(None, "Can't take the screenshot", str(error), quiet)
    try:
        database = open_database(db_url)
    except UserError as error:
        return _fail(None, "Can't open the database", str(error), quiet)
    except Exception as error:  # noqa: BLE001 — a broken file must not crash the app with a traceback
        return _fail(None, "Can't open the database", f"{db_url}: {type(error).__name__}: {error}", quiet)

    window = None
    try:
        services = Services(database)
        window = MainWindow(services, restore_settings=not quiet, remember_settings=not quiet)
        try:
            _show_start(window, view=view, workstream=workstream, tab=tab)
        except UserError as error:
            if quiet:
                return _fail(window, "Can't show that", str(error), quiet)
            _fail(window, "Can't show that", str(error), quiet)
        if quiet:
            window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            window.resize(window_size)
            window.show()
            window.resize(window_size)
            _settle(app)
            panel = window.agent_panel if window.current_view() == "agent-panel" else None
            if panel is not None and hasattr(panel, "screenshot_state"):
                panel.screenshot_state()  # a representative moment: pops ringing, a countdown running
                _settle(app)
            if dialog:
                try:
                    pixmap = _grab_with_dialog(app, window, dialog)
                except UserError as error:
                    return _fail(window, "Can't show that", str(error), quiet)
            else:
                pixmap = window.grab()
            target = Path(screenshot)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not pixmap.save(str(target), "PNG"):
                return _fail(window, "Can't save the screenshot", f"could not write {target}", quiet)
            return 0
        window.show()
        return app.exec()
    finally:
        if window is not None:
            if window.editor is not None:
                window.close_editor(force=True)
            window.close()
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        database.dispose()


def _show_start(window, *, view: str | None, workstream: str | None, tab: str | None) -> None:
    if view:
        window.show_view(view)
    if tab == "agent-panel":
        window.show_view("agent-panel")
        tab = None
    if workstream:
        workstream_id = window.services.workstream_id_by_name(workstream)
        window.open_workstream(workstream_id, tab=tab)
    elif tab:
        raise UserError(f"--tab {tab} needs --workstream NAME (the work stream whose tab to show)")


def _grab_with_dialog(app: QApplication, window, spec: str) -> QPixmap:
    """The window, dimmed, with a record dialog drawn over its centre (for the docs)."""
    view, _, name = spec.partition(":")
    if view not in ("queues", "agents", "presences", "channels"):
        raise UserError(f"no dialog for '{view}'")
    object_id = None
    if name:
        window.show_view(view)
        page = window.lists[view]
        matches = [row for row in page.model.rows if row.name.casefold() == name.casefold()]
        if not matches:
            raise UserError(f"unknown {view[:-1]} '{name}'")
        object_id = matches[0].id
        page.select_id(object_id)
    dialog = window.open_entity(view, object_id)
    if dialog is None:
        raise UserError(f"could not open the {view[:-1]} dialog")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    dialog.adjustSize()
    _settle(app)
    base = window.grab()
    panel = dialog.grab()
    painter = QPainter(base)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(base.rect(), QColor(0, 0, 0, 60))
    ratio = base.devicePixelRatio() or 1.0
    area = QSize(round(base.width() / ratio), round(base.height() / ratio))
    panel_ratio = panel.devicePixelRatio() or 1.0
    size = QSize(round(panel.width() / panel_ratio), round(panel.height() / panel_ratio))
    top_left = QPoint((area.width() - size.width()) // 2, max(24, (area.height() - size.height()) // 2))
    frame = QRect(top_left, size)
    painter.setPen(Qt.PenStyle.NoPen)
    for spread in range(14, 0, -2):  # a soft shadow, a little below the dialog
        painter.setBrush(QColor(0, 0, 0, 7))
        painter.drawRoundedRect(frame.adjusted(-spread, -spread + 4, spread, spread + 4), spread + 4, spread + 4)
    painter.drawPixmap(frame, panel)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QColor("#C8C6C4"))
    painter.drawRect(frame.adjusted(0, 0, -1, -1))
    painter.end()
    dialog.reject()
    return base


def main(argv: list[str] | None = None) -> int:
    """``python -m ui.main [--db PATH] [gui options]``: the same as ``wsc gui``."""
    from app.cli import main as cli_main

    args = list(sys.argv[1:] if argv is None else argv)
    if "gui" not in args:
        # global options (--db/--db-url) come before the command, gui options after it
        head: list[str] = []
        while args and args[0] in ("--db", "--db-url"):
            head += args[:2]
            args = args[2:]
        args = [*head, "gui", *args]
    return cli_main(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
