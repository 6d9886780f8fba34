"""The model catalog: context windows, prices and capabilities, with the date they were true.

``resources/models.json`` ships the known figures; ``models.json`` in the config folder overrides
or adds entries (field by field: an override may change only a price). Prices are USD per million
tokens; ``None`` means unknown, never free. Ids a provider lists (``GET /models``) that the catalog
does not know join it with an unknown context window: shown, never recommended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core import json_files, paths
from workbench.core.resources import resources_dir
from workbench.core.run_types import Usage


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
    capabilities: dict[str, bool] = field(default_factory=dict)
    temperature_range: tuple[float, float] = (0.0, 2.0)
    as_of: str = ""
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
        capabilities = data.get("capabilities") or {}
        if not isinstance(capabilities, dict):
            raise ValueError("capabilities must be an object of true/false values")
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
            capabilities={str(k): bool(v) for k, v in capabilities.items()},
            temperature_range=(float(low), float(high)),
            as_of=str(data.get("as_of", "")),
            auto_routes=bool(data.get("auto_routes", False)),
        )

    def cost_usd(self, usage: Usage) -> float | None:
        """What ``usage`` cost, cached prompt tokens at the cached price; None if prices unknown."""
        if self.price_in is None or self.price_out is None:
            return None
        cached = min(usage.cached_tokens, usage.prompt_tokens)
        cached_price = self.price_in if self.price_in_cached is None else self.price_in_cached
        total = (
            (usage.prompt_tokens - cached) * self.price_in
            + cached * cached_price
            + usage.completion_tokens * self.price_out
        )
        return total / 1_000_000


def _price(value: Any) -> float | None:
    return None if value is None else float(value)


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

    def for_provider(self, provider_kind: str) -> list[ModelInfo]:
        """The entries of one provider kind (``moonshot``, ``openai``...)."""
        return [m for m in self._models.values() if m.provider == provider_kind]

    def cost_usd(self, model_id: str, usage: Usage) -> float | None:
        """The cost of ``usage`` on ``model_id``; None when the model or its prices are unknown."""
        model = self.get(model_id)
        return None if model is None else model.cost_usd(usage)

    def family(self, family: str) -> list[ModelInfo]:
        """The entries of one family, in file order."""
        return [m for m in self._models.values() if m.family == family]

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
        models = _parse(list(merged.values()), path.name)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        message = f"Model catalog override {path} ignored, built-in figures used: {reason}"
        return Catalog(builtin, as_of, override_error=message)
    return Catalog(models, extra_as_of or as_of)
