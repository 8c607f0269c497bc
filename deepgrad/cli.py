"""The `deepgrad` command: demo (train a CNN on MNIST), run (a TensorFlow script on deepgrad), bench,
explain (one training step, explained)."""
import argparse
import os
import sys
import time

DESCRIPTION = """\
deepgrad: deep learning on NumPy alone, with the Keras API.
`deepgrad COMMAND --help` describes a command."""

EPILOG = """\
examples:
  deepgrad demo                            # offline, on the MNIST sample shipped with deepgrad
  deepgrad demo --data ~/mnist --epochs 3  # on the full MNIST IDX files in ~/mnist
  deepgrad run examples/mnist_cnn.py       # a TensorFlow tutorial program, unchanged
  deepgrad run train.py --lr 0.01          # arguments after the file go to the program"""

DEMO_DESCRIPTION = """\
Train the tutorials' three-conv MNIST CNN (93,322 parameters; Adam, batch 64), showing
the progress bar, then print its test accuracy and write the training curves (loss and
accuracy per epoch, training and test: the test set serves as validation data) to a PNG
when matplotlib is installed.

Data: the full MNIST (60,000 / 10,000 images) from --data or from the cache
($DEEPGRAD_HOME/datasets/mnist, ~/.deepgrad/datasets/mnist or ~/.keras/datasets), else
the sample shipped with deepgrad (10,000 / 2,000 images): no network needed. On the
sample, 5 epochs take about 10-17 s on 2 cores and reach about 96.5% test accuracy."""

DEMO_EPILOG = """\
examples:
  deepgrad demo
  deepgrad demo --data ~/mnist                # a folder with the four MNIST .gz files
  deepgrad demo --epochs 2 --plot curves.png --verbose 2"""

RUN_DESCRIPTION = """\
Run SCRIPT as `python SCRIPT ARGS...` would, with `import tensorflow`, `from tensorflow
import keras`, `from tensorflow.keras import layers` and `import keras` served by deepgrad,
for this run only. A TensorFlow name deepgrad does not implement is reported with the
script line that used it. The exit status is the script's (1 after an error)."""

RUN_EPILOG = """\
examples:
  deepgrad run examples/mnist_cnn.py
  deepgrad run examples/logistic_regression.py --epochs 2   # --epochs goes to the script
  deepgrad run --traceback train.py                         # show deepgrad's frames on errors"""


def build_mnist_cnn(keras):
    """The tutorials' three-conv MNIST CNN (93,322 parameters)."""
    layers = keras.layers
    return keras.Sequential([
        layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])


def _cached_mnist(mnist):
    """The first place where a copy of MNIST already is (the caches, then the system folder), or None.

    The demo looks without downloading: with no copy it trains on the shipped sample.
    """
    return next((place for place in mnist.search_paths() if place.exists()), None)


def _load_mnist(mnist, data):
    """((x_train, y_train), (x_test, y_test)) and a phrase saying where they came from."""
    if data:
        return mnist.load_data(path=data), f"MNIST from {data}"
    cached = _cached_mnist(mnist)
    if cached is not None:
        try:
            return mnist.load_data(path=cached), f"the full MNIST from {cached}"
        except (FileNotFoundError, ValueError) as e:
            print(f"(not using the MNIST copy at {cached}: {e})")
    return mnist.load_data(sample=True), "the MNIST sample shipped with deepgrad (10,000 train / 2,000 test)"


