"""dovetail LLM for Anthropic Claude, on the official ``anthropic`` SDK.

The SDK is imported on the first request, so ``import dovetail.llms.anthropic`` stays cheap.

Example:
    ```python
    from dovetail.llms.anthropic import Anthropic

    llm = Anthropic(model="claude-sonnet-4-5")
    print(llm.complete("Write a haiku about dovetail joints.").text)
    ```
"""

from dovetail.llms.anthropic.base import Anthropic

__all__ = ["Anthropic"]
