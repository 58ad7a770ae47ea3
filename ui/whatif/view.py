"""The What-if lab: edit a workload model, run it on the simulator, compare with the run before.

Left, the model form, prefilled from the configuration (every active work stream
with a rate keeping its agents about 70 % busy, context values from its rules);
files open and save the full model (profiles, per-agent behaviour and presence
changes the form does not show are kept).  Right, the latest run beside the
previous one: KPI tiles and three charts each (conversations waiting per queue,
service level per interval, occupancy per agent).  Runs go off the GUI thread
(``ui.common.background``) with progress and Cancel; the report (HTML with the
charts) and the interval series (CSV) export the runs shown.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QEvent, QTime, QTimer, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QApplication, QBoxLayout, QCheckBox, QFileDialog, QFormLayout, QFrame, QGridLayout, QHBoxLayout, QLabel,
    QPushButton, QScrollArea, QSpinBox, QSplitter, QVBoxLayout, QWidget,
)

from app.common.errors import UserError
from ui.common import messages
from ui.common.background import run_in_background
from ui.common.widgets import ErrorLabel, apply_editor_style, hint_label, section_title
from ui.whatif.charts import SvgChart
from ui.whatif.figures_table import FiguresTable, FiguresTableModel
from ui.common.spin_boxes import DateTimeEdit, SpinBox

MODEL_FILTER = "Workload models (*.json);;All files (*)"
KPIS = (("service_level", "Service level"), ("asa_s", "Average speed of answer"), ("abandon_rate", "Abandoned"),
        ("occupancy", "Occupancy"), ("arrived", "Arrived"), ("answered", "Answered"))
SIDE_BY_SIDE_MIN = 760  # px of results area for two runs side by side
# the four per-skill figures the issue names (the report and --json also carry "abandoned")
SKILL_COLUMNS = (("arrived", "Arrived"), ("answered", "Answered"), ("asa_s", "ASA (s)"), ("service_level", "SL"))
OVERFLOW_COLUMNS = (("transfer", "Transfer"), ("end", "End"), ("assign_anyway", "Assign anyway"))
START_FORMAT = "yyyy-MM-ddTHH:mm:ss"  # the model's start: ISO 8601, local (no offset)


def simulate(config: dict, model: dict, progress=None) -> dict:
    """Run ``model`` (in the background thread): figures and the first replication's series."""
    from app.simulation.whatif import prepare, run_model

    normalized, workload = prepare(config, model)
    result = run_model(normalized, workload, progress=progress)
    return {"figures": result.figures, "series": result.series, "model": model}


def kpi_text(name: str, value: Any) -> str:
    from app.simulation.report import format_value

    if isinstance(value, dict):
        value = value.get("mean")
    if name == "asa_s":
        return "—" if value is None else f"{value:,.0f} s"
    return format_value(name, value)


