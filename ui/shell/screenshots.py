"""Docs-ready screenshots: ``python -m ui.shell.screenshots OUTDIR``.

Renders the main views of the demo bank, from a fresh temporary database, by
calling ``ui.shell.startup.run(..., screenshot=...)`` once per picture.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

DEMO_STREAM = "Chat - Retail banking"

# file name -> keyword arguments for ui.shell.startup.run
SHOTS: dict[str, dict[str, Any]] = {
    "workstreams.png": {"view": "workstreams"},
    # Tall enough for the whole form: its last section (skills, notifications, decline reasons) included.
    "editor-work-distribution.png": {"workstream": DEMO_STREAM, "tab": "work-distribution", "size": "1280x1600"},
    "editor-context-variables.png": {"workstream": DEMO_STREAM, "tab": "context-variables"},
    "editor-routing-rules.png": {"workstream": DEMO_STREAM, "tab": "routing-rules"},
    "editor-classification-rules.png": {"workstream": DEMO_STREAM, "tab": "classification-rules"},
    "queues.png": {"view": "queues"},
    "agent-dialog.png": {"view": "agents", "dialog": "agents:Ana Ruiz"},
    "agent-dialog-skills.png": {"view": "agents", "dialog": "agents:Ana Ruiz#skills"},
    "skills.png": {"view": "skills"},
    "capacity-profiles.png": {"view": "capacity_profiles"},
    "queue-dialog-hours.png": {"view": "queues", "dialog": "queues:Investments#operating hours"},
    "queue-dialog-overflow.png": {"view": "queues", "dialog": "queues:Investments#overflow"},
    # The live panel at a laptop's 1280×720, carrying pops (issue 10), and projected (View → Presentation).
    "agent-panel.png": {"tab": "agent-panel", "size": "1280x720"},
    "agent-panel-presentation.png": {"tab": "agent-panel", "presentation": True, "size": "1280x720"},
}
# The what-if lab is a window of its own, with two runs in it (ui/whatif/screenshot.py).
WHATIF_SHOT = "whatif-lab.png"


def render_all(outdir: str | Path, size: str = "1280x800") -> list[Path]:
    """Write every screenshot into ``outdir``; returns their paths (raises SystemExit on a failure)."""
    from app.store.paths import sqlite_url
    from ui.shell.startup import run

    target = Path(outdir)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="wsc-shots-") as temp:
        url = sqlite_url(Path(temp) / "demo.db")
        for name, options in SHOTS.items():
            path = target / name
            code = run(url, screenshot=str(path), **{"size": size, **options})  # a shot may ask for its own size
            if code != 0:
                raise SystemExit(code)
            written.append(path)
    from ui.whatif.screenshot import render as render_whatif

    written.append(render_whatif(target / WHATIF_SHOT))  # at its own size: two runs side by side
    return written


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m ui.shell.screenshots OUTDIR", file=sys.stderr)
        return 2
    for path in render_all(args[0]):
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
