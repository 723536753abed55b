"""The settings dialog, generated from ``mysearch.config.SCHEMA`` (the one settings schema).

Each setting gets a widget by its type: a check box for bool, a list of choices where the schema names
them (or where the engine has a registry: embedding models, answer models from the catalog with their
sizes), spin boxes for numbers, a line for text; folders get a list with add/remove through a folder
picker, ignore patterns a text box with one pattern per line. Labels are translated, the schema's
description is the tooltip. ``values()`` returns what the dialog holds; ``changes()`` only what differs
from the library's settings, which ``apply_settings`` saves with ``Config.set``.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mysearch.config import SCHEMA, Config, Setting

log = logging.getLogger(__name__)

_T = QCoreApplication.translate

# tabs by key prefix; labels are the translated names of the settings
TABS = (
    ("Folders", ("folders", "index.")),
    ("Search", ("search.", "embedding.", "chunk.")),
    ("Answers", ("answer.", "web.")),
    ("Appearance", ("ui.",)),
    ("Advanced", ("watch.", "store.")),
)

LABELS = {
    "folders": "Folders to index",
    "index.ignore": "Ignore patterns",
    "index.max_file_mb": "Largest file (MiB)",
    "index.timeout_s": "Time limit per file (s)",
    "index.hidden": "Index hidden files",
    "embedding.model": "Embedding model",
    "embedding.batch_size": "Embedding batch size",
    "embedding.threads": "Embedding threads",
    "chunk.tokens": "Chunk size (tokens)",
    "chunk.overlap": "Chunk overlap (tokens)",
    "watch.debounce_s": "Wait after a change (s)",
    "watch.rescan_s": "Rescan interval (s)",
    "watch.max_watches": "Most watched folders",
    "store.url": "Chroma server URL",
    "search.k": "Results shown",
    "search.keyword_weight": "Keyword weight",
    "search.dense_weight": "Meaning weight",
    "search.fusion": "Fusion",
    "answer.model": "Answer model",
    "answer.gpu": "Use the GPU",
    "answer.threads": "Answer threads",
    "answer.sources": "Sources per answer",
    "answer.max_tokens": "Longest answer (tokens)",
    "web.enabled": "Web search",
    "web.provider": "Web search service",
    "web.url": "Service address",
    "web.api_key": "API key",
    "web.results": "Web pages per answer",
    "ui.theme": "Theme",
    "ui.language": "Language",
}

CHOICE_LABELS = {
    "system": "Follow the system",
    "light": "Light",
    "dark": "Dark",
    "en": "English",
    "ko": "한국어 (Korean)",
    "auto": "When available",
    "off": "Off",
    "score": "Standardised scores",
    "rrf": "Reciprocal ranks",
    "searxng": "SearXNG",
    "brave": "Brave Search API",
}


def _size(n: int | None) -> str:
    if not n:
        return ""
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"


def model_choices(key: str) -> list[tuple[str, str]]:
    """(value, label) pairs for the model settings, from the engine's registries."""
    if key == "embedding.model":
        from mysearch import embed

        return [(i.name, f"{i.name} — {i.description}") for i in embed.available()]
    if key == "answer.model":
        try:
            from mysearch.llm import catalog
        except ImportError:
            return []
        out = []
        try:
            for m in catalog.answer_models():
                langs = ", ".join(m.languages[:3])
                extra = " · ".join(x for x in (_size(m.size), langs) if x)
                out.append((m.name, f"{m.name} ({extra})" if extra else m.name))
        except Exception:  # noqa: BLE001 - a broken user catalog must not break the dialog
            log.exception("cannot read the model catalog")
        return out
    return []


