"""The token meter in the window, driven through object names as a user would."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import tiktoken
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from workbench.core import tokens
from workbench.core.catalog import override_path
from workbench.core.conversation import Message
from workbench.core.resources import examples_dir
from workbench.core.tokens import Calibration
from workbench.core.workspace import FORMAT
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.common.undo import SetParam
from workbench.ui.tokens import token_meter
from workbench.ui.tokens.token_meter import (
    TokenMeter,
    TokenMeterBar,
    TokenMeterPanel,
    segment_colour,
)

LONG = examples_dir() / "04-long-review-outgrows-8k.prompt.json"
SMALL = examples_dir() / "01-product-json-extraction.prompt.json"


def label(window, name: str) -> QLabel:
    widget = window.findChild(QLabel, name)
    assert widget is not None, name
    return widget


def meter_of(window) -> TokenMeter:
    meter = window.token_meter
    assert isinstance(meter, TokenMeter)
    return meter


@pytest.fixture
def metered(open_window, qtbot: QtBot):
    """Opens a window and waits for its meter's first figures (the tokenizer loads off the UI)."""

    def build(path: Path | None = None):
        window = open_window(path)
        meter = meter_of(window)
        qtbot.waitUntil(lambda: meter.reading is not None and not meter._recounting)
        return window

    return build


def content_edit(window, row: int) -> QPlainTextEdit:
    window.message_list.sync_editors()
    card = window.message_list.card_at(row)
    assert card is not None
    return card.findChild(QPlainTextEdit, "contentEdit")


def test_meter_sits_atop_the_parameters_with_its_controls(metered) -> None:
    window = metered(SMALL)
    for name in (
        "tokenMeter",
        "tokenCountLabel",
        "recommendedModelLabel",
        "applyRecommendationButton",
    ):
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName() == name
    panel = window.findChild(TokenMeterPanel, "tokenMeterPanel")
    assert window.params_column.itemAt(0).widget() is panel is meter_of(window).panel
    text = label(window, "tokenCountLabel").text()
    assert "262,144" in text and "estimate" in text and text.startswith("≈")
    assert "prompt" in text
    assert "Cost ≤ $" in label(window, "tokenCostLabel").text()
    assert "cached input" in label(window, "tokenCostLabel").text()
    bar = window.findChild(TokenMeterBar, "tokenMeter")
    assert bar.level == "ok"
    assert bar.context_window == 262144
    assert bar.segments["system"] > 0 and bar.segments["reserved"] == 512


def test_the_tokenizer_loads_off_the_ui_thread(
    open_window, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "_encoding", None)  # as at start-up: not loaded yet
    loaded_on: list[str] = []
    real = tiktoken.get_encoding

    def get_encoding(name: str) -> tiktoken.Encoding:
        loaded_on.append(threading.current_thread().name)
        return real(name)

    monkeypatch.setattr(tiktoken, "get_encoding", get_encoding)
    window = open_window(SMALL)
    count = label(window, "tokenCountLabel")
    qtbot.waitUntil(lambda: count.text().startswith("≈"), timeout=20_000)
    assert loaded_on and loaded_on[0].startswith("workbench-bg")
    badge = window.message_list.card_at(0).findChild(QLabel, "tokenBadge")
    qtbot.waitUntil(lambda: badge.text().endswith("tok"))


def test_every_card_shows_its_tokens(metered) -> None:
    window = metered(SMALL)
    meter = meter_of(window)
    window.message_list.sync_editors()
    for row, message in enumerate(window.workspace.conversation):
        card = window.message_list.card_at(row)
        assert card is not None
        badge = card.findChild(QLabel, "tokenBadge")
        assert badge.text() == f"{meter.counter.count_message(message):,} tok"
        assert "estimate" in badge.toolTip()


def test_typing_updates_the_meter_and_reencodes_one_card(metered, qtbot: QtBot) -> None:
    window = metered(SMALL)
    meter = meter_of(window)
    count = label(window, "tokenCountLabel")
    before_tokens = meter.reading.prompt_tokens
    encoded = meter.counter.encoded
    edit = content_edit(window, 1)
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(edit, " Also list every colour variant and its price in euros.")
    qtbot.waitUntil(lambda: meter.reading.prompt_tokens > before_tokens)
    assert f"{meter.reading.prompt_tokens:,} prompt" in count.text()
    typed = len(" Also list every colour variant and its price in euros.")
    # At most one encoding per keystroke (the edited card only), none for the other cards.
    assert meter.counter.encoded - encoded <= typed
    card = window.message_list.card_at(1)
    badge = card.findChild(QLabel, "tokenBadge")
    message = window.workspace.conversation[1]
    assert badge.text() == f"{meter.counter.count_message(message):,} tok"


