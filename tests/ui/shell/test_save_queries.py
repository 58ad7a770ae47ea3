"""What one Ctrl+S costs the database, counted with SQLAlchemy's before_cursor_execute."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import event

from ui.shell.main_window import MainWindow

RETAIL = "Chat - Retail banking"  # (its capacity is a profile: the edits below are in an enabled number field)

# One Ctrl+S in the work stream editor is:
#  - ONE write transaction, Services.save_workstream: 14 statements on SQLite today (the stream with its
#    variables, rules and channels read for the version check and the writer, the queue names and the
#    name clash for validation, the configuration's last-changed stamp, the UPDATEs) — 15 when that
#    stamp (whole seconds) moves, so its UPDATE is left out of the count.  It hands back the stored
#    document, so the editor does not read the stream again for its new ids and version;
#  - plus what the refresh needs: ONE read, the Test routing pane's saved test cases (another window or
#    the CLI may have changed them).  The work stream list is hidden behind the editor: it is marked
#    stale by the broadcast Changes and reloads once, when it shows again (not on every save).
# Before the operations module it was 27 (26 without the stamp): the write, the stream read back, a list
# page and its count, the stream read once more for its active flag, and the test cases twice.
# The demo's chat stream uses version 2's work distribution (classification rules, a capacity profile,
# a missed-notification presence): checking and writing those costs 9 more statements (skills with their
# rating values, profile and presence names; the rules' skills, split targets and the three lookups).
# The stream is stamped before the writer's first flush, so it takes one UPDATE (it took two before).
WRITE_TRANSACTION = 21
REFRESH_READS = 1


@pytest.fixture
def statements(db):
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def window(qtbot, services):
    window = MainWindow(services, restore_settings=False, remember_settings=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def test_one_save_is_one_write_and_what_the_refresh_needs(qtbot, window, services, statements):
    window.open_workstream(services.workstream_id_by_name(RETAIL))
    editor = window.editor
    editor.assign_after_spin.setFocus()
    qtbot.keyClick(editor.assign_after_spin, Qt.Key.Key_Up)
    editor._retest_timer.stop()  # noqa: SLF001 — the edit's own retest is not the save's cost
    statements.clear()
    with qtbot.waitSignal(editor.saved):
        qtbot.keyClick(editor.assign_after_spin, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    writes = [i for i, s in enumerate(statements) if s.startswith(("UPDATE", "INSERT", "DELETE"))]
    assert writes, statements
    after_write = statements[writes[-1] + 1:]
    refresh = [s for s in after_write if not s.startswith(("SELECT channel.", "SELECT workstream.", "SELECT setting"))
               or "routing_test_case" in s]
    counted = [s for s in statements if not s.startswith("UPDATE setting")]  # the stamp: see above
    assert len(counted) == WRITE_TRANSACTION + REFRESH_READS, "\n".join(statements)
    assert [s.split(" FROM ")[1].split()[0] for s in refresh] == ["routing_test_case"]
    assert not any("context_variable" in s for s in after_write)  # the stream is not read back
    assert window.lists["workstreams"].stale  # hidden: reloads when shown, not now


def test_the_list_reloads_once_when_the_editor_closes(qtbot, window, services, statements):
    window.open_workstream(services.workstream_id_by_name(RETAIL))
    editor = window.editor
    qtbot.keyClick(editor.assign_after_spin, Qt.Key.Key_Up)
    with qtbot.waitSignal(editor.saved):
        window.save_editor()
    statements.clear()
    window.close_editor()
    pages = [s for s in statements if s.startswith("SELECT workstream.")]
    assert len(pages) == 1, statements  # one page of the list, (plus its count), not one per save
    assert not window.lists["workstreams"].stale