def _plot(history, path, title):
    """Write the loss and accuracy curves to `path` under `title`; returns the path, or None without matplotlib.

    fit's validation_data is the test set here, so those curves are labelled "test".
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
    except ImportError:
        return None
    from deepgrad.inspect import plot_history

    plot_history(history, path, title=title, validation_label="test")
    return path


def demo(args):
    import deepgrad
    from deepgrad import keras

    deepgrad.random.set_seed(args.seed)
    try:
        ((x_train, y_train), (x_test, y_test)), source = _load_mnist(keras.datasets.mnist, args.data)
    except (FileNotFoundError, ValueError) as e:
        print(f"deepgrad demo: error: {e}", file=sys.stderr)
        return 2
    print(f"deepgrad {deepgrad.__version__}: training the three-conv CNN on {source}")
    x_train = (x_train / 255.0).astype("float32")[..., None]
    x_test = (x_test / 255.0).astype("float32")[..., None]
    model = build_mnist_cnn(keras)
    model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
                        validation_data=(x_test, y_test), verbose=args.verbose)
    elapsed = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {accuracy:.4f} (loss {loss:.4f}) on {len(x_test)} images, "
          f"after {args.epochs} epochs in {elapsed:.1f} s")
    plotted = _plot(history, args.plot, f"the three-conv CNN ({model.count_params():,} parameters) on {source}")
    if plotted:
        print(f"training curves written to {os.path.abspath(plotted)}")
    else:
        print("(no training curves: matplotlib is not installed; `pip install matplotlib` "
              "to get them as a PNG)")
    return 0


def run(args):
    from .compat import run_script

    if not os.path.isfile(args.script):
        print(f"deepgrad run: error: no such file: {args.script}", file=sys.stderr)
        return 2
    return run_script(args.script, args.args, full_traceback=args.traceback)


def bench(args):
    """`python -m bench ARGS` from the source checkout that holds this deepgrad."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not os.path.isfile(os.path.join(root, "bench", "__main__.py")):
        print("deepgrad bench: error: the benchmark lives in a source checkout (bench/ beside deepgrad/); "
              "install deepgrad with `pip install -e .` from a clone", file=sys.stderr)
        return 2
    sys.path.insert(0, root)
    from bench.__main__ import main as bench_main

    return bench_main(args.args, prog="deepgrad bench")


EXPLAIN_DESCRIPTION = """\
Perform one training step and explain it in the tutorials' four steps (forward propagation,
the loss, backpropagation, the weight update), with that step's real numbers
(deepgrad.inspect.explain_step).

  deepgrad explain SCRIPT [ARGS...]  runs SCRIPT as `deepgrad run` does until its first
      model.fit(...), explains one step of that model on the first batch fit would take
      (the first batch_size samples, unshuffled; class_weight is ignored), then stops the
      script: nothing after that fit() runs, and the exit status is 0.
  deepgrad explain --model FILE      loads a saved model (.keras, .h5), compiled when saved
      or by --loss/--optimizer, and explains one step on the first --batch-size samples of
      --data mnist (the MNIST sample shipped with deepgrad, scaled to [0, 1]) or of
      --x X.npy [--y Y.npy]."""

EXPLAIN_EPILOG = """\
examples:
  deepgrad explain examples/mnist_cnn.py --html step.html
  deepgrad explain --model cnn.keras --data mnist --batch-size 8
  deepgrad explain --model net.keras --x x.npy --y y.npy --loss mse --optimizer sgd"""


def explain(args):
    if (args.script is None) == (args.model is None):
        print("deepgrad explain: error: give either SCRIPT or --model FILE (not both)", file=sys.stderr)
        return 2
    path = args.script or args.model
    if not os.path.isfile(path):
        print(f"deepgrad explain: error: no such file: {path}", file=sys.stderr)
        return 2
    try:
        return _explain_script(args) if args.script is not None else _explain_saved_model(args)
    except (ValueError, RuntimeError, NotImplementedError) as e:
        print(f"deepgrad explain: error: {e}", file=sys.stderr)
        return 1


def _explain_script(args):
    """Run the script until its first fit(), explain one step on fit's first batch, stop."""
    import inspect

    from .compat import run_script
    from .inspect import explain_step
    from .keras.models.data_adapter import make_batches
    from .keras.models.trainer import Trainer
    from .keras.utils.data_packing import unpack_x_y_sample_weight

    original_fit = Trainer.fit
    explained = []

    def fit(model, *fit_args, **fit_kwargs):
        bound = inspect.signature(original_fit).bind(model, *fit_args, **fit_kwargs)
        bound.apply_defaults()
        a = bound.arguments
        batches = make_batches(a["x"], a["y"], a["sample_weight"], batch_size=a["batch_size"] or 32,
                               steps=a["steps_per_epoch"])
        x, y, sample_weight = unpack_x_y_sample_weight(next(iter(batches)))
        explain_step(model, x, y, sample_weight, html=args.html, max_rows=args.max_rows)
        explained.append(model)
        raise SystemExit(0)

    Trainer.fit = fit
    try:
        status = run_script(args.script, args.args, full_traceback=args.traceback)
    finally:
        Trainer.fit = original_fit
    if status == 0 and not explained:
        print(f"deepgrad explain: error: {args.script} ended without calling fit(); nothing to explain",
              file=sys.stderr)
        return 1
    return status


