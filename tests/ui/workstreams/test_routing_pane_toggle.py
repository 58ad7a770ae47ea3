"""The Routing rule items tab at 1024 px: the Test routing pane hides and shows (remembered), its
default follows the width, and no header of the tab is narrower than its text."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget

from ui.shell.main_window import MainWindow
from ui.workstreams.editor import TEST_ROUTING_SETTINGS, WorkStreamEditor
from ui.workstreams.editor_models import ClassificationRulesModel, RulesModel
from ui.workstreams.routing_trial_pane import RouteTraceView, TestRoutingPane

RETAIL = "Chat - Retail banking"
CTRL = Qt.KeyboardModifier.ControlModifier
SHOWN_KEY = f"{TEST_ROUTING_SETTINGS}/shown"
SIZES_KEY = f"{TEST_ROUTING_SETTINGS}/sizes"


@pytest.fixture
def open_editor(qtbot, services):
    """A bare editor (no window: it remembers its settings, in the test's own folder)."""
    def factory(width: int = 1100, height: int = 750) -> WorkStreamEditor:
        editor = WorkStreamEditor(services, services.workstream_id_by_name(RETAIL))
        qtbot.addWidget(editor)
        editor.resize(width, height)
        editor.set_tab("routing-rules")
        editor.show()
        qtbot.waitExposed(editor)
        return editor
    return factory


@pytest.fixture
def window_at(qtbot, services, answers):
    """The real window at a size, remembering nothing (as screenshots do), on the retail stream's rules.
    ``navigation_collapsed``: the user's choice of navigation (None: the window's own by its width,
    which collapses it under 1100 px)."""
    def factory(width: int, height: int, tab: str = "routing-rules",
                navigation_collapsed: bool | None = None) -> MainWindow:
        window = MainWindow(services, restore_settings=False, remember_settings=False)
        qtbot.addWidget(window)
        window.resize(width, height)
        if navigation_collapsed is not None:
            window.set_navigation_collapsed(navigation_collapsed, chosen=True)
        window.show()
        qtbot.waitExposed(window)
        window.open_workstream(services.workstream_id_by_name(RETAIL), tab=tab)
        qtbot.waitUntil(window.editor.isVisible)
        QApplication.processEvents()
        return window
    return factory


def pane_shown(editor: WorkStreamEditor) -> bool:
    return editor.routing_side_panel.isVisible()


def rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())


# --------------------------------------------------------------------------- the toggle

def test_the_toggle_hides_and_shows_the_pane_and_the_choice_is_remembered(qtbot, open_editor):
    editor = open_editor()
    assert pane_shown(editor) and editor.test_routing_toggle.isChecked()  # 1100 px: room for both
    beside = editor.rules_view.width()
    qtbot.mouseClick(editor.test_routing_toggle, Qt.MouseButton.LeftButton)
    assert not pane_shown(editor) and not editor.test_routing_toggle.isChecked()
    qtbot.waitUntil(lambda: editor.rules_view.width() > beside + 250)  # the table takes the pane's width
    assert editor.routing_splitter.sizes()[1] == 0
    assert QSettings().value(SHOWN_KEY) in (False, "false")

    again = open_editor()  # the next editor, as wide: hidden, as the user left it
    assert not pane_shown(again) and not again.test_routing_toggle.isChecked()
    qtbot.mouseClick(again.test_routing_toggle, Qt.MouseButton.LeftButton)
    assert pane_shown(again) and again.test_routing_toggle.isChecked()
    assert QSettings().value(SHOWN_KEY) in (True, "true")
    assert open_editor(1000).test_routing_toggle.isChecked()  # chosen: shown even where the width says hidden


def test_shown_the_test_button_still_routes(qtbot, open_editor):
    editor = open_editor(900)
    assert not pane_shown(editor)
    qtbot.mouseClick(editor.test_routing_toggle, Qt.MouseButton.LeftButton)
    pane = editor.test_routing
    pane._fields["customertier"].setText("Gold")
    with qtbot.waitSignal(pane.routed) as routed:
        qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    assert routed.args[0].queue == "VIP"


def test_the_splitter_sizes_the_user_drags_are_remembered(qtbot, open_editor):
    editor = open_editor(1400)
    splitter = editor.routing_splitter
    assert pane_shown(editor)
    total = sum(splitter.sizes())
    splitter.moveSplitter(total - 520, 1)  # what a drag of the handle does (it emits splitterMoved)
    assert abs(splitter.sizes()[1] - 520) <= 2
    stored = [int(size) for size in QSettings().value(SIZES_KEY)]
    assert abs(stored[1] - 520) <= 2

    again = open_editor(1400)
    assert abs(again.routing_splitter.sizes()[1] - 520) <= 4
    qtbot.mouseClick(again.test_routing_toggle, Qt.MouseButton.LeftButton)  # hidden and shown again:
    qtbot.mouseClick(again.test_routing_toggle, Qt.MouseButton.LeftButton)  # the user's width comes back
    assert abs(again.routing_splitter.sizes()[1] - 520) <= 4


