"""The main window: navigation, the command bar, lists, the editor host and its guards, settings."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QLabel, QWidget

from app.config.io import canonical_json, export_document
from app.services.core import Services
from ui.common import messages
from ui.records.list_models import SORT_ROLE
from ui.shell import main_window as main_window_module
from ui.shell.main_window import TABS, MainWindow
from ui.workstreams.editor import WorkStreamEditor

RETAIL = "Chat - Retail banking"


class FakeEditor(QWidget):
    """The editor contract, with a scriptable dirty state (independent of the real editor's widgets)."""

    saved = main_window_module.Signal(str)
    dirtyChanged = main_window_module.Signal(bool)
    titleChanged = main_window_module.Signal(str)
    instances: list["FakeEditor"] = []

    def __init__(self, services, workstream_id=None, parent=None, channel="live_chat"):
        super().__init__(parent)
        self.services = services
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self._id = workstream_id
        self.channel = channel
        self.tab = TABS[0]
        self.capacity = None
        self.fail_save = False
        if workstream_id is not None:
            loaded = services.load_workstream(workstream_id)
            self._version, self._name = loaded.version, loaded.doc.name
        else:
            self._version, self._name = None, None
        FakeEditor.instances.append(self)

    def _clean_changed(self, clean: bool) -> None:
        self.dirtyChanged.emit(not clean)

    def edit_capacity(self, value: int) -> None:
        editor = self

        class SetCapacity(QUndoCommand):
            def __init__(self, old, new):
                super().__init__(f"capacity {new}")
                self.old, self.new = old, new

            def redo(self):
                editor.capacity = self.new

            def undo(self):
                editor.capacity = self.old

        self.undo_stack.push(SetCapacity(self.capacity, value))

    def title(self):
        return self._name or "New work stream"

    def save(self):
        if self.fail_save:
            return False
        if self._id is None:
            data = self.services.new_workstream(self.channel)
            data["name"] = "Fake new stream"
            saved = self.services.save_workstream(data)
        else:
            doc = self.services.load_workstream(self._id).doc.model_copy(update={"capacity": self.capacity or 1})
            saved = self.services.save_workstream(doc, self._id, self._version)
        self._id, self._version, self._name = saved.id, saved.version, saved.name
        self.undo_stack.setClean()
        self.titleChanged.emit(saved.name)
        self.saved.emit(saved.id)
        return True

    def is_dirty(self):
        return not self.undo_stack.isClean()

    def maybe_close(self):
        if not self.is_dirty():
            return True
        answer = messages.save_discard_cancel(self, "Unsaved changes", f"Save the changes to '{self.title()}'?")
        if answer == messages.SAVE:
            return self.save()
        return answer == messages.DISCARD

    def set_tab(self, name):
        self.tab = name

    def focus_first_field(self):
        self.setFocus()

    def current_tab(self):
        return self.tab

    def reload(self):
        loaded = self.services.load_workstream(self._id)
        self._version, self._name = loaded.version, loaded.doc.name
        self.undo_stack.clear()

    def set_active_state(self, active, version):
        self._version = version

    def active_state(self):
        return None if self._id is None else self.services.load_workstream(self._id).doc.active

    def workstream_id(self):
        return self._id

    def version(self):
        return self._version


@pytest.fixture
def make_window(qtbot, services):
    def make(editor_factory=FakeEditor, svc=None, **kwargs):
        window = MainWindow(svc or services, editor_factory=editor_factory, **kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    FakeEditor.instances.clear()
    return make


@pytest.fixture
def window(make_window):
    return make_window()


def names(page) -> list[str]:
    return [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())]


def select(page, name: str) -> None:
    row = names(page).index(name)
    page.table.selectRow(row)
    page.table.setCurrentIndex(page.proxy.index(row, 0))


def stream_id(services, name=RETAIL) -> str:
    return services.workstream_id_by_name(name)


OPERATION_TIMEOUT = 30_000


def finished(qtbot, window, start):
    """Run a command that writes (ui.common.operations: off the GUI thread) and wait for it to end."""
    with qtbot.waitSignal(window.operations.finished, timeout=OPERATION_TIMEOUT) as blocker:
        started = start()
    assert started is not None
    return blocker.args[0]


# --------------------------------------------------------------------------- window and navigation


def test_window_title_icon_and_initial_view(window):
    assert window.windowTitle() == "Workstream Console — console.db[*]"
    assert not window.windowIcon().isNull()
    assert window.current_view() == "workstreams"
    assert window.nav.currentItem().text() == "Work streams"
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        "Work streams", "Queues", "Agents", "Skills", "Capacity profiles", "Presences", "Channels",
        "Live agent panel"]
    assert window.status_counts.text() == "3 active work streams"


