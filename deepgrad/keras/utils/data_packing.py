"""How fit() packs a batch for train_step(data), and how a step unpacks it (keras.utils).

A batch is `x` alone, `(x,)`, `(x, y)` or `(x, y, sample_weight)`; `x` and `y` may themselves be
arrays, lists or dicts of arrays. These two functions are the only place that knows the rule.
"""


def unpack_x_y_sample_weight(data):
    """`(x, y, sample_weight)` from a batch, with None for what it lacks.

    A list is read as a tuple; anything that is not a tuple is `x` alone (a dict of inputs
    included: Keras never splits a dict into inputs and targets).

    Args:
        data: `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`.

    Returns:
        A tuple `(x, y, sample_weight)`.

    Example:
        >>> x, y, sample_weight = unpack_x_y_sample_weight((features, labels))
        >>> sample_weight is None
        True
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
        f"found: {data}"
    )


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch fit() hands to train_step: `x` alone, `(x,)`, `(x, y)` or `(x, y, sample_weight)`.

    Without `y`, a single array (or dict) is returned bare; a list or tuple of inputs is wrapped
    as `(x,)` so that it is not mistaken for `(x, y)`. Without `y` the sample weights are
    dropped, as in Keras.

    Args:
        x: the model's inputs.
        y: the targets (optional).
        sample_weight: one weight per sample, or a structure like `y` (optional).

    Example:
        >>> pack_x_y_sample_weight(features) is features
        True
        >>> pack_x_y_sample_weight(features, labels)
        (features, labels)
    """
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return x, y
    return x, y, sample_weight
