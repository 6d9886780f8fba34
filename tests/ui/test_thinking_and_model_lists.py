"""Sending through the window: the model list on the first run, reasoning kept on the card,
the prefill mechanism named, the Anthropic format like any other provider."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from tests.memory_keyring import MemoryKeyring
from tests.ui.run_helpers import SECRET, load, wait_idle
from workbench.core import paths
from workbench.core.conversation import Message
from workbench.core.providers import Prefill, ProviderConfig
from workbench.core.secrets import SERVICE
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.run.run_controller import RunController
from workbench.ui.shell.main_window import MainWindow


def send_and_wait(qtbot: QtBot, window: MainWindow) -> Any:
    controller = window.run_controller
    assert isinstance(controller, RunController)
    with qtbot.waitSignal(controller.run_finished, timeout=10_000) as blocker:
        qtbot.mouseClick(window.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    return blocker.args[0]


def model_list_requests(server: LoopbackServer) -> int:
    return len([r for r in server.requests if r.method == "GET" and r.path.endswith("/models")])


def test_the_first_run_fetches_and_caches_the_model_list_and_keeps_the_reasoning(
    qtbot: QtBot, loop_window: MainWindow, loopback: LoopbackServer
) -> None:
    window = loop_window
    loopback.models = ["kimi-k2.6", "kimi-k3"]
    calls = [{"id": "functions.add:0", "name": "add", "arguments": '{"a": 1}'}]
    load(
        window,
        [{"role": "user", "content": "Add"}],
        model="kimi-k2.6",
    )
    loopback.queue(Reply(text="", reasoning="Use the add tool.", tool_calls=calls))
    result = send_and_wait(qtbot, window)
    assert result.error is None
    answer = window.workspace.conversation[1]
    assert answer.extra["reasoning_content"] == "Use the add tool."
    qtbot.waitUntil(lambda: window.context.listed.get("loop") == ["kimi-k2.6", "kimi-k3"])
    cache = json.loads((paths.data_dir() / "model_lists.json").read_text(encoding="utf-8"))
    assert cache["providers"]["loop"]["ids"] == ["kimi-k2.6", "kimi-k3"]
    assert cache["providers"]["loop"]["fetched"]
    # The tool result goes back with the reasoning of the turn that called it.
    window.workspace.conversation.append(
        Message(role="tool", content="1", tool_call_id="functions.add:0")
    )
    loopback.queue(Reply(text="It is 1."))
    send_and_wait(qtbot, window)
    sent = loopback.chat_requests()[-1]["messages"]
    assert sent[1]["reasoning_content"] == "Use the add tool."
    assert model_list_requests(loopback) == 1  # once per provider and session
    # A model the provider no longer lists is flagged under the model.
    window.workspace.set_param("model", "kimi-k2.5")
    window.request_lint.refresh()
    info = window.findChild(QLabel, "modelInfoLabel").text()
    assert "not in Loopback's model list" in info
    wait_idle(qtbot, window)


def test_a_model_list_that_fails_leaves_the_catalog_and_says_why(
    qtbot: QtBot, loop_window: MainWindow, loopback: LoopbackServer
) -> None:
    window = loop_window
    loopback.models_reply = Reply(raw_body=b"<html>Gateway</html>", content_type="text/html")
    load(window, [{"role": "user", "content": "Hi"}])
    send_and_wait(qtbot, window)
    qtbot.waitUntil(lambda: "model list was not loaded" in window.statusBar().currentMessage())
    assert "HTML page" in window.statusBar().currentMessage()
    assert "loop" not in window.context.listed
    assert window.run_controller.request_problems() == []  # the catalog still serves
    wait_idle(qtbot, window)


@pytest.mark.parametrize("refusing", [False, True], ids=["prefill", "closing-instruction"])
def test_the_anthropic_format_streams_into_the_window(
    qtbot: QtBot,
    loop_window: MainWindow,
    loopback: LoopbackServer,
    memory_keyring: MemoryKeyring,
    refusing: bool,
) -> None:
    window = loop_window
    memory_keyring.set_password(SERVICE, "loop-anthropic", SECRET)
    config = ProviderConfig(
        "loop-anthropic",
        "Loopback (Anthropic)",
        "anthropic",
        loopback.anthropic_url,
        Prefill.TRAILING_ASSISTANT,
        "LOOP_API_KEY",
        models_from="moonshot",
    )
    window.providers.add(config)
    window.context.providers_changed.emit()
    model = "claude-sonnet-4-6" if refusing else "kimi-k2.6"
    extra = {"prefill_mode": "instruction"} if refusing else {}
    body = {
        "format": "prompt-workbench/1",
        "messages": [
            {"role": "system", "content": "JSON only."},
            {"role": "user", "content": "A product"},
            {"role": "assistant", "content": "{", "partial": True},
        ],
        "params": {"provider": "loop-anthropic", "model": model, "max_tokens": 200, **extra},
    }
    window.document.import_text(json.dumps(body), unsaved=False)
    loopback.models = [model]
    loopback.queue(Reply(text='{"name": "mug"}' if refusing else '"name": "mug"}'))
    result = send_and_wait(qtbot, window)
    assert result.error is None, result.error
    assert window.workspace.conversation[-1].content == '{"name": "mug"}'
    metrics = window.findChild(QLabel, "runMetrics").text()
    expected = "closing instruction" if refusing else "trailing assistant message"
    assert f"prefill: {expected}" in metrics
    assert loopback.message_requests()[-1]["system"] == "JSON only."
    wait_idle(qtbot, window)


def test_a_tool_use_block_with_invalid_json_input_is_flagged_on_its_card(
    qtbot: QtBot,
    loop_window: MainWindow,
    loopback: LoopbackServer,
    memory_keyring: MemoryKeyring,
    user_dialogs,
) -> None:
    from workbench.core.tools import CODE_RUNNER

    window = loop_window
    memory_keyring.set_password(SERVICE, "loop-anthropic", SECRET)
    window.providers.add(
        ProviderConfig(
            "loop-anthropic",
            "Loopback (Anthropic)",
            "anthropic",
            loopback.anthropic_url,
            Prefill.TRAILING_ASSISTANT,
            "LOOP_API_KEY",
        )
    )
    window.context.providers_changed.emit()
    body = {
        "format": "prompt-workbench/1",
        "messages": [{"role": "user", "content": "Is 3214567 prime?"}],
        "tools": [json.loads(CODE_RUNNER)],
        "params": {"provider": "loop-anthropic", "model": "kimi-k2.6", "max_tokens": 200},
    }
    window.document.import_text(json.dumps(body), unsaved=False)
    loopback.models = ["kimi-k2.6"]
    # input_json_delta fragments that never close: '{"language": "python", "code": "print(' .
    broken = '{"language": "python", "code": "print('
    loopback.queue(
        Reply(
            text="Let me run it.",
            reasoning="Trial division is quicker in code.",
            tool_calls=[{"id": "toolu_01", "name": "CodeRunner", "arguments": broken}],
        )
    )
    result = send_and_wait(qtbot, window)
    assert result.error is None, result.error  # the stream itself was fine
    assert [c.arguments for c in result.tool_calls] == [broken]  # kept as it came
    conversation = window.workspace.conversation
    assert conversation[1].role == "assistant"
    assert conversation[1].content == "Let me run it."  # the text is kept
    assert conversation[1].tool_calls[0]["function"]["arguments"] == broken
    card = window.message_list.scroll_to_row(1)
    assert card is not None
    calls_view = card.findChild(QLabel, "toolCallsView")
    assert calls_view is not None
    qtbot.waitUntil(lambda: "Arguments are not valid JSON (line 1, column" in calls_view.text())
    # Sending it back as it is: refused before sending, saying which card, instead of a 400.
    qtbot.mouseClick(window.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    error = window.findChild(QLabel, "runError")
    qtbot.waitUntil(lambda: "not valid JSON" in error.text())
    assert error.text().startswith(
        "Message 2 (assistant): the arguments of tool call 'CodeRunner' are not valid JSON"
    )
    assert len(loopback.message_requests()) == 1
    wait_idle(qtbot, window)
