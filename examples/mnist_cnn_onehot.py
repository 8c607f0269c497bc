"""A one-convolution network for MNIST with one-hot labels, the classic Keras tutorial form.

Conv2D(32, 3x3) -> MaxPooling2D(2x2) -> Flatten -> Dense(64) -> Dense(10, softmax):
320 + 346,176 + 650 = 347,146 parameters. The labels are one-hot vectors made
with to_categorical, so the loss is categorical (not sparse) cross-entropy.

Expected: test accuracy about 98.5% after 5 epochs (>= 98%).

Run:  deepgrad run examples/mnist_cnn_onehot.py
(written against TensorFlow: `python examples/mnist_cnn_onehot.py` runs it on TF).
The data comes from keras.datasets.mnist.load_data(): put the four MNIST IDX
.gz files in ~/.deepgrad/datasets/mnist (or $DEEPGRAD_HOME/datasets/mnist).
"""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.utils import to_categorical

tf.random.set_seed(2)

(train_images, train_labels), (test_images, test_labels) = keras.datasets.mnist.load_data()

# Add a channel axis and scale the pixels to [0, 1].
train_images = np.expand_dims(train_images, -1).astype("float32") / 255
test_images = np.expand_dims(test_images, -1).astype("float32") / 255

# 7 -> [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
train_labels = to_categorical(train_labels, 10)
test_labels = to_categorical(test_labels, 10)

model = keras.Sequential()
model.add(keras.layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)))
model.add(keras.layers.MaxPooling2D((2, 2)))
model.add(keras.layers.Flatten())
model.add(keras.layers.Dense(64, activation="relu"))
model.add(keras.layers.Dense(10, activation="softmax"))
model.summary()

model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(train_images, train_labels, epochs=5, batch_size=64)

test_loss, test_acc = model.evaluate(test_images, test_labels)
print("Test accuracy:", round(float(test_acc), 4))
