"""``get_response_synthesizer``: the synthesizer for a response mode, extractive when there is no LLM."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import ConfigurationError
from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.response_synthesizers._base import BaseSynthesizer
from dovetail.core.response_synthesizers._extractive import ExtractiveSynthesizer
from dovetail.core.response_synthesizers._refine import CompactAndRefine
from dovetail.core.response_synthesizers._refine import Refine
from dovetail.core.response_synthesizers._summarize import Accumulate
from dovetail.core.response_synthesizers._summarize import CompactAndAccumulate
from dovetail.core.response_synthesizers._summarize import Generation
from dovetail.core.response_synthesizers._summarize import NoText
from dovetail.core.response_synthesizers._summarize import SimpleSummarize
from dovetail.core.response_synthesizers._summarize import TreeSummarize

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.prompts import BasePromptTemplate

__all__ = ["ResponseMode", "get_response_synthesizer"]


class ResponseMode(str, Enum):
    """How an answer is put together (LlamaIndex's modes, plus ``extractive``: no LLM at all)."""

    REFINE = "refine"
    """One LLM call per chunk, refining the answer."""
    COMPACT = "compact"
    """Refine over chunks packed into as few prompts as fit (the default)."""
    SIMPLE_SUMMARIZE = "simple_summarize"
    """One call over all chunks, cut to fit the window."""
    TREE_SUMMARIZE = "tree_summarize"
    """Summarize packed chunks, then the summaries, until one answer is left."""
    GENERATION = "generation"
    """Ask the question alone, ignoring the retrieved text."""
    NO_TEXT = "no_text"
    """Only retrieve: empty answer, the nodes in ``source_nodes``."""
    ACCUMULATE = "accumulate"
    """One answer per chunk, listed."""
    COMPACT_ACCUMULATE = "compact_accumulate"
    """One answer per packed chunk, listed."""
    EXTRACTIVE = "extractive"
    """The best-matching sentences of the nodes, no LLM (dovetail's own; the default when no LLM is set)."""


_NOT_SET: Any = object()


def _mode(response_mode: Any) -> ResponseMode:
    try:
        return ResponseMode(response_mode)
    except ValueError as exc:
        valid = ", ".join(m.value for m in ResponseMode)
        msg = f"unknown response_mode {response_mode!r}; use one of {valid}"
        raise InvalidInputError(msg) from exc


@suggest_keywords
def get_response_synthesizer(
    llm: Any = _NOT_SET,
    prompt_helper: Any = None,
    text_qa_template: BasePromptTemplate | None = None,
    refine_template: BasePromptTemplate | None = None,
    summary_template: BasePromptTemplate | None = None,
    simple_template: BasePromptTemplate | None = None,
    response_mode: ResponseMode | str = ResponseMode.COMPACT,
    callback_manager: CallbackManager | None = None,
    use_async: bool = False,
    streaming: bool = False,
    structured_answer_filtering: bool = False,
    output_cls: Any = None,
    verbose: bool = False,
    embed_model: Any | None = None,
) -> BaseSynthesizer:
    """Build a synthesizer (LlamaIndex's keywords).

    Args:
        llm: an LLM, a ``"provider:model"`` spec, or ``None`` for extractive answers; default ``Settings.llm``
            (itself ``None`` unless configured). With no LLM the answer is extractive — dovetail never calls a
            remote model you did not configure — except ``no_text`` (needs none) and ``generation`` (raises).
        prompt_helper: not supported (the budget comes from the LLM's metadata); must be ``None``.
        text_qa_template: question-answering prompt (``compact``, ``refine``, ``simple_summarize``,
            ``accumulate``, ``compact_accumulate``).
        refine_template: refine prompt (``compact``, ``refine``).
        summary_template: ``tree_summarize`` prompt.
        simple_template: ``generation`` prompt (variable ``query_str``).
        response_mode: a :class:`ResponseMode` or its value; default ``"compact"``.
        callback_manager: receives ``SYNTHESIZE`` events; default ``Settings.callback_manager``.
        use_async: run independent LLM calls concurrently in ``asynthesize`` (tree_summarize, accumulate).
        streaming: return streaming responses.
        structured_answer_filtering: not supported; must be false.
        output_cls: not supported; must be ``None`` (use ``llm.structured_predict``).
        verbose: log the chosen mode at INFO.
        embed_model: lets extractive answers compare sentence embeddings with the query embedding.

    Raises:
        InvalidInputError: an unknown response mode, or an unsupported option.
        ConfigurationError: ``generation`` without an LLM.
    """
    from dovetail.core.settings import Settings
    from dovetail.core.settings import resolve_llm

    mode = _mode(response_mode)
    unsupported = {
        "prompt_helper": prompt_helper is not None,
        "structured_answer_filtering": structured_answer_filtering,
        "output_cls": output_cls is not None,
    }
    for name, given in unsupported.items():
        if given:
            msg = f"get_response_synthesizer: {name} is not supported by dovetail; leave it unset"
            raise InvalidInputError(msg)
    model = Settings.llm if llm is _NOT_SET else resolve_llm(llm)
    manager = callback_manager or Settings.callback_manager
    if verbose:
        import logging

        logging.getLogger(__name__).info("response synthesis: mode %s, llm %s", mode.value, type(model).__name__)
    if mode is ResponseMode.NO_TEXT:
        return NoText(callback_manager=manager, streaming=streaming)
    if model is None and mode is ResponseMode.GENERATION:
        msg = "response_mode='generation' needs an LLM: pass llm=... or set Settings.llm"
        raise ConfigurationError(msg)
    if model is None or mode is ResponseMode.EXTRACTIVE:
        # Extractive answers promise that nothing leaves the process: sentence embeddings only from a local model.
        local = embed_model if embed_model is not None and _embeds_locally(embed_model) else None
        return ExtractiveSynthesizer(embed_model=local, callback_manager=manager, streaming=streaming)
    common: dict[str, Any] = {"streaming": streaming, "callback_manager": manager}
    if mode in (ResponseMode.REFINE, ResponseMode.COMPACT):
        cls = Refine if mode is ResponseMode.REFINE else CompactAndRefine
        return cls(model, text_qa_template=text_qa_template, refine_template=refine_template, **common)
    if mode is ResponseMode.TREE_SUMMARIZE:
        return TreeSummarize(model, summary_template, use_async=use_async, **common)
    if mode is ResponseMode.GENERATION:
        return Generation(model, simple_template, use_async=use_async, **common)
    others: dict[ResponseMode, type[SimpleSummarize | Accumulate]] = {
        ResponseMode.SIMPLE_SUMMARIZE: SimpleSummarize,
        ResponseMode.ACCUMULATE: Accumulate,
        ResponseMode.COMPACT_ACCUMULATE: CompactAndAccumulate,
    }
    return others[mode](model, text_qa_template, use_async=use_async, **common)


def _embeds_locally(embed_model: Any) -> bool:
    """Whether ``embed_model`` is known to run in this process (the mock or a local provider such as ONNX)."""
    from dovetail.core.indices._recorded_model import is_local_spec
    from dovetail.core.settings import embed_spec_of

    spec = embed_spec_of(embed_model)
    return spec is not None and is_local_spec(spec)
