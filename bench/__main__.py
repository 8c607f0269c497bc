"""python -m bench [--quick] [--models cnn3,mlp] [--profile MODEL] ...: see bench/README.md."""
import argparse
import sys

from .models import MODELS
from .run import SETTINGS, run, set_threads


def parse(argv, prog="python -m bench"):
    p = argparse.ArgumentParser(prog=prog, description=(
        "Training and inference throughput of deepgrad against PyTorch, same models, same data, same process."))
    p.add_argument("--quick", action="store_true", help="fewer steps and runs (under 2 minutes)")
    p.add_argument("--models", default=",".join(MODELS),
                   help=f"comma-separated subset of: {', '.join(MODELS)} (default: all)")
    p.add_argument("--profile", metavar="MODEL", help="instead of the table: deepgrad's per-op profile of one model")
    p.add_argument("--steps", type=int, help="training steps per run (profile: steps profiled)")
    p.add_argument("--repeats", type=int, help="runs per measurement (the median is reported)")
    p.add_argument("--warmup", type=int, help="warm-up training steps")
    p.add_argument("--predict-batches", type=int, help="inference batches per run")
    p.add_argument("--memory-steps", type=int, help="training steps of the peak-memory processes")
    p.add_argument("--limit", type=int, default=25, help="profile: rows to print (default 25)")
    p.add_argument("--threads", type=int, help="threads of both frameworks (NumPy's BLAS through threadpoolctl, "
                   "torch.set_num_threads); default: each framework's own default")
    p.add_argument("--no-torch", action="store_true", help="deepgrad only")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory processes")
    p.add_argument("--no-imports", action="store_true", help="skip the import-time processes")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = p.parse_args(argv)
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in names + ([args.profile] if args.profile else []) if m not in MODELS]
    if unknown:
        p.error(f"unknown model(s) {unknown}; choose from {list(MODELS)}")
    return args, names


def main(argv=None, prog="python -m bench"):
    """Run the benchmark; `prog` is the command as the user typed it (for --help and errors)."""
    args, names = parse(sys.argv[1:] if argv is None else argv, prog)
    settings = dict(SETTINGS["quick" if args.quick else "full"])
    for key in ("steps", "repeats", "warmup", "predict_batches", "memory_steps"):
        value = getattr(args, key)
        if value is not None:
            settings[key] = value
    if args.repeats is not None:
        settings["predict_repeats"] = settings["import_repeats"] = args.repeats
    if args.warmup is not None:
        settings["predict_warmup"] = min(args.warmup, settings["predict_warmup"])
    if args.profile:
        if args.threads is not None:
            set_threads(args.threads)
        from .profile import profile_model

        steps = args.steps or (3 if args.quick else 10)
        profile_model(args.profile, steps=steps, warmup=args.warmup if args.warmup is not None else 2,
                      limit=args.limit)
        return 0
    if args.threads is not None:
        set_threads(args.threads)
    run(names, settings, use_torch=not args.no_torch, memory=not args.no_memory,
        imports=not args.no_imports, json_path=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
