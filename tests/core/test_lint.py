"""The request linter: each rule from the catalog's data, at its place, with its fix."""

from __future__ import annotations

from typing import Any

import pytest

from tests.watched import READ, Watched
from workbench.core.catalog import load_builtin_catalog
from workbench.core.conversation import Message
from workbench.core.lint import ERROR, WARNING, Finding, fit_output, lint_request
from workbench.core.payloads import build_request, lint, request_problems
from workbench.core.providers import preset
from workbench.core.workspace import Params, Workspace, workspace_from_json

CATALOG = load_builtin_catalog()


def findings(
    model: str,
    messages: list[dict[str, Any]] | None = None,
    kind: str = "moonshot",
    **params: Any,
) -> list[Finding]:
    workspace = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": messages or [{"role": "user", "content": "Hi"}],
            "params": {"provider": "moonshot", "model": model, **params},
        }
    )
    return lint_request(workspace, workspace.params, CATALOG, provider_kind=kind)


def rules(found: list[Finding]) -> dict[str, Finding]:
    return {f.rule: f for f in found}


def test_a_current_model_with_defaults_has_nothing_to_say() -> None:
    for model in ("kimi-k3", "kimi-k2.6", "moonshot-v1-32k", "deepseek-v4-flash", "gpt-5.1"):
        assert findings(model) == [], model
    assert Params().model == "kimi-k2.6" and Params().temperature is None


def test_a_retired_model_is_refused_with_a_switch() -> None:
    (finding,) = findings("kimi-k2-0905-preview")
    assert finding.rule == "retired-model" and finding.blocking and finding.place == "model"
    assert "kimi-k2-0905-preview was retired on 2026-05-25: switch to kimi-k2.6." in (
        finding.message
    )
    assert finding.fix is not None and finding.fix.params == {"model": "kimi-k2.6"}
    # A provider that still lists it (a gateway) only gets a warning.
    workspace = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [{"role": "user", "content": "Hi"}],
            "params": {"model": "deepseek-chat"},
        }
    )
    (served,) = lint_request(
        workspace, workspace.params, CATALOG, provider_kind="deepseek", listed={"deepseek-chat"}
    )
    assert served.severity == WARNING


def test_unknown_and_unlisted_models_are_warnings() -> None:
    (unknown,) = findings("kimi-k9")
    assert unknown.rule == "unknown-model" and unknown.severity == WARNING
    workspace = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [{"role": "user", "content": "Hi"}],
            "params": {"model": "kimi-k2.5"},
        }
    )
    (gone,) = lint_request(
        workspace, workspace.params, CATALOG, provider_kind="moonshot", listed={"kimi-k3"}
    )
    assert gone.rule == "unlisted-model" and "no longer lists kimi-k2.5" in gone.message


def test_fixed_sampling_parameters_are_refused_unless_equal() -> None:
    found = rules(findings("kimi-k2.6", temperature=0.3, top_p=0.5))
    assert found["fixed-param"].severity == ERROR
    assert {f.place for f in findings("kimi-k2.6", temperature=0.3, top_p=0.5)} == {
        "param:temperature",
        "param:top_p",
    }
    fix = found["fixed-param"].fix
    assert fix is not None and list(fix.params.values()) == [None]
    # The fixed value itself is accepted (1.0 with thinking on, 0.6 with it off).
    assert findings("kimi-k2.6", temperature=1.0) == []
    assert findings("kimi-k2.6", temperature=0.6, thinking={"type": "disabled"}) == []
    # moonshot-v1 honours sampling parameters within its range.
    assert findings("moonshot-v1-8k", temperature=0.3) == []
    (hot,) = findings("moonshot-v1-8k", temperature=1.5)
    assert hot.rule == "temperature-range" and hot.blocking


def test_thinking_controls_per_model() -> None:
    (always,) = findings("kimi-k2.7-code", thinking={"type": "disabled"})
    assert always.rule == "thinking-always" and always.blocking
    both = rules(findings("kimi-k2.6", thinking={"type": "enabled"}, reasoning_effort="high"))
    assert both["thinking-twice"].blocking
    assert both["thinking-twice"].fix is not None
    (level,) = findings("kimi-k3", reasoning_effort="medium")
    assert level.rule == "effort-level" and "low, high, max" in level.message
    assert findings("kimi-k3", reasoning_effort="max") == []
    (keep,) = findings("kimi-k2.5", thinking={"type": "enabled", "keep": True})
    assert keep.rule == "thinking-keep"
    (ignored,) = findings("moonshot-v1-8k", reasoning_effort="high")
    assert ignored.severity == WARNING


PARTIAL = [
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "{", "partial": True},
]


def test_prefill_refused_by_the_model_offers_the_closing_instruction() -> None:
    (refused,) = findings("claude-sonnet-4-6", PARTIAL, kind="anthropic", max_tokens=512)
    assert refused.rule == "prefill" and refused.blocking and refused.place == "card:1"
    assert "does not support assistant message prefill" in refused.message
    assert refused.fix is not None and refused.fix.params == {"prefill_mode": "instruction"}
    assert (
        findings(
            "claude-sonnet-4-6",
            PARTIAL,
            kind="anthropic",
            max_tokens=512,
            prefill_mode="instruction",
        )
        == []
    )
    (note,) = findings("kimi-k3", PARTIAL)
    assert note.severity == WARNING and "writes nothing" in note.message


