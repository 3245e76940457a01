"""dovetail LLM for models served by Ollama, on the official ``ollama`` SDK.

The SDK is imported on the first request, so ``import dovetail.llms.ollama`` stays cheap.

Example:
    ```python
    from dovetail.llms.ollama import Ollama

    llm = Ollama(model="llama3.2")
    print(llm.complete("Write a haiku about dovetail joints.").text)
    ```
"""

from dovetail.llms.ollama.base import Ollama

__all__ = ["Ollama"]
