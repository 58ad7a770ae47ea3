"""Bundle dialogs: export, the import preview (diff tree, conflicts, Apply, Cancel), refusals, history.

Background work is waited for with ``qtbot.waitSignal`` on the dialog's
``taskFinished``; a slow import is made slow with threading.Events the test
controls (no sleeps).
"""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTreeWidgetItem

from app.interchange import bundle_service
from app.interchange.bundle_service import export_bundle, history, import_bundle, list_baselines
from app.interchange.bundles.format import read_bundle
from app.config.io import canonical_json, export_document, import_document
from app.config.opening import open_database
from app.services.core import Services
from tests.app.interchange.bundles.test_format import HOSTILE
from ui.common import background
from ui.common import messages
from ui.common.background import TaskProgressDialog
from ui.bundles.dialogs import (
    CONFLICT_COLOUR,
    ExportBundleDialog,
    ImportBundleDialog,
    export_message,
)
from ui.bundles.history_view import BundleHistoryDialog, BundleHistoryModel
from ui.shell.main_window import MainWindow

TIMEOUT = 30_000
RETAIL = "Chat - Retail banking"
EMPTY_CONFIG = {"format": "workstream-console/config", "version": 1}


# --------------------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def other_db(tmp_path, template_databases):
    """Database B: migrated, empty (a copy of the session's template)."""
    database = open_database(template_databases.copy_to(tmp_path / "other.db", seeded=False))
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def no_task_left_running():
    yield
    left = background.running_tasks()
    for task in left:
        task.cancel()
        task.wait(deliver=False)
    assert not left, "a background task was still running at the end of the test"
    timers = [timer for widget in QApplication.allWidgets() if isinstance(widget, TaskProgressDialog)
              for timer in widget.findChildren(QTimer) if timer.isActive()]
    assert not timers, "a progress dialog's timer was left running"


@pytest.fixture
def window(qtbot, services):
    main = MainWindow(services, restore_settings=False, remember_settings=False)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


def snapshot(db) -> str:
    return canonical_json(export_document(db, with_ids=True))


def edit(db, mutate) -> None:
    doc = export_document(db, with_ids=True)
    mutate(doc)
    import_document(db, doc, replace=True)


def stream(doc: dict, name: str) -> dict:
    return next(w for w in doc["workstreams"] if w["name"] == name)


def wait_task(qtbot, dialog) -> None:
    """Wait for the dialog's running background task (if any) to finish."""
    if dialog.task is not None and dialog.task.is_running():
        with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
            pass


def open_preview(qtbot, services, path, parent=None) -> ImportBundleDialog:
    dialog = ImportBundleDialog(services, parent, path)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.start()
    return dialog


def tree_items(dialog) -> list[QTreeWidgetItem]:
    found = []

    def walk(item):
        found.append(item)
        for i in range(item.childCount()):
            walk(item.child(i))

    for i in range(dialog.tree.topLevelItemCount()):
        walk(dialog.tree.topLevelItem(i))
    return found


def top_level(dialog) -> list[str]:
    return [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]


def item_named(dialog, text: str) -> QTreeWidgetItem:
    return next(item for item in tree_items(dialog) if item.text(0) == text)


@pytest.fixture
def conflict_delta(db, other_db, tmp_path) -> Path:
    """A delta from B that edits the same work stream A changed since their shared baseline."""
    base = tmp_path / "base.wsbundle"
    export_bundle(db, base, label="Q4 baseline")
    import_bundle(other_db, base)

    def offline(doc):
        stream(doc, RETAIL)["capacity"] = 45
        doc["queues"].append({"name": "Mortgages", "kind": "messaging", "description": "", "agents": ["Ana Ruiz"]})
    edit(other_db, offline)
    delta = tmp_path / "edits.wsbundle"
    export_bundle(other_db, delta, delta_since="Q4 baseline", label="Offline edits")
    edit(db, lambda doc: stream(doc, RETAIL).update(capacity=60))
    return delta


# --------------------------------------------------------------------------- export


