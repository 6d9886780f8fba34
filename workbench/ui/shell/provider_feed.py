"""Feeds the params panel's provider and model selectors from the registry and the catalog.

The provider list is the :class:`~workbench.core.providers.ProviderRegistry` (presets and the
user's own); the model list is the app's one catalog's models of the chosen provider's kind (the
user's ``models.json`` override included), followed by the ids the provider itself listed in a
connection test. Any id may still be typed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from workbench.ui.common.i18n import provider_name
from workbench.ui.context import AppContext
from workbench.ui.conversation.message_list import MessageListView
from workbench.ui.shell.params_panel import ParamsPanel


class ProviderFeed(QObject):
    """Keeps the provider and model selectors of one window in step with the context.

    Args:
        context: The providers, the catalog and the workspace.
        panel: The parameters panel whose selectors it fills.
        cards: The card column (the partial rule depends on the provider).
    """

    def __init__(self, context: AppContext, panel: ParamsPanel, cards: MessageListView) -> None:
        super().__init__(context)
        self.setObjectName("providerFeed")
        self._panel = panel
        self._cards = cards
        self._context = context
        self._shown_for: tuple[str, tuple[str, ...]] | None = None
        # The model selector offers the models of the workspace's provider.
        context.workspace.params_changed.connect(
            lambda name: self.refresh_models() if name == "provider" else None
        )
        context.workspace.reset.connect(self.refresh_models)
        context.document.loaded.connect(self.refresh_models)
        context.providers_changed.connect(self.refresh_providers)
        context.catalog_changed.connect(self.refresh_models)
        self.refresh_providers()

    def models_for(self, provider_id: str) -> list[str]:
        """The model ids offered for ``provider_id``: catalog first, then listed ones."""
        provider = self._context.providers.get(provider_id)
        ids: list[str] = []
        if provider is not None:
            models = self._context.catalog.for_provider(provider.catalog_kind)
            ids = [m.id for m in models if not m.listed_only]
        for model_id in self._context.listed.get(provider_id, []):
            if model_id not in ids:
                ids.append(model_id)
        return ids

    def refresh_providers(self) -> None:
        """Shows the registry's providers in the provider selector."""
        self._panel.set_providers(
            [(p.id, provider_name(p.name)) for p in self._context.providers.all()]
        )
        self._shown_for = None
        self.refresh_models()
        self._cards.refresh_cards()  # the partial rule depends on the provider

    def refresh_models(self) -> None:
        """Shows the models of the workspace's provider (only when that list changed)."""
        provider_id = self._context.workspace.params.provider
        models = tuple(self.models_for(provider_id))
        if self._shown_for == (provider_id, models):
            return
        self._shown_for = (provider_id, models)
        self._panel.set_models(models)
