"""Output parsers: structured values from model text.

Example:
    ```python
    from pydantic import BaseModel
    from dovetail.core.output_parsers import PydanticOutputParser

    class Answer(BaseModel):
        answer: str
        confidence: float

    parser = PydanticOutputParser(Answer)
    prompt = parser.format("Who wrote Dune?")   # adds JSON-schema instructions
    parser.parse('{"answer": "Frank Herbert", "confidence": 0.9}')
    ```
"""

from dovetail.core.output_parsers._base import BaseOutputParser
from dovetail.core.output_parsers._base import PydanticOutputParser

__all__ = ["BaseOutputParser", "PydanticOutputParser"]
