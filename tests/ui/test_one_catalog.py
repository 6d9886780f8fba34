"""One catalog: a ``models.json`` override is honoured by the meter, Send, Compare, the model
selector and the CLI alike (they used to hold two catalogs, one without the override)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from tests.ui.run_helpers import LOOP_ENV, SECRET, load
from workbench import cli
from workbench.core.catalog import override_path
from workbench.core.workspace import Variant
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.shell.main_window import MainWindow

#: The built-in kimi-k2.5 costs 0.6 in and 3.0 out; the override says otherwise.
OVERRIDE_PRICE_IN = 10.0
OVERRIDE_PRICE_OUT = 100.0
#: A model only the override knows.
ONLY_IN_OVERRIDE = "kimi-override-only"
OVERRIDE = {
    "models": [
        {
            "id": "kimi-k2.5",
            "price_in": OVERRIDE_PRICE_IN,
            "price_in_cached": OVERRIDE_PRICE_IN,
            "price_out": OVERRIDE_PRICE_OUT,
        },
        {
            "id": ONLY_IN_OVERRIDE,
            "provider": "moonshot",
            "family": "kimi-override",
            "context_window": 65536,
            "price_in": 3.0,
            "price_out": 30.0,
        },
    ]
}
USAGE = {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200}


@pytest.fixture
def catalog_override() -> Path:
    path = override_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(OVERRIDE), encoding="utf-8")
    return path


@pytest.fixture
def window(catalog_override: Path, loop_window: MainWindow) -> MainWindow:
    """A window opened after the override was written, sending to the loopback server."""
    return loop_window


def test_the_model_selector_offers_the_model_only_the_override_knows(window: MainWindow) -> None:
    selector = window.findChild(QComboBox, "modelSelector")
    offered = [selector.itemText(i) for i in range(selector.count())]
    assert ONLY_IN_OVERRIDE in offered
    assert "kimi-k2.5" in offered


def test_the_meter_uses_the_override_price_and_window(window: MainWindow, qtbot: QtBot) -> None:
    load(window, [{"role": "user", "content": "Hello"}], model="kimi-k2.5")
    meter = window.token_meter
    assert meter is not None
    qtbot.waitUntil(lambda: meter.reading is not None and meter.reading.model is not None)
    assert meter.reading.model.price_out == OVERRIDE_PRICE_OUT
    load(window, [{"role": "user", "content": "Hello"}], model=ONLY_IN_OVERRIDE)
    count = window.findChild(QLabel, "tokenCountLabel")
    qtbot.waitUntil(lambda: "65,536" in count.text())


def test_send_costs_the_run_at_the_override_price(
    window: MainWindow, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    load(window, [{"role": "user", "content": "Hello"}], model="kimi-k2.5")
    loopback.queue(Reply(text="Hi.", usage=USAGE))
    assert window.run_controller is not None
    with qtbot.waitSignal(window.run_controller.run_finished, timeout=10_000) as finished:
        qtbot.mouseClick(window.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    expected = (1000 * OVERRIDE_PRICE_IN + 200 * OVERRIDE_PRICE_OUT) / 1_000_000
    assert finished.args[0].cost_usd == pytest.approx(expected)


def test_compare_checks_a_column_against_the_override(window: MainWindow) -> None:
    load(window, [{"role": "user", "content": "Hello"}], model="kimi-k2.5")
    view = window.compare_view
    assert view is not None
    known = view.services.preflight(window.workspace, Variant("A"))
    assert known.model is not None and known.model.price_out == OVERRIDE_PRICE_OUT
    only = view.services.preflight(window.workspace, Variant("B", model=ONLY_IN_OVERRIDE))
    assert only.model is not None and only.model.context_window == 65536


def test_the_cli_counts_and_costs_with_the_override(
    catalog_override: Path,
    tmp_path: Path,
    loopback: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "w.prompt.json"
    body = {
        "format": "prompt-workbench/1",
        "messages": [{"role": "user", "content": "Hello"}],
        "params": {"provider": "moonshot", "model": ONLY_IN_OVERRIDE},
    }
    path.write_text(json.dumps(body), encoding="utf-8")

    assert cli.main(["count", str(path), "--json"]) == 0
    counted = json.loads(capsys.readouterr().out)
    assert counted["context_window"] == 65536

    monkeypatch.setenv(LOOP_ENV, SECRET)
    loopback.api_key = SECRET
    loopback.queue(Reply(text="Hi.", usage=USAGE))
    status = cli.main(
        ["run", str(path), "--base-url", loopback.url, "--api-key-env", LOOP_ENV, "--json"]
    )
    out, err = capsys.readouterr()
    assert status == 0, err
    assert json.loads(out)["cost_usd"] == pytest.approx((1000 * 3.0 + 200 * 30.0) / 1_000_000)
