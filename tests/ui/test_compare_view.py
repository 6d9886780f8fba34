"""The compare view with scripted runs: columns, variant edits, streaming, reading, keeping."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QPushButton, QTextEdit, QToolButton
from pytestqt.qtbot import QtBot

from workbench.core.catalog import load_builtin_catalog
from workbench.core.compare import CompareSession, preflight
from workbench.core.conversation import Message
from workbench.core.payloads import ChatRequest
from workbench.core.providers import ProviderRegistry, prefill_refusal, preset
from workbench.core.run_types import Finished, RunEvent, RunResult, TextDelta, Usage
from workbench.core.sessions import RunEngine, RunOptions
from workbench.core.workspace import Params, Variant, Workspace
from workbench.ui.common import dialogs
from workbench.ui.common.palette import DARK, LIGHT, apply_theme
from workbench.ui.compare.compare_pane import ComparePane
from workbench.ui.compare.compare_view import CompareView
from workbench.ui.compare.services import CompareServices


class ScriptedRun:
    """Streams the answer scripted for its model, chunk by chunk."""

    answers: ClassVar[dict[str, list[str]]] = {}

    def __init__(self, request: ChatRequest, api_key: str | None, _options: RunOptions) -> None:
        self.request = request
        self._stopped = False

    def stop(self) -> None:
        self._stopped = True

    async def events(self) -> AsyncIterator[RunEvent]:
        text = ""
        for piece in self.answers.get(self.request.model, ["ok"]):
            if self._stopped:
                break
            await asyncio.sleep(0.001)
            text += piece
            yield TextDelta(piece)
        yield Finished(
            RunResult(
                provider=self.request.provider,
                model=self.request.model,
                prefix=self.request.prefix,
                text=text,
                finish_reason=None if self._stopped else "stop",
                interrupted=self._stopped,
                usage=Usage(10, 4, 14),
                ttft_ms=5.0,
                duration_ms=25.0,
            )
        )


def prefill_problems(sent: Workspace) -> list[str]:
    provider = preset(sent.params.provider)
    refusal = provider and prefill_refusal(provider.prefill, provider.name)
    return [refusal] if refusal and sent.conversation[-1].partial else []


def make_services() -> CompareServices:
    catalog = load_builtin_catalog()

    engine = RunEngine(
        ProviderRegistry(),
        {"moonshot": "sk-test-moonshot", "openai": "sk-test-openai"},
        transports={"*": ScriptedRun},
    )

    def make_session(workspace: Workspace) -> CompareSession:
        return CompareSession(engine, workspace)

    return CompareServices(
        catalog=lambda: catalog,
        providers=lambda: [("moonshot", "Moonshot", "moonshot"), ("openai", "OpenAI", "openai")],
        make_session=make_session,
        preflight=lambda ws, v: preflight(ws, v, catalog, problems=prefill_problems),
    )


@pytest.fixture
def view(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[CompareView]:
    workspace = Workspace(
        title="Extraction",
        messages=[Message("user", "Give me JSON"), Message("assistant", "{", partial=True)],
        params=Params(provider="moonshot", model="moonshot-v1-128k"),
        variants=[
            Variant("K2", model="moonshot-v1-128k"),
            Variant("Turbo", model="moonshot-v1-32k", params={"temperature": 0.2}),
        ],
    )
    ScriptedRun.answers = {
        "moonshot-v1-128k": ['"name": ', '"Phone", ', '"price": 300}'],
        "moonshot-v1-32k": ['"name": ', '"Tablet", ', '"price": 300}'],
    }
    widget = CompareView(workspace, QUndoStack(), make_services())
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    yield widget
    widget.stop_all()


def button(parent: Any, name: str) -> QPushButton:
    found = parent.findChild(QPushButton, name)
    assert found is not None, name
    return found


def panes(view: CompareView) -> list[ComparePane]:
    return view.findChildren(ComparePane, "comparePane")


def pane_text(pane: ComparePane) -> str:
    return pane.findChild(QTextEdit, "paneText").toPlainText()


def run_all(qtbot: QtBot, view: CompareView) -> None:
    button(view, "runCompareButton").click()
    qtbot.waitUntil(lambda: all(p.result is not None for p in view.panes()), timeout=5000)


def test_one_column_per_variant_and_edits_go_through_undo(view: CompareView) -> None:
    assert [p.variant.label for p in view.panes()] == ["K2", "Turbo"]
    assert len(panes(view)) == 2
    stack = view.undo_stack
    button(view, "addVariantButton").click()
    assert [v.label for v in view.workspace.variants] == ["K2", "Turbo", "moonshot-v1-128k"]
    first = view.panes()[0]
    first.findChild(QToolButton, "duplicateVariantButton").click()
    assert [v.label for v in view.workspace.variants][:2] == ["K2", "K2 2"]
    first.findChild(QToolButton, "moveVariantRightButton").click()
    assert [v.label for v in view.workspace.variants][:2] == ["K2 2", "K2"]
    first.temperature_spin.setValue(0.3)
    assert view.workspace.variants[1].params == {"temperature": 0.3}
    first.label_edit.setText("K2 cold")
    first.label_edit.editingFinished.emit()
    assert view.workspace.variants[1].label == "K2 cold"
    view.pane_for(view.workspace.variants[0]).findChild(QToolButton, "removeVariantButton").click()
    assert [p.variant.label for p in view.panes()][:1] == ["K2 cold"]
    while stack.canUndo():
        stack.undo()
    assert [v.label for v in view.workspace.variants] == ["K2", "Turbo"]
    assert view.workspace.variants[0].params == {}
    assert len(view.panes()) == 2


def test_a_label_another_column_has_is_refused_where_it_was_typed(
    view: CompareView, qtbot: QtBot
) -> None:
    second = view.panes()[1]
    undo_steps = view.undo_stack.count()
    with qtbot.waitSignal(view.notice) as notice:
        second.label_edit.setText("K2")
        second.label_edit.editingFinished.emit()
    assert "labelled 'K2' already" in notice.args[0]
    assert [v.label for v in view.workspace.variants] == ["K2", "Turbo"]
    assert second.label_edit.text() == "Turbo" and view.undo_stack.count() == undo_steps


def test_add_stops_at_eight_and_run_needs_two(view: CompareView) -> None:
    add = button(view, "addVariantButton")
    while add.isEnabled():
        add.click()
    assert len(view.panes()) == 8
    for pane in view.panes()[1:]:
        view.remove_variant(pane)
    assert not button(view, "runCompareButton").isEnabled()
    assert view.findChild(QLabel, "compareHint").isVisible()


def test_run_all_streams_each_column_with_metrics_and_json_badge(
    qtbot: QtBot, view: CompareView
) -> None:
    ScriptedRun.answers["moonshot-v1-32k"] = ['"name": ', '"Tablet", ', '"price": }']
    run_all(qtbot, view)
    first, second = view.panes()
    assert pane_text(first) == '{"name": "Phone", "price": 300}'
    assert pane_text(second) == '{"name": "Tablet", "price": }'
    invalid = second.findChild(QLabel, "paneJsonBadge")
    assert invalid.text() == "✗ invalid JSON" and "line 1, column 29" in invalid.toolTip()
    assert not second.findChild(QCheckBox, "jsonFormatToggle").isEnabled()
    metrics = first.findChild(QLabel, "paneMetrics").text()
    assert "TTFT 5 ms" in metrics and "Tokens out 4" in metrics and "Finish stop" in metrics
    badge = first.findChild(QLabel, "paneJsonBadge")
    assert badge.isVisible() and badge.text() == "✓ valid JSON"
    formatted = first.findChild(QCheckBox, "jsonFormatToggle")
    formatted.setChecked(True)
    assert pane_text(first).startswith('{\n  "name": "Phone"')
    first.findChild(QCheckBox, "markdownToggle").setChecked(True)
    assert not formatted.isChecked()


def test_prose_opening_with_a_bracket_is_judged_as_json_only_when_json_was_asked_for(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    workspace = Workspace(
        messages=[Message("user", "What is the answer?")],
        params=Params(provider="moonshot", model="moonshot-v1-128k"),
        variants=[
            Variant("Prose", model="moonshot-v1-128k"),
            Variant("Asked", model="moonshot-v1-32k", params={"response_format": "json_object"}),
        ],
    )
    ScriptedRun.answers = {
        "moonshot-v1-128k": ["[Note] the answer ", "is 42."],
        "moonshot-v1-32k": ["[Note] the answer ", "is 42."],
    }
    widget = CompareView(workspace, QUndoStack(), make_services())
    qtbot.addWidget(widget)
    widget.show()
    run_all(qtbot, widget)
    prose, asked = widget.panes()
    # No JSON was asked for: prose that starts with "[" is prose, not an invalid JSON answer.
    assert not prose.findChild(QLabel, "paneJsonBadge").isVisible()
    badge = asked.findChild(QLabel, "paneJsonBadge")
    assert badge.isVisible() and badge.text() == "✗ invalid JSON"
    widget.stop_all()


def test_preflight_shows_the_catalog_window_and_prefill_refusal(view: CompareView) -> None:
    first = view.panes()[0]
    assert "131,072" in first.findChild(QLabel, "paneFit").text()
    first.variant_edited.emit("provider", "openai")
    problem = first.findChild(QLabel, "paneProblem")
    assert view.workspace.variants[0].provider == "openai"
    assert "cannot prefill" in problem.text() and problem.isVisible()


def test_word_diff_highlights_both_columns(qtbot: QtBot, view: CompareView) -> None:
    run_all(qtbot, view)
    button(view, "diffToggle").setChecked(True)
    first, second = view.panes()
    qtbot.waitUntil(lambda: bool(first.text.extraSelections()), timeout=3000)
    left = [s.cursor.selectedText() for s in first.text.extraSelections()]
    right = [s.cursor.selectedText() for s in second.text.extraSelections()]
    assert left == ["Phone"] and right == ["Tablet"]
    assert "similar" in view.findChild(QLabel, "diffSummary").text()
    button(view, "diffToggle").setChecked(False)
    assert not first.text.extraSelections()


def test_diff_marks_take_the_new_theme_at_once(
    qtbot: QtBot, view: CompareView, qapp: QApplication
) -> None:
    run_all(qtbot, view)
    button(view, "diffToggle").setChecked(True)
    first, second = view.panes()
    qtbot.waitUntil(lambda: bool(first.text.extraSelections()), timeout=3000)

    def marks(pane: ComparePane) -> list[tuple[str, str]]:
        return [
            (s.cursor.selectedText(), s.format.background().color().name())
            for s in pane.text.extraSelections()
        ]

    text = first.text.toPlainText()
    assert marks(first) == [("Phone", LIGHT.diff_removed)]
    try:
        apply_theme(qapp, "dark")
        qapp.processEvents()
        assert marks(first) == [("Phone", DARK.diff_removed)]
        assert marks(second) == [("Tablet", DARK.diff_added)]
        assert first.text.toPlainText() == text
    finally:
        apply_theme(qapp, "light")
    qapp.processEvents()
    assert marks(second) == [("Tablet", LIGHT.diff_added)]
    button(view, "diffToggle").setChecked(False)
    apply_theme(qapp, "dark")  # cleared marks stay cleared
    qapp.processEvents()
    apply_theme(qapp, "light")
    assert not first.text.extraSelections()


def test_use_this_answer_completes_the_partial_card_undoably(
    qtbot: QtBot, view: CompareView, user_dialogs: Any
) -> None:
    run_all(qtbot, view)
    second = view.panes()[1]
    # Turbo's model and temperature differ from the workspace's: adopting them is offered.
    user_dialogs.answers.append(dialogs.Button.No)
    button(second, "useAnswerButton").click()
    assert user_dialogs.questions == [
        "Use its settings too?: Adopt the settings of Turbo for the workspace?"
    ]
    assert view.workspace.params.model == "moonshot-v1-128k"
    last = view.workspace.conversation[-1]
    assert (last.role, last.content, last.partial) == (
        "assistant",
        '{"name": "Tablet", "price": 300}',
        False,
    )
    view.undo_stack.undo()
    last = view.workspace.conversation[-1]
    assert (last.content, last.partial) == ("{", True)


def test_use_this_answer_appends_a_card_when_nothing_is_partial(
    qtbot: QtBot, view: CompareView, user_dialogs: Any
) -> None:
    conversation = view.workspace.conversation
    conversation.remove(len(conversation) - 1)
    run_all(qtbot, view)
    button(view.panes()[0], "useAnswerButton").click()
    assert [m.role for m in conversation] == ["user", "assistant"]
    assert conversation[-1].content == '"name": "Phone", "price": 300}'


def test_stop_one_column_keeps_its_text(qtbot: QtBot, view: CompareView) -> None:
    ScriptedRun.answers["moonshot-v1-128k"] = ["x"] * 2000
    button(view, "runCompareButton").click()
    first, second = view.panes()
    qtbot.waitUntil(lambda: len(pane_text(first)) > 5, timeout=3000)
    button(first, "stopPaneButton").click()
    qtbot.waitUntil(lambda: first.result is not None and second.result is not None, timeout=5000)
    assert first.result.interrupted and 5 < len(first.result.text) < 2000
    assert "Stopped" in first.findChild(QLabel, "paneMetrics").text()
    assert second.result.finish_reason == "stop"
    assert button(view, "runCompareButton").isEnabled()


def test_export_markdown_and_json(
    qtbot: QtBot, view: CompareView, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_all(qtbot, view)
    target = tmp_path / "cmp.md"
    monkeypatch.setattr(dialogs, "choose_export_path", lambda *a: str(target))
    with qtbot.waitSignal(view.exported, timeout=3000):
        view.export_markdown_action.trigger()
    text = target.read_text(encoding="utf-8")
    assert "| K2 | moonshot | moonshot-v1-128k |" in text
    assert '{"name": "Tablet", "price": 300}' in text
    target = tmp_path / "cmp.json"
    with qtbot.waitSignal(view.exported, timeout=3000):
        view.export_json_action.trigger()
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [v["label"] for v in data["variants"]] == ["K2", "Turbo"]
    assert data["variants"][1]["params"] == {"temperature": 0.2}


def test_synchronized_scrolling(qtbot: QtBot, view: CompareView) -> None:
    long = [f"line {i}\n" for i in range(300)]
    ScriptedRun.answers = {"moonshot-v1-128k": long, "moonshot-v1-32k": long}
    run_all(qtbot, view)
    first, second = view.panes()
    QApplication.processEvents()
    first.text.verticalScrollBar().setValue(first.text.verticalScrollBar().maximum() // 2)
    assert second.text.verticalScrollBar().value() > 0
    view.sync_toggle.setChecked(False)
    first.text.verticalScrollBar().setValue(0)
    assert second.text.verticalScrollBar().value() > 0


def test_markdown_toggle_renders_and_diff_returns_to_raw_text(
    qtbot: QtBot, view: CompareView
) -> None:
    view.workspace.conversation.remove(1)  # no partial prefix: plain prose answers
    ScriptedRun.answers = {
        "moonshot-v1-128k": ["# Phone\n\n", "**Price** 300"],
        "moonshot-v1-32k": ["# Phone\n\n", "**Price** 299"],
    }
    run_all(qtbot, view)
    first = view.panes()[0]
    toggle = first.findChild(QCheckBox, "markdownToggle")
    toggle.setChecked(True)
    assert "**" not in pane_text(first) and "Price 300" in pane_text(first)
    assert first.text.document().toMarkdown().count("**") == 2  # rendered bold, not stars
    button(view, "diffToggle").setChecked(True)
    assert not toggle.isChecked()
    assert pane_text(first) == "# Phone\n\n**Price** 300"
    qtbot.waitUntil(lambda: bool(first.text.extraSelections()), timeout=3000)
    assert [s.cursor.selectedText() for s in first.text.extraSelections()] == ["300"]