def _explain_saved_model(args):
    """Load the model, take the first batch of the data given, explain one step."""
    from . import keras
    from .backend import xp
    from .inspect import explain_step

    model = keras.models.load_model(args.model)
    if args.loss:
        model.compile(optimizer=args.optimizer, loss=args.loss)
    elif not model.compiled:
        raise ValueError(f"{args.model} was saved without compile(): pass --loss (and --optimizer)")
    n = args.batch_size
    if args.data == "mnist":
        (x, y), _ = keras.datasets.mnist.load_data(sample=True)
        x = (x[:n] / 255.0).astype("float32")
        if len(model.input_shape) == 4 and x.ndim == 3:
            x = x[..., None]
        y = y[:n]
    elif args.x:
        x = xp.load(args.x)[:n]
        y = xp.load(args.y)[:n] if args.y else None
    else:
        raise ValueError("--model needs data: --data mnist, or --x X.npy (and --y Y.npy)")
    explain_step(model, x, y, html=args.html, max_rows=args.max_rows)
    return 0


def make_parser():
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="deepgrad", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=formatter)
    from . import __version__

    parser.add_argument("--version", action="version", version=f"deepgrad {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p_demo = sub.add_parser("demo", help="train the tutorials' MNIST CNN, print its test accuracy, plot its training curves",
                            description=DEMO_DESCRIPTION, epilog=DEMO_EPILOG, formatter_class=formatter)
    p_demo.add_argument("--epochs", type=int, default=5, help="training epochs (default 5)")
    p_demo.add_argument("--batch-size", type=int, default=64, help="batch size (default 64)")
    p_demo.add_argument("--data", metavar="PATH",
                        help="folder with the four MNIST IDX .gz files, or Keras' mnist.npz")
    p_demo.add_argument("--plot", default="deepgrad_demo.png", metavar="FILE",
                        help="where to write the training curves (default deepgrad_demo.png)")
    p_demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p_demo.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2),
                        help="0 silent, 1 progress bar (default), 2 one line per epoch")
    p_demo.set_defaults(func=demo)
    p_run = sub.add_parser("run", help="run a TensorFlow/Keras program on deepgrad (`import tensorflow` served by deepgrad)",
                           description=RUN_DESCRIPTION, epilog=RUN_EPILOG, formatter_class=formatter)
    p_run.add_argument("--traceback", action="store_true",
                       help="on an error, show the full traceback, deepgrad's frames included")
    p_run.add_argument("script", metavar="SCRIPT", help="the Python file to run")
    p_run.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS",
                       help="arguments passed to the script (sys.argv[1:])")
    p_run.set_defaults(func=run)
    p_bench = sub.add_parser("bench", add_help=False,
                             help="throughput and memory against PyTorch (`deepgrad bench --help`)")
    p_bench.add_argument("args", nargs=argparse.REMAINDER)
    p_bench.set_defaults(func=bench)
    p_explain = sub.add_parser("explain", help="one training step, explained: forward, loss, backward, update",
                               description=EXPLAIN_DESCRIPTION, epilog=EXPLAIN_EPILOG, formatter_class=formatter)
    p_explain.add_argument("--model", metavar="FILE", help="a saved model (.keras or .h5) instead of SCRIPT")
    p_explain.add_argument("--data", choices=("mnist",), help="with --model: the shipped MNIST sample")
    p_explain.add_argument("--x", metavar="X.npy", help="with --model: the inputs, a .npy file")
    p_explain.add_argument("--y", metavar="Y.npy", help="with --model: the targets, a .npy file")
    p_explain.add_argument("--loss", help="with --model: compile with this loss (e.g. sparse_categorical_crossentropy)")
    p_explain.add_argument("--optimizer", default="adam", help="with --loss: the optimizer (default adam)")
    p_explain.add_argument("--batch-size", type=int, default=32, help="with --model: the batch size (default 32)")
    p_explain.add_argument("--html", metavar="FILE", help="also write the account as a self-contained HTML page")
    p_explain.add_argument("--max-rows", type=int, default=3,
                           help="entries of each weight whose update is worked out by hand (default 3)")
    p_explain.add_argument("--traceback", action="store_true", help="with SCRIPT: full tracebacks on errors")
    p_explain.add_argument("script", metavar="SCRIPT", nargs="?", help="a TensorFlow/Keras program that calls fit()")
    p_explain.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="arguments passed to the script")
    p_explain.set_defaults(func=explain)
    return parser


def main(argv=None):
    """The `deepgrad` command; returns its exit status."""
    parser = make_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:  # every option after `bench` is the benchmark's own, --help included
        return bench(argparse.Namespace(args=argv[1:]))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
