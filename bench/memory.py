"""Peak memory of training in this process: `python -m bench.memory FRAMEWORK MODEL STEPS`.

Imports one framework only (deepgrad or torch), notes the resident memory
(VmRSS), builds the model and data, trains one warm-up step and then STEPS
steps of batch 64, and prints one JSON line: {"import_mb": VmRSS after the
import, "peak_mb": VmHWM (the peak RSS of the whole process)}. Where
/proc/self/status is missing, the peak is getrusage's ru_maxrss.
"""
import json
import resource
import sys


def _status_mib(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _peak_mib():
    peak = _status_mib("VmHWM")
    if peak is None:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak = rss / 1024 / (1024 if sys.platform == "darwin" else 1)
    return peak


def main(argv):
    framework, model, steps = argv[0], argv[1], int(argv[2])
    if framework == "deepgrad":
        import deepgrad.keras  # noqa: F401
    elif framework == "torch":
        import torch  # noqa: F401
    else:
        raise SystemExit(f"bench.memory: framework must be deepgrad or torch. Received: {framework!r}")
    import_mb = _status_mib("VmRSS") or _peak_mib()
    from .models import MODELS
    from .run import DeepgradRunner, TorchRunner

    runner = (DeepgradRunner if framework == "deepgrad" else TorchRunner)(MODELS[model], steps, 0)
    runner.train(1)
    runner.train(steps)
    print(json.dumps({"framework": framework, "model": model, "steps": steps,
                      "import_mb": import_mb, "peak_mb": _peak_mib()}))


if __name__ == "__main__":
    main(sys.argv[1:])
