"""Dataset.cache(filename): the elements of one whole pass, written as .npz chunks (never pickle) and read back."""
import builtins
import itertools
import json
import os
import shutil

from ..backend import xp
from ..tensor import Tensor
from .structures import _leaves


class _FileCache:
    """cache(filename): the first complete pass writes .npz chunks; later passes read them.

    The folder holds structure.json (the element's nesting, keys only) and
    chunk-NNNNNN.npz files; in a chunk, component j is one stacked array
    `c{j}` when its elements share shape and dtype, else arrays `c{j}_{i}`.
    Files are read with allow_pickle=False.
    """

    CHUNK = 1024

    def __init__(self, dataset, folder):
        self.dataset = dataset
        self.folder = folder

    def make(self):
        if os.path.isdir(self.folder):
            yield from self._read()
            return
        parent = os.path.dirname(os.path.abspath(self.folder))
        os.makedirs(parent, exist_ok=True)
        temporary = f"{self.folder}.tmp-{os.getpid()}-{next(_temporary_names)}"
        shutil.rmtree(temporary, ignore_errors=True)
        os.makedirs(temporary)
        complete = False
        try:
            chunk, count, structure = [], 0, None
            for element in self.dataset:
                if structure is None:
                    structure = _encode_structure(element)
                chunk.append(_leaves(element))
                if len(chunk) == self.CHUNK:
                    _write_chunk(temporary, count, chunk)
                    chunk, count = [], count + 1
                yield element
            if chunk:
                _write_chunk(temporary, count, chunk)
            with open(os.path.join(temporary, "structure.json"), "w") as f:
                json.dump(structure, f)
            if not os.path.isdir(self.folder):
                os.replace(temporary, self.folder)
                complete = True
        finally:
            if not complete:
                shutil.rmtree(temporary, ignore_errors=True)

    def _read(self):
        with open(os.path.join(self.folder, "structure.json")) as f:
            structure = json.load(f)
        chunks = sorted(n for n in os.listdir(self.folder) if n.startswith("chunk-") and n.endswith(".npz"))
        for name in chunks:
            with xp.load(os.path.join(self.folder, name), allow_pickle=False) as arrays:
                count, components = int(arrays["count"]), int(arrays["components"])
                stacked = {j: arrays[f"c{j}"] for j in builtins.range(components) if f"c{j}" in arrays.files}
                for i in builtins.range(count):
                    leaves = [
                        stacked[j][i] if j in stacked else arrays[f"c{j}_{i}"] for j in builtins.range(components)
                    ]
                    yield _decode_structure(structure, iter([Tensor(xp.asarray(a)) for a in leaves]))


_temporary_names = itertools.count()  # one temporary folder per writing pass, even for passes at once


def _write_chunk(folder, index, chunk):
    """Write a list of elements (each a list of leaf Tensors) as one .npz file."""
    arrays = {"count": xp.asarray(len(chunk)), "components": xp.asarray(len(chunk[0]) if chunk else 0)}
    for j in builtins.range(len(chunk[0])):
        column = [element[j].data for element in chunk]
        if column[0].dtype.kind == "O":
            raise TypeError("Dataset.cache(filename) cannot store object arrays; use bytes (S) or str (U) arrays.")
        if all(a.shape == column[0].shape and a.dtype == column[0].dtype for a in column):
            arrays[f"c{j}"] = xp.stack(column)
        else:
            arrays.update({f"c{j}_{i}": a for i, a in enumerate(column)})
    with open(os.path.join(folder, f"chunk-{index:06d}.npz"), "wb") as f:
        xp.savez(f, **arrays)


def _encode_structure(element):
    """The nesting of an element as JSON: "leaf", {"tuple": [...]} or {"dict": [[key, ...], ...]}."""
    if isinstance(element, dict):
        return {"dict": [[k, _encode_structure(v)] for k, v in element.items()]}
    if isinstance(element, (tuple, list)):
        return {"tuple": [_encode_structure(v) for v in element]}
    return "leaf"


def _decode_structure(structure, leaves):
    if structure == "leaf":
        return next(leaves)
    if "dict" in structure:
        return {k: _decode_structure(v, leaves) for k, v in structure["dict"]}
    return tuple(_decode_structure(v, leaves) for v in structure["tuple"])
