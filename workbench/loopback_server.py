"""An HTTP server on 127.0.0.1 that plays scripted replies (Chat Completions and Messages API).

It speaks real HTTP and Server-Sent Events, the way Moonshot does (usage inside the last choice,
a duplicate top-level usage chunk, tool-call deltas keyed by index), and can inject the faults the
app must survive: HTTP errors with Moonshot error bodies, ``Retry-After``, slow first bytes, streams
cut mid-way and malformed SSE lines. Under ``/anthropic`` it speaks the Anthropic Messages API the
same way (named SSE events ``message_start`` ... ``message_stop``, ``thinking_delta``,
``input_json_delta``, ``{"type": "error", ...}`` bodies), from the same :class:`Reply` scripts.
The test suite, the benchmarks and ``--self-test`` use it; it needs only the standard library and
never listens beyond the loopback address.

Example:
    >>> with LoopbackServer() as server:                                  # doctest: +SKIP
    ...     server.queue(Reply(text="Hello there", chunks=3))
    ...     client = AsyncOpenAI(base_url=server.url, api_key="sk-test")
"""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """How the server answers one chat-completion request.

    Attributes:
        text: The answer's content, streamed in ``chunks`` pieces (one per word by default).
        chunks: How many content chunks to split ``text`` into.
        reasoning: ``reasoning_content`` streamed before the text, one chunk per word.
        tool_calls: Calls as ``{"id", "name", "arguments"}``; streamed as deltas, the arguments in
            two fragments each.
        omit_index: Leave ``index`` out of tool-call deltas (some servers do).
        finish_reason: The last choice's finish reason.
        usage: Usage to report; computed from the request and text when None.
        usage_in_choice: Put usage in the last chunk's ``choices[0].usage`` (Moonshot style).
        top_level_usage: Also send a top-level usage chunk when ``stream_options.include_usage``.
        status: HTTP status; not 200 sends ``{"error": {"type", "message"}}`` instead.
        error_type: The error body's type.
        error_message: The error body's message.
        headers: Extra response headers (``Retry-After``, say).
        first_byte_delay: Seconds to wait before answering.
        chunk_delay: Seconds to wait between chunks.
        cut_after: Close the connection after this many chunks, without ``[DONE]``.
        garbage_after: Send a malformed SSE data line after this many chunks.
        error_after: Send ``{"error": {"type": error_type, "message": error_message}}`` as an SSE
            event after this many chunks and end the stream (an error reported mid-stream).
        stream: False answers a streaming request with one ``chat.completion`` JSON body, as
            servers that ignore ``stream`` do.
        raw_body: Answer with exactly these bytes (status ``status``, type ``content_type``)
            instead of anything above: an HTML error page, a JSON body of any shape.
        content_type: The Content-Type of ``raw_body`` or ``raw_events``.
        raw_events: SSE ``data:`` payloads sent as they are (any JSON shape, or not JSON at all),
            each as one event, then ``[DONE]``; replaces the scripted chunks.
        endless: Keep sending content chunks of ``text`` until the client goes away.
        gzip: Compress the body (``Content-Encoding: gzip``); with ``endless``, a stream of
            compressed zeros that inflates without end (a gzip bomb).
        redirect_to: Answer 307 with this ``Location`` (a redirect, to another origin maybe).
    """

    text: str = "Hello from the loopback server."
    chunks: int | None = None
    reasoning: str = ""
    tool_calls: list[dict[str, str]] = field(default_factory=list)
    omit_index: bool = False
    finish_reason: str | None = None
    usage: dict[str, int] | None = None
    usage_in_choice: bool = True
    top_level_usage: bool = True
    status: int = 200
    error_type: str = "invalid_request_error"
    error_message: str = "Bad request"
    headers: dict[str, str] = field(default_factory=dict)
    first_byte_delay: float = 0.0
    chunk_delay: float = 0.0
    cut_after: int | None = None
    garbage_after: int | None = None
    error_after: int | None = None
    stream: bool = True
    raw_body: bytes | None = None
    content_type: str = "application/json"
    raw_events: list[bytes] | None = None
    endless: bool = False
    gzip: bool = False
    redirect_to: str | None = None


