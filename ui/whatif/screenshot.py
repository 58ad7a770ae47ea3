"""The What-if lab for the README: ``python -m ui.whatif.screenshot PATH [WxH]``.

A fresh demo database, the lab's starting model with its calendar start ticked (Monday
08:00, so the demo's out-of-hours overflow acts), two runs — the second with the first
stream's rate raised by half — side by side, scrolled to the skills and overflow tables.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def render(path: str | Path, size: str = "1600x1000") -> Path:

    from ui.shell.startup import application, parse_size
    from ui.common import background

    app = application(screenshot=True)
    was_synchronous, background.SYNCHRONOUS = background.SYNCHRONOUS, True  # the runs on this thread
    window = parse_size(size)
    try:
        return _render_runs(app, path, window)
    finally:
        background.SYNCHRONOUS = was_synchronous


def _render_runs(app, path, window) -> Path:
    from PySide6.QtCore import QDate, QDateTime, QTime

    from app.store.paths import sqlite_url
    from ui.shell.startup import open_services
    from ui.whatif.view import WhatIfView

    with tempfile.TemporaryDirectory(prefix="wsc-whatif-shot-") as temp:
        services = open_services(sqlite_url(Path(temp) / "demo.db"))
        lab = WhatIfView(services)
        lab.resize(window)
        lab.show()
        lab.use_start.setChecked(True)
        lab.start.setDateTime(QDateTime(QDate(2026, 12, 7), QTime(8, 0)))
        lab.run()
        rate = lab._cell(0, 1)
        rate.setValue(round(rate.value() * 1.5))
        lab.run()
        app.processEvents()
        bar = lab.results_scroll.verticalScrollBar()
        bar.setValue(bar.maximum())
        app.processEvents()
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        lab.grab().save(str(target))
        lab.close()
        services.db.dispose() if hasattr(services.db, "dispose") else None  # the temporary file can go
    return target


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not 1 <= len(args) <= 2 or args[0].startswith("-"):
        print("usage: python -m ui.whatif.screenshot PATH [WxH]", file=sys.stderr)
        return 2
    print(render(*args))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
