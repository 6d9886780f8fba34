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
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

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
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        for name, folder in (("qtbase", qt_dir), ("workbench", str(translations_dir()))):
            translator = QTranslator(app)
            if translator.load(f"{name}_{language}", folder):
                app.installTranslator(translator)
            else:
                log.warning("No %s translation for %s in %s", name, language, folder)
    QLocale.setDefault(QLocale(language))
    app.setProperty(_INSTALLED, language)
    return language


def uninstall_translators() -> None:
    """Removes the installed translators (tests switch languages within one application)."""
    app = QCoreApplication.instance()
    if app is None:
        return
    for translator in app.findChildren(QTranslator):
        app.removeTranslator(translator)
        translator.deleteLater()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    app.setProperty(_INSTALLED, None)
