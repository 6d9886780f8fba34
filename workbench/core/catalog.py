"""The model catalog: context windows, prices and capabilities, with the date they were true.

``resources/models.json`` ships the known figures (DESIGN section 5); each entry carries what the
model accepts as data (:class:`Capabilities`: prefill, thinking control, fixed sampling
parameters, response formats, tools, vision, the output-limit field), which payload building and
the request linter read instead of testing model ids. Retired ids stay with their ``retired`` date
and ``replacement``, so an old workspace can be told what to switch to.
``models.json`` in the config folder overrides or adds entries (field by field: an override may
change only a price). Prices are USD per million tokens; ``None`` means unknown, never free. Ids a
provider lists (``GET /models``) that the catalog does not know join it with an unknown context
window: shown, never recommended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core import json_files, paths
from workbench.core.resources import resources_dir
from workbench.core.texts import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from workbench.core.run_types import Usage

#: How a model takes a prefilled (partial) answer: ``yes``; ``no`` (refused by the API);
#: ``thinking_off`` (accepted only with thinking off, as Qwen does).
PREFILL_VALUES = ("yes", "no", "thinking_off")
#: How thinking is controlled: ``none`` (no thinking), ``toggle`` (``thinking: {type}``),
#: ``effort`` (``reasoning_effort`` levels), ``always`` (on, cannot be turned off).
THINKING_VALUES = ("none", "toggle", "effort", "always")
#: The body field that limits the output.
OUTPUT_FIELDS = ("max_tokens", "max_completion_tokens")


@dataclass(frozen=True)
class Capabilities:
    """What a model accepts, as the catalog states it (unknown models: everything allowed).

    Attributes:
        prefill: One of :data:`PREFILL_VALUES`.
        prefill_note: A known problem of prefill on this model (shown as a warning).
        tools: Function calling.
        json_object: ``response_format: {"type": "json_object"}``.
        json_schema: ``response_format: {"type": "json_schema"}``.
        vision: Image inputs.
        thinking: One of :data:`THINKING_VALUES`.
        effort_levels: The ``reasoning_effort`` values, when the model takes them.
        thinking_default: What the model does when nothing is sent (``on``, ``off``, a level).
        reasoning_echo: With thinking on, an assistant message with tool calls must carry its
            ``reasoning_content`` back.
    """

    prefill: str = "yes"
    prefill_note: str = ""
    tools: bool = True
    json_object: bool = True
    json_schema: bool = False
    vision: bool = False
    thinking: str = "none"
    effort_levels: tuple[str, ...] = ()
    thinking_default: str = ""
    reasoning_echo: bool = False

    @classmethod
    def from_json(cls, data: Any) -> Capabilities:
        """The capabilities object of an entry (ValueError/TypeError when malformed).

        The first catalog's booleans (``partial``, ``json_mode``, ``thinking: true``) are read too,
        so a user's older override file keeps working.
        """
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise TypeError("capabilities must be an object")
        prefill = data.get("prefill")
        if prefill is None and "partial" in data:
            prefill = "yes" if data["partial"] else "no"
        prefill = str(prefill or "yes")
        if prefill not in PREFILL_VALUES:
            raise ValueError(f"capabilities.prefill must be one of {', '.join(PREFILL_VALUES)}")
        thinking = data.get("thinking", "none")
        if isinstance(thinking, bool):
            thinking = "always" if thinking else "none"
        if thinking not in THINKING_VALUES:
            raise ValueError(f"capabilities.thinking must be one of {', '.join(THINKING_VALUES)}")
        levels = data.get("effort_levels") or ()
        if not isinstance(levels, list | tuple) or not all(isinstance(v, str) for v in levels):
            raise TypeError("capabilities.effort_levels must be a list of strings")
        json_object = data.get("json_object", data.get("json_mode", True))
        return cls(
            prefill=prefill,
            prefill_note=str(data.get("prefill_note") or ""),
            tools=bool(data.get("tools", True)),
            json_object=bool(json_object),
            json_schema=bool(data.get("json_schema", False)),
            vision=bool(data.get("vision", False)),
            thinking=str(thinking),
            effort_levels=tuple(levels),
            thinking_default=str(data.get("thinking_default") or ""),
            reasoning_echo=bool(data.get("reasoning_echo", False)),
        )

    def thinking_on(self, params_extra: dict[str, Any]) -> bool:
        """Whether a request with these extra parameters runs with thinking on."""
        if self.thinking == "always":
            return True
        if self.thinking == "none":
            return False
        thinking = params_extra.get("thinking")
        if isinstance(thinking, dict) and thinking.get("type") in ("enabled", "disabled"):
            return thinking.get("type") == "enabled"
        effort = params_extra.get("reasoning_effort")
        if isinstance(effort, str):
            return effort not in ("none", "minimal")
        return self.thinking_default not in ("", "off", "none", "minimal")


@dataclass(frozen=True)
class ModelInfo:
    """One model of the catalog."""

    id: str
    provider: str
    family: str
    context_window: int | None
    price_in: float | None = None
    price_in_cached: float | None = None
    price_out: float | None = None
    capabilities: Capabilities = field(default_factory=Capabilities)
    temperature_range: tuple[float, float] = (0.0, 2.0)
    as_of: str = ""
    #: The largest output the model produces (None: unknown).
    max_output: int | None = None
    #: The body field that limits the output (``max_tokens`` or ``max_completion_tokens``).
    output_field: str = "max_tokens"
    #: Cache-write prices per retention (``{"5m": 3.75, "1h": 6.0}``) where they are priced.
    price_cache_write: dict[str, float] = field(default_factory=dict)
    #: Sampling parameters the model fixes: name -> value, or ``{"thinking": v, "plain": v}``.
    fixed_params: dict[str, Any] = field(default_factory=dict)
    #: What the API does with another value of a fixed parameter: ``refused`` or ``ignored``.
    fixed_params_policy: str = "refused"
    #: The date (or year) the provider retired this id; empty while it is served.
    retired: str = ""
    #: The id to use instead of a retired one.
    replacement: str = ""
    #: What else is known (a conflict between sources, an unpublished figure).
    note: str = ""
    #: A routing alias (``moonshot-v1-auto``): picks a model of its family by the request's size.
    auto_routes: bool = False
    #: Only known because the provider lists it: nothing about it is known.
    listed_only: bool = False

    @property
    def window_known(self) -> bool:
        """Whether the context window is known (an unknown one is never recommended)."""
        return self.context_window is not None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelInfo:
        """An entry from its JSON object (KeyError/TypeError/ValueError when malformed)."""
        low, high = data.get("temperature_range", (0.0, 2.0))
        return cls(
            id=str(data["id"]),
            provider=str(data.get("provider", "")),
            family=str(data.get("family") or data["id"]),
            context_window=None
            if data.get("context_window") is None
            else int(data["context_window"]),
            price_in=_price(data.get("price_in")),
            price_in_cached=_price(data.get("price_in_cached")),
            price_out=_price(data.get("price_out")),
            capabilities=Capabilities.from_json(data.get("capabilities")),
            temperature_range=(float(low), float(high)),
            as_of=str(data.get("as_of", "")),
            auto_routes=bool(data.get("auto_routes", False)),
            max_output=None if data.get("max_output") is None else int(data["max_output"]),
            output_field=_output_field(data.get("output_field")),
            price_cache_write={
                str(k): float(v) for k, v in (data.get("price_cache_write") or {}).items()
            },
            fixed_params=dict(data.get("fixed_params") or {}),
            fixed_params_policy=str(data.get("fixed_params_policy") or "refused"),
            retired=str(data.get("retired") or ""),
            replacement=str(data.get("replacement") or ""),
            note=str(data.get("note") or ""),
        )

    def fixed_value(self, name: str, thinking: bool) -> Any:
        """The value the model fixes for parameter ``name`` (None when it is not fixed)."""
        value = self.fixed_params.get(name)
        if isinstance(value, dict):
            return value.get("thinking" if thinking else "plain")
        return value

    def retirement(self) -> str | None:
        """ "X was retired on DATE: switch to Y" for a retired id, None for a current one."""
        if not self.retired:
            return None
        on_day = len(self.retired) > 4
        if self.replacement:
            template = (
                QT_TRANSLATE_NOOP("Catalog", "{model} was retired on {when}: switch to {other}.")
                if on_day
                else QT_TRANSLATE_NOOP(
                    "Catalog", "{model} was retired in {when}: switch to {other}."
                )
            )
        else:
            template = (
                QT_TRANSLATE_NOOP("Catalog", "{model} was retired on {when}.")
                if on_day
                else QT_TRANSLATE_NOOP("Catalog", "{model} was retired in {when}.")
            )
        return template.format(model=self.id, when=self.retired, other=self.replacement)

    def describe(self) -> str:
        """Window and price in a few words, for the model selector."""
        window = f"{self.context_window:,} tokens" if self.context_window else "window unknown"
        if self.price_in is None or self.price_out is None:
            return f"{window}, price unknown"
        return f"{window}, ${self.price_in:g} in / ${self.price_out:g} out per 1M"

    def cost_usd(self, usage: Usage) -> float | None:
        """What ``usage`` cost, cached prompt tokens at the cached price; None if prices unknown."""
        if self.price_in is None or self.price_out is None:
            return None
        cached = min(usage.cached_tokens, usage.prompt_tokens)
        written = min(usage.cache_write_tokens, usage.prompt_tokens - cached)
        cached_price = self.price_in if self.price_in_cached is None else self.price_in_cached
        # Cache writes at the default (5-minute) retention's price where one is given.
        write_price = self.price_cache_write.get("5m", self.price_in)
        total = (
            (usage.prompt_tokens - cached - written) * self.price_in
            + cached * cached_price
            + written * write_price
            + usage.completion_tokens * self.price_out
        )
        return total / 1_000_000


def _price(value: Any) -> float | None:
    return None if value is None else float(value)


def _output_field(value: Any) -> str:
    text = str(value or "max_tokens")
    if text not in OUTPUT_FIELDS:
        raise ValueError(f"output_field must be one of {', '.join(OUTPUT_FIELDS)}")
    return text


class Catalog:
    """Models by id."""

    def __init__(
        self, models: list[ModelInfo], as_of: str = "", override_error: str | None = None
    ) -> None:
        self._models = {m.id: m for m in models}
        self.as_of = as_of
        #: Why the user's override file was ignored (shown by the UI), or None.
        self.override_error = override_error

    def get(self, model_id: str) -> ModelInfo | None:
        """The entry of ``model_id``, or None for a model the catalog does not know."""
        return self._models.get(model_id)

    def models(self) -> list[ModelInfo]:
        """Every entry, in file order."""
        return list(self._models.values())

    def for_provider(self, provider_kind: str, *, retired: bool = False) -> list[ModelInfo]:
        """The entries of one provider kind (``moonshot``, ``openai``...), current ones unless
        ``retired``."""
        return [
            m
            for m in self._models.values()
            if m.provider == provider_kind and (retired or not m.retired)
        ]

    def cost_usd(self, model_id: str, usage: Usage) -> float | None:
        """The cost of ``usage`` on ``model_id``; None when the model or its prices are unknown."""
        model = self.get(model_id)
        return None if model is None else model.cost_usd(usage)

    def family(self, family: str) -> list[ModelInfo]:
        """The entries of one family, in file order."""
        return [m for m in self._models.values() if m.family == family]

    def current(self) -> list[ModelInfo]:
        """The entries that are not retired, in file order."""
        return [m for m in self._models.values() if not m.retired]

    def with_listed(self, provider_kind: str, ids: list[str]) -> Catalog:
        """This catalog plus the ids a provider listed that it does not know (window unknown)."""
        extra = [
            ModelInfo(id=i, provider=provider_kind, family=i, context_window=None, listed_only=True)
            for i in dict.fromkeys(ids)
            if i not in self._models
        ]
        return Catalog([*self._models.values(), *extra], self.as_of, self.override_error)


def _read_entries(path: Path) -> tuple[list[dict[str, Any]], str]:
    """The raw entries of one catalog file and its date; ValueError naming the problem."""
    try:
        data = json_files.read_json_file(path, max_bytes=json_files.MAX_STATE_BYTES)
    except json_files.JsonInputError as error:
        raise ValueError(f"{path.name}: {error}") from None
    entries = data.get("models") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f'{path.name}: expected {{"models": [...]}}')
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise ValueError(f'{path.name}: models[{number}] needs an "id" string')
    return entries, str(data.get("as_of", ""))


def _parse(entries: list[dict[str, Any]], file_name: str) -> list[ModelInfo]:
    models = []
    for number, entry in enumerate(entries):
        try:
            model = ModelInfo.from_json(entry)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
            raise ValueError(f"{file_name}: models[{number}] is invalid ({error})") from None
        if model.context_window is not None and model.context_window <= 0:
            raise ValueError(f"{file_name}: models[{number}] has a context_window below 1")
        models.append(model)
    return models


def read_catalog_file(path: Path) -> tuple[list[ModelInfo], str]:
    """The entries of one catalog file and its date; ValueError naming the entry when wrong."""
    entries, as_of = _read_entries(path)
    return _parse(entries, path.name), as_of


def load_builtin_catalog() -> Catalog:
    """The catalog shipped with the app."""
    models, as_of = read_catalog_file(resources_dir() / "models.json")
    return Catalog(models, as_of)


def override_path() -> Path:
    """The user's catalog override file (``models.json`` in the config folder)."""
    return paths.config_dir() / "models.json"


def load_catalog(override: Path | None = None) -> Catalog:
    """The built-in catalog with the user's override file merged over it.

    An override entry with a known id replaces the fields it names; a new id is added. An override
    that cannot be read or is invalid is ignored as a whole: the defaults stay, and
    ``Catalog.override_error`` says what is wrong and where.

    Args:
        override: The override file; ``override_path()`` by default.
    """
    builtin_path = resources_dir() / "models.json"
    entries, as_of = _read_entries(builtin_path)
    builtin = _parse(entries, builtin_path.name)
    path = override or override_path()
    if not path.exists():
        return Catalog(builtin, as_of)
    try:
        extra, extra_as_of = _read_entries(path)
        merged = {e["id"]: dict(e) for e in entries}
        for entry in extra:
            merged[entry["id"]] = {**merged.get(entry["id"], {}), **entry}
        # Each override entry is checked in its merged form, named by its place in the override.
        _parse([merged[entry["id"]] for entry in extra], path.name)
        models = _parse(list(merged.values()), path.name)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        message = f"Model catalog override {path} ignored, built-in figures used: {reason}"
        return Catalog(builtin, as_of, override_error=message)
    return Catalog(models, extra_as_of or as_of)
