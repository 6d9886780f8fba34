"""API keys in the OS keyring, and the redaction that keeps them out of every text the app shows.

Keys are stored through ``keyring`` (Secret Service, macOS Keychain, Windows Credential Locker)
under the service ``prompt-workbench`` with the provider id as user name. When no usable backend
exists the app says so and reads the provider's environment variable instead; it never writes a
key to a file.
"""

from __future__ import annotations

import logging
import os
import re
from typing import TYPE_CHECKING, Any

from workbench.core import slices
from workbench.core.texts import Text

if TYPE_CHECKING:
    from workbench.core.providers import ProviderConfig

log = logging.getLogger(__name__)

SERVICE = "prompt-workbench"

#: Key-like strings: OpenAI/Moonshot/DeepSeek style ``sk-...`` keys and bearer tokens.
_KEY_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9_\-.=+/]{8,}"),
    # A quoted value after an api_key name ("api_key": "...", api_key='...'), not code.
    re.compile(r"(?i)(api[_-]?key[\"']?\s*[:=]\s*[\"'])[A-Za-z0-9_\-.+/=]{8,}"),
)
MASK = "sk-***"


def redact(text: str, *known: str | None) -> str:
    """``text`` with key-like strings (and each of ``known``, the keys in use) masked.

    Args:
        text: Any text that may end up in a log, an error message, history or an export.
        *known: Keys that must not appear, whatever they look like (None and short values are
            ignored: masking "ab" everywhere would garble the text without protecting anything).
    """
    if isinstance(text, Text):  # a sentence the window translates: mask its values
        return text.mapped(lambda value: redact(value, *known))
    keys = [key for key in known if key and len(key) >= 6]
    for key in keys:
        if any(c.isspace() for c in key):  # may span a cut between slices: masked first
            text = text.replace(key, MASK)

    def mask(piece: str) -> str:
        for key in keys:
            piece = piece.replace(key, MASK)
        piece = _KEY_PATTERNS[0].sub(MASK, piece)
        piece = _KEY_PATTERNS[1].sub(lambda m: m.group(1) + MASK, piece)
        return _KEY_PATTERNS[2].sub(lambda m: m.group(1) + MASK, piece)

    # A long text (an answer of megabytes, recorded on a worker) is masked in slices, letting
    # the UI thread run between them: one pass over 10 MB held the GIL for 100-250 ms.
    return slices.in_slices(text, mask, _cut_between_keys)


_SPACE = re.compile(r"\s")
#: What may come (before white space) in a key pattern that goes on after the white space.
_KEY_LEADS = ("bearer", "key", ":", "=", '"', "'")


def _cut_between_keys(text: str, at: int) -> int:
    """A place at or after ``at`` that no key pattern matches across (see :func:`redact`).

    Just after a white space character: the patterns hold white space only after ``bearer``,
    after ``api_key`` (and its quote) and around the ``:``/``=`` that follows it, so a place
    whose text before it, white space left out, ends otherwise is not inside a match.
    """
    while True:
        found = _SPACE.search(text, at)
        if found is None:
            return len(text)
        place = found.end()
        before = text[max(0, place - 64) : place].rstrip().lower()
        if before and not before.endswith(_KEY_LEADS):
            return place
        at = place


class KeyStoreError(RuntimeError):
    """The keyring refused an operation; the message says what to do."""


class NoKeyringError(KeyStoreError):
    """No usable keyring backend exists on this system."""


_BACKEND_NAMES = {
    "keyring.backends.SecretService": "Secret Service",
    "keyring.backends.libsecret": "Secret Service (libsecret)",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Locker",
}


#: Backends that are no keyring for this app: failing, null, and keyrings.alt's files (a key in a
#: file in the home folder is exactly what the app promises never to write).
_UNUSABLE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt.file")


def _is_unusable(backend: Any) -> bool:
    module = type(backend).__module__
    if module in _UNUSABLE_MODULES:
        return True
    if module == "keyring.backends.chainer":
        return not any(not _is_unusable(b) for b in getattr(backend, "backends", []))
    return False


