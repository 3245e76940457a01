"""Query engines: ``index.as_query_engine()`` builds a :class:`RetrieverQueryEngine`.

Example:
    ```python
    engine = index.as_query_engine(similarity_top_k=3)      # extractive unless an LLM is configured
    print(engine.query("What is a mortise?"))
    ```
"""

from dovetail.core.query_engine._custom import CustomQueryEngine
from dovetail.core.query_engine._retriever_query_engine import BaseQueryEngine
from dovetail.core.query_engine._retriever_query_engine import RetrieverQueryEngine

__all__ = ["BaseQueryEngine", "CustomQueryEngine", "RetrieverQueryEngine"]
