"""Starting the GUI: ``run(db_url, ...)`` (called by ``wsc gui``) and ``python -m ui.shell.startup``.

With ``screenshot=PATH`` the window is laid out at ``size``, showing the asked
view / work stream / tab (or a record dialog), rendered to a PNG and the
function returns without entering the event loop.  Without a display this
switches Qt to the offscreen platform by itself.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from app.common.errors import UserError

if TYPE_CHECKING:
    from PySide6.QtGui import QPixmap

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


# What Qt's xcb platform plugin loads (soname -> the Debian/Ubuntu package that has it).  A desktop
# without them aborts in QApplication() with "Could not load the Qt platform plugin "xcb"".
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def platform_is_xcb(screenshot: bool = False, environ=None, platform: str | None = None) -> bool:
    """Whether QApplication will load the xcb plugin: Linux, with no QT_QPA_PLATFORM or =xcb (and not
    a screenshot that switches to offscreen by itself)."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(":", 1)[0] == "xcb"
    if screenshot and not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        return False  # application() picks offscreen
    return True


def installed_libraries(environ=None) -> set[str] | None:
    """The shared libraries the dynamic loader finds (``ldconfig -p`` and LD_LIBRARY_PATH), by soname;
    None when that can't be told (no ldconfig): then nothing is reported missing."""
    import shutil
    import subprocess

    environ = os.environ if environ is None else environ
    found: set[str] = set()
    ldconfig = shutil.which("ldconfig") or next(
        (p for p in ("/sbin/ldconfig", "/usr/sbin/ldconfig") if os.path.exists(p)), None)
    if ldconfig is None:
        return None
    try:
        listing = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in listing.splitlines()[1:]:
        name = line.strip().split(" ", 1)[0]
        if name:
            found.add(name)
    for folder in filter(None, environ.get("LD_LIBRARY_PATH", "").split(os.pathsep)):
        try:
            found.update(os.listdir(folder))
        except OSError:
            pass
    return found or None


def missing_xcb_libraries(installed: set[str] | None) -> list[str]:
    """The sonames of ``XCB_LIBRARIES`` not in ``installed`` (none when it is unknown)."""
    if installed is None:
        return []
    return [name for name in XCB_LIBRARIES if name not in installed]


def xcb_problem(screenshot: bool = False) -> str | None:
    """One line naming the missing xcb libraries and the command that installs them, or None."""
    if not platform_is_xcb(screenshot):
        return None
    missing = missing_xcb_libraries(installed_libraries())
    if not missing:
        return None
    packages = " ".join(XCB_LIBRARIES[name] for name in missing)
    return (f"Qt can't open windows here: missing {', '.join(missing)}; "
            f"install them with: sudo apt-get install {packages}")


def application(screenshot: bool = False, *, stylesheet: bool = True) -> QApplication:
    """The QApplication (created once, with the console's names, icon and look).

    ``stylesheet=False``: the caller sets the style sheet itself, once its first
    window is built (``ui.common.style.apply_stylesheet``; see ``ui.common.style.apply``).
    """
    from ui.common import style
    from ui.common.icons import app_icon

    app = QApplication.instance()
    if app is None:
        if screenshot and _needs_offscreen():
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        QCoreApplication.setOrganizationName(ORGANIZATION)
        QCoreApplication.setApplicationName(APPLICATION)
        QApplication.setApplicationDisplayName(APPLICATION)
        # The style by name on the command line: setStyle() would hand Python a QStyle (see ui.common.style).
        app = QApplication([*sys.argv[:1], "-style", style.STYLE_NAME])
        made_here = True
    else:
        made_here = False
    style.apply(app, with_stylesheet=stylesheet, set_style=not made_here)
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
        from ui.common import messages

        print(f"wsc: {text}", file=sys.stderr)
        messages.error(parent, title, text)
    return 1


def database_label(db_url: str) -> str:
    """What the window calls the database before it is open (no SQLAlchemy, no password)."""
    if db_url.startswith("sqlite"):
        path = db_url.split("///", 1)[-1].split("?", 1)[0]
        return Path(path).name or "in-memory database"
    return db_url.rsplit("@", 1)[-1]


def open_services(db_url: str, progress=None):
    """Open (and if needed migrate) the database; its ``Services``.  Runs off the GUI thread.
    ``progress(step, done, total)`` hears each stage (creating, migrating, seeding)."""
    from app.config.opening import open_database
    from app.services.core import Services

    def stage(text: str) -> None:
        if progress is not None:
            try:
                progress(text, 0, 0)
            except Exception:  # noqa: BLE001 — a stage note must never abort an open half-way
                pass

    database = open_database(db_url, progress=stage)
    try:
        return Services(database)
    except BaseException:
        database.dispose()
        raise


def open_failure_text(db_url: str, error: BaseException) -> str:
    if isinstance(error, UserError):
        return str(error)
    from app.store.database import safe_url  # imported by the failed open already

    return f"{safe_url(db_url)}: {type(error).__name__}: {error}"


