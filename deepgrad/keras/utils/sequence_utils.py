"""pad_sequences: variable-length sequences as one rectangular NumPy array, as Keras."""
import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Pads (and truncates) sequences to one length.

    Sequences shorter than `maxlen` (by default the longest one's length) are
    filled with `value`; longer ones lose items. `padding` and `truncating`
    say at which end: "pre" (the start, the default) or "post" (the end).

    Args:
        sequences: a list of sequences (lists or arrays of numbers, or of
            equal-shaped items such as vectors).
        maxlen: the length of every output row; None pads to the longest sequence.
        dtype: the dtype of the result ("int32" by default); `object` or a str
            dtype pads sequences of strings.
        padding: "pre" or "post": where the `value` entries go.
        truncating: "pre" or "post": which end of a too-long sequence is dropped.
        value: the padding value (a number, or a string with a string dtype).

    Returns:
        A NumPy array of shape (len(sequences), maxlen) + item_shape.

    Example:
        >>> pad_sequences([[1], [2, 3], [4, 5, 6]])
        array([[0, 0, 1],
               [0, 2, 3],
               [4, 5, 6]], dtype=int32)
        >>> pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2, padding="post")
        array([[1, 0],
               [2, 3],
               [5, 6]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood')
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood')
    lengths = []
    item_shape = None
    for seq in sequences:
        try:
            lengths.append(len(seq))
        except TypeError as e:
            raise ValueError(
                f"`sequences` must be a list of iterables. Found non-iterable: {seq}"
            ) from e
        if item_shape is None and len(seq):
            item_shape = np.asarray(seq).shape[1:]
    item_shape = item_shape or ()
    if maxlen is None:
        if not lengths:
            raise ValueError("pad_sequences received no sequences: pass maxlen to get an empty (0, maxlen) array")
        maxlen = max(lengths)
    is_str_dtype = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_str_dtype:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings."
        )
    out = np.full((len(sequences), maxlen) + item_shape, value, dtype=dtype)
    for row, seq in enumerate(sequences):
        kept = seq[max(len(seq) - maxlen, 0):] if truncating == "pre" else seq[:maxlen]
        if not len(kept):
            continue
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != item_shape:
            raise ValueError(
                f"Shape of sample {kept.shape[1:]} of sequence at position {row} "
                f"is different from expected shape {item_shape}"
            )
        if padding == "post":
            out[row, :len(kept)] = kept
        else:
            out[row, maxlen - len(kept):] = kept
    return out
