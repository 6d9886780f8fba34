"""KeyStore against a real Secret Service (gnome-keyring in a private D-Bus session).

``scripts/test`` starts one when the machine has it and sets WORKBENCH_SECRET_SERVICE=1; CI sets
WORKBENCH_REQUIRE_SECRET_SERVICE=1 so that a missing Secret Service fails instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from workbench.core.providers import ProviderConfig, preset
from workbench.core.secrets import SERVICE, KeyStore

pytestmark = pytest.mark.secret_service


@pytest.fixture
def secret_service() -> Iterator[object]:
    """keyring's SecretService backend, installed as the current backend."""
    if not os.environ.get("WORKBENCH_SECRET_SERVICE"):
        reason = (
            "no Secret Service: run ./scripts/test on a machine with dbus-run-session and "
            "gnome-keyring-daemon (it sets WORKBENCH_SECRET_SERVICE=1)"
        )
        if os.environ.get("WORKBENCH_REQUIRE_SECRET_SERVICE") == "1":
            pytest.fail(f"WORKBENCH_REQUIRE_SECRET_SERVICE=1 but {reason}")
        pytest.skip(reason)
    import keyring
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_a_key_is_stored_read_and_deleted_in_the_secret_service(secret_service: object) -> None:
    store = KeyStore()
    provider_id = f"test-{uuid.uuid4().hex[:8]}"
    key = f"sk-secret-service-{uuid.uuid4().hex}"

    assert store.available()
    assert store.backend_name() == "Secret Service"
    assert store.get(provider_id) is None

    store.set(provider_id, key)
    try:
        assert store.get(provider_id) == key
        # Another reader of the same Secret Service (a new process would be one) sees it.
        assert secret_service.get_password(SERVICE, provider_id) == key  # type: ignore[attr-defined]
        provider = ProviderConfig(
            provider_id,
            "Test",
            "custom",
            "http://localhost/v1",
            preset("ollama").prefill,
            "X",  # type: ignore[union-attr]
        )
        assert store.resolve_key(provider) == key
        assert store.key_source(provider) == "keyring"
    finally:
        store.delete(provider_id)

    assert store.get(provider_id) is None
    assert secret_service.get_password(SERVICE, provider_id) is None  # type: ignore[attr-defined]


def test_the_default_backend_in_the_session_is_the_secret_service(secret_service: object) -> None:
    # What the app gets without configuration: keyring's own choice in this session (the
    # fixture puts the previous backend back afterwards).
    import keyring.core

    keyring.core.init_backend()

    assert KeyStore().backend_name() == "Secret Service"
