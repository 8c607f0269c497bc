"""A DCGAN on MNIST, as TensorFlow's DCGAN tutorial builds it: tf.data, two tapes, a tf.function step, checkpoints.

The generator turns 64 random numbers into a 28x28 image through a Dense layer
reshaped to 7x7x64 and two strided Conv2DTranspose layers (BatchNormalization
and LeakyReLU between them; tanh at the end: pixels in [-1, 1], as the data are
scaled). The discriminator is two strided Conv2D layers with LeakyReLU and
Dropout, then one logit. The training images (the first 10,240 of MNIST's
60,000, to keep the run short) come as a tf.data pipeline shuffled and batched
by 128. Each step runs one forward pass under two tapes and asks each tape for
the gradients of its own loss (binary cross-entropy on logits); Adam(2e-4,
beta_1=0.5) for both networks.

Both networks, both optimizers and the epoch counter are saved after every
epoch by a `tf.train.CheckpointManager` (the last two kept) in
./dcgan_checkpoints; the program starts by restoring the latest checkpoint,
so a second run carries on from where the first stopped (and, once EPOCHS
epochs are done, only reports).

Every epoch prints the mean losses of the two networks, the discriminator's
accuracy on generated and on real images, how far the generated pixels'
histogram is from the data's (half the sum of the absolute differences of the
bin shares over 20 bins: 0 when they match, 1 when they do not overlap) and how
much the 256 images generated from a fixed noise have changed since the start
(mean absolute pixel difference). The last line is
"Histogram distance: START -> END".

Expected (3 epochs, 240 steps): the losses stay finite, the histogram distance
falls from about 0.9 to about 0.3 and the fixed-noise images change by about
0.5 per pixel.
A grid of 64 generated digits is written to dcgan_mnist.png when matplotlib is
installed (optional).

Run:  deepgrad run examples/dcgan_mnist.py
(written against TensorFlow: `python examples/dcgan_mnist.py` runs it on TF).
The data comes from tf.keras.datasets.mnist.load_data(): put the four MNIST
IDX .gz files in ~/.deepgrad/datasets/mnist (or $DEEPGRAD_HOME/datasets/mnist).
"""
import os

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

tf.keras.utils.set_random_seed(0)

NOISE_DIM = 64
BATCH_SIZE = 128
NUM_IMAGES = 10240
EPOCHS = 3
CHECKPOINT_DIR = "./dcgan_checkpoints"
BINS = np.linspace(-1.0, 1.0, 21)

(train_images, _), (_, _) = keras.datasets.mnist.load_data()
train_images = train_images[:NUM_IMAGES].reshape(-1, 28, 28, 1).astype("float32")
train_images = (train_images - 127.5) / 127.5

train_dataset = (tf.data.Dataset.from_tensor_slices(train_images)
                 .shuffle(len(train_images), seed=0)
                 .batch(BATCH_SIZE, drop_remainder=True))


def make_generator():
    return keras.Sequential([
        keras.Input(shape=(NOISE_DIM,)),
        layers.Dense(7 * 7 * 64, use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(0.2),
        layers.Reshape((7, 7, 64)),
        layers.Conv2DTranspose(32, 5, strides=2, padding="same", use_bias=False),    # 14x14x32
        layers.BatchNormalization(),
        layers.LeakyReLU(0.2),
        layers.Conv2DTranspose(1, 5, strides=2, padding="same", activation="tanh"),  # 28x28x1
    ], name="generator")


def make_discriminator():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 5, strides=2, padding="same"),
        layers.LeakyReLU(0.2),
        layers.Dropout(0.3),
        layers.Conv2D(64, 5, strides=2, padding="same"),
        layers.LeakyReLU(0.2),
        layers.Dropout(0.3),
        layers.Flatten(),
        layers.Dense(1),                    # a logit: > 0 says "real"
    ], name="discriminator")


generator = make_generator()
discriminator = make_discriminator()
generator_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
discriminator_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
epoch_counter = tf.Variable(0, dtype="int64", trainable=False)

