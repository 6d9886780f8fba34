"""The Compare tab of the main window against the loopback server: real HTTP, SSE and history."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from workbench.core import tokens
from workbench.core.conversation import Message
from workbench.core.history import HistoryStore
from workbench.core.providers import Prefill, ProviderConfig
from workbench.core.secrets import KeyStore
from workbench.core.sessions import RunEngine, RunOptions
from workbench.core.workspace import Params, Variant, Workspace
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.compare.compare_pane import ComparePane
from workbench.ui.compare.compare_view import CompareView
from workbench.ui.shell.main_window import MainWindow

KEY = "sk-compare-test-0123456789abcdef"


class MemoryKeyring:
    """An in-memory keyring backend: UI tests never touch the user's keyring."""

    priority = 1

    def __init__(self) -> None:
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.passwords.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.passwords[(service, user)] = password

    def delete_password(self, service: str, user: str) -> None:
        self.passwords.pop((service, user), None)


@pytest.fixture
def compare_window(
    open_window: Callable[..., MainWindow], loopback: LoopbackServer, qloop: Any
) -> MainWindow:
    """A window whose Compare tab sends to the loopback server with a key from the keyring."""
    loopback.api_key = KEY
    window = open_window()
    registry = window.context.providers
    registry.add(
        ProviderConfig(
            "loopback",
            "Loopback",
            "moonshot",
            loopback.url,
            Prefill.MOONSHOT_PARTIAL,
            "LOOPBACK_API_KEY",
        )
    )
    keys = KeyStore(MemoryKeyring())
    keys.set("loopback", KEY)
    window.context.providers_changed.emit()
    window.context.keys = keys
    view: CompareView = window.compare_view
    # One retry, no waiting: the failing column gives up at once instead of backing off.
    engine: RunEngine = window.context.run_engine
    engine.options = RunOptions(max_retries=1, backoff=0.0, timeout=10)
    window.workspace.replace_with(
        Workspace(
            title="Extraction",
            messages=[
                Message("user", "Extract the product as JSON: Phone, 300 dollars"),
                Message("assistant", "{", partial=True),
            ],
            params=Params(provider="loopback", model="moonshot-v1-128k"),
            variants=[
                Variant("Fast", model="fast-model"),
                Variant("Failing", model="failing-model"),
                Variant("Slow", model="slow-model"),
            ],
        )
    )
    window.main_tabs.setCurrentWidget(view)
    return window


def panes(window: MainWindow) -> dict[str, ComparePane]:
    view: CompareView = window.compare_view
    return {p.variant.label: p for p in view.panes() if p.variant is not None}


def metrics(pane: ComparePane) -> str:
    return pane.findChild(QLabel, "paneMetrics").text()


def test_failing_and_slow_columns_block_nothing(
    qtbot: QtBot, compare_window: MainWindow, loopback: LoopbackServer
) -> None:
    loopback.queue_for_model("fast-model", Reply(text='"name": "Phone", "price": 300}'))
    loopback.queue_for_model(
        "failing-model",
        Reply(status=429, error_type="rate_limit_reached_error", headers={"Retry-After": "0"}),
        Reply(status=500, error_type="server_error", error_message="Internal failure"),
    )
    loopback.queue_for_model(
        "slow-model", Reply(text='"name": "Phone", "price": 299}', chunks=12, chunk_delay=0.08)
    )
    view: CompareView = compare_window.compare_view
    columns = panes(compare_window)
    view.findChild(QPushButton, "runCompareButton").click()

    qtbot.waitUntil(
        lambda: columns["Fast"].result is not None and columns["Failing"].result is not None,
        timeout=5000,
    )
    assert columns["Slow"].running  # still streaming: the others did not wait for it
    fast = columns["Fast"].result
    assert fast is not None and fast.error is None
    assert columns["Fast"].text.toPlainText() == '{"name": "Phone", "price": 300}'
    assert columns["Fast"].findChild(QLabel, "paneJsonBadge").text() == "✓ valid JSON"
    assert columns["Failing"].findChild(QLabel, "paneJsonBadge").isHidden()  # "{" alone
    assert "Tokens out" in metrics(columns["Fast"]) and "TTFT" in metrics(columns["Fast"])
    failing = columns["Failing"].result
    assert failing is not None and failing.error and "500" in failing.error
    assert "500" in metrics(columns["Failing"])
    # Nothing to keep from the failed column (only the prefix "{"); the fast one can be used.
    assert not columns["Failing"].findChild(QPushButton, "useAnswerButton").isEnabled()
    assert columns["Fast"].findChild(QPushButton, "useAnswerButton").isEnabled()
    # The partial "{" streams live in the slow column too, before its end.
    qtbot.waitUntil(lambda: len(columns["Slow"].text.toPlainText()) > 3, timeout=3000)
    assert columns["Slow"].text.toPlainText().startswith("{")

    with qtbot.waitSignal(view.comparison_finished, timeout=5000):
        pass
    slow = columns["Slow"].result
    assert slow is not None and slow.full_text == '{"name": "Phone", "price": 299}'
    # The key went to the server, and every request carried the partial prefix Moonshot-style.
    bodies = loopback.chat_requests()
    assert len(bodies) == 4  # fast, failing twice (429 then 500), slow
    assert all(
        b["messages"][-1] == {"role": "assistant", "content": "{", "partial": True} for b in bodies
    )

    # Every run is in the history under one group; the key is nowhere in it.
    history = HistoryStore()
    qtbot.waitUntil(lambda: history.count() == 3, timeout=3000)
    entries = history.search()
    assert len({e.group for e in entries}) == 1 and entries[0].group == view.group
    assert all(KEY not in e.request_json + e.result_json + e.workspace_json for e in entries)


