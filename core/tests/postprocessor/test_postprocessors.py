"""Node postprocessors: each one's documented behaviour, sync and async, in a query engine, and bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import OutputParserError
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import CompletionResponseGen
from dovetail.core.llms import CustomLLM
from dovetail.core.llms import LLMMetadata
from dovetail.core.node_parser import SentenceWindowNodeParser
from dovetail.core.postprocessor import KeywordNodePostprocessor
from dovetail.core.postprocessor import LLMRerank
from dovetail.core.postprocessor import LongContextReorder
from dovetail.core.postprocessor import MetadataReplacementPostProcessor
from dovetail.core.postprocessor import SimilarityPostprocessor
from dovetail.core.schema import Document
from dovetail.core.schema import MetadataMode
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.schema import TextNode


def hits(*pairs: tuple[str, float | None]) -> list[NodeWithScore]:
    return [NodeWithScore(node=TextNode(id_=text[:12], text=text), score=score) for text, score in pairs]


def texts(nodes: list[NodeWithScore]) -> list[str]:
    return [n.node.get_content() for n in nodes]


def test_similarity_cutoff_keeps_scores_at_or_above_it() -> None:
    nodes = hits(("high", 0.9), ("edge", 0.5), ("low", 0.2), ("none", None))
    assert texts(SimilarityPostprocessor(similarity_cutoff=0.5).postprocess_nodes(nodes)) == ["high", "edge"]
    assert len(SimilarityPostprocessor().postprocess_nodes(nodes)) == 4
    with pytest.raises(InvalidInputError):
        SimilarityPostprocessor(similarity_cutoff=float("nan"))
    with pytest.raises(InvalidInputError):
        SimilarityPostprocessor(similarity_cutoff="0.5")  # type: ignore[arg-type]


def test_an_item_that_is_not_a_node_with_score_is_named_by_position() -> None:
    nodes: list[NodeWithScore | TextNode] = [*hits(("ok", 0.9)), TextNode(text="bare")]
    with pytest.raises(InvalidInputError, match=r"nodes\[1\] is a TextNode, not a NodeWithScore \(as retrievers"):
        SimilarityPostprocessor().postprocess_nodes(nodes)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="must be a list of NodeWithScore"):
        SimilarityPostprocessor().postprocess_nodes("text")  # type: ignore[arg-type]


def test_keywords_match_whole_words_and_phrases() -> None:
    nodes = hits(
        ("A mortise and tenon joint", 1.0),
        ("Tenons galore", 1.0),
        ("mortise  and\ntenon with a router", 1.0),
        ("nothing relevant", 1.0),
    )
    required = KeywordNodePostprocessor(required_keywords=["mortise and tenon"])
    assert texts(required.postprocess_nodes(nodes)) == [
        "A mortise and tenon joint",
        "mortise  and\ntenon with a router",
    ]
    both = KeywordNodePostprocessor(required_keywords=["tenon"], exclude_keywords=["router"])
    assert texts(both.postprocess_nodes(nodes)) == ["A mortise and tenon joint"]
    with pytest.raises(InvalidInputError):
        KeywordNodePostprocessor(required_keywords="tenon")
    with pytest.raises(InvalidInputError):
        KeywordNodePostprocessor(exclude_keywords=[""])


def test_long_context_reorder_puts_the_best_at_both_ends() -> None:
    nodes = hits(("s3", 0.3), ("s5", 0.5), ("s1", 0.1), ("s4", 0.4), ("s2", 0.2))
    assert texts(LongContextReorder().postprocess_nodes(nodes)) == ["s5", "s3", "s1", "s2", "s4"]


def test_sentence_window_and_metadata_replacement() -> None:
    text = "One is first. Two is second. Three is third. Four is fourth. Five is fifth."
    nodes = SentenceWindowNodeParser.from_defaults(window_size=1).get_nodes_from_documents([Document(text=text)])
    assert [n.get_content() for n in nodes] == [
        "One is first.",
        "Two is second.",
        "Three is third.",
        "Four is fourth.",
        "Five is fifth.",
    ]
    assert nodes[2].metadata["window"] == "Two is second. Three is third. Four is fourth."
    assert nodes[0].metadata["window"] == "One is first. Two is second."
    assert nodes[2].metadata["original_text"] == "Three is third."
    for node in nodes:
        assert isinstance(node, TextNode)
        assert text[node.start_char_idx : node.end_char_idx] == node.get_content()
    assert "window" in nodes[2].excluded_embed_metadata_keys
    assert "window" not in nodes[2].get_metadata_str(mode=MetadataMode.EMBED)

    scored = [NodeWithScore(node=nodes[2], score=0.7)]
    replaced = MetadataReplacementPostProcessor(target_metadata_key="window").postprocess_nodes(scored)
    assert replaced[0].node.get_content() == "Two is second. Three is third. Four is fourth."
    assert replaced[0].score == 0.7
    assert nodes[2].get_content() == "Three is third."  # the stored node is untouched
    missing = MetadataReplacementPostProcessor(target_metadata_key="absent").postprocess_nodes(scored)
    assert missing[0].node.get_content() == "Three is third."


class RerankLLM(CustomLLM):
    """Picks documents by a fixed answer; records prompts."""

    answers: list[str] = []
    prompts: list[str] = []

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="rerank")

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self.prompts.append(prompt)
        return CompletionResponse(text=self.answers[len(self.prompts) - 1])

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        yield self.complete(prompt)


def test_llm_rerank_picks_and_scores_per_batch() -> None:
    nodes = hits(("alpha", 0.1), ("beta", 0.2), ("gamma", 0.3))
    llm = RerankLLM(
        answers=["Doc: 2, Relevance: 9\nDoc: 1, Relevance: 3\nDoc: 7, Relevance: 10", "Doc: 1, Relevance: 6"]
    )
    ranked = LLMRerank(llm=llm, choice_batch_size=2, top_n=2).postprocess_nodes(nodes, query_str="which?")
    assert texts(ranked) == ["beta", "gamma"]
    assert [n.score for n in ranked] == [9.0, 6.0]
    assert len(llm.prompts) == 2
    assert "which?" in llm.prompts[0]
    assert "alpha" in llm.prompts[0]
    assert "gamma" in llm.prompts[1]
    with pytest.raises(InvalidInputError, match="needs the query"):
        LLMRerank(llm=llm).postprocess_nodes(nodes)


def test_llm_rerank_takes_a_llama_index_parse_function() -> None:
    nodes = hits(("alpha", 0.1), ("beta", 0.2), ("gamma", 0.3))

    def numbers_and_relevances(answer: str, num_choices: int) -> tuple[list[int], list[float]]:
        return [3, 1, 9], [7.0, 2.0, 10.0]  # LlamaIndex's shape; 9 is out of range and dropped

    llm = RerankLLM(answers=["anything"])
    rerank = LLMRerank(llm=llm, choice_batch_size=3, top_n=3, parse_choice_select_answer_fn=numbers_and_relevances)
    ranked = rerank.postprocess_nodes(nodes, query_str="which?")
    assert texts(ranked) == ["gamma", "alpha"]
    assert [n.score for n in ranked] == [7.0, 2.0]


def test_llm_rerank_says_what_a_parse_function_must_return() -> None:
    nodes = hits(("alpha", 0.1))
    bad_parsers: list[Callable[[str, int], Any]] = [lambda a, n: ([1], []), lambda a, n: "Doc: 1"]
    for bad in bad_parsers:
        rerank = LLMRerank(llm=RerankLLM(answers=["x"]), parse_choice_select_answer_fn=bad)
        with pytest.raises(OutputParserError, match="parse_choice_select_answer_fn"):
            rerank.postprocess_nodes(nodes, query_str="q")


async def test_async_postprocessing_matches_sync() -> None:
    nodes = hits(("a b", 0.9), ("b c", 0.4))
    processor = KeywordNodePostprocessor(required_keywords=["b"], exclude_keywords=["c"])
    assert texts(await processor.apostprocess_nodes(nodes)) == texts(processor.postprocess_nodes(nodes))


def test_bad_node_lists_and_double_query_raise() -> None:
    with pytest.raises(InvalidInputError):
        SimilarityPostprocessor().postprocess_nodes([TextNode(text="x")])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError):
        LongContextReorder().postprocess_nodes([], query_bundle=QueryBundle(query_str="q"), query_str="q")


def test_query_engine_applies_postprocessors_in_order() -> None:
    from dovetail.core import VectorStoreIndex
    from dovetail.core.embeddings import MockEmbedding

    docs = [Document(text=t) for t in ("oak dovetail drawer", "pine box joint", "oak tenon leg")]
    index = VectorStoreIndex.from_documents(docs, embed_model=MockEmbedding(embed_dim=8))
    engine = index.as_query_engine(
        similarity_top_k=3, llm="none", node_postprocessors=[KeywordNodePostprocessor(required_keywords=["oak"])]
    )
    response = engine.query("oak")
    assert {n.node.get_content() for n in response.source_nodes} == {"oak dovetail drawer", "oak tenon leg"}
