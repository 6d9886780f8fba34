"""Typing at scale: a keystroke reads the edited card and the cards on screen, whatever the count.

No timing here (benchmarks/scale.py measures it): the cards note each read of their fields, and
the test counts the cards a keystroke and everything it sets off (the meter, the request linter,
the variables bar, the tests table, Compare's preflight) read once the window is idle again.
"""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.watched import READ, Watched
from workbench.core.conversation import Message
from workbench.core.workspace import TestCase, Variant
from workbench.ui.shell.main_window import MainWindow

CARDS = 1000


@pytest.mark.parametrize(
    "system", [None, "Answer about {{topic}} in one line."], ids=["same-system", "own-system"]
)
def test_a_keystroke_reads_a_bounded_number_of_cards_at_a_thousand_cards(
    open_window: type[MainWindow], qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, system: str | None
) -> None:
    window = open_window()
    workspace = window.workspace
    conversation = workspace.conversation
    cards = [
        Watched("user" if i % 2 == 0 else "assistant", f"card {i} " + "word " * (i % 40))
        for i in range(CARDS)
    ]
    cards[10].content = "Tell me about {{topic}}."
    cards[0].role = "system"
    conversation.replace_all(cards)
    workspace.insert_test(0, TestCase(description="one", vars={"topic": "tides"}))
    # A Compare column; with its own system message it sends other cards than the window.
    workspace.insert_variant(0, Variant("other", "moonshot", "kimi-k2.6", system=system))
    meter = window.token_meter  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: meter.reading is not None, timeout=20000)
    qtbot.wait(600)  # the linter, the variables bar, the tests table, the preflight settle

    row = window.message_list.visible_rows().start + 1
    copies = []
    original_copy = Message.copy

    def counted_copy(message: Message) -> Message:
        copies.append(message.uid)
        return original_copy(message)

    monkeypatch.setattr(Message, "copy", counted_copy)
    READ.clear()
    before = meter.reading
    conversation.update(row, content=conversation[row].content + "x")
    qtbot.waitUntil(lambda: meter.reading is not before)
    qtbot.wait(600)  # everything debounced after the key has run

    # The edited card, the cards on screen (painted, their editors refreshed) and a few fixed
    # ones (the first, the last, the one using the variable): never a scan of the column.
    assert 0 < len(READ) < 60, f"{len(READ)} of {CARDS} cards read for one keystroke"
    # The column's own system message is put in without copying the conversation for it.
    assert len(copies) < 10, f"{len(copies)} cards copied for one keystroke"
    assert meter.reading.breakdown.per_message[row] > before.breakdown.per_message[row] - 1

    # What the column counts is what it sends: its own system message, its variables filled too.
    from workbench.core.payloads import sent_tools, variant_messages, variant_view
    from workbench.core.tokens import TokenCounter

    (variant,) = workspace.variants
    sent = variant_messages(workspace, variant)
    assert system is None or sent[0].content == "Answer about tides in one line."
    expected = TokenCounter().count(sent, sent_tools(variant_view(workspace, variant))).total
    assert window.compare_view.services.preflight(workspace, variant).prompt_tokens == expected