def test_a_queued_column_says_it_waits_for_a_free_slot_of_its_provider(
    qtbot: QtBot, compare_window: MainWindow, loopback: LoopbackServer
) -> None:
    loopback.default_reply = Reply(text='"ok": true}')
    engine: RunEngine = compare_window.context.run_engine
    engine.limiter.limit = 1
    # Another run (Send, an evaluation) holds the provider's only slot.
    holder = asyncio.ensure_future(engine.limiter.acquire("loopback"))
    qtbot.waitUntil(lambda: holder.done() and engine.limiter.active("loopback") == 1)
    view: CompareView = compare_window.compare_view
    columns = panes(compare_window)
    view.findChild(QPushButton, "runCompareButton").click()
    qtbot.waitUntil(lambda: engine.limiter.waiting("loopback") == 3, timeout=5000)
    qtbot.waitUntil(
        lambda: all("Waiting for" in metrics(c) for c in columns.values()), timeout=5000
    )
    # The columns queue in the order their keys were looked up (on worker threads).
    waiting = "Waiting for a free slot on Loopback (1 of 1 running)"
    assert sorted(metrics(c) for c in columns.values()) == [
        f"{waiting} – 1 more waiting ahead…",
        f"{waiting} – 2 more waiting ahead…",
        f"{waiting}…",
    ]
    with qtbot.waitSignal(view.comparison_finished, timeout=10_000):
        engine.limiter.release("loopback")
    assert all(c.result is not None and c.result.error is None for c in columns.values())
    assert loopback.chat_requests()


