"""Saving, reloading and resuming a model, as the Keras guide on serialization and saving teaches.

A small MNIST classifier with a custom layer registered for serialization is
trained for two epochs with a ModelCheckpoint, saved whole (`.keras`), reloaded
with `keras.models.load_model` (architecture, weights, compile configuration and
optimizer state), checked to predict the same, and trained two more epochs. The
weights alone go to a `.weights.h5` file and back into a fresh copy of the model.
The files are Keras 3's own: `keras.models.load_model("mnist_model.keras")` reads
them in Keras.

Expected: the reloaded model predicts exactly what the saved one did, with all its
optimizer steps; test accuracy about 0.97 after 4 epochs (measured 0.9715, 17 s on 2 cores).

Run:  deepgrad run examples/save_and_resume.py
(written against TensorFlow: `python examples/save_and_resume.py` runs it on TF).
"""
import os
import tempfile

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

keras.utils.set_random_seed(7)


@keras.saving.register_keras_serializable(package="examples")
class Standardize(layers.Layer):
    """Scales its inputs to zero mean and unit variance per sample (no weights)."""

    def __init__(self, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def call(self, inputs):
        mean = tf.reduce_mean(inputs, axis=-1, keepdims=True)
        std = tf.math.reduce_std(inputs, axis=-1, keepdims=True)
        return (inputs - mean) / (std + self.epsilon)

    def get_config(self):
        config = super().get_config()
        config.update({"epsilon": self.epsilon})
        return config


def build_model():
    inputs = keras.Input(shape=(28, 28), name="image")
    x = layers.Flatten()(inputs)
    x = Standardize(name="standardize")(x)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax", name="digit")(x)
    model = keras.Model(inputs, outputs, name="mnist_model")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train, x_test = x_train.astype("float32") / 255, x_test.astype("float32") / 255

folder = tempfile.mkdtemp()
model = build_model()
checkpoint = keras.callbacks.ModelCheckpoint(os.path.join(folder, "epoch_{epoch:02d}.keras"))
model.fit(x_train, y_train, epochs=2, batch_size=64, callbacks=[checkpoint], verbose=2)
print("Checkpoints:", sorted(os.listdir(folder)))

path = os.path.join(folder, "mnist_model.keras")
model.save(path)
restored = keras.models.load_model(path)
same = np.array_equal(model.predict(x_test[:256], verbose=0), restored.predict(x_test[:256], verbose=0))
print("Reloaded model predicts the same:", same)
print("Optimizer steps restored:", int(restored.optimizer.iterations), "of", int(model.optimizer.iterations))

restored.fit(x_train, y_train, epochs=2, batch_size=64, verbose=2)

weights_path = os.path.join(folder, "mnist_model.weights.h5")
restored.save_weights(weights_path)
fresh = build_model()
fresh.optimizer.build(fresh.trainable_variables)  # so that the file's optimizer state loads as well
fresh.load_weights(weights_path)
loss, accuracy = fresh.evaluate(x_test, y_test, verbose=0)
print(f"Test accuracy: {accuracy:.4f}")
