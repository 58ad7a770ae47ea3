"""What the console stores and reads back is the same on SQLite and on PostgreSQL.

Services, the CLI (``--db-url``) and the GUI against each backend: JSON columns,
booleans, string lengths at their limits, case-insensitive names, LIKE searches
with wildcards, ordering, timestamps, and the SQLite-only helpers being harmless
elsewhere.
"""
from __future__ import annotations

import io
import json
from datetime import datetime

import pytest

from app.cli import CliContext, main
from app.config.document import DocumentInvalid
from app.config.io import export_document, import_document
from app.store.database import foreign_key_problems, table_counts
from app.services.core import Services
from models import Base
from models.choices import DESCRIPTION_MAX, NAME_MAX, PRESENCE_TEXT_MAX


@pytest.fixture
def services(backend_db):
    return Services(backend_db)


def wsc(url, *argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    ctx = CliContext(db_url=url, stdout=out, stderr=err, stdin=io.StringIO(stdin))
    code = main(["--db-url", url, *argv], ctx=ctx)
    return code, out.getvalue(), err.getvalue()


# --------------------------------------------------------------------------- values round trip


def test_json_columns_round_trip(services):
    stream_id = services.workstream_id_by_name("Chat - Retail banking")
    data = services.load_workstream(stream_id).doc.model_dump()
    condition = {"any": [
        {"variable": "topic", "operator": "eq", "value": "Ünïcødé ✓ \"quoted\" \\ back"},
        {"all": [{"variable": "topic", "operator": "ne", "value": "x"},
                 {"variable": "topic", "operator": "contains", "value": "%_"}]},
    ]}
    data["routing_rules"][0]["condition"] = condition
    data["allowed_presences"] = ["away", "available", "busy_dnd"]
    services.save_workstream(data, stream_id)
    again = services.load_workstream(stream_id).doc
    assert again.routing_rules[0].condition == condition
    assert again.allowed_presences == ["available", "busy_dnd", "away"]
    services.save_test_case(stream_id, "Nested", {"topic": "Ünïcødé", "amount": 12.5, "flag": True}, "VIP")
    (case,) = services.list_test_cases(stream_id)
    assert case["context"] == {"topic": "Ünïcødé", "amount": 12.5, "flag": True}


def test_booleans_filter_and_round_trip(services):
    active = {r.name for r in services.list_workstreams("active")}
    inactive = {r.name for r in services.list_workstreams("inactive")}
    assert "SMS - General enquiries" in inactive and active and not active & inactive
    stream_id = services.workstream_id_by_name("SMS - General enquiries")
    data = services.load_workstream(stream_id).doc.model_dump()
    data["keep_same_agent"] = True
    services.save_workstream(data, stream_id)
    assert services.load_workstream(stream_id).doc.keep_same_agent is True
    assert all(isinstance(r.is_system, bool) for r in services.list_presences())


def test_names_and_texts_at_their_length_limits_are_stored_whole(services):
    long_name = "Ω" * NAME_MAX
    saved = services.save_queue({"name": long_name, "description": "d" * DESCRIPTION_MAX})
    assert services.load_queue(saved.id).doc.description == "d" * DESCRIPTION_MAX
    services.save_presence({"name": "P" * NAME_MAX, "base": "away", "text": "t" * PRESENCE_TEXT_MAX})
    # A case-folded name can be longer than the name: 'ΐ' folds to three code points.
    data = services.new_workstream()
    data.update(name="ΐ" * NAME_MAX, default_queue=long_name)
    stream = services.save_workstream(data)
    assert services.load_workstream(stream.id).doc.name == "ΐ" * NAME_MAX
    with pytest.raises(DocumentInvalid):
        services.save_queue({"name": "x" * (NAME_MAX + 1)})


def test_names_are_unique_whatever_their_case(services):
    with pytest.raises(DocumentInvalid, match="already exists"):
        services.save_queue({"name": "bILLING"})
    with pytest.raises(DocumentInvalid, match="already exists"):
        services.save_agent({"name": "ANA RUIZ", "presence": "Available"})
    data = services.new_workstream()
    data.update(name="chat - RETAIL BANKING", default_queue="General")
    with pytest.raises(DocumentInvalid, match="already exists"):
        services.save_workstream(data)
    data.update(name="Straße")
    services.save_workstream(data)
    data.update(name="STRASSE")  # the same name, case-folded
    with pytest.raises(DocumentInvalid, match="already exists"):
        services.save_workstream(data)


def test_names_beyond_ascii_are_unique_and_found_whatever_their_case(services, backend, request):
    services.save_queue({"name": "École"})
    assert [r.name for r in services.list_queues(search="éco")] == ["École"]
    with pytest.raises(DocumentInvalid, match="already exists"):
        services.save_queue({"name": "école"})


def test_search_is_case_insensitive_and_wildcards_are_literal(services):
    assert [r.name for r in services.list_workstreams(search="INVEST")] == ["Chat - Investments desk"]
    assert [r.name for r in services.list_queues(search="vi")] == ["VIP"]
    assert services.list_workstreams(search="100%_") == []
    assert services.list_agents(search="\\") == []
    services.save_queue({"name": "Loans 100%_off \\ back"})
    assert [r.name for r in services.list_queues(search="100%_")] == ["Loans 100%_off \\ back"]
    assert [r.name for r in services.list_queues(search="\\ b")] == ["Loans 100%_off \\ back"]


def test_lists_come_back_in_the_same_order(services):
    names = [r.name for r in services.list_workstreams()]
    assert names == sorted(names, key=str.casefold)
    assert services.names("queues") == ["Billing", "General", "Investments", "VIP"]


def test_the_work_stream_pages_add_up_on_every_order(services):
    """Keyset paging in SQL: a page at a time gives the same rows, in the same order, as one page."""
    for name in ("a b", "ab", "Ab-c", "ábc", "_x", "Z%"):
        data = services.new_workstream()
        data.update(name=name, default_queue="General" if name < "b" else None)
        services.save_workstream(data)
    for order in services.WORKSTREAM_ORDERS:
        for descending in (False, True):
            whole = services.list_workstream_page(order=order, descending=descending, limit=None)["rows"]
            paged, key = [], None
            while True:
                page = services.list_workstream_page(order=order, descending=descending, limit=2, after_key=key)
                paged += page["rows"]
                key = page["last_key"]
                if len(page["rows"]) < 2:
                    break
            assert [r.id for r in paged] == [r.id for r in whole], (order, descending)
            assert len(whole) == 10


def test_timestamps_are_naive_utc_and_move_on_save(services):
    queue_id = next(r.id for r in services.list_queues() if r.name == "Billing")
    before = next(r for r in services.list_queues() if r.id == queue_id).modified_at
    assert isinstance(before, datetime) and before.tzinfo is None
    services.save_queue({"name": "Billing", "description": "changed"}, queue_id)
    after = next(r for r in services.list_queues() if r.id == queue_id).modified_at
    assert after >= before and after.tzinfo is None


def test_document_round_trip_through_replace_import(backend_db):
    document = export_document(backend_db, with_ids=True)
    import_document(backend_db, {"format": "workstream-console/config", "version": 1}, replace=True)
    assert export_document(backend_db)["workstreams"] == []
    import_document(backend_db, document, replace=True)
    assert export_document(backend_db, with_ids=True) == document


def test_the_sqlite_only_helpers_are_harmless_elsewhere(backend_db):
    counts = table_counts(backend_db)
    assert set(counts) == {t.name for t in Base.metadata.sorted_tables} and counts["workstream"] == 4
    with backend_db.sessions() as session:
        assert foreign_key_problems(session) == []
    assert (backend_db.path is None) == (backend_db.engine.dialect.name != "sqlite")


def test_a_nul_character_is_an_inline_issue_not_a_database_error(services):
    with pytest.raises(DocumentInvalid):
        services.save_queue({"name": "Nul", "description": "a\x00b"})


def test_an_overlong_test_case_name_is_an_inline_issue(services):
    stream_id = services.workstream_id_by_name("Chat - Retail banking")
    with pytest.raises(DocumentInvalid):
        services.save_test_case(stream_id, "n" * (NAME_MAX + 1), {}, "VIP")


# --------------------------------------------------------------------------- every command with --db-url


def test_cli_commands_work_with_db_url(backend, tmp_path):
    url = backend.new_url()
    code, out, err = wsc(url, "list", "workstreams", "--json")
    assert (code, err) == (0, "") and len(json.loads(out)) == 4
    code, out, _ = wsc(url, "export", "-")
    document = json.loads(out)
    assert code == 0 and len(document["queues"]) == 4
    (tmp_path / "doc.json").write_text(out)
    code, out, err = wsc(url, "import", "--dry-run", str(tmp_path / "doc.json"))
    assert (code, err) == (0, "")
    code, out, err = wsc(url, "route", "Chat - Retail banking", "--json")
    assert (code, err) == (0, "") and json.loads(out)["queue"]
    code, _, err = wsc(url, "cmt", "export", str(tmp_path / "x.zip"))
    assert (code, err) == (0, "")
    code, out, err = wsc(url, "cmt", "import", "--dry-run", str(tmp_path / "x.zip"))
    assert code == 0, err
    code, _, err = wsc(url, "demo", "--yes")
    assert (code, err) == (0, "")
    code, out, _ = wsc(url, "list", "queues")
    assert "Billing" in out


def test_cli_bundle_commands_work_with_db_url(backend, tmp_path, records_baselines):
    url = backend.new_url()
    bundle = str(tmp_path / "x.wsbundle")
    code, _, err = wsc(url, "bundle", "export", bundle, "--label", "L")
    assert (code, err) == (0, "")
    code, out, err = wsc(url, "bundle", "import", bundle)
    assert code == 0, err
    code, out, err = wsc(url, "bundle", "diff", "db", bundle)
    assert (code, out.strip()) == (0, "no differences"), err


def test_cli_names_an_unreachable_database_in_one_line_without_its_password():
    code, _, err = wsc("postgresql+psycopg://wsc:hunter2@127.0.0.1:1/nowhere", "list", "queues")
    assert code == 1 and err.startswith("wsc: ") and err.count("\n") == 1
    assert "hunter2" not in err and "***" in err


def test_the_gui_opens_on_the_backend(backend, tmp_path, qapp):
    from PySide6.QtGui import QImage

    from ui.shell import startup as gui_main

    sheet, palette, font, style = qapp.styleSheet(), qapp.palette(), qapp.font(), qapp.style().name()
    try:
        url = backend.new_url()
        target = tmp_path / "shot.png"
        assert gui_main.run(url, screenshot=str(target), workstream="Chat - Retail banking",
                            tab="routing-rules", size="900x600") == 0
        picture = QImage(str(target))
        assert (picture.width(), picture.height()) == (900, 600)
    finally:
        qapp.setStyleSheet(sheet)
        qapp.setPalette(palette)
        qapp.setFont(font)
        qapp.setStyle(style)