def test_navigation_switches_pages(qtbot, window):
    for row, key in enumerate(["workstreams", "queues", "agents", "skills", "capacity_profiles", "presences",
                               "channels"]):
        with qtbot.waitSignal(window.viewChanged, raising=False):
            window.nav.setCurrentRow(row)
        assert window.current_view() == key
        assert window.pages.currentWidget() is window.page_widget(key)
    assert window.status_counts.text() == "4 channels"
    assert window.act_new.text() == "New channel"
    window.view_actions["agents"].trigger()
    assert window.current_view() == "agents" and window.nav.currentRow() == 2


def test_view_shortcuts(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view() == "agents"
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view() == "queues"


def test_the_live_agent_panel_is_hosted(qtbot, window):
    from ui.panel.agent_panel import AgentPanel

    window.show_view("agent-panel")
    assert window.agent_panel is not None
    assert window.agent_panel.isVisible()
    assert isinstance(window.agent_panel, AgentPanel)
    assert not window.act_new.isEnabled() and not window.search_box.isVisible()
    assert window.agent_panel.parent() is window.panel_page
    assert not window.act_delete.isVisible() and not window.act_new.isVisible()
    window.show_view("queues")  # hidden again (the panel stops its clock when hidden)
    assert not window.agent_panel.isVisible()


def test_the_panel_gets_the_command_rows_height_and_the_lists_get_it_back(qtbot, make_window):
    window = make_window(panel_factory=lambda services, parent: QLabel("panel", parent))
    assert window.command_row.isVisible()
    height = window.pages.height()
    window.show_view("agent-panel")
    assert not window.command_row.isVisible()
    qtbot.waitUntil(lambda: window.pages.height() > height)  # the row's room went to the panel
    assert window.act_refresh.isEnabled()  # F5 and View > Refresh still reach it
    window.show_view("queues")
    assert window.command_row.isVisible()


def test_agent_panel_is_built_by_its_factory_once(make_window):
    built = []

    def factory(services, parent):
        widget = QLabel("panel", parent)
        built.append((services, widget))
        return widget

    window = make_window(panel_factory=factory)
    window.show_view("agent-panel")
    window.show_view("queues")
    window.show_view("agent-panel")
    assert len(built) == 1 and built[0][0] is window.services
    assert window.agent_panel is built[0][1]


def test_work_stream_filter_active_inactive_all(window):
    page = window.lists["workstreams"]
    assert window.workstream_filter() == "active"
    assert names(page) == ["Chat - Investments desk", RETAIL, "SMS - Billing alerts"]
    window.set_workstream_filter("inactive")
    assert names(page) == ["SMS - General enquiries"]
    assert window.status_counts.text() == "1 inactive work stream"
    window.set_workstream_filter("all")
    assert len(names(page)) == 4
    assert [window.state_combo.itemText(i) for i in range(3)] == [
        "Active work streams", "Inactive work streams", "All work streams"]


def test_search_filters_the_current_list_and_is_focused_by_ctrl_f(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_box.hasFocus()
    qtbot.keyClicks(window.search_box, "retail")
    page = window.lists["workstreams"]
    assert names(page) == [RETAIL]
    assert window.status_counts.text() == "1 of 3 active work streams"
    window.search_box.setText("zzz")
    assert page.stack.currentWidget() is page.empty
    assert page.empty.title_label.text() == "No matches"
    window.show_view("agents")  # a new view starts unfiltered
    assert window.search_box.text() == ""
    assert len(names(window.lists["agents"])) == 6


def test_sorting_by_a_header_click(qtbot, window):
    window.set_workstream_filter("all")
    page = window.lists["workstreams"]
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(4) + header.sectionSize(4) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().center().__class__(x, 5))
    # The sort value (a profile stream shows its profile's name, but sorts by its units)
    capacities = [page.proxy.index(r, 4).data(SORT_ROLE) for r in range(page.proxy.rowCount())]
    assert capacities == sorted(capacities)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().center().__class__(x, 5))
    capacities = [page.proxy.index(r, 4).data(SORT_ROLE) for r in range(page.proxy.rowCount())]
    assert capacities == sorted(capacities, reverse=True)


def test_rows_have_uniform_heights(window):
    table = window.lists["queues"].table
    heights = {table.rowHeight(r) for r in range(table.model().rowCount())}
    assert len(heights) == 1


