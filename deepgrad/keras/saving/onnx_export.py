"""ONNX export: `model.export("m.onnx", format="onnx")`, Keras 3's spelling.

The model's functional graph becomes an ONNX graph of standard ops (default
opset 17), its weights float32 initializers; the walk and the per-layer
converters are in saving/onnx/ (exported layers are listed there). The graph
keeps Keras' layouts: inputs and outputs have the shapes that `predict` takes
and returns, channels-last, with a dynamic batch axis ('N'); convolutions and
poolings run channels-first inside, between Transposes. Graph inputs are named
after the model's Input layers, outputs after its output layers.

The `onnx` package is an optional extra (pip install onnx), imported only here
when exporting; running the file takes any ONNX runtime, e.g. onnxruntime:

    session = onnxruntime.InferenceSession("m.onnx")
    (probabilities,) = session.run(None, {"input_layer": images})
"""
from .onnx.walk import build_graph
from .file_io import atomic_write

DEFAULT_OPSET = 17
MIN_OPSET = 13  # Softmax over one axis, Squeeze / Unsqueeze / Slice axes as inputs


def export_onnx(model, filepath, input_signature=None, verbose=None, opset_version=None, **kwargs):
    """Write `model`'s inference graph to `filepath` as an ONNX model, atomically.

    Args:
        model: a functional or Sequential model (nested models included).
        filepath: where to write, e.g. 'model.onnx'.
        input_signature: needed only for a Sequential model that does not know its
            input shape yet (it is built from it): a list of keras.InputSpec (or
            objects with `shape` and `dtype`, or shape tuples), one per input, each
            shape with the batch axis, e.g. [keras.InputSpec(shape=(None, 28, 28, 1))].
            For other models it may fix sizes the model leaves open and the input dtypes.
        verbose: print where the file went (default True, as Keras).
        opset_version: the ONNX opset, 13 up to the installed onnx package's newest (default 17).

    Raises ImportError without the onnx package, NotImplementedError naming the
    first layer deepgrad cannot export, ValueError for an unknown input shape.
    """
    try:
        import onnx
    except ImportError as error:
        raise ImportError(
            "Exporting to ONNX needs the onnx package: pip install onnx (or pip install 'deepgrad[onnx]')"
        ) from error
    if kwargs:
        raise TypeError(f"export(format='onnx') got unexpected arguments: {sorted(kwargs)}")
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    newest = onnx.defs.onnx_opset_version()
    if not MIN_OPSET <= opset <= newest:
        raise ValueError(
            f"opset_version must be between {MIN_OPSET} and {newest} (the installed onnx package's newest). "
            f"Received: opset_version={opset_version}"
        )
    proto = _to_proto(onnx, build_graph(model, input_signature, opset), model.name)
    onnx.checker.check_model(proto)
    atomic_write(filepath, lambda tmp: _write_bytes(tmp, proto.SerializeToString()))
    if verbose is None or verbose:
        print(f"Saved artifact at '{filepath}'.")


def _write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def _value_info(onnx, name, shape, dtype):
    """A graph input or output: the batch axis is 'N', other unknown sizes '<name>_dim<i>'."""
    dims = [d if d is not None else ("N" if i == 0 else f"{name}_dim{i}") for i, d in enumerate(shape)]
    return onnx.helper.make_tensor_value_info(name, onnx.helper.np_dtype_to_tensor_dtype(dtype), dims)


def _to_proto(onnx, graph, name):
    """The ModelProto of a GraphBuilder, with the oldest IR version that carries its opset."""
    helper = onnx.helper
    nodes = [helper.make_node(op_type, inputs, outputs, name=outputs[0], **attributes)
             for op_type, inputs, outputs, attributes in graph.nodes]
    initializers = [onnx.numpy_helper.from_array(array, tensor) for tensor, array in graph.initializers.items()]
    proto_graph = helper.make_graph(
        nodes, name,
        [_value_info(onnx, *entry) for entry in graph.inputs],
        [_value_info(onnx, *entry) for entry in graph.outputs],
        initializer=initializers,
    )
    opset = helper.make_opsetid("", graph.opset)
    proto = helper.make_model(proto_graph, opset_imports=[opset], producer_name="deepgrad")
    proto.ir_version = helper.find_min_ir_version_for([opset])
    return proto
