"""MNIST digits, with Keras' load_data() API.

load_data() returns (x_train, y_train), (x_test, y_test): uint8 arrays of
shapes (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).
"""
from . import idx_family

FILES = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}


def load_data(path=None, sample=False):
    """The MNIST arrays.

    Args:
        path: a folder holding the four canonical IDX .gz files, or Keras' mnist.npz.
            Without it: the cache folder ($DEEPGRAD_HOME or ~/.deepgrad/datasets/mnist,
            then Keras' ~/.keras/datasets).
        sample: return the stratified sample shipped inside deepgrad (10,000 training
            and 2,000 test images), which needs no file and no network.
    """
    return idx_family.load("mnist", FILES, path=path, sample=sample)
