"""Linear regression, the TensorFlow way: forward, loss, backward, update.

Fits y = X w + b to scikit-learn's diabetes data (442 patients, 10 baseline
measurements, target: disease progression one year later) by full-batch
gradient descent on the mean squared error, then reports the error on a held-out
20% of the patients (a fixed split) next to the exact least-squares fit, the
best any linear model can do on that split.

Expected: test MSE 3,263 and test R^2 0.34 (least squares: 3,250), i.e. test
MSE < 3,400 and within 2% of least squares. `--seed` changes the initial
weights; the same seed gives bit-identical weights.

Run:  deepgrad run examples/linear_regression.py [--seed 0] [--epochs 2000]
(written against TensorFlow: `python examples/linear_regression.py` runs it on TF).
"""
import argparse

import numpy as np
import tensorflow as tf


def load_data(split_seed=0):
    """The diabetes data split 80/20 at random (the same split for every run), features
    standardised with the training statistics."""
    try:
        from sklearn.datasets import load_diabetes
    except ImportError:
        raise ImportError(
            "this example reads scikit-learn's bundled diabetes data: pip install scikit-learn"
        ) from None
    x, y = load_diabetes(return_X_y=True)
    x = x.astype(np.float32)
    y = y.astype(np.float32).reshape(-1, 1)
    order = np.random.default_rng(split_seed).permutation(len(x))
    n_train = int(0.8 * len(x))
    train, test = order[:n_train], order[n_train:]
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    x = (x - mean) / std
    return x[train], y[train], x[test], y[test]


def main(seed=0, epochs=2000, learning_rate=0.05, verbose=True):
    """Train, print the test error, and return the weights and the metrics."""
    tf.random.set_seed(seed)
    x_train, y_train, x_test, y_test = load_data()
    x_train, y_train = tf.constant(x_train), tf.constant(y_train)
    x_test, y_test = tf.constant(x_test), tf.constant(y_test)

    n_features = x_train.shape[1]
    w = tf.Variable(tf.random.normal([n_features, 1], stddev=0.1), name="w")
    b = tf.Variable(tf.zeros([1]), name="b")

    for epoch in range(epochs):
        with tf.GradientTape() as tape:
            y_pred = tf.matmul(x_train, w) + b                       # 1. forward
            loss = tf.reduce_mean(tf.square(y_pred - y_train))       # 2. loss
        dw, db = tape.gradient(loss, [w, b])                         # 3. backward
        w.assign_sub(learning_rate * dw)                             # 4. update (plain SGD)
        b.assign_sub(learning_rate * db)
        if verbose and (epoch % 500 == 0 or epoch == epochs - 1):
            print(f"epoch {epoch:5d}  train MSE {float(loss):10.2f}")

    test_mse = float(tf.reduce_mean(tf.square(tf.matmul(x_test, w) + b - y_test)))
    r2 = 1.0 - test_mse / float(tf.reduce_mean(tf.square(y_test - tf.reduce_mean(y_test))))

    # The exact least-squares fit on the same split, for comparison.
    design = np.hstack([x_train.numpy(), np.ones((x_train.shape[0], 1), np.float32)]).astype(np.float64)
    coef = np.linalg.lstsq(design, y_train.numpy().astype(np.float64), rcond=None)[0]
    test_design = np.hstack([x_test.numpy(), np.ones((x_test.shape[0], 1))])
    lstsq_mse = float(np.mean((test_design @ coef - y_test.numpy()) ** 2))

    if verbose:
        print(f"test MSE {test_mse:.1f}  test R^2 {r2:.3f}  (least squares: test MSE {lstsq_mse:.1f})")
    return {"w": w.numpy().copy(), "b": b.numpy().copy(), "test_mse": test_mse, "r2": r2,
            "lstsq_mse": lstsq_mse}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    args = parser.parse_args()
    main(args.seed, args.epochs, args.learning_rate)
