"""Keyword checks that name the closest valid keyword, for integrations' constructors and functions.

Python's own ``TypeError`` for an unknown keyword names no alternative; these checks add "did you mean ...?",
so a misspelt option fails loudly instead of being accepted and ignored.

Example:
    ```python
    from dovetail.core.keywords import suggest_keywords


    class AcmeRunner:
        @suggest_keywords
        def __init__(self, num_actors: int = 2) -> None: ...


    AcmeRunner(num_actor=4)  # TypeError: ... did you mean 'num_actors'?
    ```
"""

from dovetail.core._kwargs import KeywordCheckedModel
from dovetail.core._kwargs import reject_unknown_keywords
from dovetail.core._kwargs import suggest_constructor_keywords
from dovetail.core._kwargs import suggest_keywords

__all__ = ["KeywordCheckedModel", "reject_unknown_keywords", "suggest_constructor_keywords", "suggest_keywords"]
