"""Exporting and importing ``.wsbundle`` files: the export dialog and the import preview.

``ExportBundleDialog`` gathers what to export (all work streams or a checked
subset, a label, everything or only the changes since a baseline, an optional
signing key, the file) and runs ``app.interchange.bundle_service.export_bundle`` in the
background.

``ImportBundleDialog`` runs a dry run of ``app.interchange.bundle_service.import_bundle`` in
the background and shows what the bundle would do before anything is written:
a header (label, kind, origin, time, signature), the conflicts of a delta in red
with Stop / Take theirs / Keep ours, and the semantic diff grouped by object.
Apply runs the real import (one transaction, after a backup) with progress and
Cancel; Cancel closes without writing anything.

Both dialogs call the service through the module (``bundle_service.import_bundle``)
so tests can slow it down, and expose ``ask_open_path`` / ``ask_save_path`` /
``ask_key_path`` hooks and ``set_path`` so tests never meet a file dialog.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.doctor import ImportFindings
from app.doctor.service import plan_findings
from app.interchange import bundle_service
from app.interchange.bundles.delta import KIND_LABELS, DeltaConflict
from app.interchange.bundles.diff import FIELD_LABELS, Change, Diff
from app.interchange.bundles.format import BUNDLE_SUFFIX, load_sign_key, read_bundle
from app.common.errors import UserError
from ui.common import messages
from ui.common.background import BackgroundTask, describe_error, run_in_background
from ui.doctor.import_note import DoctorImportNote
from ui.records.editors import CheckList

LABEL_MAX = 200  # the manifest's limit
BUNDLE_FILTER = "Workstream Console bundles (*.wsbundle);;All files (*)"
KEY_FILTER = "Key files (*.key *.txt *.bin);;All files (*)"

GROUPS = (("rating_model", "Rating models"), ("skill", "Skills"), ("capacity_profile", "Capacity profiles"),
          ("presence", "Presences"), ("agent", "Agents"), ("queue", "Queues"), ("workstream", "Work streams"))
NESTED_LABELS = {"context_variable": "Context variable", "routing_rule": "Routing rule", "channel": "Channel"}
MARKERS = {"create": "+", "delete": "−", "update": "~", "move": "↕", "rename": "✎"}
MARKER_COLOURS = {"create": "#0E700E", "delete": "#C50F1F", "update": "#0F6CBD", "move": "#616161",
                  "rename": "#8764B8"}
CONFLICT_COLOUR = "#C50F1F"
CONFLICT_REASONS = {
    "changed_here": "changed here as well since the shared baseline",
    "deleted_here": "deleted here, but changed in the bundle",
    "exists": "already exists here with other content",
    "name_taken": "its name is used here by another {kind}",
}
CONFLICT_CHOICES = (
    ("stop", "Stop — import nothing until the conflicts are resolved"),
    ("theirs", "Take theirs — the bundle's version wins"),
    ("ours", "Keep ours — skip the conflicting changes, import the rest"),
)
# Above this many rows the tree opens only its groups.
EXPAND_ALL_LIMIT = 400

BUNDLE_QSS = """
QLabel[role="error-banner"] { color: #A4262C; background: #FDF3F4; border: 1px solid #EEACB2;
    border-radius: 6px; padding: 8px 12px; }
QFrame#bundleHeader { background: #F5F7FA; border: 1px solid #E0E0E0; border-radius: 8px; }
QFrame#bundleHeader QLabel { background: transparent; }
QLabel#bundleTitle { font-size: 11.5pt; font-weight: 600; color: #242424; }
QLabel[role="fieldName"] { color: #616161; }
QLabel[role="fieldValue"] { color: #242424; }
QLabel[signature="verified"] { color: #0E700E; font-weight: 600; }
QLabel[signature="unchecked"] { color: #8A5300; }
QFrame#conflictBox { background: #FDF3F4; border: 1px solid #EEACB2; border-left: 4px solid #C50F1F;
    border-radius: 6px; }
QFrame#conflictBox QLabel { background: transparent; }
QLabel#conflictTitle { color: #A4262C; font-weight: 600; }
QLabel#conflictList { color: #A4262C; }
QLabel#diffSummary { font-weight: 600; color: #242424; padding-top: 4px; }
QLabel[role="cancelNote"] { color: #8A5300; background: #FFF9F0; border: 1px solid #F5D9A8;
    border-radius: 6px; padding: 6px 10px; }
QTreeWidget#diffTree { background: #FFFFFF; border: 1px solid #E0E0E0; border-radius: 8px; outline: 0;
    padding: 4px 0px; }
QTreeWidget#diffTree::item { padding: 3px 2px; }
QTreeWidget#diffTree::item:selected { background: #EBF3FC; color: #242424; }
QLabel#diffEmpty { color: #616161; background: #FAFAFA; border: 1px dashed #D1D1D1; border-radius: 8px;
    padding: 24px; }
QListWidget#exportStreams:disabled { background: #FAFAFA; color: #616161; }
QListWidget#exportStreams::indicator:disabled { background: #F0F0F0; border: 1px solid #C8C6C4; }
QListWidget#exportStreams::indicator:checked:disabled { background: #8AB4DD; border-color: #8AB4DD;
    image: url(@icons@/check.svg); }