def test_export_dialog_writes_a_valid_bundle_of_the_chosen_streams_and_records_it(qtbot, services, tmp_path):
    dialog = ExportBundleDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_workstreams(["SMS - Billing alerts"])
    dialog.label_edit.setText("Billing only")
    dialog.set_path(tmp_path / "billing")  # the suffix is added
    with qtbot.waitSignal(dialog.exported, timeout=TIMEOUT) as exported:
        with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
            assert dialog.export() is not None
    target = tmp_path / "billing.wsbundle"
    assert target.is_file()
    loaded = read_bundle(target)
    assert (loaded.kind, loaded.manifest.label) == ("full", "Billing only")
    assert [w["name"] for w in loaded.raw_config["workstreams"]] == ["SMS - Billing alerts"]
    result, message = exported.args
    assert result.path == str(target)
    assert message.startswith("Exported 9 objects (1 work stream and what it uses) to ") and str(target) in message
    rows = history(services.db)
    assert [(r.direction, r.label, r.kind, r.file) for r in rows] == [("export", "Billing only", "full", str(target))]
    assert dialog.result() == ExportBundleDialog.DialogCode.Accepted
    assert list_baselines(services.db) == []  # a subset is not a baseline


def test_exporting_everything_reports_the_baseline_and_enables_deltas(qtbot, services, tmp_path):
    first = ExportBundleDialog(services)
    qtbot.addWidget(first)
    assert not first.delta_radio.isEnabled() and "No baselines yet" in first.baseline_hint.text()
    first.label_edit.setText("Q4")
    first.set_path(tmp_path / "all.wsbundle")
    with qtbot.waitSignal(first.taskFinished, timeout=TIMEOUT):
        first.export()
    (baseline,) = list_baselines(services.db)
    assert first.result_message == (f"Exported 16 objects to {tmp_path / 'all.wsbundle'} "
                                    f"(baseline {baseline['id'][:12]})")

    second = ExportBundleDialog(services)
    qtbot.addWidget(second)
    assert second.delta_radio.isEnabled()
    assert second.baseline_combo.itemText(0).startswith("Q4 — ") and second.baseline_combo.itemText(0).endswith(
        baseline["id"][:12])
    second.set_workstreams(["SMS - Billing alerts"])
    second.set_delta_since(baseline["id"])
    assert second.selected_workstreams() is None and not second.some_streams.isEnabled()  # a delta covers all
    second.set_path(tmp_path / "delta.wsbundle")
    with qtbot.waitSignal(second.taskFinished, timeout=TIMEOUT):
        second.export()
    assert read_bundle(tmp_path / "delta.wsbundle").kind == "delta"
    assert second.result_message == (f"Exported 0 changes since baseline {baseline['id'][:12]} "
                                     f"to {tmp_path / 'delta.wsbundle'}")


def test_export_validates_inline_and_writes_nothing(qtbot, services, tmp_path):
    dialog = ExportBundleDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_workstreams([])
    assert dialog.export() is None
    assert dialog.streams_error.isVisible() and "at least one work stream" in dialog.streams_error.text()
    assert dialog.file_error.isVisible() and dialog.file_error.text() == "Choose where to save the bundle."
    dialog.set_path(tmp_path / "missing-folder" / "x.wsbundle")
    dialog.set_workstreams(None)
    assert dialog.export() is None
    assert "does not exist" in dialog.file_error.text() and not dialog.streams_error.isVisible()
    short_key = tmp_path / "short.key"
    short_key.write_bytes(b"too short")
    dialog.key_picker.set_path(short_key)
    dialog.set_path(tmp_path / "x.wsbundle")
    assert dialog.export() is None
    assert dialog.key_error.text() == "The key file must hold at least 16 bytes."
    assert list(tmp_path.glob("*.wsbundle")) == [] and history(services.db) == []


def test_a_signed_export_verifies_with_the_same_key(qtbot, services, tmp_path):
    key = tmp_path / "team.key"
    key.write_bytes(b"a shared secret that is long enough\n")
    dialog = ExportBundleDialog(services)
    qtbot.addWidget(dialog)
    dialog.key_picker.set_path(key)
    dialog.set_path(tmp_path / "signed.wsbundle")
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.export()
    loaded = read_bundle(tmp_path / "signed.wsbundle", require_signature=True,
                         sign_key=b"a shared secret that is long enough")
    assert loaded.signature_verified


def test_the_export_hook_is_used_by_browse(qtbot, services, tmp_path, monkeypatch):
    dialog = ExportBundleDialog(services)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(dialog, "ask_save_path", lambda: str(tmp_path / "chosen.wsbundle"))
    dialog.file_picker._ask = dialog.ask_save_path
    dialog.file_picker.browse_button.click()
    assert dialog.file_picker.path() == str(tmp_path / "chosen.wsbundle")


