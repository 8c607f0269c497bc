"""An LSTM reading MNIST digits row by row.

Each 28x28 image is a sequence of 28 time steps of 28 pixels (one row per
step). LSTM(128) reads the rows top to bottom and its last output goes to a
10-way softmax: 81,674 parameters, trained with Adam on the integer labels
(sparse categorical cross-entropy) for 5 epochs.

Expected: test accuracy about 98.5% after 5 epochs (>= 97%).

Run:  deepgrad run examples/lstm_mnist.py
(written against TensorFlow: `python examples/lstm_mnist.py` runs it on TF).
The data comes from tf.keras.datasets.mnist.load_data(): put the four MNIST
IDX .gz files in ~/.deepgrad/datasets/mnist (or $DEEPGRAD_HOME/datasets/mnist).
"""
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(1)

# The data: (n, 28, 28) grey images; each row of 28 pixels is one time step.
(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train = (x_train / 255.0).astype("float32")   # (60000, 28, 28): 28 steps of 28 features
x_test = (x_test / 255.0).astype("float32")

model = keras.Sequential([
    keras.Input(shape=(28, 28)),                   # (timesteps, features)
    keras.layers.LSTM(128),                        # the last output: (batch, 128)
    keras.layers.Dense(10, activation="softmax"),
])
model.summary()

model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])

model.fit(x_train, y_train, epochs=5, batch_size=64, validation_data=(x_test, y_test), verbose=2)

test_loss, test_acc = model.evaluate(x_test, y_test, verbose=2)
print(f"Test accuracy: {test_acc:.4f}")