def test_a_tool_turn_without_its_reasoning_is_refused_while_thinking() -> None:
    messages = [
        {"role": "user", "content": "Add"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {"id": "a:0", "type": "function", "function": {"name": "add", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "a:0", "content": "3"},
    ]
    (echo,) = findings("kimi-k2.6", messages)
    assert echo.rule == "reasoning-echo" and echo.place == "card:1" and echo.blocking
    assert echo.fix is not None and echo.fix.params["thinking"] == {"type": "disabled"}
    assert findings("kimi-k2.6", messages, thinking={"type": "disabled"}) == []
    messages[1]["reasoning_content"] = "Use add."
    assert findings("kimi-k2.6", messages) == []


def test_output_limits_and_the_fit() -> None:
    (limit,) = findings("gpt-4o", max_tokens=20_000)
    assert limit.rule == "output-limit" and limit.fix is not None
    assert limit.fix.params == {"max_tokens": 16_384}
    model = CATALOG.get("moonshot-v1-8k")
    assert fit_output(model, 7_000) == 1_192
    assert fit_output(CATALOG.get("deepseek-v4-flash"), 10_000) == 384_000  # output limit
    assert fit_output(model, 9_000) is None
    workspace = workspace_from_json(
        {
            "format": "prompt-workbench/1",
            "messages": [{"role": "user", "content": "Hi"}],
            "params": {"model": "moonshot-v1-8k"},
        }
    )
    workspace.params.max_tokens = 4_000
    (window,) = lint_request(
        workspace, workspace.params, CATALOG, provider_kind="moonshot", prompt_tokens=7_000
    )
    assert window.rule == "window" and window.severity == WARNING
    assert window.fix is not None and window.fix.params == {"max_tokens": 1_192}


def test_send_refuses_errors_only_and_the_cli_line_names_the_place() -> None:
    moonshot = preset("moonshot")
    assert moonshot is not None
    workspace = Workspace(messages=[Message(role="user", content="Hi")])
    workspace.params.model = "kimi-k3"
    workspace.params.extra = {"reasoning_effort": "medium"}
    assert any("low, high, max" in p for p in request_problems(workspace, moonshot))
    workspace.params.extra = {}
    workspace.params.model = "kimi-k9"
    assert request_problems(workspace, moonshot) == []  # unknown: a warning only
    (finding,) = lint(workspace, moonshot)
    assert finding.line().startswith("warning: model: kimi-k9 is not in the model catalog")


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("kimi-k3", "max_completion_tokens"),
        ("gpt-5", "max_completion_tokens"),
        ("gpt-4o", "max_tokens"),
        ("deepseek-v4-flash", "max_tokens"),
    ],
)
def test_the_output_limit_goes_by_the_models_field_name(model: str, field: str) -> None:
    provider = preset("deepseek" if model.startswith("deepseek") else "moonshot")
    assert provider is not None
    workspace = Workspace(messages=[Message(role="user", content="Hi")])
    workspace.params.model = model
    workspace.params.max_tokens = 100
    body = build_request(workspace, provider).wire_body()
    assert body[field] == 100
    assert {"max_tokens", "max_completion_tokens"} - {field} & body.keys() == set()


# Scale: a keystroke in one card lints that card, whatever the number of cards ------------------

TOOL_CALL = [{"id": "a:0", "type": "function", "function": {"name": "add", "arguments": "{}"}}]
IMAGE = [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}]


def watched_cards(count: int) -> list[Message]:
    cards: list[Message] = []
    for index in range(count):
        if index == 300:
            cards.append(Watched("user", "look", extra={"content_parts": IMAGE}))
        elif index == 501:
            cards.append(Watched("assistant", "", tool_calls=TOOL_CALL))
        elif index == 502:
            cards.append(Watched("tool", "3", tool_call_id="a:0"))
        else:
            cards.append(Watched("user" if index % 2 else "assistant", f"card {index}"))
    return cards


def test_a_keystroke_lints_the_edited_card_alone_at_a_thousand_cards() -> None:
    workspace = Workspace(messages=watched_cards(1000), params=Params(model="kimi-k2.6"))
    conversation = workspace.conversation
    provider = preset("moonshot")
    assert [f.place for f in lint(workspace, provider, catalog=CATALOG)] == ["card:501"]
    edited, last = conversation[700].uid, conversation[999].uid

    READ.clear()
    conversation.update(700, content="card 700, edited")
    assert [f.place for f in lint(workspace, provider, catalog=CATALOG)] == ["card:501"]
    assert {edited, last} >= READ

    workspace.set_param("model", "moonshot-v1-32k")  # reads no images: card 300 is refused
    assert [f.place for f in lint(workspace, provider, catalog=CATALOG)] == ["card:300"]
    READ.clear()
    conversation.set_extra(700, "content_parts", IMAGE)
    found = lint(workspace, provider, catalog=CATALOG)
    assert [f.place for f in found if f.rule == "vision"] == ["card:300", "card:700"]
    assert {edited, last} >= READ

    # The indexes follow the edits: a removal moves the places, a reset reads every card again.
    conversation.remove(0)
    found = lint(workspace, provider, catalog=CATALOG)
    assert [f.place for f in found if f.rule == "vision"] == ["card:299", "card:699"]
    conversation.replace_all(watched_cards(10))
    assert [f.rule for f in lint(workspace, provider, catalog=CATALOG)] == []
