"""promptfoo interop: export a workspace as promptfooconfig.yaml, read one back, evaluate it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from workbench import cli
from workbench.core.promptfoo import load_promptfoo
from workbench.core.resources import examples_dir
from workbench.core.workspace import WorkspaceError
from workbench.core.workspace_files import load_workspace
from workbench.loopback_server import LoopbackServer, Reply

EXAMPLE = examples_dir() / "05-product-json-eval.prompt.json"


def export(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert cli.main(["export", str(path), "--as", "promptfoo", *args]) == 0
    return capsys.readouterr().out


def test_export_writes_prompt_providers_vars_and_asserts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = export(EXAMPLE, capsys)
    data = yaml.safe_load(text)
    assert set(data) == {"description", "prompts", "providers", "defaultTest", "tests"}
    [prompt] = data["prompts"]
    messages = json.loads(prompt["raw"])
    assert messages[1] == {"role": "user", "content": "{{description}}"}
    assert messages[-1] == {"role": "assistant", "content": "{", "partial": True}
    assert [p["id"] for p in data["providers"]] == [
        "openai:chat:kimi-k2.5",
        "openai:chat:moonshot-v1-32k",
    ]
    config = data["providers"][1]["config"]
    assert config["apiBaseUrl"] == "https://api.moonshot.ai/v1"
    assert config["apiKeyEnvar"] == "MOONSHOT_API_KEY" and config["temperature"] == 0.0
    assert data["defaultTest"]["assert"][0]["type"] == "is-json"
    # promptfoo's answer is the continuation only: the prefix is put back before asserting.
    assert data["defaultTest"]["options"] == {"transform": '"{" + output'}
    assert len(data["tests"]) == 12
    assert data["tests"][0]["vars"]["description"].startswith("The Kelvin Travel Mug")
    assert "sk-" not in text


def test_the_exported_file_reads_back_as_the_same_evaluation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "promptfooconfig.yaml"
    data = yaml.safe_load(export(EXAMPLE, capsys))
    del data["defaultTest"]["options"]  # the transform is promptfoo's side of the prefix
    config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    original = load_workspace(EXAMPLE)
    back = load_workspace(config)
    assert [m.content for m in back.conversation] == [m.content for m in original.conversation]
    assert back.conversation[-1].partial
    assert [(v.label, v.model) for v in back.variants] == [
        ("K2.5", "kimi-k2.5"),
        ("v1 32k cold", "moonshot-v1-32k"),
    ]
    assert back.params.provider == "moonshot"
    assert [t.vars for t in back.tests] == [t.vars for t in original.tests]
    assert back.asserts == original.asserts


def write_config(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


BASE: dict[str, Any] = {
    "description": "Greeting",
    "prompts": ['[{"role": "user", "content": "Greet {{name}} in {{lang}}"}]'],
    "providers": [{"id": "openai:chat:gpt-4o-mini", "config": {"temperature": 0}}],
    "defaultTest": {"vars": {"lang": "French"}, "assert": [{"type": "icontains", "value": "bon"}]},
    "tests": [
        {"vars": {"name": "Ann"}},
        {
            "description": "German",
            "vars": {"name": "Bo", "lang": "German"},
            "assert": [{"type": "not-contains", "value": "Bon"}],
        },
    ],
}


@pytest.fixture
def pf_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key the configs' runs read from PF_KEY."""
    monkeypatch.setenv("PF_KEY", "sk-promptfoo-0123456789")