def test_empty_states_say_what_to_do(make_window, empty_db):
    window = make_window(svc=Services(empty_db))
    page = window.lists["workstreams"]
    assert page.stack.currentWidget() is page.empty
    assert page.empty.title_label.text() == "No active work streams"
    window.set_workstream_filter("all")
    assert page.empty.title_label.text() == "No work streams yet"
    assert "Click New to create one" in page.empty.text_label.text()
    window.show_view("queues")
    queues = window.lists["queues"]
    assert queues.stack.currentWidget() is queues.empty
    assert queues.empty.title_label.text() == "No queues yet"
    queues.empty_new.click()
    assert window.current_dialog is not None and window.current_dialog.kind == "queue"
    window.current_dialog.reject()


# --------------------------------------------------------------------------- entity dialogs from the lists


def test_new_queue_from_the_command_bar(qtbot, window):
    window.show_view("queues")
    window.act_new.trigger()
    dialog = window.current_dialog
    assert dialog is not None and dialog.windowTitle() == "New queue"
    dialog.name_edit.setText("Mortgages")
    with qtbot.waitSignal(dialog.finished):
        dialog.accept()
    page = window.lists["queues"]
    assert "Mortgages" in names(page)
    assert page.selected_row().name == "Mortgages"
    assert window.status_message.text() == "Saved queue 'Mortgages'"
    qtbot.waitUntil(lambda: window.current_dialog is None)


def test_double_click_opens_an_agent_and_saving_refreshes_the_lists(qtbot, window, services):
    window.show_view("agents")
    page = window.lists["agents"]
    row = names(page).index("Ana Ruiz")
    index = page.proxy.index(row, 0)
    rect = page.table.visualRect(index)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = window.current_dialog
    assert dialog is not None and dialog.name_edit.text() == "Ana Ruiz"
    dialog.queue_list.set_checked([])
    with qtbot.waitSignal(dialog.finished):
        dialog.accept()
    assert page.selected_row().queues == ()
    queue_rows = {r.name: r.agent_count for r in window.lists["queues"].model.rows}
    assert queue_rows["General"] == 5  # the queues list was refreshed too


def test_enter_opens_the_selected_row(qtbot, window):
    page = window.lists["workstreams"]
    select(page, RETAIL)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert window.editor is not None
    assert window.editor.workstream_id() == stream_id(window.services)
    assert window.editor_host.title() == RETAIL


# --------------------------------------------------------------------------- delete


def test_delete_queue_in_use_is_refused_naming_the_referrers(qtbot, window, answers, services):
    window.show_view("queues")
    page = window.lists["queues"]
    select(page, "General")
    assert window.act_delete.isEnabled()
    assert window.delete_selected() is None
    assert len(answers.asked) == 1  # refused first: no "This can't be undone" question before the refusal
    kind, title, text = answers.asked[-1]
    assert kind == "error"
    assert title == "Can't delete queue 'General'"
    assert "work stream 'Chat - Retail banking' (default queue)" in text
    assert "work stream 'SMS - General enquiries' (default queue)" in text
    assert "General" in names(page)
    assert window.status_message.text() == "Not deleted: queue 'General' is in use"


def test_delete_key_on_a_list_asks_then_deletes(qtbot, window, answers, services):
    window.show_view("agents")
    page = window.lists["agents"]
    select(page, "Farid Haddad")
    page.table.setFocus()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    answers.push(messages.NO)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert answers.asked[-1][:2] == ("question", "Delete agent?")
    assert "Farid Haddad" in names(page)
    answers.push(messages.YES)
    with qtbot.waitSignal(window.operations.finished, timeout=OPERATION_TIMEOUT):
        qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert "Farid Haddad" not in names(page)
    assert "Farid Haddad" not in services.names("agents")
    assert window.status_message.text() == "Deleted agent 'Farid Haddad'"


def test_delete_work_stream_with_channels_is_refused(window, answers):
    select(window.lists["workstreams"], RETAIL)
    assert not window.delete_selected()
    kind, _title, text = answers.asked[-1]
    assert kind == "error" and "channel 'Website chat widget'" in text


def test_delete_of_a_record_deleted_elsewhere_says_so_and_refreshes(window, answers, services):
    window.show_view("agents")
    page = window.lists["agents"]
    select(page, "Emma Lindqvist")
    services.delete_agent(page.selected_row().id)
    assert not window.delete_selected()
    kind, _title, text = answers.asked[-1]
    assert kind == "error" and "no longer exists" in text
    assert "Emma Lindqvist" not in names(page)


