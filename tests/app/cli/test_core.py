"""`wsc` commands: exit codes, one-line errors, files written atomically."""
from __future__ import annotations

import io
import json

import pytest

from app.cli import CliContext, main


def run(db_path, *argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    ctx = CliContext(db_url=f"sqlite:///{db_path}", stdout=out, stderr=err, stdin=io.StringIO(stdin))
    code = main(["--db", str(db_path), *argv], ctx=ctx)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def dbfile(tmp_path):
    return tmp_path / "cli.db"


def test_every_command_has_help(capsys):
    for command in ("import", "export", "list", "demo"):
        with pytest.raises(SystemExit) as raised:
            main([command, "--help"])
        assert raised.value.code == 0
    assert "usage: wsc" in capsys.readouterr().out


def test_list_workstreams_as_text_and_json(dbfile):
    code, out, _ = run(dbfile, "list", "workstreams")
    assert code == 0 and "Chat - Retail banking" in out and out.splitlines()[0].startswith("NAME")
    code, out, _ = run(dbfile, "list", "workstreams", "--json")
    rows = json.loads(out)
    assert code == 0 and {r["name"] for r in rows} >= {"Chat - Retail banking", "SMS - Billing alerts"}
    assert all({"id", "channel", "capacity", "default_queue"} <= set(r) for r in rows)



def table(out: str) -> list[list[str]]:
    """The plain list's rows (heading first), cells split on the two-space gutter."""
    return [[cell.strip() for cell in line.split("  ") if cell.strip()] for line in out.splitlines()]


def test_list_the_version_2_kinds_as_plain_columns(dbfile):
    # The demo: skills Languages (Ana, Chloé, Dev, Emma, Farid) and Mortgages (Ana, Ben, Dev, Farid)
    # on Proficiency 1-5; the Chat profile (limit 3) overridden by 5 agents, used by one stream.
    code, out, err = run(dbfile, "list", "skills")
    assert (code, err) == (0, "")
    assert table(out) == [["NAME", "RATING MODEL", "HOLDERS"], ["Languages", "Proficiency", "5"],
                          ["Mortgages", "Proficiency", "4"]]
    code, out, _ = run(dbfile, "list", "rating_models")
    assert code == 0 and table(out) == [["NAME", "VALUES"], ["Proficiency", "1, 2, 3, 4, 5"]]
    code, out, _ = run(dbfile, "list", "capacity_profiles")
    assert code == 0 and table(out) == [["NAME", "WORK ITEM LIMIT", "AGENT OVERRIDES", "STREAMS USING IT"],
                                        ["Chat", "3", "5", "1"]]


@pytest.mark.parametrize("spelling, kind", [("rating-models", "rating_models"), ("Capacity-Profiles", "capacity_profiles"),
                                            ("SKILLS", "skills")])
def test_a_kind_may_be_spelled_with_a_hyphen_or_in_capitals(dbfile, spelling, kind):
    assert run(dbfile, "list", spelling) == run(dbfile, "list", kind)


def test_list_the_version_2_kinds_as_json_keeps_every_field(dbfile):
    code, out, _ = run(dbfile, "list", "skills", "--json")
    (mortgages,) = [row for row in json.loads(out) if row["name"] == "Mortgages"]
    assert code == 0 and mortgages["rating_model"] == "Proficiency" and mortgages["agent_count"] == 4
    assert mortgages["values"] == ["1", "2", "3", "4", "5"] and {"id", "version", "modified_at"} <= set(mortgages)
    code, out, _ = run(dbfile, "list", "capacity-profiles", "--json")
    ((chat),) = json.loads(out)
    assert code == 0 and (chat["name"], chat["work_item_limit"], chat["agent_count"], chat["workstream_count"]) == (
        "Chat", 3, 5, 1)


def test_an_empty_version_2_kind_says_so(dbfile, tmp_path):
    path = tmp_path / "empty.json"
    path.write_text(json.dumps({"format": "workstream-console/config", "version": 1}))
    assert run(dbfile, "import", "--replace", str(path))[0] == 0
    assert run(dbfile, "list", "rating-models") == (0, "no rating models\n", "")


def test_an_unknown_kind_is_one_line_naming_the_kinds(dbfile):
    code, out, err = run(dbfile, "list", "skillz")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "invalid choice: 'skillz'" in err and "capacity_profiles" in err and "--help" in err

def test_export_to_stdout_and_file_are_identical_and_deterministic(dbfile, tmp_path):
    code, out, _ = run(dbfile, "export", "-")
    target = tmp_path / "config.json"
    assert run(dbfile, "export", str(target))[0] == 0
    assert code == 0 and target.read_text(encoding="utf-8") == out
    assert run(dbfile, "export", "-")[1] == out


def test_import_prints_the_plan(dbfile, tmp_path):
    doc = {"format": "workstream-console/config", "version": 1,
           "queues": [{"name": "Mortgages", "agents": ["Ana Ruiz"]}]}
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    code, out, err = run(dbfile, "import", str(path))
    assert code == 0, err
    assert "create queue 'Mortgages'" in out and "1 created" in out


@pytest.mark.parametrize("content, reason", [
    ("{not json", "not valid JSON (line 1"),
    ('{"a": 1, "a": 2}', "duplicate key 'a'"),
    ('{"format": "workstream-console/config", "version": 1, "agents": [{"name": "X", "capacity": NaN}]}',
     "NaN is not allowed"),
    ("\ufeff{}", "byte order mark"),
    ('{"format": "workstream-console/config", "version": 1, "queues": [{"name": "Q", "agents": ["Nobody"]}]}',
     "queues[0].agents[0]: unknown agent 'Nobody'"),
])
def test_bad_import_files_fail_with_one_line_and_change_nothing(dbfile, tmp_path, content, reason):
    run(dbfile, "list", "queues")  # create and seed
    before = run(dbfile, "export", "-")[1]
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(dbfile, "import", str(path))
    assert code == 1
    assert reason in err and err.count("\n") == 1 and err.startswith("wsc: ")
    assert run(dbfile, "export", "-")[1] == before


def test_missing_file_is_one_line(dbfile):
    code, _, err = run(dbfile, "import", "/no/such/file.json")
    assert code == 1 and "No such file" in err


def test_demo_asks_unless_yes(dbfile):
    run(dbfile, "import", "--replace", "-", stdin=json.dumps({"format": "workstream-console/config", "version": 1}))
    assert "no workstreams" in run(dbfile, "list", "workstreams")[1]
    code, _, err = run(dbfile, "demo", stdin="n\n")
    assert code == 1 and "cancelled" in err
    code, out, _ = run(dbfile, "demo", stdin="y\n")
    assert code == 0 and "demo configuration loaded" in out
    assert run(dbfile, "demo", "--yes")[0] == 0


def test_wsc_db_environment_variable_chooses_the_file(tmp_path, monkeypatch):
    import argparse

    from app.cli import resolve_db_url

    monkeypatch.setenv("WSC_DB", str(tmp_path / "env.db"))
    assert resolve_db_url(argparse.Namespace(db=None, db_url=None)).endswith("env.db")
    assert resolve_db_url(argparse.Namespace(db=None, db_url="sqlite:///x.db")) == "sqlite:///x.db"


def test_unknown_workstream_in_subset_export(dbfile):
    code, _, err = run(dbfile, "export", "-", "--workstream", "Nope")
    assert code == 1 and "unknown work stream 'nope'" in err.lower()


def test_wsc_db_url_environment_variable_is_used_unless_a_flag_says_otherwise(tmp_path, monkeypatch):
    import argparse

    from app.cli import resolve_db_url

    monkeypatch.setenv("WSC_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("WSC_DB_URL", "postgresql+psycopg://wsc@db.example/wsc")
    assert resolve_db_url(argparse.Namespace(db=None, db_url=None)) == "postgresql+psycopg://wsc@db.example/wsc"
    assert resolve_db_url(argparse.Namespace(db=str(tmp_path / "x.db"), db_url=None)).endswith("x.db")
