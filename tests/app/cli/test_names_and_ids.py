"""Names compare one way everywhere; ids are never silently shared; `wsc route` is linear."""
from __future__ import annotations

import io
import json
import sys
import unicodedata

import pytest

from app.cli import CliContext, main
from app.cli.route import parse_assignments
from app.common.names import name_key
from app.config.io import export_document, import_document
from app.config.opening import open_database

COMPOSED = unicodedata.normalize("NFC", "Café")
DECOMPOSED = unicodedata.normalize("NFD", "Café")


def wsc(db_path, *argv):
    out, err = io.StringIO(), io.StringIO()
    ctx = CliContext(db_url=f"sqlite:///{db_path}", stdout=out, stderr=err, stdin=io.StringIO(""))
    return main(["--db", str(db_path), *argv], ctx=ctx), out.getvalue(), err.getvalue()


def queue(name, **extra):
    return {"name": name, "kind": "messaging", "description": "", "agents": [], **extra}


def test_composed_and_decomposed_names_are_the_same_name(empty_db):
    assert COMPOSED != DECOMPOSED and name_key(COMPOSED) == name_key(DECOMPOSED) == name_key("CAFÉ")
    doc = {"format": "workstream-console/config", "version": 1, "queues": [queue(COMPOSED), queue(DECOMPOSED)]}
    with pytest.raises(ValueError, match="duplicate queue name"):
        import_document(empty_db, doc)
    import_document(empty_db, {**doc, "queues": [queue(COMPOSED)]})
    import_document(empty_db, {**doc, "queues": [queue(DECOMPOSED, description="same queue")]})
    queues = export_document(empty_db)["queues"]
    assert len(queues) == 1 and queues[0]["description"] == "same queue"


def test_duplicate_ids_in_a_document_are_refused_naming_both_places(tmp_path, template_databases):
    db_path = tmp_path / "d.db"
    template_databases.copy_to(db_path, seeded=False)
    same = "0b6f3a52-6c4e-4d8e-9d7a-3f1e2b4c5d6e"
    doc = {"format": "workstream-console/config", "version": 1,
           "queues": [queue("Alpha", id=same), queue("Beta", id=same)]}
    (tmp_path / "dup.json").write_text(json.dumps(doc))
    code, out, err = wsc(db_path, "import", str(tmp_path / "dup.json"))
    assert code == 1 and err.count("\n") == 1
    assert "queues[1].id" in err and "queues[0]" in err and same in err
    db = open_database(f"sqlite:///{db_path}", seed_demo=False)
    assert export_document(db)["queues"] == []
    db.dispose()


def test_duplicate_ids_in_a_bundle_are_refused(tmp_path, template_databases):
    from app.interchange.bundles.format import write_bundle

    same = "0b6f3a52-6c4e-4d8e-9d7a-3f1e2b4c5d6e"
    agents = [{"name": f"Agent {i}", "capacity": 100, "presence": "Available",
               "id": same if i in (7, 1500) else f"00000000-0000-4000-8000-{i:012d}"} for i in range(2000)]
    doc = {"format": "workstream-console/config", "version": 1, "agents": agents}
    bundle = tmp_path / "agents.wsbundle"
    write_bundle(bundle, doc, label="x", source_database_id="elsewhere", created_at="2026-01-01T00:00:00Z")
    db_path = tmp_path / "r.db"
    template_databases.copy_to(db_path, seeded=False)
    code, _out, err = wsc(db_path, "bundle", "import", str(bundle))
    assert code == 1 and "agents[1500].id" in err and "agents[7]" in err
    code, _out, err = wsc(db_path, "bundle", "validate", str(bundle))
    assert code == 1 and "agents[1500].id" in err


def _casefolds(n: int) -> int:
    items = [f"variable_{i}=value {i}" for i in range(n)]
    calls = 0

    def profile(_frame, event, arg):
        nonlocal calls
        if event == "c_call":
            calls += 1

    sys.setprofile(profile)
    try:
        parse_assignments(items)
    finally:
        sys.setprofile(None)
    return calls


def test_route_arguments_are_parsed_in_linear_time():
    small, large = _casefolds(200), _casefolds(1600)
    # 8x the arguments: linear work grows 8x; the old quadratic parse grew ~64x.
    assert large < 10 * small, (small, large)
