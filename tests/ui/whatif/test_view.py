"""The What-if view: a form prefilled from the configuration, runs off the GUI thread, two runs side by side."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from ui.whatif.charts import SvgChart
from ui.whatif.view import WhatIfView

CONFIG = {
    "format": "workstream-console/config", "version": 1,
    "agents": [{"name": "Ana", "capacity": 10}, {"name": "Ben", "capacity": 10}],
    "queues": [{"name": "General", "agents": ["Ana", "Ben"]}, {"name": "VIP", "agents": ["Ben"]}],
    "workstreams": [
        {"name": "Chat", "channel": "live_chat", "capacity": 10, "default_queue": "General",
         "context_variables": [{"display_name": "Tier", "name": "tier", "type": "text"}],
         "routing_rules": [{"name": "Gold", "queue": "VIP",
                            "condition": {"all": [{"variable": "tier", "operator": "eq", "value": "gold"}]}}]},
        {"name": "Old SMS", "channel": "sms", "active": False},
    ],
}


@pytest.fixture
def view(qtbot, services):
    widget = WhatIfView(services, config_doc=CONFIG)
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    return widget


def run_and_wait(qtbot, view):
    with qtbot.waitSignal(view.runFinished, timeout=20_000):
        view.run_button.click()


def test_the_form_is_prefilled_from_the_configuration(view):
    assert len(view.arrival_names) == 1  # the inactive stream is left out
    assert view.arrival_names[0].text() == "Chat"
    assert view._cell(0, 1).value() > 0
    assert "gold" in view.arrival_names[0].toolTip()  # the values its rules compare with
    model = view.current_model()
    assert model["arrivals"][0]["context"] == {"tier": {"weights": {"gold": 1, "other": 1}}}
    assert view.empty_results.isVisible() and not view.columns.isVisible()
    assert not view.report_button.isEnabled()


def test_a_run_fills_the_tiles_and_charts_and_the_next_one_sits_beside_it(qtbot, view):
    view.duration_min.setValue(120)
    view.warmup_min.setValue(10)
    run_and_wait(qtbot, view)
    assert view.columns.isVisible() and not view.empty_results.isVisible()
    assert view.latest.tiles["arrived"].text() not in ("", "—")
    assert view.latest.tiles["service_level"].text().endswith("%")
    assert all(isinstance(chart, SvgChart) and "<svg" in chart.svg for chart in view.latest.charts)
    assert not view.previous.isVisible()
    first_arrived = view.latest.tiles["arrived"].text()
    view._cell(0, 1).setValue(view._cell(0, 1).value() * 2)  # twice the conversations
    run_and_wait(qtbot, view)
    assert view.previous.isVisible()
    assert view.previous.tiles["arrived"].text() == first_arrived
    assert int(view.latest.tiles["arrived"].text().replace(",", "")) > int(first_arrived.replace(",", ""))
    assert view.report_button.isEnabled()


def test_report_and_csv_export_the_runs_shown(qtbot, view, tmp_path):
    view.duration_min.setValue(60)
    view.warmup_min.setValue(0)
    run_and_wait(qtbot, view)
    run_and_wait(qtbot, view)
    view.export_report(str(tmp_path / "r.html"))
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count("<svg") == 6
    view.export_csv(str(tmp_path / "s.csv"))
    lines = (tmp_path / "s.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "run,interval_end_s,series,name,value" and {line.split(",")[0] for line in lines[1:]} == {
        "Run 1", "Run 2"}


def test_model_files_round_trip_and_keep_what_the_form_does_not_show(view, tmp_path):
    path = tmp_path / "m.json"
    model = view.current_model()
    model["arrivals"][0]["profile"] = [[0, 1], [3600, 2]]
    model["agents"]["Ana"] = {"presence": [[600, "Away"]]}
    path.write_text(json.dumps(model))
    view.load_model_file(str(path))
    view.seed.setValue(99)
    view.save_model_file(str(tmp_path / "saved.json"))
    saved = json.loads((tmp_path / "saved.json").read_text())
    assert saved["seed"] == 99 and saved["arrivals"][0]["profile"] == [[0, 1], [3600, 2]]
    assert saved["agents"]["Ana"] == {"presence": [[600, "Away"]]}


def test_a_bad_model_file_is_one_error_message_and_the_form_is_kept(view, tmp_path, answers):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**view.current_model(), "duration_s": -5}))
    before = view.current_model()
    view._file_action("Open workload model", view.load_model_file, str(path))
    assert answers.asked == [("error", "Open workload model", "bad.json: duration_s: Input should be greater than 0")]
    assert view.current_model() == before


def test_a_model_error_at_run_time_shows_inline(qtbot, view):
    view.model_doc["arrivals"][0]["workstream"] = "Gone"
    run_and_wait(qtbot, view)
    assert "unknown work stream 'Gone'" in view.error_label.text() and view.error_label.isVisible()
    assert view.run_button.isEnabled()


def test_an_unsimulatable_configuration_says_so_and_cannot_run(qtbot, services):
    broken = {**CONFIG, "workstreams": [{**CONFIG["workstreams"][0], "default_queue": "Nowhere"}]}
    widget = WhatIfView(services, config_doc=broken)
    qtbot.addWidget(widget)
    assert "can't be simulated" in widget.error_label.text()
    assert not widget.run_button.isEnabled()


def test_the_demo_database_configuration_is_used_by_default(qtbot, services):
    widget = WhatIfView(services)
    qtbot.addWidget(widget)
    assert len(widget.arrival_names) >= 1 and widget.run_button.isEnabled()


def test_run_is_reachable_from_the_keyboard(qtbot, view):
    view.duration_min.setValue(60)
    with qtbot.waitSignal(view.runFinished, timeout=20_000):
        qtbot.keyClick(view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert view.columns.isVisible()


def test_the_menu_entry_opens_the_lab_in_its_own_window(qtbot, services):
    from PySide6.QtWidgets import QWidget

    from ui.whatif import open_whatif_lab

    shell = QWidget()
    qtbot.addWidget(shell)
    shell.services = None
    open_whatif_lab(shell)  # services still loading: nothing happens
    assert shell.findChild(WhatIfView) is None
    shell.services = services
    open_whatif_lab(shell)
    lab = shell.findChild(WhatIfView)
    assert lab is not None and lab.isWindow() and lab.isVisible() and lab.windowTitle() == "What-if lab"
    lab.close()


def test_values_from_a_file_the_form_cannot_show_exactly_are_kept_unless_edited(view, tmp_path):
    path = tmp_path / "m.json"
    model = view.current_model()
    model["arrivals"][0]["per_hour"] = 12.5
    model["duration_s"] = 5000
    path.write_text(json.dumps(model))
    view.load_model_file(str(path))
    assert view.current_model()["arrivals"][0]["per_hour"] == 12.5 and view.current_model()["duration_s"] == 5000
    view._cell(0, 1).setValue(20)
    assert view.current_model()["arrivals"][0]["per_hour"] == 20


def test_cancel_keeps_the_results_shown_before(qtbot, view):
    view.duration_min.setValue(60)
    run_and_wait(qtbot, view)
    shown = view.latest.tiles["arrived"].text()
    with qtbot.waitSignal(view.runFinished, timeout=20_000):
        view.run_button.click()
        assert not view.run_button.isEnabled()  # one run at a time
        view.task.cancel()  # before the worker starts: it stops at once
    assert view.error_label.text() == "Run cancelled: the results shown are from before."
    assert view.latest.tiles["arrived"].text() == shown and view.run_button.isEnabled()


# --------------------------------------------------------------------------- document version 2

@pytest.fixture
def v2_view(qtbot, services):
    from tests.app.simulation.test_whatif_v2 import config as v2_config

    widget = WhatIfView(services, config_doc=v2_config())
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    return widget


def test_the_start_is_read_from_a_model_and_written_only_when_changed(v2_view, tmp_path):
    from tests.app.simulation.test_whatif_v2 import model as v2_model

    assert not v2_view.use_start.isChecked() and not v2_view.start.isEnabled()
    assert "start" not in v2_view.current_model()
    path = tmp_path / "m.json"
    path.write_text(json.dumps({**v2_model(), "start": "2026-12-07T08:00"}))
    v2_view.load_model_file(str(path))
    assert v2_view.use_start.isChecked() and v2_view.start.isEnabled()
    assert v2_view.start.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-12-07 08:00"
    assert v2_view.current_model()["start"] == "2026-12-07T08:00"  # the file's text, untouched
    v2_view.start.setDateTime(v2_view.start.dateTime().addSecs(3600))
    assert v2_view.current_model()["start"] == "2026-12-07T09:00:00"
    v2_view.use_start.setChecked(False)
    assert "start" not in v2_view.current_model()


def test_a_version_2_run_shows_skills_and_overflow_tables(qtbot, v2_view, tmp_path, qtmodeltester):
    from tests.app.simulation.test_whatif_v2 import model as v2_model

    path = tmp_path / "m.json"
    path.write_text(json.dumps(v2_model()))
    v2_view.load_model_file(str(path))
    run_and_wait(qtbot, v2_view)
    column = v2_view.latest
    assert column.skills_table.isVisible() and column.overflow_table.isVisible()
    skills = column.skills_model
    assert [skills.index(row, 0).data() for row in range(skills.rowCount())] == ["Mortgages", "French"]
    assert skills.headerData(4, Qt.Orientation.Horizontal) == "SL" and skills.index(0, 4).data().endswith("%")
    overflow = column.overflow_model
    assert overflow.index(0, 0).data() == "Desk" and int(overflow.index(0, 1).data()) > 0
    qtmodeltester.check(skills, force_py=True)
    qtmodeltester.check(overflow, force_py=True)
    # every row is shown: the table is as tall as its rows (no inner scrolling)
    table = column.skills_table
    assert table.height() >= table.horizontalHeader().height() + 2 * table.rowHeight(0)


def test_a_version_1_run_shows_no_empty_tables(qtbot, view):
    view.duration_min.setValue(60)
    run_and_wait(qtbot, view)
    assert not view.latest.skills_table.isVisible() and not view.latest.overflow_title.isVisible()


# 1280 x 720: the two columns with their skills and overflow tables need ~800 px, the results get ~770
@pytest.mark.parametrize("size, side_by_side", [((1024, 700), False), ((1280, 720), False), ((1920, 1080), True)])
def test_two_runs_fit_without_sideways_scrolling(qtbot, services, size, side_by_side):
    """With the app's style sheet, version 2 tables included: side by side when there is room, never clipped."""
    from PySide6.QtWidgets import QBoxLayout

    from tests.app.simulation.test_whatif_v2 import config as v2_config, model as v2_model
    from ui.common import style

    widget = WhatIfView(services, config_doc=v2_config())
    qtbot.addWidget(widget)
    widget.setStyleSheet(style.stylesheet())
    widget.set_model(v2_model())
    widget.resize(*size)
    widget.show()
    run_and_wait(qtbot, widget)
    run_and_wait(qtbot, widget)
    qtbot.waitUntil(lambda: widget.previous.isVisible())
    expected = QBoxLayout.Direction.LeftToRight if side_by_side else QBoxLayout.Direction.TopToBottom
    qtbot.waitUntil(lambda: widget.columns_layout.direction() == expected)
    area = widget.results_scroll
    qtbot.waitUntil(lambda: area.widget().minimumSizeHint().width() <= area.viewport().width())
    assert not area.horizontalScrollBar().isVisible()
    for column in (widget.latest, widget.previous):
        assert column.skills_table.width() >= column.skills_table.minimumWidth()


