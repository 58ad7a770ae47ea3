"""Dialogs for the work distribution records: rating models, skills, capacity profiles.

They are ``EntityDialog``s (ui.records.editors): Name first and focused, inline errors
under the field an issue's path names, the one conflict path, Save disabled while a
required field is empty.
"""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QSpinBox

from app.common.errors import DocumentInvalid
from models.choices import DEFAULT_WORK_ITEM_LIMIT, MAX_RATING_VALUES, MAX_WORK_ITEM_LIMIT
from ui.records.editors import EntityDialog


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class RatingModelDialog(EntityDialog):
    """A rating model: its values one per line, lowest first."""

    kind = "rating model"
    kind_plural = "rating models"

    def build_form(self) -> None:
        self.values_edit = QPlainTextEdit()
        self.values_edit.setObjectName("ratingValues")
        self.values_edit.setPlaceholderText("1\n2\n3\n4\n5")
        self.values_edit.setTabChangesFocus(True)  # Tab moves on; Enter starts the next value
        self.values_edit.setFixedHeight(148)
        self.values_edit.textChanged.connect(self._values_changed)
        self.add_field("values", "Values *", self.values_edit,
                       hint=f"One value per line, lowest first (up to {MAX_RATING_VALUES}). "
                            "Agents are rated with one of them; rules ask for one as a minimum.")

    def _values_changed(self) -> None:
        self.clear_error("values")
        self.update_ok()

    def values(self) -> list[str]:
        return _lines(self.values_edit.toPlainText())

    def required_filled(self) -> bool:
        return super().required_filled() and bool(self.values())

    def field_for(self, path: str) -> str:
        return "values" if path.startswith("values") else super().field_for(path)

    def load(self) -> None:
        loaded = self.services.load_rating_model(self.object_id)
        self.version = loaded.version
        self.name_edit.setText(loaded.doc.name)
        self.values_edit.setPlainText("\n".join(loaded.doc.values))

    def form_fields(self) -> dict:
        return {"name": self.name(), "values": self.values()}

    def load_saved(self):
        return self.services.load_rating_model(self.object_id)

    def save_record(self, expected_version):
        return self.services.save_rating_model(self.form_fields(), self.object_id, expected_version)


class SkillDialog(EntityDialog):
    """A skill and the rating model agents are rated on in it."""

    kind = "skill"
    kind_plural = "skills"

    def build_form(self) -> None:
        self.models = {row.name: row.values for row in self.services.list_rating_models()}
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("ratingModel")
        self.model_combo.addItems(list(self.models))
        self.model_combo.currentTextChanged.connect(self._model_changed)
        self.add_field("rating_model", "Rating model *", self.model_combo)
        self.scale_label = QLabel()
        self.scale_label.setProperty("role", "hint")
        self.scale_label.setWordWrap(True)
        self.add_field("scale", "Ratings", self.scale_label)
        if not self.models:
            self.note.setText("There are no rating models yet. Create one first (Skills page, New rating model), "
                              "then the skills rated on it.")
            self.note.show()
        self._model_changed(self.model_combo.currentText())

    def _model_changed(self, name: str) -> None:
        values = self.models.get(name, ())
        self.scale_label.setText(" · ".join(values) + " (lowest first)" if values else "Choose a rating model.")
        self.clear_error("rating_model")
        self.update_ok()

    def required_filled(self) -> bool:
        return super().required_filled() and bool(self.model_combo.currentText())

    def load(self) -> None:
        loaded = self.services.load_skill(self.object_id)
        self.version = loaded.version
        self.name_edit.setText(loaded.doc.name)
        index = self.model_combo.findText(loaded.doc.rating_model)
        if index < 0:
            self.model_combo.addItem(loaded.doc.rating_model)
            index = self.model_combo.count() - 1
        self.model_combo.setCurrentIndex(index)

    def form_fields(self) -> dict:
        return {"name": self.name(), "rating_model": self.model_combo.currentText()}

    def load_saved(self):
        return self.services.load_skill(self.object_id)

    def save_record(self, expected_version):
        fields = self.form_fields()
        if not fields["rating_model"]:
            from app.routing.conditions import Issue

            raise DocumentInvalid([Issue("rating_model", "choose the rating model this skill is rated on")])
        return self.services.save_skill(fields, self.object_id, expected_version)


class CapacityProfileDialog(EntityDialog):
    """A capacity profile: how many of its work items an agent takes at once."""

    kind = "capacity profile"
    kind_plural = "capacity profiles"

    def build_form(self) -> None:
        self.limit_spin = QSpinBox()
        self.limit_spin.setObjectName("workItemLimit")
        self.limit_spin.setRange(1, MAX_WORK_ITEM_LIMIT)
        self.limit_spin.setValue(DEFAULT_WORK_ITEM_LIMIT)
        self.limit_spin.setMaximumWidth(160)
        self.add_field("work_item_limit", "Work item limit", self.limit_spin,
                       hint=f"How many work items of this profile an agent takes at once (1 to {MAX_WORK_ITEM_LIMIT}). "
                            "An agent can have a limit of their own on their Skills & capacity tab.")

    def load(self) -> None:
        loaded = self.services.load_capacity_profile(self.object_id)
        self.version = loaded.version
        self.name_edit.setText(loaded.doc.name)
        self.limit_spin.setValue(loaded.doc.work_item_limit)

    def form_fields(self) -> dict:
        return {"name": self.name(), "work_item_limit": self.limit_spin.value()}

    def load_saved(self):
        return self.services.load_capacity_profile(self.object_id)

    def save_record(self, expected_version):
        return self.services.save_capacity_profile(self.form_fields(), self.object_id, expected_version)
