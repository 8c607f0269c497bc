# THIS PROGRAM FAILS ON PURPOSE: it reproduces the functional API tutorial's bug (no Flatten
# after keras.Input(shape=(28, 28))). The corrected copy is examples/functional_api_fixed.py.
"""The functional API tutorial's MNIST model as written there, bug included.

The model takes 28x28 images (`keras.Input(shape=(28, 28))`) but nothing
flattens them, and a Dense layer acts on the last axis only: the model's
output has shape (batch, 28, 10), one prediction per image row, not
(batch, 10). Training against MNIST's integer labels, shape (batch,), fails on
TensorFlow ("ValueError: Arguments `target` and `output` must have the same
shape up until the last dimension: target.shape=(None,), output.shape=(None,
28, 10)"), and on deepgrad the same way, with a ValueError naming both shapes
and saying that a Flatten layer is probably missing.

The corrected program is examples/functional_api_fixed.py (a Flatten layer
added after the Input).

Run:  deepgrad run examples/functional_api.py    (exits with the error, status 1)
"""
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

tf.keras.utils.set_random_seed(4)

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255

inputs = keras.Input(shape=(28, 28))
x = layers.Dense(64, activation="relu")(inputs)
outputs = layers.Dense(10, activation="softmax")(x)
model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
model.summary()

model.compile(
    loss="sparse_categorical_crossentropy",
    optimizer=keras.optimizers.Adam(),
    metrics=["accuracy"],
)
history = model.fit(x_train, y_train, batch_size=64, epochs=5, validation_split=0.2)

test_loss, test_acc = model.evaluate(x_test, y_test, verbose=2)
print(f"Test accuracy: {test_acc:.4f}")