def test_apply_recommendation_goes_through_undo(metered, qtbot: QtBot) -> None:
    window = metered(LONG)
    bar = window.findChild(TokenMeterBar, "tokenMeter")
    assert bar.level == "over"
    recommended = label(window, "recommendedModelLabel")
    assert "moonshot-v1-32k" in recommended.text()
    assert "8,192" in recommended.toolTip()
    button = window.findChild(QPushButton, "applyRecommendationButton")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.workspace.params.model == "moonshot-v1-32k"
    qtbot.waitUntil(lambda: bar.context_window == 32768)
    assert bar.level == "ok"
    assert window.findChild(QWidget, "modelSelector").currentText() == "moonshot-v1-32k"
    assert not button.isEnabled()
    assert window.isWindowModified()
    window.undo_stack.undo()
    assert window.workspace.params.model == "moonshot-v1-8k"
    qtbot.waitUntil(lambda: bar.context_window == 8192)
    assert button.isEnabled()


def test_unknown_prices_show_as_unknown_not_free(metered, qtbot: QtBot) -> None:
    window = metered(LONG)
    window.workspace.params.model = "moonshot-v1-auto"  # a router: no price of its own
    window.token_meter.recount()
    qtbot.waitUntil(lambda: "unknown" in label(window, "tokenCostLabel").text())


def test_max_tokens_changes_the_reserved_output(metered, qtbot: QtBot) -> None:
    window = metered(SMALL)
    bar = window.findChild(TokenMeterBar, "tokenMeter")
    spin = window.findChild(QWidget, "maxTokensSpin")
    spin.setValue(4096)
    qtbot.waitUntil(lambda: bar.segments["reserved"] == 4096)
    spin.setValue(0)  # "default": Moonshot's 1024
    qtbot.waitUntil(lambda: bar.segments["reserved"] == 1024)


def test_invalid_catalog_override_is_reported(metered) -> None:
    override_path().write_text("{oops", encoding="utf-8")
    window = metered(SMALL)
    error = label(window, "catalogErrorLabel")
    assert not error.isHidden()
    assert "models.json" in error.text() and "built-in figures used" in error.text()
    assert "262,144" in label(window, "tokenCountLabel").text()


