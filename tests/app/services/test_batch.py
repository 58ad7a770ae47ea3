"""Long actions (app.services.batch): import/export of documents, sample generation and deleting many.

Each is checked for what it writes, for what a Cancel (a progress call that
raises) leaves behind — nothing — and for its one-line refusals.
"""
from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import func, select

from app.services import batch
from app.config.io import canonical_json, export_document, import_document
from app.common.errors import DocumentInvalid, InUseError, UserError
from app.config.generate import generate, sample_preset
from models import Agent, ContextVariable, RoutingRuleItem, WorkStream
from models.entities import queue_members


class Stop(Exception):
    """What the GUI's progress callback raises after Cancel."""


class Progress:
    """Records progress calls; raises ``Stop`` at call number ``stop_at`` (1-based)."""

    def __init__(self, stop_at: int | None = None):
        self.calls: list[tuple[str, int, int]] = []
        self.stop_at = stop_at

    def __call__(self, step: str, done: int, total: int) -> None:
        self.calls.append((step, done, total))
        if self.stop_at is not None and len(self.calls) == self.stop_at:
            raise Stop()


def dump(db) -> str:
    with sqlite3.connect(db.path) as connection:
        return "\n".join(connection.iterdump())


def write_json(path, document) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def small_sample() -> dict:
    return generate(sample_preset(12, variables=3, rules=4), seed=7)


# --------------------------------------------------------------------------- import


def test_preview_says_what_an_import_would_do_and_writes_nothing(db, tmp_path):
    document = export_document(db)
    document["queues"].append({"name": "Imported queue", "kind": "records", "description": "", "agents": []})
    path = write_json(tmp_path / "config.json", document)
    before = dump(db)
    progress = Progress()
    preview = batch.preview_import(db, path, progress)
    assert preview.counts == {"created": 1, "updated": 0, "deleted": 0}
    assert preview.lines == ["create queue 'Imported queue'"]
    assert preview.name == "config.json"
    assert dump(db) == before
    assert [step for step, _done, _total in progress.calls][-1] == "Checked"


def test_a_chunked_import_writes_what_a_whole_import_writes(empty_db, tmp_path, monkeypatch):
    from app.config.opening import open_database

    sample = small_sample()
    whole = open_database(f"sqlite:///{tmp_path / 'whole.db'}", seed_demo=False)
    try:
        import_document(whole, sample)
        expected = canonical_json(export_document(whole, with_ids=True))
    finally:
        whole.dispose()
    monkeypatch.setattr(batch, "IMPORT_CHUNK", 5)  # 12 streams: three slices
    preview = batch.preview_import(empty_db, write_json(tmp_path / "sample.json", sample))
    progress = Progress()
    summary = batch.apply_import(empty_db, preview, progress)
    assert canonical_json(export_document(empty_db, with_ids=True)) == expected
    assert summary.counts() == preview.counts
    assert [done for step, done, _ in progress.calls if step == "Importing work streams"] == [1, 6, 11]


@pytest.mark.parametrize("stop_at", [1, 2, 3, 4, 5])
def test_a_cancelled_import_leaves_the_database_as_it_was(empty_db, tmp_path, monkeypatch, stop_at):
    monkeypatch.setattr(batch, "IMPORT_CHUNK", 5)
    preview = batch.preview_import(empty_db, write_json(tmp_path / "sample.json", small_sample()))
    before = dump(empty_db)
    with pytest.raises(Stop):
        batch.apply_import(empty_db, preview, Progress(stop_at=stop_at))
    assert dump(empty_db) == before


def test_the_import_checks_references_again_at_apply_time(services, tmp_path):
    document = {"format": "workstream-console/config", "version": 1,
                "agents": [{"name": "New agent", "capacity": 10, "presence": "Available"}],
                "queues": [{"name": "New queue", "kind": "messaging", "description": "",
                            "agents": ["New agent", "Farid Haddad"]}]}
    preview = batch.preview_import(services.db, write_json(tmp_path / "q.json", document))
    assert preview.counts["created"] == 2
    services.delete_agent(next(a.id for a in services.list_agents() if a.name == "Farid Haddad"))
    with pytest.raises(DocumentInvalid, match="unknown agent 'Farid Haddad'"):
        batch.apply_import(services.db, preview)
    assert "New queue" not in services.names("queues")


