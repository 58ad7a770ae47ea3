"""The rule analyses of a large configuration in several processes (the doctor's slow part).

A stream's rule analysis depends on its variables and rules only (``facts.rules_key``), so
the streams are split into chunks, each analysed in a worker process, and the results fill
the cache ``diagnose`` reads from; every other check then runs as before, in order, so the
findings are exactly those of one process.

Workers are forked: a fork does not import anything again, which matters because a spawned
worker re-imports the main module (``python -m ui`` would start a second window).  So this
runs only where a fork is safe: a POSIX process in its main thread without Qt loaded (the
``wsc doctor`` command and the benchmarks).  Anywhere else ``usable_workers`` says 1 and the
doctor runs in its own thread as before.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Callable, Mapping

from app.doctor.analysis import StreamAnalysis, analyse_stream
from app.doctor.facts import rules_key

# Below this many streams the workers' start costs more than they save.
MIN_STREAMS = 400
CHUNK = 100  # streams per task: small enough for progress, large enough to share decisions
MAX_WORKERS = 8

_theory: dict = {}  # a worker's one-variable decisions, kept across its chunks


def usable_workers(requested: int | None = None) -> int:
    """How many processes the doctor may use here (1: none besides this one)."""
    if "fork" not in multiprocessing.get_all_start_methods() or "PySide6" in sys.modules:
        return 1
    if threading.current_thread() is not threading.main_thread():
        return 1
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    wanted = available if requested is None else requested
    return max(1, min(wanted, available, MAX_WORKERS))


def _analyse_chunk(chunk: list[tuple[str, dict]], budget: int | None) -> list[tuple[str, StreamAnalysis]]:
    return [(key, analyse_stream(stream, budget, shared=_theory)) for key, stream in chunk]


def analyse_in_processes(streams: list[Mapping[str, Any]], workers: int, budget: int | None,
                         analyses: dict[str, StreamAnalysis],
                         progress: Callable[[str, int, int], None] | None = None) -> None:
    """Fill ``analyses`` (rules_key -> analysis) for ``streams`` using ``workers`` processes.

    ``progress`` is called after each chunk; an exception it raises (Cancel) stops the
    workers and propagates."""
    todo: list[tuple[str, dict]] = []
    for stream in streams:
        key = rules_key(stream)
        if key not in analyses:
            analyses[key] = None  # type: ignore[assignment]  # claimed: a copy is analysed once
            todo.append((key, {"context_variables": stream.get("context_variables", []),
                               "routing_rules": stream.get("routing_rules", [])}))
    for key, _stream in todo:
        del analyses[key]
    if not todo:
        return
    chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        pending = {pool.submit(_analyse_chunk, chunk, budget) for chunk in chunks}
        done_streams = 0
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                results = future.result()
                analyses.update(results)
                done_streams += len(results)
            if progress is not None:
                progress("Examining work streams", done_streams, len(todo) + 1)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