def _big_workspace(path: Path, cards: int = 200) -> Path:
    paragraph = (
        "The session store keeps every login in memory and writes it back on shutdown; "
        "under load the retry loop recomputes the same value. "
    )
    messages = [{"role": "system", "content": "Review carefully."}]
    for i in range(cards - 1):
        role = "user" if i % 2 == 0 else "assistant"
        messages.append({"role": role, "content": f"Card {i}. " + paragraph * 24})
    data = {
        "format": FORMAT,
        "title": "big",
        "messages": messages,
        "params": {"provider": "moonshot", "model": "moonshot-v1-128k"},
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_opening_a_large_file_recounts_off_the_ui_thread(
    metered, qtbot: QtBot, tmp_path: Path
) -> None:
    window = metered()
    meter = meter_of(window)
    assert window.open_path(_big_workspace(tmp_path / "big.prompt.json"))
    count = label(window, "tokenCountLabel")
    assert count.text().startswith("Counting")  # the UI thread did not wait for it
    qtbot.waitUntil(lambda: count.text().startswith("≈"), timeout=20_000)
    assert meter.reading.prompt_tokens > 100_000
    assert len(meter.reading.breakdown.per_message) == 200


@pytest.fixture
def exact_window(metered, loopback: LoopbackServer, qloop):
    """A window whose meter asks the loopback server for exact counts, quickly."""
    window = metered(SMALL)
    meter = meter_of(window)
    meter.scheduler.delay = 0.05
    meter.exact_target = lambda provider: (loopback.url, "sk-test")
    meter.forget_exact_targets()
    return window


def count_requests(server: LoopbackServer) -> int:
    return len([r for r in server.requests if "tokenizers" in r.path])


def test_exact_count_replaces_the_estimate(
    exact_window, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    window = exact_window
    meter = meter_of(window)
    count = label(window, "tokenCountLabel")
    edit = content_edit(window, 1)
    with qtbot.waitSignal(meter.exact_count_settled, timeout=5000):
        qtbot.keyClicks(edit, " quickly")
    qtbot.waitUntil(lambda: "(exact)" in count.text())
    last = [r for r in loopback.requests if "tokenizers" in r.path][-1]
    exact = loopback.count_tokens(last.body)  # the server's own tokenizer stand-in
    assert count.text().startswith(f"{exact:,} prompt")
    assert last.body["messages"][1]["content"].startswith(" quickly")
    # Several keystrokes, one request: each keystroke superseded the previous one.
    assert count_requests(loopback) == 1
    assert "tokenizer endpoint" in count.toolTip()
    # Typing again moves the exact figure by the estimate of what was typed.
    qtbot.keyClicks(edit, "!")
    qtbot.waitUntil(lambda: "estimated edits" in count.text())
    assert abs(meter.reading.prompt_tokens - exact) <= 2
    # Remembered for the next session (written by the meter's worker thread).
    qtbot.waitUntil(lambda: Calibration().ratio("kimi-k2.6") is not None)


def test_typing_after_an_exact_count_moves_it_smoothly_and_keeps_the_recommendation(
    metered, loopback: LoopbackServer, qloop, qtbot: QtBot, tmp_path: Path
) -> None:
    # A prompt the provider counts at 7,000 tokens: with 1,024 reserved it fits moonshot-v1-8k
    # exactly, but not with the 5 % margin an estimate of all of it gets.
    path = tmp_path / "near-8k.prompt.json"
    body = {
        "format": FORMAT,
        "messages": [{"role": "user", "content": "word " * 6_900}],
        "params": {"provider": "moonshot", "model": "moonshot-v1-8k", "max_tokens": 1024},
    }
    path.write_text(json.dumps(body), "utf-8")
    window = metered(path)
    meter = meter_of(window)
    meter.scheduler.delay = 0.05
    meter.exact_target = lambda provider: (loopback.url, "sk-test")
    meter.forget_exact_targets()
    loopback.count_tokens = lambda body: 7_000
    count = label(window, "tokenCountLabel")
    recommended = label(window, "recommendedModelLabel")
    qtbot.waitUntil(lambda: "(exact)" in count.text(), timeout=5000)
    assert meter.reading.prompt_tokens == 7_000
    assert meter.reading.recommendation.model == "moonshot-v1-8k"
    shown = recommended.text()

    edit = content_edit(window, 0)
    edit.setFocus()  # going into the long card (shown whole from now on)
    qtbot.waitUntil(edit.hasFocus)
    edit.moveCursor(QTextCursor.MoveOperation.End)
    loopback.count_reply = Reply(first_byte_delay=0.3)  # the next exact count is on its way
    with qtbot.waitSignal(meter.exact_count_settled, timeout=5000):
        qtbot.keyClicks(edit, "s")
        # While it is pending: the exact figure plus what was typed, the same model.
        qtbot.waitUntil(lambda: count.text().startswith("≈"))
        assert abs(meter.reading.prompt_tokens - 7_000) <= 3
        assert meter.reading.recommendation.model == "moonshot-v1-8k"
        assert recommended.text() == shown
        assert "estimated edits" in count.text()
    assert "(exact)" in count.text()


def test_failed_exact_count_falls_back_quietly(
    exact_window, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    window = exact_window
    meter = meter_of(window)
    loopback.count_reply = Reply(status=500, error_type="server_error", error_message="boom")
    with qtbot.waitSignal(meter.exact_count_settled, timeout=5000):
        qtbot.keyClicks(content_edit(window, 1), " again")
    count = label(window, "tokenCountLabel")
    assert "estimate" in count.text()
    assert "Exact count failed, showing the estimate: HTTP 500: boom" in count.toolTip()
    assert "boom" not in window.statusBar().currentMessage()  # quiet: no status message


def test_slow_exact_count_is_dropped_when_the_text_changes(
    exact_window, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    window = exact_window
    meter = meter_of(window)
    loopback.count_reply = Reply(first_byte_delay=0.5)
    loopback.count_tokens = lambda body: 999
    edit = content_edit(window, 1)
    qtbot.keyClicks(edit, " one")
    qtbot.waitUntil(lambda: count_requests(loopback) == 1, timeout=5000)
    loopback.count_reply = Reply()
    loopback.count_tokens = lambda body: 777
    with qtbot.waitSignal(meter.exact_count_settled, timeout=5000):
        qtbot.keyClicks(edit, " two")  # the slow answer, now stale, must never show
    count = label(window, "tokenCountLabel")
    assert count.text().startswith("777 prompt")
    qtbot.wait(600)
    assert count.text().startswith("777 prompt")


def test_listed_model_with_unknown_window(metered, qtbot: QtBot) -> None:
    window = metered(SMALL)
    meter_of(window)
    window.context.add_listed_models("moonshot", ["kimi-k3-preview"])
    window.undo_stack.push(SetParam(window.workspace, "model", "kimi-k3-preview"))
    bar = window.findChild(TokenMeterBar, "tokenMeter")
    qtbot.waitUntil(lambda: bar.level == "unknown")
    assert "context window unknown" in label(window, "tokenCountLabel").text()
    # No segments drawn: filled against the prompt itself, the bar read as a full window.
    image = bar.grab().toImage()
    segment_colours = {
        segment_colour(name).rgb() for name in ("system", "messages", "tools", "reserved")
    }
    painted = {
        image.pixel(x, image.height() // 2)
        for x in range(0, image.width(), max(1, image.width() // 50))
    }
    assert not painted & segment_colours
    recommended = label(window, "recommendedModelLabel")
    assert "kimi-k3-preview" not in recommended.text()
    assert "window is unknown" in recommended.toolTip()
    assert window.findChild(QPushButton, "applyRecommendationButton").isEnabled()


def test_exact_counts_use_the_key_in_the_keyring_and_the_providers_url(
    metered, loopback: LoopbackServer, qloop, memory_keyring, qtbot: QtBot
) -> None:
    from dataclasses import replace

    from workbench.core.secrets import KeyStore

    loopback.api_key = "sk-from-the-keyring"
    window = metered(SMALL)
    meter = meter_of(window)
    meter.scheduler.delay = 0.05
    moonshot = window.providers.get("moonshot")
    window.providers.update(replace(moonshot, base_url=loopback.url))
    KeyStore().set("moonshot", "sk-from-the-keyring")
    window.context.providers_changed.emit()  # what the provider dialog does on save
    count = label(window, "tokenCountLabel")
    qtbot.waitUntil(lambda: "(exact)" in count.text(), timeout=5000)
    request = [r for r in loopback.requests if "tokenizers" in r.path][-1]
    assert request.headers["authorization"] == "Bearer sk-from-the-keyring"
    # Models the provider lists in a connection test reach the meter's catalog.
    window.context.add_listed_models("moonshot", ["kimi-k9-preview"])
    assert window.context.catalog.get("kimi-k9-preview") is not None


def test_the_key_is_looked_up_off_the_ui_thread(
    metered, loopback: LoopbackServer, qloop, qtbot: QtBot
) -> None:
    window = metered(SMALL)
    meter = meter_of(window)
    meter.scheduler.delay = 0.05
    threads: list[str] = []

    def slow_keyring(_provider: str):
        threads.append(threading.current_thread().name)
        return (loopback.url, "sk-test")

    meter.exact_target = slow_keyring
    meter.forget_exact_targets()
    count = label(window, "tokenCountLabel")
    qtbot.waitUntil(lambda: "(exact)" in count.text(), timeout=5000)
    assert threads and threading.main_thread().name not in threads


def test_in_chinese_nothing_fits_still_says_where_auto_would_route_it(qtbot: QtBot) -> None:
    from dataclasses import replace

    from workbench.core.catalog import load_builtin_catalog
    from workbench.core.meter import measure
    from workbench.core.recommend import recommend
    from workbench.core.tokens import TokenCounter
    from workbench.core.workspace import workspace_from_json
    from workbench.ui.common import i18n

    catalog = load_builtin_catalog()
    workspace = workspace_from_json(
        {
            "format": FORMAT,
            "messages": [{"role": "user", "content": "Hi"}],
            "params": {"provider": "moonshot", "model": "moonshot-v1-auto"},
        }
    )
    reading = measure(workspace, TokenCounter(), catalog)
    # 1.1 M tokens: more than any Moonshot window (made up, not typed: 5 MB of text).
    huge = recommend(catalog, "moonshot-v1-auto", 1_100_000, max_tokens=1024, exact=True)
    i18n.uninstall_translators()
    i18n.install_translators("zh_CN")
    try:
        panel = TokenMeterPanel()
        qtbot.addWidget(panel)
        panel.show_reading(replace(reading, recommendation=huge))
        text = label(panel, "recommendedModelLabel").text()
    finally:
        i18n.uninstall_translators()
    assert "kimi-k3" in text  # the largest window, named
    assert "moonshot-v1-auto" in text and "moonshot-v1-128k" in text
    assert "would" not in text  # in Chinese


TOOLS = examples_dir() / "03-coderunner-tool-prime.prompt.json"
ANTHROPIC_KEY = "sk-loop-anthropic-count-4321"


@pytest.fixture
def anthropic_window(metered, loopback: LoopbackServer, qloop, memory_keyring, qtbot: QtBot):
    """Opens the tools example sent to a Messages API provider (the loopback's /anthropic), its
    key in the keyring, and waits for the meter's first exact count (made or failed)."""
    from workbench.core.providers import Prefill, ProviderConfig
    from workbench.core.secrets import SERVICE

    def build(base_url: str | None = None):
        window = metered(TOOLS)
        meter = meter_of(window)
        meter.scheduler.delay = 0.05
        loopback.api_key = ANTHROPIC_KEY
        memory_keyring.set_password(SERVICE, "loop-anthropic", ANTHROPIC_KEY)
        window.providers.add(
            ProviderConfig(
                "loop-anthropic",
                "Loopback (Anthropic)",
                "anthropic",
                base_url or loopback.anthropic_url,
                Prefill.TRAILING_ASSISTANT,
                "LOOP_ANTHROPIC_KEY",
            )
        )
        window.context.providers_changed.emit()
        with qtbot.waitSignal(meter.exact_count_settled, timeout=10_000):
            window.undo_stack.push(SetParam(window.workspace, "provider", "loop-anthropic"))
        return window

    return build


def count_tokens_requests(server: LoopbackServer) -> list:
    return [r for r in server.requests if r.path.endswith("/v1/messages/count_tokens")]


def test_a_messages_api_provider_counts_the_whole_request_exactly(
    anthropic_window, loopback: LoopbackServer, qtbot: QtBot
) -> None:
    window = anthropic_window()
    meter = meter_of(window)
    count = label(window, "tokenCountLabel")
    (request,) = count_tokens_requests(loopback)
    body = request.body
    assert "max_tokens" not in body and [t["name"] for t in body["tools"]] == ["CodeRunner"]
    messages = [{"role": "system", "content": body["system"]}, *body["messages"]]
    server_figure = loopback.count_tokens({"messages": messages})
    server_figure += len(json.dumps(body["tools"])) // 4
    # One exact figure for system, messages and tools: no "tools estimated", no margin.
    assert count.text().startswith(f"{server_figure:,} prompt") and "(exact)" in count.text()
    assert "Messages and tools counted by the provider's count endpoint." in count.toolTip()
    reading = meter.reading
    assert reading.prompt_tokens == server_figure and reading.tools > 0
    assert reading.recommendation.margin == 0
    # A tool counts here: editing one asks again, and the answer is exact again.
    entry = window.workspace.tools[0]
    with qtbot.waitSignal(meter.exact_count_settled, timeout=10_000):
        window.workspace.set_tool_field(
            entry, "source", entry.source.replace('"CodeRunner"', '"CodeRunner2"', 1)
        )
    assert len(count_tokens_requests(loopback)) == 2
    assert count_tokens_requests(loopback)[-1].body["tools"][0]["name"] == "CodeRunner2"
    qtbot.waitUntil(lambda: "(exact)" in count.text())


@pytest.mark.parametrize("offline", [False, True], ids=["error-body", "offline"])
def test_a_failed_count_tokens_falls_back_to_the_estimate_with_the_reason(
    anthropic_window, loopback: LoopbackServer, offline: bool
) -> None:
    loopback.count_reply = Reply(
        status=400, error_type="invalid_request_error", error_message="messages: empty content"
    )
    window = anthropic_window("http://127.0.0.1:9/anthropic" if offline else None)
    count = label(window, "tokenCountLabel")
    assert count.text().startswith("≈") and "(estimate" in count.text()
    reason = (
        "cannot reach http://127.0.0.1:9/anthropic"
        if offline
        else ("HTTP 400: messages: empty content")
    )
    assert f"Exact count failed, showing the estimate: {reason}" in count.toolTip()
    assert ANTHROPIC_KEY not in count.toolTip()
    assert "empty content" not in window.statusBar().currentMessage()  # quiet


def test_a_long_answer_growing_fast_is_counted_off_the_ui_thread(metered, qtbot: QtBot) -> None:
    window = metered(SMALL)
    meter = meter_of(window)
    conversation = window.workspace.conversation
    index = len(conversation)
    conversation.insert(index, Message("assistant", "The answer begins. " * 200))
    meter.refresh()
    before = meter.reading.prompt_tokens
    answer = conversation[index]
    # A flush of a fast stream: a million characters more at once.
    conversation.update(index, content=answer.content + "and it goes on, " * 62_500)
    meter.refresh()
    window.message_list.sync_editors()
    # Neither the meter nor the card's badge encoded it on the UI thread: a worker does.
    assert not meter.counter.is_cached(answer)
    qtbot.waitUntil(lambda: meter.reading.prompt_tokens > before + 200_000, timeout=20_000)
    assert meter.counter.is_cached(answer)
    expected = meter.counter.count_message(answer)
    assert meter.badge(answer)[0] == f"{expected:,} tok"


class _StyleChanges(QObject):
    """Counts the style changes (a re-polish each) a widget goes through."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.StyleChange:
            self.count += 1
        return False


def test_a_keystroke_that_keeps_the_level_does_not_restyle_the_count(metered, qtbot: QtBot) -> None:
    # Re-applying the same style sheet re-polishes the label: on every keystroke into a prompt
    # past the warning level, that was about a third of the meter's own time (next to encoding
    # the edited card).
    window = metered(LONG)
    meter = meter_of(window)
    count = label(window, "tokenCountLabel")
    assert count.styleSheet()  # the prompt outgrows the window: the figures are coloured
    changes = _StyleChanges(count)
    conversation = window.workspace.conversation
    text = conversation[1].content
    for letter in "abcdefghij":
        text += letter
        conversation.update(1, content=text)
        meter.refresh()
    assert meter.reading.prompt_tokens == meter.counter.count(conversation.messages).total
    assert changes.count == 0


def test_an_answer_streaming_in_fast_is_counted_when_its_stream_ends(
    metered, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Encoding takes a core that the stream needs: a card an answer streams into fast is
    counted on the worker at most every STREAMING_COUNT_S, and once its stream ended."""
    window = metered(SMALL)
    meter = meter_of(window)
    conversation = window.workspace.conversation
    cards = window.message_list

    def stream_fast(start: str) -> Message:
        index = len(conversation)
        conversation.insert(index, Message("assistant", start * 200))
        meter.refresh()
        answer = conversation[index]
        cards.begin_stream(answer.uid, answer.content)
        conversation.update(index, content=answer.content + "and it goes on, " * 62_500)
        meter.refresh()
        cards.sync_editors()
        return answer

    answer = stream_fast("The answer begins. ")
    qtbot.wait(300)
    assert not meter.counter.is_cached(answer)  # not encoded meanwhile, nor on a worker
    cards.end_stream(answer.uid)  # complete: counted now
    meter.refresh()
    qtbot.waitUntil(lambda: meter.counter.is_cached(answer), timeout=20_000)
    expected = meter.counter.count_message(answer)
    qtbot.waitUntil(lambda: meter.reading is not None and meter.reading.prompt_tokens > expected)

    # Past STREAMING_COUNT_S, an answer still streaming is counted on the worker as it grows.
    monkeypatch.setattr(token_meter, "STREAMING_COUNT_S", 0.0)
    second = stream_fast("Another answer. ")
    qtbot.waitUntil(lambda: meter.counter.is_cached(second), timeout=20_000)
    assert cards.card_delegate.streams  # still streaming


def test_the_cards_keep_their_width_as_the_counts_grow(
    metered, qtbot: QtBot, tmp_path: Path
) -> None:
    """The legend's figures set the side panel's width: a count going from 3 digits to 6 took
    pixels from the cards, and every row of a long conversation was laid out again (while the
    user scrolled, in one run; the rows then overlapped)."""
    window = metered(SMALL)
    meter = meter_of(window)
    legend = label(window, "tokenLegendLabel")
    width = window.message_list.viewport().width()
    assert window.open_path(_big_workspace(tmp_path / "big.prompt.json"))
    qtbot.waitUntil(lambda: meter.reading.prompt_tokens > 100_000, timeout=20_000)
    qtbot.waitUntil(lambda: f"{meter.reading.messages:,}" in legend.text())
    qtbot.wait(50)
    assert window.message_list.viewport().width() == width
    # Wrapped where the panel is narrow, it keeps one height whatever the figures.
    assert legend.wordWrap()
