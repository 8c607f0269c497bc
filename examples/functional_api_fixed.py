"""The functional API tutorial's MNIST model, corrected: a Flatten layer after the Input.

examples/functional_api.py is the tutorial's program as written, which fails
because the (28, 28) images reach the Dense layers unflattened. Here
layers.Flatten() turns each image into 784 values first, so the model maps
(batch, 28, 28) to (batch, 10): 50,890 parameters.

Expected: test accuracy about 97% after 5 epochs (>= 96%).

Run:  deepgrad run examples/functional_api_fixed.py
(written against TensorFlow: `python examples/functional_api_fixed.py` runs it on TF).
"""
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

tf.keras.utils.set_random_seed(4)

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255

inputs = keras.Input(shape=(28, 28))
x = layers.Flatten()(inputs)                     # the fix: (batch, 28, 28) -> (batch, 784)
x = layers.Dense(64, activation="relu")(x)
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
