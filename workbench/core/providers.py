"""Provider presets: where each API lives, its wire format (kind) and how it prefills an answer.

DESIGN section 4 is the source of these facts. One entry per preset; logic elsewhere asks a
preset's ``kind`` and ``prefill`` style instead of testing provider names.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from workbench.core import json_files, paths
from workbench.core.json_files import write_atomic
from workbench.core.texts import QT_TRANSLATE_NOOP, Text

log = logging.getLogger(__name__)


class Prefill(StrEnum):
    """How a provider continues a prefilled (partial) assistant message."""

    MOONSHOT_PARTIAL = "moonshot_partial"  # {"role":"assistant","content":P,"partial":true}
    DEEPSEEK_PREFIX = "deepseek_prefix"  # {"role":"assistant","content":P,"prefix":true}, beta URL
    CONTINUE_FINAL = "continue_final"  # vLLM/SGLang/TGI extra_body continue_final_message
    TRAILING_ASSISTANT = "trailing_assistant"  # local servers continue a last assistant message
    NONE = "none"  # cannot prefill (OpenAI)


@dataclass(frozen=True)
class ProviderConfig:
    """A provider the app can send to: a built-in preset or one the user added.

    Attributes:
        id: Stable id used in workspace files (``params.provider``) and as the keyring user name.
        name: What the user reads.
        kind: The wire-format family (moonshot, openai, deepseek, vllm, local, custom: Chat
            Completions; anthropic: the Messages API).
        base_url: The API's base URL (``.../v1`` for Chat Completions, the host or
            ``.../anthropic`` for the Messages API, which adds ``/v1/messages`` itself).
        prefill: How the partial toggle is sent.
        key_env: The environment variable that may hold the key.
        needs_key: Local servers need none.
        models_from: The catalog provider whose models it serves, when not its kind (Moonshot's
            Anthropic-format endpoint serves Moonshot's models).
    """

    id: str
    name: str
    kind: str
    base_url: str
    prefill: Prefill
    key_env: str
    needs_key: bool = True
    models_from: str = ""

    @property
    def catalog_kind(self) -> str:
        """The catalog provider whose models this provider offers."""
        return self.models_from or self.kind

    def to_json(self) -> dict[str, Any]:
        """The provider's object in ``providers.json`` (never a key: keys live in the keyring)."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "base_url": self.base_url,
            "prefill": self.prefill.value,
            "key_env": self.key_env,
            "needs_key": self.needs_key,
            **({"models_from": self.models_from} if self.models_from else {}),
        }

    @classmethod
    def from_json(cls, data: Any) -> ProviderConfig:
        """A provider from its JSON object; ValueError saying what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("a provider must be an object")
        values: dict[str, str] = {}
        for key in ("id", "name", "kind", "base_url"):
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{key} must be a non-empty string")
            values[key] = value.strip()
        try:
            prefill = Prefill(data.get("prefill", Prefill.NONE.value))
        except ValueError:
            styles = ", ".join(p.value for p in Prefill)
            raise ValueError(f"prefill must be one of {styles}") from None
        key_env = data.get("key_env") or default_key_env(values["id"])
        if not isinstance(key_env, str):
            raise ValueError("key_env must be a string")
        needs_key = data.get("needs_key", True)
        if not isinstance(needs_key, bool):
            raise ValueError("needs_key must be true or false")
        models_from = data.get("models_from", "")
        if not isinstance(models_from, str):
            raise ValueError("models_from must be a string")
        return cls(
            values["id"],
            values["name"],
            values["kind"],
            values["base_url"],
            prefill,
            key_env,
            needs_key,
            models_from,
        )


#: The name the first version gave the dataclass; presets are plain ProviderConfig values.
ProviderPreset = ProviderConfig


PRESETS: tuple[ProviderConfig, ...] = (
    ProviderConfig(
        "moonshot",
        "Moonshot (global)",
        "moonshot",
        "https://api.moonshot.ai/v1",
        Prefill.MOONSHOT_PARTIAL,
        "MOONSHOT_API_KEY",
    ),
    ProviderConfig(
        "moonshot-cn",
        "Moonshot (China)",
        "moonshot",
        "https://api.moonshot.cn/v1",
        Prefill.MOONSHOT_PARTIAL,
        "MOONSHOT_CN_API_KEY",
    ),
    ProviderConfig(
        "openai", "OpenAI", "openai", "https://api.openai.com/v1", Prefill.NONE, "OPENAI_API_KEY"
    ),
    ProviderConfig(
        "deepseek",
        "DeepSeek",
        "deepseek",
        "https://api.deepseek.com/beta",
        Prefill.DEEPSEEK_PREFIX,
        "DEEPSEEK_API_KEY",
    ),
    ProviderConfig(
        "ollama",
        "Ollama",
        "local",
        "http://localhost:11434/v1",
        Prefill.TRAILING_ASSISTANT,
        "OLLAMA_API_KEY",
        needs_key=False,
    ),
    ProviderConfig(
        "lmstudio",
        "LM Studio",
        "local",
        "http://localhost:1234/v1",
        Prefill.TRAILING_ASSISTANT,
        "LMSTUDIO_API_KEY",
        needs_key=False,
    ),
    ProviderConfig(
        "vllm",
        "vLLM",
        "vllm",
        "http://localhost:8000/v1",
        Prefill.CONTINUE_FINAL,
        "VLLM_API_KEY",
        needs_key=False,
    ),
    ProviderConfig(
        "moonshot-anthropic",
        "Moonshot (Anthropic format)",
        "anthropic",
        "https://api.moonshot.ai/anthropic",
        Prefill.TRAILING_ASSISTANT,
        "MOONSHOT_API_KEY",
        models_from="moonshot",
    ),
    ProviderConfig(
        "deepseek-anthropic",
        "DeepSeek (Anthropic format)",
        "anthropic",
        "https://api.deepseek.com/anthropic",
        Prefill.TRAILING_ASSISTANT,
        "DEEPSEEK_API_KEY",
        models_from="deepseek",
    ),
    ProviderConfig(
        "anthropic",
        "Anthropic",
        "anthropic",
        "https://api.anthropic.com",
        Prefill.TRAILING_ASSISTANT,
        "ANTHROPIC_API_KEY",
    ),
    ProviderConfig(
        "llamacpp",
        "llama.cpp server",
        "local",
        "http://localhost:8080/v1",
        Prefill.TRAILING_ASSISTANT,
        "LLAMACPP_API_KEY",
        needs_key=False,
    ),
)

#: Kinds a user-added provider may have; ``custom`` is any OpenAI-compatible server.
#: ``anthropic`` speaks the Messages API (``POST {base}/v1/messages``) instead.
KINDS: tuple[str, ...] = (
    "moonshot",
    "openai",
    "deepseek",
    "vllm",
    "local",
    "custom",
    "anthropic",
)


def preset(provider_id: str) -> ProviderConfig | None:
    """The built-in preset with ``provider_id``, or None."""
    return next((p for p in PRESETS if p.id == provider_id), None)


def prefill_refusal(prefill: Prefill, provider_name: str) -> str | None:
    """Why a provider with ``prefill`` style cannot send a partial message, or None if it can."""
    if prefill is Prefill.NONE:
        return QT_TRANSLATE_NOOP(
            "SendProblems",
            "{provider} cannot prefill an answer: its API has no partial or prefix mode. "
            "Choose Moonshot, DeepSeek, vLLM or a local server to use partial.",
        ).format(provider=Text("ProviderNames", provider_name))
    return None


# The registry ----------------------------------------------------------------------------------

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ProviderError(ValueError):
    """A provider that cannot be added or saved, with the reason in words."""


def default_key_env(provider_id: str) -> str:
    """The environment variable named after a provider id (``my-vllm`` -> ``MY_VLLM_API_KEY``)."""
    return re.sub(r"[^A-Z0-9]+", "_", provider_id.upper()).strip("_") + "_API_KEY"


def validate_base_url(url: str) -> str | None:
    """Why ``url`` cannot be a provider's base URL, or None when it can.

    A base URL is an absolute http(s) URL with a host, without credentials (keys belong in the
    keyring, not in a URL that is saved to a file), query or fragment.
    """
    text = url.strip()
    if not text:
        return "Enter the base URL, for instance https://api.moonshot.ai/v1."
    if any(c.isspace() for c in text):
        return "The base URL cannot contain spaces."
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        return f"The base URL is not a valid URL ({error})."
    if parts.scheme not in ("http", "https"):
        return "The base URL must start with https:// (or http:// for a local server)."
    if not parts.hostname:
        return "The base URL needs a host name, for instance https://api.moonshot.ai/v1."
    if parts.username or parts.password:
        return "Do not put a user name or key in the URL: save the key in the keyring instead."
    if parts.query or parts.fragment:
        return "The base URL cannot have a query (?...) or fragment (#...)."
    if port == 0:
        return "The base URL has an invalid port."
    return None


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost``, ``127.0.0.1``, ``::1``...)."""
    import ipaddress

    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_host(url: str, key: object) -> str | None:
    """The host a key would reach unencrypted (plain ``http://`` to another machine), else None.

    Plain ``http://`` is normal for a local server (Ollama, LM Studio); to any other host it
    exposes the key and the prompt to everyone on the way. ``key`` is the key (or anything true
    when one will be sent: the provider dialog knows only that a key is typed or stored). The run
    (:func:`plain_http_warning`) and the provider dialog's Base URL field share this check.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = parts.hostname or ""
    if not key or parts.scheme != "http" or not host or is_loopback_host(host):
        return None
    return host


def plain_http_warning(url: str, key: str | None) -> str | None:
    """A warning when a key would travel unencrypted to another machine, else None."""
    host = plain_http_host(url, key)
    if host is None:
        return None
    return (
        f"Warning: {host} is reached over plain http://, so the API key and the "
        "prompt travel unencrypted. Use https:// if the server offers it."
    )


def normalize_base_url(url: str) -> str:
    """``url`` without surrounding spaces or a trailing slash (the SDK adds the paths)."""
    return url.strip().rstrip("/")


class ProviderRegistry:
    """The presets plus the providers the user added or edited, saved in ``providers.json``.

    Editing a preset stores an override under the preset's id; removing it restores the preset.
    A ``providers.json`` that cannot be read is never overwritten: ``load_error`` says why, the
    presets stay usable and saving raises :class:`ProviderError` until the file is fixed.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.config_dir() / "providers.json"
        self.load_error: str | None = None
        self._user: dict[str, ProviderConfig] = {}
        self._load()

    # Reading -----------------------------------------------------------------------------------

    def _load(self) -> None:
        data, problem = json_files.read_state_file(self.path)
        if problem:
            self._not_used(problem.replace(str(self.path), self.path.name, 1))
            return
        if data is None:
            return
        try:
            entries = data.get("providers") if isinstance(data, dict) else None
            if not isinstance(entries, list):
                raise ValueError('expected {"providers": [...]}')
            loaded: dict[str, ProviderConfig] = {}
            for number, entry in enumerate(entries):
                try:
                    config = ProviderConfig.from_json(entry)
                except ValueError as error:
                    raise ValueError(f"providers[{number}]: {error}") from None
                url_problem = validate_base_url(config.base_url)
                if url_problem:
                    raise ValueError(f"providers[{number}].base_url: {url_problem}")
                loaded[config.id] = config
        except ValueError as error:
            self._not_used(f"{self.path.name}: {error}")
            return
        self._user = loaded

    def _not_used(self, problem: str) -> None:
        self.load_error = problem
        json_files.note_state_problem(
            f"Provider file not used (built-in providers instead): {self.path.parent}/{problem}"
        )

    def all(self) -> list[ProviderConfig]:
        """Presets (with the user's edits) in their order, then the user's own providers."""
        result = [self._user.get(p.id, p) for p in PRESETS]
        preset_ids = {p.id for p in PRESETS}
        result += [c for c in self._user.values() if c.id not in preset_ids]
        return result

    def get(self, provider_id: str) -> ProviderConfig | None:
        """The provider with ``provider_id``, or None."""
        return self._user.get(provider_id) or preset(provider_id)

    def is_preset(self, provider_id: str) -> bool:
        """Whether ``provider_id`` is a built-in provider (it can be edited, not removed)."""
        return preset(provider_id) is not None

    def is_edited(self, provider_id: str) -> bool:
        """Whether a preset carries the user's edits."""
        return self.is_preset(provider_id) and provider_id in self._user

    # Checking ----------------------------------------------------------------------------------

    def problems(self, config: ProviderConfig, *, new: bool) -> list[str]:
        """Why ``config`` cannot be saved (as sentences); empty when it can."""
        found = []
        if not _ID.match(config.id):
            found.append(
                "The id must be 1-40 lower-case letters, digits, '-', '_' or '.', "
                "starting with a letter or digit."
            )
        elif new and self.get(config.id) is not None:
            found.append(f"A provider with the id {config.id!r} already exists.")
        if not config.name.strip():
            found.append("Give the provider a name.")
        if config.kind not in KINDS:
            found.append(f"The kind must be one of {', '.join(KINDS)}.")
        url_problem = validate_base_url(config.base_url)
        if url_problem:
            found.append(url_problem)
        if not _ENV.match(config.key_env):
            found.append("The key variable must be a valid environment variable name.")
        return found

    # Editing -----------------------------------------------------------------------------------

    def add(self, config: ProviderConfig) -> ProviderConfig:
        """Adds a user provider and saves; ProviderError when it is invalid or the id is taken."""
        config = replace(config, base_url=normalize_base_url(config.base_url))
        problems = self.problems(config, new=True)
        if problems:
            raise ProviderError(" ".join(problems))
        self._save({**self._user, config.id: config})
        return config

    def update(self, config: ProviderConfig) -> ProviderConfig:
        """Replaces the provider with ``config.id`` (a preset gets an override) and saves."""
        if self.get(config.id) is None:
            raise ProviderError(f"There is no provider with the id {config.id!r}.")
        config = replace(config, base_url=normalize_base_url(config.base_url))
        problems = self.problems(config, new=False)
        if problems:
            raise ProviderError(" ".join(problems))
        original = preset(config.id)
        user = dict(self._user)
        if original is not None and config == original:
            user.pop(config.id, None)  # back to the preset: nothing to keep
        else:
            user[config.id] = config
        self._save(user)
        return config

    def remove(self, provider_id: str) -> None:
        """Removes a user provider, or restores a preset's defaults; ProviderError otherwise."""
        if provider_id not in self._user:
            if self.is_preset(provider_id):
                raise ProviderError(
                    f"{provider_id} is a built-in provider: it can be edited but not removed."
                )
            raise ProviderError(f"There is no provider with the id {provider_id!r}.")
        user = dict(self._user)
        del user[provider_id]
        self._save(user)

    def _save(self, user: dict[str, ProviderConfig]) -> None:
        if self.load_error is not None:
            raise ProviderError(
                f"Not saved: {self.load_error}. Fix or remove {self.path} first; "
                "it is kept as it is so nothing in it is lost."
            )
        payload = {"providers": [c.to_json() for c in user.values()]}
        write_atomic(self.path, json_files.dumps(payload, indent=2) + "\n", private=True)
        self._user = user
