"""The File and Help menus' commands of the main window: import, export, bundles, samples, demo, help.

A mixin of ``MainWindow``: it uses the window's ``services``, ``operations``
(ui.common.operations: every write off the GUI thread, then a broadcast of
what changed), ``editor``/``close_editor`` (the unsaved-changes guard) and
``set_status``.
"""
from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

from app.common.errors import DocumentInvalid
from ui.common import messages
from ui.common.messages import sentence
from ui.common.operations import Changes

SETTINGS_LAST_FOLDER = "files/lastFolder"


class FileCommands:
    # ------------------------------------------------------------------ file menu

    def last_folder(self) -> str:
        """The folder of the last file imported or exported (the file dialogs open there)."""
        folder = self.settings().value(SETTINGS_LAST_FOLDER)
        return folder if isinstance(folder, str) and Path(folder).is_dir() else ""

    def remember_folder(self, path: str) -> None:
        if path and self.remember_settings:
            self.settings().setValue(SETTINGS_LAST_FOLDER, str(Path(path).parent))

    def ask_open_path(self) -> str:
        from PySide6.QtWidgets import QFileDialog  # file dialogs, only when one is asked for (start-up)

        path, _filter = QFileDialog.getOpenFileName(self, "Import configuration", self.last_folder(),
                                                    "Configuration documents (*.json);;All files (*)")
        self.remember_folder(path)
        return path

    def ask_save_path(self) -> str:
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getSaveFileName(
            self, "Export configuration", str(Path(self.last_folder()) / "workstream-console.json")
            if self.last_folder() else "workstream-console.json", "Configuration documents (*.json)")
        self.remember_folder(path)
        return path

    def _refuse(self, title: str, status: str, error: BaseException) -> None:
        from ui.common.background import describe_error

        if isinstance(error, DocumentInvalid):
            issues = "; ".join(str(issue) for issue in error.issues[:5])
            more = f" (and {len(error.issues) - 5} more)" if len(error.issues) > 5 else ""
            text = f"{issues}{more}"
        else:
            text = describe_error(error)
        messages.error(self, title, sentence(text))
        self.set_status(f"{status}: {text}")

    def import_configuration(self):
        """File > Import configuration: check the document (in the background), ask, then merge it."""
        if self._busy():
            return None
        path = self.ask_open_path()
        if not path:
            return None
        if self.editor is not None and not self.close_editor():
            return None
        name = Path(path).name
        return self.operations.run(
            self.services.preview_configuration_import, path, title=f"Checking {name}", changes=None,
            on_done=self._confirm_import,
            on_error=lambda error: self._refuse("Can't import", f"Import refused: {name} is not valid"
                                                if isinstance(error, DocumentInvalid) else "Import failed", error),
            cancelled_text="Import cancelled: nothing was imported")

    def _confirm_import(self, preview) -> None:
        counts = preview.counts
        if not messages.confirm(
                self, "Import configuration?",
                f"Import {preview.name}? It creates {counts['created']} and updates {counts['updated']} objects; "
                "objects it does not name are kept."):
            self.set_status(f"Not imported: {preview.name}")
            return
        self.operations.run(
            self.services.import_configuration, preview, title=f"Importing {preview.name}",
            changes=Changes.everything(),
            on_done=lambda summary: self._imported(preview.name, summary.counts()),
            on_error=lambda error: self._refuse("Can't import", "Import failed", error),
            cancelled_text="Import cancelled: nothing was imported")

    def _imported(self, name: str, counts: dict[str, int]) -> None:
        self.set_status(f"Imported {name}: {counts['created']} created, {counts['updated']} updated")

    def export_configuration(self):
        """File > Export configuration: write the whole configuration as a document, in the background."""
        if self._busy():
            return None
        path = self.ask_save_path()
        if not path:
            return None
        target = Path(path)
        return self.operations.run(
            self.services.export_configuration, str(target), title=f"Exporting to {target.name}", changes=None,
            on_done=lambda result: self.set_status(
                f"Exported the configuration to {target} ({result.counts['workstreams']:,} work streams, "
                f"{_size(result.size)})"),
            on_error=lambda error: self._refuse("Can't export", "Export failed", error),
            cancelled_text="Export cancelled: no file was written")

    def generate_sample(self):
        """File > Generate sample configuration: ask for a size, then generate it in the background."""
        from ui.shell.generate_dialog import GenerateSampleDialog

        if self._busy() or (self.editor is not None and not self.close_editor()):
            return None
        dialog = GenerateSampleDialog(self)
        if not dialog.ask():
            return None
        streams, variables, rules = dialog.values()
        return self.operations.run(
            self.services.generate_sample, streams, variables, rules,
            title=f"Generating {streams:,} work streams", changes=Changes.everything(),
            on_done=lambda summary: self._generated(streams, summary.counts()),
            on_error=lambda error: self._refuse("Can't generate", "Generation failed", error),
            cancelled_text="Generation cancelled: nothing was added")

    def _generated(self, streams: int, counts: dict[str, int]) -> None:
        self.set_status(f"Generated a sample of {streams:,} work streams: {counts['created']:,} created, "
                        f"{counts['updated']:,} updated")

    # ------------------------------------------------------------------ bundles (ui/bundles/dialogs.py)

    def ask_bundle_path(self) -> str:
        from ui.bundles.dialogs import ask_bundle_path

        return ask_bundle_path(self)

    def export_bundle(self):
        from ui.bundles.dialogs import ExportBundleDialog

        dialog = ExportBundleDialog(self.services, self)
        dialog.exported.connect(lambda _result, text: self.set_status(text))
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.open()
        return dialog

    def import_bundle(self):
        """Choose a .wsbundle, preview it (after the unsaved-changes guard), apply from the preview."""
        from ui.bundles.dialogs import ImportBundleDialog

        if self.editor is not None and not self.close_editor():
            return None
        path = self.ask_bundle_path()
        if not path:
            return None
        dialog = ImportBundleDialog(self.services, self, path)
        dialog.message.connect(self.set_status)
        dialog.imported.connect(self._bundle_imported)
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.start()
        return dialog

    def _bundle_imported(self, _plan) -> None:
        # The bundle dialog runs its own import (progress, plan); the pages hear that everything may have changed.
        self.operations.broadcast(Changes.everything())

    def ask_cmt_path(self) -> str:
        from ui.bundles.cmt_dialog import ask_cmt_path

        return ask_cmt_path(self)

    def import_cmt_package(self):
        """File > Import Dynamics package: preview (the doctor's new findings first), then apply."""
        from ui.bundles.cmt_dialog import ImportCmtDialog

        if self.editor is not None and not self.close_editor():
            return None
        path = self.ask_cmt_path()
        if not path:
            return None
        dialog = ImportCmtDialog(self.services, self, path)
        dialog.message.connect(self.set_status)
        dialog.imported.connect(self._bundle_imported)
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.start()
        return dialog

    def show_bundle_history(self):
        from ui.bundles.history_view import BundleHistoryDialog

        dialog = BundleHistoryDialog(self.services, self)
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.open()
        return dialog

    def reset_to_demo(self):
        if self.editor is not None and not self.close_editor():
            return None
        if not messages.confirm(self, "Reset to demo data?",
                                "Replace the whole configuration with the demo bank? Work streams, queues, "
                                "agents, presences and channels you created are deleted (export first to keep them)."):
            return None
        return self.operations.run(
            self.services.reset_to_demo, title="Resetting to the demo data", changes=Changes.everything(),
            progress_arg=None, on_done=lambda _result: self.set_status("Reset to the demo data"),
            on_error=lambda error: self._refuse("Can't reset", "Reset failed", error))

    def show_shortcuts(self) -> QDialog:
        from ui.shell.shortcuts_dialog import ShortcutsDialog

        dialog = ShortcutsDialog(self)
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.open()
        return dialog

    def open_log_folder(self) -> bool:
        """Help > Open log folder: the folder in the file manager (made first, so it opens)."""
        folder = log_folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            messages.error(self, "Can't open the log folder", sentence(f"{folder}: {error.strerror or error}"))
            return False
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        self.set_status(f"Log folder: {folder}" if opened else f"Could not open {folder}: open it by hand")
        return opened

    def show_about(self) -> None:
        from app.common.version import app_version

        version = app_version()
        messages.info(self, "About Workstream Console",
                      f"Workstream Console {version}",
                      "Routing and work-distribution settings for a contact centre's work streams, "
                      "after Dynamics 365 Omnichannel for Customer Service.\n\n"
                      f"Database: {getattr(getattr(self.services, 'db', None), 'path', None) or self.database_label()}")


def log_folder() -> Path:
    """Where the console writes its logs (app.common.logs decides)."""
    from app.common.logs import log_folder as logs_folder

    return logs_folder()


def _size(size: int) -> str:
    if size < 1024:
        return f"{size:,} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:,.1f} KB"
    return f"{size / (1024 * 1024):,.1f} MB"
