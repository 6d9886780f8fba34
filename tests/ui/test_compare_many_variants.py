"""A workspace of 300 variants: File › Open shows 8 columns and says so, a page bar reaches the
others, and saving and comparing keep all 300."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs
from tests.ui.run_helpers import LOOP_ID
from workbench.core.workspace import MAX_VARIANTS
from workbench.core.workspace_files import load_workspace
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.compare.compare_view import CompareView
from workbench.ui.shell.main_window import MainWindow

COUNT = 300


def many_variants(path: Path) -> Path:
    """A generated workspace file with ``COUNT`` variants, each with its own temperature."""
    data = {
        "format": "prompt-workbench/1",
        "title": "Many",
        "messages": [{"role": "user", "content": "Say hi"}],
        "params": {"provider": LOOP_ID, "model": "moonshot-v1-8k"},
        "variants": [
            {"label": f"v{i:03}", "params": {"temperature": round(i / COUNT, 4)}}
            for i in range(COUNT)
        ],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def labels(view: CompareView) -> list[str]:
    return [p.variant.label for p in view.panes() if p.variant is not None]


def test_300_variants_open_as_8_columns_and_open_save_compare_keep_all_300(
    qtbot: QtBot,
    loop_window: MainWindow,
    loopback: LoopbackServer,
    user_dialogs: Dialogs,
    tmp_path: Path,
) -> None:
    window = loop_window
    path = many_variants(tmp_path / "many.prompt.json")
    user_dialogs.open_paths.append(str(path))
    window.menus.open_action.trigger()  # File › Open
    assert window.document.path == path.resolve()
    assert len(window.workspace.variants) == COUNT

    view: CompareView = window.compare_view
    assert labels(view) == [f"v{i:03}" for i in range(MAX_VARIANTS)]
    page = view.findChild(QLabel, "variantPageLabel")
    assert page is not None and page.isVisibleTo(view)
    assert page.text().startswith("Variants 1–8 of 300 are shown")
    qtbot.waitUntil(lambda: "300 variants" in window.statusBar().currentMessage())
    assert "first 8" in window.statusBar().currentMessage()
    previous = view.findChild(QPushButton, "previousVariantsButton")
    following = view.findChild(QPushButton, "nextVariantsButton")
    add = view.findChild(QPushButton, "addVariantButton")
    assert not previous.isEnabled() and following.isEnabled() and not add.isEnabled()

    # The next page, and the last (300 = 37 pages of 8 and one of 4).
    following.click()
    assert labels(view) == [f"v{i:03}" for i in range(8, 16)]
    assert page.text().startswith("Variants 9–16 of 300")
    # An edit in a column of the second page goes to its own variant.
    view.panes()[1].temperature_spin.setValue(0.9)
    assert window.workspace.variants[9].params == {"temperature": 0.9}
    view.show_variants_from(COUNT - 1)  # the page that holds the last variant
    assert labels(view) == [f"v{i:03}" for i in range(296, 300)]
    assert previous.isEnabled() and not following.isEnabled()
    assert page.text().startswith("Variants 297–300 of 300")

    # Compare runs the columns shown; saving keeps all 300 as they were (one edit made).
    loopback.default_reply = Reply(text="hi")
    with qtbot.waitSignal(view.comparison_finished, timeout=20_000):
        view.findChild(QPushButton, "runCompareButton").click()
    assert len(loopback.chat_requests()) == 4
    assert all(p.result is not None and p.result.error is None for p in view.panes())
    assert window.save()
    saved = json.loads(path.read_text(encoding="utf-8"))["variants"]
    assert [v["label"] for v in saved] == [f"v{i:03}" for i in range(COUNT)]
    assert saved[9]["params"] == {"temperature": 0.9}
    assert saved[299]["params"] == {"temperature": round(299 / COUNT, 4)}
    assert len(load_workspace(path).variants) == COUNT
