"""tf.train: object-based checkpoints (Checkpoint, CheckpointManager, latest_checkpoint).

    checkpoint = tf.train.Checkpoint(step=tf.Variable(0), optimizer=optimizer, model=model)
    manager = tf.train.CheckpointManager(checkpoint, "./tf_ckpts", max_to_keep=3)
    checkpoint.restore(manager.latest_checkpoint)   # before the first step: applied when built
    ...
    manager.save()                                  # ./tf_ckpts/ckpt-1, ckpt-2, ...

A checkpoint stores values by their path in the object graph, as TensorFlow's do: the
Checkpoint's keyword names, then attribute names below them. Each value is stored under
'<path>/.ATTRIBUTES/VARIABLE_VALUE':

- a Variable at <path>;
- a tf.Module: what its attributes hold (lists and dicts by index and key: 'net/layers/0/w');
- a Keras layer or model: each layer of its Keras weights-file tree (the paths of
  `model.save_weights`: attribute names, 'layers/dense' for a Sequential's), with its own
  variables under the attributes that hold them ('net/l1/bias', as TensorFlow 2.21 writes
  for a subclassed model's Dense layer at attribute l1);
- a Keras optimizer: its `variables` (iterations, learning rate, then the slots such as
  Adam's moments) as 'vars/0', ...;
- a nested Checkpoint: its own children. An object reached twice is stored once; the other
  paths are recorded as aliases of the first.

Restoring is deferred as TensorFlow's: a value whose object does not exist yet is applied when
it is created. A Keras optimizer restored before its first step gets its iterations and
learning rate at once and its slot variables when it builds them; a Keras layer not built yet
gets its weights when it builds; a tf.Module attribute assigned later gets its value then.

Files: `save("dir/ckpt")` writes dir/ckpt-N.index and dir/ckpt-N.data-00000-of-00001 (N =
save_counter) and the text file dir/checkpoint that TensorFlow writes (`model_checkpoint_path:
"ckpt-2"`), so os.listdir, latest_checkpoint and CheckpointManager see what they would with
TensorFlow. The contents are deepgrad's own: the .index file is JSON (keys, shapes, dtypes,
aliases), the .data file a NumPy .npz of the arrays, read with allow_pickle=False (reading
runs no code). TensorFlow cannot read them, and deepgrad cannot read TensorFlow's (given one,
it says so). Every file is written to a temporary name and then renamed, so a crash never
leaves a half-written checkpoint under the real name.
"""
import collections
import json
import os
import re
import sys
import tempfile
import time

from .backend import xp
from .data import Iterator
from .missing import not_implemented
from .module import Module, children as module_children, is_keras_layer, nested_items
from .variable import Variable

_VALUE = ".ATTRIBUTES/VARIABLE_VALUE"
_ITERATOR_STATE = ".ATTRIBUTES/ITERATOR_STATE"
_FORMAT = "deepgrad-checkpoint"
_DATA = ".data-00000-of-00001"
_STATE_FILE = "checkpoint"
# The last 8 bytes of TensorFlow's .index files (a LevelDB table's magic number)
_TF_TABLE_MAGIC = bytes.fromhex("57fb808b247547db")


def _keras_optimizer_type():
    optimizer_module = sys.modules.get("deepgrad.keras.optimizers.base")
    return None if optimizer_module is None else optimizer_module.Optimizer


def _is_keras_optimizer(obj):
    optimizer = _keras_optimizer_type()
    return optimizer is not None and isinstance(obj, optimizer)


def _is_trackable(obj):
    return (isinstance(obj, (Variable, Module, Checkpoint, Iterator)) or is_keras_layer(obj)
            or _is_keras_optimizer(obj))


def _join(*parts):
    return "/".join(str(p) for p in parts if p != "")


def _value_key(path):
    return _join(path, _VALUE)


def _keras_tree(obj, path):
    """(saveable, path) for a Keras layer/model and everything under it (Keras' weights-file tree)."""
    from .keras.saving import object_tree

    return object_tree.walk(obj, path)


# ---- walking the object graph ------------------------------------------------------------------


