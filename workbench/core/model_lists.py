"""The providers' own model lists (``GET /models``), fetched, cached with their date, merged.

The catalog knows windows and prices as of its date; which ids a provider serves today is the
provider's to say. :func:`fetch_model_list` asks it (Chat Completions ``GET {base}/models`` or the
Messages API's ``GET {base}/v1/models``); :class:`ModelListCache` keeps the last answer per provider
with the date it was fetched, in the app data folder, so the selector shows the list offline and
the linter can flag a model the provider no longer lists. A list that cannot be fetched (offline,
a gateway without the endpoint, an HTML page instead of JSON) raises :class:`ModelListError`
with a plain sentence; the catalog and the cached list stay usable.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.core import paths
from workbench.core.json_files import write_atomic
from workbench.core.sdk import load_anthropic, load_openai, load_openai_off_loop
from workbench.core.secrets import redact
from workbench.core.texts import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

#: Seconds before a model-list request gives up.
LIST_TIMEOUT_S = 15.0


class ModelListError(Exception):
    """The model list could not be fetched; the message says why in plain words."""


@dataclass(frozen=True)
class ModelList:
    """The ids a provider listed and the day it did."""

    ids: tuple[str, ...]
    fetched: str  # ISO date (YYYY-MM-DD)

    def describe(self) -> str:
        """ "12 models listed on 2026-12-02"."""
        return f"{len(self.ids)} models listed on {self.fetched}"


def parse_model_list(data: Any, base_url: str) -> list[str]:
    """The ids of a ``{"data": [{"id": ...}, ...]}`` answer; ModelListError when it is not one."""
    if isinstance(data, str | bytes):
        text = data if isinstance(data, str) else data.decode("utf-8", "replace")
        if "<html" in text[:500].lower():
            template = QT_TRANSLATE_NOOP(
                "ModelLists",
                "{url} answered the model list with an HTML page, not JSON: the base URL may "
                "point at a web page or a gateway that has no model list.",
            )
        else:
            template = QT_TRANSLATE_NOOP(
                "ModelLists",
                "{url} answered the model list with text, not JSON: the base URL may point at a "
                "web page or a gateway that has no model list.",
            )
        raise ModelListError(template.format(url=base_url))
    entries: Any = data
    if isinstance(data, dict):
        # OpenAI's {"data": [...]}, or {"models": [...]} (Ollama's native list, some gateways).
        entries = data.get("data") if isinstance(data.get("data"), list) else data.get("models")
    if not isinstance(entries, list):
        raise ModelListError(
            QT_TRANSLATE_NOOP(
                "ModelLists",
                "{url} answered the model list with JSON of another shape (no data list).",
            ).format(url=base_url)
        )
    ids = []
    for entry in entries:
        if isinstance(entry, str):
            ids.append(entry)
        elif isinstance(entry, dict):
            found = next(
                (entry[k] for k in ("id", "model", "name") if isinstance(entry.get(k), str)), None
            )
            if found:
                ids.append(found)
    return sorted(dict.fromkeys(ids))


async def fetch_model_list(
    base_url: str, api_key: str | None, *, kind: str = "openai", timeout: float = LIST_TIMEOUT_S
) -> list[str]:
    """The model ids ``base_url`` lists, sorted; ModelListError with the reason otherwise."""
    if kind == "anthropic":
        return await _fetch_anthropic(base_url, api_key, timeout)
    openai = await load_openai_off_loop()  # in the window, this loop paints it

    from workbench.core.http_guard import STATE_LINE_BYTES, guarded_http_client, load_tls_off_loop

    await load_tls_off_loop()

    client = openai.AsyncOpenAI(
        base_url=base_url,
        api_key=api_key or "not-needed",
        max_retries=0,
        timeout=timeout,
        http_client=guarded_http_client(base_url, max_line_bytes=STATE_LINE_BYTES),
    )
    try:
        data: Any = await client.get("/models", cast_to=object)
    except openai.OpenAIError as error:
        raise ModelListError(redact(describe_error(error, base_url), api_key)) from None
    finally:
        await client.close()
    return parse_model_list(data, base_url)


async def _fetch_anthropic(base_url: str, api_key: str | None, timeout: float) -> list[str]:
    from workbench.core.anthropic_transport import load_sdk_off_loop, make_client
    from workbench.core.http_guard import STATE_LINE_BYTES

    await load_sdk_off_loop()  # in the window, this loop paints it
    anthropic = load_anthropic()

    client = make_client(base_url, api_key, timeout, max_line_bytes=STATE_LINE_BYTES)
    try:
        data: Any = await client.get("/v1/models", cast_to=object)
    except anthropic.APITimeoutError:
        raise ModelListError(_NO_ANSWER.format(url=base_url)) from None
    except anthropic.APIConnectionError:
        raise ModelListError(_NO_CONNECTION.format(url=base_url)) from None
    except anthropic.APIStatusError as error:
        if error.status_code == 404:
            text = QT_TRANSLATE_NOOP(
                "ModelLists", "{url} has no model list (404): a gateway may not offer one."
            ).format(url=base_url)
        elif error.status_code == 401:
            text = _KEY_REFUSED
        else:
            text = QT_TRANSLATE_NOOP(
                "ModelLists", "The server answered {status} to the model list."
            ).format(status=error.status_code)
        raise ModelListError(redact(text, api_key)) from None
    finally:
        await client.close()
    return parse_model_list(data, base_url)


class ModelListCache:
    """The last model list of each provider with its date (``model_lists.json``, data folder).

    A file that cannot be read is ignored (the lists are fetched again), never raised.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.data_dir() / "model_lists.json"
        self._lists: dict[str, ModelList] | None = None

    def _load(self) -> dict[str, ModelList]:
        if self._lists is not None:
            return self._lists
        lists: dict[str, ModelList] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as error:
            log.warning("Model list cache not used (%s): %s", self.path, error)
            data = {}
        providers = data.get("providers") if isinstance(data, dict) else None
        for provider_id, entry in (providers if isinstance(providers, dict) else {}).items():
            ids = entry.get("ids") if isinstance(entry, dict) else None
            if isinstance(ids, list) and all(isinstance(i, str) for i in ids):
                lists[str(provider_id)] = ModelList(tuple(ids), str(entry.get("fetched", "")))
        self._lists = lists
        return lists

    def get(self, provider_id: str) -> ModelList | None:
        """The cached list of ``provider_id``, or None."""
        return self._load().get(provider_id)

    def all(self) -> dict[str, ModelList]:
        """Every cached list, by provider id."""
        return dict(self._load())

    def put(self, provider_id: str, ids: list[str], fetched: str | None = None) -> ModelList:
        """Keeps ``ids`` as ``provider_id``'s list (dated today) and saves; returns the entry."""
        entry = ModelList(tuple(ids), fetched or datetime.date.today().isoformat())
        lists = self._load()
        lists[provider_id] = entry
        payload = {
            "providers": {
                pid: {"ids": list(item.ids), "fetched": item.fetched} for pid, item in lists.items()
            }
        }
        try:
            write_atomic(self.path, json.dumps(payload, indent=1) + "\n", private=True)
        except OSError as error:  # a full disk costs the cache, not the list in memory
            log.warning("Model list cache not saved: %s", error)
        return entry


