"""The request linter in the window: findings at their places, fixes in one click, thinking."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

OLD = {
    "format": "prompt-workbench/1",
    "title": "Old one",
    "messages": [{"role": "user", "content": "Hello"}],
    "params": {"provider": "moonshot", "model": "kimi-k2-0905-preview", "temperature": 0.6},
}


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "old.prompt.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def fix_buttons(window) -> list[QPushButton]:
    return [b for b in window.findChildren(QPushButton, "lintFixButton") if b.isVisible()]


def lint_texts(window) -> list[str]:
    return [label.text() for label in window.findChildren(QLabel, "lintMessage")]


def test_an_old_workspace_says_its_model_was_retired_and_switches_in_one_click(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    window = open_window(write(tmp_path, OLD))
    qtbot.waitUntil(lambda: any("retired on 2026-05-25" in t for t in lint_texts(window)))
    assert "kimi-k2-0905-preview was retired on 2026-05-25: switch to kimi-k2.6." in (
        window.statusBar().currentMessage()
    )
    send_problems = window.run_controller.request_problems()
    assert any("retired" in p for p in send_problems)  # Send refuses it, saying why
    qtbot.waitUntil(lambda: len(fix_buttons(window)) == 1)
    (fix,) = fix_buttons(window)
    assert fix.text() == "Switch to kimi-k2.6"
    fix.click()
    assert window.workspace.params.model == "kimi-k2.6"
    # kimi-k2.6 fixes temperature: the next finding is at the parameter, with its own fix.
    qtbot.waitUntil(lambda: any("fixes temperature" in t for t in lint_texts(window)))
    qtbot.waitUntil(lambda: len(fix_buttons(window)) == 1)
    (drop,) = fix_buttons(window)
    assert drop.text() == "Drop temperature"
    drop.click()
    assert window.workspace.params.temperature is None
    qtbot.waitUntil(lambda: lint_texts(window) == [])
    assert window.run_controller.request_problems() == []
    window.undo_stack.undo()  # one undo step per fix
    assert window.workspace.params.temperature == 0.6
    info = window.findChild(QLabel, "modelInfoLabel")
    assert "262,144 tokens" in info.text() and "$0.95 in / $4 out" in info.text()
    window.grab().save(str(tmp_path / "lint.png"))


def test_thinking_control_follows_the_model_and_is_one_undo_step(open_window, qtbot: QtBot) -> None:
    window = open_window()
    selector = window.findChild(QComboBox, "thinkingSelector")
    panel = window.params_panel
    window.workspace.set_param("model", "kimi-k2.6")
    window.request_lint.refresh()
    items = [selector.itemText(i) for i in range(selector.count())]
    assert items == [
        "model default (on)",
        "on",
        "off",
        "effort: low",
        "effort: medium",
        "effort: high",
    ]
    assert selector.isVisibleTo(panel)
    selector.setCurrentIndex(2)
    selector.activated.emit(2)
    assert window.workspace.params.extra["thinking"] == {"type": "disabled"}
    selector.activated.emit(5)
    assert window.workspace.params.extra == {"reasoning_effort": "high"}  # never both
    window.undo_stack.undo()
    assert window.workspace.params.extra == {"thinking": {"type": "disabled"}}
    window.workspace.set_param("model", "kimi-k3")
    window.request_lint.refresh()
    assert [selector.itemText(i) for i in range(selector.count())] == [
        "always on",
        "effort: low",
        "effort: high",
        "effort: max",
    ]
    # thinking disabled on an always-thinking model: refused at the parameter.
    window.workspace.set_param("model", "kimi-k2.7-code")
    window.request_lint.refresh()
    assert any("always thinks" in t for t in lint_texts(window))
    window.workspace.set_param("model", "moonshot-v1-8k")
    window.workspace.set_param("thinking", None)
    window.request_lint.refresh()
    assert not selector.isVisibleTo(panel)


def test_a_tool_turn_without_reasoning_is_marked_on_its_card(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    data = {
        **OLD,
        "params": {"provider": "moonshot", "model": "kimi-k2.6"},
        "messages": [
            {"role": "user", "content": "Add"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": "a:0",
                        "type": "function",
                        "function": {"name": "add", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "a:0", "content": "3"},
        ],
    }
    window = open_window(write(tmp_path, data))

    def note_on(row: int) -> str:
        cards = [w for w in window.findChildren(QWidget, "messageCard") if w.isVisible()]
        notes = [c.findChild(QLabel, "cardLint") for c in cards]
        return next((n.toolTip() for n in notes if n is not None and n.isVisible()), "")

    qtbot.waitUntil(lambda: "reasoning_content" in note_on(1))
    assert window.request_lint.card_note(1)[1] is True  # blocking


def test_fit_reserves_what_the_window_leaves_capped_by_the_output_limit(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    data = {**OLD, "params": {"provider": "deepseek", "model": "deepseek-v4-flash"}}
    window = open_window(write(tmp_path, data))
    rate = window.findChild(QLabel, "rateLimitLabel")
    fit = window.findChild(QPushButton, "fitOutputButton")
    qtbot.waitUntil(lambda: "Counts against the rate limit" in rate.text(), timeout=20_000)
    qtbot.waitUntil(fit.isEnabled)
    fit.click()
    assert window.workspace.params.max_tokens == 384_000  # the model's output limit
    qtbot.waitUntil(lambda: "384,000 reserved output" in rate.text())
    window.undo_stack.undo()
    assert window.workspace.params.max_tokens is None
    window.workspace.set_param("model", "moonshot-v1-8k")
    qtbot.waitUntil(lambda: fit.isEnabled() and "8k" not in rate.text())
    meter = window.token_meter
    qtbot.waitUntil(
        lambda: meter.reading is not None and meter.reading.model.id == "moonshot-v1-8k"
    )
    fit.click()
    reading = meter.reading
    expected = 8192 - reading.prompt_tokens - reading.recommendation.margin
    assert window.workspace.params.max_tokens == expected  # the window is the limit here


def test_the_window_rule_reads_the_meters_count_at_max_tokens(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    data = {
        **OLD,
        "messages": [{"role": "user", "content": "Summarise the review below.\n" + "word " * 900}],
        "params": {"provider": "moonshot", "model": "moonshot-v1-8k", "max_tokens": 8000},
    }
    window = open_window(write(tmp_path, data))
    meter = window.token_meter
    qtbot.waitUntil(lambda: meter.reading is not None, timeout=20_000)
    prompt = meter.reading.prompt_tokens
    assert 900 < prompt < 8192 - 1000  # it fits; the reservation does not
    line = (
        f"max_tokens: The prompt (≈ {prompt:,}) plus 8,000 reserved output exceeds "
        "moonshot-v1-8k's window of 8,192 tokens."
    )
    qtbot.waitUntil(lambda: any(t.endswith(line) for t in lint_texts(window)), timeout=10_000)
    (fix,) = fix_buttons(window)
    assert fix.text() == f"Fit: {8192 - prompt:,}"
    fix.click()
    assert window.workspace.params.max_tokens == 8192 - prompt
    qtbot.waitUntil(lambda: not any("exceeds" in t for t in lint_texts(window)))
    # The meter counts again as the prompt grows: the rule follows it.
    window.workspace.conversation.update(0, content=data["messages"][0]["content"] + "more " * 50)
    qtbot.waitUntil(lambda: any("exceeds" in t for t in lint_texts(window)), timeout=10_000)
    assert window.context.prompt_tokens == meter.reading.prompt_tokens > prompt


def test_a_current_model_without_a_published_window_says_window_unknown(
    open_window, qtbot: QtBot, tmp_path: Path
) -> None:
    data = {**OLD, "params": {"provider": "moonshot", "model": "kimi-k3.1-pro", "max_tokens": 900}}
    window = open_window(write(tmp_path, data))
    info = window.findChild(QLabel, "modelInfoLabel")
    qtbot.waitUntil(lambda: "window unknown" in info.text())
    assert info.text().startswith("window unknown, $2 in / $10 out per 1M · as of 2026-12-01")
    meter = window.token_meter
    qtbot.waitUntil(lambda: meter.reading is not None, timeout=20_000)
    count = window.findChild(QLabel, "tokenCountLabel")
    assert "context window unknown" in count.text() and "900 output" in count.text()
    assert window.findChild(QWidget, "tokenMeter").level == "unknown"
    fit = window.findChild(QPushButton, "fitOutputButton")
    assert not fit.isEnabled() and "not in the catalog" in fit.toolTip()
    assert window.run_controller.request_problems() == []  # nothing refused for the unknown
    assert not any("exceeds" in t for t in lint_texts(window))