def test_a_window_that_remembers_nothing_reads_nothing(qtbot, window_at):
    QSettings().setValue(SHOWN_KEY, False)
    window = window_at(1280, 720)
    assert pane_shown(window.editor)  # its width decides, as in a screenshot
    qtbot.mouseClick(window.editor.test_routing_toggle, Qt.MouseButton.LeftButton)
    assert not pane_shown(window.editor)
    assert QSettings().value(SHOWN_KEY) in (False, "false")  # untouched (it was already false)
    qtbot.mouseClick(window.editor.test_routing_toggle, Qt.MouseButton.LeftButton)
    assert QSettings().value(SHOWN_KEY) in (False, "false")  # not written


# --------------------------------------------------------------------------- the default, by width

@pytest.mark.parametrize("size, navigation_collapsed, shown", [
    ((1024, 700), False, False),  # a 1024 px laptop with the navigation expanded: the rules need the room
    ((1024, 700), None, True),  # the same laptop as the window starts there (navigation collapsed)
    ((1280, 720), None, True), ((1920, 1080), None, True)])
def test_until_the_user_chooses_the_width_decides(qtbot, window_at, size, navigation_collapsed, shown):
    editor = window_at(*size, navigation_collapsed=navigation_collapsed).editor
    assert pane_shown(editor) is shown, editor.routing_splitter.width()
    assert editor.test_routing_toggle.isChecked() is shown
    view = editor.rules_view
    view.column_fitter.fit()
    # Readable: the demo's rule names show whole and the condition keeps 200 px.
    assert view.columnWidth(RulesModel.NAME) >= view.sizeHintForColumn(RulesModel.NAME), size
    assert view.columnWidth(RulesModel.CONDITION) >= 200, size


def test_the_default_follows_a_resize_but_a_choice_stays(qtbot, open_editor):
    editor = open_editor(1100)
    assert pane_shown(editor)
    editor.resize(800, 750)
    qtbot.waitUntil(lambda: not pane_shown(editor))
    editor.resize(1100, 750)
    qtbot.waitUntil(lambda: pane_shown(editor))
    qtbot.mouseClick(editor.test_routing_toggle, Qt.MouseButton.LeftButton)  # the user hides it
    editor.resize(1500, 750)
    qtbot.waitUntil(lambda: editor.routing_splitter.width() > 1400)
    assert not pane_shown(editor)


# --------------------------------------------------------------------------- keyboard

def test_ctrl_t_opens_the_pane_in_its_first_field_and_closes_it_back_to_the_rules(qtbot, window_at):
    window = window_at(1024, 700, navigation_collapsed=False)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    editor = window.editor
    assert not pane_shown(editor)
    editor.rules_view.setFocus()
    qtbot.waitUntil(editor.rules_view.hasFocus)
    qtbot.keyClick(editor.rules_view, Qt.Key.Key_T, CTRL)
    assert pane_shown(editor)
    first = editor.test_routing._fields["accountbalance"]
    qtbot.waitUntil(first.hasFocus)
    qtbot.keyClicks(first, "250")  # typing goes where the keyboard landed
    assert first.text() == "250"
    qtbot.keyClick(first, Qt.Key.Key_T, CTRL)
    assert not pane_shown(editor)
    qtbot.waitUntil(editor.rules_view.hasFocus)


def test_help_lists_ctrl_t_once(qtbot):
    from ui.shell.actions import native, shortcut_rows

    rows = [(what, keys) for _where, what, keys in shortcut_rows() if native("Ctrl+T") in keys.split(", ")]
    assert rows == [("Show or hide the Test routing pane (Routing rule items)", native("Ctrl+T"))]


# --------------------------------------------------------------------------- nothing clipped

def test_shown_at_1024_the_rules_buttons_fit_side_by_side(qtbot, window_at, styled):
    window = window_at(1024, 700, navigation_collapsed=False)  # the tightest: the navigation expanded
    editor = window.editor
    qtbot.mouseClick(editor.test_routing_toggle, Qt.MouseButton.LeftButton)
    assert pane_shown(editor)
    QApplication.processEvents()
    buttons = [editor.new_rule_button, editor.edit_rule_button, editor.delete_rule_button,
               editor.move_up_button, editor.move_down_button, editor.test_routing_toggle]
    row = buttons[0].parentWidget()
    rects = [rect_in(button, row) for button in buttons]
    for button, rect in zip(buttons, rects):
        assert button.width() >= button.minimumSizeHint().width(), f"{button.objectName()} squeezed"
        assert rect.right() <= rect_in(editor.rules_view, row).right(), f"{button.objectName()} beyond the table"
    for first, second in zip(rects, rects[1:]):
        assert first.right() < second.left(), f"{first} overlaps {second}"
    assert editor.rules_button_row.compact  # New, Edit, Delete gave up their minimum width to make room
    splitter = editor.routing_splitter
    assert splitter.widget(0).width() >= splitter.widget(0).minimumSizeHint().width()
    qtbot.mouseClick(editor.test_routing_toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.rules_button_row.compact)  # alone, the row has its full width again


