"""The interface language: Qt translators for the app's strings and Qt's own dialogs.

The app's strings are marked with ``self.tr(...)`` or ``QCoreApplication.translate(context, ...)``,
collected by ``pyside6-lupdate`` into ``resources/i18n/workbench_<lang>.ts`` and compiled by
``pyside6-lrelease`` into the ``.qm`` files shipped in the package (``scripts/i18n`` does both;
``tests/ui/test_translations.py`` fails when they are out of date). Qt's own strings (the buttons
of message boxes, file dialogs, context menus) come from ``qtbase_<lang>.qm`` in PySide6's
translations.

Which language: ``WORKBENCH_LANGUAGE`` (``en``, ``zh_CN``) over Settings › Language over the system
locale. The first ``MainWindow`` installs the translators when the app has not.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLocale

from workbench.core import texts

if TYPE_CHECKING:  # datetime (and its C module) loads on use, after the first paint
    import datetime as dt

log = logging.getLogger(__name__)

#: Languages with a translation (besides English, the source language).
TRANSLATED = ("zh_CN",)
LANGUAGES = ("en", *TRANSLATED)
ENVIRONMENT = "WORKBENCH_LANGUAGE"
_INSTALLED = "workbenchLanguage"


def translations_dir() -> Path:
    """The folder of the compiled ``.qm`` files (``resources/i18n`` in the package)."""
    from workbench.core.resources import resources_dir

    return resources_dir() / "i18n"


def qt_translation_dirs() -> list[Path]:
    """Where Qt's own ``qtbase_*.qm`` may be: Qt's translations path, else PySide6's folder."""
    import PySide6
    from PySide6.QtCore import QLibraryInfo

    return [
        Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
        Path(PySide6.__file__).resolve().parent / "Qt" / "translations",
    ]


def chosen_language(setting: str = "system", system: QLocale | None = None) -> str:
    """``en`` or ``zh_CN``: the environment variable, else the setting, else the system locale."""
    override = os.environ.get(ENVIRONMENT, "").strip()
    if override:
        if override in LANGUAGES:
            return override
        log.warning("%s=%r is not one of %s; ignored", ENVIRONMENT, override, ", ".join(LANGUAGES))
    if setting in LANGUAGES:
        return setting
    locale = system if system is not None else QLocale.system()
    if locale.language() == QLocale.Language.Chinese and locale.script() != (
        QLocale.Script.TraditionalHanScript
    ):
        return "zh_CN"
    return "en"


def installed_language() -> str | None:
    """The language whose translators are installed, or None before ``install_translators``."""
    app = QCoreApplication.instance()
    value = app.property(_INSTALLED) if app is not None else None
    return str(value) if value else None


def install_translators(language: str) -> str:
    """Installs the translators of ``language`` once per application; returns the language in use.

    The locale (numbers, dates) follows the language. A missing ``.qm`` file leaves the English
    text and logs why.
    """
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_translators needs a QCoreApplication")
    current = installed_language()
    if current is not None:
        return current
    if language not in LANGUAGES:
        language = "en"
    if language != "en":
        from PySide6.QtCore import QTranslator  # (its type and QLibraryInfo's: not in English)

        for name, folders in (
            ("qtbase", qt_translation_dirs()),
            ("workbench", [translations_dir()]),
        ):
            translator = QTranslator(app)
            if any(translator.load(f"{name}_{language}", str(folder)) for folder in folders):
                app.installTranslator(translator)
            else:
                log.warning("No %s translation for %s in %s", name, language, folders)
    QLocale.setDefault(QLocale(language))
    app.setProperty(_INSTALLED, language)
    return language


def uninstall_translators() -> None:
    """Removes the installed translators (tests switch languages within one application)."""
    app = QCoreApplication.instance()
    if app is None:
        return
    from PySide6.QtCore import QTranslator

    for translator in app.findChildren(QTranslator):
        app.removeTranslator(translator)
        translator.deleteLater()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    app.setProperty(_INSTALLED, None)


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for lupdate (in ``context``) and returns it as is: translate it where it is
    shown, ``QCoreApplication.translate(context, text)``. (PySide6's own returns ``object``.)"""
    return text


#: Built-in provider names that read differently in another language (lupdate collects them; the
#: names themselves live in ``workbench.core.providers``). A user's own names stay as typed.
PROVIDER_NAMES = (
    QT_TRANSLATE_NOOP("ProviderNames", "Moonshot (global)"),
    QT_TRANSLATE_NOOP("ProviderNames", "Moonshot (China)"),
    QT_TRANSLATE_NOOP("ProviderNames", "Moonshot (Anthropic format)"),
    QT_TRANSLATE_NOOP("ProviderNames", "DeepSeek (Anthropic format)"),
    QT_TRANSLATE_NOOP("ProviderNames", "llama.cpp server"),
)


def shown(value: object) -> str:
    """A message of the core in the user's language: a :class:`~workbench.core.texts.Text` (or
    an exception carrying one) translated in its context with its values put in; any other value
    as ``str(value)`` (a server's own words, an OS error)."""
    return texts.shown(value, QCoreApplication.translate)


def shown_lines(values: Iterable[object], separator: str = "\n") -> str:
    """Several core messages, each as :func:`shown`, joined by ``separator``."""
    return separator.join(shown(value) for value in values)


def provider_name(name: str) -> str:
    """A provider's name as the user's language writes it (a built-in one translated)."""
    return QCoreApplication.translate("ProviderNames", name)


def number(value: float) -> str:
    """``value`` written the locale's way (group separators: 262,144)."""
    return QLocale().toString(value)


def decimal(value: float, places: int) -> str:
    """``value`` with ``places`` decimals, written the locale's way."""
    return QLocale().toString(float(value), "f", places)


def date_time(moment: dt.datetime) -> str:
    """A date and time the locale's short way (``12/2/26 9:30 AM``, ``2026/12/2 09:30``)."""
    from PySide6.QtCore import QDateTime

    stamp = QDateTime.fromMSecsSinceEpoch(round(moment.timestamp() * 1000))
    return QLocale().toString(stamp, QLocale.FormatType.ShortFormat)
