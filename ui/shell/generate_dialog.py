"""File > Generate sample configuration: how big a generated configuration to add.

The generator itself (``app.config.generate``) runs in the background afterwards;
this dialog only gathers the three sizes and shows what they amount to.
"""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from app.config.generate import MAX_RULES, MAX_STREAMS, MAX_VARIABLES, sample_preset
from ui.common.spin_boxes import SpinBox

DEFAULTS = (1_000, 20, 50)
LARGE_OBJECTS = 200_000  # above this, say that it takes a while


class GenerateSampleDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("generateSampleDialog")
        self.setWindowTitle("Generate sample configuration")
        layout = QVBoxLayout(self)
        heading = QLabel("Generate a sample configuration")
        heading.setProperty("role", "dialogTitle")
        layout.addWidget(heading)
        intro = QLabel("Adds generated work streams, with their context variables and routing rules, and the "
                       "queues, agents and presences they use. Names are stable (“Stream 000000”, “Queue 0000”), "
                       "so generating again updates the same records instead of adding more.")
        intro.setWordWrap(True)
        intro.setProperty("role", "note")
        layout.addWidget(intro)
        form = QFormLayout()
        self.streams = self._spin(1, MAX_STREAMS, DEFAULTS[0], 100)
        self.variables = self._spin(0, MAX_VARIABLES, DEFAULTS[1], 1)
        self.rules = self._spin(0, MAX_RULES, DEFAULTS[2], 1)
        form.addRow("&Work streams", self.streams)
        form.addRow("&Context variables per stream", self.variables)
        form.addRow("&Routing rules per stream", self.rules)
        layout.addLayout(form)
        self.summary = QLabel()
        self.summary.setObjectName("generateSummary")
        self.summary.setWordWrap(True)
        self.summary.setProperty("role", "hint")
        layout.addWidget(self.summary)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Generate")
        self.ok_button.setProperty("role", "primary")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for spin in (self.streams, self.variables, self.rules):
            spin.valueChanged.connect(self._update_summary)
        self._update_summary()
        self.setMinimumWidth(460)

    def _spin(self, low: int, high: int, value: int, step: int) -> QSpinBox:
        spin = SpinBox()
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setSingleStep(step)
        spin.setGroupSeparatorShown(True)
        spin.setAccelerated(True)
        return spin

    def values(self) -> tuple[int, int, int]:
        return self.streams.value(), self.variables.value(), self.rules.value()

    def objects(self) -> int:
        return sample_preset(*self.values()).objects

    def _update_summary(self) -> None:
        preset = sample_preset(*self.values())
        text = (f"About {preset.objects:,} records: {preset.streams:,} work streams, "
                f"{preset.queues:,} queues, {preset.agents:,} agents. It runs in the background and can be "
                "cancelled; nothing is added unless it finishes.")
        if preset.objects > LARGE_OBJECTS:
            text += " A configuration this large takes a minute or more."
        self.summary.setText(text)

    def ask(self) -> bool:
        """Show the dialog modally; True when the user chose Generate."""
        return self.exec() == QDialog.DialogCode.Accepted
