"""Inside training: the tutorials' MNIST CNN, watched, explained and checked with deepgrad.inspect.

1. Training with a `Diagnostics` callback: per layer and per epoch, the share of dead ReLU
   units, the gradient norm and the size of each update relative to the weights; it would warn
   in plain words about vanishing or exploding gradients, divergence or overfitting, and stop at
   the first NaN naming its layer and op.
2. One training step explained in the tutorials' four steps (forward propagation, the loss,
   backpropagation, the weight update), with that step's real numbers; the same account is
   written to inside_training_step.html. The printed updates are checked against the change
   the step made to the weights.
3. The whole model's gradients checked: backpropagation against central differences in
   float64, weight by weight.
4. Three test predictions explained: integrated gradients (which pixels push the predicted
   class up or down; their sum equals the change of the class score from a black image, which
   is checked) and Grad-CAM on the last convolution (where in the image the evidence lies).
5. Pictures, when matplotlib is installed: the training curves, the first layer's filters, the
   feature maps of one digit, the gradient flow per layer, and the attributions.

The model is the three-conv CNN of the tutorials (93,322 parameters), trained for 2 epochs on
the first 20,000 MNIST training images (batch 64) with the first 2,000 test images as
validation data. Expected: test accuracy about 0.98 on the 10,000 test images, every weight's
gradient check "ok" (relative errors below 1e-6), integrated gradients complete to within 1%
(their sum against the change of the class score).

Run:  deepgrad run examples/inside_training.py
(it is written as a TensorFlow program, but deepgrad.inspect and the Diagnostics callback are
deepgrad's own: TensorFlow cannot run it).
The data comes from keras.datasets.mnist.load_data(): put the four MNIST IDX .gz files in
~/.deepgrad/datasets/mnist (or $DEEPGRAD_HOME/datasets/mnist).
"""
import numpy as np

import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

from deepgrad import inspect

tf.keras.utils.set_random_seed(0)

TRAIN_IMAGES = 20000
EPOCHS = 2

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = (x_train[:TRAIN_IMAGES, ..., np.newaxis] / 255.0).astype("float32")
y_train = y_train[:TRAIN_IMAGES]
x_test = (x_test[..., np.newaxis] / 255.0).astype("float32")

model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Conv2D(64, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Conv2D(64, 3, activation="relu", name="last_conv"),
    layers.Flatten(),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

print("== 1. Training, watched by Diagnostics")
diagnostics = keras.callbacks.Diagnostics(verbose=0)
history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=64, verbose=2,
                    validation_data=(x_test[:2000], y_test[:2000]), callbacks=[diagnostics])
for key in sorted(history.history):
    if key.startswith("diagnostics/"):
        print(f"{key}: " + ", ".join(f"{v:.3g}" for v in history.history[key]))
print(f"Diagnostics warnings: {len(diagnostics.warnings)}")
for record in diagnostics.warnings:
    print(f"  {record}")

print("\n== 2. One training step, explained")
before = [w.numpy().copy() for w in model.trainable_weights]
step = inspect.explain_step(model, x_train[:32], y_train[:32], html="inside_training_step.html", max_rows=1)
after = [w.numpy() for w in model.trainable_weights]
update_error = max(float(np.abs(b + s.update - a).max()) for b, s, a in zip(before, step.weights, after))
print(f"Explained step: loss {step.loss:.4f}; the printed updates give the new weights to {update_error:.1e}")

print("\n== 3. The whole model's gradients, checked")
report = inspect.gradcheck_model(model, x_train[:8], y_train[:8], max_entries_per_weight=10)
worst = max(row.max_relative_error for row in report.rows)
print(f"Gradient check: {len(report.rows)} weights, {len(report.failed)} failed, "
      f"largest relative error {worst:.1e}")

print("\n== 4. Three predictions, explained")
samples = x_test[:3]
predicted = model.predict(samples, verbose=0).argmax(axis=1)
attributions = inspect.integrated_gradients(model, samples, target=predicted, steps=64)
scores = model.predict(samples, verbose=0)[np.arange(3), predicted]
black = model.predict(np.zeros_like(samples), verbose=0)[np.arange(3), predicted]
completeness = np.abs(attributions.reshape(3, -1).sum(axis=1) - (scores - black)) / np.abs(scores - black)
cams = inspect.grad_cam(model, samples, target=predicted, layer_name="last_conv")
for i in range(3):
    on_stroke = attributions[i][samples[i] > 0.5].sum() / attributions[i].sum()
    print(f"test image {i}: label {y_test[i]}, predicted {predicted[i]} (p = {scores[i]:.4f}); "
          f"integrated gradients sum {attributions[i].sum():.4f} = score change {scores[i] - black[i]:.4f} "
          f"(error {completeness[i]:.1e}), {on_stroke:.0%} of it on the stroke pixels; "
          f"Grad-CAM map {cams[i].shape[0]}x{cams[i].shape[1]}, peak at "
          f"{tuple(int(v) for v in np.unravel_index(cams[i].argmax(), cams[i].shape))}")
print(f"Integrated gradients completeness: largest error {completeness.max():.1e}")

try:
    import matplotlib  # noqa: F401
except ImportError:
    print("\n(matplotlib is not installed: no pictures)")
else:
    inspect.plot_history(history, "inside_training_history.png", title="Three-conv CNN on MNIST (20,000 images)")
    inspect.plot_filters(model.layers[0], "inside_training_filters.png")
    inspect.plot_activations(model, samples[0], "inside_training_activations.png")
    inspect.plot_gradient_flow(model, x_train[:256], y_train[:256], "inside_training_gradient_flow.png")
    for i in range(3):
        inspect.plot_attribution(samples[i], attributions[i], f"inside_training_ig_{i}.png",
                                 title=f"Integrated gradients for class {predicted[i]}")
        inspect.plot_attribution(samples[i], cams[i], f"inside_training_gradcam_{i}.png",
                                 title=f"Grad-CAM for class {predicted[i]}")
    print("\nPictures: inside_training_*.png; the explained step: inside_training_step.html")

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"Test accuracy: {accuracy:.4f}")
