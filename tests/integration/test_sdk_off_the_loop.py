"""The first run, exact count and model list load the SDK and TLS off the event loop's thread.

In the window that thread paints: the OpenAI SDK takes a second or more to import and the CA
bundle a few hundred ms to load, so a first Send before the window's warm-up import was done
froze the window (the model list and an exact count start on it too). Run in a fresh
interpreter, so that the imports really happen here, against the loopback server.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import asyncio, ssl, sys, threading
    from dataclasses import replace

    main = threading.main_thread()
    on_loop = []

    class Spy:  # sees the first import of a module, on the thread that does it
        def find_spec(self, name, path=None, target=None):
            if name in ("openai", "anthropic") and threading.current_thread() is main:
                on_loop.append("import " + name)
            return None

    sys.meta_path.insert(0, Spy())
    load_verify_locations = ssl.SSLContext.load_verify_locations

    def spy_tls(self, *args, **kwargs):
        if threading.current_thread() is main:
            on_loop.append("CA bundle")
        return load_verify_locations(self, *args, **kwargs)

    ssl.SSLContext.load_verify_locations = spy_tls

    from workbench.core.exact_count import ExactCountClient
    from workbench.core.model_lists import fetch_model_list
    from workbench.core.payloads import build_request
    from workbench.core.providers import preset
    from workbench.core.runner import Run
    from workbench.core.workspace import workspace_from_json
    from workbench.loopback_server import LoopbackServer, Reply

    workspace = workspace_from_json(
        {"format": "prompt-workbench/1", "messages": [{"role": "user", "content": "Hi"}],
         "params": {"provider": "moonshot", "model": "moonshot-v1-8k"}}
    )

    async def first_send(url):
        # What the first Send starts at once: the run, the provider's model list, a count.
        request = build_request(workspace, replace(preset("moonshot"), base_url=url))
        run = Run(request, "sk-test")
        result, ids, count = await asyncio.gather(
            run.wait(),
            fetch_model_list(url, "sk-test"),
            ExactCountClient(url, "sk-test").count("moonshot-v1-8k", workspace.sent_messages()),
        )
        return result.text, ids, count

    with LoopbackServer() as server:
        server.queue(Reply(text="Hello"))
        text, ids, count = asyncio.run(first_send(server.url))
        anthropic = fetch_model_list(server.anthropic_url, "sk-test", kind="anthropic")
        anthropic_ids = asyncio.run(anthropic)
    assert text == "Hello", text
    assert ids and anthropic_ids and count > 0, (ids, anthropic_ids, count)
    print("on the loop:", on_loop)
    """
)


def test_a_first_send_loads_no_sdk_and_no_tls_on_the_event_loop() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "on the loop: []"
