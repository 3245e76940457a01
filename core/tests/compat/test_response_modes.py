"""Every LlamaIndex response mode, as response_mode= strings and ResponseMode, sync/async/streaming."""

from __future__ import annotations

import pytest
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.prompts import PromptTemplate
from dovetail.core.response_synthesizers import AsyncStreamingResponse
from dovetail.core.response_synthesizers import Response
from dovetail.core.response_synthesizers import ResponseMode
from dovetail.core.response_synthesizers import StreamingResponse
from dovetail.core.response_synthesizers import get_response_synthesizer
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import TextNode

from ._llm import DigestLLM
from ._llm import RecordingLLM

QUESTION = "Which joint is strongest?"


def nodes(count: int = 4, words: int = 40) -> list[NodeWithScore]:
    return [
        NodeWithScore(node=TextNode(text=f"chunk{i} " + " ".join(f"w{i}x{j}" for j in range(words))), score=1.0)
        for i in range(count)
    ]


def test_every_llamaindex_mode_is_a_response_mode() -> None:
    names = {
        "refine",
        "compact",
        "simple_summarize",
        "tree_summarize",
        "generation",
        "no_text",
        "accumulate",
        "compact_accumulate",
    }
    assert names <= {mode.value for mode in ResponseMode}
    assert ResponseMode("tree_summarize") is ResponseMode.TREE_SUMMARIZE
    with pytest.raises(InvalidInputError, match="tree_summarize"):
        get_response_synthesizer(llm=RecordingLLM(), response_mode="tree_summarise")


def test_tree_summarize_builds_levels_until_one_answer() -> None:
    llm = RecordingLLM(context_window=200)  # forces several packed chunks
    synth = get_response_synthesizer(llm=llm, response_mode=ResponseMode.TREE_SUMMARIZE)
    response = synth.synthesize(QUESTION, nodes(6))
    assert isinstance(response, Response)
    calls = len(llm.prompts)
    assert calls >= 3
    assert str(response) == f"answer {calls}"
    last = llm.prompts[-1]
    assert "answer 1" in last  # the last level summarizes earlier answers, not raw chunks
    assert "chunk0" not in last
    assert all(QUESTION in prompt for prompt in llm.prompts)


def test_tree_summarize_single_chunk_is_one_call_and_uses_summary_template() -> None:
    llm = RecordingLLM()
    template = PromptTemplate("SUMMARY {context_str} Q={query_str}")
    synth = get_response_synthesizer(llm=llm, response_mode="tree_summarize", summary_template=template)
    synth.synthesize(QUESTION, nodes(2, words=5))
    assert len(llm.prompts) == 1
    assert llm.prompts[0].startswith("SUMMARY chunk0")


def test_simple_summarize_is_one_call_cut_to_window() -> None:
    llm = RecordingLLM(context_window=300)
    synth = get_response_synthesizer(llm=llm, response_mode="simple_summarize")
    synth.synthesize(QUESTION, nodes(8))
    assert len(llm.prompts) == 1
    assert "chunk0" in llm.prompts[0]
    assert "chunk7" not in llm.prompts[0]  # did not fit


def test_accumulate_answers_each_chunk_and_lists_them() -> None:
    llm = RecordingLLM()
    response = get_response_synthesizer(llm=llm, response_mode="accumulate").synthesize(QUESTION, nodes(3, 5))
    assert len(llm.prompts) == 3
    sep = "\n---------------------\n"
    assert str(response) == sep.join(f"Response {n}: answer {n}" for n in (1, 2, 3))


def test_compact_accumulate_packs_first() -> None:
    llm = RecordingLLM()
    response = get_response_synthesizer(llm=llm, response_mode="compact_accumulate").synthesize(QUESTION, nodes(3, 5))
    assert len(llm.prompts) == 1
    assert str(response) == "Response 1: answer 1"


