"""Just enough of the ONNX protobuf format to write a model, so building one needs no ``onnx`` package.

ONNX Runtime (a dependency through Chroma) runs models but cannot write them; the ``onnx`` package that
can is not otherwise needed. A model file is a protobuf ``ModelProto``; we write the few messages and
fields we use (field numbers from onnx/onnx.proto), in the wire format: varints, length-delimited bytes,
32-bit floats.
"""

from __future__ import annotations

import struct

import numpy as np

# TensorProto.DataType
_DTYPES = {
    np.dtype(np.float32): 1,
    np.dtype(np.uint8): 2,
    np.dtype(np.int8): 3,
    np.dtype(np.int32): 6,
    np.dtype(np.int64): 7,
    np.dtype(np.float16): 10,
}
FLOAT, UINT8, INT8, INT32, INT64 = 1, 2, 3, 6, 7


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative int64 as two's complement, as protobuf does
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _int(field: int, n: int) -> bytes:
    return _key(field, 0) + _varint(n)


def _bytes(field: int, data: bytes) -> bytes:
    return _key(field, 2) + _varint(len(data)) + data


def _str(field: int, s: str) -> bytes:
    return _bytes(field, s.encode("utf-8"))


def _float(field: int, f: float) -> bytes:
    return _key(field, 5) + struct.pack("<f", f)


def tensor(name: str, value: np.ndarray) -> bytes:
    """TensorProto: dims=1, data_type=2, name=8, raw_data=9 (little-endian)."""
    value = np.ascontiguousarray(value)
    dims = b"".join(_varint(d) for d in value.shape)
    out = _bytes(1, dims) if value.shape else b""
    return (
        out
        + _int(2, _DTYPES[value.dtype])
        + _str(8, name)
        + _bytes(9, value.astype(value.dtype.newbyteorder("<")).tobytes())
    )


def _attribute(name: str, value: object) -> bytes:
    """AttributeProto: name=1, f=2, i=3, ints=8, type=20 (FLOAT=1, INT=2, INTS=7)."""
    if isinstance(value, bool | int):
        return _str(1, name) + _int(3, int(value)) + _int(20, 2)
    if isinstance(value, float):
        return _str(1, name) + _float(2, value) + _int(20, 1)
    if isinstance(value, list | tuple):
        return _str(1, name) + b"".join(_int(8, int(v)) for v in value) + _int(20, 7)
    raise TypeError(f"attribute {name}: unsupported type {type(value).__name__}")


def node(op: str, inputs: list[str], outputs: list[str], name: str, domain: str = "", **attrs: object) -> bytes:
    """NodeProto: input=1, output=2, name=3, op_type=4, attribute=5, domain=7."""
    out = b"".join(_str(1, i) for i in inputs) + b"".join(_str(2, o) for o in outputs)
    out += _str(3, name) + _str(4, op)
    out += b"".join(_bytes(5, _attribute(k, v)) for k, v in attrs.items())
    return out + (_str(7, domain) if domain else b"")


def value_info(name: str, elem_type: int, shape: list[int | str]) -> bytes:
    """ValueInfoProto{name=1, type=2: TypeProto{tensor_type=1: {elem_type=1, shape=2: {dim=1: {value=1|param=2}}}}}."""
    dims = b"".join(_bytes(1, _int(1, d) if isinstance(d, int) else _str(2, d)) for d in shape)
    tensor_type = _int(1, elem_type) + _bytes(2, dims)
    return _str(1, name) + _bytes(2, _bytes(1, tensor_type))


def model(
    nodes: list[bytes],
    initializers: list[bytes],
    inputs: list[bytes],
    outputs: list[bytes],
    graph_name: str,
    opsets: dict[str, int],
    ir_version: int = 8,
    producer: str = "mysearch",
) -> bytes:
    """ModelProto: ir_version=1, producer_name=2, graph=7, opset_import=8 (domain=1, version=2).
    GraphProto: node=1, name=2, initializer=5, input=11, output=12."""
    graph = b"".join(_bytes(1, n) for n in nodes) + _str(2, graph_name)
    graph += b"".join(_bytes(5, t) for t in initializers)
    graph += b"".join(_bytes(11, v) for v in inputs) + b"".join(_bytes(12, v) for v in outputs)
    out = _int(1, ir_version) + _str(2, producer) + _bytes(7, graph)
    for domain, version in opsets.items():
        out += _bytes(8, (_str(1, domain) if domain else b"") + _int(2, version))
    return out
