"""Softmax (multinomial logistic) regression on MNIST, the TensorFlow way: forward, loss, backward, update.

logits = x W + b for 28x28 images flattened to 784 pixels in [0, 1]; the loss is
the mean cross-entropy of softmax(logits) against the digit; plain minibatch
SGD with tf.GradientTape and assign_sub.

Expected: test accuracy about 92% (>= 90%) after 5 epochs; the same --seed gives
bit-identical weights.

The images come from tf.keras.datasets.mnist.load_data(), which finds MNIST where it
finds it for every other example (deepgrad's cache ~/.deepgrad/datasets/mnist, Keras'
cache, /usr/share/datasets/mnist) or downloads it.

Run:  deepgrad run examples/logistic_regression.py [--epochs 5]
(written against TensorFlow: `python examples/logistic_regression.py` runs it on TF).
"""
import argparse

import numpy as np
import tensorflow as tf


def load_mnist():
    """(x_train, y_train, x_test, y_test): float32 pixels in [0, 1] flattened to 784, int64 labels."""
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
    x_train = x_train.reshape(-1, 784).astype(np.float32) / 255.0
    x_test = x_test.reshape(-1, 784).astype(np.float32) / 255.0
    return x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64)


def main(seed=0, epochs=5, batch_size=100, learning_rate=0.5, verbose=True):
    """Train, print the test accuracy, and return the weights and the accuracy."""
    tf.random.set_seed(seed)
    x_train, y_train, x_test, y_test = load_mnist()

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
    args = parser.parse_args()
    main(args.seed, args.epochs, args.batch_size, args.learning_rate)
