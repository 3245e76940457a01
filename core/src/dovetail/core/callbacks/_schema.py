"""Event types and payload keys of dovetail's one event system."""

from __future__ import annotations

from enum import Enum

__all__ = ["BASE_TRACE_EVENT", "CBEventType", "EventPayload"]

BASE_TRACE_EVENT = "root"
"""Parent id of the events that have no enclosing event."""


class CBEventType(str, Enum):
    """Kinds of events a :class:`~dovetail.core.callbacks.CallbackManager` emits."""

    CHUNKING = "chunking"
    NODE_PARSING = "node_parsing"
    EMBEDDING = "embedding"
    LLM = "llm"
    QUERY = "query"
    RETRIEVE = "retrieve"
    SYNTHESIZE = "synthesize"
    TREE = "tree"
    SUB_QUESTION = "sub_question"
    TEMPLATING = "templating"
    FUNCTION_CALL = "function_call"
    RERANKING = "reranking"
    EXCEPTION = "exception"
    AGENT_STEP = "agent_step"


class EventPayload(str, Enum):
    """Keys of the payload dicts passed to handlers.

    LLM end events carry ``RESPONSE`` (chat) or ``COMPLETION`` (completion); token usage, when the provider
    reported it, is in ``response.additional_kwargs`` under ``prompt_tokens``/``completion_tokens``/
    ``total_tokens`` and is repeated under ``USAGE``.
    """

    DOCUMENTS = "documents"
    CHUNKS = "chunks"
    NODES = "nodes"
    PROMPT = "formatted_prompt"
    MESSAGES = "messages"
    COMPLETION = "completion"
    RESPONSE = "response"
    QUERY_STR = "query_str"
    SUB_QUESTION = "sub_question"
    EDGES = "edges"
    TEMPLATE = "template"
    TEMPLATE_VARS = "template_vars"
    SYSTEM_PROMPT = "system_prompt"
    QUERY_WRAPPER_PROMPT = "query_wrapper_prompt"
    EMBEDDINGS = "embeddings"
    SERIALIZED = "serialized"
    FUNCTION_CALL = "function_call"
    FUNCTION_OUTPUT = "function_call_response"
    TOOL = "tool"
    MODEL_NAME = "model_name"
    USAGE = "usage"
    ADDITIONAL_KWARGS = "additional_kwargs"
    EXCEPTION = "exception"