def test_going_from_side_by_side_to_one_above_the_other_gives_the_charts_their_height(qtbot, services, monkeypatch):
    """A run whose tables need more room than two columns have (the window unchanged): the page grows to
    hold one column above the other, nothing squashed (the scroll area is not resized, so it is told)."""
    from PySide6.QtWidgets import QApplication, QBoxLayout

    from tests.app.simulation.test_whatif_v2 import config as v2_config, model as v2_model
    from ui.whatif import view as view_module

    widget = WhatIfView(services, config_doc=v2_config())
    qtbot.addWidget(widget)
    widget.set_model(v2_model())
    widget.resize(1920, 1000)
    widget.show()
    run_and_wait(qtbot, widget)
    run_and_wait(qtbot, widget)
    qtbot.waitUntil(lambda: widget.columns_layout.direction() == QBoxLayout.Direction.LeftToRight)
    monkeypatch.setattr(view_module, "SIDE_BY_SIDE_MIN", 10_000)  # as if the new tables were that wide
    run_and_wait(qtbot, widget)
    assert widget.columns_layout.direction() == QBoxLayout.Direction.TopToBottom
    QApplication.processEvents()  # what the event loop does next, once: no resize is coming
    page = widget.results_scroll.widget()
    assert page.height() >= page.minimumSizeHint().height()
    for column in (widget.latest, widget.previous):
        for chart in column.charts:
            assert chart.height() >= chart.heightForWidth(chart.width()) - 1


def test_replicated_figures_show_the_mean_in_the_table_and_the_interval_in_the_tooltip(qtbot, v2_view):
    v2_view.replications.setValue(3)
    v2_view.duration_min.setValue(60)
    run_and_wait(qtbot, v2_view)
    skills = v2_view.latest.skills_model
    shown = skills.index(0, 1).data()
    tip = skills.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "–" not in shown and tip.startswith(shown + " (") and "–" in tip