class _Walk:
    """Visits every value-holding object under a Checkpoint once, in a fixed order.

    Subclasses define `variable(path, var)`, `optimizer(path, opt)` and `iterator(path, it)`
    (a tf.data iterator: its position), and may define
    `keras_layer(path, layer)`, `module(path, module)` (called after its children) and
    `alias(path, canonical)` (an object reached again by another path).
    """

    def __init__(self):
        self.paths = {}  # id(object) -> the path it was first reached by
        self._alive = []  # the objects of `paths`, kept so that no id is reused while this walk lives

    def run(self, checkpoint):
        self.visit(checkpoint, "")

    def _first_visit(self, obj, path):
        """Record `obj` as reached by `path`; False (and an alias) when it was reached before."""
        first = self.paths.get(id(obj))
        if first is not None:
            self.alias(path, first)
            return False
        self.paths[id(obj)] = path
        self._alive.append(obj)
        return True

    def visit(self, obj, path):
        if is_keras_layer(obj) or _is_keras_optimizer(obj):
            for saveable, sub_path in _keras_tree(obj, path):
                if self._first_visit(saveable, sub_path):
                    visit = self.optimizer if _is_keras_optimizer(saveable) else self.keras_layer
                    visit(sub_path, saveable)
        elif not self._first_visit(obj, path):
            return
        elif isinstance(obj, Variable):
            self.variable(path, obj)
        elif isinstance(obj, Iterator):
            self.iterator(path, obj)
        elif isinstance(obj, Checkpoint):
            for name, child in obj._children_in_order(with_counter=not path):
                self.visit(child, _join(path, name))
        elif isinstance(obj, Module):
            for child_path, child in module_children(obj):
                if _is_trackable(child):
                    self.visit(child, _join(path, *child_path))
            self.module(path, obj)

    def keras_layer(self, path, layer):
        """A Keras layer's own weights are variables at <path>/<attribute name> ('dense/kernel')."""
        for name, var in _keras_weights(layer):
            self.visit(var, _join(path, name))

    def module(self, path, module):
        pass

    def alias(self, path, canonical):
        pass


def _keras_weights(layer):
    """(name, variable) for the weights a Keras layer owns (not its sublayers'): the attribute that
    holds it (public names first), else 'weights/<its index>'."""
    attributes = {}
    for name in sorted(vars(layer), key=lambda n: (n.startswith("_"), n)):
        value = vars(layer)[name]
        if isinstance(value, Variable):
            attributes.setdefault(id(value), name)
    nested = {id(w) for sub in layer.layers for w in sub.weights}
    own = [w for w in layer.weights if id(w) not in nested]
    return [(attributes.get(id(w), f"weights/{i}"), w) for i, w in enumerate(own)]


class _Collect(_Walk):
    """The values to save: {key: array} in walk order, and the aliases."""

    def __init__(self):
        super().__init__()
        self.values = {}
        self.aliases = {}

    def variable(self, path, var):
        self.values[_value_key(path)] = var.data

    def optimizer(self, path, optimizer):
        for i, array in enumerate(optimizer.variables):
            self.values[_value_key(_join(path, "vars", i))] = array

    def iterator(self, path, iterator):
        self.values[_join(path, _ITERATOR_STATE)] = xp.asarray([iterator.position], dtype=xp.int64)

    def alias(self, path, canonical):
        self.aliases[path] = canonical


# ---- restoring -----------------------------------------------------------------------------------


