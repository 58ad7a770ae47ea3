"""read_text_limited: the one bounded reader for scenarios and workload models (UTF-8 text)."""
from __future__ import annotations

import os

import pytest

from app.common.errors import UserError
from app.common.files import read_text_limited


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match="not a file"):
        read_text_limited(fifo, what="scenario")


def test_too_large_and_not_utf8_are_one_line(tmp_path):
    big = tmp_path / "big.json"
    big.write_bytes(b"[" + b"0," * 600 + b"0]")
    with pytest.raises(UserError, match="larger than"):
        read_text_limited(big, limit=1000)
    latin = tmp_path / "latin.json"
    latin.write_bytes('"café"'.encode("latin-1"))
    with pytest.raises(UserError, match="latin.json: not UTF-8 text"):
        read_text_limited(latin)
    assert read_text_limited(big).startswith("[0,")
