"""The rule analyses of a large configuration in worker processes give exactly the same findings."""
from __future__ import annotations

import copy
import sys

import pytest

from app.config.generate import generate, sample_preset
from app.doctor import diagnose, parallel


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_STREAMS", 10)
    monkeypatch.setattr(parallel, "CHUNK", 7)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="worker processes are forked (POSIX)")
def test_workers_find_exactly_what_one_process_finds(small_chunks):
    # analyse_in_processes directly: pytest-qt has imported PySide6 here, which makes
    # usable_workers say 1 (no QApplication exists in these tests, so the fork is safe)
    doc = generate(sample_preset(30, variables=5, rules=12))
    doc["workstreams"].append(copy.deepcopy(doc["workstreams"][0]) | {"name": "A copy of stream 0"})
    steps = []
    analyses: dict = {}
    parallel.analyse_in_processes(doc["workstreams"], 2, None, analyses, lambda *args: steps.append(args))
    assert len(analyses) == 30  # the copy is analysed once
    # progress after each batch of finished chunks (of 7), never "done" before the end
    done = [step[1] for step in steps]
    assert steps[-1] == ("Examining work streams", 30, 31) and done == sorted(done) and 1 <= len(steps) <= 5
    together = [f.to_json() for f in diagnose(doc, analyses=analyses)]
    assert together == [f.to_json() for f in diagnose(doc)] and len(together) > 50


def test_below_the_threshold_or_with_one_worker_nothing_is_forked(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("no worker processes expected")

    monkeypatch.setattr(parallel, "analyse_in_processes", refuse)
    doc = generate("tiny")
    assert diagnose(doc, workers=4) == diagnose(doc)  # 20 streams: under MIN_STREAMS
    monkeypatch.setattr(parallel, "MIN_STREAMS", 5)
    assert diagnose(doc, workers=1) == diagnose(doc)


def test_usable_workers_is_one_under_qt_or_off_the_main_thread(monkeypatch):
    import threading

    monkeypatch.setitem(sys.modules, "PySide6", object())
    assert parallel.usable_workers(4) == 1
    monkeypatch.delitem(sys.modules, "PySide6")
    found = []
    thread = threading.Thread(target=lambda: found.append(parallel.usable_workers(4)))
    thread.start()
    thread.join()
    assert found == [1]