"""


# --------------------------------------------------------------------------- small pieces


def bundle_qss() -> str:
    """BUNDLE_QSS with ``@icons@`` pointing at the icons folder (as ui.common.style does for style.qss)."""
    import resources

    folder = str(resources.path("icons")).replace("\\", "/")
    return BUNDLE_QSS.replace("@icons@", folder)


def local_time(moment: datetime | str | None) -> str:
    """A stored UTC time (naive, or 'YYYY-MM-DDTHH:MM:SSZ') in the local zone: '2024-05-01 14:03'."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        try:
            moment = datetime.strptime(moment, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def dialog_label(text: str, role: str | None = None, *, wrap: bool = False, name: str = "") -> QLabel:
    label = QLabel(text)
    if role:
        label.setProperty("role", role)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


def _error_label(name: str) -> QLabel:
    label = dialog_label("", "error", wrap=True, name=name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _set_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def separator_line() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setProperty("role", "separator")
    return line


@lru_cache(maxsize=None)
def marker_icon(op: str, size: int = 18) -> QIcon:
    """A small rounded badge with the change's symbol (+ − ~ ↕ ✎) in its colour."""
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(MARKER_COLOURS.get(op, "#616161"))
    fill = QColor(colour)
    fill.setAlpha(28)
    painter.setPen(QPen(colour, 1))
    painter.setBrush(QBrush(fill))
    painter.drawRoundedRect(QRectF(1.5, 1.5, size - 3, size - 3), 4, 4)
    font = QFont()
    font.setPixelSize(size - 5)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(colour)
    painter.drawText(QRectF(0, -0.5, size, size), Qt.AlignmentFlag.AlignCenter, MARKERS.get(op, "?"))
    painter.end()
    return QIcon(pixmap)


class FilePicker(QWidget):
    """A path with Browse… (and, when optional, Clear); typing is allowed when ``editable``."""

    changed = Signal(str)

    def __init__(self, placeholder: str, ask, *, clearable: bool = False, editable: bool = False, parent=None):
        super().__init__(parent)
        self._ask = ask
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.edit = QLineEdit()
        self.edit.setReadOnly(not editable)
        self.edit.setPlaceholderText(placeholder)
        if not editable:
            self.edit.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.edit.textChanged.connect(self._text_changed)
        layout.addWidget(self.edit, 1)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self.browse)
        layout.addWidget(self.browse_button)
        self.clear_button: QPushButton | None = None
        if clearable:
            self.clear_button = QPushButton("Clear")
            self.clear_button.clicked.connect(lambda: self.set_path(""))
            self.clear_button.setEnabled(False)
            layout.addWidget(self.clear_button)

    def path(self) -> str:
        return self.edit.text().strip()

    def set_path(self, path: str | Path) -> None:
        text = str(path) if path else ""
        if text == self.edit.text():
            return
        self.edit.setText(text)
        self.edit.setCursorPosition(len(text))  # the file name, not the start of the folder, is visible

    def _text_changed(self, text: str) -> None:
        self.edit.setToolTip(text)
        if self.clear_button is not None:
            self.clear_button.setEnabled(bool(text))
        self.changed.emit(text.strip())

    def browse(self) -> None:
        path = self._ask()
        if path:
            self.set_path(path)


class FitHeightDialog(QDialog):
    """A dialog never shorter than its layout needs at its current width (wrapped labels included)."""

    def _fit_height(self) -> None:
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return
        needed = layout.totalHeightForWidth(self.width())
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)

    def showEvent(self, event) -> None:
        self._fit_height()
        super().showEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_height()


# --------------------------------------------------------------------------- export


def export_message(result: bundle_service.ExportResult, subset: bool = False) -> str:
    """'Exported 16 objects to X (baseline abcdef123456)', or the delta's version of it."""
    if result.kind == "delta":
        changes = result.counts.get("changes", 0)
        noun = "change" if changes == 1 else "changes"
        return f"Exported {changes} {noun} since baseline {result.baseline_id[:12]} to {result.path}"
    objects = sum(result.counts.values())
    noun = "object" if objects == 1 else "objects"
    if subset:
        streams = result.counts.get("workstreams", 0)
        return (f"Exported {objects} {noun} ({streams} work stream{'s' if streams != 1 else ''} and what "
                f"{'they use' if streams != 1 else 'it uses'}) to {result.path}")
    return f"Exported {objects} {noun} to {result.path} (baseline {result.baseline_id[:12]})"


