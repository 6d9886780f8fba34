"""What a workspace file keeps of messages: edited content parts, prefixes, alternates, limits."""

from __future__ import annotations

import json

import pytest

from workbench.core import alternates
from workbench.core.conversation import Message
from workbench.core.payloads import build_request
from workbench.core.providers import ProviderRegistry
from workbench.core.workspace import (
    MAX_TOKENS_LIMIT,
    Workspace,
    WorkspaceError,
    message_to_json,
    workspace_from_json,
    workspace_from_text,
)

PARTS_BODY = {
    "model": "moonshot-v1-8k-vision-preview",  # it reads the image part
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Describe"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                {"type": "text", "text": "briefly"},
            ],
        }
    ],
}


def moonshot() -> object:
    provider = ProviderRegistry().get("moonshot")
    assert provider is not None
    return provider


def test_an_edited_message_of_content_parts_sends_and_saves_the_edit() -> None:
    workspace = workspace_from_json(PARTS_BODY)
    assert workspace.conversation[0].content == "Describe\nbriefly"
    workspace.conversation.update(0, content="Describe in one line")

    saved = workspace.to_json()["messages"][0]["content"]
    assert saved == [
        {"type": "text", "text": "Describe in one line"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
    ]
    sent = build_request(workspace, moonshot()).body["messages"][0]["content"]  # type: ignore[arg-type]
    assert sent == saved
    # Read back, the card shows the edit.
    again = workspace_from_json(json.loads(workspace.dumps()))
    assert again.conversation[0].content == "Describe in one line"


def test_unedited_content_parts_are_kept_exactly() -> None:
    workspace = workspace_from_json(PARTS_BODY)
    assert workspace.to_json()["messages"][0]["content"] == PARTS_BODY["messages"][0]["content"]


def test_max_tokens_beyond_a_32_bit_integer_is_refused_with_its_place() -> None:
    text = json.dumps(
        {"format": "prompt-workbench/1", "messages": [], "params": {"max_tokens": 2**31}}
    )
    with pytest.raises(WorkspaceError) as caught:
        workspace_from_text(text)
    assert caught.value.path == "params.max_tokens"
    assert f"{MAX_TOKENS_LIMIT:,}" in str(caught.value)
    # The largest accepted value reads back unchanged.
    fine = workspace_from_text(text.replace(str(2**31), str(MAX_TOKENS_LIMIT)))
    assert fine.params.max_tokens == MAX_TOKENS_LIMIT


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1" + "0" * 400])
def test_non_finite_or_huge_numbers_are_refused(value: str) -> None:
    text = (
        '{"format": "prompt-workbench/1", "messages": [], "params": {"temperature": ' + value + "}}"
    )
    with pytest.raises(WorkspaceError) as caught:
        workspace_from_text(text)
    assert caught.value.path == "params.temperature"


def answered() -> Workspace:
    return Workspace(
        messages=[
            Message(role="user", content="Describe a lamp as JSON."),
            Message(
                role="assistant",
                content='{"name": "lamp"}',
                name="extractor",
                prefill="{",
                alternates=['{"name": "old lamp"}'],
            ),
        ]
    )


def test_prefill_and_alternates_are_saved_but_never_sent() -> None:
    workspace = answered()
    saved = workspace.to_json()["messages"][1]
    assert saved["prefill"] == "{"
    assert saved["alternates"] == ['{"name": "old lamp"}']
    assert "alternates" not in message_to_json(workspace.conversation[1])
    body = build_request(workspace, moonshot()).body  # type: ignore[arg-type]
    assert body["messages"][1] == {
        "role": "assistant",
        "content": '{"name": "lamp"}',
        "name": "extractor",
    }
    again = workspace_from_json(json.loads(workspace.dumps()))
    message = again.conversation[1]
    assert (message.prefill, message.alternates) == ("{", ['{"name": "old lamp"}'])


def test_alternates_must_be_strings_on_an_assistant_message() -> None:
    base = {"format": "prompt-workbench/1"}
    with pytest.raises(WorkspaceError) as caught:
        workspace_from_json(
            {**base, "messages": [{"role": "assistant", "content": "a", "alternates": [1]}]}
        )
    assert caught.value.path == "messages[0].alternates"
    with pytest.raises(WorkspaceError):
        workspace_from_json(
            {**base, "messages": [{"role": "user", "content": "a", "alternates": ["b"]}]}
        )


def test_regenerate_sends_the_same_request_that_made_the_answer() -> None:
    workspace = answered()
    base = alternates.regenerate_base(workspace, 1)
    body = build_request(base, moonshot()).body  # type: ignore[arg-type]
    assert body["messages"][-1] == {
        "role": "assistant",
        "content": "{",
        "name": "extractor",
        "partial": True,
    }
    # The cards themselves are untouched until an answer arrives.
    assert workspace.conversation[1].content == '{"name": "lamp"}'


def test_stepping_through_alternates_keeps_their_order() -> None:
    message = Message(role="assistant", content="C", alternates=["A", "B"])
    assert alternates.answers(message) == ["A", "B", "C"]
    assert alternates.position(message) == 2
    for name, value in alternates.show(message, 0).items():
        setattr(message, name, value)
    assert message.content == "A"
    assert alternates.answers(message) == ["A", "B", "C"]
    assert alternates.position(message) == 0
    for name, value in alternates.add_answer(message, "D").items():
        setattr(message, name, value)
    assert alternates.answers(message) == ["A", "B", "C", "D"]
    assert (message.content, alternates.position(message)) == ("D", 3)
