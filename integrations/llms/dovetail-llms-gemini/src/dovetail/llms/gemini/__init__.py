"""dovetail LLM for Google Gemini, on the official ``google-genai`` SDK.

The SDK is imported on the first request, so ``import dovetail.llms.gemini`` stays cheap.

Example:
    ```python
    from dovetail.llms.gemini import GoogleGenAI

    llm = GoogleGenAI(model="gemini-2.5-flash")
    print(llm.complete("Write a haiku about dovetail joints.").text)
    ```
"""

from dovetail.llms.gemini.base import GoogleGenAI

__all__ = ["GoogleGenAI"]
