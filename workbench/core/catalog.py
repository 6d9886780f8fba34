"""The model catalog: context windows, prices and capabilities, with the date they were true.

``resources/models.json`` ships the known figures; ``models.json`` in the config folder overrides
or adds entries. Prices are USD per million tokens; ``None`` means unknown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
            capabilities={str(k): bool(v) for k, v in (data.get("capabilities") or {}).items()},
            temperature_range=(float(low), float(high)),
            as_of=str(data.get("as_of", "")),
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

    def __init__(self, models: list[ModelInfo], as_of: str = "") -> None:
        self._models = {m.id: m for m in models}
        self.as_of = as_of

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


def read_catalog_file(path: Path) -> tuple[list[ModelInfo], str]:
    """The entries of one catalog file and its date; ValueError naming the entry when wrong."""
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data.get("models") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f'{path.name}: expected {{"models": [...]}}')
    models = []
    for number, entry in enumerate(entries):
        try:
            models.append(ModelInfo.from_json(entry))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{path.name}: models[{number}] is invalid ({error})") from None
    return models, str(data.get("as_of", ""))


def load_builtin_catalog() -> Catalog:
    """The catalog shipped with the app."""
    models, as_of = read_catalog_file(resources_dir() / "models.json")
    return Catalog(models, as_of)
