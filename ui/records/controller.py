"""The record dialogs and record deletes in the window (every list but the work streams').

``RecordsController`` opens the record dialog of a queue, agent, presence, channel, skill,
rating model or capacity profile (one at a time, non-blocking), announces what a save
changed, and deletes the selected records: one through ``ui.common.deleting.delete_one``
(refused first when in use, then asked), several all or nothing in the background.  The
window composes one and forwards its commands here; the controller reaches the window only
through ``RecordsShell`` below, so a test drives it with a small fake instead of the whole
window (tests/ui/records/test_controller.py).  The work stream editor's counterpart is
``ui.workstreams.controller.WorkStreamController``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject

from app.common.errors import UserError
from ui.common import messages
from ui.common.messages import sentence
from ui.common.operations import Changes
from ui.records.pages import DELETE_SERVICE, KIND

if TYPE_CHECKING:  # pragma: no cover
    from ui.common.operations import Operations
    from ui.records.editors import EntityDialog
    from ui.records.pages import ListPage

# What else a save or delete of a kind changes on screen (a queue's members are shown on the agents' page, ...).
SAVE_ALSO_CHANGES = {"channels": ("workstreams",), "queues": ("agents",), "agents": ("queues",),
                     "skills": ("rating_models",), "rating_models": ("skills",)}
DELETE_ALSO_CHANGES = {"queues": ("agents",), "agents": ("queues",), "workstreams": ("channels",)}


class RecordsShell(Protocol):
    """What the controller needs from the window that hosts it (a QWidget: the dialogs' parent)."""

    services: Any
    operations: Operations
    lists: dict[str, ListPage]

    def current_view(self) -> str: ...
    def current_page(self) -> ListPage | None: ...
    def show_view(self, key: str) -> bool: ...
    def set_status(self, text: str) -> None: ...
    def refresh_commands(self) -> None: ...  # the command bar and the status counts follow the state
    def show_action_error(self, title: str, error: BaseException) -> None: ...


class RecordsController(QObject):
    """The open record dialog (at most one) and deleting records from the lists."""

    def __init__(self, shell: RecordsShell):
        super().__init__(shell if isinstance(shell, QObject) else None)
        self.shell = shell
        self.current_dialog: EntityDialog | None = None

    # ------------------------------------------------------------------ record dialogs

    def open_entity(self, view: str, object_id: str | None = None) -> EntityDialog | None:
        """Open the record dialog (non-blocking); the lists hear what it saved.  While one is open,
        asking again raises it (one dialog at a time)."""
        from ui.records.editors import DIALOG_FOR_VIEW  # the dialogs load when one is first opened

        dialog_class = DIALOG_FOR_VIEW[view]
        if self.current_dialog is not None:
            self.current_dialog.raise_()
            return self.current_dialog
        try:
            dialog = dialog_class(self.shell.services, object_id, self.shell)
        except UserError as error:
            self.shell.show_action_error(f"Can't open the {KIND[view]}", error)
            return None
        self.current_dialog = dialog
        dialog.saved.connect(lambda saved_id, v=view, d=dialog: self._saved(v, saved_id, d))
        dialog.finished.connect(lambda _result, d=dialog: self._finished(d))
        dialog.open()
        return dialog

    def new_rating_model(self) -> EntityDialog | None:
        """File > New rating model: on the Skills page, where rating models are listed."""
        if not self.shell.show_view("skills"):
            return None
        return self.open_entity("rating_models", None)

    def _saved(self, view: str, saved_id: str, dialog: EntityDialog) -> None:
        # The record dialogs save themselves (inline errors, conflicts); the pages hear what changed.
        self.shell.operations.broadcast(Changes.of(view, *SAVE_ALSO_CHANGES.get(view, ()), ids=[saved_id]))
        self.shell.set_status(f"Saved {KIND[view]} '{dialog.saved_name}'")
        self.shell.refresh_commands()

    def _finished(self, dialog: EntityDialog) -> None:
        if self.current_dialog is dialog:
            self.current_dialog = None
        dialog.deleteLater()

    # ------------------------------------------------------------------ deleting

    def delete_selected(self):
        """Delete the current list's selected record(s): one is refused first when in use, then asked;
        several are asked once and deleted in one background operation.  None when nothing ran."""
        shell = self.shell
        view = shell.current_view()
        if view not in DELETE_SERVICE or view == "workstreams":  # a work stream: its own controller
            return None
        page = shell.current_page()
        kind_view = page.command_key() if page is not None else view  # Skills: a rating model when they have focus
        rows = shell.lists[view].selected_rows()
        if len(rows) > 1:
            return self.delete_many(kind_view, rows)
        if not rows:
            return None
        from ui.common.deleting import delete_one  # with its dialogs, when first needed (start-up)

        return delete_one(shell, kind_view, KIND[kind_view], DELETE_SERVICE[kind_view], rows[0].id, rows[0].name,
                          lambda: None)

    def delete_many(self, view: str, rows: list[Any]):
        """Delete several selected records, all or nothing, in the background."""
        shell = self.shell
        if shell.operations.busy():
            return None
        kind = KIND[view]
        count = len(rows)
        names = ", ".join(f"'{row.name}'" for row in rows[:3]) + (f" and {count - 3} more" if count > 3 else "")
        if not messages.confirm(shell, f"Delete {count} {kind}s?",
                                f"Delete {count} {kind}s ({names})? This can't be undone."):
            return None
        title = f"Can't delete {count} {kind}s"

        def deleted(ids: list[str]) -> None:
            gone = count - len(ids)
            shell.set_status(f"Deleted {len(ids)} {kind}s" + (f" ({gone} were already gone)" if gone else ""))
            shell.refresh_commands()

        def refused(error: BaseException) -> None:
            from ui.common.background import describe_error

            text = describe_error(error)
            messages.error(shell, title, sentence(text))
            shell.set_status(f"Not deleted: {count} {kind}s: {text}")

        related = DELETE_ALSO_CHANGES.get(view, ())
        return shell.operations.run(
            shell.services.delete_many, view, [row.id for row in rows], title=f"Deleting {count} {kind}s",
            changes=lambda ids: Changes.of(view, *related, ids=ids), changes_on_error=Changes.of(view),
            on_done=deleted, on_error=refused, cancelled_text="Delete cancelled: nothing was deleted")
