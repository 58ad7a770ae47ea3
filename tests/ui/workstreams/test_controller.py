"""The editor's life and the commands on one work stream, without the main window.

``WorkStreamController`` is driven through a small fake shell (the window's side of
``WorkStreamShell``) and a fake editor that records what was asked of it; the writes are
real (the demo database through ``Services``) and run through the real ``Operations``.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoGroup, QUndoStack
from PySide6.QtWidgets import QStackedWidget, QWidget

from app.common.errors import UserError
from ui.common import messages
from ui.common.operations import Changes
from ui.shell.editor_host import EditorHost
from ui.workstreams.controller import WorkStreamController
from tests.helpers import shells as helpers

TIMEOUT = 30_000
RETAIL = "Chat - Retail banking"


class FakeEditor(QWidget):
    """Just what the controller asks of an editor; ``close_answer`` is its unsaved-changes guard."""

    titleChanged = Signal(str)
    dirtyChanged = Signal(bool)
    saved = Signal(str)

    def __init__(self, services, workstream_id, parent, channel="live_chat"):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._id = workstream_id
        row = next((r for r in services.list_workstreams() if r.id == workstream_id), None)
        self._title = row.name if row else "New work stream"
        self._active = row.active if row else False
        self._version = row.version if row else 0
        self.close_answer = True
        self.save_answer = True
        self.dirty = False
        self.tabs: list[str] = []
        self.asked_to_close = 0

    def workstream_id(self):
        return self._id

    def title(self):
        return self._title

    def active_state(self):
        return self._active if self._id else None

    def version(self):
        return self._version

    def set_active_state(self, active, version):
        self._active, self._version = active, version

    def set_tab(self, tab):
        self.tabs.append(tab)

    def focus_first_field(self):
        pass

    def is_dirty(self):
        return self.dirty

    def maybe_close(self):
        self.asked_to_close += 1
        return self.close_answer

    def save(self):
        if self.save_answer:
            self.saved.emit(self._id)
        return self.save_answer

    def reload(self):
        pass


class FakePage(QWidget):
    """The work streams list page, as far as the controller reads it."""

    def __init__(self, services):
        super().__init__()
        self.services = services
        self.stale = False
        self.selected: list = []
        self.selected_ids: list = []
        self.refreshed = 0
        self.model = SimpleNamespace(state="all")
        self.proxy = SimpleNamespace(row_for_id=lambda workstream_id: 0)
        self.table = QWidget(self)

    def refresh(self, keep_id=None):
        self.refreshed += 1
        self.selected_ids.append(keep_id)

    def select_id(self, workstream_id):
        self.selected_ids.append(workstream_id)

    def selected_row(self):
        return self.selected[0] if len(self.selected) == 1 else None

    def selected_rows(self):
        return list(self.selected)


class FakeShell(helpers.FakeShell):
    """The window's side of WorkStreamShell, recording what the controller told it."""

    def __init__(self, services):
        super().__init__(services, "workstreams")
        self.editor_host = EditorHost()
        self.page = FakePage(services)
        self.lists = {"workstreams": self.page}
        self.workstream_stack = QStackedWidget(self)
        self.workstream_stack.addWidget(self.page)
        self.workstream_stack.addWidget(self.editor_host)
        self.undo_group = QUndoGroup(self)
        self.filter = "all"
        self.modified: list[bool] = []

    def show_view(self, key):
        return self.keep_view

    def workstream_filter(self):
        return self.filter

    def set_workstream_filter(self, state):
        self.filter = state

    def setWindowModified(self, modified):  # noqa: N802 — Qt's name
        self.modified.append(modified)

    def delete_many(self, view, rows):
        return ("many", view, [row.id for row in rows])


@pytest.fixture
def shell(qtbot, services):
    widget = FakeShell(services)
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def controller(shell):
    return WorkStreamController(shell, FakeEditor)


def row_named(services, name):
    return next(r for r in services.list_workstreams() if r.name == name)


def finished(qtbot, shell, start):
    with qtbot.waitSignal(shell.operations.finished, timeout=TIMEOUT) as blocker:
        started = start()
    assert started is not None
    return blocker.args[0]


