"""pandas DataFrames and Series as fit/evaluate/predict inputs, converted as Keras 3 does.

Keras 3.15 (trainers/data_adapters/array_slicing.py) turns, inside any dict/list/tuple
nesting:
    DataFrame (n rows, c columns) -> df.to_numpy(), shape (n, c)
    Series (n values)             -> series.to_numpy()[:, None], shape (n, 1)
and first casts the whole DataFrame (or Series) to floatx ("float32") when any of its
columns is a float of another width (float64, float16): a DataFrame of int and float64
columns becomes one float32 array; all-int or bool data keep their dtype. The index is
ignored (rows are taken by position), so `dict(df)` gives one (n, 1) array per column.

pandas is imported only when an object's type comes from pandas, so `import deepgrad`
and inputs of other kinds never load it.

Example:
    >>> df = pandas.DataFrame({"a": [1.0, 2.0], "b": [3, 4]})
    >>> convert_pandas({"x": df, "y": df["a"]})["y"].shape
    (2, 1)
"""
import numpy as np


def _from_pandas(obj):
    return type(obj).__module__.split(".")[0] == "pandas"


def _needs_floatx(dtypes, floatx):
    """Whether any dtype is a float other than floatx (Keras' is_non_floatx_float)."""
    from pandas.api.types import is_float_dtype

    return any(is_float_dtype(d) and np.dtype(d) != np.dtype(floatx) for d in dtypes)


def _convert_one(obj):
    import pandas

    from ..config import floatx

    if isinstance(obj, pandas.DataFrame):
        if _needs_floatx(obj.dtypes.values, floatx()):
            obj = obj.astype(floatx())
        return obj.to_numpy()
    if isinstance(obj, pandas.Series):
        if _needs_floatx([obj.dtype], floatx()):
            obj = obj.astype(floatx())
        return np.expand_dims(obj.to_numpy(), axis=-1)
    return np.asarray(obj)  # another pandas array-like (Index, Categorical, ...)


def convert_pandas(data):
    """`data` with every pandas DataFrame/Series replaced by its NumPy array (see the module doc);
    anything else, and the dict/list/tuple nesting, is returned as it is."""
    if isinstance(data, dict):
        return {key: convert_pandas(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        items = [convert_pandas(value) for value in data]
        if hasattr(data, "_fields"):  # a namedtuple
            return type(data)(*items)
        return type(data)(items)
    if data is not None and _from_pandas(data):
        return _convert_one(data)
    return data
