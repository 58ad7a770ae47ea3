"""The work stream editor's life in the window, and the commands on one work stream.

``WorkStreamController`` opens the editor (after the unsaved-changes guard), saves it,
closes it back to the list, reloads it, and runs Copy, Activate/Deactivate and Delete on
the edited or selected work stream. The window composes one and forwards its commands here;
the controller reaches the window only through ``WorkStreamShell`` below, so a test can drive
it with a small fake instead of the whole window (tests/ui/workstreams/test_controller.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.common.errors import UserError
from ui.common import messages
from ui.common.operations import Changes

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtGui import QUndoGroup
    from PySide6.QtWidgets import QLabel, QStackedWidget

    from ui.common.operations import Operations
    from ui.records.pages import ListPage
    from ui.shell.editor_host import EditorHost


class WorkStreamShell(Protocol):
    """What the controller needs from the window that hosts it."""

    services: Any
    operations: Operations
    editor_host: EditorHost  # the editor page: breadcrumb over the editor
    workstream_stack: QStackedWidget  # the work streams list page, or the editor page
    undo_group: QUndoGroup
    status_message: QLabel
    lists: dict[str, ListPage]

    def current_view(self) -> str: ...
    def show_view(self, key: str) -> bool: ...
    def set_status(self, text: str) -> None: ...
    def workstream_filter(self) -> str: ...
    def set_workstream_filter(self, state: str) -> None: ...
    def setWindowModified(self, modified: bool) -> None: ...
    def show_action_error(self, title: str, error: BaseException) -> None: ...
    def refresh_commands(self) -> None: ...  # the command bar and the status counts follow the state
    def delete_many(self, view: str, rows: list[Any]) -> Any: ...


def default_editor(services, workstream_id: str | None, parent: QWidget, channel: str = "live_chat") -> QWidget:
    from ui.workstreams.editor import WorkStreamEditor  # the editor's modules load when first opened

    return WorkStreamEditor(services, workstream_id, parent, channel=channel)


class WorkStreamController(QObject):
    """The open editor (at most one) and the commands on one work stream."""

    def __init__(self, shell: WorkStreamShell, editor_factory: Callable[..., QWidget] | None = None):
        super().__init__(shell if isinstance(shell, QObject) else None)
        self.shell = shell
        self.editor_factory = editor_factory or default_editor
        self.editor: QWidget | None = None
        self.editor_active: bool | None = None  # the edited stream's saved state (Activate/Deactivate)
        self.last_edited: str | None = None  # kept selected when the list's filter changes

    # ------------------------------------------------------------------ the editor's life

    def new_workstream(self, channel: str = "live_chat") -> bool:
        if not self.shell.show_view("workstreams"):
            return False
        if self.editor is not None and not self.close_editor():
            return False
        return self._create_editor(None, channel=channel)

    def open_workstream(self, workstream_id: str, tab: str | None = None) -> bool:
        """Show a work stream in the editor (after the unsaved-changes guard)."""
        if not self.shell.show_view("workstreams"):
            return False
        if self.editor is not None:
            if self.editor.workstream_id() == workstream_id:
                if tab:
                    self.editor.set_tab(tab)
                return True
            if not self.close_editor():
                return False
        if not self._create_editor(workstream_id):
            return False
        if tab:
            self.editor.set_tab(tab)
            self.editor.focus_first_field()
        return True

    def _create_editor(self, workstream_id: str | None, channel: str = "live_chat") -> bool:
        shell = self.shell
        try:
            editor = self.editor_factory(shell.services, workstream_id, shell.editor_host, channel=channel)
        except UserError as error:
            messages.error(shell, "Can't open the work stream", str(error))
            shell.lists["workstreams"].refresh()
            return False
        title = editor.title()
        self.editor = editor
        shell.editor_host.set_editor(editor, title)
        editor.titleChanged.connect(self._editor_title_changed)
        editor.dirtyChanged.connect(self._editor_dirty_changed)
        editor.saved.connect(self._editor_saved)
        shell.undo_group.addStack(editor.undo_stack)
        shell.undo_group.setActiveStack(editor.undo_stack)
        editor.undo_stack.indexChanged.connect(self._clear_stale_status)
        self.editor_active = editor.active_state()
        shell.workstream_stack.setCurrentWidget(shell.editor_host)
        shell.setWindowModified(False)
        shell.refresh_commands()
        editor.focus_first_field()
        shell.set_status(f"Opened '{title}'" if workstream_id else "New work stream: fill in the name and settings")
        return True

    def close_editor(self, force: bool = False, *, deleted: bool = False) -> bool:
        """Back to the list; unless forced, asks the editor first (its Save/Discard/Cancel guard).

        ``deleted``: the stream was just deleted, so the list neither selects nor reveals it.
        """
        shell, editor = self.shell, self.editor
        if editor is None:
            return True
        if not force and not editor.maybe_close():
            return False
        edited_id = editor.workstream_id()
        shell.undo_group.removeStack(editor.undo_stack)
        for signal, slot in ((editor.titleChanged, self._editor_title_changed),
                             (editor.dirtyChanged, self._editor_dirty_changed),
                             (editor.saved, self._editor_saved)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        shell.editor_host.take_editor()
        editor.hide()
        editor.deleteLater()
        self.editor = None
        self.editor_active = None
        shell.setWindowModified(False)
        page = shell.lists["workstreams"]
        if deleted:
            edited_id = None
        self.last_edited = edited_id
        try:
            if page.stale:  # saved (or changed) while the editor was open: reload once, here
                page.refresh(keep_id=edited_id)
            else:
                page.select_id(edited_id)
        except UserError as error:
            shell.set_status(f"Could not reload the list: {error}")
        if edited_id is not None and page.proxy.row_for_id(edited_id) < 0 and page.model.state != "all":
            # A stream the current view does not list (a new one saved inactive): show it, and say why.
            other = "inactive" if page.model.state == "active" else "active"
            name = self.edited_name()
            shell.set_workstream_filter("all")
            page.select_id(edited_id)
            hint = f"showing all work streams: '{name}' is {other}"
            current = shell.status_message.text()
            shell.set_status(f"{current} — {hint}" if current.startswith("Saved") else hint[0].upper() + hint[1:])
        if shell.status_message.text().startswith(("Opened", "New work stream:", "Not saved")):
            shell.set_status("")  # about the editor just closed
        shell.workstream_stack.setCurrentWidget(page)
        page.table.setFocus()
        shell.refresh_commands()
        return True

    def save_editor(self) -> bool:
        if self.editor is None:
            return False
        if self.editor.save():
            return True
        self.shell.set_status("Not saved: fix the problems shown in the editor")
        return False

    def save_and_close(self) -> bool:
        if self.editor is None:
            return False
        if not self.save_editor():
            return False
        return self.close_editor(force=True)

    def reload_editor(self) -> None:
        """F5 in the editor: the stream as saved now (after the unsaved-changes guard)."""
        editor = self.editor
        if editor is None:
            return
        if editor.workstream_id() is None:
            self.shell.set_status("Nothing to reload: the new work stream is not saved yet")
            return
        if not editor.maybe_close():
            return
        try:
            editor.reload()
            self.editor_active = editor.active_state()
        except UserError as error:
            self.close_editor(force=True)
            self.shell.show_action_error("Can't reload the work stream", error)
            return
        self.shell.set_status("Reloaded the work stream")
        self.shell.refresh_commands()

    def edited_name(self) -> str:
        """The edited stream's name as its breadcrumb shows it (without the unsaved mark)."""
        return self.shell.editor_host.title().rstrip(" *")

    def _clear_stale_status(self, _index: int = 0) -> None:
        """An edit after 'Not saved: fix the problems…': that message no longer describes the editor."""
        if self.shell.status_message.text().startswith("Not saved"):
            self.shell.set_status("")

    def _editor_title_changed(self, title: str) -> None:
        self.shell.editor_host.set_title(title)

    def _editor_dirty_changed(self, dirty: bool) -> None:
        self.shell.editor_host.set_dirty(dirty)
        self.shell.setWindowModified(dirty)

    def _editor_saved(self, workstream_id: str) -> None:
        """The editor wrote its stream (its own save, with its own conflict handling): tell the pages."""
        self.editor_active = self.editor.active_state() if self.editor is not None else None
        self.shell.operations.broadcast(Changes.of("workstreams", "channels", ids=[workstream_id]))
        self.shell.set_status(f"Saved work stream '{self.edited_name()}'")
        self.shell.refresh_commands()

    # ------------------------------------------------------------------ commands on one work stream

    def selected_workstream(self) -> tuple[str, str] | None:
        """(id, name) of the work stream the command applies to: the edited one, else the selected row."""
        if self.editor is not None:
            workstream_id = self.editor.workstream_id()
            if workstream_id is None:
                return None
            return workstream_id, self.edited_name()
        row = self._selected_row()
        return (row.id, row.name) if row is not None else None

    def _selected_row(self):
        shell = self.shell
        return shell.lists["workstreams"].selected_row() if shell.current_view() == "workstreams" else None

    def copy_workstream(self):
        shell = self.shell
        target = self.selected_workstream()
        if target is None:
            return None
        if self.editor is not None and not self.close_editor():
            return None

        def copied(saved) -> None:
            self.open_workstream(saved.id)
            shell.set_status(f"Copied '{target[1]}' to '{saved.name}' (inactive, without channels)")

        return shell.operations.run(
            shell.services.copy_workstream, target[0], title=f"Copying '{target[1]}'",
            changes=lambda saved: saved.changes, progress_arg=None, on_done=copied,
            on_error=lambda error: shell.show_action_error("Can't copy the work stream", error),
            changes_on_error=Changes.of("workstreams"))

    def toggle_active(self):
        """Activate or deactivate the selected (or edited) work stream; an editor keeps its edits."""
        shell, editor = self.shell, self.editor
        if editor is not None:
            workstream_id = editor.workstream_id()
            if workstream_id is None or self.editor_active is None:
                return None
            active, version, name = self.editor_active, editor.version(), self.edited_name()
            # In the editor Deactivate sits where Save & Close sits in the list: one stray click must not do it.
            if active and not messages.confirm(
                    shell, "Deactivate the work stream?",
                    f"Deactivate '{name}'? It stops taking new conversations until it is activated again. "
                    "Your unsaved edits are kept."):
                return None
        else:
            row = self._selected_row()
            if row is None:
                return None
            workstream_id, active, version, name = row.id, row.active, row.version, row.name
        verb = "Deactivated" if active else "Activated"

        def toggled(saved) -> None:
            note = ""
            if self.editor is not None and self.editor.workstream_id() == saved.id:
                self.editor.set_active_state(not active, saved.version)
                self.editor_active = not active
            else:
                state = shell.workstream_filter()
                if state != "all" and (state == "active") != (not active):
                    note = f" — it now shows under {'Active' if not active else 'Inactive'} work streams"
            shell.set_status(f"{verb} '{saved.name}'{note}")
            shell.refresh_commands()

        return shell.operations.run(
            shell.services.set_workstream_active, workstream_id, not active, version,
            title=f"{'Deactivating' if active else 'Activating'} '{name}'",
            changes=lambda saved: saved.changes, progress_arg=None, on_done=toggled,
            on_error=lambda error: shell.show_action_error(
                f"Can't {'deactivate' if active else 'activate'} '{name}'", error))

    def delete_selected(self):
        """Delete the edited stream, or the selected one(s): refused first when in use, then asked."""
        shell = self.shell
        if self.editor is not None:
            workstream_id = self.editor.workstream_id()
            if workstream_id is None:  # never saved: nothing to delete but the draft
                if self.editor.is_dirty() and not messages.confirm(
                        shell, "Discard the new work stream?", "The new work stream has not been saved. Discard it?"):
                    return None
                self.close_editor(force=True)
                shell.set_status("Discarded the new work stream")
                return True
            target_id, name = workstream_id, self.edited_name()
        else:
            rows = shell.lists["workstreams"].selected_rows()
            if len(rows) > 1:
                return shell.delete_many("workstreams", rows)
            if not rows:
                return None
            target_id, name = rows[0].id, rows[0].name

        def deleted() -> None:
            if self.editor is not None:
                self.close_editor(force=True, deleted=True)

        from ui.common.deleting import delete_one  # when first needed (start-up)

        return delete_one(shell, "workstreams", "work stream", "delete_workstream", target_id, name, deleted)
