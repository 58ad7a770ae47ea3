"""Two administrators, two database files, real bundles through `wsc bundle`.

Each seeds the demo configuration on their own machine; A sends B a full bundle,
then deltas.  Ids must agree after the full import, so that a delta finds its objects.
"""
from __future__ import annotations

import io

import pytest

from app.cli import CliContext, main
from app.config.io import export_document, import_document
from app.config.opening import open_database


def wsc(db_path, *argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    ctx = CliContext(db_url=f"sqlite:///{db_path}", stdout=out, stderr=err, stdin=io.StringIO(""))
    return main(["--db", str(db_path), *argv], ctx=ctx), out.getvalue(), err.getvalue()


def edit(db_path, mutate) -> None:
    db = open_database(f"sqlite:///{db_path}")
    try:
        doc = export_document(db, with_ids=True)
        mutate(doc)
        import_document(db, doc, replace=True)
    finally:
        db.dispose()


def document(db_path) -> dict:
    db = open_database(f"sqlite:///{db_path}")
    try:
        return export_document(db, with_ids=True)
    finally:
        db.dispose()


def named(items, name):
    return next(item for item in items if item["name"] == name)


@pytest.fixture
def stations(tmp_path, template_databases):
    """A and B, each with the demo configuration, B having received A's full bundle.

    Each is a copy of the session's seeded template, with an identity of its own (seeding on a
    first start gives the same ids: test_demo_configuration_has_the_same_ids_in_every_database).
    """
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    for path in (a, b):
        template_databases.copy_to(path)
        assert wsc(path, "list", "queues")[0] == 0
    full = tmp_path / "full.wsbundle"
    assert wsc(a, "bundle", "export", str(full), "--label", "base")[0] == 0
    code, _out, err = wsc(b, "bundle", "import", str(full))
    assert code == 0, err
    return a, b, full


def test_demo_configuration_has_the_same_ids_in_every_database(tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    for path in (a, b):
        wsc(path, "list", "queues")
    assert document(a) == document(b)


def test_a_full_import_gives_the_receiver_the_bundles_identities(tmp_path):
    """B made the same objects by hand (other ids): after A's full bundle every id agrees."""
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    wsc(a, "list", "queues")
    doc = document(a)
    for kind in ("presences", "agents", "queues", "workstreams"):
        for item in doc[kind]:
            item.pop("id")
            for child in ("context_variables", "routing_rules", "channels"):
                for nested in item.get(child, []):
                    nested.pop("id")
    db = open_database(f"sqlite:///{b}", seed_demo=False)
    import_document(db, doc)
    db.dispose()
    assert document(b) != document(a)  # same names, other ids
    wsc(a, "bundle", "export", str(tmp_path / "full.wsbundle"))
    code, _out, err = wsc(b, "bundle", "import", str(tmp_path / "full.wsbundle"))
    assert code == 0, err
    assert document(b) == document(a)
    assert wsc(b, "bundle", "validate", str(tmp_path / "full.wsbundle"))[0] == 0


def test_rename_edit_delete_and_addition_on_a_all_arrive_on_b(stations, tmp_path):
    a, b, full = stations
    assert document(a) == document(b)

    def change(doc):
        vip = named(doc["queues"], "VIP")
        vip["name"] = "Private clients"
        for stream in doc["workstreams"]:
            for rule in stream["routing_rules"]:
                if rule["queue"] == "VIP":
                    rule["queue"] = "Private clients"
            if stream["default_queue"] == "VIP":
                stream["default_queue"] = "Private clients"
        named(doc["agents"], "Ana Ruiz")["capacity"] = 40
        doc["workstreams"] = [w for w in doc["workstreams"] if w["name"] != "SMS - General enquiries"]
        doc["queues"].append({"name": "Mortgages", "kind": "messaging", "description": "Home loans.",
                              "agents": ["Dev Patel"]})

    edit(a, change)
    delta = tmp_path / "delta.wsbundle"
    code, _out, err = wsc(a, "bundle", "export", str(delta), "--delta-since", str(full))
    assert code == 0, err
    code, out, err = wsc(b, "bundle", "import", str(delta))
    assert code == 0, err + out
    assert document(b) == document(a)
    names = {q["name"] for q in document(b)["queues"]}
    assert "Private clients" in names and "Mortgages" in names and "VIP" not in names


def test_edits_to_different_objects_on_both_sides_merge(stations, tmp_path):
    a, b, full = stations
    edit(a, lambda doc: named(doc["queues"], "Billing").update(description="Edited on A"))
    edit(b, lambda doc: named(doc["queues"], "General").update(description="Edited on B"))
    delta = tmp_path / "delta.wsbundle"
    assert wsc(a, "bundle", "export", str(delta), "--delta-since", str(full))[0] == 0
    code, out, err = wsc(b, "bundle", "import", str(delta))
    assert code == 0, err + out
    queues = document(b)["queues"]
    assert named(queues, "Billing")["description"] == "Edited on A"
    assert named(queues, "General")["description"] == "Edited on B"


def test_the_same_object_changed_on_both_sides_is_a_named_conflict(stations, tmp_path):
    a, b, full = stations
    edit(a, lambda doc: named(doc["queues"], "Billing").update(description="Edited on A"))
    edit(b, lambda doc: named(doc["queues"], "Billing").update(description="Edited on B"))
    before = document(b)
    delta = tmp_path / "delta.wsbundle"
    assert wsc(a, "bundle", "export", str(delta), "--delta-since", str(full))[0] == 0
    code, _out, err = wsc(b, "bundle", "import", str(delta))
    assert code == 1
    assert "queue 'Billing' was changed here and there" in err
    assert document(b) == before


def test_deleted_here_changed_there_says_both_sides(stations, tmp_path):
    a, b, full = stations
    edit(a, lambda doc: named(doc["queues"], "Investments").update(description="Edited on A"))

    def drop_investments(doc):
        doc["workstreams"] = [w for w in doc["workstreams"] if w["name"] != "Chat - Investments desk"]

    edit(b, drop_investments)
    edit(a, lambda doc: named(doc["workstreams"], "Chat - Investments desk").update(capacity=7))
    delta = tmp_path / "delta.wsbundle"
    assert wsc(a, "bundle", "export", str(delta), "--delta-since", str(full))[0] == 0
    code, _out, err = wsc(b, "bundle", "import", str(delta))
    assert code == 1
    assert "work stream 'Chat - Investments desk' was deleted here and changed there" in err
