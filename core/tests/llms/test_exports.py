"""The public import paths are the contract: exact ``__all__`` and cheap imports."""

from __future__ import annotations

import subprocess
import sys

import dovetail.core.prompts as prompts


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