def _describe(backend: Any) -> str:
    module = type(backend).__module__
    if module == "keyring.backends.chainer":
        usable = [b for b in getattr(backend, "backends", []) if not _is_unusable(b)]
        return _describe(usable[0]) if usable else "none"
    if module in _UNUSABLE_MODULES:
        return "none"
    if module in _BACKEND_NAMES:
        return _BACKEND_NAMES[module]
    name = getattr(backend, "name", None)
    return name if isinstance(name, str) and name else type(backend).__name__


class KeyStore:
    """API keys by provider id, in the OS keyring.

    Args:
        backend: A keyring backend to use; None uses ``keyring``'s current one (tests install an
            in-memory backend with ``keyring.set_keyring``).
    """

    def __init__(self, backend: Any = None) -> None:
        self._backend = backend

    def _keyring(self) -> Any:
        if self._backend is not None:
            return self._backend
        import keyring  # imported on use: it probes D-Bus, which cold start need not wait for

        return keyring.get_keyring()

    def backend_name(self) -> str:
        """Where keys go, in words ("Secret Service", "macOS Keychain"...), or "none"."""
        try:
            return _describe(self._keyring())
        except Exception as error:  # a broken backend is "none", not a crash
            log.warning("Keyring backend unusable: %s", redact(str(error)))
            return "none"

    def available(self) -> bool:
        """Whether a usable keyring backend exists."""
        try:
            return not _is_unusable(self._keyring())
        except Exception:
            return False

    def _usable(self) -> Any:
        backend = self._keyring()
        if _is_unusable(backend):
            raise NoKeyringError(
                "No keyring is available on this system (no Secret Service, Keychain or "
                "Credential Locker was found), so keys cannot be saved. Set the provider's "
                "environment variable instead, for instance MOONSHOT_API_KEY."
            )
        return backend

    def get(self, provider_id: str) -> str | None:
        """The key saved for ``provider_id``, or None; NoKeyringError without a keyring."""
        backend = self._usable()
        try:
            value = backend.get_password(SERVICE, provider_id)
        except Exception as error:
            raise KeyStoreError(f"The keyring could not be read: {redact(str(error))}") from None
        return value if isinstance(value, str) and value else None

    def has_key(self, provider_id: str) -> bool:
        """Whether a key is saved for ``provider_id`` (False when there is no keyring)."""
        try:
            return self.get(provider_id) is not None
        except KeyStoreError:
            return False

    def set(self, provider_id: str, key: str) -> None:
        """Saves ``key`` for ``provider_id``; NoKeyringError or KeyStoreError when it cannot."""
        key = key.strip()
        if not key:
            raise KeyStoreError("The key is empty.")
        backend = self._usable()
        try:
            backend.set_password(SERVICE, provider_id, key)
        except Exception as error:
            raise KeyStoreError(
                f"The keyring refused to save the key: {redact(str(error), key)}"
            ) from None

    def delete(self, provider_id: str) -> None:
        """Removes the key of ``provider_id``; nothing happens when there is none."""
        backend = self._usable()
        from keyring.errors import PasswordDeleteError

        try:
            backend.delete_password(SERVICE, provider_id)
        except PasswordDeleteError:
            pass  # no key saved: the goal is reached
        except Exception as error:
            raise KeyStoreError(
                f"The keyring refused to delete the key: {redact(str(error))}"
            ) from None

    def resolve_key(self, provider: ProviderConfig) -> str | None:
        """The key to send for ``provider``: the keyring's, else its environment variable's."""
        try:
            key = self.get(provider.id)
        except KeyStoreError as error:
            log.info("Keyring not used for %s: %s", provider.id, error)
            key = None
        if key:
            return key
        value = os.environ.get(provider.key_env, "").strip() if provider.key_env else ""
        return value or None

    def key_source(self, provider: ProviderConfig) -> str | None:
        """Where :meth:`resolve_key` finds the key: "keyring", the variable's name, or None."""
        if self.has_key(provider.id):
            return "keyring"
        if provider.key_env and os.environ.get(provider.key_env, "").strip():
            return provider.key_env
        return None
