"""Feeds the params panel's provider and model selectors from the registry and the catalog.

The provider list is the :class:`~workbench.core.providers.ProviderRegistry` (presets and the
user's own); the model list is the catalog's models of the chosen provider's kind, followed by
the ids the provider itself listed in a connection test. Any id may still be typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from workbench.core.catalog import Catalog, load_builtin_catalog

if TYPE_CHECKING:
    from workbench.ui.shell.main_window import MainWindow


class ProviderFeed(QObject):
    """Keeps the provider and model selectors of one window in step.

    Signals:
        providers_changed(): the registry changed (a custom provider added, edited, removed).
        models_listed(provider_id, ids): a provider listed its models (a connection test).
    """

    providers_changed = Signal()
    models_listed = Signal(str, list)

    def __init__(self, window: MainWindow, catalog: Catalog | None = None) -> None:
        super().__init__(window)
        self.setObjectName("providerFeed")
        self._window = window
        self.catalog = catalog or load_builtin_catalog()
        #: Model ids each provider listed (``GET {base}/models``), by provider id.
        self.listed: dict[str, list[str]] = {}
        self._shown_for: tuple[str, tuple[str, ...]] | None = None
        window.workspace.changed.connect(self.refresh_models)
        window.document.loaded.connect(self.refresh_models)
        self.providers_changed.connect(self.refresh_providers)
        self.refresh_providers()

    @classmethod
    def of(cls, window: MainWindow) -> ProviderFeed:
        """The window's feed, created on first use (features share one)."""
        feed = window.findChild(cls, "providerFeed")
        return feed if isinstance(feed, cls) else cls(window)

    def models_for(self, provider_id: str) -> list[str]:
        """The model ids offered for ``provider_id``: catalog first, then listed ones."""
        provider = self._window.providers.get(provider_id)
        ids: list[str] = []
        if provider is not None:
            ids = [m.id for m in self.catalog.for_provider(provider.kind)]
        for model_id in self.listed.get(provider_id, []):
            if model_id not in ids:
                ids.append(model_id)
        return ids

    def add_listed(self, provider_id: str, models: Sequence[str]) -> None:
        """Merges the models a provider listed into its selector."""
        self.listed[provider_id] = list(models)
        self._shown_for = None
        self.refresh_models()
        self.models_listed.emit(provider_id, list(models))

    def refresh_providers(self) -> None:
        """Shows the registry's providers in the provider selector."""
        panel = self._window.params_panel
        panel.set_providers([(p.id, p.name) for p in self._window.providers.all()])
        self._shown_for = None
        self.refresh_models()
        self._window.message_list.refresh_cards()  # the partial rule depends on the provider

    def refresh_models(self) -> None:
        """Shows the models of the workspace's provider (only when that list changed)."""
        provider_id = self._window.workspace.params.provider
        models = tuple(self.models_for(provider_id))
        if self._shown_for == (provider_id, models):
            return
        self._shown_for = (provider_id, models)
        self._window.params_panel.set_models(models)
