"""Softmax (multinomial logistic) regression on MNIST, the TensorFlow way: forward, loss, backward, update.

logits = x W + b for 28x28 images flattened to 784 pixels in [0, 1]; the loss is
the mean cross-entropy of softmax(logits) against the digit; plain minibatch
SGD with tf.GradientTape and assign_sub.

Expected: test accuracy about 92% (>= 90%) after 5 epochs; the same --seed gives
bit-identical weights.

The MNIST files (IDX format, gzip) are read from --data-dir, else from the
MNIST_DIR environment variable, else from ../shared/datasets/mnist next to the
project root.

Run:  deepgrad run examples/logistic_regression.py [--epochs 5] [--data-dir DIR]
(written against TensorFlow: `python examples/logistic_regression.py` runs it on TF).
"""
import argparse
import gzip
import os

import numpy as np
import tensorflow as tf

DEFAULT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "datasets", "mnist")
FILES = {
    "x_train": "train-images-idx3-ubyte.gz", "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz", "y_test": "t10k-labels-idx1-ubyte.gz",
}


def read_idx(path):
    """An IDX file (gzip) as a uint8 array: magic 0x00000803 = images (n, rows, cols), 0x00000801 = labels (n,)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[:4], "big")
    if magic not in (0x0801, 0x0803):
        raise ValueError(f"{path}: not an IDX file of uint8 labels or images (magic {magic:#010x})")
    ndim = magic & 0xFF
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def data_dir(path=None):
    return path or os.environ.get("MNIST_DIR") or DEFAULT_DIR


def load_mnist(path=None):
    """(x_train, y_train, x_test, y_test): float32 pixels in [0, 1] flattened to 784, int64 labels."""
    path = data_dir(path)
    missing = [name for name in FILES.values() if not os.path.exists(os.path.join(path, name))]
    if missing:
        raise FileNotFoundError(
            f"MNIST files {missing} not found in {os.path.abspath(path)}: pass --data-dir or set MNIST_DIR"
        )
    arrays = {key: read_idx(os.path.join(path, name)) for key, name in FILES.items()}
    x_train = arrays["x_train"].reshape(-1, 784).astype(np.float32) / 255.0
    x_test = arrays["x_test"].reshape(-1, 784).astype(np.float32) / 255.0
    return x_train, arrays["y_train"].astype(np.int64), x_test, arrays["y_test"].astype(np.int64)


def main(seed=0, epochs=5, batch_size=100, learning_rate=0.5, path=None, verbose=True):
    """Train, print the test accuracy, and return the weights and the accuracy."""
    tf.random.set_seed(seed)
    x_train, y_train, x_test, y_test = load_mnist(path)

    W = tf.Variable(tf.random.normal([784, 10], stddev=0.01), name="W")
    b = tf.Variable(tf.zeros([10]), name="b")

    n = len(x_train)
    for epoch in range(epochs):
        order = tf.random.shuffle(tf.range(n)).numpy()
        x_epoch, y_epoch = x_train[order], y_train[order]   # one gather per epoch, then slices
        for start in range(0, n, batch_size):
            x = tf.constant(x_epoch[start:start + batch_size])
            y = tf.constant(y_epoch[start:start + batch_size])
            with tf.GradientTape() as tape:
                logits = tf.matmul(x, W) + b                                      # 1. forward
                loss = tf.reduce_mean(                                            # 2. loss
                    tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
            dW, db = tape.gradient(loss, [W, b])                                  # 3. backward
            W.assign_sub(learning_rate * dW)                                      # 4. update (plain SGD)
            b.assign_sub(learning_rate * db)
        if verbose:
            print(f"epoch {epoch + 1}/{epochs}  last batch loss {float(loss):.4f}")

    logits = tf.matmul(tf.constant(x_test), W) + b
    correct = tf.equal(tf.argmax(logits, axis=1), tf.constant(y_test))
    accuracy = float(tf.reduce_mean(tf.cast(correct, tf.float32)))
    if verbose:
        print(f"test accuracy {accuracy:.4f} on {len(x_test)} images")
    return {"W": W.numpy().copy(), "b": b.numpy().copy(), "accuracy": accuracy}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    main(args.seed, args.epochs, args.batch_size, args.learning_rate, args.data_dir)
