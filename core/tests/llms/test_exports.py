"""The public import paths are the contract: exact ``__all__`` and cheap imports."""

from __future__ import annotations

import subprocess
import sys

import dovetail.core.llms as llms
import dovetail.core.output_parsers as output_parsers
import dovetail.core.prompts as prompts
import dovetail.core.tools as tools
import pytest


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        (
            llms,
            {
                "LLM",
                "CustomLLM",
                "LLMMetadata",
                "ChatMessage",
                "MessageRole",
                "ChatResponse",
                "ChatResponseGen",
                "ChatResponseAsyncGen",
                "CompletionResponse",
                "CompletionResponseGen",
                "CompletionResponseAsyncGen",
                "llm_completion_callback",
                "llm_chat_callback",
                "MockLLM",
                "MockFunctionCallingLLM",
                "TextBlock",
                "ImageBlock",
                "AudioBlock",
                "VideoBlock",
                "DocumentBlock",
                "ThinkingBlock",
                "ToolCallBlock",
                "CachePoint",
                "CacheControl",
                "ContentBlock",
                "FunctionCallingLLM",
                "ToolSelection",
                "messages_to_prompt",
                "validate_request",
            },
        ),
        (output_parsers, {"BaseOutputParser", "PydanticOutputParser"}),
        (
            prompts,
            {
                "BasePromptTemplate",
                "PromptTemplate",
                "PromptType",
                "ChatPromptTemplate",
                "DEFAULT_TEXT_QA_PROMPT",
                "DEFAULT_TEXT_QA_PROMPT_TMPL",
                "DEFAULT_REFINE_PROMPT",
                "DEFAULT_REFINE_PROMPT_TMPL",
                "DEFAULT_TREE_SUMMARIZE_PROMPT",
                "DEFAULT_TREE_SUMMARIZE_TMPL",
                "DEFAULT_SIMPLE_INPUT_PROMPT",
            },
        ),
        (
            tools,
            {
                "BaseTool",
                "AsyncBaseTool",
                "FunctionTool",
                "ToolMetadata",
                "ToolOutput",
                "ToolSelection",
                "QueryEngineTool",
                "RetrieverTool",
                "AgentChatResponse",
                "call_tool_with_selection",
                "acall_tool_with_selection",
                "schema_from_function",
            },
        ),
    ],
)
def test_all_is_exact(module: object, expected: set[str]) -> None:
    assert set(module.__all__) == expected  # type: ignore[attr-defined]
    assert len(module.__all__) == len(expected)  # type: ignore[attr-defined]
    for name in expected:
        assert getattr(module, name) is not None


def test_top_level_prompt_template_is_the_prompts_one() -> None:
    from dovetail.core import PromptTemplate

    assert PromptTemplate is prompts.PromptTemplate


def test_importing_the_llm_layer_stays_light() -> None:
    code = (
        "import sys, dovetail.core.llms, dovetail.core.prompts, dovetail.core.tools, dovetail.core.output_parsers;"
        "print(sorted(m for m in ('numpy', 'httpx', 'openai', 'tiktoken') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