class ExportBundleDialog(FitHeightDialog):
    """Choose what to export and where; the export runs in the background."""

    exported = Signal(object, str)  # ExportResult, the message for the status bar
    taskFinished = Signal()

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.task: BackgroundTask | None = None
        self.export_result: bundle_service.ExportResult | None = None
        self.result_message = ""
        self._confirmed_path = ""
        self.setObjectName("exportBundleDialog")
        self.setWindowTitle("Export bundle")
        self.setModal(True)
        self.setMinimumWidth(600)
        self.setStyleSheet(bundle_qss())

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 18)
        outer.setSpacing(12)
        outer.addWidget(dialog_label("Export bundle", "dialogTitle"))
        outer.addWidget(dialog_label("A bundle carries work streams with the queues, agents and presences they use, "
                               "to import on another console. Bundles are checked when they are imported, "
                               "and can be signed.", "hint", wrap=True))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(20)
        form.setVerticalSpacing(12)
        outer.addLayout(form)

        # what: all work streams or some
        names = services.names("workstreams")
        self.all_streams = QRadioButton(f"All work streams ({len(names)})")
        self.some_streams = QRadioButton("Only the work streams checked below")
        self.all_streams.setChecked(True)
        self.stream_group = QButtonGroup(self)
        self.stream_group.addButton(self.all_streams)
        self.stream_group.addButton(self.some_streams)
        self.stream_list = CheckList(names)
        self.stream_list.setObjectName("exportStreams")
        self._subset: list[str] = []  # the checked streams of "Only …", kept while "All" is chosen
        self.stream_list.set_checked(names)
        self.stream_list.setEnabled(False)
        self.streams_error = _error_label("error_streams")
        box = QVBoxLayout()
        box.setSpacing(6)
        box.addWidget(self.all_streams)
        box.addWidget(self.some_streams)
        box.addWidget(self.stream_list)
        box.addWidget(self.streams_error)
        form.addRow(dialog_label("Work streams", "fieldName"), box)

        # contents: everything or the changes since a baseline
        self.baselines = bundle_service.list_baselines(services.db)
        self.full_radio = QRadioButton("Everything in the chosen work streams (full bundle)")
        self.delta_radio = QRadioButton("Only changes since a baseline (delta)")
        self.full_radio.setChecked(True)
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.full_radio)
        self.kind_group.addButton(self.delta_radio)
        self.baseline_combo = QComboBox()
        self.baseline_combo.setObjectName("baselineCombo")
        for baseline in self.baselines:
            self.baseline_combo.addItem(self.baseline_text(baseline), baseline["id"])
            self.baseline_combo.setItemData(self.baseline_combo.count() - 1, baseline["id"],
                                            Qt.ItemDataRole.ToolTipRole)
        self.baseline_combo.setEnabled(False)
        self.baseline_hint = dialog_label("", "hint", wrap=True, name="baselineHint")
        box = QVBoxLayout()
        box.setSpacing(6)
        box.addWidget(self.full_radio)
        box.addWidget(self.delta_radio)
        box.addWidget(self.baseline_combo)
        box.addWidget(self.baseline_hint)
        form.addRow(dialog_label("Contents", "fieldName"), box)
        if not self.baselines:
            self.delta_radio.setEnabled(False)
            self.baseline_combo.hide()
            self.baseline_hint.setText("No baselines yet. A baseline is recorded when this console exports, or "
                                       "imports, a full bundle of all work streams; after that you can export "
                                       "only what changed since.")

        self.label_edit = QLineEdit()
        self.label_edit.setObjectName("bundleLabel")
        self.label_edit.setMaxLength(LABEL_MAX)
        self.label_edit.setPlaceholderText("What this bundle is, e.g. “Q4 routing changes”")
        form.addRow(dialog_label("Label", "fieldName"), self.label_edit)

        self.key_picker = FilePicker("Not signed", self.ask_key_path, clearable=True)
        self.key_picker.setObjectName("signKey")
        self.key_error = _error_label("error_key")
        box = QVBoxLayout()
        box.setSpacing(4)
        box.addWidget(self.key_picker)
        box.addWidget(dialog_label("Optional. A console that requires signed bundles checks the signature with the "
                             "same key file.", "hint", wrap=True))
        box.addWidget(self.key_error)
        form.addRow(dialog_label("Signing key", "fieldName"), box)

        self.file_picker = FilePicker("Choose where to save the bundle", self.ask_save_path, editable=True)
        self.file_picker.setObjectName("bundleFile")
        self.file_picker.browse_button.setText("Choose…")
        self.file_error = _error_label("error_file")
        box = QVBoxLayout()
        box.setSpacing(4)
        box.addWidget(self.file_picker)
        box.addWidget(self.file_error)
        form.addRow(dialog_label("Save to", "fieldName"), box)

        self.general_error = dialog_label("", "error-banner", wrap=True, name="exportError")
        self.general_error.hide()
        outer.addWidget(self.general_error)
        outer.addStretch(1)
        outer.addWidget(separator_line())
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setProperty("role", "primary")
        self.export_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

        self.some_streams.toggled.connect(self._scope_changed)
        self.delta_radio.toggled.connect(self._kind_changed)
        self.stream_list.changed.connect(lambda: _set_error(self.streams_error, ""))
        self.file_picker.changed.connect(lambda _path: _set_error(self.file_error, ""))
        self.key_picker.changed.connect(lambda _path: _set_error(self.key_error, ""))
        self._kind_changed(False)

    # ------------------------------------------------------------------ hooks (tests replace these)

    def ask_save_path(self) -> str:
        suggested = self.file_picker.path() or str(Path.home() / f"{self._suggested_name()}{BUNDLE_SUFFIX}")
        path, _filter = QFileDialog.getSaveFileName(self, "Export bundle", suggested, BUNDLE_FILTER)
        if path:
            self._confirmed_path = str(Path(path))  # the file dialog asked about replacing it
        return path

    def ask_key_path(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(self, "Signing key", "", KEY_FILTER)
        return path

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # Rows laid out before the style sheet was polished keep a too-small height: lay out again.
        self.stream_list.doItemsLayout()

    def _suggested_name(self) -> str:
        label = "".join(c if c.isalnum() or c in "-_ " else " " for c in self.label_edit.text()).strip()
        return "-".join(label.split()) or "workstreams"

    # ------------------------------------------------------------------ state

    @staticmethod
    def baseline_text(baseline: dict) -> str:
        label = baseline["label"] or "(no label)"
        return f"{label} — {local_time(baseline['at'])} — {baseline['id'][:12]}"

    def set_path(self, path: str | Path) -> None:
        self.file_picker.set_path(path)

    def set_workstreams(self, names: list[str] | None) -> None:
        """None: all work streams; a list: exactly those."""
        if names is None:
            self.all_streams.setChecked(True)
        else:
            self._subset = list(names)
            self.some_streams.setChecked(True)
            self.stream_list.set_checked(names)

    def selected_workstreams(self) -> list[str] | None:
        return None if self.all_streams.isChecked() else self.stream_list.checked()

    def set_delta_since(self, baseline_id: str | None) -> None:
        if baseline_id is None:
            self.full_radio.setChecked(True)
            return
        index = self.baseline_combo.findData(baseline_id)
        if index < 0:
            raise KeyError(baseline_id)
        self.delta_radio.setChecked(True)
        self.baseline_combo.setCurrentIndex(index)

    def delta_since(self) -> str | None:
        return self.baseline_combo.currentData() if self.delta_radio.isChecked() else None

    def _scope_changed(self, some: bool) -> None:
        """All: every stream shown checked (and locked); Only: the user's own choice comes back."""
        if some:
            self.stream_list.set_checked(self._subset)
        else:
            self._subset = self.stream_list.checked()
            self.stream_list.set_checked(self.stream_list.names())
        self.stream_list.setEnabled(some)
        _set_error(self.streams_error, "")

    def _kind_changed(self, delta: bool) -> None:
        self.baseline_combo.setEnabled(delta)
        if self.baselines:
            self.baseline_hint.setText(
                "A delta covers every work stream: it carries what changed here since the chosen baseline, "
                "for a console that has the same baseline." if delta else
                "Exporting all work streams in full also records a baseline, so later you can export only "
                "what changed since.")
        if delta:
            self.all_streams.setChecked(True)
        self.some_streams.setEnabled(not delta)

    # ------------------------------------------------------------------ exporting

    def validate(self) -> bool:
        ok = True
        streams = self.selected_workstreams()
        if streams is not None and not streams:
            _set_error(self.streams_error, "Check at least one work stream, or choose All work streams.")
            ok = False
        path = self.file_picker.path()
        if not path:
            _set_error(self.file_error, "Choose where to save the bundle.")
            ok = False
        elif not Path(path).parent.is_dir():
            _set_error(self.file_error, f"The folder {Path(path).parent} does not exist.")
            ok = False
        return ok

    def target_path(self) -> Path:
        path = Path(self.file_picker.path())
        return path if path.suffix.lower() == BUNDLE_SUFFIX else path.with_name(path.name + BUNDLE_SUFFIX)

    def export(self) -> BackgroundTask | None:
        self.general_error.hide()
        if not self.validate():
            return None
        key = None
        if self.key_picker.path():
            try:
                key = load_sign_key(self.key_picker.path())
            except UserError as error:
                _set_error(self.key_error, _sentence(str(error)))
                return None
        target = self.target_path()
        if target.exists() and str(target) != self._confirmed_path and not messages.confirm(
                self, "Replace the file?", f"{target.name} already exists in {target.parent}. Replace it?"):
            return None
        self._set_busy(True)
        streams = self.selected_workstreams()
        self.task = run_in_background(
            self, bundle_service.export_bundle, self.services.db, target,
            workstreams=streams, label=self.label_edit.text().strip(), delta_since=self.delta_since(),
            sign_key=key, progress_arg=None, progress_title="Exporting the bundle", cancellable=False,
            on_done=lambda result: self._exported(result, streams is not None), on_error=self._failed)
        self.task.finished.connect(self.taskFinished)
        return self.task

    def _exported(self, result: bundle_service.ExportResult, subset: bool) -> None:
        self._set_busy(False)
        self.export_result = result
        self.result_message = export_message(result, subset)
        self.exported.emit(result, self.result_message)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.general_error.setText(f"Not exported: {_sentence(describe_error(error))}")
        self.general_error.show()

    def _set_busy(self, busy: bool) -> None:
        self.export_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)

    def reject(self) -> None:
        if self.task is not None and self.task.is_running():
            return  # an export is a few quick writes: let it finish
        super().reject()


