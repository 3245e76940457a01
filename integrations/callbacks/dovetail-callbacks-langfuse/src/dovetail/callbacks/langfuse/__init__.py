"""Langfuse callback handler for dovetail: traces, spans and generations over OpenTelemetry.

Example:
    ```python
    from dovetail.callbacks.langfuse import LangfuseCallbackHandler
    from dovetail.core.callbacks import CallbackManager

    manager = CallbackManager([LangfuseCallbackHandler(user_id="u-42")])
    ```
"""

from dovetail.callbacks.langfuse.base import LangfuseCallbackHandler

__all__ = ["LangfuseCallbackHandler"]
