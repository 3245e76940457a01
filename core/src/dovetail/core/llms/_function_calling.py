"""``FunctionCallingLLM``: the base of LLMs that can call tools."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.llms._base import LLM
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import ChatResponse
from dovetail.core.llms._types import ChatResponseAsyncGen
from dovetail.core.llms._types import ChatResponseGen
from dovetail.core.tools import BaseTool
from dovetail.core.tools import ToolOutput
from dovetail.core.tools import ToolSelection

if TYPE_CHECKING:
    from dovetail.core.chat_engine import AgentChatResponse

__all__ = ["FunctionCallingLLM"]


class FunctionCallingLLM(LLM):
    """An LLM that can call tools.

    Subclasses implement :meth:`_prepare_chat_with_tools` (build the ``chat`` keyword arguments: ``messages``
    plus the provider's tool format under ``tools``) and :meth:`get_tool_calls_from_response`; the
    ``*_with_tools`` methods are built on ``chat``/``stream_chat`` and their async twins.

    Example:
        ```python
        tool = FunctionTool.from_defaults(add)
        response = llm.chat_with_tools([tool], user_msg="What is 2 + 3?")
        for call in llm.get_tool_calls_from_response(response, error_on_no_tool_call=False):
            print(call.tool_name, call.tool_kwargs)
        ```
    """

    @abstractmethod
    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Keyword arguments for ``chat``: ``messages`` and the provider's tool specification."""

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Post-process a tool-calling response (e.g. keep one call when parallel calls are off)."""
        return response

    @abstractmethod
    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        """The tool calls in ``response``; with ``error_on_no_tool_call`` an answer without calls raises
        ``InvalidInputError``."""

    @staticmethod
    def _messages(user_msg: str | ChatMessage | None, chat_history: list[ChatMessage] | None) -> list[ChatMessage]:
        """``chat_history`` followed by ``user_msg`` (a str becomes a user message)."""
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            messages.append(ChatMessage(content=user_msg))
        elif user_msg is not None:
            messages.append(user_msg)
        return messages

    def _tools_kwargs(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None,
        chat_history: list[ChatMessage] | None,
        verbose: bool,
        allow_parallel_tool_calls: bool,
        tool_required: bool,
        kwargs: dict[str, Any],
    ) -> dict[str, Any]:
        self._validate_request(tools=list(tools))
        return self._prepare_chat_with_tools(
            tools,
            user_msg=user_msg,
            chat_history=chat_history,
            verbose=verbose,
            allow_parallel_tool_calls=allow_parallel_tool_calls,
            tool_required=tool_required,
            **kwargs,
        )

    def chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Chat with ``tools`` available; read the calls with :meth:`get_tool_calls_from_response`."""
        chat_kwargs = self._tools_kwargs(
            tools, user_msg, chat_history, verbose, allow_parallel_tool_calls, tool_required, kwargs
        )
        response = self.chat(**chat_kwargs)
        return self._validate_chat_with_tools_response(
            response, tools, allow_parallel_tool_calls=allow_parallel_tool_calls, **kwargs
        )

    async def achat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Async :meth:`chat_with_tools`."""
        chat_kwargs = self._tools_kwargs(
            tools, user_msg, chat_history, verbose, allow_parallel_tool_calls, tool_required, kwargs
        )
        response = await self.achat(**chat_kwargs)
        return self._validate_chat_with_tools_response(
            response, tools, allow_parallel_tool_calls=allow_parallel_tool_calls, **kwargs
        )

    def stream_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        **kwargs: Any,
    ) -> ChatResponseGen:
        """Streaming :meth:`chat_with_tools`; tool calls are complete in the last chunk."""
        chat_kwargs = self._tools_kwargs(
            tools, user_msg, chat_history, verbose, allow_parallel_tool_calls, tool_required, kwargs
        )
        return self.stream_chat(**chat_kwargs)

    async def astream_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        **kwargs: Any,
    ) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat_with_tools`."""
        chat_kwargs = self._tools_kwargs(
            tools, user_msg, chat_history, verbose, allow_parallel_tool_calls, tool_required, kwargs
        )
        return await self.astream_chat(**chat_kwargs)

    # -- one tool-calling turn, tools run -------------------------------------------------------------

    def _agent_response(
        self,
        response: ChatResponse,
        outputs: list[ToolOutput],
        allow_parallel_tool_calls: bool,
        error_on_tool_error: bool,
    ) -> AgentChatResponse:
        from dovetail.core.chat_engine import AgentChatResponse

        failed = [output for output in outputs if output.is_error]
        if error_on_tool_error and failed:
            msg = "\n\n".join(output.content for output in failed)
            raise InvalidInputError(msg)
        if not outputs:
            return AgentChatResponse(response=response.message.content or "", sources=[])
        if len(outputs) > 1 and not allow_parallel_tool_calls:
            msg = f"the model made {len(outputs)} tool calls; pass allow_parallel_tool_calls=True to run them all"
            raise InvalidInputError(msg)
        return AgentChatResponse(response="\n\n".join(output.content for output in outputs), sources=outputs)

    def predict_and_call(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        error_on_no_tool_call: bool = True,
        error_on_tool_error: bool = False,
        **kwargs: Any,
    ) -> AgentChatResponse:
        """Let the model pick tool calls, run them, and return their outputs as the answer.

        Args:
            tools: the tools the model may call.
            user_msg: the request; ``chat_history`` the conversation before it.
            verbose: log each call.
            allow_parallel_tool_calls: run every call the model makes (else more than one is an error).
            error_on_no_tool_call: an answer without a tool call raises (else its text is the response).
            error_on_tool_error: a failing tool raises (else its error text is the output, ``is_error=True``).
            **kwargs: passed to :meth:`chat_with_tools`.

        Raises:
            InvalidInputError: no tool call (with ``error_on_no_tool_call``), a tool failed (with
                ``error_on_tool_error``), or several calls without ``allow_parallel_tool_calls``.
        """
        from dovetail.core.tools import call_tool_with_selection

        response = self.chat_with_tools(
            tools,
            user_msg=user_msg,
            chat_history=chat_history,
            verbose=verbose,
            allow_parallel_tool_calls=allow_parallel_tool_calls,
            **kwargs,
        )
        calls = self.get_tool_calls_from_response(response, error_on_no_tool_call=error_on_no_tool_call)
        outputs = [call_tool_with_selection(call, tools, verbose=verbose) for call in calls]
        return self._agent_response(response, outputs, allow_parallel_tool_calls, error_on_tool_error)

    async def apredict_and_call(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        error_on_no_tool_call: bool = True,
        error_on_tool_error: bool = False,
        **kwargs: Any,
    ) -> AgentChatResponse:
        """Async :meth:`predict_and_call` (tool calls run concurrently when parallel calls are allowed)."""
        import asyncio

        from dovetail.core.tools import acall_tool_with_selection

        response = await self.achat_with_tools(
            tools,
            user_msg=user_msg,
            chat_history=chat_history,
            verbose=verbose,
            allow_parallel_tool_calls=allow_parallel_tool_calls,
            **kwargs,
        )
        calls = self.get_tool_calls_from_response(response, error_on_no_tool_call=error_on_no_tool_call)
        outputs = list(await asyncio.gather(*(acall_tool_with_selection(c, tools, verbose=verbose) for c in calls)))
        return self._agent_response(response, outputs, allow_parallel_tool_calls, error_on_tool_error)