def test_a_narrow_remembered_split_squeezes_no_button_and_no_header(qtbot, open_editor, styled):
    """The user widened the pane at 1280 px and opens the editor at 1024: the rules side gets ~400 px."""
    QSettings().setValue(SHOWN_KEY, True)
    QSettings().setValue(SIZES_KEY, [537, 467])
    editor = open_editor(776, 676)  # the editor's share of a 1024x700 window
    QApplication.processEvents()
    left = editor.routing_splitter.widget(0)
    assert pane_shown(editor) and left.width() < 430
    assert editor.rules_button_row.level == 2 and editor.test_routing_toggle.text() == ""  # its icon alone
    buttons = [editor.new_rule_button, editor.edit_rule_button, editor.delete_rule_button,
               editor.move_up_button, editor.move_down_button, editor.test_routing_toggle]
    rects = [rect_in(button, left) for button in buttons]
    for button in buttons:
        assert button.width() >= button.sizeHint().width(), f"{button.objectName()} squeezed"
    for first, second in zip(rects, rects[1:]):
        assert first.right() < second.left(), f"{first} overlaps {second}"
    assert rects[-1].right() < left.width()
    editor.rules_view.column_fitter.fit()
    assert_headers_whole(editor.rules_view.horizontalHeader())
    editor.resize(1400, 750)  # wider: the toggle's text and the buttons' widths come back
    qtbot.waitUntil(lambda: editor.rules_button_row.level == 0)
    assert editor.test_routing_toggle.text() == "Test routing"


def assert_headers_whole(header) -> None:
    for section in range(header.count()):
        if not header.isSectionHidden(section):
            assert header.sectionSize(section) >= header.sectionSizeHint(section), \
                (header.model().headerData(section, Qt.Orientation.Horizontal), header.sectionSize(section))


@pytest.mark.parametrize("width", [230, 300, 600])
def test_the_route_trace_headers_are_never_narrower_than_their_text(qtbot, services, styled, width):
    view = RouteTraceView()
    qtbot.addWidget(view)
    view.resize(width, 300)
    view.show()
    qtbot.waitExposed(view)
    assert_headers_whole(view.header())  # before any trace, in the style sheet's bold header font
    pane = TestRoutingPane(services)  # a trace, for its rows
    qtbot.addWidget(pane)
    stream_id = services.workstream_id_by_name(RETAIL)
    stream = services.load_workstream(stream_id).doc.model_dump()
    pane.set_workstream(stream, stream_id)
    pane._fields["topic"].setText("a question about pensions, investments and everything between them")
    result = pane.run_test()
    view.show_route(stream, trace=result.trace, queue=result.queue, rule=result.rule, fallback=result.fallback)
    QApplication.processEvents()
    assert_headers_whole(view.header())
    assert view.header().sectionSize(1) <= max(view.header().sectionSizeHint(1), view.viewport().width() * 0.4 + 1)


@pytest.mark.parametrize("size", [(1024, 700), (1280, 720), (1920, 1080)])
def test_the_rule_tables_headers_are_whole(qtbot, window_at, styled, size):
    window = window_at(*size, tab="classification-rules")
    editor = window.editor
    editor.classification_view.column_fitter.fit()
    assert_headers_whole(editor.classification_view.horizontalHeader())
    view = editor.classification_view
    assert view.columnWidth(ClassificationRulesModel.SKILLS) >= view.sizeHintForColumn(ClassificationRulesModel.SKILLS)
    editor.set_tab("routing-rules")
    qtbot.waitUntil(editor.rules_view.isVisible)
    if not pane_shown(editor):
        qtbot.mouseClick(editor.test_routing_toggle, Qt.MouseButton.LeftButton)  # the narrowest the table gets
    QApplication.processEvents()
    editor.rules_view.column_fitter.fit()
    assert_headers_whole(editor.rules_view.horizontalHeader())
    assert_headers_whole(editor.test_routing.trace_view.header())


def test_on_a_wide_screen_the_pane_takes_a_comfortable_width_and_the_rules_the_rest(qtbot, window_at):
    from ui.workstreams.side_pane import PANE_COMFORTABLE

    editor = window_at(1920, 1080).editor
    splitter = editor.routing_splitter
    rules, pane = splitter.sizes()
    assert pane_shown(editor) and pane <= PANE_COMFORTABLE < rules
    view = editor.rules_view
    view.column_fitter.fit()
    condition = view.model().index(1, RulesModel.CONDITION).data()  # the investments rule's long condition
    assert view.columnWidth(RulesModel.CONDITION) >= view.fontMetrics().horizontalAdvance(condition)
