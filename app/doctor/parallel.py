"""The work stream checks of a large configuration in several processes (the doctor's slow part).

A stream's findings depend on the document only, so the streams are split into ranges and
each range is examined in a worker process; the findings come back in stream order, so the
result is exactly that of one process.  The document-wide checks stay in the caller.

Workers are forked after the document is set aside here, so they share it and nothing is sent
to them but ranges.  A fork also imports nothing again, which matters because a spawned worker
re-imports the main module (``python -m ui`` would start a second window).  So this runs only
where a fork is safe: a POSIX process in its main thread without Qt loaded (the ``wsc doctor``
command and the benchmarks).  Anywhere else ``usable_workers`` says 1 and the doctor runs in
its own thread as before.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Callable, Mapping

# Below this many streams the workers' start costs more than they save.
MIN_STREAMS = 400
CHUNK = 100  # streams per task: small enough for progress, large enough to share decisions
MAX_WORKERS = 8

_theory: dict = {}  # a worker's one-variable decisions, kept across its ranges
_document: Any = None  # the document being examined: set before the fork, so the workers share it


def usable_workers(requested: int | None = None) -> int:
    """How many processes the doctor may use here (1: none besides this one)."""
    if "fork" not in multiprocessing.get_all_start_methods() or "PySide6" in sys.modules:
        return 1
    if threading.current_thread() is not threading.main_thread():
        return 1
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    wanted = available if requested is None else requested
    return max(1, min(wanted, available, MAX_WORKERS))


def _examine_range(first: int, last: int, budget: int | None) -> list:
    """Every work stream check on streams ``first`` .. ``last - 1`` of the shared document."""
    from app.doctor.facts import DocumentFacts, StreamFacts
    from app.doctor.findings import CHECKS

    facts = DocumentFacts(_document, budget, theory=_theory)
    checks = [c for c in CHECKS if c.scope == "workstream"]
    found: list = []
    for index in range(first, last):
        stream = StreamFacts(facts, index, _document["workstreams"][index])
        for stream_check in checks:
            found += stream_check.run(stream)
    return found


def examine_in_processes(doc: Mapping[str, Any], workers: int, budget: int | None,
                         progress: Callable[[str, int, int], None] | None = None) -> list:
    """The work stream checks' findings for every stream of ``doc``, in stream order, from
    ``workers`` forked processes.

    ``progress`` is called as ranges finish; an exception it raises (Cancel) stops the
    workers and propagates."""
    global _document
    total = len(doc.get("workstreams", []))
    ranges = [(first, min(first + CHUNK, total)) for first in range(0, total, CHUNK)]
    results: dict[int, list] = {}
    _document = doc
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        futures = {pool.submit(_examine_range, first, last, budget): (first, last) for first, last in ranges}
        done_streams = 0
        waiting = set(futures)
        while waiting:
            finished, waiting = wait(waiting, return_when=FIRST_COMPLETED)
            for future in finished:
                first, last = futures[future]
                results[first] = future.result()
                done_streams += last - first
            if progress is not None:
                progress("Examining work streams", done_streams, total + 1)  # "done" only at the end
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _document = None
    return [finding for first, _last in ranges for finding in results[first]]
