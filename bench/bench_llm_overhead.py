"""Framework overhead of LLM calls (complete, chat, streaming, async) and of PydanticOutputParser.

A trivial ``CustomLLM`` answers instantly, so everything measured is framework cost: validation, events,
chat → completion conversion, stream wrapping. The same LLM is built on llama-index-core's ``CustomLLM`` in its
own venv (``bench/.venv-llamaindex``, created with uv and shared with the other bench scripts) and measured in
the same run.

Usage: ``.venv/bin/python bench/bench_llm_overhead.py`` (``--no-peer`` skips llama-index-core).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _peers import llama_index_core_python
from _peers import run_worker

BENCH = Path(__file__).resolve().parent
CALLS, REPEATS = 2000, 5

# Runs in both interpreters on identical inputs; prints microseconds per operation as JSON.
WORKER = textwrap.dedent(
    """
    import asyncio, json, sys, time

    CALLS, REPEATS, FLAVOUR = json.loads(sys.argv[1])
    if FLAVOUR == "dovetail":
        from dovetail.core.callbacks import BaseCallbackHandler, CallbackManager
        from dovetail.core.llms import ChatMessage, CompletionResponse, CustomLLM, LLMMetadata
        from dovetail.core.llms import llm_completion_callback
        from dovetail.core.output_parsers import PydanticOutputParser
    else:
        from llama_index.core.callbacks import CallbackManager
        from llama_index.core.callbacks.base_handler import BaseCallbackHandler
        from llama_index.core.llms import ChatMessage, CompletionResponse, CustomLLM, LLMMetadata
        from llama_index.core.llms.callbacks import llm_completion_callback
        from llama_index.core.output_parsers import PydanticOutputParser
    from pydantic import BaseModel

    class Fixed(CustomLLM):
        @property
        def metadata(self):
            return LLMMetadata(model_name="fixed")

        @llm_completion_callback()
        def complete(self, prompt, formatted=False, **kwargs):
            return CompletionResponse(text="an answer of a few words")

        @llm_completion_callback()
        def stream_complete(self, prompt, formatted=False, **kwargs):
            def gen():
                text = ""
                for _ in range(20):
                    text += "x "
                    yield CompletionResponse(text=text, delta="x ")
            return gen()

    class Noop(BaseCallbackHandler):
        def __init__(self):
            super().__init__([], [])
        def on_event_start(self, event_type, payload=None, event_id="", parent_id="", **kwargs):
            return event_id
        def on_event_end(self, event_type, payload=None, event_id="", **kwargs):
            return None
        def start_trace(self, trace_id=None):
            return None
        def end_trace(self, trace_id=None, trace_map=None):
            return None

    PROMPT = "Context: dovetail joints resist being pulled apart. " * 4 + "Question: why? Answer:"
    MESSAGES = [ChatMessage(role="user", content=PROMPT)]

    def best(fn, calls):
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            times.append(time.perf_counter() - start)
        return min(times) / calls * 1e6

    plain = Fixed(callback_manager=CallbackManager([]))
    observed = Fixed(callback_manager=CallbackManager([Noop()]))
    result = {
        "complete": best(lambda: plain.complete(PROMPT), CALLS),
        "complete + handler": best(lambda: observed.complete(PROMPT), CALLS),
        "chat": best(lambda: plain.chat(MESSAGES), CALLS),
        "stream_complete (20 chunks)": best(lambda: list(plain.stream_complete(PROMPT)), CALLS // 4),
    }

    async def acomplete_many(n):
        for _ in range(n):
            await plain.acomplete(PROMPT)

    result["acomplete"] = best(lambda: asyncio.run(acomplete_many(CALLS // 4)), 1) / (CALLS // 4)

    class Book(BaseModel):
        title: str
        year: int
        tags: list[str]

    parser = PydanticOutputParser(Book)
    output = 'Sure! Here it is:\\n```json\\n{"title": "Dune {1}", "year": 1965, "tags": ["sf", "desert"]}\\n```\\nBye.'
    assert parser.parse(output).year == 1965
    result["PydanticOutputParser.parse"] = best(lambda: parser.parse(output), CALLS)
    print(json.dumps(result))
    """
)


def run(python: str | Path, flavour: str) -> dict[str, float]:
    return run_worker(python, WORKER, [CALLS, REPEATS, flavour])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-peer", action="store_true", help="skip the llama-index-core comparison")
    options = parser.parse_args()

    ours = run(sys.executable, "dovetail")
    peer: dict[str, float] | None = None
    version = ""
    if not options.no_peer:
        peer_python, version = llama_index_core_python()
        peer = run(peer_python, "llamaindex")

    header = "| operation | dovetail | " + (f"llama-index-core {version} | dovetail / llama-index |" if peer else "")
    print(header)
    print("|---|---|" + ("---|---|" if peer else ""))
    for name, mine in ours.items():
        line = f"| {name} | {mine:.1f} us |"
        if peer is not None:
            line += f" {peer[name]:.1f} us | {mine / peer[name]:.2f}x |"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
