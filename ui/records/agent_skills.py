"""The agent dialog's Skills & capacity tab: a rating per skill held, and capacity profile limits.

Every skill of the catalogue is a row (a check box: held or not, and its rating, a value
of the skill's rating model); every capacity profile is a row (a check box: a limit of
the agent's own, and that limit, 1 to 100, starting at the profile's).  The dialog saves
them with the agent; the service checks them and its issue paths (``skills.Mortgages``,
``capacity_profiles.Chat``) come back under the section concerned.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from models.choices import MAX_WORK_ITEM_LIMIT
from ui.common.spin_boxes import SpinBox


class SkillsCapacityEditor(QWidget):
    changed = Signal()

    def __init__(self, catalogue, error_label, parent=None):
        super().__init__(parent)
        self.catalogue = catalogue
        self.errors = {"skills": error_label(), "capacity_profiles": error_label()}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 8, 0)
        layout.setSpacing(6)

        layout.addWidget(self._title("Skills"))
        self.skill_rows: dict[str, tuple[QCheckBox, QComboBox]] = {}
        self.skill_grid = QGridLayout()
        self.skill_grid.setHorizontalSpacing(12)
        self.skill_grid.setColumnStretch(2, 1)
        layout.addLayout(self.skill_grid)
        for name, values in catalogue.skills.items():
            self._add_skill_row(name, values)
        self.no_skills = self._hint("No skills yet: create them on the Skills page (Ctrl+7), then rate agents here.")
        self.no_skills.setVisible(not catalogue.skills)
        layout.addWidget(self.no_skills)
        layout.addWidget(self.errors["skills"])

        layout.addSpacing(8)
        layout.addWidget(self._title("Capacity profiles"))
        layout.addWidget(self._hint("A limit of the agent's own for work streams with profile-based capacity; "
                                    "without one the profile's limit applies."))
        self.profile_rows: dict[str, tuple[QCheckBox, QSpinBox]] = {}
        self.profile_grid = QGridLayout()
        self.profile_grid.setHorizontalSpacing(12)
        self.profile_grid.setColumnStretch(2, 1)
        layout.addLayout(self.profile_grid)
        for name, limit in catalogue.profiles.items():
            self._add_profile_row(name, limit)
        self.no_profiles = self._hint("No capacity profiles yet: create them on the Capacity profiles page (Ctrl+8).")
        self.no_profiles.setVisible(not catalogue.profiles)
        layout.addWidget(self.no_profiles)
        layout.addWidget(self.errors["capacity_profiles"])
        layout.addStretch(1)

    @staticmethod
    def _title(text: str) -> QLabel:
        label = QLabel(text)
        label.setProperty("role", "sectionTitle")
        return label

    @staticmethod
    def _hint(text: str) -> QLabel:
        label = QLabel(text)
        label.setProperty("role", "hint")
        label.setWordWrap(True)
        return label

    def _add_skill_row(self, name: str, values) -> None:
        check = QCheckBox(name)
        check.setObjectName(f"skill_{name}")
        rating = QComboBox()
        rating.setObjectName(f"rating_{name}")
        rating.addItems(list(values))
        rating.setToolTip(f"{name}: the agent's rating, lowest first")
        rating.setEnabled(False)
        rating.setMinimumWidth(120)
        check.toggled.connect(rating.setEnabled)
        check.toggled.connect(lambda _on: self._edited("skills"))
        rating.currentIndexChanged.connect(lambda _i: self._edited("skills"))
        row = self.skill_grid.rowCount()
        self.skill_grid.addWidget(check, row, 0)
        self.skill_grid.addWidget(rating, row, 1)
        self.skill_rows[name] = (check, rating)

    def _add_profile_row(self, name: str, limit: int) -> None:
        check = QCheckBox(name)
        check.setObjectName(f"profile_{name}")
        spin = SpinBox()
        spin.setObjectName(f"limit_{name}")
        spin.setRange(1, MAX_WORK_ITEM_LIMIT)
        spin.setValue(limit)
        spin.setSuffix(" at once")
        spin.setEnabled(False)
        spin.setMinimumWidth(120)
        check.toggled.connect(spin.setEnabled)
        check.toggled.connect(lambda _on: self._edited("capacity_profiles"))
        spin.valueChanged.connect(lambda _v: self._edited("capacity_profiles"))
        default = QLabel(f"the profile's limit: {limit}")
        default.setProperty("role", "hint")
        row = self.profile_grid.rowCount()
        self.profile_grid.addWidget(check, row, 0)
        self.profile_grid.addWidget(spin, row, 1)
        self.profile_grid.addWidget(default, row, 2)
        self.profile_rows[name] = (check, spin)

    def _edited(self, section: str) -> None:
        self.errors[section].hide()
        self.changed.emit()

    # ------------------------------------------------------------------ value

    def skills(self) -> dict[str, str]:
        return {name: rating.currentText() for name, (check, rating) in self.skill_rows.items() if check.isChecked()}

    def capacity_profiles(self) -> dict[str, int]:
        return {name: spin.value() for name, (check, spin) in self.profile_rows.items() if check.isChecked()}

    def set_value(self, skills: dict[str, str], profiles: dict[str, int]) -> None:
        folded = {name.casefold(): name for name in self.skill_rows}
        for name, rating in skills.items():
            if name.casefold() not in folded:  # gone from the catalogue since it was read: still shown
                self._add_skill_row(name, [rating])
                folded[name.casefold()] = name
        held = {name.casefold(): rating for name, rating in skills.items()}
        for name, (check, combo) in self.skill_rows.items():
            rating = held.get(name.casefold())
            check.setChecked(rating is not None)
            if rating is not None:
                if combo.findText(rating) < 0:
                    combo.addItem(rating)
                combo.setCurrentIndex(combo.findText(rating))
        folded = {name.casefold(): name for name in self.profile_rows}
        for name, limit in profiles.items():
            if name.casefold() not in folded:
                self._add_profile_row(name, limit)
        own = {name.casefold(): limit for name, limit in profiles.items()}
        for name, (check, spin) in self.profile_rows.items():
            limit = own.get(name.casefold())
            check.setChecked(limit is not None)
            if limit is not None:
                spin.setValue(limit)
        self.no_skills.setVisible(not self.skill_rows)
        self.no_profiles.setVisible(not self.profile_rows)
