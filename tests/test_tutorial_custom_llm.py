"""LlamaIndex's custom-LLM tutorial (a ``CustomLLM`` over a ``SummaryIndex``) with only the import prefix changed.

One line of the tutorial is left out: ``Settings.embed_model = "local:BAAI/bge-base-en-v1.5"`` downloads a model
from a hub, and a ``SummaryIndex`` never embeds anything. The tutorial's LLM answers with a fixed text, so the
test also checks, through a recording subclass, that the query really reached it with the document's text.
"""

from __future__ import annotations

from pathlib import Path

from .conftest import run_offline
from .tutorial_essay import as_dovetail
from .tutorial_essay import write_essay

CUSTOM_LLM = """
from typing import Optional, List, Mapping, Any

from llama_index.core import SimpleDirectoryReader, SummaryIndex
from llama_index.core.callbacks import CallbackManager
from llama_index.core.llms import (
    CustomLLM,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core import Settings


class OurLLM(CustomLLM):
    context_window: int = 3900
    num_output: int = 256
    model_name: str = "custom"
    dummy_response: str = "My response"

    @property
    def metadata(self) -> LLMMetadata:
        \"\"\"Get LLM metadata.\"\"\"
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.num_output,
            model_name=self.model_name,
        )

    @llm_completion_callback()
    def complete(self, prompt: str, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self.dummy_response)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, **kwargs: Any
    ) -> CompletionResponseGen:
        response = ""
        for token in self.dummy_response:
            response += token
            yield CompletionResponse(text=response, delta=token)


# define our LLM
Settings.llm = OurLLM()

# Load the your data
documents = SimpleDirectoryReader("./data").load_data()
index = SummaryIndex.from_documents(documents)

# Query and print response
query_engine = index.as_query_engine()
response = query_engine.query("What did the author do growing up?")
print(response)
"""

CHECKS = """
prompts = []


class RecordingLLM(OurLLM):
    def complete(self, prompt, **kwargs):
        prompts.append(prompt)
        return super().complete(prompt, **kwargs)

    def stream_complete(self, prompt, **kwargs):
        prompts.append(prompt)
        return super().stream_complete(prompt, **kwargs)


Settings.llm = RecordingLLM()
streamed = SummaryIndex.from_documents(documents).as_query_engine(streaming=True).query("What about YC?")
print("STREAM:" + "".join(streamed.response_gen))
print("CALLS:", len(prompts), "ESSAY_IN_PROMPT:", "IBM 1401" in prompts[0], "QUERY_IN_PROMPT:", "YC" in prompts[0])
"""


def test_custom_llm_tutorial(tmp_path: Path) -> None:
    write_essay(tmp_path)
    run = run_offline(as_dovetail(CUSTOM_LLM), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.network_attempts == []
    assert run.stdout.strip() == "My response"


def test_custom_llm_tutorial_llm_gets_the_documents_and_streams(tmp_path: Path) -> None:
    write_essay(tmp_path)
    run = run_offline(as_dovetail(CUSTOM_LLM + CHECKS), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert lines[-2] == "STREAM:My response"
    assert lines[-1] == "CALLS: 1 ESSAY_IN_PROMPT: True QUERY_IN_PROMPT: True"