def test_base_presence_delete_is_refused(window, answers):
    window.show_view("presences")
    select(window.lists["presences"], "Available")
    assert not window.delete_selected()
    assert "base presence" in answers.asked[-1][2]


# --------------------------------------------------------------------------- activate, copy


def test_activate_deactivate_follows_the_selection(qtbot, window, services):
    page = window.lists["workstreams"]
    window.set_workstream_filter("all")
    select(page, RETAIL)
    assert window.act_toggle_active.text() == "Deactivate"
    select(page, "SMS - General enquiries")
    assert window.act_toggle_active.text() == "Activate"
    assert window.act_toggle_active.isEnabled()
    assert finished(qtbot, window, window.toggle_active) == "done"
    assert services.load_workstream(stream_id(services, "SMS - General enquiries")).doc.active
    assert window.status_message.text() == "Activated 'SMS - General enquiries'"
    assert window.act_toggle_active.text() == "Deactivate"


def test_deactivating_in_the_active_view_moves_it_to_inactive(qtbot, window, services):
    page = window.lists["workstreams"]
    select(page, RETAIL)
    finished(qtbot, window, window.toggle_active)
    assert RETAIL not in names(page)
    assert "now shows under Inactive work streams" in window.status_message.text()
    window.set_workstream_filter("inactive")
    assert RETAIL in names(page)


def test_activate_without_a_default_queue_explains(qtbot, window, answers, services):
    data = services.new_workstream("sms")
    data["name"] = "SMS - Drafts"
    services.save_workstream(data)
    window.set_workstream_filter("inactive")
    select(window.lists["workstreams"], "SMS - Drafts")
    assert finished(qtbot, window, window.toggle_active) == "failed"
    kind, _title, text = answers.asked[-1]
    assert kind == "error" and "needs a default queue" in text


def test_activate_on_a_stale_row_is_a_conflict_and_refreshes(qtbot, window, answers, services):
    page = window.lists["workstreams"]
    select(page, RETAIL)
    services.set_workstream_active(stream_id(services), False)
    services.set_workstream_active(stream_id(services), True)  # version moved on behind the list
    assert finished(qtbot, window, window.toggle_active) == "failed"
    kind, _title, text = answers.asked[-1]
    assert kind == "error" and "changed by someone else" in text
    assert page.selected_row().version == services.load_workstream(stream_id(services)).version


def test_copy_opens_the_copy_in_the_editor(qtbot, window, services):
    select(window.lists["workstreams"], RETAIL)
    assert window.act_copy.isEnabled()
    finished(qtbot, window, window.copy_workstream)
    copy_id = services.workstream_id_by_name(f"Copy of {RETAIL}")
    assert window.editor.workstream_id() == copy_id
    doc = services.load_workstream(copy_id).doc
    assert not doc.active and doc.channels == []
    assert window.status_message.text().startswith(f"Copied '{RETAIL}' to 'Copy of {RETAIL}'")


def test_command_visibility_follows_the_view(window):
    assert not window.act_save.isVisible() and not window.act_save_close.isVisible()
    assert window.act_copy.isVisible() and not window.act_copy.isEnabled()  # nothing selected
    assert not window.act_delete.isEnabled()
    window.show_view("queues")
    assert not window.act_copy.isVisible() and not window.act_toggle_active.isVisible()
    window.open_workstream(stream_id(window.services))
    assert window.act_save.isVisible() and window.act_save.isEnabled()
    assert window.act_delete.isEnabled() and window.act_copy.isEnabled()
    assert not window.search_box.isVisible()


# --------------------------------------------------------------------------- the editor host


def test_new_save_and_save_close_with_an_editor(qtbot, window, services):
    window.act_new.trigger()
    editor = window.editor
    assert isinstance(editor, FakeEditor) and editor.workstream_id() is None
    assert window.editor_host.title() == "New work stream"
    assert window.workstream_stack.currentWidget() is window.editor_host
    with qtbot.waitSignal(editor.saved):
        window.act_save.trigger()
    assert window.editor_host.title() == "Fake new stream"
    assert window.status_message.text() == "Saved work stream 'Fake new stream'"
    editor.edit_capacity(7)
    assert window.editor_host.title() == "Fake new stream *"
    assert window.isWindowModified()
    window.act_save_close.trigger()
    assert window.editor is None
    assert services.load_workstream(services.workstream_id_by_name("Fake new stream")).doc.capacity == 7
    window.set_workstream_filter("all")
    assert window.lists["workstreams"].selected_row().name == "Fake new stream"