class Startup:
    """The interactive start: the window shell is shown at once, the database opens behind it.

    Importing SQLAlchemy and opening (or migrating, after a backup) the database
    takes most of a second, longer on a big migration; showing the window first
    means the user sees it at once, with "Opening the database…" where the lists
    will be.  The worker thread starts once the window has painted (or after
    ``OPEN_FALLBACK_MS`` if it never paints, e.g. started minimised), so it
    does not compete with the first paint for the interpreter.  ``task`` is the
    opening task (None until started); ``opened`` is emitted when it has
    finished either way: the lists are filled, or the failure was shown and
    the application told to exit with status 1.
    """

    OPEN_FALLBACK_MS = 250

    def __init__(self, db_url: str, *, restore_settings: bool = True, remember_settings: bool = True,
                 view: str | None = None, workstream: str | None = None, tab: str | None = None,
                 presentation: bool = False):
        from ui.shell.main_window import MainWindow

        self.start_presentation = presentation
        self.db_url = db_url
        self.start_view, self.start_workstream, self.start_tab = view, workstream, tab
        self.failed_error: BaseException | None = None
        self.task = None
        self.stages: list[str] = []  # the stages the open went through (what the window showed)
        from ui.common import style

        self.window = MainWindow(None, restore_settings=restore_settings, remember_settings=remember_settings,
                                 database_label=database_label(db_url))
        style.apply_stylesheet(QApplication.instance())  # no-op when application() set it already
        self.signals = _StartupSignals(self.window)
        self.opened = self.signals.opened
        self._painted = _FirstPaint(self.window, self.open_database)
        self._fallback = QTimer(self.window)
        self._fallback.setSingleShot(True)
        self._fallback.timeout.connect(self.open_database)
        self._fallback.start(self.OPEN_FALLBACK_MS)
        self.window.show()

    def open_database(self) -> None:
        """Start opening the database (once; called after the first paint)."""
        if self.task is not None:
            return
        from ui.common.background import run_in_background

        self._fallback.stop()
        self._painted.remove()
        self.task = run_in_background(self.window, open_services, self.db_url, progress_arg="progress",
                                      cancellable=False, on_done=self._opened, on_error=self._failed)
        self.task.progressed.connect(self._stage)
        self.task.finished.connect(self.opened)

    def _stage(self, text: str, _done: int, _total: int) -> None:
        """What the open is doing now (creating, migrating, seeding), where the lists will be."""
        self.stages.append(text)
        self.window.set_status(f"{text}…")
        for page in getattr(self.window, "lists", {}).values():
            if page.loading_text is not None:
                page.set_loading(f"{database_label(self.db_url)} · {text}…")

    def wait(self) -> None:
        """Join the opening now (starting it if it has not started), without callbacks."""
        self.open_database()
        self.task.wait(deliver=False)

    def _opened(self, services) -> None:
        self.window.attach_services(services)
        try:
            _show_start(self.window, view=self.start_view, workstream=self.start_workstream, tab=self.start_tab)
            if self.start_presentation:
                action = getattr(self.window, "act_presentation", None)  # View → Presentation, kept in step
                if action is not None:
                    action.setChecked(True)
                elif hasattr(self.window.agent_panel, "set_presentation"):
                    self.window.agent_panel.set_presentation(True)
        except UserError as error:
            _fail(self.window, "Can't show that", str(error), quiet=False)

    def _failed(self, error: BaseException) -> None:
        self.failed_error = error
        self.window.set_status("Could not open the database")
        _fail(self.window, "Can't open the database", open_failure_text(self.db_url, error), quiet=False)
        QCoreApplication.exit(1)

    def services(self):
        """The open database's services (also when the window never received them)."""
        if self.window.services is not None:
            return self.window.services
        return self.task.result if self.task is not None else None


class _StartupSignals(QObject):
    opened = Signal()


class _FirstPaint(QObject):
    """Calls ``then`` from the event loop once ``widget`` has been painted the first time."""

    def __init__(self, widget: QWidget, then):
        super().__init__(widget)
        self.widget, self.then = widget, then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.remove()
            QTimer.singleShot(0, self, self.then)  # after this paint is flushed; dropped with the window
        return False

    def remove(self) -> None:
        self.widget.removeEventFilter(self)