def test_a_promptfoo_config_is_evaluated_by_the_cli(
    tmp_path: Path, loopback: LoopbackServer, pf_key: None, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.responder = lambda body: Reply(
        text="Bonjour Ann" if "French" in body["messages"][0]["content"] else "Hallo Bo"
    )
    path = write_config(tmp_path, BASE)
    status = cli.main(
        ["eval", str(path), "--base-url", loopback.url, "--api-key-env", "PF_KEY", "--json"]
    )
    data = json.loads(capsys.readouterr().out)
    assert status == 1  # "Hallo Bo" lacks "bon": the shared assertion fails case 1
    assert [r["vars"] for r in data["results"]] == [
        {"lang": "French", "name": "Ann"},
        {"lang": "German", "name": "Bo"},
    ]
    assert [r["pass"] for r in data["results"]] == [True, False]
    assert loopback.chat_requests()[0]["temperature"] == 0


RUBRIC_PROMPT = (
    '[{"role": "system", "content": "Grade in German. JSON: reason, score, pass."},\n'
    ' {"role": "user", "content": "Output: {{ output }}\\nRubric: {{ rubric }} ({{lang}})"}]'
)


def test_a_rubric_prompt_in_options_grades_the_promptfoo_config(
    tmp_path: Path, loopback: LoopbackServer, pf_key: None, capsys: pytest.CaptureFixture[str]
) -> None:
    graded: list[list[dict[str, Any]]] = []

    def respond(body: dict[str, Any]) -> Reply:
        if body["model"] == "judge":
            graded.append(body["messages"])
            return Reply(text='{"reason": "Gut", "score": 1, "pass": true}')
        return Reply(text="Bonjour Ann" if "French" in body["messages"][0]["content"] else "Hallo")

    loopback.responder = respond
    rubric = {"type": "llm-rubric", "value": "greets", "model": "judge"}
    config = {
        **BASE,
        "defaultTest": {
            "vars": {"lang": "French"},
            "options": {"rubricPrompt": RUBRIC_PROMPT},
            "assert": [rubric],
        },
        "tests": [{"vars": {"name": "Ann"}}],
    }
    path = write_config(tmp_path, config)
    workspace = load_workspace(path)
    assert workspace.asserts == [{**rubric, "rubricPrompt": RUBRIC_PROMPT}]
    status = cli.main(
        ["eval", str(path), "--base-url", loopback.url, "--api-key-env", "PF_KEY", "--json"]
    )
    data = json.loads(capsys.readouterr().out)
    assert status == 0 and data["results"][0]["assertions"][0]["reason"] == "Gut"
    assert graded == [
        [
            {"role": "system", "content": "Grade in German. JSON: reason, score, pass."},
            {"role": "user", "content": "Output: Bonjour Ann\nRubric: greets (French)"},
        ]
    ]


def test_a_tests_own_rubric_prompt_goes_to_its_own_llm_rubric(tmp_path: Path) -> None:
    own = "Is {{output}} {{rubric}}?"
    config = {
        **BASE,
        "defaultTest": {"options": {"rubricPrompt": RUBRIC_PROMPT}, "assert": []},
        "tests": [
            {
                "vars": {"name": "Ann", "lang": "French"},
                "options": {"rubricPrompt": own},
                "assert": [
                    {"type": "llm-rubric", "value": "kind"},
                    {"type": "llm-rubric", "value": "short", "rubricPrompt": "{{output}}"},
                ],
            },
            {
                "vars": {"name": "Bo", "lang": "German"},
                "assert": [{"type": "llm-rubric", "value": "x"}],
            },
        ],
    }
    workspace = load_promptfoo(write_config(tmp_path, config))
    assert [a["rubricPrompt"] for a in workspace.tests[0].asserts] == [own, "{{output}}"]
    assert workspace.tests[1].asserts[0]["rubricPrompt"] == RUBRIC_PROMPT


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"providers": ["anthropic:messages:claude-sonnet-4-6"]},
            "providers[0]: anthropic:messages:claude-sonnet-4-6 is not an OpenAI-compatible",
        ),
        (
            {"providers": [{"id": "openai:chat:m", "config": {"apiKey": "sk-x"}}]},
            "providers[0].config.apiKey: an API key written in the file is not taken",
        ),
        (
            {
                "providers": [
                    {"id": "openai:chat:m", "config": {"apiBaseUrl": "https://nowhere.example/v1"}}
                ]
            },
            "no provider has the base URL https://nowhere.example/v1",
        ),
        (
            {"tests": [{"vars": {"name": "a"}, "assert": [{"type": "javascript", "value": "1"}]}]},
            "tests[0].assert[0].type: assertion type 'javascript' runs code",
        ),
        (
            {"tests": [{"vars": {"name": "a"}, "assert": [{"type": "rouge-n", "value": "x"}]}]},
            "tests[0].assert[0].type: assertion type 'rouge-n' is not supported",
        ),
        ({"tests": "file://cases.csv"}, "tests: tests from file://cases.csv are not read"),
        ({"prompts": ["one {{x}}", "two"]}, "prompts: 2 prompts"),
        ({"prompts": ["Hi {{ name | upper }}"]}, "prompts[0]: Nunjucks tags and filters"),
        ({"scenarios": []}, "scenarios: 'scenarios' is not supported"),
        (
            {"defaultTest": {"options": {"transform": "output.trim()"}}},
            "defaultTest.options.transform: transform runs code, which the app never does",
        ),
        (
            {"defaultTest": {"options": {"rubricPrompt": "Grade {{ output | trim }}"}}},
            "defaultTest.options.rubricPrompt: rubricPrompt[0].content: only {{name}} variables",
        ),
        (
            {"tests": [{"vars": {"name": "a"}, "options": {"provider": "openai:chat:judge"}}]},
            "tests[0].options.provider: option 'provider' is not supported",
        ),
        (
            {
                "defaultTest": {"assert": [{"type": "llm-rubric", "value": "kind"}]},
                "tests": [{"vars": {"name": "a"}, "options": {"rubricPrompt": "{{output}}"}}],
            },
            "tests[0].options.rubricPrompt: a test's own rubricPrompt for the llm-rubric of",
        ),
    ],
)
def test_unsupported_parts_are_named_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, Any], words: str
) -> None:
    path = write_config(tmp_path, {**BASE, **change})
    with pytest.raises(WorkspaceError) as caught:
        load_promptfoo(path)
    assert words in str(caught.value)
    assert str(caught.value).startswith("promptfooconfig.yaml, ")
    assert cli.main(["eval", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


def test_broken_yaml_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text("prompts:\n  - 'unclosed\nproviders: [\n", encoding="utf-8")
    with pytest.raises(
        WorkspaceError, match=r"promptfooconfig.yaml, line \d+, column \d+: not valid YAML"
    ):
        load_promptfoo(path)