def test_new_menu_offers_each_channel(window):
    assert window.new_button.menu() is window.new_menu
    window.new_channel_actions["sms"].trigger()
    assert window.editor.channel == "sms"
    window.close_editor()
    window.show_view("queues")
    assert window.new_button.menu() is None


def test_failed_save_keeps_the_editor(window):
    window.open_workstream(stream_id(window.services))
    window.editor.fail_save = True
    assert not window.save_and_close()
    assert window.editor is not None
    assert window.status_message.text() == "Not saved: fix the problems shown in the editor"


def test_unsaved_changes_guard_on_navigation(window, answers):
    window.open_workstream(stream_id(window.services))
    editor = window.editor
    editor.edit_capacity(3)
    answers.push(messages.CANCEL)
    window.nav.setCurrentRow(1)
    assert answers.asked[-1][0] == "question"
    assert window.current_view() == "workstreams" and window.nav.currentRow() == 0
    assert window.editor is editor
    answers.push(messages.DISCARD)
    window.nav.setCurrentRow(1)
    assert window.current_view() == "queues" and window.editor is None


def test_unsaved_changes_guard_when_opening_another_record(window, answers, services):
    window.open_workstream(stream_id(services))
    window.editor.edit_capacity(3)
    answers.push(messages.CANCEL)
    assert not window.open_workstream(stream_id(services, "SMS - Billing alerts"))
    assert window.editor.workstream_id() == stream_id(services)
    answers.push(messages.SAVE)
    assert window.open_workstream(stream_id(services, "SMS - Billing alerts"))
    assert services.load_workstream(stream_id(services)).doc.capacity == 3


def test_unsaved_changes_guard_on_close(qtbot, window, answers, services):
    window.open_workstream(stream_id(services))
    window.editor.edit_capacity(4)
    answers.push(messages.CANCEL)
    assert not window.close()
    assert window.isVisible() and window.editor is not None
    answers.push(messages.SAVE)
    assert window.close()
    assert services.load_workstream(stream_id(services)).doc.capacity == 4


def test_back_button_returns_to_the_list_and_selects_the_row(qtbot, window):
    window.open_workstream(stream_id(window.services))
    qtbot.mouseClick(window.editor_host.back_button, Qt.MouseButton.LeftButton)
    assert window.editor is None
    assert window.lists["workstreams"].selected_row().name == RETAIL


def test_undo_redo_are_bound_to_the_current_editor(window):
    window.open_workstream(stream_id(window.services))
    editor = window.editor
    assert window.undo_group.activeStack() is editor.undo_stack
    assert not window.act_undo.isEnabled()
    editor.edit_capacity(5)
    editor.edit_capacity(6)
    assert window.act_undo.isEnabled()
    assert [s.toString() for s in window.act_redo.shortcuts()] == ["Ctrl+Shift+Z", "Ctrl+Y"]
    window.act_undo.trigger()
    assert editor.capacity == 5
    window.act_redo.trigger()
    assert editor.capacity == 6
    window.close_editor(force=True)
    assert window.undo_group.activeStack() is None
    assert not window.act_undo.isEnabled()


def test_toggle_active_in_the_editor(qtbot, window, services, answers):
    window.open_workstream(stream_id(services))
    assert window.act_toggle_active.text() == "Deactivate"
    answers.push(messages.NO)  # a stray click: nothing happens
    window.act_toggle_active.trigger()
    assert services.load_workstream(stream_id(services)).doc.active
    answers.push(messages.YES)
    finished(qtbot, window, window.toggle_active)
    assert not services.load_workstream(stream_id(services)).doc.active
    assert window.act_toggle_active.text() == "Activate"
    assert window.editor is not None


def test_delete_key_inside_the_editor_is_left_to_the_editor(qtbot, window, answers):
    window.open_workstream(stream_id(window.services))
    inner = QWidget(window.editor)
    inner.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    inner.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    inner.setFocus()
    qtbot.waitUntil(inner.hasFocus)
    qtbot.keyClick(inner, Qt.Key.Key_Delete)
    assert answers.asked == []  # no "Delete work stream?" from a key meant for the editor
    assert window.editor is not None


