"""First run: which folders to index (the usual ones that exist are suggested: ``ui.folders``), and
the promise that everything stays on this computer."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from .folders import suggested_folders  # noqa: F401 - the app asks for them here
from .settings import FolderList


class FirstRunDialog(QDialog):
    def __init__(self, suggestions: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Welcome to mysearch"))
        self.resize(600, 420)
        lay = QVBoxLayout(self)
        intro = QLabel(self)
        intro.setWordWrap(True)
        intro.setText(
            "<h3>" + self.tr("Which folders should mysearch index?") + "</h3><p>"
            + self.tr("mysearch reads your files and builds a search index on this computer. "
                      "Your files, the index and your questions never leave it: the models run locally "
                      "and no network connection is made unless you turn on web search.")
            + "</p><p>" + self.tr("You can change the folders later in Settings.") + "</p>"
        )
        lay.addWidget(intro)
        self.folder_list = FolderList(suggestions, self)
        lay.addWidget(self.folder_list, 1)
        buttons = QDialogButtonBox(self)
        self.start_button = buttons.addButton(self.tr("Start indexing"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.later_button = buttons.addButton(self.tr("Later"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def folders(self) -> list[str]:
        return self.folder_list.folders()
