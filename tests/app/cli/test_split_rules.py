"""A percentage-split rule (document version 2) where the headless commands meet it."""
from __future__ import annotations

import io
import json
import random

import pytest

from app.cli import CliContext, main

SPLIT = {"format": "workstream-console/config", "version": 2, "queues": [{"name": "A"}, {"name": "B"}],
         "workstreams": [{"name": "S", "channel": "live_chat", "default_queue": "A", "routing_rules": [
             {"name": "r", "queues": [{"queue": "A", "percent": 60}, {"queue": "B", "percent": 40}]}]}]}


def wsc(tmp_path, *argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), ctx=CliContext(db_url=f"sqlite:///{tmp_path / 'cli.db'}", stdout=out, stderr=err))
    return code, out.getvalue(), err.getvalue()


def test_route_draws_from_a_split_and_names_the_seed(tmp_path):
    (tmp_path / "split.json").write_text(json.dumps(SPLIT))
    assert wsc(tmp_path, "import", "--replace", str(tmp_path / "split.json"))[0] == 0
    code, out, _ = wsc(tmp_path, "route", "S", "--seed", "1")
    draw = random.Random(1).random() * 100  # 13.436...: below 60, so queue A
    assert code == 0 and "no rule matched" not in out
    assert out.splitlines() == ["queue: A", "rule: r", f"split: A 60%, B 40%; draw {draw:.2f} (seed 1)"]
    code, out, _ = wsc(tmp_path, "route", "S", "--seed", "3", "--json")
    result = json.loads(out)
    draw = random.Random(3).random() * 100  # 23.79...
    assert (result["queue"], result["draw"], result["seed"]) == ("A", draw, 3)
    assert result["targets"] == [{"queue": "A", "percent": 60}, {"queue": "B", "percent": 40}]
    seeds_to_b = [seed for seed in range(10) if random.Random(seed).random() * 100 >= 60]
    code, out, _ = wsc(tmp_path, "route", "S", "--seed", str(seeds_to_b[0]))
    assert out.splitlines()[0] == "queue: B"


def test_route_without_a_seed_prints_the_one_it_drew_with_and_that_seed_repeats_it(tmp_path):
    (tmp_path / "split.json").write_text(json.dumps(SPLIT))
    assert wsc(tmp_path, "import", "--replace", str(tmp_path / "split.json"))[0] == 0
    first = json.loads(wsc(tmp_path, "route", "S", "--json")[1])
    again = json.loads(wsc(tmp_path, "route", "S", "--json", "--seed", str(first["seed"]))[1])
    assert isinstance(first["seed"], int) and (first["queue"], first["draw"]) == (again["queue"], again["draw"])


@pytest.mark.parametrize("seed, message", [("x", "'x' is not a whole number"), ("-1", "-1 is not between 0")])
def test_a_bad_seed_is_one_line(tmp_path, seed, message):
    (tmp_path / "split.json").write_text(json.dumps(SPLIT))
    assert wsc(tmp_path, "import", "--replace", str(tmp_path / "split.json"))[0] == 0
    code, out, err = wsc(tmp_path, "route", "S", f"--seed={seed}")
    assert code != 0 and out == "" and message in err and err.count("\n") == 1


CLASSIFIED = {**SPLIT, "rating_models": [{"name": "Proficiency", "values": ["1", "2", "3"]}],
              "skills": [{"name": "Mortgages", "rating_model": "Proficiency"}],
              "workstreams": [{"name": "S", "channel": "live_chat", "default_queue": "A",
                               "context_variables": [{"display_name": "Topic", "name": "topic"}],
                               "classification_rules": [{"name": "Mortgage talk", "skills": {"Mortgages": "2"},
                                                         "condition": {"all": [{"variable": "topic",
                                                                                "operator": "contains",
                                                                                "value": "mortgage"}]}}]}]}


def test_route_shows_the_classification(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps(CLASSIFIED))
    assert wsc(tmp_path, "import", "--replace", str(tmp_path / "c.json"))[0] == 0
    code, out, _ = wsc(tmp_path, "route", "S", "topic=My mortgage")
    assert code == 0
    assert out.splitlines() == ["queue: A", "rule: default queue (no rule matched)",
                                "skills: Mortgages ≥ 2 (classification rule: Mortgage talk)"]
    assert wsc(tmp_path, "route", "S", "topic=cards")[1].splitlines()[-1] == "skills: none (no classification rule matched)"
    result = json.loads(wsc(tmp_path, "route", "S", "topic=mortgage", "--json")[1])
    assert result["classification"] == {"rule": "Mortgage talk", "skills": {"Mortgages": "2"}}
    assert (result["seed"], result["draw"]) == (None, None)  # no split matched: nothing drawn


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


def test_simulate_draws_splits_from_its_seed(tmp_path):
    (tmp_path / "split.json").write_text(json.dumps(SPLIT))
    assert wsc(tmp_path, "import", "--replace", str(tmp_path / "split.json"))[0] == 0
    scenario = {"events": [{"at": i, "type": "conversation", "id": f"c{i}", "workstream": "S"} for i in range(12)]}
    (tmp_path / "scenario.json").write_text(json.dumps(scenario))

    def queues(*argv):
        code, out, err = wsc(tmp_path, "simulate", str(tmp_path / "scenario.json"), *argv)
        assert (code, err) == (0, "")
        routed = [json.loads(line) for line in out.splitlines() if '"routed"' in line]
        return [(e["queue"], e["draw"]) for e in routed]

    rng = random.Random(9)
    draws = [rng.random() * 100 for _ in range(12)]
    assert queues("--seed", "9") == [("A" if d < 60 else "B", d) for d in draws]
    assert queues() == queues("--seed", "0")
    code, _, err = wsc(tmp_path, "simulate", str(tmp_path / "scenario.json"), "--seed", "x")
    assert code != 0 and err.count("\n") == 1 and "'x' is not a whole number" in err