class FolderList(QWidget):
    """Folders (and single files) to index: add with a folder picker, remove the selected one."""

    def __init__(self, folders: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget(self)
        self.list.addItems(folders)
        lay.addWidget(self.list)
        row = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add folder…"), self)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.add_button.clicked.connect(self.pick)
        self.remove_button.clicked.connect(self.remove_selected)
        self.picker = lambda: QFileDialog.getExistingDirectory(self, self.tr("Choose a folder to index"))

    def pick(self) -> None:
        folder = self.picker()
        if folder:
            self.add(folder)

    def add(self, folder: str) -> None:
        if folder not in self.folders():
            self.list.addItem(folder)

    def remove_selected(self) -> None:
        for item in self.list.selectedItems() or ([self.list.currentItem()] if self.list.currentItem() else []):
            self.list.takeItem(self.list.row(item))

    def folders(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]


class SettingsDialog(QDialog):
    def __init__(self, config: Config, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.setWindowTitle(self.tr("Settings"))
        self.resize(720, 560)
        self.editors: dict[str, Any] = {}
        lay = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        lay.addWidget(self.tabs)
        placed: set[str] = set()
        for title, prefixes in TABS:
            page = QWidget()
            form = QFormLayout(page)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for s in SCHEMA:
                if s.key in placed or not s.key.startswith(prefixes):
                    continue
                placed.add(s.key)
                self._add_row(form, s)
            if title == "Answers":
                note = QLabel(self.tr("With web search off, nothing you type leaves this computer."), page)
                note.setWordWrap(True)
                form.addRow(note)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            self.tabs.addTab(scroll, _T("SettingsDialog", title))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        lay.addWidget(buttons)

    def _add_row(self, form: QFormLayout, s: Setting) -> None:
        value = self.config.get(s.key)
        editor = self._editor(s, value)
        self.editors[s.key] = editor
        label = QLabel(_T("SettingsDialog", LABELS.get(s.key, s.key)))
        label.setToolTip(f"{s.key}: {s.description}")
        editor.setToolTip(f"{s.key}: {s.description}")
        if s.type is list:
            form.addRow(label)
            form.addRow(editor)
        else:
            form.addRow(label, editor)

    def _editor(self, s: Setting, value: Any) -> QWidget:
        if s.key == "folders":
            return FolderList(list(value), self)
        if s.type is list:
            box = QPlainTextEdit(self)
            box.setPlaceholderText(self.tr("One pattern per line, e.g. *.log or build/"))
            box.setPlainText("\n".join(value))
            box.setMaximumHeight(120)
            return box
        if s.type is bool:
            box = QCheckBox(self)
            box.setChecked(bool(value))
            return box
        choices = [(c, _T("SettingsDialog", CHOICE_LABELS.get(c, c))) for c in s.choices] if s.choices else None
        if choices is None:
            choices = model_choices(s.key) or None
        if choices is not None:
            combo = QComboBox(self)
            for v, text in choices:
                combo.addItem(text, v)
            i = combo.findData(value)
            if i < 0:  # a value the registry does not list (a model added later): keep it
                combo.addItem(str(value), value)
                i = combo.count() - 1
            combo.setCurrentIndex(i)
            return combo
        low, high = (s.range.low, s.range.high) if s.range else (None, None)  # the schema's, so Save never fails
        if s.type is int:
            spin = QSpinBox(self)
            spin.setRange(int(low or 0), int(high if high is not None else 10**9))
            spin.setValue(int(value))
            return spin
        if s.type is float:
            spin = QDoubleSpinBox(self)
            spin.setRange(max(low or 0, 0.01 if s.range and s.range.above else 0), high if high is not None else 10**9)
            spin.setDecimals(2)
            spin.setValue(float(value))
            return spin
        line = QLineEdit(self)
        line.setText(str(value))
        if s.secret:  # not shown over a shoulder
            line.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        return line

    # --- reading back ---------------------------------------------------------------------------
    def value(self, key: str) -> Any:
        w = self.editors[key]
        if isinstance(w, FolderList):
            return w.folders()
        if isinstance(w, QPlainTextEdit):
            return [line.strip() for line in w.toPlainText().splitlines() if line.strip()]
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QSpinBox | QDoubleSpinBox):
            return w.value()
        return w.text()

    def values(self) -> dict[str, Any]:
        return {key: self.value(key) for key in self.editors}

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.values().items() if v != self.config.get(k)}

    def set_value(self, key: str, value: Any) -> None:
        """For tests and scripts: put a value in the dialog as a person would."""
        w = self.editors[key]
        if isinstance(w, FolderList):
            w.list.clear()
            w.list.addItems(list(value))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText("\n".join(value))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            i = w.findData(value)
            if i < 0:
                raise ValueError(f"{value!r} is not a choice for {key}")
            w.setCurrentIndex(i)
        elif isinstance(w, QSpinBox | QDoubleSpinBox):
            w.setValue(value)
        else:
            w.setText(str(value))


def apply_settings(config: Config, changes: dict[str, Any]) -> dict[str, Any]:
    """Save the changed settings (worker thread); returns what was saved, parsed by the schema."""
    return {key: config.set(key, value) for key, value in changes.items()}


def needs_rescan(changes: dict[str, Any]) -> bool:
    return any(k == "folders" or k.startswith(("index.", "embedding.", "chunk.")) for k in changes)