# --------------------------------------------------------------------------- the editor's life


def test_opening_shows_the_editor_page_with_its_undo_stack_and_says_so(shell, controller, services):
    retail = row_named(services, RETAIL)
    assert controller.open_workstream(retail.id, tab="routing-rules")
    editor = controller.editor
    assert shell.workstream_stack.currentWidget() is shell.editor_host and shell.editor_host.editor is editor
    assert shell.undo_group.activeStack() is editor.undo_stack
    assert controller.editor_active is retail.active and editor.tabs == ["routing-rules"]
    assert shell.status_message.text() == f"Opened '{RETAIL}'"
    assert shell.modified == [False] and shell.commands_refreshed == 1
    assert controller.open_workstream(retail.id, tab="context-variables")  # the same stream: the same editor
    assert controller.editor is editor and editor.tabs == ["routing-rules", "context-variables"]


def test_the_unsaved_changes_guard_keeps_the_editor_until_it_agrees(shell, controller, services):
    retail, other = row_named(services, RETAIL), row_named(services, "SMS - Billing alerts")
    controller.open_workstream(retail.id)
    editor = controller.editor
    editor.close_answer = False  # Cancel in the Save/Discard/Cancel question
    assert not controller.open_workstream(other.id)
    assert not controller.close_editor()
    assert controller.editor is editor and editor.asked_to_close == 2
    assert controller.close_editor(force=True)  # forced: not asked
    assert controller.editor is None and editor.asked_to_close == 2
    assert shell.workstream_stack.currentWidget() is shell.page
    assert controller.last_edited == retail.id and shell.page.selected_ids[-1] == retail.id
    assert shell.status_message.text() == ""  # "Opened …" was about the editor just closed
    assert shell.undo_group.stacks() == []


def test_a_refused_view_switch_opens_nothing(shell, controller, services):
    shell.keep_view = False  # the window kept another page's unsaved work
    assert not controller.open_workstream(row_named(services, RETAIL).id)
    assert not controller.new_workstream()
    assert controller.editor is None


def test_an_editor_that_cannot_open_says_why_and_reloads_the_list(shell, services, answers):
    def broken(*_args, **_kwargs):
        raise UserError("the work stream no longer exists")

    controller = WorkStreamController(shell, broken)
    assert not controller.open_workstream("gone")
    assert answers.asked == [("error", "Can't open the work stream", "the work stream no longer exists")]
    assert shell.page.refreshed == 1 and controller.editor is None


def test_dirty_and_saved_reach_the_breadcrumb_the_title_bar_and_the_pages(shell, controller, services):
    retail = row_named(services, RETAIL)
    controller.open_workstream(retail.id)
    controller.editor.dirtyChanged.emit(True)
    assert shell.editor_host.title().endswith("*") and shell.modified[-1] is True
    assert controller.save_editor()
    assert shell.broadcasts == [Changes.of("workstreams", "channels", ids=[retail.id])]
    assert shell.status_message.text() == f"Saved work stream '{RETAIL}'"


def test_a_refused_save_says_so_until_the_next_edit(shell, controller, services):
    controller.open_workstream(row_named(services, RETAIL).id)
    controller.editor.save_answer = False
    assert not controller.save_and_close()
    assert controller.editor is not None
    assert shell.status_message.text() == "Not saved: fix the problems shown in the editor"
    controller.editor.undo_stack.indexChanged.emit(1)
    assert shell.status_message.text() == ""


def test_save_and_close_goes_back_to_the_list(shell, controller, services):
    controller.open_workstream(row_named(services, RETAIL).id)
    assert controller.save_and_close()
    assert controller.editor is None and shell.workstream_stack.currentWidget() is shell.page


def test_a_new_stream_saved_inactive_switches_a_filtered_list_to_all(shell, controller):
    shell.page.model.state = "active"
    shell.page.proxy.row_for_id = lambda workstream_id: -1  # the active view does not list it
    controller.new_workstream()
    controller.editor._id = "new-id"
    assert controller.close_editor(force=True)
    assert shell.filter == "all"
    assert shell.status_message.text() == "Showing all work streams: 'New work stream' is inactive"


