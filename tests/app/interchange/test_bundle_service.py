"""Bundles against a real database: round trips, deltas, conflicts, hostile files, history."""
from __future__ import annotations

import io
import json
import sqlite3

import pytest

from app.interchange.bundle_service import export_bundle, history, import_bundle
from app.interchange.cmt_service import export_cmt, import_cmt
from app.interchange.bundles.delta import DeltaConflict
from app.cli import CliContext, main
from app.config.io import export_document, import_document
from app.config.opening import open_database
from tests.app.interchange.bundles.test_format import HOSTILE


def dump(path) -> str:
    with sqlite3.connect(path) as connection:
        return "\n".join(connection.iterdump())


def wsc(db_path, *argv):
    out, err = io.StringIO(), io.StringIO()
    ctx = CliContext(db_url=f"sqlite:///{db_path}", stdout=out, stderr=err, stdin=io.StringIO(""))
    return main(["--db", str(db_path), *argv], ctx=ctx), out.getvalue(), err.getvalue()


def edit(db, mutate) -> None:
    doc = export_document(db, with_ids=True)
    mutate(doc)
    import_document(db, doc, replace=True)


def stream(doc, name):
    return next(w for w in doc["workstreams"] if w["name"] == name)


@pytest.fixture
def other_db(tmp_path, template_databases):
    database = open_database(template_databases.copy_to(tmp_path / "other.db", seeded=False))
    yield database
    database.dispose()


def test_full_bundle_round_trips_to_identical_bytes(db, other_db, tmp_path):
    first, second = tmp_path / "a.wsbundle", tmp_path / "b.wsbundle"
    export_bundle(db, first, label="Q4")
    plan = import_bundle(other_db, first)
    # 16 objects of version 1, and the demo's rating model, two skills and capacity profile
    assert plan.applied and plan.counts()["created"] == 20
    export_bundle(other_db, second, label="Q4")
    assert first.read_bytes() == second.read_bytes()


def test_same_configuration_exported_twice_is_byte_identical(db, tmp_path):
    export_bundle(db, tmp_path / "1.wsbundle", label="x")
    export_bundle(db, tmp_path / "2.wsbundle", label="x")
    assert (tmp_path / "1.wsbundle").read_bytes() == (tmp_path / "2.wsbundle").read_bytes()


