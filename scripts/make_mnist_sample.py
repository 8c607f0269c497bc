"""Build the stratified MNIST sample shipped in deepgrad (used offline by `deepgrad demo`).

    python scripts/make_mnist_sample.py ../shared/datasets/mnist

Takes the first 1,000 training and 200 test images of each digit from the real
files, keeps the original order, and writes them as compressed uint8 arrays.
"""
import sys
from pathlib import Path

import numpy as np

from deepgrad.keras.datasets import mnist

PER_CLASS_TRAIN = 1000
PER_CLASS_TEST = 200


def stratified(x, y, per_class):
    keep = np.sort(np.concatenate([np.flatnonzero(y == c)[:per_class] for c in range(10)]))
    return x[keep], y[keep]


def main(source):
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path=source)
    x_train, y_train = stratified(x_train, y_train, PER_CLASS_TRAIN)
    x_test, y_test = stratified(x_test, y_test, PER_CLASS_TEST)
    out = Path(mnist.__file__).with_name("data") / "mnist_sample.npz"
    out.parent.mkdir(exist_ok=True)
    np.savez_compressed(out, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    print(f"wrote {out} ({out.stat().st_size:,} bytes): train {x_train.shape}, test {x_test.shape}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets/mnist")
