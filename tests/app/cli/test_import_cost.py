"""The import-cost rule: a headless read loads only what it reads with.

`wsc list` costs SQLAlchemy and one query. The mapped classes (models.entities, ~65 ms to
declare), pydantic (the configuration document, ~150 ms), the configuration writer, the
editing draft and Qt load only where a document is read, checked or written: the list reads
light Core views of the tables (models.list_tables), so no class is declared and no mapper
configured (~35 ms more). How fast that is lives in
benchmarks/bench_cli.py (`make bench`); this test checks what is loaded, not how long it takes.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.core import LIST_KINDS

REPO = Path(__file__).resolve().parents[3]
# Loaded by the commands that read, check or write a document; never by a list.
HEAVY = ("pydantic", "models.entities", "app.config.document", "app.config.io", "app.workstreams.editing", "app.routing.conditions",
         "PySide6")

PROBE = """
import json, sys
from ui.launcher import main

code = main(["--db", sys.argv[1], *json.loads(sys.argv[2])])
loaded = {name: name in sys.modules for name in json.loads(sys.argv[3])}
from models import WorkStream  # loaded only now, by the probe

print(json.dumps({"code": code, "loaded": loaded, "configured": WorkStream.__mapper__.configured}), file=sys.stderr)
"""


def run_probe(tmp_path: Path, template_databases, *argv: str) -> dict:
    """Run ``wsc --db COPY *argv`` in a fresh interpreter; what it had loaded when it was done."""
    database = tmp_path / "console.db"
    template_databases.copy_to(database)
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", PROBE, str(database), json.dumps(argv), json.dumps(HEAVY)],
                            capture_output=True, text=True, timeout=120, cwd=REPO, env=environment)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stderr.strip().splitlines()[-1])
    assert probe["code"] == 0
    return probe


@pytest.mark.parametrize("kind", LIST_KINDS)
def test_wsc_list_loads_neither_the_mapped_classes_nor_pydantic_nor_the_writer_nor_qt(tmp_path, template_databases, kind):
    probe = run_probe(tmp_path, template_databases, "list", kind)
    assert [name for name, loaded in probe["loaded"].items() if loaded] == []
    assert probe["configured"] is False, "the list configured the ORM's mappers: read it with Core"


def test_the_probe_sees_what_a_command_that_checks_a_document_loads(tmp_path, template_databases):
    """The check above can fail: a dry-run import validates a document, and the probe sees pydantic."""
    document = tmp_path / "doc.json"
    document.write_text(json.dumps({"format": "workstream-console/config", "version": 1, "queues": []}),
                        encoding="utf-8")
    probe = run_probe(tmp_path, template_databases, "import", "--dry-run", str(document))
    assert probe["loaded"]["pydantic"] and probe["loaded"]["app.config.document"]
    assert not probe["loaded"]["PySide6"]


def registered_commands(parser) -> set[str]:
    from argparse import _SubParsersAction  # noqa: PLC2701 — argparse keeps its sub-parsers there

    (action,) = [a for a in parser._actions if isinstance(a, _SubParsersAction)]
    return set(action.choices)


def test_a_command_line_builds_only_its_commands_parser_and_the_table_knows_every_command():
    from app.cli import COMMAND_MODULES, build_parser, command_module

    everything = registered_commands(build_parser())
    assert set(COMMAND_MODULES) == everything  # a new command is added to the table (or it builds them all)
    for command, module in COMMAND_MODULES.items():
        assert command in registered_commands(build_parser(only=module))
        assert registered_commands(build_parser(only=module)) < everything
    assert command_module(["--db", "list", "route", "Chat", "x=1"]) == "route"  # --db's value is not the command
    assert command_module(["--db=x.db", "list", "queues"]) == "core"
    assert command_module(["--help"]) is None and command_module([]) is None
    assert command_module(["gui"]) is None and command_module(["lst"]) is None  # every parser: the usual error