def test_export_asks_before_replacing_a_typed_existing_file(qtbot, services, tmp_path, answers):
    target = tmp_path / "exists.wsbundle"
    target.write_bytes(b"keep me")
    dialog = ExportBundleDialog(services)
    qtbot.addWidget(dialog)
    dialog.set_path(target)
    answers.push(messages.NO)
    assert dialog.export() is None
    assert target.read_bytes() == b"keep me" and answers.asked[-1][:2] == ("question", "Replace the file?")
    answers.push(messages.YES)
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        assert dialog.export() is not None
    assert read_bundle(target).kind == "full"


def test_export_message_wording():
    full = bundle_service.ExportResult("/x/a.wsbundle", "full", "", "abcdef1234567890", 1,
                                       {"presences": 2, "agents": 6, "queues": 4, "workstreams": 4})
    assert export_message(full) == "Exported 16 objects to /x/a.wsbundle (baseline abcdef123456)"
    delta = bundle_service.ExportResult("/x/d.wsbundle", "delta", "", "abcdef1234567890", 1, {"changes": 1})
    assert export_message(delta) == "Exported 1 change since baseline abcdef123456 to /x/d.wsbundle"


# --------------------------------------------------------------------------- import: full bundle


def test_full_bundle_preview_into_an_emptied_database_then_apply_refreshes_the_lists(
        qtbot, window, services, tmp_path, monkeypatch, answers):
    source = tmp_path / "demo.wsbundle"
    export_bundle(services.db, source, label="Demo bank")
    import_document(services.db, EMPTY_CONFIG, replace=True)
    window.refresh()
    assert window.lists["workstreams"].model.rowCount() == 0
    monkeypatch.setattr(window, "ask_bundle_path", lambda: str(source))

    dialog = window.import_bundle()  # a child of the window, deleted when it closes
    codes: list[int] = []
    dialog.finished.connect(codes.append)
    wait_task(qtbot, dialog)
    assert dialog.isVisible() and dialog.plan is not None
    assert dialog.title_label.text() == "Demo bank"
    assert dialog.header_values["kind"].text() == "Full configuration"
    assert dialog.header_values["signature"].text() == "Not signed"
    assert not dialog.conflict_box.isVisible()
    assert dialog.summary_label.text() == "20 to create, 0 to update, 0 to delete"
    assert top_level(dialog) == ["Rating models (1)", "Skills (2)", "Capacity profiles (1)",
                                 "Presences (2)", "Agents (6)", "Queues (4)", "Work streams (4)"]
    retail = item_named(dialog, RETAIL)
    assert retail.text(1) == "new" and retail.parent().text(0) == "Work streams (4)"
    assert dialog.apply_button.isEnabled() and dialog.replace_check.isVisible()

    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT) as imported:
        with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
            dialog.apply_button.click()
    assert codes == [ImportBundleDialog.DialogCode.Accepted]  # closed (and deleted): not touched again
    (applied,) = imported.args
    assert window.lists["workstreams"].model.rowCount() > 0  # the window's lists were reloaded
    assert window.lists["queues"].model.rowCount() == 4
    assert window.status_message.text() == "Imported demo.wsbundle: 20 created, 0 updated, 0 deleted"
    kind, title, text = answers.asked[-1]
    assert (kind, title) == ("info", "Bundle imported")
    assert text == "Imported demo.wsbundle: 20 created, 0 updated, 0 deleted."
    assert applied.applied and applied.backup and Path(applied.backup).is_file()
    assert history(services.db)[0].direction == "import"


def test_cancel_in_the_preview_writes_nothing(qtbot, services, db, tmp_path, answers):
    source = tmp_path / "demo.wsbundle"
    export_bundle(db, source)
    import_document(db, EMPTY_CONFIG, replace=True)
    before, history_before = snapshot(db), history(db)
    dialog = open_preview(qtbot, services, source)
    assert dialog.isVisible() and dialog.summary_label.text().startswith("20 to create")
    dialog.cancel_button.click()
    assert not dialog.isVisible() and dialog.result() == ImportBundleDialog.DialogCode.Rejected
    assert snapshot(db) == before and history(db) == history_before
    assert answers.asked == []


