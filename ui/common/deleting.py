"""Deleting one record from the window: refused first when in use, then asked, then run off the GUI thread.

The one path of every single delete (a queue from its list, a work stream from its list or its
editor): "in use" is said before "this can't be undone", and a record put in use after the
question is refused with the same words.
"""
from __future__ import annotations

from typing import Any, Callable

from app.common.errors import InUseError, UserError
from ui.common import messages
from ui.common.messages import sentence
from ui.common.operations import Changes


def delete_one(shell: Any, view: str, kind: str, service_name: str, target_id: str, name: str,
               on_deleted: Callable[[], None]):
    """Delete ``target_id`` (a ``view`` record named ``name``) through ``shell.operations``.

    ``shell`` is the window: ``services``, ``operations``, ``set_status``, ``show_action_error``
    and ``refresh_commands``. Returns the operation's task, or None when refused or not confirmed.
    """
    try:
        refusal = shell.services.delete_refusal(view, target_id)  # say "in use" before "can't be undone"
    except UserError as error:
        shell.show_action_error(f"Can't delete {kind} '{name}'", error)
        return None
    if refusal is not None:
        messages.error(shell, f"Can't delete {kind} '{name}'", sentence(refusal))
        shell.set_status(f"Not deleted: {kind} '{name}' is in use")
        return None
    if not messages.confirm(shell, f"Delete {kind}?", f"Delete {kind} '{name}'? This can't be undone."):
        return None

    def deleted(_changes) -> None:
        on_deleted()
        shell.set_status(f"Deleted {kind} '{name}'")
        shell.refresh_commands()

    def refused(error: BaseException) -> None:
        if isinstance(error, InUseError):  # put in use since we asked
            messages.error(shell, f"Can't delete {kind} '{name}'", sentence(str(error)))
            shell.set_status(f"Not deleted: {kind} '{name}' is in use")
        else:
            shell.show_action_error(f"Can't delete {kind} '{name}'", error)

    return shell.operations.run(
        getattr(shell.services, service_name), target_id, title=f"Deleting {kind} '{name}'",
        changes=lambda changes: changes, progress_arg=None, on_done=deleted, on_error=refused,
        changes_on_error=Changes.of(view))