def test_cmt_round_trips_to_identical_bytes(db, other_db, tmp_path):
    export_cmt(db, tmp_path / "a.zip")
    plan, _remarks = import_cmt(other_db, tmp_path / "a.zip")
    assert plan.applied
    export_cmt(other_db, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_subset_bundle_carries_what_the_streams_reference(db, other_db, tmp_path):
    export_bundle(db, tmp_path / "s.wsbundle", workstreams=["SMS - Billing alerts"])
    import_bundle(other_db, tmp_path / "s.wsbundle")
    doc = export_document(other_db)
    assert [w["name"] for w in doc["workstreams"]] == ["SMS - Billing alerts"]
    assert {q["name"] for q in doc["queues"]} == {"Billing", "VIP"}


def test_delta_applied_to_a_copy_of_the_baseline_reproduces_the_edits(db, other_db, tmp_path):
    export_bundle(db, tmp_path / "base.wsbundle", label="base")
    import_bundle(other_db, tmp_path / "base.wsbundle")

    def offline_edits(doc):
        stream(doc, "Chat - Retail banking")["capacity"] = 45
        stream(doc, "Chat - Retail banking")["routing_rules"].reverse()
        doc["queues"].append({"name": "Mortgages", "kind": "messaging", "description": "", "agents": ["Ana Ruiz"]})
        doc["workstreams"] = [w for w in doc["workstreams"] if w["name"] != "SMS - General enquiries"]
    edit(other_db, offline_edits)
    export_bundle(other_db, tmp_path / "delta.wsbundle", delta_since="base", label="edits")
    plan = import_bundle(db, tmp_path / "delta.wsbundle")
    assert plan.applied and plan.counts() == {"created": 1, "updated": 1, "deleted": 1}
    assert export_document(db, with_ids=True) == export_document(other_db, with_ids=True)


def test_conflicting_delta_is_stopped_with_the_conflicts_named(db, other_db, tmp_path):
    export_bundle(db, tmp_path / "base.wsbundle", label="base")
    import_bundle(other_db, tmp_path / "base.wsbundle")
    edit(other_db, lambda doc: stream(doc, "Chat - Retail banking").update(capacity=45))
    export_bundle(other_db, tmp_path / "delta.wsbundle", delta_since=str(tmp_path / "base.wsbundle"))
    edit(db, lambda doc: stream(doc, "Chat - Retail banking").update(capacity=60))
    before = dump(db.path)
    with pytest.raises(DeltaConflict, match="work stream 'Chat - Retail banking' was changed here and there"):
        import_bundle(db, tmp_path / "delta.wsbundle")
    assert dump(db.path) == before
    preview = import_bundle(db, tmp_path / "delta.wsbundle", dry_run=True)
    assert [c.name for c in preview.conflicts] == ["Chat - Retail banking"] and not preview.applied
    import_bundle(db, tmp_path / "delta.wsbundle", on_conflict="ours")
    assert stream(export_document(db), "Chat - Retail banking")["capacity"] == 60
    import_bundle(db, tmp_path / "delta.wsbundle", on_conflict="theirs")
    assert stream(export_document(db), "Chat - Retail banking")["capacity"] == 45


def test_delta_needs_the_baseline_here(db, other_db, tmp_path):
    export_bundle(db, tmp_path / "base.wsbundle", label="base")
    import_bundle(other_db, tmp_path / "base.wsbundle")
    export_bundle(other_db, tmp_path / "delta.wsbundle", delta_since="base")
    fresh = open_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    with pytest.raises(Exception, match="no baseline"):
        import_bundle(fresh, tmp_path / "delta.wsbundle")
    fresh.dispose()


def test_dry_run_writes_nothing(db, tmp_path):
    export_bundle(db, tmp_path / "b.wsbundle")
    import_document(db, {"format": "workstream-console/config", "version": 1}, replace=True)
    before = dump(db.path)
    plan = import_bundle(db, tmp_path / "b.wsbundle", dry_run=True)
    assert plan.counts()["created"] == 20 and not plan.applied
    assert dump(db.path) == before


def test_history_records_imports_and_exports(db, other_db, tmp_path):
    export_bundle(db, tmp_path / "b.wsbundle", label="Q4")
    import_bundle(other_db, tmp_path / "b.wsbundle")
    assert [(h.direction, h.label, h.kind) for h in history(db)] == [("export", "Q4", "full")]
    (row,) = history(other_db)
    assert (row.direction, row.created, row.file) == ("import", 20, str(tmp_path / "b.wsbundle"))


@pytest.mark.parametrize("build, reason", [pytest.param(b, r, id=i) for i, b, r in HOSTILE])
def test_hostile_bundles_are_refused_by_the_command_and_change_nothing(tmp_path, monkeypatch, build, reason):
    path = tmp_path / "console.db"
    assert wsc(path, "list", "queues")[0] == 0  # create and seed
    bundle = tmp_path / "hostile.wsbundle"
    bundle.write_bytes(build(monkeypatch))
    before = dump(path)
    code, out, err = wsc(path, "bundle", "import", str(bundle))
    assert code == 1 and reason in err and err.startswith("wsc: ") and err.count("\n") == 1
    assert dump(path) == before
    assert list(tmp_path.glob("*.bak")) == []  # refused before the backup step


def test_cli_bundle_commands(tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    out_file = tmp_path / "x.wsbundle"
    assert wsc(a, "bundle", "export", str(out_file), "--label", "L")[0] == 0
    assert wsc(b, "import", "--replace", str(_empty_doc(tmp_path)))[0] == 0
    code, out, _ = wsc(b, "bundle", "validate", str(out_file))
    assert code == 0 and "ok" in out
    code, out, _ = wsc(b, "bundle", "import", str(out_file), "--dry-run", "--json")
    assert code == 0 and json.loads(out)["counts"]["created"] == 20
    code, out, _ = wsc(b, "bundle", "diff", "db", str(out_file))
    assert code == 0 and "+ workstream 'Chat - Retail banking'" in out
    code, out, _ = wsc(b, "bundle", "import", str(out_file))
    assert code == 0 and "imported: 20 created" in out
    assert wsc(b, "bundle", "diff", "db", str(out_file))[1].strip() == "no differences"


def _empty_doc(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text('{"format": "workstream-console/config", "version": 1}')
    return path