_NO_ANSWER = QT_TRANSLATE_NOOP("ModelLists", "{url} did not answer in time.")
_NO_CONNECTION = QT_TRANSLATE_NOOP(
    "ModelLists", "Cannot connect to {url}: is the address right and the server running?"
)
_KEY_REFUSED = QT_TRANSLATE_NOOP(
    "ModelLists", "The key was refused (401): check it, or store a new one."
)


def describe_error(error: BaseException, base_url: str) -> str:
    """One sentence saying why a request to ``base_url`` failed, with keys masked."""
    openai = load_openai()

    if isinstance(error, openai.APITimeoutError):
        return _NO_ANSWER.format(url=base_url)
    if isinstance(error, openai.APIConnectionError):
        return _NO_CONNECTION.format(url=base_url)
    if isinstance(error, openai.APIStatusError):
        message = _error_message(error.body) or error.message
        text: str
        if error.status_code == 401:
            text = _KEY_REFUSED
        elif error.status_code == 403:
            text = QT_TRANSLATE_NOOP(
                "ModelLists", "Access denied (403): the account may lack balance or permission."
            )
        elif error.status_code == 404:
            text = QT_TRANSLATE_NOOP(
                "ModelLists", "{url} has no model list (404): check the base URL."
            ).format(url=base_url)
        else:
            text = QT_TRANSLATE_NOOP("ModelLists", "The server answered {status}.").format(
                status=error.status_code
            )
        if not message:
            return redact(text)
        return redact(
            QT_TRANSLATE_NOOP("ModelLists", "{problem} {message}").format(
                problem=text, message=message
            )
        )
    return redact(
        QT_TRANSLATE_NOOP("ModelLists", "The test failed: {error}").format(error=str(error))
    )


def _error_message(body: object) -> str:
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    return ""
