"""Convolutional Neural Network (CNN) on CIFAR-10: TensorFlow's tutorial, as written there.

Three 3x3 convolutions (32, 64, 64 filters) with 2x2 max pooling, Dense(64) and
10 logits (no softmax: the loss is told from_logits=True): 122,570 parameters.
Trained for 10 epochs with Adam at the default batch size (32), evaluated on
the 10,000 test images; then the class of a few test images is predicted.

Expected (TensorFlow's tutorial): about 70% test accuracy on CIFAR-10.

Run:  deepgrad run examples/cifar10_cnn.py
(written against TensorFlow: `python examples/cifar10_cnn.py` runs it on TF).
The data comes from datasets.cifar10.load_data(): unpack cifar-10-python.tar.gz
into ~/.deepgrad/datasets (or $DEEPGRAD_HOME/datasets), giving the folder
cifar-10-batches-py.
"""
import numpy as np
import tensorflow as tf
from tensorflow.keras import datasets, layers, models

tf.keras.utils.set_random_seed(3)

(train_images, train_labels), (test_images, test_labels) = datasets.cifar10.load_data()

# Normalize pixel values to be between 0 and 1
train_images, test_images = train_images / 255.0, test_images / 255.0

class_names = ["airplane", "automobile", "bird", "cat", "deer",
               "dog", "frog", "horse", "ship", "truck"]

model = models.Sequential()
model.add(layers.Conv2D(32, (3, 3), activation="relu", input_shape=(32, 32, 3)))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation="relu"))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation="relu"))
model.add(layers.Flatten())
model.add(layers.Dense(64, activation="relu"))
model.add(layers.Dense(10))
model.summary()

model.compile(optimizer="adam",
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])

history = model.fit(train_images, train_labels, epochs=10,
                    validation_data=(test_images, test_labels))

test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)

# The model outputs logits: softmax turns them into probabilities.
probability_model = tf.keras.Sequential([model, tf.keras.layers.Softmax()])
predictions = probability_model.predict(test_images[:8])
for probabilities, label in zip(predictions, test_labels[:8, 0]):
    predicted = int(np.argmax(probabilities))
    print(f"predicted {class_names[predicted]:<10} ({100 * np.max(probabilities):3.0f}%)"
          f"  true {class_names[label]}")

print(f"Test accuracy: {test_acc:.4f}")