# --------------------------------------------------------------------------- import


@dataclass
class Preview:
    """What a dry run found, plus what the header needs."""

    plan: bundle_service.ImportPlan
    baseline_id: str = ""
    baseline_label: str = ""
    baseline_at: datetime | None = None
    size: int = 0
    signature_checked: bool = False
    findings: ImportFindings | None = None  # the doctor: what the import adds (new first)


def preview_bundle(db, path: str, *, replace: bool = False, on_conflict: str = "stop",
                   require_signature: bool = False, sign_key: bytes | None = None, progress=None) -> Preview:
    """The dry run (in the worker thread): the plan, and for a delta the baseline it needs."""
    plan = bundle_service.import_bundle(db, path, dry_run=True, replace=replace, on_conflict=on_conflict,
                                        require_signature=require_signature, sign_key=sign_key, progress=progress,
                                        keep_documents=True)
    preview = Preview(plan, signature_checked=sign_key is not None and "signature" in plan.manifest)
    # the doctor on the configuration as it is and as the import would leave it
    preview.findings = plan_findings(plan, progress)
    plan.before_document = plan.after_document = None  # a big configuration twice: not kept
    try:
        preview.size = Path(path).stat().st_size
    except OSError:
        pass
    if plan.kind == "delta":
        preview.baseline_id = read_bundle(path).raw_config.get("baseline", {}).get("id", "")
        here = next((b for b in bundle_service.list_baselines(db) if b["id"] == preview.baseline_id), None)
        if here is not None:  # as this console knows it (the delta's own label is the delta's)
            preview.baseline_label, preview.baseline_at = here["label"], here["at"]
    return preview


def _field_text(field_change) -> tuple[str, str]:
    label = FIELD_LABELS.get(field_change.field, field_change.field).replace("_", " ")
    rendered = field_change.render()
    value = rendered[len(label) + 1:] if rendered.startswith(label + " ") else rendered
    return label[:1].upper() + label[1:], value


def _change_text(change: Change) -> str:
    if change.op == "create":
        return "new"
    if change.op == "delete":
        return "deleted"
    if change.op == "rename":
        return f"renamed from '{change.old_name}'"
    if change.op == "move":
        if change.from_position == change.to_position:
            return f"order changed around it (still position {change.to_position})"
        return f"moved from position {change.from_position} to {change.to_position}"
    count = len(change.fields)
    return f"updated ({count} field{'s' if count != 1 else ''})" if count else "updated"