def test_delete_from_the_editor(qtbot, window, answers, services):
    data = services.new_workstream()
    data["name"] = "Chat - Temporary"
    saved = services.save_workstream(data)
    window.open_workstream(saved.id)
    answers.push(messages.YES)
    finished(qtbot, window, window.delete_selected)
    assert window.editor is None
    assert "Chat - Temporary" not in services.names("workstreams")


def test_refresh_reloads_the_lists(window, services):
    window.show_view("queues")
    services.save_queue({"name": "Added elsewhere"})
    assert "Added elsewhere" not in names(window.lists["queues"])
    window.act_refresh.trigger()
    assert "Added elsewhere" in names(window.lists["queues"])
    assert window.status_message.text() == "Refreshed"


def test_a_list_page_is_built_and_loaded_when_first_shown(window, services):
    assert set(window.lists) == {"workstreams"}  # start-up builds the first page only
    services.save_queue({"name": "Added before first look"})
    window.show_view("queues")
    assert set(window.lists) == {"workstreams", "queues"}
    assert "Added before first look" in names(window.lists["queues"])
    assert window.pages.currentWidget() is window.lists["queues"]
    with pytest.raises(KeyError):
        window.lists["nonsense"]


def test_opening_a_deleted_stream_says_so(window, answers, services):
    data = services.new_workstream()
    data["name"] = "Chat - Gone"
    saved = services.save_workstream(data)
    services.delete_workstream(saved.id)
    assert not window.open_workstream(saved.id)
    assert answers.asked[-1][0] == "error" and "no longer exists" in answers.asked[-1][2]
    assert window.editor is None


def test_the_real_editor_is_hosted(qtbot, make_window, services):
    window = make_window(editor_factory=None)
    assert window.open_workstream(stream_id(services), tab="routing-rules")
    assert isinstance(window.editor, WorkStreamEditor)
    assert window.editor_host.title() == RETAIL
    assert window.undo_group.activeStack() is window.editor.undo_stack
    assert not window.editor.is_dirty()
    assert window.show_view("queues")  # a clean editor closes without asking
    assert window.editor is None


def test_the_real_editor_is_guarded_when_it_has_unsaved_changes(make_window, services, answers):
    """An edit on the editor's undo stack (the contract's own view of 'changed') makes leaving ask first."""
    window = make_window(editor_factory=None)
    window.open_workstream(stream_id(services))
    editor = window.editor
    editor.undo_stack.push(QUndoCommand("an edit"))
    assert editor.is_dirty()
    answers.push(messages.CANCEL)
    assert not window.show_view("agents")
    assert window.editor is editor and window.current_view() == "workstreams"
    answers.push(messages.DISCARD)
    assert window.show_view("agents")
    assert window.editor is None


# --------------------------------------------------------------------------- settings


def test_last_view_and_filter_are_restored(qtbot, make_window):
    first = make_window()
    first.show_view("queues")
    first.set_workstream_filter("all")
    first.resize(1000, 700)
    assert first.close()
    assert QSettings().value("mainWindow/view") == "queues"
    second = make_window()
    assert second.current_view() == "queues"
    assert second.nav.currentItem().text() == "Queues"
    assert second.workstream_filter() == "all"


def test_settings_are_left_alone_when_asked(make_window):
    window = make_window(restore_settings=False, remember_settings=False)
    window.show_view("agents")
    window.close()
    assert QSettings().value("mainWindow/view") is None


# --------------------------------------------------------------------------- file menu


TIMEOUT = 30_000


def test_export_then_import(qtbot, window, answers, services, tmp_path, monkeypatch):
    target = tmp_path / "config.json"
    monkeypatch.setattr(window, "ask_save_path", lambda: str(target))
    assert window.act_export.isEnabled()
    with qtbot.waitSignal(window.longActionFinished, timeout=TIMEOUT) as finished:
        window.act_export.trigger()
    assert finished.args == ["done"]
    assert target.read_text(encoding="utf-8") == canonical_json(export_document(services.db))
    streams = len(export_document(services.db)["workstreams"])
    assert window.status_message.text().startswith(f"Exported the configuration to {target} ({streams} work streams, ")

    document = json.loads(target.read_text(encoding="utf-8"))
    document["queues"].append({"name": "Imported queue", "kind": "records", "description": "", "agents": []})
    target.write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setattr(window, "ask_open_path", lambda: str(target))
    answers.push(messages.YES)
    with qtbot.waitSignal(window.longActionFinished, timeout=TIMEOUT):  # the check, then the question
        window.act_import.trigger()
    assert answers.asked[-1][1] == "Import configuration?"
    assert "creates 1" in answers.asked[-1][2]
    qtbot.waitUntil(lambda: window.long_action is None, timeout=TIMEOUT)  # then the import itself
    assert "Imported queue" in services.names("queues")
    window.show_view("queues")
    assert "Imported queue" in names(window.lists["queues"])
    assert window.status_message.text().startswith("Imported config.json: 1 created")