class RunColumn(QWidget):
    """One run: a title, six KPI tiles, three charts."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = section_title(title)
        layout.addWidget(self.title)
        self.subtitle = hint_label("")
        layout.addWidget(self.subtitle)
        tiles = QGridLayout()
        self.tiles: dict[str, QLabel] = {}
        for index, (name, label) in enumerate(KPIS):
            tile = QFrame()
            tile.setObjectName("kpiTile")
            tile.setFrameShape(QFrame.Shape.StyledPanel)
            box = QVBoxLayout(tile)
            caption = hint_label(label)
            value = QLabel("—")
            value.setObjectName(f"kpi_{name}")
            font = value.font()
            font.setPointSizeF(font.pointSizeF() * 1.5)
            font.setBold(True)
            value.setFont(font)
            box.addWidget(caption)
            box.addWidget(value)
            self.tiles[name] = value
            tiles.addWidget(tile, index // 3, index % 3)
        layout.addLayout(tiles)
        self.charts = [SvgChart(self) for _ in range(3)]
        for chart in self.charts:
            layout.addWidget(chart)
        # document version 2: per skill and per overflow queue (shown when the configuration has them)
        self.skills_title = hint_label("Skills — the conversations that required each")
        self.skills_model = FiguresTableModel("Skill", SKILL_COLUMNS, self)
        self.skills_table = FiguresTable(self.skills_model)
        self.skills_table.setObjectName("skillsTable")
        self.overflow_title = hint_label("Overflow — conversations per action, by the queue whose rule acted")
        self.overflow_model = FiguresTableModel("Queue", OVERFLOW_COLUMNS, self)
        self.overflow_table = FiguresTable(self.overflow_model)
        self.overflow_table.setObjectName("overflowTable")
        for widget in (self.skills_title, self.skills_table, self.overflow_title, self.overflow_table):
            widget.setVisible(False)
            layout.addWidget(widget)
        layout.addStretch(1)

    def show_run(self, label: str, run: dict) -> None:
        from app.simulation.report import charts

        totals = run["figures"]["totals"]
        model = run["model"]
        self.subtitle.setText(f"{label} — {model['duration_s'] / 3600:g} h, seed {model.get('seed', 0)}, "
                              f"{model.get('replications', 1)} replication(s)")
        for name, tile in self.tiles.items():
            tile.setText(kpi_text(name, totals.get(name)))
        for chart, svg in zip(self.charts, charts(run["figures"], run["series"])):
            chart.set_svg(svg)
        for title, model, table, section in ((self.skills_title, self.skills_model, self.skills_table, "skills"),
                                             (self.overflow_title, self.overflow_model, self.overflow_table,
                                              "overflow")):
            rows = run["figures"].get(section) or {}
            model.set_rows(rows)
            title.setVisible(bool(rows))
            table.setVisible(bool(rows))


class WhatIfView(QWidget):
    """The What-if lab over the services' configuration (see the module docstring)."""

    runFinished = Signal()

    def __init__(self, services, parent: QWidget | None = None, *, config_doc: dict | None = None):
        super().__init__(parent)
        self.services = services
        self.setObjectName("whatIfView")
        self.setWindowTitle("What-if lab")
        apply_editor_style(self)
        self.config = self._read_config(config_doc)
        self.model_doc: dict = {}
        self.runs: list[dict] = []  # oldest first, at most two
        self.task = None
        self.run_count = 0
        self._build()
        self.reset_model()

    # ----------------------------------------------------------------- configuration and model

    def _read_config(self, config_doc: dict | None) -> dict | None:
        from app.simulation.engine import normalize_config

        self.config_error = ""
        try:
            if config_doc is None:
                from app.config.io import export_document

                config_doc = export_document(self.services.db)
            return normalize_config(config_doc)
        except UserError as error:
            self.config_error = f"This configuration can't be simulated: {error}"
            return None

    def reset_model(self) -> None:
        """The starting model for the configuration (the form's defaults)."""
        from app.simulation.workload import default_model

        self.set_model(default_model(self.config) if self.config else {})

    def set_model(self, model: dict) -> None:
        self.model_doc = copy.deepcopy(model)
        self._fill_form()
        self.error_label.show_message(self.config_error or None)

    def current_model(self) -> dict:
        """The model with the form's values written into it (other fields kept).

        A value is written only when it was changed in the form: a model file's
        fractional rate or odd duration stays as it was."""
        model = copy.deepcopy(self.model_doc)
        changed = self._changed
        if changed(self.seed):
            model["seed"] = self.seed.value()
        if changed(self.duration_min):
            model["duration_s"] = self.duration_min.value() * 60
        if changed(self.warmup_min):
            model["warmup_s"] = self.warmup_min.value() * 60
        if changed(self.sl_s):
            model["service_level_s"] = self.sl_s.value()
        if changed(self.replications):
            model["replications"] = self.replications.value()
        if changed(self.interval_min):
            model["interval_s"] = self.interval_min.value() * 60
        if self._start_value() != self._filled_start:
            start = self._start_value()
            if start is None:
                model.pop("start", None)
            else:
                model["start"] = start
        for row, arrivals in enumerate(model.get("arrivals", [])):
            rate, handle, patience = self.arrival_boxes[row]
            if changed(rate):
                arrivals["per_hour"] = rate.value()
            if changed(handle):
                arrivals["handle_time_s"] = self._with_mean(arrivals.get("handle_time_s"), handle.value())
            if changed(patience):
                if patience.value() > 0:
                    arrivals["patience_s"] = self._with_mean(arrivals.get("patience_s"), patience.value())
                else:
                    arrivals.pop("patience_s", None)
        behaviour = model.setdefault("agents", {}).setdefault("default", {})
        if changed(self.accept):
            behaviour["accept"] = self.accept.value() / 100
        if changed(self.decline):
            behaviour["decline"] = self.decline.value() / 100
        if changed(self.response_s):
            behaviour["response_s"] = self._with_mean(behaviour.get("response_s"), self.response_s.value())
        return model

    def _start_value(self) -> str | None:
        return self.start.dateTime().toString(START_FORMAT) if self.use_start.isChecked() else None

    def _fill_start(self, text: Any) -> None:
        """The model's start in the form; without one, unticked, and the coming Monday 08:00 offered."""
        start = QDateTime.fromString(str(text), Qt.DateFormat.ISODate) if isinstance(text, str) else QDateTime()
        if not start.isValid():
            today = QDate.currentDate()
            monday = today.addDays((8 - today.dayOfWeek()) % 7 or 7)
            start = QDateTime(monday, QTime(8, 0))
            text = None
        self.start.setDateTime(start)
        self.use_start.setChecked(text is not None)
        self.start.setEnabled(text is not None)
        # the start as written in the model: a file's exact text is kept unless the form changes it
        self._filled_start = self._start_value()

    def _changed(self, box: QSpinBox) -> bool:
        return box.value() != self._filled.get(id(box))

    def _fill(self, box: QSpinBox, value: float) -> None:
        box.setValue(round(value))
        self._filled[id(box)] = box.value()

    @staticmethod
    def _with_mean(distribution: Any, mean: float) -> dict:
        """The distribution with a new mean, its kind (and a lognormal's SD) kept."""
        if isinstance(distribution, dict) and len(distribution) == 1:
            (kind, params), = distribution.items()
            if kind == "lognormal" and isinstance(params, list) and len(params) == 2:
                return {"lognormal": [mean, params[1]]}
            if kind in ("fixed", "exponential"):
                return {kind: mean}
        return {"exponential": mean}

    @staticmethod
    def _mean_of(distribution: Any, default: float = 0.0) -> float:
        if isinstance(distribution, dict) and len(distribution) == 1:
            (kind, params), = distribution.items()
            value = params[0] if isinstance(params, list) and params else params
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        return default

    # ----------------------------------------------------------------- the form

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.open_button = QPushButton("Open model…")
        self.open_button.clicked.connect(self.ask_open_model)
        self.save_button = QPushButton("Save model…")
        self.save_button.clicked.connect(self.ask_save_model)
        self.reset_button = QPushButton("Reset from configuration")
        self.reset_button.setToolTip("A fresh model: every active work stream, rates for about 70 % occupancy")
        self.reset_button.clicked.connect(self.reset_model)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("runWhatIf")
        self.run_button.setDefault(True)
        self.run_button.setShortcut(QKeySequence("Ctrl+R"))
        self.run_button.setToolTip("Simulate the model on the configuration (Ctrl+R)")
        self.run_button.clicked.connect(self.run)
        self.report_button = QPushButton("Export report…")
        self.report_button.clicked.connect(self.ask_export_report)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.clicked.connect(self.ask_export_csv)
        for button in (self.open_button, self.save_button, self.reset_button):
            bar.addWidget(button)
        bar.addStretch(1)
        for button in (self.report_button, self.csv_button, self.run_button):
            bar.addWidget(button)
        outer.addLayout(bar)
        self.error_label = ErrorLabel(self)
        outer.addWidget(self.error_label)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        outer.addWidget(splitter, 1)

        form_page = QWidget()
        form_layout = QVBoxLayout(form_page)
        form_layout.addWidget(section_title("Run"))
        general = QFormLayout()
        self.seed = self._spin(0, 2**31 - 1)
        self.duration_min = self._spin(1, 366 * 24 * 60, " min")
        self.warmup_min = self._spin(0, 24 * 60, " min")
        self.sl_s = self._spin(0, 3600, " s")
        self.replications = self._spin(1, 100)
        self.interval_min = self._spin(1, 24 * 60, " min")
        for label, widget in (("Seed", self.seed), ("Length of the day", self.duration_min),
                              ("Warm-up (not counted)", self.warmup_min), ("Service level within", self.sl_s),
                              ("Replications", self.replications), ("Chart interval", self.interval_min)):
            general.addRow(label, widget)
        self.use_start = QCheckBox("Starts at")
        self.use_start.setToolTip("The local date and time the day starts: the queues' operating hours and "
                                  "closed dates apply from it. Unticked: every queue is always open.")
        self.start = DateTimeEdit()
        self.start.setDisplayFormat("ddd d MMM yyyy HH:mm")
        self.start.setCalendarPopup(True)
        self.start.setAccessibleName("Start of the day")
        self.use_start.toggled.connect(self.start.setEnabled)
        start_row = QHBoxLayout()
        start_row.addWidget(self.use_start)
        start_row.addWidget(self.start, 1)
        general.addRow("Calendar", start_row)
        form_layout.addLayout(general)
        form_layout.addWidget(section_title("Arrivals"))
        self.arrivals = QWidget()
        self.arrivals.setObjectName("arrivalsGrid")
        self.arrivals_grid = QGridLayout(self.arrivals)
        self.arrivals_grid.setContentsMargins(0, 0, 0, 0)
        self.arrivals_grid.setColumnStretch(0, 1)
        self.arrival_names: list[QLabel] = []
        self.arrival_boxes: list[tuple[QSpinBox, QSpinBox, QSpinBox]] = []
        form_layout.addWidget(self.arrivals)
        self.empty_arrivals = hint_label("No active work stream with a default queue: there is nothing to simulate. "
                                         "Activate a work stream, or open a model file.")
        form_layout.addWidget(self.empty_arrivals)
        form_layout.addWidget(hint_label("Patience 0 = customers wait for ever. Profiles, context mixes, "
                                         "customers coming back (reconnect), per-agent behaviour and presence "
                                         "changes come from the model file and are kept."))
        form_layout.addWidget(section_title("Agents answering pops"))
        agents = QFormLayout()
        self.accept = self._spin(0, 100, " %")
        self.decline = self._spin(0, 100, " %")
        self.response_s = self._spin(0, 3600, " s")
        for label, widget in (("Accept", self.accept), ("Decline", self.decline),
                              ("Time to respond", self.response_s)):
            agents.addRow(label, widget)
        form_layout.addLayout(agents)
        form_layout.addWidget(hint_label("The rest of the pops are left to expire at the stream's timeout."))
        form_layout.addStretch(1)
        form_scroll = QScrollArea()
        form_scroll.setWidgetResizable(True)
        form_scroll.setWidget(form_page)
        form_scroll.setMinimumWidth(400)
        form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        splitter.addWidget(form_scroll)

        results_page = QWidget()
        results = QVBoxLayout(results_page)
        self.empty_results = QLabel("Press Run (Ctrl+R) to simulate a day with this model.\n"
                                    "Each run is shown next to the one before, to compare.")
        self.empty_results.setObjectName("emptyState")
        self.empty_results.setAlignment(Qt.AlignmentFlag.AlignCenter)
        results.addWidget(self.empty_results, 1)
        columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.columns_layout = columns
        self.latest = RunColumn("Latest run")
        self.previous = RunColumn("Previous run")
        columns.addWidget(self.latest, 1)
        columns.addWidget(self.previous, 1)
        self.columns = QWidget()
        self.columns.setLayout(columns)
        self.columns.setVisible(False)
        results.addWidget(self.columns)
        results_scroll = QScrollArea()
        results_scroll.setWidgetResizable(True)
        results_scroll.setWidget(results_page)
        # the runs' arrangement follows the room the results get (the splitter moves it, not only the window)
        self.results_scroll = results_scroll
        results_scroll.viewport().installEventFilter(self)
        splitter.addWidget(results_scroll)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([470, 810])
        self._update_buttons()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._arrange_runs()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.results_scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._arrange_runs()
        return super().eventFilter(watched, event)

    def _arrange_runs(self) -> None:
        """Side by side when there is room for two columns of tiles and charts, else one above the other."""
        room = self.results_scroll.viewport().width()
        margins = self.results_scroll.widget().layout().contentsMargins()
        # both columns at their narrowest (tiles, and the skills and overflow tables when shown)
        needed = (self.latest.minimumSizeHint().width() + self.previous.minimumSizeHint().width()
                  + self.columns_layout.spacing() + margins.left() + margins.right())
        direction = (QBoxLayout.Direction.LeftToRight if room >= max(SIDE_BY_SIDE_MIN, needed)
                     else QBoxLayout.Direction.TopToBottom)
        if self.columns_layout.direction() != direction:
            self.columns_layout.setDirection(direction)
            # the page's height for its width changed (one column above the other needs twice the
            # height); the scroll area hears of it only on its next resize, so tell it now
            self._fit_results()
            QTimer.singleShot(0, self, self._fit_results)  # once more when the layouts have settled

    def _fit_results(self) -> None:
        """The results page at its height for the room's width: what the scroll area does itself, but
        only on its next resize, which a change of arrangement alone does not bring."""
        page = self.results_scroll.widget()
        page.layout().activate()
        room = self.results_scroll.viewport().size()
        height = max(page.heightForWidth(room.width()), page.minimumSizeHint().height(), room.height())
        if page.height() < height:
            page.resize(room.width(), height)
            QApplication.sendEvent(self.results_scroll, QEvent(QEvent.Type.LayoutRequest))  # its scroll bars

    @staticmethod
    def _spin(low: int, high: int, suffix: str = "") -> QSpinBox:
        box = SpinBox()
        box.setRange(low, high)
        box.setSuffix(suffix)
        return box

    def _cell(self, row: int, column: int) -> QSpinBox:
        """The spin box of arrivals row ``row``: column 1 rate, 2 handle time, 3 patience."""
        return self.arrival_boxes[row][column - 1]

    def _fill_form(self) -> None:
        model = self.model_doc
        self._filled: dict[int, int] = {}
        self._fill(self.seed, int(model.get("seed", 0)))
        self._fill(self.duration_min, float(model.get("duration_s", 8 * 3600)) / 60)
        self._fill(self.warmup_min, float(model.get("warmup_s", 0)) / 60)
        self._fill(self.sl_s, float(model.get("service_level_s", 60)))
        self._fill(self.replications, int(model.get("replications", 1)))
        self._fill(self.interval_min, max(1.0, float(model.get("interval_s", 900)) / 60))
        self._fill_start(model.get("start"))
        self._fill_arrivals(model.get("arrivals", []))
        behaviour = (model.get("agents") or {}).get("default", {})
        self._fill(self.accept, 100 * float(behaviour.get("accept", 1)))
        self._fill(self.decline, 100 * float(behaviour.get("decline", 0)))
        self._fill(self.response_s, self._mean_of(behaviour.get("response_s"), 0))
        self._update_buttons()

    def _fill_arrivals(self, rows: list[dict]) -> None:
        grid = self.arrivals_grid
        while grid.count():
            item = grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.arrival_names, self.arrival_boxes = [], []
        if rows:
            for column, text in enumerate(("Work stream", "Per hour", "Handle time", "Patience")):
                header = hint_label(text)
                header.setWordWrap(False)
                grid.addWidget(header, 0, column)
        for row, arrivals in enumerate(rows, start=1):
            name = QLabel(str(arrivals.get("workstream", "")))
            name.setWordWrap(True)
            name.setMinimumWidth(90)
            context = arrivals.get("context") or {}
            name.setToolTip("Context: " + "; ".join(f"{k} {json.dumps(v)}" for k, v in context.items())
                            if context else "No context values")
            grid.addWidget(name, row, 0)
            boxes = []
            for column, (value, suffix, high) in enumerate((
                    (float(arrivals.get("per_hour", 0)), "", 1_000_000),
                    (self._mean_of(arrivals.get("handle_time_s"), 300), " s", 366 * 86400),
                    (self._mean_of(arrivals.get("patience_s"), 0), " s", 366 * 86400)), start=1):
                box = self._spin(0, high, suffix)
                box.setMinimumWidth(84)
                box.setMaximumWidth(110)
                box.setAccessibleName(f"{name.text()}: {('rate per hour', 'handle time', 'patience')[column - 1]}")
                self._fill(box, value)
                grid.addWidget(box, row, column)
                boxes.append(box)
            name.setBuddy(boxes[0])
            self.arrival_names.append(name)
            self.arrival_boxes.append(tuple(boxes))
        self.arrivals.setVisible(bool(rows))
        self.empty_arrivals.setVisible(not rows)

    def _update_buttons(self) -> None:
        running = self.task is not None
        can_run = self.config is not None and not running
        self.run_button.setEnabled(can_run)
        self.reset_button.setEnabled(self.config is not None and not running)
        self.open_button.setEnabled(not running)
        self.report_button.setEnabled(bool(self.runs))
        self.csv_button.setEnabled(bool(self.runs))

    # ----------------------------------------------------------------- running

    def run(self) -> None:
        if self.task is not None or self.config is None:
            return
        model = self.current_model()
        self.error_label.show_message(None)
        self.task = run_in_background(self, simulate, self.config, model, on_done=self._run_done,
                                      on_error=self._run_failed, on_cancelled=self._run_cancelled,
                                      progress_title="Simulating the day")
        if self.task is not None and self.task.state != self.task.RUNNING:
            self.task = None  # synchronous: the callbacks already ran
        self._update_buttons()

    def _task_over(self) -> None:
        self.task = None
        self._update_buttons()
        self.runFinished.emit()

    def _run_done(self, run: dict) -> None:
        self.run_count += 1
        run["label"] = f"Run {self.run_count}"
        self.runs = (self.runs + [run])[-2:]
        self.empty_results.setVisible(False)
        self.columns.setVisible(True)
        self.latest.show_run(run["label"], run)
        self.previous.setVisible(len(self.runs) > 1)
        if len(self.runs) > 1:
            self.previous.show_run(self.runs[0]["label"], self.runs[0])
        self._arrange_runs()  # the tables a run shows may need more room than two columns have
        self._task_over()

    def _run_failed(self, error: BaseException) -> None:
        from ui.common.background import describe_error

        self.error_label.show_message(f"Can't run this model: {describe_error(error)}")
        self._task_over()

    def _run_cancelled(self) -> None:
        self.error_label.show_message("Run cancelled: the results shown are from before.")
        self._task_over()

    # ----------------------------------------------------------------- files

    def load_model_file(self, path: str) -> None:
        """Read and check a model file; UserError (one line) when it is not a valid model here."""
        from app.common.jsonio import loads_strict
        from app.simulation.workload import check_workload, parse_workload

        from app.common.files import read_text_limited

        data = loads_strict(read_text_limited(path, what="workload model"), source=path)
        try:
            parsed = parse_workload(data)
            if self.config is not None:
                check_workload(parsed, self.config)
        except UserError as error:
            raise UserError(f"{Path(path).name}: {error}") from None
        self.set_model(data)

    def save_model_file(self, path: str) -> None:
        from app.common.files import write_atomically

        text = json.dumps(self.current_model(), indent=2, ensure_ascii=False) + "\n"
        write_atomically(path, text.encode("utf-8"))

    def export_report(self, path: str) -> None:
        from app.common.files import write_atomically
        from app.simulation.report import html_report

        runs = [(run["label"], run["figures"], run["series"]) for run in reversed(self.runs)]
        write_atomically(path, html_report("What-if lab", runs).encode("utf-8"))

    def export_csv(self, path: str) -> None:
        from app.common.files import write_atomically
        from app.simulation.report import series_csv

        runs = [(run["label"], run["series"]) for run in reversed(self.runs)]
        write_atomically(path, series_csv(runs).encode("utf-8"))

    def _file_action(self, title: str, action, path: str) -> None:
        try:
            action(path)
        except (UserError, OSError) as error:
            from ui.common.background import describe_error

            messages.error(self, title, describe_error(error))

    def ask_open_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open workload model", "", MODEL_FILTER)
        if path:
            self._file_action("Open workload model", self.load_model_file, path)

    def ask_save_model(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save workload model", "workload.json", MODEL_FILTER)
        if path:
            self._file_action("Save workload model", self.save_model_file, path)

    def ask_export_report(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export report", "whatif-report.html", "HTML (*.html)")
        if path:
            self._file_action("Export report", self.export_report, path)

    def ask_export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export series", "whatif-series.csv", "CSV (*.csv)")
        if path:
            self._file_action("Export series", self.export_csv, path)
