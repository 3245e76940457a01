"""LlamaIndex's key-value store options, which dovetail's stores take only as ``None``.

LlamaIndex's docstore and index store sit on a key-value store (``simple_kvstore=``) that several stores may
share under a ``namespace``, written in batches (``batch_size``) through an fsspec file system (``fs=``).
dovetail's stores keep their records themselves and persist one local file each, so those options have no
counterpart: ``None`` (LlamaIndex's default, nothing to honour) is taken, any other value is refused with what to
do instead, never accepted and ignored.
"""

from __future__ import annotations

__all__ = ["refuse_kvstore_options"]

_ADVICE = {
    "simple_kvstore": (
        "this store keeps its records itself and has no key-value store layer; open a persisted store with "
        "{owner}.from_persist_path(path) (or from_dict(...)) instead"
    ),
    "namespace": (
        "a namespace separates stores that share one key-value store, and each store here has its own file; "
        "persist each store to its own path instead"
    ),
    "batch_size": (
        "add_documents() writes in memory at once and persist() writes one file, so there is no batch to size; "
        "leave the keyword out"
    ),
    "fs": (
        "this store reads and writes the local file system only (fsspec file systems are not supported); "
        "copy the file to a local path and leave fs out"
    ),
}


def refuse_kvstore_options(owner: str, method: str, **given: object) -> None:
    """Raise ``TypeError`` for the first of ``given`` (LlamaIndex's store options) that is not ``None``.

    ``owner`` is the store class's name, ``method`` the method called (``""`` for the constructor).

    Raises:
        TypeError: an option has a value; the message says what to do instead.
    """
    called = f"{owner}.{method}" if method else owner
    for name, value in given.items():
        if value is not None:
            advice = _ADVICE[name].format(owner=owner)
            msg = f"{called}() does not take LlamaIndex's {name!r}: {advice}"
            raise TypeError(msg)
