"""The thinking control's choices for a model, as the Parameters panel and Compare columns offer
them: a toggle (``thinking: {"type"}``), effort levels (``reasoning_effort``), always on, or none,
read from the model's capabilities in the catalog.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from workbench.core.catalog import Capabilities

EFFORT_NAMES = {
    "minimal": QT_TRANSLATE_NOOP("ParamsPanel", "minimal"),
    "low": QT_TRANSLATE_NOOP("ParamsPanel", "low"),
    "medium": QT_TRANSLATE_NOOP("ParamsPanel", "medium"),
    "high": QT_TRANSLATE_NOOP("ParamsPanel", "high"),
    "max": QT_TRANSLATE_NOOP("ParamsPanel", "max"),
}


def thinking_choices(caps: Capabilities | None) -> list[tuple[str, dict[str, Any]]]:
    """The thinking selector's entries for a model: (label, parameter changes) pairs.

    A toggle sends ``thinking: {"type"}``; effort levels send ``reasoning_effort``; never both
    (each choice clears the other). An empty list hides the control (a model without thinking).
    """
    if caps is None or caps.thinking == "none":
        return []
    plain = {"thinking": None, "reasoning_effort": None}
    choices: list[tuple[str, dict[str, Any]]] = []
    if caps.thinking == "always":
        choices.append((QCoreApplication.translate("ParamsPanel", "always on"), plain))
    else:
        default = f" ({caps.thinking_default})" if caps.thinking_default else ""
        text = QCoreApplication.translate("ParamsPanel", "model default{default}")
        choices.append((text.format(default=default), plain))
    if caps.thinking == "toggle":
        on = QCoreApplication.translate("ParamsPanel", "on")
        off = QCoreApplication.translate("ParamsPanel", "off")
        choices.append((on, {"thinking": {"type": "enabled"}, "reasoning_effort": None}))
        choices.append((off, {"thinking": {"type": "disabled"}, "reasoning_effort": None}))
    effort = QCoreApplication.translate("ParamsPanel", "effort: {level}")
    choices += [
        (
            effort.format(
                level=QCoreApplication.translate("ParamsPanel", str(EFFORT_NAMES.get(level, level)))
            ),
            {"thinking": None, "reasoning_effort": level},
        )
        for level in caps.effort_levels
    ]
    return choices