def test_replace_previews_the_deletions_it_would_make(qtbot, services, db, tmp_path):
    source = tmp_path / "billing.wsbundle"
    export_bundle(db, source, workstreams=["SMS - Billing alerts"])
    dialog = open_preview(qtbot, services, source)
    assert dialog.diff_stack.currentWidget() is dialog.empty_label  # merging what is already here: no change
    assert "already matches" in dialog.empty_label.text()
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.replace_check.setChecked(True)
    assert "deleted here" in dialog.replace_hint.text()
    assert dialog.summary_label.text() == "0 to create, 0 to update, 7 to delete"
    assert item_named(dialog, RETAIL).text(1) == "deleted"


def test_the_preview_shows_first_the_findings_the_import_would_add(qtbot, services, db, other_db, tmp_path):
    base = tmp_path / "base.wsbundle"
    export_bundle(db, base)
    import_bundle(other_db, base)
    edit(other_db, lambda doc: doc["queues"].append(
        {"name": "Night shift", "kind": "messaging", "description": "", "agents": []}))
    source = tmp_path / "night.wsbundle"
    export_bundle(other_db, source)
    before = snapshot(db)
    dialog = open_preview(qtbot, services, source)
    note = dialog.doctor_note
    assert note.isVisible()
    assert note.title.text().startswith("Doctor: 1 new finding, 2 already there")
    assert note.list.count() == 1
    assert note.list.item(0).text() == "queue 'Night shift' has no members: nothing routed there is ever assigned"
    assert "queues[" in note.list.item(0).toolTip()
    # the note sits above the diff, and the preview wrote nothing
    assert note.geometry().top() < dialog.diff_stack.geometry().top()
    assert snapshot(db) == before
    # the same bundle again into the console it came from adds nothing
    dialog.close()
    other = Services(other_db)
    again = open_preview(qtbot, other, source)
    assert again.doctor_note.title.text().endswith("the import adds no problems.")
    assert not again.doctor_note.list.isVisible()


# --------------------------------------------------------------------------- import: conflicts


def test_a_conflicting_delta_is_shown_in_red_and_blocks_apply_until_theirs_is_chosen(
        qtbot, services, db, conflict_delta, answers):
    before = snapshot(db)
    dialog = open_preview(qtbot, services, conflict_delta)
    assert dialog.isVisible()
    assert dialog.conflict_box.isVisible()
    assert dialog.conflict_title.text().startswith("1 conflict:")
    assert f"Work stream '{RETAIL}': changed here as well since the shared baseline" in dialog.conflict_list.text()
    assert dialog.header_values["kind"].text().startswith("Changes since baseline ")
    assert "'Q4 baseline'" in dialog.header_values["kind"].text()
    assert dialog.conflict_choice() == "stop"
    assert not dialog.apply_button.isEnabled()
    assert not dialog.replace_check.isVisible()  # deltas carry their own deletions
    assert dialog.summary_label.text() == "Nothing will be imported while Stop is chosen"

    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.set_conflict_choice("theirs")
    assert dialog.apply_button.isEnabled()
    assert dialog.summary_label.text() == "1 to create, 1 to update, 0 to delete"
    retail = item_named(dialog, RETAIL)
    assert retail.foreground(0).color() == QColor(CONFLICT_COLOUR)
    assert retail.text(1).startswith("conflict")
    capacity = retail.child(0)
    assert (capacity.text(0), capacity.text(1)) == ("Capacity", "60 → 45")
    assert item_named(dialog, "Mortgages").text(1) == "new"
    assert snapshot(db) == before  # previews wrote nothing

    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.set_conflict_choice("stop")
    assert not dialog.apply_button.isEnabled()
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.set_conflict_choice("theirs")

    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT):
        with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
            dialog.apply()
    doc = export_document(db)
    assert stream(doc, RETAIL)["capacity"] == 45
    assert "Mortgages" in {q["name"] for q in doc["queues"]}
    assert answers.asked[-1][:2] == ("info", "Bundle imported")


def test_keep_ours_imports_the_rest_and_keeps_the_local_edit(qtbot, services, db, conflict_delta):
    dialog = open_preview(qtbot, services, conflict_delta)
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.set_conflict_choice("ours")
    assert dialog.summary_label.text() == "1 to create, 0 to update, 0 to delete"
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.apply()
    doc = export_document(db)
    assert stream(doc, RETAIL)["capacity"] == 60 and "Mortgages" in {q["name"] for q in doc["queues"]}


# --------------------------------------------------------------------------- import: refusals