def run(db_url: str, *, screenshot: str | None = None, workstream: str | None = None, tab: str | None = None,
        view: str | None = None, size: str = "1280x800", dialog: str | None = None, presentation: bool = False) -> int:
    """Open the console on ``db_url``; returns the exit code.

    ``dialog`` (screenshots only) opens a record dialog over the window:
    ``"agents:Ana Ruiz"`` edits that agent, ``"queues"`` shows a new queue.
    """
    if QApplication.instance() is None:
        problem = xcb_problem(screenshot is not None)
        if problem:  # before Qt aborts the process with its own less helpful message
            print(f"wsc: {problem}", file=sys.stderr)
            return 1
    if presentation and (workstream or dialog or view not in (None, "agent-panel")):
        return _fail(None, "Can't show that", "--presentation shows the live agent panel only", True)
    if presentation:
        tab = "agent-panel"
    if screenshot is None:
        return _run_interactive(db_url, view=view, workstream=workstream, tab=tab, presentation=presentation)
    from ui.shell.main_window import MainWindow

    quiet = True
    app = application(screenshot=quiet)
    try:
        window_size = parse_size(size)
    except UserError as error:
        return _fail(None, "Can't take the screenshot", str(error), quiet)
    try:
        services = open_services(db_url)
    except Exception as error:  # noqa: BLE001 — a broken file must not crash the app with a traceback
        return _fail(None, "Can't open the database", open_failure_text(db_url, error), quiet)

    window = None
    try:
        window = MainWindow(services, restore_settings=False, remember_settings=False)
        try:
            _show_start(window, view=view, workstream=workstream, tab=tab)
        except UserError as error:
            return _fail(window, "Can't show that", str(error), quiet)
        window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        window.resize(window_size)
        window.show()
        window.resize(window_size)
        _settle(app)
        panel = window.agent_panel if window.current_view() == "agent-panel" else None
        if panel is not None and hasattr(panel, "screenshot_state"):
            panel.screenshot_state()  # a representative moment: pops ringing, a countdown running
            _settle(app)
        if presentation and panel is not None and hasattr(panel, "set_presentation"):
            panel.set_presentation(True, full_screen=False)  # at --size, not the screen's
            panel.screenshot_state()
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
    finally:
        _close_window(window)
        services.db.dispose()


def _run_interactive(db_url: str, *, view: str | None, workstream: str | None, tab: str | None,
                     presentation: bool = False) -> int:
    app = application(stylesheet=False)  # Startup sets it once the window is built
    startup = Startup(db_url, view=view, workstream=workstream, tab=tab, presentation=presentation)
    try:
        status = app.exec()
    finally:
        startup.wait()  # closed while opening: let the open finish, then close it
        services = startup.services()
        _close_window(startup.window)
        if services is not None:
            services.db.dispose()
    return 1 if startup.failed_error is not None else status


def _close_window(window) -> None:
    if window is None:
        return
    if window.editor is not None:
        window.close_editor(force=True)
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _show_start(window, *, view: str | None, workstream: str | None, tab: str | None) -> None:
    if view:
        window.show_view(view)
    if tab == "agent-panel":
        # The panel, with that stream chosen for sending: opening its editor would hide the panel again.
        window.show_view("agent-panel")
        if workstream:
            window.services.workstream_id_by_name(workstream)  # an unknown name: the usual one-line error
            window.agent_panel.set_workstream(workstream)
        return
    if workstream:
        workstream_id = window.services.workstream_id_by_name(workstream)
        window.open_workstream(workstream_id, tab=tab)
    elif tab:
        raise UserError(f"--tab {tab} needs --workstream NAME (the work stream whose tab to show)")


def _grab_with_dialog(app: QApplication, window, spec: str) -> QPixmap:
    """The window, dimmed, with a record dialog drawn over its centre (for the docs)."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QColor, QPainter
    from ui.records.editors import DIALOG_FOR_VIEW

    spec, _, tab = spec.partition("#")  # "queues:VIP#overflow": that tab of the dialog
    view, _, name = spec.partition(":")
    if view not in DIALOG_FOR_VIEW:
        raise UserError(f"no dialog for '{view}'")
    object_id = None
    if name:
        window.show_view("skills" if view == "rating_models" else view)
        page = window.lists["skills" if view == "rating_models" else view]
        rows = page.rating_model.rows if view == "rating_models" else page.model.rows
        matches = [row for row in rows if row.name.casefold() == name.casefold()]
        if not matches:
            raise UserError(f"unknown {view[:-1]} '{name}'")
        object_id = matches[0].id
        page.select_id(object_id)
    dialog = window.open_entity(view, object_id)
    if dialog is None:
        raise UserError(f"could not open the {view[:-1]} dialog")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    if tab:
        dialog.set_tab(tab)
    # whole when the window has room (adjustSize stops at 2/3 of the screen), else it scrolls inside
    dialog.resize(dialog.sizeHint().boundedTo(window.size() - QSize(48, 24)))
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
    """``python -m ui.shell.startup [--db PATH] [gui options]``: the same as ``wsc gui``."""
    from ui.launcher import main as wsc_main

    args = list(sys.argv[1:] if argv is None else argv)
    if "gui" not in args:
        # global options (--db/--db-url) come before the command, gui options after it
        head: list[str] = []
        while args and args[0] in ("--db", "--db-url"):
            head += args[:2]
            args = args[2:]
        args = [*head, "gui", *args]
    return wsc_main(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