def test_provider_that_cannot_prefill_says_so_and_sends_nothing(
    qtbot: QtBot, compare_window: MainWindow, loopback: LoopbackServer, monkeypatch: Any
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-test")
    workspace = compare_window.workspace
    workspace.set_variant_field(workspace.variants[1], "provider", "openai")
    view: CompareView = compare_window.compare_view
    columns = panes(compare_window)
    problem = columns["Failing"].findChild(QLabel, "paneProblem")
    assert "cannot prefill" in problem.text()  # said before running
    with qtbot.waitSignal(view.comparison_finished, timeout=5000):
        view.findChild(QPushButton, "runCompareButton").click()
    result = columns["Failing"].result
    assert result is not None and result.error and "cannot prefill" in result.error
    assert "cannot prefill" in metrics(columns["Failing"])
    assert {b["model"] for b in loopback.chat_requests()} == {"fast-model", "slow-model"}


def test_reopen_a_comparison_from_history(
    qtbot: QtBot, compare_window: MainWindow, loopback: LoopbackServer
) -> None:
    loopback.default_reply = Reply(text='"ok": true}')
    view: CompareView = compare_window.compare_view
    with qtbot.waitSignal(view.comparison_finished, timeout=5000):
        view.findChild(QPushButton, "runCompareButton").click()
    group = view.group
    qtbot.waitUntil(lambda: HistoryStore().count() == 3, timeout=3000)

    # The user moves on: other variants, new columns.
    compare_window.workspace.set_variants([Variant("Other A"), Variant("Other B")])
    assert [p.variant.label for p in view.panes()] == ["Other A", "Other B"]

    view.history_menu.aboutToShow.emit()
    qtbot.waitUntil(
        lambda: any("Fast" in a.text() for a in view.history_menu.actions()), timeout=3000
    )
    action = next(a for a in view.history_menu.actions() if "Fast" in a.text())
    action.trigger()
    qtbot.waitUntil(lambda: [p.variant.label for p in view.panes()][:1] == ["Fast"], timeout=3000)
    columns = panes(compare_window)
    assert list(columns) == ["Fast", "Failing", "Slow"]
    assert columns["Fast"].text.toPlainText() == '{"ok": true}'
    assert columns["Slow"].variant.model == "slow-model"
    assert view.group == group
    # Reopening is an edit of the variants: undo brings back the previous columns.
    view.undo_stack.undo()
    assert [p.variant.label for p in view.panes()] == ["Other A", "Other B"]


def test_a_columns_own_system_message_is_filled_from_the_current_case_or_refused(
    qtbot: QtBot, compare_window: MainWindow, loopback: LoopbackServer
) -> None:
    from workbench.core.workspace import TestCase
    from workbench.ui.evaluate.tests_view import TestsView

    loopback.default_reply = Reply(text='"ok": true}')
    workspace = compare_window.workspace
    own = Variant("French", model="fast-model", system="Answer in {{language}}.")
    workspace.set_variants([own, Variant("Plain", model="other-model")])
    workspace.insert_test(0, TestCase("fr", {"language": "French"}))
    workspace.insert_test(1, TestCase("none", {}))
    tests = compare_window.findChild(TestsView, "testsView")
    assert tests is not None
    assert tests.table_model.variables == ["language"]  # a case needs a value for it
    assert tests.variables_bar is not None and "{{language}}" in tests.variables_bar.label.text()
    view: CompareView = compare_window.compare_view
    column = panes(compare_window)["French"]

    view.findChild(QPushButton, "runCompareButton").click()
    with qtbot.waitSignal(view.comparison_finished, timeout=5000):
        pass
    sent = {b["model"]: b["messages"][0] for b in loopback.chat_requests()}
    assert sent["fast-model"] == {"role": "system", "content": "Answer in French."}
    assert sent["other-model"]["role"] == "user"  # the window's conversation has no system card

    # The second case has no value for it: the column says so before anything is sent.
    problem = column.findChild(QLabel, "paneProblem")
    workspace.set_current_test(1)
    qtbot.waitUntil(lambda: "{{language}}" in problem.text(), timeout=3000)
    assert problem.isVisibleTo(column)


def test_each_column_says_before_running_whether_it_fits_and_what_it_costs(
    qtbot: QtBot, compare_window: MainWindow
) -> None:
    tokens.encoding()  # loaded by the meter's worker in the app; here at once
    workspace = compare_window.workspace
    workspace.conversation.update(0, content="lorem ipsum " * 4000)
    workspace.set_variants(
        [
            Variant("K2", model="moonshot-v1-128k"),
            Variant("8k", model="moonshot-v1-8k"),
            Variant("Unknown", model="fast-model"),
        ]
    )
    columns = panes(compare_window)

    def fit(label: str) -> str:
        return columns[label].findChild(QLabel, "paneFit").text()

    qtbot.waitUntil(lambda: fit("K2").startswith("Fits"), timeout=3000)
    assert "of 131,072 tokens" in fit("K2") and "at most $0.0" in fit("K2")
    assert fit("8k").startswith("Too long") and "of 8,192 tokens" in fit("8k")
    assert "not in the catalog" in fit("Unknown")
    # An edit of the conversation updates every column's count.
    before = fit("K2")
    workspace.conversation.update(0, content="short")
    qtbot.waitUntil(lambda: fit("K2") != before, timeout=3000)
    assert fit("8k").startswith("Fits")


def test_reasoning_is_shown_apart_from_the_answer(
    qtbot: QtBot, compare_window: MainWindow, loopback: LoopbackServer
) -> None:
    loopback.default_reply = Reply(text='"a": 1}')
    loopback.queue_for_model(
        "fast-model", Reply(reasoning="Weighing the price first", text='"a": 2}')
    )
    view: CompareView = compare_window.compare_view
    with qtbot.waitSignal(view.comparison_finished, timeout=5000):
        view.findChild(QPushButton, "runCompareButton").click()
    columns = panes(compare_window)
    reasoning = columns["Fast"].findChild(QPlainTextEdit, "paneReasoning")
    assert reasoning.isVisible() and reasoning.toPlainText() == "Weighing the price first"
    assert columns["Fast"].text.toPlainText() == '{"a": 2}'
    assert columns["Slow"].findChild(QPlainTextEdit, "paneReasoning").isHidden()


def test_a_column_reserves_the_providers_default_output_when_max_tokens_is_unset(
    qtbot: QtBot, compare_window: MainWindow
) -> None:
    tokens.encoding()
    workspace = compare_window.workspace
    workspace.set_param("max_tokens", None)  # sent without max_tokens: Moonshot's 1,024 apply
    workspace.set_variants([Variant("K2", model="moonshot-v1-128k")])
    fit = panes(compare_window)["K2"].findChild(QLabel, "paneFit")
    qtbot.waitUntil(lambda: fit.text().startswith("Fits"), timeout=3000)
    assert "+ 1,024 of 131,072 tokens" in fit.text()
    assert "at most $0.0000 " not in fit.text() + " "  # the output's price is counted


def test_use_this_answer_keeps_each_winner_as_an_alternate_and_offers_its_settings(
    qtbot: QtBot, compare_window: MainWindow, loopback: LoopbackServer, user_dialogs: Any
) -> None:
    from workbench.ui.common import dialogs

    workspace = compare_window.workspace
    model_before = workspace.params.model
    workspace.set_variant_field(workspace.variants[0], "params.temperature", 0.2)
    workspace.set_variant_field(workspace.variants[0], "system", "Answer in JSON only.")
    workspace.set_variant_field(workspace.variants[1], "model", "other-model")
    loopback.queue_for_model("fast-model", Reply(text='"name": "Phone"}'))
    loopback.queue_for_model("other-model", Reply(text='"name": "Mobile"}'))
    loopback.queue_for_model("slow-model", Reply(text='"name": "Handset"}'))
    view: CompareView = compare_window.compare_view  # type: ignore[attr-defined]
    with qtbot.waitSignal(view.comparison_finished, timeout=10_000):
        view.findChild(QPushButton, "runCompareButton").click()
    columns = panes(compare_window)

    # The first winner completes the partial card; its settings are offered and taken.
    user_dialogs.answers.append(dialogs.Button.Yes)
    columns["Fast"].findChild(QPushButton, "useAnswerButton").click()
    conversation = workspace.conversation
    assert conversation[-1].content == '{"name": "Phone"}' and not conversation[-1].partial
    assert conversation[-1].prefill == "{"
    assert "Adopt the settings of Fast" in user_dialogs.questions[-1]
    assert workspace.params.model == "fast-model" and workspace.params.temperature == 0.2
    assert conversation[0].role == "system" and conversation[0].content == "Answer in JSON only."

    # The second winner joins the same card as an alternate; its settings are declined.
    user_dialogs.answers.append(dialogs.Button.No)
    columns["Failing"].findChild(QPushButton, "useAnswerButton").click()
    answer = conversation[-1]
    assert answer.content == '{"name": "Mobile"}'
    assert answer.alternates == ['{"name": "Phone"}']
    assert workspace.params.model == "fast-model"
    assert [m.role for m in conversation] == ["system", "user", "assistant"]

    # Undo takes back the alternate, then the settings in one step, then the first answer.
    compare_window.undo_stack.undo()
    assert conversation[-1].content == '{"name": "Phone"}' and not conversation[-1].alternates
    compare_window.undo_stack.undo()
    assert workspace.params.model == model_before
    assert [m.role for m in conversation] == ["user", "assistant"]
    compare_window.undo_stack.undo()
    assert conversation[-1].content == "{" and conversation[-1].partial


def test_a_failed_history_write_is_shown_on_that_column(
    qtbot: QtBot,
    compare_window: MainWindow,
    loopback: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sqlite3

    def full_disk(*_args: object, **_kwargs: object) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(HistoryStore, "record", full_disk)
    loopback.default_reply = Reply(text='"ok": true}')
    view: CompareView = compare_window.compare_view
    with qtbot.waitSignal(view.comparison_finished, timeout=5000):
        view.findChild(QPushButton, "runCompareButton").click()

    # Each column keeps its answer and says that it is not in the history, and why.
    for pane in panes(compare_window).values():
        assert pane.text.toPlainText() == '{"ok": true}'
        assert pane.history_error == "database or disk is full"
        assert "Not saved in the history: database or disk is full" in metrics(pane)


def test_a_column_shows_the_linter_with_its_fix_and_its_own_thinking(
    qtbot: QtBot, compare_window: MainWindow
) -> None:
    from PySide6.QtWidgets import QComboBox

    window = compare_window
    window.workspace.replace_with(
        Workspace(
            messages=[Message("user", "Hi")],
            params=Params(provider="loopback", model="moonshot-v1-128k"),
            variants=[
                Variant("K2.6 warm", model="kimi-k2.6", params={"temperature": 0.2}),
                Variant("Gone", model="kimi-k2-0905-preview"),
            ],
        )
    )
    warm = panes(window)["K2.6 warm"]
    problem = warm.findChild(QLabel, "paneProblem")
    fix = warm.findChild(QPushButton, "paneFixButton")
    qtbot.waitUntil(lambda: "fixes temperature" in problem.text())
    qtbot.waitUntil(fix.isVisible)
    assert fix.text() == "Drop temperature"
    fix.click()
    variant = window.workspace.variants[0]
    assert "temperature" not in variant.params
    qtbot.waitUntil(lambda: not problem.isVisible())
    thinking = warm.findChild(QComboBox, "variantThinkingSelector")
    labels = [thinking.itemText(i) for i in range(thinking.count())]
    assert labels[:3] == ["model default (on)", "on", "off"]
    thinking.activated.emit(2)
    assert variant.params["thinking"] == {"type": "disabled"}
    gone = panes(window)["Gone"]
    switch = gone.findChild(QPushButton, "paneFixButton")
    qtbot.waitUntil(lambda: switch.isVisible() and switch.text() == "Switch to kimi-k2.6")
    switch.click()
    assert window.workspace.variants[1].model == "kimi-k2.6"


def test_a_column_whose_prompt_and_reserved_output_overflow_its_window_says_so_with_a_fit(
    qtbot: QtBot, compare_window: MainWindow
) -> None:
    window = compare_window
    window.workspace.replace_with(
        Workspace(
            messages=[Message("user", "word " * 7_000)],
            params=Params(provider="loopback", model="moonshot-v1-128k", max_tokens=2_000),
            variants=[Variant("8k", model="moonshot-v1-8k"), Variant("128k")],
        )
    )
    small = panes(window)["8k"]
    warning = small.findChild(QLabel, "paneWarning")
    qtbot.waitUntil(lambda: "window of 8,192 tokens" in warning.text(), timeout=10_000)
    fix = small.findChild(QPushButton, "paneFixButton")
    qtbot.waitUntil(lambda: fix.isVisible() and fix.text().startswith("Fit: "))
    fix.click()
    fitted = window.workspace.variants[0].params["max_tokens"]
    assert 0 < fitted < 2_000
    qtbot.waitUntil(lambda: "window" not in warning.text())
    assert "window" not in panes(window)["128k"].findChild(QLabel, "paneWarning").text()


def test_stop_keeps_a_columns_streamed_text_and_appends_only_what_was_not_drawn(
    qtbot: QtBot, compare_window: MainWindow, loopback: LoopbackServer
) -> None:
    loopback.queue_for_model("fast-model", Reply(text="line of an endless answer\n", endless=True))
    view: CompareView = compare_window.compare_view
    column = panes(compare_window)["Fast"]
    view.run_one(column)
    qtbot.waitUntil(lambda: len(column.text.toPlainText()) > 20_000, timeout=10_000)
    changes: list[tuple[int, int, int]] = []
    column.text.document().contentsChange.connect(lambda p, r, a: changes.append((p, r, a)))
    column.findChild(QPushButton, "stopPaneButton").click()
    qtbot.waitUntil(lambda: column.result is not None, timeout=5000)
    result = column.result
    assert result is not None and result.interrupted
    assert column.text.toPlainText() == result.full_text
    # The answer stayed where it was: the end was appended to (if anything was still waiting),
    # nothing was removed and laid out again (setPlainText removed it all, then re-inserted it:
    # on a 200,000-character answer that was most of Stop's time).
    assert all(removed == 0 for _position, removed, _added in changes)
