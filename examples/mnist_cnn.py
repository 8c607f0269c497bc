"""A convolutional network for MNIST digits, as the TensorFlow tutorials write it.

Three 3x3 convolutions (32, 64, 64 filters) with 2x2 max pooling between them,
then Dense(64) and a 10-way softmax: 93,322 parameters, trained with Adam on
the integer labels (sparse categorical cross-entropy).

Expected: test accuracy about 99% after 5 epochs (>= 98.5%).

Run:  deepgrad run examples/mnist_cnn.py
(written against TensorFlow: `python examples/mnist_cnn.py` runs it on TF).
The data comes from tf.keras.datasets.mnist.load_data(): put the four MNIST
IDX .gz files in ~/.deepgrad/datasets/mnist (or $DEEPGRAD_HOME/datasets/mnist).
"""
import tensorflow as tf

tf.keras.utils.set_random_seed(1)

# The data: 60,000 training and 10,000 test images of 28x28 grey pixels (0..255).
mnist = tf.keras.datasets.mnist
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0           # pixels in [0, 1]
x_train = x_train.reshape(-1, 28, 28, 1).astype("float32")  # a channel axis for Conv2D
x_test = x_test.reshape(-1, 28, 28, 1).astype("float32")

model = tf.keras.models.Sequential([
    tf.keras.layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)),
    tf.keras.layers.MaxPooling2D((2, 2)),
    tf.keras.layers.Conv2D(64, (3, 3), activation="relu"),
    tf.keras.layers.MaxPooling2D((2, 2)),
    tf.keras.layers.Conv2D(64, (3, 3), activation="relu"),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(64, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax"),
])
model.summary()

model.compile(optimizer="adam",
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])

history = model.fit(x_train, y_train, epochs=5, batch_size=64,
                    validation_data=(x_test, y_test))

test_loss, test_acc = model.evaluate(x_test, y_test, verbose=2)
print(f"Test accuracy: {test_acc:.4f}")