@pytest.mark.parametrize("content, reason", [
    (b"{nope", "not valid JSON"),
    (b'{"a": 1, "a": 2}', "duplicate"),
    (b"\xff\xfe", "byte order mark"),
    (b"{\"a\": \"\xc3\"}", "UTF-8"),
])
def test_a_bad_file_is_refused_in_one_line(db, tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(UserError) as caught:
        batch.preview_import(db, path)
    assert reason in str(caught.value) and "\n" not in str(caught.value)


def test_missing_and_oversized_files_are_refused(db, tmp_path, monkeypatch):
    with pytest.raises(UserError, match="gone.json"):
        batch.preview_import(db, tmp_path / "gone.json")
    path = tmp_path / "big.json"
    path.write_text(json.dumps(export_document(db)), encoding="utf-8")
    monkeypatch.setattr(batch, "MAX_DOCUMENT_BYTES", 100)
    with pytest.raises(UserError, match="big.json: larger than"):
        batch.preview_import(db, path)


# --------------------------------------------------------------------------- export


def test_export_writes_the_canonical_document(db, tmp_path):
    target = tmp_path / "out.json"
    progress = Progress()
    result = batch.export_configuration(db, target, progress)
    assert target.read_text(encoding="utf-8") == canonical_json(export_document(db))
    assert result.size == target.stat().st_size
    assert result.counts["workstreams"] == len(export_document(db)["workstreams"]) > 0
    assert progress.calls[-1] == ("Exported", 3, 3)


def test_a_cancelled_export_leaves_no_file(db, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(Stop):
        batch.export_configuration(db, folder / "out.json", Progress(stop_at=3))
    assert list(folder.iterdir()) == []


def test_an_unwritable_target_is_one_line(db, tmp_path):
    with pytest.raises(UserError, match="out.json"):
        batch.export_configuration(db, tmp_path / "no-such-folder" / "out.json")


# --------------------------------------------------------------------------- generate


def test_generating_a_sample_writes_it_and_again_changes_nothing(empty_db):
    summary = batch.generate_sample(empty_db, 30, variables=3, rules=4)
    with empty_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WorkStream)) == 30
        assert session.scalar(select(func.count()).select_from(ContextVariable)) == 90
        assert session.scalar(select(func.count()).select_from(RoutingRuleItem)) == 120
    assert summary.counts()["created"] > 30
    again = batch.generate_sample(empty_db, 30, variables=3, rules=4)
    assert again.counts() == {"created": 0, "updated": 0, "deleted": 0}


def test_generation_reports_progress_and_a_cancel_writes_nothing(empty_db, monkeypatch):
    monkeypatch.setattr(batch, "IMPORT_CHUNK", 10)
    progress = Progress()
    batch.generate_sample(empty_db, 30, variables=1, rules=1, progress=progress)
    steps = [step for step, _done, _total in progress.calls]
    assert steps[0] == "Generating work streams" and "Writing work streams" in steps and steps[-1] == "Generated"
    before = dump(empty_db)
    from app.config.opening import open_database

    for stop_at in (1, len(progress.calls) - 1):
        with pytest.raises(Stop):
            batch.generate_sample(empty_db, 40, variables=1, rules=1, progress=Progress(stop_at=stop_at))
        assert dump(empty_db) == before
    assert open_database  # the database opens again after the rollbacks
    assert len(steps) >= 5


@pytest.mark.parametrize("streams, variables, rules, message", [
    (0, 1, 1, "work streams must be 1 to 100,000"),
    (10, 51, 1, "context variables per stream must be 0 to 50"),
    (10, 1, 101, "routing rules per stream must be 0 to 100"),
])
def test_generation_sizes_out_of_range_are_refused(empty_db, streams, variables, rules, message):
    with pytest.raises(UserError, match=message):
        batch.generate_sample(empty_db, streams, variables, rules)


