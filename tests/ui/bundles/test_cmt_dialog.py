"""File > Import Dynamics package: the preview shows the doctor's new findings first, Apply imports."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.config.document import dump
from app.config.io import canonical_json, export_document
from app.config.opening import open_database
from app.interchange.cmt_service import export_cmt
from app.services.core import Services
from ui.bundles.cmt_dialog import ImportCmtDialog
from ui.shell.main_window import MainWindow

TIMEOUT = 30_000
RETAIL = "Chat - Retail banking"


@pytest.fixture
def package_with_a_duplicate_rule(tmp_path, template_databases) -> Path:
    """A CMT package from another console whose retail stream has a copy of its first rule."""
    other = Services(open_database(template_databases.copy_to(tmp_path / "other.db")))
    try:
        stream_id = other.workstream_id_by_name(RETAIL)
        loaded = other.load_workstream(stream_id)
        doc = dump(loaded.doc)
        doc["routing_rules"].append(dict(doc["routing_rules"][0], name="Late copy"))
        other.save_workstream(doc, stream_id, expected_version=loaded.version)
        package = tmp_path / "other.zip"
        export_cmt(other.db, package)
    finally:
        other.db.dispose()
    return package


@pytest.fixture
def window(qtbot, services):
    main = MainWindow(services, restore_settings=False, remember_settings=False)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


def snapshot(db) -> str:
    return canonical_json(export_document(db, with_ids=True))


def test_the_preview_lists_what_the_import_adds_then_apply_imports(
        qtbot, window, services, package_with_a_duplicate_rule, monkeypatch, answers):
    assert window.act_import_cmt.text() == "Import Dynamics package…"
    monkeypatch.setattr(window, "ask_cmt_path", lambda: str(package_with_a_duplicate_rule))
    before = snapshot(services.db)
    dialog = window.import_cmt_package()
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        pass
    assert dialog.isVisible() and snapshot(services.db) == before  # a preview writes nothing
    note = dialog.doctor_note
    assert note.title.text().startswith("Doctor: 1 new finding")
    assert "'Late copy' never fires: it has the same condition as rule 1" in note.list.item(0).text()
    # first: the note comes before the changes
    assert note.geometry().top() < dialog.diff_stack.geometry().top()
    assert dialog.summary_label.text() == "0 to create, 1 to update, 0 to delete"
    assert dialog.remarks_title.text().startswith(("Not carried", "The console carries everything"))

    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT):
        dialog.apply_button.click()
    assert window.status_message.text() == "Imported other.zip: 0 created, 1 updated, 0 deleted"
    doc = export_document(services.db)
    retail = next(w for w in doc["workstreams"] if w["name"] == RETAIL)
    assert retail["routing_rules"][-1]["name"] == "Late copy"
    assert answers.asked[-1][:2] == ("info", "Package imported")


def test_a_refused_package_says_why_in_one_line_and_opens_nothing(qtbot, services, tmp_path, answers):
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"not a zip")
    before = snapshot(services.db)
    dialog = ImportCmtDialog(services, None, garbage)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.taskFinished, timeout=TIMEOUT):
        dialog.start()
    assert not dialog.isVisible() and dialog.result() == ImportCmtDialog.DialogCode.Rejected
    kind, title, text = answers.asked[-1]
    assert (kind, title) == ("error", "Can't import the package") and text.startswith("garbage.zip: ")
    assert "\n" not in text and snapshot(services.db) == before
