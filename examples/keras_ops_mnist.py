"""MNIST with everything written in keras.ops, as the Keras 3 guides write custom code.

A custom layer (weights made in build, its call in keras.ops, Gaussian noise from
keras.random with a SeedGenerator while training), a custom loss (focal
cross-entropy in keras.ops) used by fit, then a training step written by hand
with a GradientTape, as in the guide "Writing a training loop from scratch".

    deepgrad run examples/keras_ops_mnist.py          # 3 epochs on all of MNIST
    deepgrad run examples/keras_ops_mnist.py 6000 2   # a quick look: 6,000 images, 2 epochs
"""
import sys

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops


class NoisyDense(layers.Layer):
    """relu(x @ w + b), with N(0, stddev^2) noise added to x while training."""

    def __init__(self, units, stddev=0.1, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.stddev = stddev
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

    def call(self, inputs, training=False):
        if training:
            inputs = inputs + keras.random.normal(ops.shape(inputs), stddev=self.stddev, seed=self.seed_generator)
        return ops.relu(ops.add(ops.matmul(inputs, self.w), self.b))


def focal_loss(y_true, logits, gamma=2.0):
    """mean over the batch of -(1 - p_t)^gamma log p_t, p_t the probability of the true class."""
    log_probs = ops.log_softmax(logits, axis=-1)
    one_hot = ops.one_hot(ops.cast(ops.reshape(y_true, (-1,)), "int32"), ops.shape(logits)[-1])
    log_pt = ops.sum(one_hot * log_probs, axis=-1)
    pt = ops.exp(log_pt)
    return ops.mean(-ops.power(1.0 - ops.stop_gradient(pt), gamma) * log_pt)


def train_step(model, optimizer, x, y, accuracy):
    """One step written by hand, as in the guide "Writing a training loop from scratch"."""
    with tf.GradientTape() as tape:
        logits = model(x, training=True)
        loss = focal_loss(y, logits)
    grads = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    accuracy.update_state(y, logits)
    return loss


def main(train_size=60000, epochs=3):
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train[:train_size].reshape(-1, 784).astype("float32") / 255.0
    y_train = y_train[:train_size]
    x_test = x_test.reshape(-1, 784).astype("float32") / 255.0

    inputs = keras.Input(shape=(784,))
    hidden = NoisyDense(256, stddev=0.2, seed=1)(inputs)
    hidden = NoisyDense(128, stddev=0.1, seed=2)(hidden)
    logits = layers.Dense(10)(hidden)
    model = keras.Model(inputs, logits)

    # First epochs with fit and the keras.ops loss, then one more with a hand-written loop.
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=focal_loss, metrics=["sparse_categorical_accuracy"])
    model.fit(x_train, y_train, batch_size=128, epochs=max(epochs - 1, 1), verbose=2)
    accuracy = keras.metrics.SparseCategoricalAccuracy()
    order = keras.random.shuffle(ops.arange(len(x_train)), seed=3)
    order = ops.convert_to_numpy(order)
    for start in range(0, len(order), 128):
        batch = order[start:start + 128]
        loss = train_step(model, model.optimizer, x_train[batch], y_train[batch], accuracy)
    print(f"hand-written epoch: last loss {float(loss):.4f}, training accuracy {float(accuracy.result()):.4f}")

    results = model.evaluate(x_test, y_test, batch_size=512, verbose=0, return_dict=True)
    probs = ops.convert_to_numpy(ops.softmax(model.predict(x_test[:5], verbose=0)))
    print("first five predictions:", np.argmax(probs, axis=-1), "labels:", y_test[:5])
    print(f"test accuracy {results['sparse_categorical_accuracy']:.4f}, focal loss {results['loss']:.4f}")
    return results


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
