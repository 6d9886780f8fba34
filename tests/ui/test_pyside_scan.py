"""The start's cheaper "does this module use PySide?" gives PySide's own answer (pyside_scan)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any, cast

import pytest

import workbench.app
import workbench.core.settings
import workbench.ui.conversation.message_card
import workbench.ui.shell.main_window
from workbench.ui.shell import pyside_scan


def _feature() -> Any:
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None:
        pytest.skip("this PySide6 has no __feature__ import hook to answer the question")
    return feature


def _pysides_own() -> Callable[[ModuleType], bool]:
    scan = _feature()._mod_uses_pyside
    return cast("Callable[[ModuleType], bool]", getattr(scan, "__wrapped__", scan))


@pytest.mark.parametrize(
    "module",
    [
        workbench.app,  # names PySide6 in its text only
        workbench.core.settings,  # Qt-free
        workbench.ui.conversation.message_card,
        workbench.ui.shell.main_window,
        pytest,  # a third-party package's __init__
        sys.modules["json"],  # the standard library
        sys.modules["json.decoder"],
        sys,  # built in: no source at all
    ],
    ids=lambda module: module.__name__,
)
def test_same_answer_as_pyside(module: ModuleType) -> None:
    own = _pysides_own()
    assert pyside_scan.uses_pyside(module, own) is own(module)


def test_modules_without_a_source_file_go_to_pysides_own_question() -> None:
    asked: list[str] = []

    def own(module: ModuleType) -> bool:
        asked.append(module.__name__)
        return True

    made = ModuleType("made_at_run_time")  # no __spec__, no file: PySide decides
    assert pyside_scan.uses_pyside(made, own) is True
    assert asked == ["made_at_run_time"]


def test_install_replaces_the_hook_once_and_keeps_the_original() -> None:
    own = _pysides_own()
    feature = _feature()
    before = feature._mod_uses_pyside
    try:
        assert pyside_scan.install()
        installed = feature._mod_uses_pyside
        assert installed.__wrapped__ is own
        assert pyside_scan.install()  # a second start in the same process: unchanged
        assert feature._mod_uses_pyside is installed
        assert installed(workbench.ui.shell.main_window) is True
        assert installed(workbench.core.settings) is False
    finally:
        feature._mod_uses_pyside = before
