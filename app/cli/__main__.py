"""`python -m app.cli ...` is `wsc ...`."""
from __future__ import annotations

import sys

from app.cli import run_as_program

sys.exit(run_as_program())