class _Restore(_Walk):
    """One restore: the values read from a file, which of them were used, and what waits for objects
    that do not exist yet (unbuilt Keras layers and optimizers, tf.Module attributes set later)."""

    def __init__(self, values, aliases, save_path, optional=()):
        super().__init__()
        self.values = values
        self.aliases = aliases
        self.save_path = save_path
        self.optional = set(optional)
        self.consumed = set()
        self.unmatched = []  # existing objects no saved value was found for

    def _resolve(self, path):
        """The saved path holding the values of the object at `path` (an alias leads to its first path)."""
        for prefix in _prefixes(path):
            if prefix in self.aliases:
                return self.aliases[prefix] + path[len(prefix):]
        return path

    def _take(self, key):
        self.consumed.add(key)
        return self.values[key]

    def _indexed(self, path):
        """The saved values under <path>/vars/0, 1, ... as a list."""
        path = self._resolve(path)
        out = []
        while _value_key(_join(path, "vars", len(out))) in self.values:
            out.append(_value_key(_join(path, "vars", len(out))))
        return out

    def variable(self, path, var):
        key = _value_key(self._resolve(path))
        if key not in self.values:
            if key not in self.optional:
                self.unmatched.append(var)
            return
        value = xp.asarray(self.values[key])
        if value.shape != var.shape:
            raise ValueError(
                f"Received incompatible tensor with shape {value.shape} when attempting to restore "
                f"variable with shape {tuple(var.shape)} and name {var.name} (checkpoint key '{key}' "
                f"in {self.save_path})"
            )
        var.assign(self._take(key))

    def iterator(self, path, iterator):
        key = _join(self._resolve(path), _ITERATOR_STATE)
        if key not in self.values:
            if key not in self.optional:
                self.unmatched.append(iterator)
            return
        iterator.restore_position(int(xp.asarray(self._take(key)).reshape(-1)[0]))

    def keras_layer(self, path, layer):
        if not layer.built and not _keras_weights(layer) and self._pending_under(path):
            _after_build(layer, lambda: _Walk.keras_layer(self, path, layer))
            return
        super().keras_layer(path, layer)

    def optimizer(self, path, optimizer):
        keys = self._indexed(path)
        if not keys:
            self.unmatched.append(optimizer)
            return
        head = len(optimizer.variables) if not optimizer.built else 0
        if optimizer.built or len(keys) <= head:
            self._assign_optimizer(optimizer, keys, 0)
            return
        self._assign_optimizer(optimizer, keys[:head], 0)
        _after_build(optimizer, lambda: self._assign_optimizer(optimizer, keys[head:], head))

    def _assign_optimizer(self, optimizer, keys, start):
        """Assign saved optimizer values to optimizer.variables[start:], counts and shapes checked."""
        targets = optimizer.variables[start:]
        if start == 0 and len(keys) <= 2 < len(targets):
            # saved before that optimizer's first step: its iterations (and learning rate) only
            targets = targets[:len(keys)]
            self.unmatched.append(optimizer)
        if len(keys) != len(targets):
            raise ValueError(
                f"Optimizer '{optimizer.name}' has {len(optimizer.variables)} variables, but the "
                f"checkpoint {self.save_path} holds {start + len(keys)} for it"
            )
        for key, array in zip(keys, targets):
            value = xp.asarray(self.values[key])
            if value.shape != array.shape:
                raise ValueError(
                    f"Optimizer '{optimizer.name}': the checkpoint value '{key}' has shape "
                    f"{value.shape}, the optimizer variable has shape {array.shape}"
                )
            array[...] = value
            self.consumed.add(key)

    def module(self, path, module):
        if self._pending_under(path):
            module.__dict__.setdefault("_deferred_restores", []).append((self, path))

    def _pending_under(self, path):
        prefix = self._resolve(path) + "/" if path else ""
        return any(k.startswith(prefix) and k not in self.consumed for k in self.values)

    def attribute_set(self, module, path, name, value):
        """Called by tf.Module when an attribute is set: restore what the file holds for it."""
        for child_path, child in nested_items(value, (name,)):
            if _is_trackable(child):
                self.visit(child, _join(path, *child_path))
        if not self._pending_under(path):
            module.__dict__["_deferred_restores"].remove((self, path))

    def unresolved(self):
        return [k for k in self.values if k not in self.consumed and k not in self.optional]


def _prefixes(path):
    parts = path.split("/")
    return ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _after_build(obj, apply):
    """Run `apply` right after the next `obj.build(...)` (a Keras layer's or optimizer's)."""
    original = obj.build

    def build(*args, **kwargs):
        obj.__dict__.pop("build", None)
        result = original(*args, **kwargs)
        apply()
        return result

    obj.__dict__["build"] = build


