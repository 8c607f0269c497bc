"""tf.data.Options: the option groups TensorFlow accepts, kept and merged along a pipeline, not acted on."""
import enum


class _OptionGroup:
    """A set of named options, each None (unset: TF's default) until assigned; other names raise."""

    _names = ()

    def __init__(self):
        for name in self._names:
            object.__setattr__(self, name, None)

    def __setattr__(self, name, value):
        if name not in self._names:
            raise AttributeError(f"Cannot set the property {name} on {type(self).__name__}.")
        object.__setattr__(self, name, value)

    def _merge_from(self, other):
        for name in self._names:
            value = getattr(other, name)
            if isinstance(value, _OptionGroup):
                getattr(self, name)._merge_from(value)
            elif value is not None:
                object.__setattr__(self, name, value)

    def __eq__(self, other):
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in self._names)

    __hash__ = None

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self._names)})"


class OptimizationOptions(_OptionGroup):
    _names = ("apply_default_optimizations", "filter_fusion", "filter_parallelization", "inject_prefetch",
              "map_and_batch_fusion", "map_and_filter_fusion", "map_fusion", "map_parallelization",
              "noop_elimination", "parallel_batch", "seq_interleave_prefetch", "shuffle_and_repeat_fusion")


class ThreadingOptions(_OptionGroup):
    _names = ("max_intra_op_parallelism", "private_threadpool_size")


class AutotuneOptions(_OptionGroup):
    _names = ("autotune_algorithm", "cpu_budget", "enabled", "initial_parallelism", "min_parallelism", "ram_budget")


class DistributeOptions(_OptionGroup):
    _names = ("auto_shard_policy", "num_devices")


class Options(_OptionGroup):
    """tf.data.Options: accepted and kept (options() returns them); deepgrad's pipelines run in order
    on the calling thread, so none of them changes the elements. Unknown names raise AttributeError."""

    _names = ("autotune", "dataset_name", "deterministic", "experimental_deterministic", "experimental_distribute",
              "experimental_external_state_policy", "experimental_optimization", "experimental_slack",
              "experimental_symbolic_checkpoint", "experimental_threading", "experimental_warm_start",
              "framework_type", "threading")
    _groups = {"autotune": AutotuneOptions, "experimental_distribute": DistributeOptions,
               "experimental_optimization": OptimizationOptions, "threading": ThreadingOptions,
               "experimental_threading": ThreadingOptions}

    def __init__(self):
        super().__init__()
        for name, group in self._groups.items():
            object.__setattr__(self, name, group())

    def merge(self, options):
        """A new Options: these, with the ones set in `options` taking precedence."""
        merged = Options()
        merged._merge_from(self)
        merged._merge_from(options)
        return merged


class AutoShardPolicy(enum.IntEnum):
    """tf.data.experimental.AutoShardPolicy (accepted in Options; deepgrad runs on one worker)."""

    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3
