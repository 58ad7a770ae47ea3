"""Record dialogs and record deletes, without the main window.

``RecordsController`` is driven through a small fake shell (the window's side of
``RecordsShell``) over the demo database; the dialogs are the real ones and the writes
run through the real ``Operations``, so what is broadcast is what the pages would hear.
"""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from app.common.errors import UserError
from ui.common import messages
from ui.records.controller import RecordsController
from tests.helpers import shells as helpers

TIMEOUT = 30_000


class FakePage(QWidget):
    """A list page, as far as the controller reads it: the selection and the kind its commands act on."""

    def __init__(self, key: str):
        super().__init__()
        self.key = key
        self.selected: list = []
        self.command_kind = key

    def selected_rows(self):
        return list(self.selected)

    def command_key(self):
        return self.command_kind


class FakeShell(helpers.FakeShell):
    """The window's side of RecordsShell, recording what the controller told it."""

    def __init__(self, services):
        super().__init__(services, "queues")
        self.lists = {key: FakePage(key) for key in ("queues", "agents", "skills", "presences")}
        self.views_asked: list[str] = []

    def current_page(self):
        return self.lists.get(self.view)

    def show_view(self, key):
        self.views_asked.append(key)
        if self.keep_view:
            self.view = key
        return self.keep_view


@pytest.fixture
def shell(qtbot, services):
    widget = FakeShell(services)
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def controller(shell):
    return RecordsController(shell)


def row(services, kind, name):
    rows = {"queues": services.list_queues, "agents": services.list_agents}[kind]()
    return next(r for r in rows if r.name == name)


# --------------------------------------------------------------------------- record dialogs


@pytest.mark.qt_log_ignore("does not support raise")  # offscreen: raising the open dialog is only asked
def test_opening_a_second_dialog_raises_the_first(qtbot, shell, controller, services):
    general = row(services, "queues", "General")
    dialog = controller.open_entity("queues", general.id)
    assert dialog is not None and controller.current_dialog is dialog
    assert dialog.parent() is shell and dialog.name_edit.text() == "General"
    assert controller.open_entity("agents", None) is dialog  # one at a time: the open one comes forward
    assert controller.current_dialog is dialog
    with qtbot.waitSignal(dialog.finished):
        dialog.reject()
    assert controller.current_dialog is None
    other = controller.open_entity("agents", None)
    assert other is not None and other is not dialog and other.windowTitle() == "New agent"
    other.reject()


@pytest.mark.parametrize(("view", "kinds"), [
    ("queues", {"queues", "agents"}),  # an agent's queues are shown on the agents' page
    ("presences", {"presences"}),
])
def test_a_save_broadcasts_what_it_changed_and_says_so(qtbot, shell, controller, view, kinds):
    dialog = controller.open_entity(view, None)
    dialog.name_edit.setText("Night shift")
    with qtbot.waitSignal(dialog.finished):
        dialog.accept()
    assert len(shell.broadcasts) == 1
    changes = shell.broadcasts[0]
    assert changes.kinds == frozenset(kinds) and changes.ids == frozenset({dialog.saved_id})
    assert shell.status_message.text() == f"Saved {dialog.kind} 'Night shift'"
    assert shell.commands_refreshed == 1
    qtbot.waitUntil(lambda: controller.current_dialog is None)


def test_a_dialog_that_cannot_open_says_why(shell, controller, monkeypatch):
    from ui.records import editors

    def gone(*_args):
        raise UserError("the queue no longer exists")

    monkeypatch.setitem(editors.DIALOG_FOR_VIEW, "queues", gone)
    assert controller.open_entity("queues", "gone") is None
    assert shell.errors == [("Can't open the queue", "the queue no longer exists")]
    assert controller.current_dialog is None


def test_a_new_rating_model_opens_on_the_skills_page_unless_the_window_stays(shell, controller):
    shell.keep_view = False  # the window kept an editor's unsaved changes
    assert controller.new_rating_model() is None and controller.current_dialog is None
    shell.keep_view = True
    dialog = controller.new_rating_model()
    assert shell.views_asked == ["skills", "skills"] and dialog is controller.current_dialog
    assert dialog.kind == "rating model"
    dialog.reject()


# --------------------------------------------------------------------------- deleting


def test_deleting_many_asks_once_and_runs_one_background_operation(qtbot, shell, controller, services, answers):
    shell.view = "agents"
    names = ["Farid Haddad", "Emma Lindqvist"]
    shell.lists["agents"].selected = [row(services, "agents", name) for name in names]
    answers.push(messages.YES)
    runs = []
    real_run = shell.operations.run

    def counted_run(fn, *args, **kwargs):
        runs.append((fn, args))
        return real_run(fn, *args, **kwargs)

    shell.operations.run = counted_run
    with qtbot.waitSignal(shell.operations.finished, timeout=TIMEOUT):
        task = controller.delete_selected()
        assert task is not None and shell.operations.busy()
        assert controller.delete_selected() is None  # one at a time: nothing else starts meanwhile
    assert answers.asked == [("question", "Delete 2 agents?",
                              "Delete 2 agents ('Farid Haddad', 'Emma Lindqvist')? This can't be undone.")]
    assert runs == [(services.delete_many, ("agents", [r.id for r in shell.lists["agents"].selected]))]
    assert not set(names) & set(services.names("agents"))
    assert len(shell.broadcasts) == 1 and shell.broadcasts[0].kinds == frozenset({"agents", "queues"})
    assert shell.status_message.text() == "Deleted 2 agents"


def test_deleting_many_that_the_user_declines_runs_nothing(shell, controller, services, answers):
    shell.view = "agents"
    shell.lists["agents"].selected = [row(services, "agents", name) for name in ("Farid Haddad", "Emma Lindqvist")]
    answers.push(messages.NO)
    assert controller.delete_selected() is None
    assert not shell.operations.busy() and shell.broadcasts == []
    assert "Farid Haddad" in services.names("agents")


def test_a_refused_delete_shows_the_reason_before_asking(shell, controller, services, answers):
    shell.lists["queues"].selected = [row(services, "queues", "General")]
    assert controller.delete_selected() is None
    assert len(answers.asked) == 1  # the refusal, no "This can't be undone" question first
    kind, title, text = answers.asked[0]
    assert (kind, title) == ("error", "Can't delete queue 'General'")
    assert "work stream 'Chat - Retail banking' (default queue)" in text
    assert shell.status_message.text() == "Not deleted: queue 'General' is in use"
    assert "General" in services.names("queues")


def test_nothing_selected_or_no_list_deletes_nothing(shell, controller):
    assert controller.delete_selected() is None  # the queues page, nothing selected
    shell.view = "agent-panel"
    assert controller.delete_selected() is None
    shell.view = "workstreams"  # the work stream controller's own
    assert controller.delete_selected() is None


def test_deleting_many_that_are_in_use_says_why_and_deletes_none(qtbot, shell, controller, services, answers):
    shell.lists["queues"].selected = [row(services, "queues", name) for name in ("General", "Billing")]
    answers.push(messages.YES)
    with qtbot.waitSignal(shell.operations.finished, timeout=TIMEOUT):
        assert controller.delete_selected() is not None
    kind, title, text = answers.asked[-1]
    assert (kind, title) == ("error", "Can't delete 2 queues")
    assert "General" in text and "work stream" in text
    assert shell.status_message.text().startswith("Not deleted: 2 queues: ")
    assert {"General", "Billing"} <= set(services.names("queues"))