def populate_diff_tree(tree: QTreeWidget, diff: Diff, conflicts: list | None = None) -> int:
    """Fill ``tree`` with the diff grouped by object; returns the number of rows."""
    tree.clear()
    conflicted = {(c.kind, c.name.casefold()): c for c in (conflicts or [])}
    groups: dict[str, QTreeWidgetItem] = {}
    objects: dict[tuple[str, str], QTreeWidgetItem] = {}
    ops_per_group: dict[str, dict[str, int]] = {}
    rows = 0
    bold = QFont(tree.font())
    bold.setBold(True)

    def group(kind: str) -> QTreeWidgetItem:
        if kind not in groups:
            item = QTreeWidgetItem([dict(GROUPS)[kind], ""])
            item.setFont(0, bold)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setData(0, Qt.ItemDataRole.UserRole, ("group", kind))
            groups[kind] = item
            ops_per_group[kind] = {}
        return groups[kind]

    def object_item(kind: str, name: str, change: Change | None) -> QTreeWidgetItem:
        nonlocal rows
        key = (kind, name.casefold())
        item = objects.get(key)
        if item is None:
            parent = group(kind)
            op = change.op if change is not None else "update"
            item = QTreeWidgetItem(parent, [name, _change_text(change) if change else "updated"])
            item.setIcon(0, marker_icon(op))
            item.setData(0, Qt.ItemDataRole.UserRole, ("object", kind, name, op))
            item.setToolTip(0, f"{KIND_LABELS[kind].capitalize()} '{name}'")
            objects[key] = item
            counts = ops_per_group[kind]
            counts[op] = counts.get(op, 0) + 1
            rows += 1
            conflict = conflicted.get(key)
            if conflict is not None:
                _mark_conflict(item, conflict)
        elif change is not None and item.data(0, Qt.ItemDataRole.UserRole)[3] == "update" and not change.is_nested:
            item.setText(1, _change_text(change))
        return item

    def add_fields(parent: QTreeWidgetItem, change: Change) -> None:
        nonlocal rows
        for field_change in change.fields:
            name, value = _field_text(field_change)
            child = QTreeWidgetItem(parent, [name, value])
            child.setToolTip(1, value)
            child.setData(0, Qt.ItemDataRole.UserRole, ("field", field_change.field))
            child.setForeground(0, QColor("#616161"))
            rows += 1

    for change in sorted(diff.changes, key=Change.sort_key):
        if change.is_nested:
            owner = object_item("workstream", change.workstream or "", None)
            label = NESTED_LABELS.get(change.kind, change.kind)
            child = QTreeWidgetItem(owner, [f"{label}: {change.name}", _change_text(change)])
            child.setIcon(0, marker_icon(change.op))
            child.setData(0, Qt.ItemDataRole.UserRole, ("nested", change.kind, change.name, change.op))
            rows += 1
            add_fields(child, change)
        else:
            item = object_item(change.kind, change.name, change)
            add_fields(item, change)

    for item in objects.values():  # an update says how many changes it lists ("1 field" beside two rows read wrong)
        if item.data(0, Qt.ItemDataRole.UserRole)[3] == "update" and item.childCount() > 1:
            item.setText(1, f"updated ({item.childCount()} changes)")

    order = [kind for kind, _label_text in GROUPS]
    for kind in order:
        if kind in groups:
            item = groups[kind]
            count = item.childCount()
            item.setText(0, f"{dict(GROUPS)[kind]} ({count})")
            parts = []
            for op, word in (("create", "new"), ("update", "updated"), ("rename", "renamed"),
                             ("delete", "deleted")):
                n = ops_per_group[kind].get(op, 0)
                if n:
                    parts.append(f"{n} {word}")
            item.setText(1, ", ".join(parts))
            item.setForeground(1, QColor("#616161"))
            tree.addTopLevelItem(item)
            rows += 1
    if rows <= EXPAND_ALL_LIMIT:
        tree.expandAll()
    else:
        for item in groups.values():
            item.setExpanded(True)
    return rows


def _mark_conflict(item: QTreeWidgetItem, conflict) -> None:
    red = QColor(CONFLICT_COLOUR)
    font = QFont(item.font(0))
    font.setBold(True)
    for column in (0, 1):
        item.setForeground(column, red)
        item.setFont(column, font)
    item.setText(1, f"conflict — {item.text(1)}")
    item.setToolTip(1, conflict_text(conflict))


def conflict_text(conflict) -> str:
    kind = KIND_LABELS.get(conflict.kind, conflict.kind)
    reason = CONFLICT_REASONS.get(conflict.reason, conflict.reason).format(kind=kind)
    return f"{kind.capitalize()} '{conflict.name}': {reason}"


