"""The Skills page (skills + rating models) and the Capacity profiles page, through the real window."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services.core import Services
from ui.records.list_models import CapacityProfileListModel, ListProxyModel, RatingModelListModel, SkillListModel
from ui.records.pages import SkillsPage
from ui.shell.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, services):
    window = MainWindow(services, restore_settings=False, remember_settings=False)
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def names(table) -> list[str]:
    model = table.model()
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def type_here(qtbot, text: str) -> None:
    qtbot.keyClicks(QApplication.focusWidget(), text)


# --------------------------------------------------------------------------- models


@pytest.mark.parametrize("model_class", [SkillListModel, RatingModelListModel, CapacityProfileListModel])
def test_the_new_list_models_pass_the_model_tester(qtmodeltester, services, model_class):
    model = model_class(services)
    model.refresh()
    assert model.rowCount() > 0
    qtmodeltester.check(model, force_py=True)
    proxy = ListProxyModel(model)
    proxy.sort(1, Qt.SortOrder.DescendingOrder)
    proxy.set_search("o")
    qtmodeltester.check(proxy, force_py=True)


@pytest.mark.parametrize("model_class", [SkillListModel, RatingModelListModel, CapacityProfileListModel])
def test_the_new_list_models_pass_the_model_tester_empty(qtmodeltester, empty_db, model_class):
    model = model_class(Services(empty_db))
    model.refresh()
    assert model.rowCount() == 0
    qtmodeltester.check(model, force_py=True)


def test_skill_and_profile_rows_read_as_people_say_them(services):
    skills = SkillListModel(services)
    skills.refresh()
    assert [skills.index(0, c).data() for c in range(4)] == ["Languages", "Proficiency", "1 · 2 · 3 · 4 · 5", "5"]
    profiles = CapacityProfileListModel(services)
    profiles.refresh()
    assert [profiles.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "Name", "Work item limit", "Agent overrides", "Work streams"]
    assert [profiles.index(0, c).data() for c in range(4)] == ["Chat", "3", "5", "1"]


# --------------------------------------------------------------------------- pages in the window


def test_the_navigation_and_shortcuts_reach_the_new_pages(qtbot, window):
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels[3:5] == ["Skills", "Capacity profiles"]
    qtbot.keyClick(window, Qt.Key.Key_7, CTRL)
    assert window.current_view() == "skills"
    page = window.lists["skills"]
    assert isinstance(page, SkillsPage)
    assert names(page.table) == ["Languages", "Mortgages"]
    assert names(page.rating_table) == ["Proficiency"]
    assert window.act_new.text() == "New skill" and window.status_counts.text() == "2 skills"
    qtbot.keyClick(window, Qt.Key.Key_8, CTRL)
    assert window.current_view() == "capacity_profiles"
    assert names(window.lists["capacity_profiles"].table) == ["Chat"]
    qtbot.keyClick(window, Qt.Key.Key_4, CTRL)  # the keys people knew stay where they were
    assert window.current_view() == "presences"


def test_help_lists_the_view_keys_in_order(qtbot, window):
    dialog = window.show_shortcuts()
    views = [(what, keys) for where, what, keys in dialog.listed() if where == "View" and what.startswith("Show ")]
    assert [keys for _what, keys in views] == [f"Ctrl+{n}" for n in range(1, 9)]
    assert ("Show skills", "Ctrl+7") in views and ("Show capacity profiles", "Ctrl+8") in views
    dialog.close()


def test_create_a_rating_model_then_a_skill_from_the_keyboard(qtbot, window, services):
    window.show_view("skills")
    page = window.lists["skills"]
    qtbot.keyClick(page.table, Qt.Key.Key_R, CTRL | Qt.KeyboardModifier.ShiftModifier)  # New rating model
    dialog = window.current_dialog
    assert dialog is not None and dialog.windowTitle() == "New rating model"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name_edit)
    type_here(qtbot, "Fluency")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.values_edit
    for value in ("Basic", "Good", "Native"):
        type_here(qtbot, value)
        qtbot.keyClick(dialog.values_edit, Qt.Key.Key_Return)
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(dialog.values_edit, Qt.Key.Key_Return, CTRL)  # Ctrl+Enter: the default button
    qtbot.waitUntil(lambda: "Fluency" in names(page.rating_table))
    assert services.list_rating_models()[0].values == ("Basic", "Good", "Native")
    # Ctrl+N on the page: a skill, on the new rating model
    window.activateWindow()  # the offscreen platform does not hand activation back from a closed dialog
    qtbot.waitUntil(window.isActiveWindow)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, CTRL)
    dialog = window.current_dialog
    assert dialog.windowTitle() == "New skill"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name_edit)
    type_here(qtbot, "German")
    dialog.model_combo.setCurrentIndex(dialog.model_combo.findText("Fluency"))
    assert dialog.scale_label.text() == "Basic · Good · Native (lowest first)"
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "German" in names(page.table))
    german = next(s for s in services.list_skills() if s.name == "German")
    assert german.rating_model == "Fluency"


def test_delete_in_the_rating_table_is_refused_before_asking_when_in_use(qtbot, window, answers):
    window.show_view("skills")
    page = window.lists["skills"]
    page.rating_table.setFocus()
    page.rating_table.selectRow(0)
    assert page.command_key() == "rating_models"
    window.delete_selected()
    kind, title, text = answers.asked[-1]
    assert (kind, title) == ("error", "Can't delete rating model 'Proficiency'")
    assert text.startswith("Rating model 'Proficiency' is used by skill 'Languages'")
    assert names(page.rating_table) == ["Proficiency"]


def test_deleting_an_unused_skill_asks_then_goes(qtbot, window, services, answers):
    services.save_skill({"name": "Pensions", "rating_model": "Proficiency"})
    window.show_view("skills")
    page = window.lists["skills"]
    window.refresh()
    page.table.setFocus()
    page.select_id(next(s.id for s in services.list_skills() if s.name == "Pensions"))
    assert page.command_key() == "skills"
    answers.push("yes")
    with qtbot.waitSignal(window.operations.changed):
        window.delete_selected()
    assert answers.asked[-1][1] == "Delete skill?"
    qtbot.waitUntil(lambda: names(page.table) == ["Languages", "Mortgages"])


def test_a_capacity_profile_in_use_is_refused_before_asking(qtbot, window, answers):
    window.show_view("capacity_profiles")
    page = window.lists["capacity_profiles"]
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    kind, title, text = answers.asked[-1]
    assert kind == "error" and text.startswith("Capacity profile 'Chat' is used by work stream 'Chat - Retail banking'")


def test_edit_a_capacity_profile_with_enter(qtbot, window, services):
    window.show_view("capacity_profiles")
    page = window.lists["capacity_profiles"]
    page.table.setFocus()
    page.table.selectRow(0)
    page.table.setCurrentIndex(page.proxy.index(0, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = window.current_dialog
    assert dialog.windowTitle() == "Capacity profile: Chat"
    dialog.limit_spin.setValue(4)
    with qtbot.waitSignal(dialog.saved):
        dialog.accept()
    qtbot.waitUntil(lambda: page.proxy.index(0, 1).data() == "4")
    assert services.list_capacity_profiles()[0].work_item_limit == 4


def test_empty_states_say_what_to_do(qtbot, empty_db):
    window = MainWindow(Services(empty_db), restore_settings=False, remember_settings=False)
    qtbot.addWidget(window)
    window.show()
    window.show_view("skills")
    page = window.lists["skills"]
    assert page.stack.currentWidget() is page.empty
    assert "Click New rating model below" in page.empty.text_label.text()
    assert page.rating_stack.currentWidget() is page.rating_empty
    window.show_view("capacity_profiles")
    profiles = window.lists["capacity_profiles"]
    assert profiles.stack.currentWidget() is profiles.empty
    assert profiles.empty.title_label.text() == "No capacity profiles yet"
    assert profiles.empty_new.text() == "New capacity profile"


def test_search_filters_skills_and_rating_models(qtbot, window):
    window.show_view("skills")
    page = window.lists["skills"]
    window.search_box.setText("mort")
    assert names(page.table) == ["Mortgages"]
    assert page.rating_stack.currentWidget() is page.rating_empty
    assert page.rating_empty.text() == "No rating model matches 'mort'."


def test_no_two_commands_share_a_key():
    """A key bound twice in one window fires neither (Qt calls it ambiguous): the new keys must be free."""
    from ui.shell.actions import shortcut_rows

    seen: dict[str, str] = {}
    for where, what, keys in shortcut_rows():
        if where in ("Record dialogs", "Decline reasons"):
            continue  # their own windows; the decline reasons list's keys act only while it has focus
        for key in keys.split(", "):
            if key == "Del":
                continue  # Delete: the lists' command, and the editor tables' own (the list's is list-only)
            assert key not in seen, f"{key}: {seen[key]} and {what}"
            seen[key] = what


def test_a_skill_saved_from_the_rating_table_is_what_delete_acts_on(qtbot, window, services):
    window.show_view("skills")
    page = window.lists["skills"]
    page.rating_table.setFocus()
    page.rating_table.selectRow(0)
    assert page.command_key() == "rating_models"
    saved = services.save_skill({"name": "Pensions", "rating_model": "Proficiency"})
    # On a desktop the focus moves later than the selection (an event from the window system):
    # what the window asks when the selection changes must already be the skill.
    seen = []
    page.table.selectionModel().selectionChanged.connect(
        lambda *_: seen.append(([r.name for r in page.selected_rows()], page.command_key())))
    window.operations.broadcast(saved.changes)  # as the skill dialog's save does
    assert seen and seen[-1] == (["Pensions"], "skills")
    assert window.act_delete.isEnabled()


def test_the_new_lists_select_one_record_at_a_time(qtbot, window):
    from PySide6.QtWidgets import QAbstractItemView

    window.show_view("skills")
    page = window.lists["skills"]
    for table in (page.table, page.rating_table):
        assert table.selectionMode() == QAbstractItemView.SelectionMode.SingleSelection
    page.table.setFocus()
    page.table.selectAll()
    assert len(page.selected_rows()) <= 1 and window.act_delete.text() == "Delete"


def test_the_skills_page_fits_1024_by_700(qtbot, window):
    window.show_view("skills")
    page = window.lists["skills"]
    button = page.new_rating_button
    assert button.width() >= button.sizeHint().width()
    right = button.mapTo(page, button.rect().topRight()).x()
    assert right <= page.width()
    assert page.rating_table.height() >= 3 * page.rating_table.verticalHeader().defaultSectionSize()
