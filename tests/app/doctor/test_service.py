"""The doctor over a database: examination, the editor's per-stream view, bundle and CMT import previews."""
from __future__ import annotations

import pytest

from app.config.document import dump
from app.doctor.service import bundle_import_findings, cmt_import_findings, examine, workstream_findings
from app.interchange.bundle_service import export_bundle, import_bundle
from app.interchange.cmt_service import export_cmt
from app.services.core import Services
from app.config.opening import open_database
from app.store.paths import sqlite_url

STREAM = "Chat - Retail banking"


def demo(path) -> Services:
    return Services(open_database(sqlite_url(path), seed_demo=True))


def add_late_copy(services: Services) -> None:
    stream_id = services.workstream_id_by_name(STREAM)
    loaded = services.load_workstream(stream_id)
    doc = dump(loaded.doc)
    doc["routing_rules"].append(dict(doc["routing_rules"][0], name="Late copy"))
    services.save_workstream(doc, stream_id, expected_version=loaded.version)


@pytest.fixture
def pair(tmp_path, template_databases):
    changed, plain = (Services(open_database(template_databases.copy_to(tmp_path / name)))
                      for name in ("changed.db", "plain.db"))
    add_late_copy(changed)
    yield changed, plain
    changed.db.dispose()
    plain.db.dispose()


def test_examine_and_workstream_findings(pair):
    changed, plain = pair
    steps = []
    result = examine(changed.db, progress=lambda step, done, total: steps.append(step))
    assert "rule-duplicate" in {f.code for f in result.findings} and steps[0] == "Reading the configuration"
    assert result.graph.find("workstream", STREAM) is not None
    by_rule = workstream_findings(changed.db, STREAM)
    assert [f.code for found in by_rule.rules.values() for f in found] == ["rule-duplicate"]
    assert workstream_findings(plain.db, STREAM).count() == 0


def test_a_bundle_import_preview_lists_the_new_findings_first(pair, tmp_path):
    changed, plain = pair
    bundle = tmp_path / "changed.wsbundle"
    export_bundle(changed.db, bundle)
    result = bundle_import_findings(plain.db, bundle)
    assert [f.code for f in result.new] == ["rule-duplicate"]
    assert result.all[0].code == "rule-duplicate" and not result.resolved
    assert not bundle_import_findings(changed.db, bundle).new  # nothing new for the console it came from


def test_a_delta_bundle_is_previewed_by_its_own_dry_run(pair, tmp_path):
    changed, plain = pair
    base = tmp_path / "base.wsbundle"
    export_bundle(plain.db, base, label="base")
    receiver = demo(tmp_path / "receiver.db")
    try:
        import_bundle(receiver.db, base)
        add_late_copy(plain)
        delta = tmp_path / "delta.wsbundle"
        export_bundle(plain.db, delta, delta_since="base")
        result = bundle_import_findings(receiver.db, delta)
        assert [f.code for f in result.new] == ["rule-duplicate"]
        assert receiver.workstream_id_by_name(STREAM) is not None
        assert workstream_findings(receiver.db, STREAM).count() == 0  # a dry run: nothing written
    finally:
        receiver.db.dispose()


def test_compare_findings_new_kept_resolved():
    import copy

    from app.config.demo import demo_distribution_document
    from app.doctor import compare_findings

    before = demo_distribution_document()
    after = copy.deepcopy(before)
    after["queues"].append({"name": "Nobody", "kind": "messaging", "description": "", "agents": []})
    after["workstreams"][3]["context_variables"] = []  # the unused variable goes
    steps = []
    result = compare_findings(before, after, progress=lambda step, done, total: steps.append(step))
    assert [f.code for f in result.new] == ["queue-no-members"]
    assert [f.code for f in result.resolved] == ["variable-unused"]
    assert [f.code for f in result.kept] == ["overflow-on-default-queue"]
    assert steps[0].startswith("Doctor, now") and steps[-1].startswith("Doctor, after the import")


def test_a_cmt_import_preview(pair, tmp_path):
    changed, plain = pair
    package = tmp_path / "changed.zip"
    export_cmt(changed.db, package)
    assert "rule-duplicate" in [f.code for f in cmt_import_findings(plain.db, package).new]