class CheckpointLoadStatus:
    """What a restore matched; values for objects not created yet are applied when they are.

    The assert_* methods raise AssertionError and return the status otherwise.
    """

    def __init__(self, restore):
        self._restore = restore

    def assert_consumed(self):
        """Every value in the checkpoint was applied and every existing object got one."""
        unresolved = self._restore.unresolved()
        if unresolved:
            raise AssertionError(
                f"Unresolved object in checkpoint {self._restore.save_path}: {len(unresolved)} values "
                f"were not applied (their objects are missing or not built yet), e.g. {unresolved[:5]}"
            )
        return self.assert_existing_objects_matched()

    def assert_existing_objects_matched(self):
        """Every object that exists now was found in the checkpoint."""
        unmatched = self._restore.unmatched
        if unmatched:
            shown = [getattr(o, "name", type(o).__name__) for o in unmatched[:10]]
            raise AssertionError(
                f"Found {len(unmatched)} Python objects that were not bound to checkpointed values, "
                f"likely due to changes in the Python program. Showing {len(shown)} of "
                f"{len(unmatched)} unmatched objects: {shown}"
            )
        return self

    def assert_nontrivial_match(self):
        """Something besides the save counter was restored."""
        if not [k for k in self._restore.consumed if not k.endswith(f"save_counter/{_VALUE}")]:
            raise AssertionError(
                "Nothing except the root object matched a checkpointed value. Typically this means "
                f"that the checkpoint {self._restore.save_path} does not match the Python program."
            )
        return self

    def expect_partial(self):
        """Declare that a partial restore is intended (deepgrad never warns about one); returns self."""
        return self


class InitializationOnlyStatus:
    """The status of restore(None): nothing was restored; every assert_* raises AssertionError."""

    def _nothing(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being restored.")

    def assert_consumed(self):
        self._nothing()

    def assert_existing_objects_matched(self):
        self._nothing()

    def assert_nontrivial_match(self):
        self._nothing()

    def expect_partial(self):
        return self


# ---- files ---------------------------------------------------------------------------------------


def _atomic_write(path, write):
    """Call write(file) on a temporary file next to `path`, then rename it to `path`."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _write_files(prefix, values, aliases):
    directory = os.path.dirname(os.path.abspath(prefix))
    os.makedirs(directory, exist_ok=True)
    keys = list(values)
    arrays = {str(i): xp.asarray(values[k]) for i, k in enumerate(keys)}
    for key, array in zip(keys, arrays.values()):
        if array.dtype.kind == "O":
            raise ValueError(f"Checkpoint: cannot save the object array at '{key}'. Received: dtype={array.dtype}")
    index = {"format": _FORMAT, "version": 1, "keys": keys, "aliases": aliases,
             "shapes": [list(a.shape) for a in arrays.values()], "dtypes": [a.dtype.str for a in arrays.values()]}
    _atomic_write(prefix + _DATA, lambda f: xp.savez(f, **arrays))
    # the index last: a checkpoint whose index exists is complete
    _atomic_write(prefix + ".index", lambda f: f.write(json.dumps(index, indent=1).encode()))


def _read_index(prefix):
    index_path = prefix + ".index"
    if os.path.isdir(prefix):
        raise ValueError(
            f"Checkpoint: {prefix} is a directory; pass a checkpoint prefix such as "
            "tf.train.latest_checkpoint(directory) or 'directory/ckpt-1'"
        )
    if not os.path.exists(index_path):
        raise FileNotFoundError(
            f"Failed to find any matching files for {prefix} (no {index_path}). Please double-check "
            "that the path is correct. You may be missing the checkpoint suffix (e.g. the '-1' in "
            "'path/to/ckpt-1')."
        )
    with open(index_path, "rb") as f:
        raw = f.read()
    try:
        index = json.loads(raw.decode())
    except (UnicodeDecodeError, ValueError):
        index = None
    if not isinstance(index, dict) or index.get("format") != _FORMAT:
        if raw.endswith(_TF_TABLE_MAGIC):
            raise ValueError(
                f"{prefix} is a TensorFlow checkpoint: deepgrad reads only checkpoints that deepgrad "
                "wrote (their contents are deepgrad's own format). Export the weights from TensorFlow "
                "with model.save_weights('w.weights.h5') and load them with load_weights."
            )
        raise ValueError(f"{index_path} is not a deepgrad checkpoint index")
    return index


def _read(prefix):
    """({key: array}, aliases) of the checkpoint at `prefix`."""
    index = _read_index(prefix)
    with xp.load(prefix + _DATA, allow_pickle=False) as data:
        values = {key: data[str(i)] for i, key in enumerate(index["keys"])}
    return values, index.get("aliases", {})


def list_variables(ckpt_dir_or_file):
    """[(key, shape)] of every value in a checkpoint (a prefix, or a directory: its latest), sorted."""
    prefix = _prefix_of(ckpt_dir_or_file)
    index = _read_index(prefix)
    return sorted((k, list(s)) for k, s in zip(index["keys"], index["shapes"]))


def load_variable(ckpt_dir_or_file, name):
    """The array stored under `name` (a key of list_variables) in a checkpoint."""
    values, _ = _read(_prefix_of(ckpt_dir_or_file))
    if name not in values:
        raise ValueError(f"load_variable: no value '{name}' in {ckpt_dir_or_file}. Keys: {sorted(values)[:10]}")
    return values[name]


def _prefix_of(ckpt_dir_or_file):
    if os.path.isdir(ckpt_dir_or_file):
        latest = latest_checkpoint(ckpt_dir_or_file)
        if latest is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory {ckpt_dir_or_file}")
        return latest
    return ckpt_dir_or_file


# ---- the `checkpoint` state file -------------------------------------------------------------------


class CheckpointState:
    """The contents of a directory's `checkpoint` file (paths joined to the directory)."""

    def __init__(self, model_checkpoint_path, all_model_checkpoint_paths=(), all_model_checkpoint_timestamps=(),
                 last_preserved_timestamp=0.0):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths)
        self.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps)
        self.last_preserved_timestamp = last_preserved_timestamp

    def __repr__(self):
        return f"CheckpointState(model_checkpoint_path={self.model_checkpoint_path!r})"


