"""`wsc doctor`: exit codes for pipelines, JSON shape, --config, one-line errors."""
from __future__ import annotations

import io
import json

import pytest

from app.cli import CliContext, main
from tests.app.doctor.test_checks import doc_with


def run(db_path, *argv):
    out, err = io.StringIO(), io.StringIO()
    ctx = CliContext(db_url=f"sqlite:///{db_path}", stdout=out, stderr=err, stdin=io.StringIO(""))
    code = main(["--db", str(db_path), *argv], ctx=ctx)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(doc_with(capacity=200)), encoding="utf-8")
    return path


def test_help_lists_doctor(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["doctor", "--help"])
    assert raised.value.code == 0 and "--fail-on" in capsys.readouterr().out


def test_json_findings_of_a_document_and_the_exit_code(tmp_path, config_file):
    code, out, err = run(tmp_path / "x.db", "doctor", "--config", str(config_file), "--json")
    findings = json.loads(out)
    assert code == 1 and err == ""  # an error-level finding, default --fail-on error
    assert findings[0]["code"] == "capacity-exceeds-members" and findings[0]["severity"] == "error"
    assert all(set(f) == {"code", "severity", "message", "paths", "witness"} for f in findings)
    assert not (tmp_path / "x.db").exists()  # --config never opens the database


def test_fail_on_threshold(tmp_path):
    path = tmp_path / "clean.json"
    path.write_text(json.dumps(doc_with()), encoding="utf-8")  # one warning: the empty queue
    assert run(tmp_path / "x.db", "doctor", "--config", str(path))[0] == 0
    code, out, _ = run(tmp_path / "x.db", "doctor", "--config", str(path), "--fail-on", "warning")
    assert code == 1 and "queue-no-members" in out and out.strip().endswith("1 finding: 0 errors, 1 warning, 0 infos")


def test_workstream_filter_and_the_database(tmp_path):
    code, out, err = run(tmp_path / "demo.db", "doctor", "--json", "--fail-on", "info")
    every = json.loads(out)
    code, out, err = run(tmp_path / "demo.db", "doctor", "--json", "--workstream", "sms - general enquiries")
    only = json.loads(out)
    assert code == 0 and err == "" and only and len(only) <= len(every)
    assert all(f["paths"][0].startswith("workstreams[") for f in only)


def test_text_output_shows_the_witness_to_try(tmp_path):
    doc = doc_with()
    doc["workstreams"][0]["routing_rules"].append(
        {"name": "Late", "description": "", "queue": "Sales",
         "condition": {"all": [{"variable": "country", "operator": "eq", "value": "be"}]}})
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, _ = run(tmp_path / "x.db", "doctor", "--config", str(path))
    assert "rule-shadowed" in out and 'try: country="be"' in out


@pytest.mark.parametrize("argv, message", [
    (["--workstream", "Nope"], "wsc: unknown work stream 'Nope'\n"),
    (["--config", "/nonexistent/c.json"], "wsc: /nonexistent/c.json:"),
])
def test_bad_input_is_one_line(tmp_path, config_file, argv, message):
    if "--workstream" in argv:
        argv = ["--config", str(config_file), *argv]
    code, out, err = run(tmp_path / "x.db", "doctor", *argv)
    assert code == 1 and out == "" and err.startswith(message) and err.count("\n") == 1


def test_invalid_document_is_one_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "workstream-console/config", "version": 1, "workstreams": [{}]}))
    code, out, err = run(tmp_path / "x.db", "doctor", "--config", str(path))
    assert code == 1 and err.startswith("wsc: ") and err.count("\n") == 1 and "Traceback" not in err


def test_unknown_workstream_in_the_database_is_one_line(tmp_path):
    code, out, err = run(tmp_path / "demo.db", "doctor", "--workstream", "Nope")
    assert code == 1 and out == "" and err.startswith("wsc: unknown work stream") and err.count("\n") == 1


def test_jobs_gives_the_same_findings_and_a_bad_count_is_one_line(tmp_path, config_file):
    one = run(tmp_path / "x.db", "doctor", "--config", str(config_file), "--jobs", "1")
    two = run(tmp_path / "x.db", "doctor", "--config", str(config_file), "--jobs", "2")
    assert one == two and one[0] == 1 and "capacity-exceeds-members" in one[1]
    code, out, err = run(tmp_path / "x.db", "doctor", "--config", str(config_file), "--jobs", "0")
    assert code == 1 and out == "" and err == "wsc: --jobs must be 1 or more\n"
