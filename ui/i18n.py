"""Korean and English UI text through Qt's own translation machinery.

Every visible string goes through ``QObject.tr`` or ``QCoreApplication.translate``; English is the
source text. The Korean catalogue is a Python dict in ``ui/lang_ko.py`` (reviewable as text, no build
step, no ``lrelease`` needed) served by ``DictTranslator``, an ordinary ``QTranslator`` installed on the
application, so Qt's standard dialogs and ``changeEvent(LanguageChange)`` work as usual. A test checks
that every string the UI translates has a Korean entry.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

LANGUAGES = ("en", "ko")


class DictTranslator(QTranslator):
    def __init__(self, table: dict[str, str], language: str) -> None:
        super().__init__()
        self.table = table
        self.language = language

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        return self.table.get(source)

    def isEmpty(self) -> bool:  # Qt override
        return not self.table


def resolve(setting: str) -> str:
    """``system`` follows the system locale (Korean if it is Korean, else English)."""
    if setting in LANGUAGES:
        return setting
    return "ko" if QLocale.system().language() == QLocale.Language.Korean else "en"


_installed: DictTranslator | None = None


def install(setting: str) -> str:
    """Install the translator for this language setting on the running application; returns the language."""
    global _installed
    app = QCoreApplication.instance()
    language = resolve(setting)
    if _installed is not None:
        app.removeTranslator(_installed)
        _installed = None
    if language == "ko":
        from .lang_ko import KO

        _installed = DictTranslator(KO, "ko")
        app.installTranslator(_installed)
    return language


def tr(text: str) -> str:
    """For text outside a QObject method."""
    return QCoreApplication.translate("mysearch", text)
