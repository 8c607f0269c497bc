"""MNIST the way TensorFlow's "quickstart for experts" teaches it: tf.data, a subclassed model, a tf.function step.

The data come as tf.data pipelines: `Dataset.from_tensor_slices((x, y))`, shuffled
with a 10,000-image buffer and batched by 32 for training; batched only for the
test. The model is a `keras.Model` subclass whose `call` chains a Conv2D(32, 3x3)
with ReLU, MaxPooling2D, Flatten, Dense(128) with ReLU and Dense(10) giving
logits (693,962 parameters). One training step is a `@tf.function`: the forward
pass under a `tf.GradientTape`, sparse categorical cross-entropy on the logits,
the tape's gradients, `optimizer.apply_gradients`, and the running `Mean` loss
and `SparseCategoricalAccuracy` updated; the test step updates their test twins.
The metrics are reset at the start of every epoch, as the tutorial does.

Each epoch prints its training loss and accuracy and its test loss and
accuracy; the last line is "Test accuracy: X".

Expected: after 2 epochs (3,750 steps of 32), test accuracy about 0.98.

Run:  deepgrad run examples/quickstart_experts.py
(written against TensorFlow: `python examples/quickstart_experts.py` runs it on TF).
The data comes from tf.keras.datasets.mnist.load_data(): put the four MNIST
IDX .gz files in ~/.deepgrad/datasets/mnist (or $DEEPGRAD_HOME/datasets/mnist).
"""
import tensorflow as tf
from tensorflow.keras import Model
from tensorflow.keras.layers import Conv2D, Dense, Flatten, MaxPooling2D

tf.keras.utils.set_random_seed(0)

EPOCHS = 2

(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0
x_train = x_train[..., tf.newaxis].astype("float32")    # (60000, 28, 28, 1): the channel axis Conv2D wants
x_test = x_test[..., tf.newaxis].astype("float32")

train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(10000, seed=0).batch(32)
test_ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(32)


class DigitClassifier(Model):
    def __init__(self):
        super().__init__()
        self.conv = Conv2D(32, 3, activation="relu")
        self.pool = MaxPooling2D()
        self.flatten = Flatten()
        self.hidden = Dense(128, activation="relu")
        self.logits = Dense(10)

    def call(self, x):
        x = self.pool(self.conv(x))
        return self.logits(self.hidden(self.flatten(x)))


model = DigitClassifier()

loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = tf.keras.optimizers.Adam()

train_loss = tf.keras.metrics.Mean(name="train_loss")
train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name="train_accuracy")
test_loss = tf.keras.metrics.Mean(name="test_loss")
test_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name="test_accuracy")


@tf.function
def train_step(images, labels):
    with tf.GradientTape() as tape:
        predictions = model(images, training=True)
        loss = loss_object(labels, predictions)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))

    train_loss(loss)
    train_accuracy(labels, predictions)


@tf.function
def test_step(images, labels):
    predictions = model(images, training=False)
    test_loss(loss_object(labels, predictions))
    test_accuracy(labels, predictions)


for epoch in range(EPOCHS):
    for metric in (train_loss, train_accuracy, test_loss, test_accuracy):
        metric.reset_state()

    for images, labels in train_ds:
        train_step(images, labels)

    for test_images, test_labels in test_ds:
        test_step(test_images, test_labels)

    print(
        f"Epoch {epoch + 1}, "
        f"Loss: {float(train_loss.result()):.4f}, "
        f"Accuracy: {float(train_accuracy.result()) * 100:.2f}, "
        f"Test Loss: {float(test_loss.result()):.4f}, "
        f"Test Accuracy: {float(test_accuracy.result()) * 100:.2f}"
    )

print(f"Parameters: {model.count_params()}")
print(f"Test accuracy: {float(test_accuracy.result()):.4f}")
