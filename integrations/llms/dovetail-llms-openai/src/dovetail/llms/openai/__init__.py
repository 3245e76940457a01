"""dovetail LLMs for OpenAI and OpenAI-compatible servers, on the official ``openai`` SDK.

The SDK is imported on the first request, so ``import dovetail.llms.openai`` stays cheap.

Example:
    ```python
    from dovetail.llms.openai import OpenAI

    llm = OpenAI(model="gpt-4o-mini")
    print(llm.complete("Write a haiku about dovetail joints.").text)
    ```
"""

from dovetail.llms.openai._like import OpenAILike
from dovetail.llms.openai.base import OpenAI

__all__ = ["OpenAI", "OpenAILike"]
