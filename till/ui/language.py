"""The till's screen language, per cashier: English (as written in the code) or Simplified
Chinese, through Qt's own translation tools (``till/ui/i18n/till_zh_CN.ts``, compiled to
``.qm`` by ``make translations``).

A cashier picks a language on the sign-in screen; the till remembers it for them (on this
till) and switches to it at sign-in, back to English at sign-out. Receipts, reports and
everything printed stay in the outlet's language: only the screens change.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTabWidget,
    QWidget,
)

from shared.logs import get_logger
from till.files import write_atomically

log = get_logger("sgpos.till.language")

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
DEFAULT = "en"
FOLDER = Path(__file__).resolve().parent / "i18n"
CHOICES_FILE = "cashier-languages.json"
_installed: dict[str, QTranslator] = {}


# What each text tr() gave back was in English, so that a widget still showing it when the
# language changes can be given the same words in the new language (see retranslate_all).
_sources: dict[str, str] = {}


def translated(text: str) -> str:
    """``text`` in the screen language now in force, if it is one of the till's words (not
    remembered for a language change: for values such as names inside a message)."""
    words = QCoreApplication.translate("till", text)
    return words if words != text else QCoreApplication.translate("", text)


def tr(text: str) -> str:
    """``text`` in the screen language now in force. Strings marked with
    ``QT_TRANSLATE_NOOP("till", ...)`` are in the "till" context; literal ``tr("...")`` calls
    are where lupdate puts them, in the unnamed one."""
    translated_text = translated(text)
    _sources.setdefault(text, text)
    _sources.setdefault(translated_text, text)
    return translated_text


def _again(shown: str) -> str:
    source = _sources.get(shown)
    if source is not None:
        return tr(source)
    words, newline, key = shown.partition("\n")  # a key's words over its key name
    source = _sources.get(words) if newline else None
    return shown if source is None else f"{tr(source)}\n{key}"


def retranslate(widget: QWidget) -> None:
    """Give ``widget`` its fixed words (set through tr()) in the language now in force: labels,
    buttons, group titles, placeholders, table headings, tab names and window titles. Words
    built with values (amounts, names) are left to the screen, which redraws them when shown."""
    if isinstance(widget, QLabel | QAbstractButton):
        widget.setText(_again(widget.text()))
    if isinstance(widget, QLineEdit):
        widget.setPlaceholderText(_again(widget.placeholderText()))
    if isinstance(widget, QGroupBox):
        widget.setTitle(_again(widget.title()))
    if isinstance(widget, QTableWidget):
        for column in range(widget.columnCount()):
            heading = widget.horizontalHeaderItem(column)
            if heading is not None:
                heading.setText(_again(heading.text()))
    if isinstance(widget, QTabWidget):
        for index in range(widget.count()):
            widget.setTabText(index, _again(widget.tabText(index)))
    if widget.isWindow() and widget.windowTitle():
        widget.setWindowTitle(_again(widget.windowTitle()))
    if widget.toolTip():
        widget.setToolTip(_again(widget.toolTip()))


def retranslate_all() -> None:
    for widget in QApplication.allWidgets():
        retranslate(widget)


def current() -> str:
    return next(iter(_installed), DEFAULT)


def set_language(code: str) -> None:
    """Switch every screen to ``code``; Qt tells each widget (LanguageChange)."""
    if code not in LANGUAGES:
        code = DEFAULT
    if current() == code:
        return
    for translator in _installed.values():
        QCoreApplication.removeTranslator(translator)
    _installed.clear()
    if code != DEFAULT:
        translator = QTranslator()
        if not translator.load(str(FOLDER / f"till_{code}.qm")):
            log.warning("language.missing", language=code, folder=str(FOLDER))
            return
        QCoreApplication.installTranslator(translator)
        _installed[code] = translator
    _deliver()
    retranslate_all()


def _deliver() -> None:
    # Qt posts LanguageChange to every widget; delivered now, the screens never show a mix of
    # languages, even for a moment.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)


class CashierLanguages:
    """Each cashier's screen language on this till, by staff code, in one small JSON file."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / CHOICES_FILE

    def _all(self) -> dict[str, str]:
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(loaded, dict):
            return {}
        return {str(k): str(v) for k, v in loaded.items() if v in LANGUAGES}

    def of(self, code: str) -> str | None:
        return self._all().get(code.strip().upper())

    def remember(self, code: str, language: str) -> None:
        choices = self._all()
        if choices.get(code.strip().upper()) == language:
            return
        choices[code.strip().upper()] = language
        text = json.dumps(choices, sort_keys=True, ensure_ascii=False)
        try:
            write_atomically(self.path, text)
        except OSError as exc:  # a preference is never worth a refused sign-in
            log.warning("language.not_saved", error=str(exc))
