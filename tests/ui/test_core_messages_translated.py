"""Messages worded by the Qt-free core (run errors, file errors) read in Chinese in the Chinese
window; the same messages stay English for the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from tests.memory_keyring import MemoryKeyring
from tests.ui.conftest import Dialogs
from tests.ui.run_helpers import LOOP_ENV, LOOP_ID, SECRET, load
from workbench.core.workspace import WorkspaceError
from workbench.core.workspace_files import load_workspace
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.common import i18n
from workbench.ui.shell.main_window import MainWindow


@pytest.fixture
def window(chinese: None, loop_window: MainWindow) -> MainWindow:
    """The loopback window, in Chinese."""
    assert i18n.installed_language() == "zh_CN"
    return loop_window


def run_error(qtbot: QtBot, window: MainWindow) -> str:
    """Clicks Send and returns the run's error as the run panel shows it."""
    send = window.findChild(QPushButton, "sendButton")
    error = window.findChild(QLabel, "runError")
    qtbot.mouseClick(send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(error.isVisible, timeout=10_000)
    return error.text()


def test_a_run_without_a_key_says_so_in_chinese(
    qtbot: QtBot, window: MainWindow, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.passwords.clear()
    load(window, [{"role": "user", "content": "你好"}])

    text = run_error(qtbot, window)

    assert text == (
        f"Loopback 没有 API 密钥：请在“设置 › 服务商与密钥”中保存一个，或设置环境变量 {LOOP_ENV}。"
    )
    assert window.findChild(QPushButton, "addKeyButton").isVisible()


def test_a_refused_key_is_explained_in_chinese_without_the_key(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(window, [{"role": "user", "content": "你好"}])
    loopback.queue(
        Reply(
            status=401,
            error_type="invalid_authentication_error",
            error_message=f"Invalid Authentication for {SECRET}",
        )
    )

    text = run_error(qtbot, window)

    assert text.startswith("API 密钥被拒绝 (401 invalid_authentication_error: Invalid Auth")
    assert "请检查“设置 › 服务商与密钥”中为 Loopback 保存的密钥" in text
    assert SECRET not in text and "refused" not in text


def test_a_compare_column_without_a_key_says_so_in_chinese(
    qtbot: QtBot, window: MainWindow, memory_keyring: MemoryKeyring
) -> None:
    from workbench.core.conversation import Message
    from workbench.core.workspace import Params, Variant, Workspace

    memory_keyring.passwords.clear()
    window.workspace.replace_with(
        Workspace(
            messages=[Message("user", "你好")],
            params=Params(provider=LOOP_ID, model="moonshot-v1-128k"),
            variants=[Variant("甲"), Variant("乙", model="moonshot-v1-8k")],
        )
    )
    view = window.compare_view
    window.main_tabs.setCurrentWidget(view)
    view.findChild(QPushButton, "runCompareButton").click()

    first = view.panes()[0]
    qtbot.waitUntil(lambda: first.result is not None, timeout=10_000)
    metrics = first.findChild(QLabel, "paneMetrics").text()
    assert "Loopback 没有 API 密钥" in metrics and "No API key" not in metrics


def test_a_file_that_cannot_be_opened_is_explained_in_chinese(
    window: MainWindow, user_dialogs: Dialogs, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.prompt.json"
    broken.write_text('{"format": "prompt-workbench/1",\n  "messages": [}', encoding="utf-8")
    folder = tmp_path / "folder.prompt.json"
    folder.mkdir()

    assert not window.open_path(broken)
    assert not window.open_path(folder)

    assert len(user_dialogs.errors) == 2
    syntax, not_a_file = user_dialogs.errors
    assert "broken.prompt.json，第 2 行第 16 列：不是有效的 JSON（Expecting value）" in syntax
    assert "folder.prompt.json：这是一个文件夹，不是文件" in not_a_file


def test_a_failed_connection_test_is_explained_in_chinese(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    from tests.ui.test_provider_dialog import open_dialog

    loopback.api_key = "sk-the-right-one-000000"
    dialog = open_dialog(qtbot, window, LOOP_ID)
    dialog.api_key_edit.setText(SECRET)  # typed, not saved: the test uses it

    with qtbot.waitSignal(dialog.connection_tested, timeout=10_000):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)

    assert dialog.test_result.text().startswith("密钥被拒绝（401）：请检查密钥，或保存一个新的。")
    assert SECRET not in dialog.test_result.text()
    dialog.close()


def test_the_core_keeps_english_for_the_cli(tmp_path: Path) -> None:
    broken = tmp_path / "broken.prompt.json"
    broken.write_text("[}", encoding="utf-8")
    with pytest.raises(WorkspaceError) as caught:
        load_workspace(broken)
    assert str(caught.value) == (
        "broken.prompt.json, line 1, column 2: not valid JSON (Expecting value)"
    )


def test_the_linter_speaks_chinese_at_the_parameters_and_in_the_status_bar(
    qtbot: QtBot, chinese: None, open_window: Callable[[Path], MainWindow], tmp_path: Path
) -> None:
    old = tmp_path / "old.prompt.json"
    old.write_text(
        json.dumps(
            {
                "format": "prompt-workbench/1",
                "title": "旧的",
                "messages": [{"role": "user", "content": "你好"}],
                "params": {
                    "provider": "moonshot",
                    "model": "kimi-k2-0905-preview",
                    "temperature": 0.6,
                },
            }
        ),
        encoding="utf-8",
    )
    window = open_window(old)

    def texts() -> list[str]:
        return [label.text() for label in window.findChildren(QLabel, "lintMessage")]

    def fixes() -> list[str]:
        return [
            b.text() for b in window.findChildren(QPushButton, "lintFixButton") if b.isVisible()
        ]

    qtbot.waitUntil(lambda: fixes() == ["切换到 kimi-k2.6"])
    assert texts() == [
        "✖ kimi-k2-0905-preview 已于 2026-05-25 停用：请切换到 kimi-k2.6。 发送它会得到 404。"
    ]
    qtbot.waitUntil(
        lambda: "kimi-k2-0905-preview 已于 2026-05-25 停用" in window.statusBar().currentMessage()
    )
    window.findChild(QPushButton, "lintFixButton").click()
    qtbot.waitUntil(lambda: fixes() == ["删除 temperature"])
    (text,) = texts()
    assert "kimi-k2.6 固定了 temperature" in text and "fixes" not in text


def test_a_compare_column_shows_the_linter_and_its_fix_in_chinese(
    qtbot: QtBot, window: MainWindow
) -> None:
    from workbench.core.conversation import Message
    from workbench.core.workspace import Params, Variant, Workspace

    window.workspace.replace_with(
        Workspace(
            messages=[Message("user", "word " * 7_000)],
            params=Params(provider=LOOP_ID, model="moonshot-v1-128k", max_tokens=2_000),
            variants=[
                Variant("小", model="moonshot-v1-8k"),
                Variant("暖", model="kimi-k2.6", params={"temperature": 0.2}),
            ],
        )
    )
    window.main_tabs.setCurrentWidget(window.compare_view)
    small, warm = window.compare_view.panes()
    warning = small.findChild(QLabel, "paneWarning")
    fit = small.findChild(QPushButton, "paneFixButton")
    qtbot.waitUntil(lambda: "8,192 token 上下文窗口" in warning.text(), timeout=10_000)
    assert "exceeds" not in warning.text()
    qtbot.waitUntil(lambda: fit.isVisible() and fit.text().startswith("适配："))
    problem = warm.findChild(QLabel, "paneProblem")
    drop = warm.findChild(QPushButton, "paneFixButton")
    qtbot.waitUntil(lambda: "kimi-k2.6 固定了 temperature" in problem.text())
    qtbot.waitUntil(lambda: drop.isVisible() and drop.text() == "删除 temperature")


def test_the_tool_editor_lists_a_tools_problems_in_chinese(
    qtbot: QtBot, chinese: None, open_window: Callable[[], MainWindow]
) -> None:
    from PySide6.QtWidgets import QListWidget, QPlainTextEdit

    from workbench.ui.tools.tool_editor import ToolsEditor

    window = open_window()
    editor = window.findChild(ToolsEditor, "toolsEditor")
    window.side_tabs.setCurrentWidget(editor)
    editor.add_blank()
    tool = {"type": "function", "function": {"name": "get weather", "descripton": "x"}, "strict": 1}
    window.findChild(QPlainTextEdit, "toolJsonEdit").setPlainText(json.dumps(tool, indent=2))
    editor.validate_now()
    errors = window.findChild(QListWidget, "toolErrors")
    lines = [errors.item(i).text() for i in range(errors.count())]

    assert any(
        line.startswith("✕ 第 4 行，第 ")
        and "function.name：Moonshot 不允许名称 'get weather'："
        "请使用 3 到 64 个字母、数字、_ 或 -，以字母或 _ 开头"
        in line
        for line in lines
    )
    assert any(
        "未知的键 'descripton'（是否想写 'description'？）；API 会忽略或拒绝它。" in line
        for line in lines
    )
    assert any('没有 "parameters"' in line for line in lines)
    assert not any("Unknown" in line or "line" in line for line in lines)


def test_the_tests_tab_says_what_is_wrong_with_an_assertion_in_chinese(
    qtbot: QtBot, window: MainWindow
) -> None:
    from workbench.core.workspace import TestCase

    window.workspace.insert_test(0, TestCase(asserts=[{"type": "contains"}]))
    label = window.findChild(QLabel, "testProblems")
    qtbot.waitUntil(lambda: "contains 需要文本值" in label.text())
    assert "needs" not in label.text()


def test_an_html_page_instead_of_a_stream_is_explained_in_chinese(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(window, [{"role": "user", "content": "你好"}])
    loopback.queue(Reply(raw_body=b"<html><body>login</body></html>", content_type="text/html"))

    text = run_error(qtbot, window)

    assert "上的服务器返回的是 HTML 页面，而不是 chat-completion 流" in text
    assert "answered" not in text


def test_a_stream_cut_short_is_explained_in_chinese(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(window, [{"role": "user", "content": "你好"}])
    loopback.queue(Reply(text="alpha beta gamma delta", cut_after=2))

    text = run_error(qtbot, window)

    assert "的流在回答完成前就结束了（没有结束原因）；已收到的文本会保留。" in text
    assert "ended" not in text


@pytest.fixture(params=["zh_CN", "en"])
def any_window(request: pytest.FixtureRequest) -> MainWindow:
    """The loopback window in Chinese, then in the default language (English)."""
    if request.param == "zh_CN":
        request.getfixturevalue("chinese")
    window: MainWindow = request.getfixturevalue("loop_window")
    assert (i18n.installed_language() == "zh_CN") == (request.param == "zh_CN")
    return window


def test_an_error_in_the_middle_of_an_answer_is_explained_in_the_window_language(
    qtbot: QtBot, any_window: MainWindow, loopback: LoopbackServer
) -> None:
    load(any_window, [{"role": "user", "content": "你好"}])
    loopback.queue(
        Reply(
            text="alpha beta gamma",
            error_after=3,
            error_type="engine_overloaded_error",
            error_message="The engine is overloaded",
            status=200,
        )
    )

    text = run_error(qtbot, any_window)

    if i18n.installed_language() == "zh_CN":
        assert text == (
            f"{loopback.url} 上的服务器在回答中途报告了错误（engine_overloaded_error: The engine "
            "is overloaded）；已收到的文本会保留。"
        )
    else:
        assert text == (
            f"The server at {loopback.url} reported an error mid-answer "
            "(engine_overloaded_error: The engine is overloaded); the text received so far is "
            "kept."
        )


@pytest.fixture(params=["zh_CN", "en"])
def plain_window(request: pytest.FixtureRequest) -> MainWindow:
    """A window in Chinese, then in the default language (English)."""
    if request.param == "zh_CN":
        request.getfixturevalue("chinese")
    window: MainWindow = request.getfixturevalue("open_window")()
    assert (i18n.installed_language() == "zh_CN") == (request.param == "zh_CN")
    return window


def test_a_promptfoo_config_with_unsupported_parts_is_explained_in_the_window_language(
    plain_window: MainWindow, user_dialogs: Dialogs, tmp_path: Path
) -> None:
    config = tmp_path / "promptfooconfig.yaml"
    config.write_text(
        "prompts: ['Hello {{name}}']\nproviders: ['anthropic:messages:claude-x']\n",
        encoding="utf-8",
    )
    scripted = tmp_path / "scripted" / "promptfooconfig.yaml"
    scripted.parent.mkdir()
    scripted.write_text(
        "prompts: ['Hi']\nproviders: ['openai:chat:gpt-x']\n"
        "tests:\n  - assert:\n      - type: python\n        value: output == 'x'\n",
        encoding="utf-8",
    )

    assert not plain_window.open_path(config)
    assert not plain_window.open_path(scripted)

    unsupported, code = user_dialogs.errors
    if i18n.installed_language() == "zh_CN":
        assert (
            "promptfooconfig.yaml，providers[0]：anthropic:messages:claude-x 不是兼容 OpenAI "
            "的对话服务商（请使用 openai:chat:MODEL 并设置 apiBaseUrl）（本应用只支持 "
            "promptfoo 的一个子集：见 docs/evaluating.md）"
        ) in unsupported
        assert (
            "promptfooconfig.yaml，tests[0].assert[0].type：断言类型 'python' 会运行代码，"
            "本应用从不运行代码"
        ) in code
    else:
        assert (
            "promptfooconfig.yaml, providers[0]: anthropic:messages:claude-x is not an "
            "OpenAI-compatible chat provider (use openai:chat:MODEL with apiBaseUrl) (the app "
            "takes a subset of promptfoo: see docs/evaluating.md)"
        ) in unsupported
        assert (
            "promptfooconfig.yaml, tests[0].assert[0].type: assertion type 'python' runs code, "
            "which the app never does"
        ) in code


def test_a_test_problem_and_its_place_read_in_the_window_language(
    qtbot: QtBot, any_window: MainWindow
) -> None:
    from workbench.core.workspace import TestCase

    load(any_window, [{"role": "user", "content": "Tell me about {{topic}}."}])
    any_window.workspace.insert_test(
        0, TestCase(vars={"topic": "tides", "city": "Oslo"}, asserts=[{"type": "contains"}])
    )
    label = any_window.findChild(QLabel, "testProblems")
    qtbot.waitUntil(lambda: bool(label.text()))
    from PySide6.QtWidgets import QTableView

    header = any_window.findChild(QTableView, "testTable").model().headerData
    shown_headers = [header(i, Qt.Orientation.Horizontal) for i in range(4)]
    assert shown_headers == (
        ["描述", "{{topic}}", "{{city}}", "断言"]
        if i18n.installed_language() == "zh_CN"
        else ["Description", "{{topic}}", "{{city}}", "Assertions"]
    )
    if i18n.installed_language() == "zh_CN":
        assert label.text() == (
            "测试 0，city：未知变量 'city'：提示词没有使用它（使用的是 {{topic}}）"
            "（另有 1 处，已标红）"
        )
    else:
        assert label.text() == (
            "test 0, city: unknown variable 'city': the prompt does not use it (it uses "
            "{{topic}}) (and 1 more, marked in red)"
        )
    any_window.workspace.update_test(
        0, TestCase(vars={"topic": "tides"}, asserts=[{"type": "contains"}])
    )
    qtbot.waitUntil(lambda: "city" not in label.text())
    assert label.text() == (
        "测试 0，assert[0].value：contains 需要文本值"
        if i18n.installed_language() == "zh_CN"
        else "test 0, assert[0].value: contains needs a text value"
    )


def test_assertion_results_read_in_the_window_language_in_the_evaluation_grid(
    qtbot: QtBot, any_window: MainWindow, loopback: LoopbackServer, tmp_path: Path
) -> None:
    from PySide6.QtCore import Qt as QtCore
    from PySide6.QtWidgets import QTableView

    from workbench.ui.evaluate.tests_view import TestsView

    path = tmp_path / "price.prompt.json"
    schema = {"type": "object", "properties": {"price": {"type": "number"}}}
    path.write_text(
        json.dumps(
            {
                "format": "prompt-workbench/1",
                "messages": [{"role": "user", "content": "Price of {{item}} as JSON"}],
                "params": {"provider": LOOP_ID, "model": "moonshot-v1-8k"},
                "tests": [
                    {
                        "vars": {"item": "thermometer"},
                        "assert": [
                            {"type": "contains", "value": "Kelvin"},
                            {"type": "is-json", "value": schema},
                        ],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    assert any_window.open_path(path)
    loopback.queue(Reply(text='{"price": "12"}'))
    view = any_window.findChild(TestsView, "testsView")
    any_window.main_tabs.setCurrentWidget(view)
    view.findChild(QPushButton, "runEvalButton").click()
    qtbot.waitUntil(lambda: view.report is not None and not view.busy, timeout=15_000)

    grid = any_window.findChild(QTableView, "evalGrid")
    index = grid.model().index(0, 0)
    dialog = view.open_cell(index)
    assert dialog is not None
    qtbot.addWidget(dialog)
    lines = dialog.results.text().splitlines()
    tip = index.data(QtCore.ItemDataRole.ToolTipRole)
    dialog.close()
    if i18n.installed_language() == "zh_CN":
        assert lines[:2] == [
            "✗ contains: 应包含 'Kelvin'",
            "✗ is-json: $.price：应为 number，实际为 string",
        ]
        assert "✗ contains: 应包含 'Kelvin'" in tip
        assert "contains: 应包含 'Kelvin'" in index.data()
    else:
        assert lines[:2] == [
            "✗ contains: expected to contain 'Kelvin'",
            "✗ is-json: $.price: expected number, got string",
        ]
        assert "✗ contains: expected to contain 'Kelvin'" in tip


def test_a_wrong_value_in_a_file_is_explained_in_the_window_language(
    plain_window: MainWindow, user_dialogs: Dialogs, tmp_path: Path
) -> None:
    config = tmp_path / "promptfooconfig.yaml"
    config.write_text(
        "prompts: ['[{\"role\": \"robot\", \"content\": \"Hi\"}]']\n"
        "providers: ['openai:chat:gpt-x']\n",
        encoding="utf-8",
    )
    hot = tmp_path / "hot.prompt.json"
    hot.write_text(
        json.dumps(
            {
                "format": "prompt-workbench/1",
                "messages": [{"role": "user", "content": "Hi"}],
                "params": {"temperature": "hot"},
            }
        ),
        encoding="utf-8",
    )

    assert not plain_window.open_path(config)
    assert not plain_window.open_path(hot)

    role, temperature = user_dialogs.errors
    if i18n.installed_language() == "zh_CN":
        assert (
            "promptfooconfig.yaml，prompts[0][0].role：role 必须是 system, user, assistant, tool "
            "之一，而不是 'robot'"
        ) in role
        assert "hot.prompt.json，params.temperature：必须是数字" in temperature
    else:
        assert (
            "promptfooconfig.yaml, prompts[0][0].role: role must be one of system, user, "
            "assistant, tool, not 'robot'"
        ) in role
        assert "hot.prompt.json, params.temperature: must be a number" in temperature
