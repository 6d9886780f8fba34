"""KeyStore over keyring (in-memory backend here) and key redaction."""

from __future__ import annotations

import pytest
from keyring.backends import chainer, fail

from tests.memory_keyring import MemoryKeyring, installed
from workbench.core.providers import preset
from workbench.core.secrets import SERVICE, KeyStore, NoKeyringError, redact

MOONSHOT = preset("moonshot")
assert MOONSHOT is not None


def test_set_get_delete_through_the_current_backend(memory_keyring: MemoryKeyring) -> None:
    store = KeyStore()
    store.set("moonshot", " sk-live-123456789 ")

    assert store.get("moonshot") == "sk-live-123456789"
    assert memory_keyring.passwords == {(SERVICE, "moonshot"): "sk-live-123456789"}
    store.delete("moonshot")
    assert store.get("moonshot") is None
    store.delete("moonshot")  # deleting twice is not an error


def test_keyring_wins_over_the_environment(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-from-env-0000")
    store = KeyStore()
    assert store.resolve_key(MOONSHOT) == "sk-from-env-0000"
    assert store.key_source(MOONSHOT) == "MOONSHOT_API_KEY"

    store.set("moonshot", "sk-from-keyring-1111")

    assert store.resolve_key(MOONSHOT) == "sk-from-keyring-1111"
    assert store.key_source(MOONSHOT) == "keyring"


@pytest.mark.parametrize(
    "backend", [fail.Keyring(), chainer.ChainerBackend()], ids=["fail", "empty-chainer"]
)
def test_no_keyring_is_said_and_the_environment_still_works(
    backend: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    if isinstance(backend, chainer.ChainerBackend):
        monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    store = KeyStore(backend)

    assert not store.available()
    assert store.backend_name() == "none"
    with pytest.raises(NoKeyringError, match="environment variable"):
        store.set("moonshot", "sk-abcdefgh")
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-env-key-2222")
    assert store.resolve_key(MOONSHOT) == "sk-env-key-2222"


def test_backend_name_is_readable() -> None:
    with installed(MemoryKeyring()):
        store = KeyStore()
        assert store.available()
        assert "MemoryKeyring" in store.backend_name()


def test_a_failing_backend_error_is_redacted(memory_keyring: MemoryKeyring) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("D-Bus said no to sk-leakedkey123456")

    memory_keyring.set_password = broken  # type: ignore[method-assign]

    with pytest.raises(Exception) as caught:
        KeyStore().set("moonshot", "sk-leakedkey123456")
    assert "sk-leakedkey123456" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Incorrect API key provided: sk-proj-abcDEF123456", "sk-proj-abcDEF123456"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc", "eyJhbGciOiJIUzI1NiJ9.abc"),
        ('{"api_key": "mk-1234567890abcdef"}', "mk-1234567890abcdef"),
    ],
)
def test_redact_masks_key_like_strings(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_redact_masks_a_known_key_of_any_shape_and_keeps_the_rest() -> None:
    text = "failed with key Zz9-custom-key-000 at api.example.com"

    assert redact(text, "Zz9-custom-key-000") == "failed with key sk-*** at api.example.com"
    assert redact("task-force sk- skill") == "task-force sk- skill"


def test_a_file_backend_counts_as_no_keyring_and_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class PlaintextKeyring(MemoryKeyring):
        """Stands for keyrings.alt's file backend, which keeps keys in a file."""

    monkeypatch.setattr(PlaintextKeyring, "__module__", "keyrings.alt.file")
    backend = PlaintextKeyring()
    store = KeyStore(backend)

    assert not store.available()
    with pytest.raises(NoKeyringError):
        store.set("moonshot", "sk-never-in-a-file-000")
    assert backend.passwords == {}