# --------------------------------------------------------------------------- commands on one work stream


def test_deactivating_the_edited_stream_asks_first_and_keeps_the_editor(qtbot, shell, controller, services, answers):
    retail = row_named(services, RETAIL)
    assert retail.active
    controller.open_workstream(retail.id)
    answers.push(messages.CANCEL)
    assert controller.toggle_active() is None
    assert row_named(services, RETAIL).active
    answers.push(messages.YES)
    assert finished(qtbot, shell, controller.toggle_active) == "done"
    assert [kind for kind, *_ in answers.asked] == ["question", "question"]
    assert not row_named(services, RETAIL).active
    assert controller.editor_active is False and controller.editor.active_state() is False
    assert shell.status_message.text() == f"Deactivated '{RETAIL}'"


def test_activating_the_selected_row_notes_where_it_now_shows(qtbot, shell, controller, services):
    inactive = next(r for r in services.list_workstreams() if not r.active)
    shell.page.selected = [inactive]
    shell.filter = "inactive"
    assert finished(qtbot, shell, controller.toggle_active) == "done"
    assert row_named(services, inactive.name).active
    assert shell.status_message.text() == (f"Activated '{inactive.name}' — it now shows under Active work streams")


def test_copy_opens_the_copy_inactive(qtbot, shell, controller, services):
    shell.page.selected = [row_named(services, RETAIL)]
    assert finished(qtbot, shell, controller.copy_workstream) == "done"
    copy = row_named(services, f"Copy of {RETAIL}")
    assert not copy.active
    assert controller.editor is not None and controller.editor.workstream_id() == copy.id
    assert shell.status_message.text() == f"Copied '{RETAIL}' to '{copy.name}' (inactive, without channels)"


def test_a_new_stream_is_discarded_not_deleted(shell, controller, answers):
    controller.new_workstream()
    controller.editor.dirty = True
    answers.push(messages.YES)
    assert controller.delete_selected() is True
    assert answers.asked[0][:2] == ("question", "Discard the new work stream?")
    assert controller.editor is None and shell.status_message.text() == "Discarded the new work stream"


def test_a_stream_with_channels_is_refused_before_asking(shell, controller, services, answers):
    retail = row_named(services, RETAIL)
    controller.open_workstream(retail.id)
    assert controller.delete_selected() is None
    (kind, title, text), = answers.asked
    assert (kind, title) == ("error", f"Can't delete work stream '{RETAIL}'") and "channel" in text
    assert shell.status_message.text() == f"Not deleted: work stream '{RETAIL}' is in use"
    assert controller.editor is not None and row_named(services, RETAIL)


def test_deleting_the_edited_stream_closes_the_editor_and_keeps_the_lists_filter(qtbot, shell, controller, services,
                                                                                   answers):
    shell.page.selected = [row_named(services, RETAIL)]
    finished(qtbot, shell, controller.copy_workstream)  # a copy has no channels: it can go
    copy_id = controller.editor.workstream_id()
    shell.filter = shell.page.model.state = "active"
    shell.page.proxy.row_for_id = lambda workstream_id: -1  # gone from every view
    answers.push(messages.YES)
    assert finished(qtbot, shell, controller.delete_selected) == "done"
    assert controller.editor is None
    assert shell.filter == "active" and controller.last_edited is None  # nothing to reveal: it is gone
    assert all(r.id != copy_id for r in services.list_workstreams())
    assert shell.status_message.text() == f"Deleted work stream 'Copy of {RETAIL}'"


def test_several_selected_streams_go_to_the_windows_delete_many(shell, controller, services):
    rows = services.list_workstreams()[:2]
    shell.page.selected = rows
    assert controller.delete_selected() == ("many", "workstreams", [r.id for r in rows])


def test_the_controller_loads_without_the_window():
    """It is composed by the window, not part of it: importing it does not load the shell."""
    import subprocess
    import sys

    code = "import sys, ui.workstreams.controller; print('ui.shell.main_window' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