def test_a_garbage_file_shows_the_one_line_reason_and_nothing_else(qtbot, window, services, tmp_path, monkeypatch,
                                                                    answers):
    garbage = tmp_path / "garbage.wsbundle"
    garbage.write_bytes(b"this is not a zip file at all")
    before = snapshot(services.db)
    monkeypatch.setattr(window, "ask_bundle_path", lambda: str(garbage))
    dialog = window.import_bundle()  # a child of the window, deleted when it closes
    codes: list[int] = []
    dialog.finished.connect(codes.append)
    wait_task(qtbot, dialog)
    assert answers.asked == [("error", "Can't import the bundle", "garbage.wsbundle: bundle: not a zip file")]
    assert codes == [ImportBundleDialog.DialogCode.Rejected]  # never shown
    assert window.status_message.text() == "Import refused: garbage.wsbundle: bundle: not a zip file"
    assert snapshot(services.db) == before and history(services.db) == []


@pytest.mark.parametrize("build, reason", [pytest.param(b, r, id=i) for i, b, r in HOSTILE[:3] + HOSTILE[-3:]])
def test_hostile_bundles_are_refused_with_their_reason(qtbot, services, tmp_path, monkeypatch, answers, build, reason):
    path = tmp_path / "hostile.wsbundle"
    path.write_bytes(build(monkeypatch))
    before = snapshot(services.db)
    dialog = ImportBundleDialog(services, None, path)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.start()
    ((kind, title, text),) = answers.asked
    assert (kind, title) == ("error", "Can't import the bundle") and reason in text and "\n" not in text
    assert not dialog.isVisible() and snapshot(services.db) == before


def test_choosing_another_file_that_is_refused_shows_why_inline(qtbot, services, db, tmp_path, answers):
    source = tmp_path / "good.wsbundle"
    export_bundle(db, source)
    garbage = tmp_path / "garbage.wsbundle"
    garbage.write_bytes(b"PK\x05\x06 not really")
    dialog = open_preview(qtbot, services, source)
    assert dialog.apply_button.isEnabled()
    dialog.ask_open_path = lambda: str(garbage)
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.choose_button.click()
    assert dialog.isVisible() and dialog.error_banner.isVisible()
    assert dialog.error_banner.text().startswith("garbage.wsbundle can't be imported: bundle: ")
    assert not dialog.apply_button.isEnabled() and dialog.plan is None
    assert answers.asked == []  # inline, no message box once the preview is open


def test_require_signature_refuses_an_unsigned_bundle_inline(qtbot, services, db, tmp_path):
    source = tmp_path / "plain.wsbundle"
    export_bundle(db, source)
    key = tmp_path / "team.key"
    key.write_bytes(b"a shared secret that is long enough")
    dialog = open_preview(qtbot, services, source)
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.key_picker.set_path(key)
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.require_signature.setChecked(True)
    assert dialog.error_banner.isVisible()
    assert "signature: missing (this bundle must be signed)" in dialog.error_banner.text()
    assert not dialog.apply_button.isEnabled()


def test_a_signed_bundle_shows_its_signature_verified(qtbot, services, db, tmp_path):
    secret = b"a shared secret that is long enough"
    source = tmp_path / "signed.wsbundle"
    export_bundle(db, source, sign_key=secret)
    key = tmp_path / "team.key"
    key.write_bytes(secret)
    dialog = open_preview(qtbot, services, source)
    assert dialog.header_values["signature"].text().startswith("Signed — not checked")
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.key_picker.set_path(key)
    assert dialog.header_values["signature"].text() == "Signed — verified with the key file"


def test_import_goes_through_the_unsaved_changes_guard(qtbot, window, services, tmp_path, monkeypatch):
    asked: list[bool] = []
    window.open_workstream(services.workstream_id_by_name(RETAIL))
    monkeypatch.setattr(window.editor, "maybe_close", lambda: asked.append(True) or False)
    monkeypatch.setattr(window, "ask_bundle_path", lambda: pytest.fail("must not ask for a file"))
    assert window.import_bundle() is None
    assert asked == [True] and window.editor is not None


# --------------------------------------------------------------------------- import: cancelling a running import


