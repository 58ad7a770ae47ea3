"""A percentage-split rule (document version 2) where the headless commands meet it."""
from __future__ import annotations

import io
import json

from app.cli import CliContext, main

SPLIT = {"format": "workstream-console/config", "version": 2, "queues": [{"name": "A"}, {"name": "B"}],
         "workstreams": [{"name": "S", "channel": "live_chat", "default_queue": "A", "routing_rules": [
             {"name": "r", "queues": [{"queue": "A", "percent": 60}, {"queue": "B", "percent": 40}]}]}]}


def wsc(tmp_path, *argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), ctx=CliContext(db_url=f"sqlite:///{tmp_path / 'cli.db'}", stdout=out, stderr=err))
    return code, out.getvalue(), err.getvalue()


def test_route_says_a_split_matched_rather_than_no_rule(tmp_path):
    (tmp_path / "split.json").write_text(json.dumps(SPLIT))
    assert wsc(tmp_path, "import", "--replace", str(tmp_path / "split.json"))[0] == 0
    code, out, _ = wsc(tmp_path, "route", "S")
    assert code == 0 and "no rule matched" not in out
    assert out.splitlines() == ["queue: a percentage split between queues (the per-conversation draw is not routed yet)",
                                "rule: r"]


def test_cmt_export_skips_a_split_with_one_line_in_the_report(tmp_path):
    (tmp_path / "split.json").write_text(json.dumps(SPLIT))
    assert wsc(tmp_path, "import", "--replace", str(tmp_path / "split.json"))[0] == 0
    code, out, err = wsc(tmp_path, "cmt", "export", str(tmp_path / "out.zip"))
    assert code == 0 and err == ""
    assert [line for line in out.splitlines() if line.startswith("not carried:")] == [
        "not carried: rule 'r' of work stream 'S' splits conversations between queues (60% 'A', 40% 'B'); "
        "a routing rule item has one queue, so it is skipped"]
    code, out, _ = wsc(tmp_path, "cmt", "inspect", str(tmp_path / "out.zip"), "--json")
    assert code == 0 and json.loads(out)["contents"]["routing_rules"] == 0  # the package has no rule for it