def test_a_declined_import_writes_nothing(qtbot, window, answers, services, tmp_path, monkeypatch):
    target = tmp_path / "config.json"
    document = export_document(services.db)
    document["queues"].append({"name": "Imported queue", "kind": "records", "description": "", "agents": []})
    target.write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setattr(window, "ask_open_path", lambda: str(target))
    answers.push(messages.NO)
    with qtbot.waitSignal(window.longActionFinished, timeout=TIMEOUT):
        window.import_configuration()
    assert window.long_action is None
    assert "Imported queue" not in services.names("queues")
    assert window.status_message.text() == "Not imported: config.json"


def test_import_of_an_invalid_document_is_refused(qtbot, window, answers, services, tmp_path, monkeypatch):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "workstream-console/config", "version": 1,
                               "queues": [{"name": "X", "agents": ["Nobody"]}]}), encoding="utf-8")
    monkeypatch.setattr(window, "ask_open_path", lambda: str(bad))
    with qtbot.waitSignal(window.longActionFinished, timeout=TIMEOUT) as finished:
        window.import_configuration()
    assert finished.args == ["failed"]
    kind, title, text = answers.asked[-1]
    assert (kind, title) == ("error", "Can't import")
    assert "unknown agent 'Nobody'" in text
    assert "X" not in services.names("queues")
    assert window.status_message.text().startswith("Import refused: bad.json is not valid")


def test_import_of_broken_json_is_refused(qtbot, window, answers, tmp_path, monkeypatch):
    bad = tmp_path / "broken.json"
    bad.write_text("{nope", encoding="utf-8")
    monkeypatch.setattr(window, "ask_open_path", lambda: str(bad))
    with qtbot.waitSignal(window.longActionFinished, timeout=TIMEOUT):
        window.import_configuration()
    assert "not valid JSON" in answers.asked[-1][2]


def test_export_to_an_unwritable_place_says_why(qtbot, window, answers, tmp_path, monkeypatch):
    monkeypatch.setattr(window, "ask_save_path", lambda: str(tmp_path / "missing" / "x.json"))
    with qtbot.waitSignal(window.longActionFinished, timeout=TIMEOUT) as finished:
        window.export_configuration()
    assert finished.args == ["failed"]
    assert answers.asked[-1][:2] == ("error", "Can't export")
    status = window.status_message.text()  # names the file (with its folder, the missing part) and why
    assert status.startswith("Export failed: ") and "missing/x.json" in status and "No such file" in status


def select_rows(page, wanted: list[str]) -> None:
    from PySide6.QtCore import QItemSelectionModel

    page.table.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for name in wanted:
        page.table.selectionModel().select(page.proxy.index(names(page).index(name), 0), flags)


def test_deleting_several_records_asks_once_and_runs_in_the_background(qtbot, window, answers, services):
    window.show_view("agents")
    page = window.lists["agents"]
    doomed = ["Farid Haddad", "Emma Lindqvist"]
    select_rows(page, doomed)
    assert page.selected_row() is None and len(page.selected_rows()) == 2
    assert window.act_delete.isEnabled() and window.act_delete.text() == "Delete 2"
    answers.push(messages.YES)
    with qtbot.waitSignal(window.longActionFinished, timeout=TIMEOUT) as finished:
        assert window.delete_selected()
    assert finished.args == ["done"]
    assert answers.asked[-1][:2] == ("question", "Delete 2 agents?")
    assert not set(doomed) & set(services.names("agents"))
    assert not set(doomed) & set(names(page))
    assert window.status_message.text() == "Deleted 2 agents"


def test_deleting_several_is_refused_whole_when_one_is_in_use(qtbot, window, answers, services):
    window.show_view("queues")
    page = window.lists["queues"]
    before = names(page)
    select_rows(page, before)
    answers.push(messages.YES)
    with qtbot.waitSignal(window.longActionFinished, timeout=TIMEOUT) as finished:
        window.delete_selected()
    assert finished.args == ["failed"]
    kind, title, text = answers.asked[-1]
    assert (kind, title) == ("error", f"Can't delete {len(before)} queues")
    assert text.startswith("Nothing deleted: Queue ") and "is used by" in text
    assert names(page) == before and sorted(services.names("queues")) == sorted(before)


