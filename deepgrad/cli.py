"""The `deepgrad` command: demo (train a CNN on MNIST) and run (a TensorFlow script on deepgrad)."""
import argparse
import sys
import time


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


def _load_mnist(mnist, data):
    if data:
        return mnist.load_data(path=data), f"MNIST from {data}"
    try:
        return mnist.load_data(), "the full MNIST from the cache"
    except FileNotFoundError:
        return mnist.load_data(sample=True), "the MNIST sample shipped with deepgrad (10,000 train / 2,000 test)"


def _plot(history, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key in zip(axes, ("loss", "accuracy")):
        ax.plot(history.epoch, history.history[key], "o-", label=f"training {key}")
        if f"val_{key}" in history.history:
            ax.plot(history.epoch, history.history[f"val_{key}"], "o-", label=f"validation {key}")
        ax.set_xlabel("epoch")
        ax.set_title(key)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def demo(args):
    import deepgrad
    from deepgrad import keras

    deepgrad.random.set_seed(args.seed)
    ((x_train, y_train), (x_test, y_test)), source = _load_mnist(keras.datasets.mnist, args.data)
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
    print(f"test accuracy: {accuracy:.4f} (loss {loss:.4f}) after {args.epochs} epochs in {elapsed:.1f} s")
    plotted = _plot(history, args.plot)
    if plotted:
        print(f"training curves written to {plotted}")
    else:
        print("(install matplotlib to get the training curves as a PNG)")
    return 0


def run(args):
    from .compat import run_script

    return run_script(args.script, args.args)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="deepgrad",
        description="deepgrad: deep learning on NumPy alone, with the Keras API.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p_demo = sub.add_parser("demo", help="train the tutorials' MNIST CNN and print its test accuracy",
                            description="Train the three-conv MNIST CNN (Adam, batch 64) and print its test "
                            "accuracy. Uses the full MNIST when cached or given with --data, otherwise the "
                            "sample shipped with deepgrad (no network needed).")
    p_demo.add_argument("--epochs", type=int, default=5, help="training epochs (default 5)")
    p_demo.add_argument("--batch-size", type=int, default=64, help="batch size (default 64)")
    p_demo.add_argument("--data", help="folder with the MNIST IDX .gz files (or Keras' mnist.npz)")
    p_demo.add_argument("--plot", default="deepgrad_demo.png", help="where to write the training curves PNG")
    p_demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p_demo.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2), help="progress output")
    p_demo.set_defaults(func=demo)
    p_run = sub.add_parser("run", help="run a Python file that imports tensorflow/keras on deepgrad",
                           description="Run SCRIPT with `import tensorflow`, `from tensorflow import keras` "
                           "and `import keras` served by deepgrad, for this run only.")
    p_run.add_argument("script", help="the Python file to run")
    p_run.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    p_run.set_defaults(func=run)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
