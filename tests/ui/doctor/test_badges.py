"""The work streams list's doctor badge: computed off the GUI thread after the list loads."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt

from app.config.io import export_document, import_document
from ui.doctor import badges
from ui.doctor.badges import WorkstreamBadges, badge_icon
from ui.shell.main_window import MainWindow

TIMEOUT = 30_000
DESK = "Chat - Investments desk"
RETAIL = "Chat - Retail banking"


def row_of(model, name: str) -> int:
    return next(r for r in range(model.rowCount()) if model.row_at(r).name == name)


def cell(model, name: str, role):
    value = model.data(model.index(row_of(model, name), 0), role)
    if role == Qt.ItemDataRole.ToolTipRole and value is not None:  # rich text, so that it wraps
        assert value.startswith("<qt>") and value.endswith("</qt>")
        value = html.unescape(value[4:-5].replace("<br>", "\n"))
    return value


def open_window(qtbot, services):
    window = MainWindow(services, restore_settings=False, remember_settings=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_badges_arrive_after_the_list_and_name_the_findings(qtbot, services, monkeypatch, qtmodeltester):
    monkeypatch.setattr(badges, "AUTOMATIC", True)
    monkeypatch.setattr(WorkstreamBadges, "DELAY_MS", 60_000)
    window = open_window(qtbot, services)
    page = window.lists["workstreams"]
    model = page.model
    # the list is there before any badge: the doctor has not run on the GUI thread
    assert model.rowCount() == 3 and model.badges == {} and page.badges.task is None
    # the room for a badge is there from the start: names do not move when badges arrive
    assert cell(model, RETAIL, Qt.ItemDataRole.DecorationRole).cacheKey() == badge_icon(None).cacheKey()
    assert page.badges.timer.isActive()  # scheduled for after start-up
    model.set_state("all")  # the inactive stream too
    assert model.rowCount() == 4
    page.badges.timer.setInterval(0)
    with qtbot.waitSignal(page.badges.updated, timeout=TIMEOUT):
        page.badges.timer.start()
    assert cell(model, DESK, Qt.ItemDataRole.DecorationRole).cacheKey() == badge_icon("info").cacheKey()
    tip = cell(model, DESK, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Info: queue 'Investments' is its default queue")
    # no findings: a blank of the same size (the names stay lined up), no tooltip
    assert cell(model, RETAIL, Qt.ItemDataRole.DecorationRole).cacheKey() == badge_icon(None).cacheKey()
    assert cell(model, RETAIL, Qt.ItemDataRole.ToolTipRole) is None
    qtmodeltester.check(model)

    # a change the list hears about: the badges are recomputed, the worst finding wins
    doc = export_document(services.db, with_ids=True)
    retail = next(w for w in doc["workstreams"] if w["name"] == RETAIL)
    retail.update(capacity_format="units", capacity_profile=None, capacity=500, keep_same_agent=True,
                  distribution_mode="pick")
    import_document(services.db, doc, replace=True)
    with qtbot.waitSignal(page.badges.updated, timeout=TIMEOUT):
        page.refresh()
    assert model.badges["chat - retail banking"].worst == "error"
    tip = cell(model, RETAIL, Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines()[0].startswith("Error: a conversation needs 500 capacity units")
    assert "Warning: 'Keep same agent for entire conversation'" in tip
    assert RETAIL not in tip  # the row already names the stream
    page.badges.cancel()


def test_a_long_tooltip_is_cut_with_a_pointer_to_the_doctor():
    from app.doctor import BADGE_LINES, Badge

    badge = Badge("warning", tuple(("warning", f"finding {n}") for n in range(BADGE_LINES + 3)))
    lines = badge.tooltip.splitlines()
    assert len(lines) == BADGE_LINES + 1 and lines[0] == "Warning: finding 0"
    assert lines[-1] == "… and 3 more (View > Configuration doctor)"
