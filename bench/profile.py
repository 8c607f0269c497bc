"""Per-op profile of deepgrad training one model: `python -m bench --profile cnn3`.

Builds the model as the benchmark does, trains `warmup` steps, then trains
`steps` steps through model.fit inside deepgrad.profiler.profile(), with the
optimizer step timed as a region of its own, and prints the profile table.
"""
from deepgrad import profiler

from .models import MODELS
from .run import DeepgradRunner


def profile_model(name, steps=5, warmup=2, limit=None, out=print):
    """Profile `steps` training steps of the benchmark model `name`; returns the Profile."""
    spec = MODELS[name]
    if not spec.available():
        raise SystemExit(f"--profile {name}: deepgrad lacks a layer this model needs")
    runner = DeepgradRunner(spec, max(steps, warmup), 0)
    runner.train(warmup)
    optimizer = runner.model.optimizer
    apply = optimizer.apply
    with profiler.profile() as prof:

        def timed_apply(*args, **kwargs):
            with prof.region("optimizer.apply"):
                return apply(*args, **kwargs)

        optimizer.apply = timed_apply
        try:
            runner.train(steps)
        finally:
            del optimizer.apply
    out(f"deepgrad profile of {name} ({spec.title}): {steps} training steps of batch 64 through model.fit, "
        f"after {warmup} warm-up steps; self time per op, the slowest first")
    out(prof.table(limit=limit, steps=steps))
    return prof