# --------------------------------------------------------------------------- delete many


def stream_ids(db, with_channels: bool) -> list[str]:
    doc = export_document(db, with_ids=True)
    return [w["id"] for w in doc["workstreams"] if bool(w["channels"]) == with_channels]


def test_deleting_many_streams_takes_their_variables_and_rules(empty_db, monkeypatch):
    batch.generate_sample(empty_db, 30, variables=2, rules=3)
    monkeypatch.setattr(batch, "DELETE_CHUNK", 7)
    doomed = stream_ids(empty_db, with_channels=False)
    progress = Progress()
    deleted = batch.delete_many(empty_db, "workstreams", doomed, progress)
    assert deleted == doomed
    with empty_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WorkStream)) == 30 - len(doomed)
        left = session.scalar(select(func.count()).select_from(ContextVariable)
                              .where(ContextVariable.workstream_id.in_(doomed)))
        assert left == 0
        assert session.scalar(select(func.count()).select_from(RoutingRuleItem)
                              .where(RoutingRuleItem.workstream_id.in_(doomed))) == 0
    deleting = [done for step, done, _ in progress.calls if step == "Deleting work streams"]
    assert deleting == list(range(0, len(doomed), 7))


def test_deleting_many_is_refused_whole_when_one_is_in_use(empty_db):
    batch.generate_sample(empty_db, 30, variables=1, rules=1)
    free, used = stream_ids(empty_db, with_channels=False), stream_ids(empty_db, with_channels=True)
    before = dump(empty_db)
    with pytest.raises(InUseError) as caught:
        batch.delete_many(empty_db, "workstreams", free + used)
    text = str(caught.value)
    assert text.startswith("nothing deleted: Work stream 'Stream 000000' is used by channel 'Channel 000000'")
    assert "\n" not in text
    assert dump(empty_db) == before


@pytest.mark.parametrize("stop_at", [1, 2, 3])
def test_a_cancelled_delete_deletes_nothing(empty_db, monkeypatch, stop_at):
    batch.generate_sample(empty_db, 30, variables=1, rules=1)
    monkeypatch.setattr(batch, "DELETE_CHUNK", 10)
    before = dump(empty_db)
    with pytest.raises(Stop):
        batch.delete_many(empty_db, "workstreams", stream_ids(empty_db, with_channels=False),
                          Progress(stop_at=stop_at))
    assert dump(empty_db) == before


def test_deleting_queues_names_what_routes_to_them(services):
    queues = {row.name: row.id for row in services.list_queues()}
    with pytest.raises(InUseError, match="Queue 'General' is used by work stream 'Chat - Retail banking'"):
        batch.delete_many(services.db, "queues", list(queues.values()))
    assert set(services.names("queues")) == set(queues)


def test_deleting_agents_takes_their_memberships(services):
    agents = [row.id for row in services.list_agents()][:3]
    assert batch.delete_many(services.db, "agents", agents) == agents
    with services.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Agent).where(Agent.id.in_(agents))) == 0
        assert session.scalar(select(func.count()).select_from(queue_members)
                              .where(queue_members.c.agent_id.in_(agents))) == 0


def test_base_presences_and_presences_in_use_are_not_deleted(services):
    presences = {row.name: row.id for row in services.list_presences()}
    with pytest.raises(InUseError, match="Presence 'Available' is used by the console itself"):
        batch.delete_many(services.db, "presences", [presences["Available"]])
    assert "Available" in services.names("presences")


def test_ids_already_gone_are_skipped(services):
    channel = services.list_channels()[0]
    assert batch.delete_many(services.db, "channels", [channel.id, "00000000-0000-4000-8000-000000000000"]) == [
        channel.id]
    assert channel.name not in {row.name for row in services.list_channels()}
    assert batch.delete_many(services.db, "channels", []) == []
    with pytest.raises(ValueError):
        batch.delete_many(services.db, "nonsense", [])
