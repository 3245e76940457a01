"""MongoDB reader for dovetail: stream MongoDB documents into ``Document`` s (pymongo, sync and async).

Example:
    ```python
    from dovetail.readers.mongodb import SimpleMongoReader

    docs = SimpleMongoReader(uri="mongodb://localhost:27017").load_data("db", "articles", field_names=["body"])
    ```
"""

from dovetail.readers.mongodb.base import SimpleMongoReader

__all__ = ["SimpleMongoReader"]