def _quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(text):
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _number(value):
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _write_state(directory, latest, paths, timestamps=None, last_preserved=None):
    """Write `directory/checkpoint` in TensorFlow's text format (paths relative to the directory)."""
    lines = [f"model_checkpoint_path: {_quote(_relative(latest, directory))}"]
    lines += [f"all_model_checkpoint_paths: {_quote(_relative(p, directory))}" for p in paths]
    lines += [f"all_model_checkpoint_timestamps: {_number(t)}" for t in timestamps or ()]
    if last_preserved is not None:
        lines.append(f"last_preserved_timestamp: {_number(last_preserved)}")
    text = "".join(line + "\n" for line in lines)
    _atomic_write(os.path.join(directory, _STATE_FILE), lambda f: f.write(text.encode()))


def _relative(path, directory):
    return os.path.relpath(os.path.abspath(path), os.path.abspath(directory))


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The CheckpointState of `checkpoint_dir`'s `checkpoint` file, or None when there is none."""
    path = os.path.join(checkpoint_dir, latest_filename or _STATE_FILE)
    if not os.path.isfile(path):
        return None
    fields = collections.defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            match = re.match(r"\s*(\w+)\s*:\s*(.*?)\s*$", line)
            if match:
                key, value = match.groups()
                fields[key].append(_unquote(value) if value.startswith('"') else float(value))
    if not fields.get("model_checkpoint_path"):
        raise ValueError(f"Invalid checkpoint state loaded from {checkpoint_dir}")

    def absolute(p):
        return p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)

    return CheckpointState(
        absolute(fields["model_checkpoint_path"][-1]),
        [absolute(p) for p in fields["all_model_checkpoint_paths"]],
        fields["all_model_checkpoint_timestamps"],
        fields["last_preserved_timestamp"][-1] if fields["last_preserved_timestamp"] else 0.0,
    )


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint in `checkpoint_dir` (from its `checkpoint` file), or None."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not os.path.exists(state.model_checkpoint_path + ".index"):
        return None
    return state.model_checkpoint_path