def test_cancelling_a_long_delete_says_nothing_was_deleted(qtbot, window, answers, services, monkeypatch):
    import threading

    started, release = threading.Event(), threading.Event()

    def slow_delete(kind, ids, progress=None):  # stands in for a long one: waits at its first progress point
        progress("Deleting agents", 0, len(ids))
        started.set()
        release.wait(TIMEOUT / 1000)
        progress("Deleting agents", 1, len(ids))  # raises Cancelled after Cancel
        raise AssertionError("not cancelled")

    monkeypatch.setattr(window.services, "delete_many", slow_delete)
    window.show_view("agents")
    select_rows(window.lists["agents"], ["Farid Haddad", "Emma Lindqvist"])
    answers.push(messages.YES)
    with qtbot.waitSignal(window.longActionFinished, timeout=TIMEOUT) as finished:
        assert window.delete_selected()
        task = window.long_action
        qtbot.waitUntil(started.is_set, timeout=TIMEOUT)
        assert window.delete_many("agents", window.lists["agents"].selected_rows()) is None  # one at a time
        assert window.status_message.text() == "Wait for the running action to finish (or cancel it)"
        task.cancel()
        release.set()
    assert finished.args == ["cancelled"]
    assert window.status_message.text() == "Delete cancelled: nothing was deleted"
    assert {"Farid Haddad", "Emma Lindqvist"} <= set(services.names("agents"))


def test_generating_a_sample_adds_it_in_the_background(qtbot, window, services, monkeypatch):
    from ui.shell.generate_dialog import GenerateSampleDialog

    monkeypatch.setattr(GenerateSampleDialog, "ask", lambda self: True)
    monkeypatch.setattr(GenerateSampleDialog, "values", lambda self: (25, 2, 3))
    window.set_workstream_filter("all")
    with qtbot.waitSignal(window.longActionFinished, timeout=TIMEOUT) as finished:
        window.act_generate.trigger()
    assert finished.args == ["done"]
    generated = [name for name in services.names("workstreams") if name.startswith("Stream 0000")]
    assert len(generated) == 25
    shown = names(window.lists["workstreams"])
    assert set(generated) <= set(shown)
    assert window.status_message.text().startswith("Generated a sample of 25 work streams: ")


def test_the_generate_dialog_sums_up_its_sizes(qtbot):
    from ui.shell.generate_dialog import GenerateSampleDialog

    dialog = GenerateSampleDialog()
    qtbot.addWidget(dialog)
    dialog.streams.setValue(10_000)
    assert dialog.values() == (10_000, 20, 50)
    assert dialog.objects() > 700_000
    assert "About 7" in dialog.summary.text() and "a minute or more" in dialog.summary.text()
    dialog.streams.setValue(10)
    dialog.rules.setValue(0)
    assert "a minute" not in dialog.summary.text()
    assert dialog.streams.maximum() == 100_000 and dialog.rules.maximum() == 100


def test_reset_to_demo_asks_first(qtbot, window, answers, services):
    services.delete_agent(next(a.id for a in services.list_agents() if a.name == "Farid Haddad"))
    answers.push(messages.NO)
    assert not window.reset_to_demo()
    assert "Farid Haddad" not in services.names("agents")
    answers.push(messages.YES)
    assert finished(qtbot, window, window.reset_to_demo) == "done"  # off the GUI thread, like every write
    assert "Farid Haddad" in services.names("agents")
    window.show_view("agents")
    assert "Farid Haddad" in names(window.lists["agents"])


def test_about_and_quit(window, answers):
    window.act_about.trigger()
    assert answers.asked[-1][1] == "About Workstream Console"
    assert window.act_quit.shortcut().toString() == "Ctrl+Q"
    window.act_quit.trigger()
    assert not window.isVisible()


def test_shortcuts_are_declared(window):
    assert window.act_new.shortcut().toString() == "Ctrl+N"
    assert window.act_save.shortcut().toString() == "Ctrl+S"
    assert window.act_delete.shortcut().toString() == "Del"
    assert window.act_refresh.shortcut().toString() == "F5"
    assert window.act_find.shortcut().toString() == "Ctrl+F"
    assert window.act_undo.shortcut().toString() == "Ctrl+Z"


def test_the_window_knows_every_record_dialog_without_importing_them():
    from ui.records.editors import DIALOG_FOR_VIEW

    assert main_window_module.RECORD_DIALOG_VIEWS == tuple(DIALOG_FOR_VIEW)
