"""A long answer streams into its card as its end, then is in the card whole (issue 15).

While a long answer streams in, its card lays out only the new text: it shows the answer's end
and says how much arrived; the message gets the whole text less often than the card is drawn,
and all of it when the run ends or is stopped. Then the card behaves like any long card: its
start until the user goes into it.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from tests.ui.run_helpers import load, wait_idle
from workbench.loopback_server import LoopbackServer, Reply
from workbench.ui.common import memory
from workbench.ui.conversation.message_card import STREAM_TAIL_CHARS, MessageCard
from workbench.ui.run.run_controller import SYNC_EVERY_FLUSH_CHARS, RunController
from workbench.ui.shell.main_window import MainWindow

#: Some 400,000 characters in lines that say where they are.
LONG = "".join(f"line {i:06d} of a long answer that streams in\n" for i in range(9_000))


@pytest.fixture
def window(loop_window: MainWindow) -> MainWindow:
    return loop_window


def controller(window: MainWindow) -> RunController:
    assert isinstance(window.run_controller, RunController)
    return window.run_controller


def answer_card(window: MainWindow) -> MessageCard:
    cards = window.message_list.cards()
    assert len(cards) == 2
    return cards[1]


def note(card: MessageCard) -> QLabel:
    found = card.findChild(QLabel, "contentNote")
    assert found is not None
    return found


def watch_card(window: MainWindow, seen: list[dict[str, Any]]) -> None:
    """Records, at every pass of the run's flush pacer, what the answer card holds."""
    run = controller(window)
    draw = run._pacer._draw

    def drawn(stream: Any) -> None:
        draw(stream)
        cards = window.message_list.cards()
        if len(cards) == 2 and cards[1].streaming:
            edit = cards[1].content_edit
            seen.append(
                {
                    "shown": edit.toPlainText(),
                    "characters": edit.document().characterCount(),
                    "note": note(cards[1]).text() if note(cards[1]).isVisibleTo(cards[1]) else "",
                    "content": window.workspace.conversation[1].content,
                    "streamed": stream.length,
                }
            )

    run._pacer._draw = drawn


def test_a_long_answer_streams_in_as_its_end_and_is_whole_in_the_card_at_the_end(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    assert len(LONG) > 3 * SYNC_EVERY_FLUSH_CHARS
    load(window, [{"role": "user", "content": "Write a long answer"}])
    loopback.queue(Reply(text=LONG, chunks=800, chunk_delay=0.001))
    seen: list[dict[str, Any]] = []
    watch_card(window, seen)
    updates: list[int] = []
    conversation = window.workspace.conversation
    conversation.changed.connect(
        lambda index, _names: updates.append(len(conversation[index].content))
    )

    with qtbot.waitSignal(controller(window).run_finished, timeout=30_000) as blocker:
        qtbot.mouseClick(window.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)

    assert blocker.args[0].text == LONG
    long_draws = [s for s in seen if s["streamed"] > 2 * STREAM_TAIL_CHARS]
    assert len(long_draws) >= 3
    for draw in long_draws:
        # The card holds the end of what arrived, never the whole answer laid out again...
        assert draw["characters"] <= 2 * STREAM_TAIL_CHARS + 1
        assert LONG[: draw["streamed"]].endswith(draw["shown"])
        # ...and says how much arrived.
        assert f"{draw['streamed']:,} characters so far" in draw["note"]
        # The message has a start of the answer (brought up to date less often).
        assert LONG.startswith(draw["content"])
    # Past SYNC_EVERY_FLUSH_CHARS the message was brought up to date less often than drawn.
    assert len([n for n in updates if n > SYNC_EVERY_FLUSH_CHARS]) < len(
        [s for s in seen if s["streamed"] > SYNC_EVERY_FLUSH_CHARS]
    )
    # The run is over: the message has all of it, and the card shows it like any long card.
    assert conversation[1].content == LONG
    card = answer_card(window)
    assert not card.streaming and card.previewing
    assert LONG.startswith(card.content_edit.toPlainText())
    assert not note(card).isVisibleTo(card)
    assert not window.message_list.card_delegate.streams  # nothing of the stream kept
    card.content_edit.setFocus()  # going into it: all of it, to edit
    qtbot.waitUntil(lambda: not card.previewing)
    assert card.content_edit.toPlainText() == LONG


def test_stop_keeps_all_that_arrived_of_a_long_answer(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer
) -> None:
    load(window, [{"role": "user", "content": "Write a long answer"}])
    loopback.queue(Reply(text=LONG, chunks=2_000, chunk_delay=0.002))
    conversation = window.workspace.conversation
    seen: list[dict[str, Any]] = []
    watch_card(window, seen)

    qtbot.mouseClick(window.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen) and seen[-1]["streamed"] > SYNC_EVERY_FLUSH_CHARS + 1)
    with qtbot.waitSignal(controller(window).run_finished, timeout=10_000) as blocker:
        window.menus.stop_action.trigger()

    result = blocker.args[0]
    assert result.interrupted
    kept = conversation[1].content
    assert kept == result.text and LONG.startswith(kept)
    assert len(kept) >= seen[-1]["streamed"]
    assert not answer_card(window).streaming


class FakeLibc:
    """Records what the window asks of the C library's allocator."""

    def __init__(self) -> None:
        self.trims: list[int] = []
        self.options: list[tuple[int, int]] = []

    def malloc_trim(self, pad: int) -> int:
        self.trims.append(pad)
        return 1

    def mallopt(self, option: int, value: int) -> int:
        self.options.append((option, value))
        return 1


@pytest.fixture
def libc(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLibc]:
    fake = FakeLibc()
    monkeypatch.setattr(memory, "_libc", lambda: fake)
    memory.map_large_blocks.cache_clear()
    yield fake
    memory.map_large_blocks.cache_clear()


def test_a_long_answer_lets_go_of_its_memory_after_its_run_its_card_and_its_workspace(
    qtbot: QtBot, window: MainWindow, loopback: LoopbackServer, libc: FakeLibc
) -> None:
    trims = libc.trims
    load(window, [{"role": "user", "content": "Write a long answer"}])
    loopback.queue(Reply(text=LONG, chunks=400))
    with qtbot.waitSignal(controller(window).run_finished, timeout=30_000):
        qtbot.mouseClick(window.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    # Large blocks (the answer's copies) are mapped apart from the heap: freed, they go back.
    assert libc.options == [(-3, memory.MAPPED_BLOCK_BYTES)]
    # The run's copies (joined, recorded, counted) are freed: the allocator gives them back.
    qtbot.waitUntil(lambda: len(trims) >= 1)

    conversation = window.workspace.conversation
    answer = weakref.ref(conversation[1])
    trims.clear()
    window.editor.do_action(conversation[1].uid, "delete")
    assert len(conversation) == 1  # the undo stack keeps it, to bring it back
    qtbot.waitUntil(lambda: len(trims) >= 1)  # its card gave its text back
    trims.clear()
    window.document.new()  # the workspace goes, and its undo steps
    # (an exact count asked of the server may hold the messages until it is answered)
    qtbot.waitUntil(lambda: gc.collect() >= 0 and answer() is None)
    assert not window.message_list.card_delegate.streams
    qtbot.waitUntil(lambda: len(trims) >= 1)
