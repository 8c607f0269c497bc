"""tf.data.TextLineDataset: the lines of text files (gzip accepted), as bytes."""
import gzip

from ..backend import xp
from ..dtypes import string as _string
from ..tensor import Tensor
from ..tensor_shape import TensorSpec
from .dataset import UNKNOWN_CARDINALITY, Dataset
from .structures import _strings


class TextLineDataset(Dataset):
    """The lines of one or more text files, as tf.string (bytes) elements without their line ends.

    Args:
        filenames: a file name, a list of them, or a Dataset of them (e.g.
            from list_files); files are read in order, one line at a time.
        compression_type: None, "" or "GZIP".
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None, name=None):
        if compression_type not in (None, "", "GZIP"):
            raise ValueError(
                f'TextLineDataset: compression_type must be None, "" or "GZIP". Received: {compression_type!r}'
            )
        opener = gzip.open if compression_type == "GZIP" else open

        def names():
            if isinstance(filenames, Dataset):
                return [name for element in filenames for name in _strings(element)]
            return _strings(filenames)

        def make():
            for path in names():
                with opener(path, "rb") as f:
                    for line in f:
                        yield Tensor(xp.asarray(line.rstrip(b"\n").rstrip(b"\r")))

        super().__init__(make, UNKNOWN_CARDINALITY, lambda: TensorSpec((), _string))
