"""The SDKs load once under one lock, whichever threads ask at the same time.

The window imports the OpenAI SDK on a worker thread while a first run, a model list or the
Anthropic transport may import an SDK on another; unguarded, Python's import deadlock detection
could hand one thread a half-initialised module (the self-test once logged "The OpenAI SDK cannot
be imported"). Run in a fresh interpreter so that the imports really happen here.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys, threading
    from workbench.core.sdk import load_anthropic, load_openai

    results, errors = [], []
    barrier = threading.Barrier(6)

    def work(load):
        barrier.wait()
        try:
            results.append(load().__name__)
        except BaseException as error:  # reported below, with its type
            errors.append(repr(error))

    threads = [threading.Thread(target=work, args=(f,)) for f in [load_openai, load_anthropic] * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results) == ["anthropic"] * 3 + ["openai"] * 3, results
    import openai, anthropic
    assert openai.AsyncOpenAI and anthropic.AsyncAnthropic
    print("ok")
    """
)


def test_concurrent_first_loads_all_get_the_whole_module() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_a_loaded_sdk_is_returned_as_is() -> None:
    from workbench.core.sdk import load_openai

    first = load_openai()
    assert load_openai() is first
    assert first is sys.modules["openai"]
