"""An exact simplification of exported transformer graphs, applied before onnxruntime loads them.

Recent PyTorch exporters guard every attention softmax with ``Where(IsNaN(p), 0, p)``: a row of attention
scores that is entirely masked gives NaN, and the guard turns it into zeros. onnxruntime does not fuse the guard
away, and on all-MiniLM-L6-v2 the two element-wise passes over each ``(batch, heads, tokens, tokens)`` tensor cost
about 15 % of a forward pass. A row is entirely masked only when a text has no tokens at all; ``Runtime`` never
sends such a row to the model (it gives those texts the zero vector the guarded graph would give), so without the
guard the outputs are the same, bit for bit.

The model is read with ``protobuf`` (a dependency of onnxruntime) through a schema of the few ONNX fields the
rewrite needs; every other field is carried through untouched as unknown fields.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["without_softmax_nan_guards"]

_PACKAGE = "dovetail_onnx_subset"
_EXTERNAL = 1  # TensorProto.DataLocation.EXTERNAL
_SUBGRAPH_OPS = frozenset({"If", "Loop", "Scan"})  # their bodies may name outer values; not rewritten


@functools.lru_cache(maxsize=1)
def _model_class() -> Any:
    """A protobuf message class for the subset of ``onnx.ModelProto`` the rewrite reads (onnx.proto's numbers)."""
    from google.protobuf import descriptor_pb2
    from google.protobuf import descriptor_pool
    from google.protobuf import message_factory

    field = descriptor_pb2.FieldDescriptorProto
    schema = descriptor_pb2.FileDescriptorProto(name=f"{_PACKAGE}.proto", package=_PACKAGE, syntax="proto2")

    def message(name: str, *fields: tuple[str, int, int, int, str]) -> None:
        proto = schema.message_type.add(name=name)
        for field_name, number, kind, label, type_name in fields:
            entry = proto.field.add(name=field_name, number=number, type=kind, label=label)
            if type_name:
                entry.type_name = type_name

    string, enum_int, nested = field.TYPE_STRING, field.TYPE_INT32, field.TYPE_MESSAGE
    one, many = field.LABEL_OPTIONAL, field.LABEL_REPEATED
    message(
        "NodeProto", ("input", 1, string, many, ""), ("output", 2, string, many, ""), ("op_type", 4, string, one, "")
    )
    message("TensorProto", ("data_location", 14, enum_int, one, ""))
    message("ValueInfoProto", ("name", 1, string, one, ""))
    message(
        "GraphProto",
        ("node", 1, nested, many, f".{_PACKAGE}.NodeProto"),
        ("initializer", 5, nested, many, f".{_PACKAGE}.TensorProto"),
        ("output", 12, nested, many, f".{_PACKAGE}.ValueInfoProto"),
    )
    message("ModelProto", ("graph", 7, nested, one, f".{_PACKAGE}.GraphProto"))
    pool = descriptor_pool.DescriptorPool()
    pool.Add(schema)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.ModelProto"))


def without_softmax_nan_guards(model_bytes: bytes) -> bytes | None:
    """``model_bytes`` with every ``Where(IsNaN(p), c, p)`` whose ``p`` is a ``Softmax`` output replaced by ``p``.

    Returns ``None`` (load the file as it is) when there is no such guard, when the model keeps its weights in
    external data files (they are found relative to the model's path, which bytes do not have), or when the graph
    has control-flow subgraphs (their bodies may refer to the guard's output by name).
    """
    model = _model_class()()
    model.ParseFromString(model_bytes)
    graph = model.graph
    if any(node.op_type in _SUBGRAPH_OPS for node in graph.node):
        return None
    if any(tensor.data_location == _EXTERNAL for tensor in graph.initializer):
        return None
    nodes = list(graph.node)
    producer = {name: position for position, node in enumerate(nodes) for name in node.output}
    readers: dict[str, int] = {}
    for node in nodes:
        for name in node.input:
            readers[name] = readers.get(name, 0) + 1
    graph_outputs = {value.name for value in graph.output}

    replaced: dict[str, str] = {}  # guard output -> softmax output
    dropped: set[int] = set()
    for position, node in enumerate(nodes):
        if node.op_type != "Where" or len(node.input) != 3 or node.output[0] in graph_outputs:
            continue
        condition, probabilities = node.input[0], node.input[2]
        if condition not in producer or probabilities not in producer:
            continue
        is_nan, softmax = nodes[producer[condition]], nodes[producer[probabilities]]
        if is_nan.op_type != "IsNaN" or softmax.op_type != "Softmax" or list(is_nan.input) != [probabilities]:
            continue
        if readers[condition] != 1:  # the NaN mask is used elsewhere too: keep it
            continue
        replaced[node.output[0]] = probabilities
        dropped.update((position, producer[condition]))
    if not replaced:
        return None

    kept = [node for position, node in enumerate(nodes) if position not in dropped]
    for node in kept:
        for slot, name in enumerate(node.input):
            if name in replaced:
                node.input[slot] = replaced[name]
    # Copy before clearing: the kept messages belong to the repeated field being rebuilt.
    copies = [type(node).FromString(node.SerializeToString()) for node in kept]
    del graph.node[:]
    graph.node.extend(copies)
    rewritten: bytes = model.SerializeToString()
    return rewritten
