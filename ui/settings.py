"""The settings dialog, generated from ``mysearch.config.SCHEMA`` (the one settings schema).

Each setting gets a widget by its type: a check box for bool, a list of choices where the schema names
them (or where the engine has a registry: embedding models, answer models from the catalog with their
sizes), spin boxes for numbers, a line for text; folders get a list with add/remove through a folder
picker, ignore patterns a text box with one pattern per line, extra models a list to tick. Settings are
grouped, labelled and explained in plain words by ``ui.settings_labels`` (translated); the dialog fits a
1024x768 screen (long model names shorten instead of widening it), and the web fields are greyed out
while web search is off. ``values()`` returns what the dialog holds; ``changes()`` only what differs
from the library's settings, which ``apply_settings`` saves with ``Config.set``.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt, QUrl
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
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mysearch.config import SCHEMA, Config, Setting

from .device_line import DeviceLine
from .folders import home, suggested_folders
from .settings_labels import CHOICE_LABELS, GROUPS, LABELS, label_for  # noqa: F401 - LABELS for tests

log = logging.getLogger(__name__)

_T = QCoreApplication.translate

LANGUAGE_NAMES = {"en": "English", "ko": "Korean", "zh": "Chinese", "ja": "Japanese", "and more": "and more"}
WEB_SWITCH = "web.enabled"  # the web fields are editable only while it is on


def _size(n: int | None) -> str:
    if not n:
        return ""
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"


def model_choices(key: str) -> list[tuple[str, str]]:
    """(value, label) pairs for the model settings, from the engine's registries."""
    if key == "embedding.model":
        from mysearch import embed

        return [(i.name, f"{i.name} — {_T('SettingsDialog', i.description)}") for i in embed.available()]
    if key == "answer.model":
        try:
            from mysearch.answer import models
        except ImportError:
            return []
        out = []
        try:
            for m in models.answer_models():
                langs = ", ".join(_T("SettingsDialog", LANGUAGE_NAMES.get(c, c)) for c in m.languages[:3])
                extra = " · ".join(x for x in (_size(m.size), langs) if x)
                out.append((m.name, f"{m.name} ({extra})" if extra else m.name))
        except Exception:  # a broken user catalog must not break the dialog
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
        self.picker = self._ask

    def picker_dialog(self) -> QFileDialog:
        """The folder picker: it opens at the home folder (not wherever the app was started) with the
        usual folders in its side bar."""
        dialog = QFileDialog(self, self.tr("Choose a folder to index"), str(home()))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setSidebarUrls([QUrl.fromLocalFile(p) for p in [str(home()), *suggested_folders()]])
        return dialog

    def _ask(self) -> str:
        dialog = self.picker_dialog()
        return dialog.selectedFiles()[0] if dialog.exec() and dialog.selectedFiles() else ""

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


class ModelChecklist(QListWidget):
    """Models to tick (the extra meaning search models); models the registry does not list stay."""

    def __init__(self, choices: list[tuple[str, str]], checked: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        known = {v for v, _ in choices}
        for v, text in [*choices, *((c, c) for c in checked if c not in known)]:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, v)
            item.setToolTip(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            self.addItem(item)
        self.set_checked(checked)
        self.setMaximumHeight(110)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)

    def checked(self) -> list[str]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, values: list[str]) -> None:
        for i in range(self.count()):
            on = self.item(i).data(Qt.ItemDataRole.UserRole) in values
            self.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


class SettingsDialog(QDialog):
    def __init__(self, config: Config, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.setWindowTitle(self.tr("Settings"))
        self.editors: dict[str, Any] = {}
        self.labels: dict[str, QLabel] = {}
        lay = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.tabs.setUsesScrollButtons(True)
        lay.addWidget(self.tabs)
        forms: dict[str, QFormLayout] = {}
        pages: dict[str, QWidget] = {}
        for group in GROUPS:
            page = QWidget()
            column = QVBoxLayout(page)
            form = QFormLayout()
            column.addLayout(form)
            column.addStretch(1)  # rows keep their height; the space goes below them
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            forms[group], pages[group] = form, page
        for s in SCHEMA:
            self._add_row(forms[label_for(s.key, s.description).group], s)
        # where answers run (what `mysearch doctor` reports), checked off the GUI thread
        self.device_line = DeviceLine(pages["Answers"])
        forms["Answers"].addRow(self.device_line)
        gpu_box = self.editors.get("answer.gpu")
        if isinstance(gpu_box, QComboBox):
            gpu_box.currentIndexChanged.connect(lambda _i: self._check_device())
        self._check_device()
        note = QLabel(self.tr("With web search off, nothing you type leaves this computer."), pages["Web"])
        note.setWordWrap(True)
        forms["Web"].addRow(note)
        self.scrolls: list[QScrollArea] = []
        for group in GROUPS:
            if forms[group].rowCount() == 0:
                continue
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(pages[group])
            self.scrolls.append(scroll)
            self.tabs.addTab(scroll, _T("SettingsDialog", group))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        lay.addWidget(buttons)
        switch = self.editors.get(WEB_SWITCH)
        if isinstance(switch, QCheckBox):
            switch.toggled.connect(self._web_fields)
            self._web_fields(switch.isChecked())
        # wide enough for every tab's name (no scroll arrows), small enough for a 1024x768 screen
        wide = self.tabs.tabBar().sizeHint().width() + 40
        self.resize(self.sizeHint().expandedTo(QSize(max(680, wide), 520)).boundedTo(QSize(980, 640)))

    def _check_device(self) -> None:
        values = self.values()
        self.device_line.check(values.get("answer.model") or self.config.get("answer.model"),
                               values.get("answer.gpu") or self.config.get("answer.gpu"))

    def _web_fields(self, on: bool) -> None:
        for key, editor in self.editors.items():
            if key.startswith("web.") and key != WEB_SWITCH:
                editor.setEnabled(on)
                self.labels[key].setEnabled(on)

    def _add_row(self, form: QFormLayout, s: Setting) -> None:
        value = self.config.get(s.key)
        editor = self._editor(s, value)
        self.editors[s.key] = editor
        info = label_for(s.key, s.description)
        label = QLabel(_T("SettingsDialog", info.text))
        label.setWordWrap(True)
        tip = _T("SettingsDialog", info.help) if info.help else ""
        label.setToolTip(tip)
        editor.setToolTip(tip)
        self.labels[s.key] = label
        if s.type is list:
            form.addRow(label)
            form.addRow(editor)
        else:
            form.addRow(label, editor)

    def _editor(self, s: Setting, value: Any) -> QWidget:
        if s.key == "folders":
            return FolderList(list(value), self)
        if s.key == "embedding.extra":
            return ModelChecklist(model_choices("embedding.model"), list(value), self)
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
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(18)  # a long model description shortens; the dialog stays narrow
            for v, text in choices:
                combo.addItem(text, v)
                combo.setItemData(combo.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
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
            if "0 means" in s.description and spin.minimum() == 0:
                spin.setSpecialValueText(self.tr("Automatic"))  # not "0 folders"
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
        if isinstance(w, ModelChecklist):
            return w.checked()
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
        elif isinstance(w, ModelChecklist):
            w.set_checked(list(value))
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
