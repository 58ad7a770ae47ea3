"""The window's commands: ONE table of every action, its shortcut and its menu.

The main window builds its QActions, menus and command bar from ``ACTIONS``;
Help > Keyboard shortcuts lists ``shortcut_rows()``, built from the same table
(plus the keys of the editor's tables, defined beside the code that handles
them in ``ui.workstreams.editor.TABLE_KEYS``).  A shortcut is therefore written
down once: change it here and the menu, the tooltip and the help all follow.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from ui.common.icons import icon


@dataclass(frozen=True)
class ActionSpec:
    name: str  # the window keeps it as ``act_<name>``
    text: str
    icon: str | None = None
    shortcuts: tuple[str, ...] = ()
    tip: str = ""
    menu: str = ""  # "File", "Edit", "View", "Help" ("" : built but placed by the window)
    section: int = 0  # menu entries with different sections are separated
    role: QAction.MenuRole | None = None
    checkable: bool = False


# The window's slot for each action is its method of the same name as ``name`` (``window.<name>``),
# except where ``SLOTS`` says otherwise.
ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("new", "New", "new", ("Ctrl+N",), "Create a new record in this list", "File", 0),
    ActionSpec("new_rating_model", "New rating model…", None, ("Ctrl+Shift+R",),
               "Create a rating model (a scale such as 1 to 5 that skills are rated on)", "File", 0),
    ActionSpec("save", "Save", "save", ("Ctrl+S",), "Save the work stream", "File", 0),
    ActionSpec("save_close", "Save && Close", "save-close", ("Ctrl+Shift+S",),
               "Save the work stream and go back to the list", "File", 0),
    ActionSpec("import", "Import configuration…", "import", (),
               "Merge a configuration document into this database", "File", 1),
    ActionSpec("export", "Export configuration…", "export", (),
               "Write the whole configuration as a document", "File", 1),
    ActionSpec("import_bundle", "Import bundle…", "import", ("Ctrl+Shift+I",),
               "Preview a .wsbundle file, then import it", "File", 2),
    ActionSpec("export_bundle", "Export bundle…", "export", ("Ctrl+Shift+E",),
               "Write work streams and what they use to a .wsbundle file", "File", 2),
    ActionSpec("import_cmt", "Import Dynamics package…", "import", (),
               "Preview a Dynamics 365 Configuration Migration package (.zip), then import it", "File", 2),
    ActionSpec("bundle_history", "Bundle history…", None, (),
               "Bundles exported from and imported into this database", "File", 2),
    ActionSpec("generate", "Generate sample configuration…", None, (),
               "Add a generated configuration of a chosen size, to try the console at scale", "File", 3),
    ActionSpec("reset_demo", "Reset to demo data…", None, (), "Replace the configuration with the demo bank",
               "File", 3),
    ActionSpec("quit", "Quit", None, ("Ctrl+Q",), "Close Workstream Console", "File", 4,
               QAction.MenuRole.QuitRole),
    # Undo and Redo come from the window's QUndoGroup; their keys are defined here all the same.
    ActionSpec("undo", "Undo", None, ("Ctrl+Z",), "Undo the last change in the editor", "Edit", 0),
    ActionSpec("redo", "Redo", None, ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo the change undone last", "Edit", 0),
    ActionSpec("copy", "Copy", "copy", (), "Copy the work stream (inactive, without channels)", "Edit", 1),
    ActionSpec("toggle_active", "Deactivate", "deactivate", (), "Deactivate the work stream", "Edit", 1),
    ActionSpec("delete", "Delete", "delete", ("Delete",), "Delete the selected record", "Edit", 1),
    ActionSpec("find", "Find", "search", ("Ctrl+F",), "Search this list", "Edit", 2),
    ActionSpec("back", "Back to list", "back", ("Alt+Left",), "Close the editor", "View", 1),
    ActionSpec("refresh", "Refresh", "refresh", ("F5",), "Reload from the database", "View", 1),
    ActionSpec("whatif", "What-if lab…", None, ("Ctrl+Shift+W",),
               "Run a day of workload against this configuration and see waits and service level", "View", 2),
    ActionSpec("doctor", "Configuration doctor…", None, ("Ctrl+Shift+H",),
               "Find routing rules that never fire and settings that cannot work", "View", 2),
    ActionSpec("presentation", "Presentation", None, ("F11",),
               "The live agent panel full screen with large type, for a projector (F11 again to leave)", "View", 2,
               checkable=True),
    ActionSpec("collapse_navigation", "Collapse navigation", None, ("Ctrl+Shift+B",),
               "Show the navigation as icons only, to give the page more width", "View", 3, checkable=True),
    ActionSpec("shortcuts", "Keyboard shortcuts", None, ("F1",), "Every keyboard shortcut of the console",
               "Help", 0),
    ActionSpec("open_log_folder", "Open log folder", None, (), "Open the folder with the console's log files",
               "Help", 0),
    ActionSpec("about", "About Workstream Console", "info", (), "", "Help", 1, QAction.MenuRole.AboutRole),
)

# key, navigation label, icon (in the navigation's order)
VIEWS: tuple[tuple[str, str, str], ...] = (
    ("workstreams", "Work streams", "workstream"),
    ("queues", "Queues", "queue"),
    ("agents", "Agents", "agent"),
    ("skills", "Skills", "skill"),
    ("capacity_profiles", "Capacity profiles", "capacity-profile"),
    ("presences", "Presences", "presence"),
    ("channels", "Channels", "channel"),
    ("agent-panel", "Live agent panel", "panel"),
)
# View > <label> is Ctrl+<digit>, the digit its place here: pages added later take the next free
# digit rather than moving the keys people already know.
VIEW_KEY_ORDER = ("workstreams", "queues", "agents", "presences", "channels", "agent-panel", "skills",
                  "capacity_profiles")

# The command bar, left to right ("|" is a separator); the rest live in the menus only.
COMMAND_BAR = ("new", "save", "save_close", "|", "copy", "toggle_active", "delete", "|", "refresh")
# When the bar is too narrow these lose their text first (then every command does); nothing is hidden.
SECONDARY_COMMANDS = ("copy", "toggle_active", "delete", "refresh")

# Method names that differ from the action's name.
SLOTS = {"new": "new_record", "save": "save_editor", "save_close": "save_and_close", "import": "import_configuration",
         "export": "export_configuration", "generate": "generate_sample", "reset_demo": "reset_to_demo",
         "quit": "close", "copy": "copy_workstream", "delete": "delete_selected", "find": "focus_search",
         "back": "close_editor", "about": "show_about", "shortcuts": "show_shortcuts",
         "import_bundle": "import_bundle", "export_bundle": "export_bundle",
         "bundle_history": "show_bundle_history", "import_cmt": "import_cmt_package", "whatif": "open_whatif_lab", "doctor": "open_doctor",
         "presentation": "toggle_presentation", "collapse_navigation": "toggle_navigation"}

SPECS = {spec.name: spec for spec in ACTIONS}


def view_shortcut(key: str) -> str:
    return f"Ctrl+{VIEW_KEY_ORDER.index(key) + 1}"


def native(shortcut: str) -> str:
    return QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)


def describe(spec: ActionSpec) -> str:
    """The tooltip: what it does, and its keys."""
    keys = ", ".join(native(s) for s in spec.shortcuts)
    return (spec.tip or spec.text.replace("&&", "&")) + (f" ({keys})" if keys else "")


def make_action(spec: ActionSpec, parent: QObject, slot: Callable[[], object] | None) -> QAction:
    action = QAction(spec.text, parent)
    configure(action, spec)
    if slot is not None and spec.checkable:
        action.toggled.connect(lambda _checked: slot())  # also when checked from code (the panel leaving)
    elif slot is not None:
        action.triggered.connect(lambda _checked=False: slot())
    return action


def configure(action: QAction, spec: ActionSpec) -> None:
    """Icon, keys, tips and menu role of ``spec`` on an action (also one made elsewhere, as Undo)."""
    if spec.icon:
        action.setIcon(icon(spec.icon))
    action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
    action.setToolTip(describe(spec))
    action.setStatusTip(spec.tip)
    if spec.role is not None:
        action.setMenuRole(spec.role)
    action.setCheckable(spec.checkable)
    if spec.name == "delete":
        # Delete acts on lists only: in the editor the key belongs to the editor's own tables and fields.
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)


def shortcut_rows() -> list[tuple[str, str, str]]:
    """(where, command, keys) for every shortcut: the table above, the views, the editor's tables."""
    from ui.workstreams.editor import TABLE_KEYS

    rows = [(spec.menu or "Window", spec.text.replace("&&", "&").rstrip("…"), ", ".join(native(s) for s in spec.shortcuts))
            for spec in ACTIONS if spec.shortcuts]
    rows += [("View", f"Show {label.lower()}", native(view_shortcut(key)))
             for key, label, _icon in sorted(VIEWS, key=lambda view: VIEW_KEY_ORDER.index(view[0]))]
    rows += [("Editor tables", what, ", ".join(native(s) for s in keys)) for what, keys in TABLE_KEYS.values()]
    from ui.workstreams.decline_reasons import DECLINE_REASON_KEYS

    rows += [("Decline reasons", what, ", ".join(native(s) for s in keys)) for what, keys in DECLINE_REASON_KEYS.values()]
    from ui.records.editors import DIALOG_KEYS

    rows += [("Record dialogs", what, ", ".join(native(s) for s in keys)) for what, keys in DIALOG_KEYS.values()]
    return rows