# ---- Checkpoint ------------------------------------------------------------------------------------


class Checkpoint:
    """Saves and restores variables, tf.Modules, Keras models/layers/optimizers by object path.

    Args:
        root: an object whose contents become the checkpoint's top level (optional).
        **kwargs: the objects to track, by name (the first part of every saved path).
    """

    def __init__(self, root=None, **kwargs):
        object.__setattr__(self, "_children", {})
        object.__setattr__(self, "_root", None)
        if root is not None:
            _check_trackable("root", root)
            object.__setattr__(self, "_root", root)
        for name, value in kwargs.items():
            setattr(self, name, value)
        object.__setattr__(self, "_save_counter", Variable(xp.array(0, dtype=xp.int64), trainable=False,
                                                           name="save_counter"))

    def __setattr__(self, name, value):
        if not name.startswith("_"):
            _check_trackable(name, value)
            self._children[name] = value
        object.__setattr__(self, name, value)

    @property
    def save_counter(self):
        """How many times save() has run (an int64 Variable), restored with the checkpoint."""
        return self._save_counter

    def _children_in_order(self, with_counter):
        """(name, object) to save; the save counter only for the checkpoint saved or restored
        itself (a nested Checkpoint's is not stored, as TensorFlow makes it only when used)."""
        if with_counter:
            yield "save_counter", self._save_counter
        if self._root is not None:
            yield "", self._root
        for name in sorted(self._children):
            for path, leaf in nested_items(self._children[name], (name,)):
                if _is_trackable(leaf):
                    yield _join(*path), leaf

    def write(self, file_prefix, options=None):
        """Write the checkpoint at exactly `file_prefix` (no counter, no `checkpoint` file); returns it."""
        file_prefix = os.fspath(file_prefix)
        collect = _Collect()
        collect.run(self)
        _write_files(file_prefix, collect.values, collect.aliases)
        return file_prefix

    def save(self, file_prefix, options=None):
        """Increment save_counter, write `file_prefix-N` and record it in the directory's `checkpoint` file."""
        file_prefix = os.fspath(file_prefix)
        self._save_counter.assign_add(1)
        path = self.write(f"{file_prefix}-{int(self._save_counter.data)}")
        _write_state(os.path.dirname(path) or ".", path, [path])
        return path

    def restore(self, save_path, options=None):
        """Restore from the checkpoint prefix `save_path` (None: nothing, an InitializationOnlyStatus).

        Values for objects that do not exist yet are applied when they are created; the returned
        status tells what matched.
        """
        if save_path is None:
            return InitializationOnlyStatus()
        return self._restore(os.fspath(save_path), optional=())

    def read(self, save_path, options=None):
        """Restore a checkpoint written by write(); a missing save counter is no mismatch."""
        return self._restore(os.fspath(save_path), optional=(_value_key("save_counter"),))

    def _restore(self, save_path, optional):
        values, aliases = _read(save_path)
        restore = _Restore(values, aliases, save_path, optional)
        restore.run(self)
        return CheckpointLoadStatus(restore)

    def __repr__(self):
        return f"<Checkpoint {sorted(self._children)}>"


def _check_trackable(name, value):
    leaves = [leaf for _, leaf in nested_items(value)]
    if not leaves or not all(_is_trackable(leaf) for leaf in leaves):
        raise ValueError(
            f"`Checkpoint` was expecting {name} to be a trackable object (a Variable, tf.Module, "
            f"Keras model, layer or optimizer, tf.data iterator, or a Checkpoint), got {value!r}."
        )


# ---- CheckpointManager -----------------------------------------------------------------------------