checkpoint = tf.train.Checkpoint(generator=generator, discriminator=discriminator,
                                 generator_optimizer=generator_optimizer,
                                 discriminator_optimizer=discriminator_optimizer,
                                 epoch=epoch_counter)
manager = tf.train.CheckpointManager(checkpoint, CHECKPOINT_DIR, max_to_keep=2)
checkpoint.restore(manager.latest_checkpoint)
if manager.latest_checkpoint:
    print(f"Restored from {manager.latest_checkpoint} (epoch {int(epoch_counter.numpy())})")
else:
    print("Initializing from scratch.")

cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
fake_accuracy = keras.metrics.BinaryAccuracy(threshold=0.0)
real_accuracy = keras.metrics.BinaryAccuracy(threshold=0.0)
gen_loss_mean = keras.metrics.Mean()
disc_loss_mean = keras.metrics.Mean()


@tf.function
def train_step(images):
    noise = tf.random.normal([BATCH_SIZE, NOISE_DIM])
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        generated_images = generator(noise, training=True)
        real_output = discriminator(images, training=True)
        fake_output = discriminator(generated_images, training=True)
        gen_loss = cross_entropy(tf.ones_like(fake_output), fake_output)
        disc_loss = (cross_entropy(tf.ones_like(real_output), real_output)
                     + cross_entropy(tf.zeros_like(fake_output), fake_output))

    generator_optimizer.apply_gradients(
        zip(gen_tape.gradient(gen_loss, generator.trainable_variables), generator.trainable_variables))
    discriminator_optimizer.apply_gradients(
        zip(disc_tape.gradient(disc_loss, discriminator.trainable_variables), discriminator.trainable_variables))

    gen_loss_mean.update_state(gen_loss)
    disc_loss_mean.update_state(disc_loss)
    fake_accuracy.update_state(tf.zeros_like(fake_output), fake_output)
    real_accuracy.update_state(tf.ones_like(real_output), real_output)


# The same noise all along, so that the reports follow the same 256 images.
fixed_noise = np.random.default_rng(1).standard_normal((256, NOISE_DIM)).astype("float32")
data_histogram = np.histogram(train_images, BINS)[0] / train_images.size
first_images = None


def report_images():
    """Histogram distance to the data and mean change since the start of the fixed-noise images."""
    global first_images
    pixels = generator(fixed_noise, training=False).numpy()
    if first_images is None:
        first_images = pixels
    histogram = np.histogram(pixels, BINS)[0] / pixels.size
    return 0.5 * np.abs(histogram - data_histogram).sum(), np.abs(pixels - first_images).mean()


start_distance, _ = report_images()
print(f"epoch {int(epoch_counter.numpy())}: histogram distance {start_distance:.3f}")

while int(epoch_counter.numpy()) < EPOCHS:
    for metric in (gen_loss_mean, disc_loss_mean, fake_accuracy, real_accuracy):
        metric.reset_state()
    for image_batch in train_dataset:
        train_step(image_batch)
    epoch_counter.assign_add(1)
    saved = manager.save()
    distance, change = report_images()
    print(f"epoch {int(epoch_counter.numpy())}: "
          f"generator loss {float(gen_loss_mean.result()):.4f}, "
          f"discriminator loss {float(disc_loss_mean.result()):.4f}, "
          f"D accuracy on generated {float(fake_accuracy.result()):.3f}, on real {float(real_accuracy.result()):.3f}, "
          f"histogram distance {distance:.3f}, change since start {change:.3f}, saved {os.path.basename(saved)}")

end_distance, _ = report_images()

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
if plt is not None:
    samples = generator(fixed_noise[:64], training=False).numpy()
    figure = plt.figure(figsize=(8, 8))
    for i in range(64):
        axes = figure.add_subplot(8, 8, i + 1)
        axes.imshow(samples[i, :, :, 0] * 127.5 + 127.5, cmap="gray", vmin=0, vmax=255)
        axes.axis("off")
    figure.suptitle(f"DCGAN on MNIST after {int(epoch_counter.numpy())} epochs")
    figure.savefig("dcgan_mnist.png")
    plt.close(figure)

print(f"Histogram distance: {start_distance:.3f} -> {end_distance:.3f}")