def test_cancelling_a_running_import_leaves_the_database_unchanged(qtbot, services, db, tmp_path, monkeypatch,
                                                                   answers):
    source = tmp_path / "demo.wsbundle"
    export_bundle(db, source, label="Demo bank")
    import_document(db, EMPTY_CONFIG, replace=True)
    before, history_before = snapshot(db), history(db)
    dialog = open_preview(qtbot, services, source)
    assert dialog.apply_button.isEnabled()

    entered, gate = threading.Event(), threading.Event()
    real_import = bundle_service.import_bundle

    def slow_import(*args, progress, **kwargs):
        """The real import, held at its backup step until the test lets it go on."""
        def held(step, done, total):
            progress(step, done, total)  # the runner's callback: raises Cancelled once Cancel was pressed
            if step.startswith("Backing up"):
                entered.set()
                assert gate.wait(TIMEOUT / 1000)
        return real_import(*args, progress=held, **kwargs)

    monkeypatch.setattr(bundle_service, "import_bundle", slow_import)
    try:
        task = dialog.apply()
        assert task is not None and not dialog.apply_button.isEnabled()
        qtbot.waitUntil(entered.is_set, timeout=TIMEOUT)
        progress = task.progress
        qtbot.waitUntil(progress.isVisible, timeout=TIMEOUT)  # the GUI thread is free: the dialog shows up
        assert progress.labelText() == "Backing up the database…"
        progress.cancel_button.click()
        assert progress.labelText() == "Cancelling…"
    finally:
        gate.set()
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        pass
    assert task.state == background.BackgroundTask.CANCELLED
    assert snapshot(db) == before and history(db) == history_before
    assert dialog.isVisible() and dialog.cancel_note.isVisible()
    assert dialog.cancel_note.text() == "Cancelled — nothing was imported."
    assert dialog.apply_button.isEnabled()  # the user may still apply, or close
    assert answers.asked == []


# --------------------------------------------------------------------------- history


def test_history_model_passes_the_model_tester(qtmodeltester, services, db, other_db, tmp_path):
    export_bundle(db, tmp_path / "a.wsbundle", label="Q4")
    import_bundle(other_db, tmp_path / "a.wsbundle")
    export_bundle(db, tmp_path / "b.wsbundle", workstreams=["SMS - Billing alerts"], label="")
    model = BundleHistoryModel(Services(other_db))
    model.refresh()
    qtmodeltester.check(model)
    assert model.rowCount() == 1
    cells = [model.index(0, c).data() for c in range(model.columnCount())]
    assert cells[1:] == ["Import", "a.wsbundle", "Q4", "Full", "20", "0", "0", history(other_db)[0].baseline_id[:12]]
    assert model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole) == str(tmp_path / "a.wsbundle")

    exports = BundleHistoryModel(services)
    exports.refresh()
    qtmodeltester.check(exports)
    assert [exports.index(r, 3).data() for r in range(exports.rowCount())] == ["—", "Q4"]  # newest first
    assert exports.index(0, 5).data() == "—"  # exports create nothing


def test_history_dialog_lists_bundles_newest_first_or_says_there_are_none(qtbot, services, tmp_path):
    empty = BundleHistoryDialog(services)
    qtbot.addWidget(empty)
    assert empty.is_empty() and empty.stack.currentWidget() is empty.empty
    assert "No bundles yet" in empty.empty.text()

    export_bundle(services.db, tmp_path / "one.wsbundle", label="first")
    export_bundle(services.db, tmp_path / "two.wsbundle", label="second")
    dialog = BundleHistoryDialog(services)
    qtbot.addWidget(dialog)
    assert dialog.stack.currentWidget() is dialog.table
    labels = [dialog.proxy.index(r, 3).data() for r in range(dialog.proxy.rowCount())]
    assert labels == ["second", "first"]


def test_the_file_menu_offers_the_bundle_actions(window):
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert {"Import bundle…", "Export bundle…", "Bundle history…"} <= set(texts)
    assert window.act_export_bundle.shortcut().toString() == "Ctrl+Shift+E"
    assert window.act_import_bundle.shortcut().toString() == "Ctrl+Shift+I"


def test_the_menu_opens_the_export_and_history_dialogs(qtbot, window, tmp_path):
    export = window.export_bundle()
    assert isinstance(export, ExportBundleDialog) and export.isVisible()
    export.set_path(tmp_path / "menu.wsbundle")
    with qtbot.waitSignal(export.taskFinished, timeout=TIMEOUT):
        export.export()
    assert window.status_message.text().startswith("Exported 16 objects to ")
    shown = window.show_bundle_history()
    assert isinstance(shown, BundleHistoryDialog) and shown.model.rowCount() == 1
    shown.reject()