class ImportBundleDialog(QDialog):
    """The import preview: what the bundle would do, conflicts first; Apply or Cancel."""

    imported = Signal(object)  # the applied ImportPlan
    message = Signal(str)  # a line for the main window's status bar
    previewed = Signal(object)  # Preview
    taskFinished = Signal()

    def __init__(self, services, parent: QWidget | None = None, path: str | Path | None = None):
        super().__init__(parent)
        self.services = services
        self.path = str(path) if path else ""
        self.preview: Preview | None = None
        self.plan: bundle_service.ImportPlan | None = None
        self.applied_plan: bundle_service.ImportPlan | None = None
        self.task: BackgroundTask | None = None
        self._apply_task: BackgroundTask | None = None
        self.preview_error = ""
        self._opened = False
        self._closing = False
        self.setObjectName("importBundleDialog")
        self.setWindowTitle("Import bundle")
        self.setModal(True)
        self.setMinimumSize(QSize(720, 560))
        self.resize(860, 760)
        self.setStyleSheet(bundle_qss())

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 18)
        outer.setSpacing(12)
        title_row = QHBoxLayout()
        title_row.addWidget(dialog_label("Import bundle", "dialogTitle"))
        title_row.addStretch(1)
        self.choose_button = QPushButton("Choose another file…")
        self.choose_button.clicked.connect(self.choose_file)
        title_row.addWidget(self.choose_button)
        outer.addLayout(title_row)

        # header: what the bundle is
        self.header = QFrame()
        self.header.setObjectName("bundleHeader")
        header_layout = QVBoxLayout(self.header)
        header_layout.setContentsMargins(14, 10, 14, 12)
        header_layout.setSpacing(6)
        self.title_label = dialog_label("", name="bundleTitle", wrap=True)
        header_layout.addWidget(self.title_label)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(3)
        self.header_values: dict[str, QLabel] = {}
        # kind across the card; then From | Created and Signature | File side by side
        for key, text, row, column, span in (("kind", "Kind", 0, 0, 3), ("origin", "From", 1, 0, 1),
                                             ("created", "Created", 1, 2, 1), ("signature", "Signature", 2, 0, 1),
                                             ("file", "File", 2, 2, 1)):
            name = dialog_label(text, "fieldName")
            value = dialog_label("", "fieldValue", name=f"header_{key}", wrap=key == "kind")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, row, column, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, column + 1, 1, span, Qt.AlignmentFlag.AlignTop)
            self.header_values[key] = value
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(2, 60)
        header_layout.addLayout(grid)
        outer.addWidget(self.header)

        # conflicts: red, at the top, with the choice
        self.conflict_box = QFrame()
        self.conflict_box.setObjectName("conflictBox")
        conflict_layout = QVBoxLayout(self.conflict_box)
        conflict_layout.setContentsMargins(14, 10, 14, 10)
        conflict_layout.setSpacing(6)
        self.conflict_title = dialog_label("", name="conflictTitle", wrap=True)
        conflict_layout.addWidget(self.conflict_title)
        self.conflict_list = dialog_label("", name="conflictList", wrap=True)
        self.conflict_list.setTextFormat(Qt.TextFormat.RichText)
        conflict_layout.addWidget(self.conflict_list)
        self.conflict_group = QButtonGroup(self)
        self.conflict_buttons: dict[str, QRadioButton] = {}
        for choice, text in CONFLICT_CHOICES:
            button = QRadioButton(text)
            button.setObjectName(f"conflict_{choice}")
            self.conflict_group.addButton(button)
            self.conflict_buttons[choice] = button
            conflict_layout.addWidget(button)
        self.conflict_buttons["stop"].setChecked(True)
        self.conflict_group.buttonToggled.connect(self._conflict_choice_changed)
        self.conflict_box.hide()
        outer.addWidget(self.conflict_box)

        # the doctor: the findings this import would add, before the diff
        self.doctor_note = DoctorImportNote()
        self.doctor_note.hide()
        outer.addWidget(self.doctor_note)

        # the diff
        self.summary_label = dialog_label("", name="diffSummary")
        outer.addWidget(self.summary_label)
        self.diff_stack = QStackedWidget()
        self.tree = QTreeWidget()
        self.tree.setObjectName("diffTree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setIconSize(QSize(18, 18))
        self.tree.setIndentation(18)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 330)
        self.empty_label = dialog_label("", name="diffEmpty", wrap=True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.diff_stack.addWidget(self.tree)
        self.diff_stack.addWidget(self.empty_label)
        self.diff_stack.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        outer.addWidget(self.diff_stack, 1)

        # options
        options = QVBoxLayout()
        options.setSpacing(6)
        self.replace_check = QCheckBox("Replace: remove what the bundle does not carry")
        self.replace_check.setObjectName("replaceCheck")
        self.replace_hint = dialog_label("", "hint", wrap=True)
        options.addWidget(self.replace_check)
        options.addWidget(self.replace_hint)
        signature_row = QHBoxLayout()
        signature_row.setSpacing(10)
        self.require_signature = QCheckBox("Require a valid signature")
        self.require_signature.setObjectName("requireSignature")
        signature_row.addWidget(self.require_signature)
        self.key_picker = FilePicker("Key file to check the signature", self.ask_key_path, clearable=True)
        self.key_picker.setObjectName("importKey")
        signature_row.addWidget(self.key_picker, 1)
        options.addLayout(signature_row)
        self.key_error = _error_label("error_key")
        options.addWidget(self.key_error)
        outer.addLayout(options)

        self.error_banner = dialog_label("", "error-banner", wrap=True, name="previewError")
        self.error_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_banner.hide()
        outer.addWidget(self.error_banner)
        self.cancel_note = dialog_label("", "cancelNote", wrap=True, name="cancelNote")
        self.cancel_note.hide()
        outer.addWidget(self.cancel_note)

        outer.addWidget(separator_line())
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("applyButton")
        self.apply_button.setProperty("role", "primary")
        self.apply_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

        self.replace_check.toggled.connect(self._options_changed)
        self.require_signature.toggled.connect(self._options_changed)
        self.key_picker.changed.connect(self._key_changed)
        self._show_nothing("Reading the bundle…")
        self._update_buttons()

    # ------------------------------------------------------------------ hooks (tests replace these)

    def ask_open_path(self) -> str:
        return ask_bundle_path(self)

    def ask_key_path(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(self, "Key file", "", KEY_FILTER)
        return path

    # ------------------------------------------------------------------ choosing and previewing

    def start(self) -> BackgroundTask | None:
        """The first preview; the dialog opens when it succeeds (a refused file only shows why)."""
        return self.run_preview()

    def set_path(self, path: str | Path) -> BackgroundTask | None:
        self.path = str(path)
        self.replace_check.blockSignals(True)
        self.replace_check.setChecked(False)
        self.replace_check.blockSignals(False)
        self.conflict_group.blockSignals(True)
        self.conflict_buttons["stop"].setChecked(True)
        self.conflict_group.blockSignals(False)
        self.plan = None
        return self.run_preview()

    def choose_file(self) -> BackgroundTask | None:
        path = self.ask_open_path()
        return self.set_path(path) if path else None

    def conflict_choice(self) -> str:
        return next(choice for choice, button in self.conflict_buttons.items() if button.isChecked())

    def set_conflict_choice(self, choice: str) -> None:
        self.conflict_buttons[choice].setChecked(True)

    def _sign_key(self) -> bytes | None:
        """The key file's bytes, or None; a bad key file shows its error and raises UserError."""
        if not self.key_picker.path():
            return None
        try:
            return load_sign_key(self.key_picker.path())
        except UserError as error:
            _set_error(self.key_error, _sentence(str(error)))
            raise

    def _options(self) -> dict[str, Any] | None:
        try:
            key = self._sign_key()
        except UserError:
            return None
        return {"replace": self.replace_check.isChecked() and (self.plan is None or self.plan.kind == "full"),
                "on_conflict": self.conflict_choice(), "require_signature": self.require_signature.isChecked(),
                "sign_key": key}

    def run_preview(self) -> BackgroundTask | None:
        if not self.path:
            return None
        self._abandon_task()
        options = self._options()
        if options is None:
            self._preview_failed_inline("The key file can't be used; see above.")
            return None
        self.cancel_note.hide()
        self.error_banner.hide()
        self.preview_error = ""
        progress_parent = self if self._opened else (self.parentWidget() or self)
        task = run_in_background(
            progress_parent, preview_bundle, self.services.db, self.path, **options,
            progress_title="Reading the bundle", cancellable=True,
            on_done=self._previewed, on_error=self._preview_failed, on_cancelled=self._preview_cancelled)
        self._watch(task)
        self._update_buttons()
        return task

    def _watch(self, task: BackgroundTask) -> None:
        self.task = task
        task.finished.connect(lambda t=task: self._task_done(t))

    def _task_done(self, task: BackgroundTask) -> None:
        if self.task is not task:
            return  # an abandoned preview
        self.task = None
        self._update_buttons()
        self.taskFinished.emit()

    def _abandon_task(self) -> None:
        """Stop listening to a running preview (a newer one replaces it)."""
        task = self.task
        if task is not None and task.is_running():
            task.on_done = task.on_error = task.on_cancelled = None
            task.cancel()

    def _previewed(self, preview: Preview) -> None:
        self.preview = preview
        self.plan = preview.plan
        self._show_preview(preview)
        if not self._opened and not self._closing:
            self._opened = True
            self.open()
        self.previewed.emit(preview)

    def _preview_failed(self, error: BaseException) -> None:
        reason = describe_error(error)
        name = Path(self.path).name
        if not self._opened:
            # The file is refused before anything is shown: say why, and that is all.
            messages.error(self.parentWidget(), "Can't import the bundle", f"{name}: {reason}")
            self.message.emit(f"Import refused: {name}: {reason}")
            self._closing = True
            self.done(QDialog.DialogCode.Rejected)
            return
        self._preview_failed_inline(f"{name} can't be imported: {reason}")

    def _preview_failed_inline(self, text: str) -> None:
        self.preview = None
        self.plan = None
        self.preview_error = text
        self.error_banner.setText(text)
        self.error_banner.show()
        self.conflict_box.hide()
        self.doctor_note.hide()
        self.summary_label.setText("")
        self._show_nothing("Nothing to preview.")
        self._update_buttons()

    def _preview_cancelled(self) -> None:
        if not self._opened:
            self.message.emit("Import cancelled")
            self._closing = True
            self.done(QDialog.DialogCode.Rejected)
            return
        self._preview_failed_inline("Reading the bundle was cancelled.")

    def _options_changed(self, *_args) -> None:
        _set_error(self.key_error, "")
        self._update_replace_hint()
        if self.path and self._opened:
            self.run_preview()

    def _key_changed(self, _path: str) -> None:
        self._options_changed()

    def _conflict_choice_changed(self, _button, checked: bool) -> None:
        if checked and self.plan is not None and self.plan.conflicts:
            self.run_preview()  # show what this choice would change
        else:
            self._update_buttons()

    # ------------------------------------------------------------------ showing the preview

    def _show_nothing(self, text: str) -> None:
        self.tree.clear()
        self.empty_label.setText(text)
        self.diff_stack.setCurrentWidget(self.empty_label)

    def _show_preview(self, preview: Preview) -> None:
        plan = preview.plan
        manifest = plan.manifest
        name = Path(self.path).name
        self.title_label.setText(plan.label or name)
        if plan.kind == "delta":
            known = [f"'{preview.baseline_label}'" if preview.baseline_label else "",
                     local_time(preview.baseline_at) if preview.baseline_at else ""]
            about = ", ".join(part for part in known if part)
            kind = f"Changes since baseline {preview.baseline_id[:12]}" + (f" ({about})" if about else "")
        else:
            kind = "Full configuration"
        values = self.header_values
        values["kind"].setText(kind)
        values["kind"].setToolTip(preview.baseline_id)
        origin = manifest.get("source_database_id", "")
        values["origin"].setText(f"database {origin[:8]}…" if origin else "an unknown database")
        values["origin"].setToolTip(f"The database this configuration was first created in: {origin}")
        app_version = manifest.get("app_version", "")
        created = local_time(manifest.get("created_at"))
        values["created"].setText(f"{created} (Workstream Console {app_version})" if app_version else created)
        signed = "signature" in manifest
        if signed and preview.signature_checked:
            text, state = "Signed — verified with the key file", "verified"
        elif signed:
            text, state = "Signed — not checked (choose the key file to verify it)", "unchecked"
        else:
            text, state = "Not signed", "none"
        values["signature"].setText(text)
        values["signature"].setProperty("signature", state)
        values["signature"].style().unpolish(values["signature"])
        values["signature"].style().polish(values["signature"])
        size = f" ({preview.size / 1024:.1f} KB)" if preview.size else ""
        values["file"].setText(f"{name}{size}")
        values["file"].setToolTip(self.path)

        # conflicts
        conflicts = list(plan.conflicts)
        if conflicts:
            count = len(conflicts)
            self.conflict_title.setText(
                f"{count} conflict{'s' if count != 1 else ''}: changed both here and in the bundle since the "
                "shared baseline. Choose what to do:")
            items = "".join(f"<li>{_html(conflict_text(c))}</li>" for c in conflicts)
            self.conflict_list.setText(f"<ul style='margin: 0px; -qt-list-indent: 1;'>{items}</ul>")
            self.conflict_box.show()
        else:
            self.conflict_box.hide()

        if preview.findings is not None:
            self.doctor_note.set_findings(preview.findings)
        self.doctor_note.setVisible(preview.findings is not None)

        # the replace option exists for full bundles only
        self.replace_check.setVisible(plan.kind == "full")
        self._update_replace_hint()

        diff = plan.diff
        stopped = bool(conflicts) and self.conflict_choice() == "stop"
        if stopped:
            self.summary_label.setText("Nothing will be imported while Stop is chosen")
            self._show_nothing("Choose Take theirs or Keep ours above to see what the import would change.")
        elif diff.is_empty:
            self.summary_label.setText("No changes")
            extra = (" Apply still records the bundle as a baseline shared with the console it came from."
                     if plan.kind == "full" else "")
            self._show_nothing(f"Nothing to change: this database already matches the bundle.{extra}")
        else:
            self.summary_label.setText(diff.summary())
            populate_diff_tree(self.tree, diff, conflicts)
            self.tree.resizeColumnToContents(0)
            if self.tree.columnWidth(0) > 420:
                self.tree.setColumnWidth(0, 420)
            self.diff_stack.setCurrentWidget(self.tree)
        self._update_buttons()

    def _update_replace_hint(self) -> None:
        if self.plan is not None and self.plan.kind == "delta":
            self.replace_hint.setText("A delta changes exactly the objects it carries; everything else is kept.")
        elif self.replace_check.isChecked():
            self.replace_hint.setText("Work streams, queues, agents and presences that the bundle does not "
                                      "carry are deleted here.")
        else:
            self.replace_hint.setText("Objects the bundle does not carry are kept.")

    def _update_buttons(self) -> None:
        busy = self.task is not None and self.task.is_running()
        stopped = self.plan is not None and bool(self.plan.conflicts) and self.conflict_choice() == "stop"
        self.apply_button.setEnabled(not busy and self.plan is not None and not stopped and not self.preview_error)
        if stopped:
            self.apply_button.setToolTip("Choose Take theirs or Keep ours to resolve the conflicts first")
        else:
            self.apply_button.setToolTip("Import the bundle as previewed (the database is backed up first)")
        for widget in (self.choose_button, self.replace_check, self.require_signature, self.key_picker,
                       *self.conflict_buttons.values()):
            widget.setEnabled(not busy)

    # ------------------------------------------------------------------ applying

    def apply(self) -> BackgroundTask | None:
        if self.plan is None or not self.apply_button.isEnabled():
            return None
        options = self._options()
        if options is None:
            return None
        self.cancel_note.hide()
        task = self._apply_task = run_in_background(
            self, bundle_service.import_bundle, self.services.db, self.path, **options,
            progress_title="Importing the bundle", cancellable=True,
            on_done=self._applied, on_error=self._apply_failed, on_cancelled=self._apply_cancelled)
        self._watch(task)
        self._update_buttons()
        return task

    def _applied(self, plan: bundle_service.ImportPlan) -> None:
        self.applied_plan = plan
        counts = plan.counts()
        name = Path(self.path).name
        summary = f"{counts['created']} created, {counts['updated']} updated, {counts['deleted']} deleted"
        task = self._apply_task
        late = " (Cancel came after the changes were written)" if task is not None and task.cancel_requested else ""
        informative = f"The database was backed up first, to {plan.backup}." if plan.backup else ""
        self.imported.emit(plan)
        self.message.emit(f"Imported {name}: {summary}{late}")
        messages.info(self, "Bundle imported", f"Imported {name}: {summary}.", informative)
        self.accept()

    def _apply_failed(self, error: BaseException) -> None:
        reason = describe_error(error)
        messages.error(self, "Can't import the bundle", _sentence(reason), "Nothing was imported.")
        self.message.emit(f"Import failed: {reason}")
        if isinstance(error, DeltaConflict):
            self.run_preview()  # the database changed since the preview: show the conflicts now

    def _apply_cancelled(self) -> None:
        text = "Cancelled — nothing was imported"
        self.cancel_note.setText(text + ".")
        self.cancel_note.show()
        self.message.emit(text)

    # ------------------------------------------------------------------ closing

    def reject(self) -> None:
        """Cancel: close without writing anything (a running preview is abandoned)."""
        task = self._apply_task
        if task is not None and task.is_running():
            task.cancel()  # the progress dialog says "Cancelling…"; the outcome arrives as usual
            return
        self._abandon_task()
        self._closing = True
        super().reject()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def ask_bundle_path(parent: QWidget | None) -> str:
    path, _filter = QFileDialog.getOpenFileName(parent, "Import bundle", "", BUNDLE_FILTER)
    return path