def test_generation_ignores_context() -> None:
    llm = RecordingLLM()
    response = get_response_synthesizer(llm=llm, response_mode="generation").synthesize(QUESTION, nodes(2))
    assert llm.prompts == [QUESTION]
    assert len(response.source_nodes) == 2
    custom = RecordingLLM()
    get_response_synthesizer(
        llm=custom, response_mode="generation", simple_template=PromptTemplate("Q: {query_str}")
    ).synthesize(QUESTION, nodes(1))
    assert custom.prompts == [f"Q: {QUESTION}"]
    with pytest.raises(ConfigurationError):
        get_response_synthesizer(llm=None, response_mode="generation")


def test_no_text_makes_no_call() -> None:
    llm = RecordingLLM()
    response = get_response_synthesizer(llm=llm, response_mode="no_text").synthesize(QUESTION, nodes(2))
    assert llm.prompts == []
    assert isinstance(response, Response)
    assert response.response == ""
    assert len(response.source_nodes) == 2


MODES = ["refine", "compact", "tree_summarize", "simple_summarize", "accumulate", "compact_accumulate", "generation"]


@pytest.mark.parametrize("mode", MODES)
async def test_streaming_and_async_give_the_same_answer(mode: str) -> None:
    plain = get_response_synthesizer(llm=DigestLLM(context_window=250), response_mode=mode)
    expected = str(plain.synthesize(QUESTION, nodes(4)))
    streaming = get_response_synthesizer(llm=DigestLLM(context_window=250), response_mode=mode, streaming=True)
    streamed = streaming.synthesize(QUESTION, nodes(4))
    assert isinstance(streamed, StreamingResponse)
    assert "".join(streamed.response_gen) == expected
    async_plain = get_response_synthesizer(llm=DigestLLM(context_window=250), response_mode=mode, use_async=True)
    assert str(await async_plain.asynthesize(QUESTION, nodes(4))) == expected
    async_stream = get_response_synthesizer(llm=DigestLLM(context_window=250), response_mode=mode, streaming=True)
    astreamed = await async_stream.asynthesize(QUESTION, nodes(4))
    assert isinstance(astreamed, AsyncStreamingResponse)
    assert "".join([piece async for piece in astreamed.async_response_gen()]) == expected


def test_unsupported_options_raise() -> None:
    with pytest.raises(InvalidInputError, match="output_cls"):
        get_response_synthesizer(llm=RecordingLLM(), output_cls=dict)
    with pytest.raises(TypeError):
        get_response_synthesizer(llm=RecordingLLM(), respone_mode="compact")  # type: ignore[call-arg]


def test_summary_mode_from_query_engine_keywords() -> None:
    from dovetail.core.embeddings import MockEmbedding
    from dovetail.core.indices import VectorStoreIndex
    from dovetail.core.schema import Document

    index = VectorStoreIndex.from_documents(
        [Document(text="Dovetails interlock."), Document(text="Mortises hold tenons.")],
        embed_model=MockEmbedding(embed_dim=4),
    )
    llm = RecordingLLM()
    template = PromptTemplate("TS {context_str} {query_str}")
    index.as_query_engine(llm=llm, response_mode="tree_summarize", summary_template=template).query("joints?")
    assert llm.prompts[0].startswith("TS ")


@pytest.mark.parametrize("mode", ["compact", "tree_summarize", "compact_accumulate"])
def test_a_partial_template_value_counts_against_the_window(mode: str) -> None:
    from dovetail.core.tokenizers import get_tokenizer

    rules = " ".join(f"rule{i}" for i in range(120))  # a partial value: part of every prompt
    template = PromptTemplate("Rules: {rules}\nContext: {context_str}\nQuestion: {query_str}").partial_format(
        rules=rules
    )
    llm = RecordingLLM(context_window=400)
    if mode == "tree_summarize":
        synth = get_response_synthesizer(llm=llm, response_mode=mode, summary_template=template)
    else:
        synth = get_response_synthesizer(llm=llm, response_mode=mode, text_qa_template=template)
    synth.synthesize(QUESTION, nodes(6))
    assert llm.prompts
    tokenizer = get_tokenizer()
    assert rules in llm.prompts[0]
    assert max(len(tokenizer(prompt)) for prompt in llm.prompts) <= llm.context_window - 32  # 32: num_output
