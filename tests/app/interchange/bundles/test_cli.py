"""`wsc bundle validate|diff` and `wsc cmt inspect`."""
from __future__ import annotations

import io
import json

import pytest

from app.interchange.bundles.format import write_bundle
from app.cli import CliContext, main
from app.interchange.cmt import write_cmt_package
from tests.app.interchange.bundles.helpers import raw_bundle, sample_doc, stream

KEY = b"0123456789abcdef-test-key"


def run(tmp_path, *argv):
    out, err = io.StringIO(), io.StringIO()
    db = tmp_path / "cli.db"
    ctx = CliContext(db_url=f"sqlite:///{db}", stdout=out, stderr=err, stdin=io.StringIO(""))
    code = main(["--db", str(db), *argv], ctx=ctx)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def bundle(tmp_path):
    path = tmp_path / "a.wsbundle"
    write_bundle(path, sample_doc(), label="Friday", source_database_id="db-1",
                 created_at="2024-05-01T12:00:00Z", sign_key=KEY)
    return path


def test_help_lists_the_subcommands(capsys):
    for argv in (["bundle", "validate", "--help"], ["bundle", "diff", "--help"], ["cmt", "inspect", "--help"]):
        with pytest.raises(SystemExit) as raised:
            main(argv)
        assert raised.value.code == 0
    assert "usage: wsc" in capsys.readouterr().out


def test_validate_ok(tmp_path, bundle):
    code, out, err = run(tmp_path, "bundle", "validate", str(bundle))
    assert code == 0, err
    assert "ok — full bundle 'Friday' from db-1" in out and "3 queues" in out and "present, not checked" in out


def test_validate_with_signature_and_json(tmp_path, bundle):
    key = tmp_path / "key"
    key.write_bytes(KEY)
    code, out, err = run(tmp_path, "bundle", "validate", str(bundle), "--require-signature",
                         "--sign-key-file", str(key), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["signature"] == "verified" and report["contents"]["workstreams"] == 2


def test_validate_rejection_is_one_line(tmp_path):
    path = tmp_path / "bad.wsbundle"
    path.write_bytes(raw_bundle(b"[" * 70 + b"]" * 70))
    code, out, err = run(tmp_path, "bundle", "validate", str(path))
    assert code == 1 and out == ""
    assert err == "wsc: config.json: nesting deeper than 64\n"


def test_require_signature_needs_a_key(tmp_path, bundle):
    code, _out, err = run(tmp_path, "bundle", "validate", str(bundle), "--require-signature")
    assert code == 1 and "needs --sign-key-file" in err


def test_diff_between_a_bundle_and_a_document(tmp_path, bundle):
    changed = sample_doc()
    stream(changed, "Chat - Support")["capacity"] = 30
    doc_path = tmp_path / "b.json"
    doc_path.write_text(json.dumps(changed), encoding="utf-8")
    code, out, err = run(tmp_path, "bundle", "diff", str(bundle), str(doc_path))
    assert code == 0, err
    assert out.splitlines() == ["~ workstream 'Chat - Support': capacity 20 → 30",
                                "0 to create, 1 to update, 0 to delete"]
    code, out, _ = run(tmp_path, "bundle", "diff", str(bundle), str(doc_path), "--json")
    assert json.loads(out)["counts"] == {"created": 0, "updated": 1, "deleted": 0}
    assert run(tmp_path, "bundle", "diff", str(bundle), str(bundle))[1] == "no differences\n"


def test_diff_against_the_database(tmp_path, bundle):
    code, out, err = run(tmp_path, "bundle", "diff", "db", str(bundle))
    assert code == 0, err
    assert "+ workstream 'Chat - Support'" in out


def test_diff_refuses_bad_documents(tmp_path, bundle):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "workstream-console/config", "version": 1, "queues": 5}', encoding="utf-8")
    code, _out, err = run(tmp_path, "bundle", "diff", str(bundle), str(bad))
    assert code == 1 and err.startswith("wsc: cannot compare: queues") and err.count("\n") == 1
    dup = tmp_path / "dup.json"
    dup.write_text('{"a": 1, "a": 2}', encoding="utf-8")
    assert "duplicate key 'a'" in run(tmp_path, "bundle", "diff", str(bundle), str(dup))[2]
    assert "No such file" in run(tmp_path, "bundle", "diff", str(bundle), str(tmp_path / "absent.json"))[2]


def test_cmt_inspect(tmp_path):
    package = tmp_path / "p.zip"
    write_cmt_package(package, sample_doc())
    out_doc = tmp_path / "doc.json"
    code, out, err = run(tmp_path, "cmt", "inspect", str(package), "--document", str(out_doc))
    assert code == 0, err
    assert "2 work streams, 3 queues, 2 context variables, 3 routing rules" in out
    assert "note: workstream 'Chat - Support': default of its channel kind; placeholder channel" in out
    assert json.loads(out_doc.read_text(encoding="utf-8"))["format"] == "workstream-console/config"
    code, out, _ = run(tmp_path, "cmt", "inspect", str(package), "--json")
    assert json.loads(out)["contents"]["routing_rules"] == 3


def test_cmt_inspect_rejection(tmp_path):
    package = tmp_path / "p.zip"
    package.write_bytes(b"nope")
    code, _out, err = run(tmp_path, "cmt", "inspect", str(package))
    assert code == 1 and err == "wsc: package: not a zip file\n"