class CheckpointManager:
    """Numbered saves in one directory, keeping the newest `max_to_keep` (TensorFlow's manager).

    Args:
        checkpoint: the Checkpoint to save and restore.
        directory: where the files and the `checkpoint` state file go.
        max_to_keep: how many checkpoints to keep (None: all); older ones are deleted.
        keep_checkpoint_every_n_hours: also keep one checkpoint per this many hours.
        checkpoint_name: the files' prefix ('ckpt': ckpt-1, ckpt-2, ...).
        step_counter: a Variable (or int) of the training step, for checkpoint_interval.
        checkpoint_interval: save only when step_counter advanced this much since the last save.
        init_fn: called by restore_or_initialize() when there is nothing to restore.

    Checkpoints already listed in the directory's `checkpoint` file are picked up on creation
    (the newest becomes latest_checkpoint, and they count toward max_to_keep).
    """

    def __init__(self, checkpoint, directory, max_to_keep=5, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None, init_fn=None):
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(f"Expected a positive integer or `None` for `max_to_keep`, got {max_to_keep}.")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is not None.")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_every_n_hours = keep_checkpoint_every_n_hours
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._step_counter = step_counter
        self._checkpoint_interval = checkpoint_interval
        self._init_fn = init_fn
        self._last_checkpoint_step = None
        self._maybe_delete = collections.OrderedDict()
        now = time.time()
        state = get_checkpoint_state(self._directory)
        if state is None:
            self._latest_checkpoint = None
            self._last_preserved = now - 1
            return
        self._latest_checkpoint = state.model_checkpoint_path
        self._last_preserved = min(state.last_preserved_timestamp, now)
        timestamps = state.all_model_checkpoint_timestamps or \
            [self._last_preserved] * len(state.all_model_checkpoint_paths)
        for path, stamp in zip(state.all_model_checkpoint_paths, timestamps):
            stamp = min(stamp, now)
            if stamp > self._last_preserved:
                self._maybe_delete[path] = stamp

    @property
    def directory(self):
        return self._directory

    @property
    def checkpoint(self):
        return self._checkpoint

    @property
    def checkpoint_interval(self):
        return self._checkpoint_interval

    @property
    def latest_checkpoint(self):
        """The prefix of the newest checkpoint (or None)."""
        return self._latest_checkpoint

    @property
    def checkpoints(self):
        """The prefixes of the checkpoints this manager may still delete, oldest first."""
        return list(self._maybe_delete)

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Save `<directory>/<checkpoint_name>-N` (N: checkpoint_number, else the checkpoint's
        save_counter), delete the oldest beyond max_to_keep; returns the path, or None when
        checkpoint_interval says it is too early."""
        step = None
        if self._step_counter is not None:
            step = int(self._step_counter)
        if self._checkpoint_interval is not None and check_interval and self._last_checkpoint_step is not None:
            if step < self._last_checkpoint_step + self._checkpoint_interval:
                return None
        counter = self._checkpoint.save_counter
        counter.assign_add(1)
        number = int(counter.data) if checkpoint_number is None else int(checkpoint_number)
        path = self._checkpoint.write(f"{self._prefix}-{number}")
        self._maybe_delete.pop(path, None)
        self._maybe_delete[path] = time.time()
        self._latest_checkpoint = path
        self._record_state()
        self._sweep()
        self._record_state()
        if step is not None:
            self._last_checkpoint_step = step
        return path

    def _record_state(self):
        _write_state(self._directory, self._latest_checkpoint, list(self._maybe_delete),
                     list(self._maybe_delete.values()), self._last_preserved)

    def _sweep(self):
        if not self._max_to_keep:
            return
        while len(self._maybe_delete) > self._max_to_keep:
            path, stamp = self._maybe_delete.popitem(last=False)
            if self._keep_every_n_hours and stamp - self._keep_every_n_hours * 3600.0 >= self._last_preserved:
                self._last_preserved = stamp
                continue
            for suffix in (".index", _DATA):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)

    def restore_or_initialize(self):
        """Restore the latest checkpoint and return its path; else call init_fn and return None."""
        if self._latest_checkpoint is not None:
            self._checkpoint.restore(self._latest_checkpoint)
            if self._checkpoint_interval is not None:
                self._last_checkpoint_step = int(self._step_counter)
            return self._latest_checkpoint
        if self._init_fn is not None:
            self._init_fn()
        return None


__getattr__ = not_implemented("tf.train")