def split_text(text: str, chunks: int | None) -> list[str]:
    """``text`` in ``chunks`` nearly equal pieces (by words when ``chunks`` is None)."""
    if not text:
        return []
    if chunks is None:
        words = text.split(" ")
        return [w + " " for w in words[:-1]] + [words[-1]]
    chunks = max(1, min(chunks, len(text)))
    size, rest = divmod(len(text), chunks)
    pieces, start = [], 0
    for i in range(chunks):
        end = start + size + (1 if i < rest else 0)
        pieces.append(text[start:end])
        start = end
    return pieces


@dataclass
class Received:
    """A request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


class LoopbackServer:
    """A threaded OpenAI-compatible server on 127.0.0.1, started and stopped as a context manager.

    Attributes:
        api_key: When set, requests without ``Authorization: Bearer <api_key>`` get a 401.
        models: Ids listed by ``GET /v1/models``.
        balance: What ``GET /v1/users/me/balance`` reports.
        count_tokens: Computes the exact count for ``/tokenizers/estimate-token-count``.
        count_reply: Status, delay and redirect of the count endpoint (a Reply; only those used).
        models_reply: How ``GET /v1/models`` answers: its status and error body when not 200.
        balance_reply: How ``GET /v1/users/me/balance`` answers when its status is not 200.
        responder: When set, called with each chat request's body; a Reply it returns answers
            that request (per-request answers: an evaluation's cases), None falls back to the
            queues.
        requests: Every request received, in order.
    """

    def __init__(self, *, api_key: str | None = None) -> None:
        self.api_key = api_key
        self.models: list[str] = [
            "kimi-k2.6",
            "moonshot-v1-8k",
            "moonshot-v1-32k",
            "moonshot-v1-128k",
        ]
        self.balance = {"available_balance": 49.5, "voucher_balance": 0.0, "cash_balance": 49.5}
        self.count_tokens: Callable[[dict[str, Any]], int] = _rough_count
        self.count_reply = Reply()
        self.models_reply = Reply()
        self.balance_reply = Reply()
        self.default_reply = Reply()
        self.responder: Callable[[dict[str, Any]], Reply | None] | None = None
        self.requests: list[Received] = []
        self._replies: deque[Reply] = deque()
        self._model_replies: dict[str, deque[Reply]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Control ---------------------------------------------------------------------------------

    def queue(self, *replies: Reply) -> None:
        """Answers the next chat requests with ``replies``, in order; then ``default_reply``."""
        with self._lock:
            self._replies.extend(replies)

    def queue_for_model(self, model: str, *replies: Reply) -> None:
        """Answers the next chat requests for ``model`` with ``replies``, before the shared queue.

        Concurrent requests arrive in any order; keying replies by model keeps each one's script.
        """
        with self._lock:
            self._model_replies.setdefault(model, deque()).extend(replies)

    def next_reply(self, model: str | None = None, body: dict[str, Any] | None = None) -> Reply:
        """The reply to the next chat request (for ``model``, when it has queued replies)."""
        if self.responder is not None and body is not None:
            reply = self.responder(body)
            if reply is not None:
                return reply
        with self._lock:
            own = self._model_replies.get(model or "")
            if own:
                return own.popleft()
            return self._replies.popleft() if self._replies else self.default_reply

    def chat_requests(self) -> list[Any]:
        """The bodies of the chat-completion requests received so far."""
        return [r.body for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def url(self) -> str:
        """The base URL to give an OpenAI client (``http://127.0.0.1:PORT/v1``)."""
        assert self._server is not None, "server not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def anthropic_url(self) -> str:
        """The base URL to give an Anthropic client (``http://127.0.0.1:PORT/anthropic``).

        It speaks the Messages API under it, as Moonshot's ``/anthropic`` does:
        ``POST /anthropic/v1/messages`` (its SSE events), ``POST .../v1/messages/count_tokens``
        and ``GET .../v1/models``.
        """
        assert self._server is not None, "server not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/anthropic"

    def message_requests(self) -> list[Any]:
        """The bodies of the Messages API requests received so far."""
        return [r.body for r in self.requests if r.path.endswith("/v1/messages")]

    def start(self) -> LoopbackServer:
        """Starts listening on a free port of 127.0.0.1."""
        handler = type("Handler", (_Handler,), {"owner": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # A short poll interval: stop() waits for the next poll (0.5 s by default, per server).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops the server and its thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _rough_count(body: dict[str, Any]) -> int:
    """A deterministic stand-in for a provider tokenizer: 1 token per 4 characters + 4/message."""
    messages = body.get("messages") or []
    return sum(4 + len(str(m.get("content") or "")) // 4 for m in messages if isinstance(m, dict))


class _Handler(BaseHTTPRequestHandler):
    owner: LoopbackServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests read ``requests`` instead."""

    # Plumbing --------------------------------------------------------------------------------

    def _record(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        self.owner.requests.append(Received(self.command, self.path, dict(self.headers), body))
        return body

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, reply: Reply) -> None:
        body = {"error": {"type": reply.error_type, "message": reply.error_message}}
        self._json(reply.status, body, reply.headers)

    def _authorised(self) -> bool:
        key = self.owner.api_key
        if key is None or self.headers.get("Authorization") == f"Bearer {key}":
            return True
        if self.path.startswith("/anthropic") and self.headers.get("x-api-key") == key:
            return True  # the Messages API's own header
        self._json(
            401,
            {
                "error": {
                    "type": "invalid_authentication_error",
                    "message": "Invalid Authentication",
                }
            },
        )
        return False

    # Routes ----------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._record()
        if not self._authorised():
            return
        listing = self.owner.models_reply
        if self.path.endswith("/models") and listing.raw_body is not None:
            # A web page (or any body) where the model list should be: a gateway, a typo.
            self._raw(listing.status, listing.raw_body, listing.content_type, listing.headers)
        elif self.path.endswith("/models") and self.owner.models_reply.status != 200:
            self._error(self.owner.models_reply)
        elif self.path.endswith("/models"):
            data = [{"id": m, "object": "model", "owned_by": "loopback"} for m in self.owner.models]
            self._json(200, {"object": "list", "data": data})
        elif self.path.endswith("/users/me/balance") and self.owner.balance_reply.status != 200:
            self._error(self.owner.balance_reply)
        elif self.path.endswith("/users/me/balance"):
            self._json(200, {"code": 0, "data": self.owner.balance, "status": True})
        else:
            self._json(404, {"error": {"type": "resource_not_found_error", "message": "Not found"}})

    def do_POST(self) -> None:
        body = self._record()
        if not self._authorised():
            return
        if self.path.endswith("/tokenizers/estimate-token-count"):
            reply = self.owner.count_reply
            time.sleep(reply.first_byte_delay)
            if reply.redirect_to is not None:
                self._raw(307, b"", reply.content_type, {"Location": reply.redirect_to})
            elif reply.status != 200:
                self._error(reply)
            else:
                total = self.owner.count_tokens(body if isinstance(body, dict) else {})
                self._json(200, {"code": 0, "data": {"total_tokens": total}, "status": True})
        elif self.path.endswith("/chat/completions"):
            self._chat(body if isinstance(body, dict) else {})
        elif self.path.endswith("/v1/messages/count_tokens"):
            self._count_messages(body if isinstance(body, dict) else {})
        elif self.path.endswith("/v1/messages"):
            self._messages(body if isinstance(body, dict) else {})
        else:
            self._json(404, {"error": {"type": "resource_not_found_error", "message": "Not found"}})

    def _chat(self, body: dict[str, Any]) -> None:
        model = body.get("model")
        reply = self.owner.next_reply(model if isinstance(model, str) else None, body)
        time.sleep(reply.first_byte_delay)
        if reply.redirect_to is not None:
            self._raw(307, b"", reply.content_type, {"Location": reply.redirect_to})
            return
        if reply.raw_body is not None:
            self._raw(reply.status, reply.raw_body, reply.content_type, reply.headers, reply.gzip)
            return
        if reply.status != 200:
            self._error(reply)
            return
        if reply.endless or reply.raw_events is not None:
            self._special_stream(reply)
            return
        model = body.get("model", "loopback")
        finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
        usage = reply.usage or {
            "prompt_tokens": _rough_count(body),
            "completion_tokens": max(1, len(reply.text) // 4),
        }
        usage = {**usage, "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"]}
        if body.get("stream") and reply.stream:
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            self._stream(reply, model, finish, usage, include_usage)
            return
        message: dict[str, Any] = {"role": "assistant", "content": reply.text}
        if reply.reasoning:
            message["reasoning_content"] = reply.reasoning
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": c["id"],
                    "type": "function",
                    "function": {"name": c["name"], "arguments": c["arguments"]},
                }
                for c in reply.tool_calls
            ]
        self._json(
            200,
            {
                "id": "cmpl-loopback",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": usage,
            },
            reply.headers,
        )

    def _stream(
        self, reply: Reply, model: str, finish: str, usage: dict[str, int], include_usage: bool
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.close_connection = True
        created = int(time.time())

        def chunk(delta: dict[str, Any], **choice: Any) -> dict[str, Any]:
            return {
                "id": "cmpl-loopback",
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": None, **choice}],
            }

        events: list[dict[str, Any]] = [chunk({"role": "assistant", "content": ""})]
        events += [chunk({"reasoning_content": w}) for w in split_text(reply.reasoning, None)]
        events += [chunk({"content": piece}) for piece in split_text(reply.text, reply.chunks)]
        for index, call in enumerate(reply.tool_calls):
            args = call["arguments"]
            half = len(args) // 2
            first: dict[str, Any] = {
                "index": index,
                "id": call["id"],
                "type": "function",
                "function": {"name": call["name"], "arguments": args[:half]},
            }
            second: dict[str, Any] = {"index": index, "function": {"arguments": args[half:]}}
            if reply.omit_index:
                first.pop("index")
                second.pop("index")
            events.append(chunk({"tool_calls": [first]}))
            events.append(chunk({"tool_calls": [second]}))
        last = chunk({}, finish_reason=finish)
        if reply.usage_in_choice:
            last["choices"][0]["usage"] = usage
        events.append(last)
        if include_usage and reply.top_level_usage:
            events.append({**chunk({}), "choices": [], "usage": usage})

        try:
            buffer: list[bytes] = []
            for number, event in enumerate(events):
                if reply.cut_after is not None and number >= reply.cut_after:
                    self._flush(buffer)
                    return  # closing without [DONE]: the stream is cut
                if reply.error_after is not None and number == reply.error_after:
                    error = {"error": {"type": reply.error_type, "message": reply.error_message}}
                    buffer.append(b"data: " + json.dumps(error).encode() + b"\n\n")
                    self._flush(buffer)
                    return
                if reply.garbage_after is not None and number == reply.garbage_after:
                    buffer.append(b"data: {not json at all\n\n")
                buffer.append(b"data: " + json.dumps(event).encode() + b"\n\n")
                if reply.chunk_delay or len(buffer) >= 64:
                    self._flush(buffer)
                    time.sleep(reply.chunk_delay)
            buffer.append(b"data: [DONE]\n\n")
            self._flush(buffer)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: that is what Stop does

    # The Anthropic Messages API ---------------------------------------------------------------

    def _anthropic_error(self, status: int, kind: str, message: str, headers: Any = None) -> None:
        body = {"type": "error", "error": {"type": kind, "message": message}}
        self._json(status, body, {"request-id": "req_loopback", **(headers or {})})

    def _count_messages(self, body: dict[str, Any]) -> None:
        reply = self.owner.count_reply
        time.sleep(reply.first_byte_delay)
        if reply.redirect_to is not None:
            self._raw(307, b"", reply.content_type, {"Location": reply.redirect_to})
            return
        if reply.status != 200:
            self._anthropic_error(reply.status, reply.error_type, reply.error_message)
            return
        messages = list(body.get("messages") or [])
        if body.get("system"):
            messages.insert(0, {"role": "system", "content": body["system"]})
        total = self.owner.count_tokens({**body, "messages": messages})
        total += len(json.dumps(body.get("tools") or [])) // 4  # tools count here
        # The client may have given up waiting (a timeout test).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._json(200, {"input_tokens": total})

    def _messages(self, body: dict[str, Any]) -> None:
        model = body.get("model")
        reply = self.owner.next_reply(model if isinstance(model, str) else None, body)
        time.sleep(reply.first_byte_delay)
        if reply.redirect_to is not None:
            self._raw(307, b"", reply.content_type, {"Location": reply.redirect_to})
            return
        if reply.endless:
            self._endless_messages(reply)
            return
        if reply.status != 200:
            self._anthropic_error(
                reply.status, reply.error_type, reply.error_message, reply.headers
            )
            return
        if not isinstance(body.get("max_tokens"), int):
            self._anthropic_error(400, "invalid_request_error", "max_tokens: Field required")
            return
        finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
        stop_reason = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}.get(
            finish, finish
        )
        usage = dict(reply.usage or {})
        prompt = usage.pop("prompt_tokens", None)
        output = usage.pop("completion_tokens", max(1, len(reply.text) // 4))
        usage.pop("total_tokens", None)
        start_usage = {
            "input_tokens": _rough_count(body) if prompt is None else prompt,
            "output_tokens": 1,
            "cache_creation_input_tokens": usage.get("cache_creation_input_tokens", 0),
            "cache_read_input_tokens": usage.get("cache_read_input_tokens", 0),
        }
        events: list[tuple[str, dict[str, Any]]] = [
            (
                "message_start",
                {
                    "type": "message_start",
                    "message": {
                        "id": "msg_loopback",
                        "type": "message",
                        "role": "assistant",
                        "model": body.get("model", "loopback"),
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": start_usage,
                    },
                },
            ),
            ("ping", {"type": "ping"}),
        ]
        index = 0

        def block(kind: str, start: dict[str, Any], deltas: list[dict[str, Any]]) -> None:
            nonlocal index
            events.append(
                (
                    "content_block_start",
                    {"type": "content_block_start", "index": index, "content_block": start},
                )
            )
            for delta in deltas:
                events.append(
                    (
                        "content_block_delta",
                        {"type": "content_block_delta", "index": index, "delta": delta},
                    )
                )
            events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
            index += 1

        if reply.reasoning:
            thinking = [
                {"type": "thinking_delta", "thinking": w} for w in split_text(reply.reasoning, None)
            ]
            thinking.append({"type": "signature_delta", "signature": "c2lnbmF0dXJl"})
            block("thinking", {"type": "thinking", "thinking": "", "signature": ""}, thinking)
        if reply.text or not reply.tool_calls:
            pieces = split_text(reply.text, reply.chunks)
            block(
                "text",
                {"type": "text", "text": ""},
                [{"type": "text_delta", "text": p} for p in pieces],
            )
        for call in reply.tool_calls:
            args = call["arguments"]
            half = len(args) // 2
            block(
                "tool_use",
                {"type": "tool_use", "id": call["id"], "name": call["name"], "input": {}},
                [
                    {"type": "input_json_delta", "partial_json": args[:half]},
                    {"type": "input_json_delta", "partial_json": args[half:]},
                ],
            )
        events.append(
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                    "usage": {"output_tokens": output},
                },
            )
        )
        events.append(("message_stop", {"type": "message_stop"}))
        self._sse_events(reply, events)

    def _sse_events(self, reply: Reply, events: list[tuple[str, dict[str, Any]]]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.close_connection = True
        try:
            buffer: list[bytes] = []
            for number, (name, data) in enumerate(events):
                if reply.cut_after is not None and number >= reply.cut_after:
                    self._flush(buffer)
                    return  # closing before message_stop: the stream is cut mid-block
                if reply.error_after is not None and number == reply.error_after:
                    error = {
                        "type": "error",
                        "error": {"type": reply.error_type, "message": reply.error_message},
                    }
                    buffer.append(b"event: error\ndata: " + json.dumps(error).encode() + b"\n\n")
                    self._flush(buffer)
                    return
                if reply.garbage_after is not None and number == reply.garbage_after:
                    buffer.append(b"event: content_block_delta\ndata: {not json at all\n\n")
                line = f"event: {name}\ndata: {json.dumps(data)}\n\n"
                buffer.append(line.encode())
                if reply.chunk_delay or len(buffer) >= 64:
                    self._flush(buffer)
                    time.sleep(reply.chunk_delay)
            self._flush(buffer)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: that is what Stop does

    def _raw(
        self,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str],
        compress: bool = False,
    ) -> None:
        if compress:
            data = gzip.compress(data)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if compress:
            self.send_header("Content-Encoding", "gzip")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _special_stream(self, reply: Reply) -> None:
        """``raw_events`` as they are, or an endless stream (compressed: a gzip bomb)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        if reply.gzip:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.close_connection = True
        try:
            if reply.raw_events is not None:
                for payload in reply.raw_events:
                    self.wfile.write(b"data: " + payload + b"\n\n")
                    self.wfile.flush()
                    time.sleep(reply.chunk_delay)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                return
            if reply.gzip:
                self._gzip_bomb(b"data: ")
            event = {
                "id": "cmpl-loopback",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": "loopback",
                "choices": [{"index": 0, "delta": {"content": reply.text}, "finish_reason": None}],
            }
            line = b"data: " + json.dumps(event).encode() + b"\n\n"
            while True:
                self.wfile.write(line * 64)
                self.wfile.flush()
                if reply.chunk_delay:
                    time.sleep(reply.chunk_delay)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client stopped reading

    def _gzip_bomb(self, start: bytes) -> None:
        """``start``, then compressed zeros without end (1 MB compresses to about 1 KB)."""
        packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        self.wfile.write(packer.compress(start))
        zeros = b"0" * (1 << 20)
        while True:
            self.wfile.write(packer.compress(zeros) + packer.flush(zlib.Z_SYNC_FLUSH))
            self.wfile.flush()

    def _endless_messages(self, reply: Reply) -> None:
        """A Messages stream that never ends: ``text`` deltas (compressed: a gzip bomb)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        if reply.gzip:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.close_connection = True
        try:
            if reply.gzip:
                self._gzip_bomb(b"event: content_block_delta\ndata: ")
            message = {
                "id": "msg_loopback",
                "type": "message",
                "role": "assistant",
                "content": [],
                "usage": {"input_tokens": 1, "output_tokens": 1},
            }
            start = [
                ("message_start", {"type": "message_start", "message": message}),
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": 0,
                        "content_block": {"type": "text", "text": ""},
                    },
                ),
            ]
            for name, data in start:
                self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
            delta = {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": reply.text},
            }
            line = f"event: content_block_delta\ndata: {json.dumps(delta)}\n\n".encode()
            while True:
                self.wfile.write(line * 64)
                self.wfile.flush()
                if reply.chunk_delay:
                    time.sleep(reply.chunk_delay)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client stopped reading

    def _flush(self, buffer: list[bytes]) -> None:
        if buffer:
            self.wfile.write(b"".join(buffer))
            self.wfile.flush()
            buffer.clear()
