"""Pydantic programs (LlamaIndex's ``llama_index.core.program``): a prompt in, a pydantic instance out.

Example:
    ```python
    from dovetail.core.program import LLMTextCompletionProgram

    program = LLMTextCompletionProgram.from_defaults(output_cls=Album, prompt_template_str="An album about {topic}")
    album = program(topic="rivers")
    ```
"""

from dovetail.core.program._programs import BasePydanticProgram
from dovetail.core.program._programs import FunctionCallingProgram
from dovetail.core.program._programs import LLMTextCompletionProgram

__all__ = ["BasePydanticProgram", "FunctionCallingProgram", "LLMTextCompletionProgram"]
