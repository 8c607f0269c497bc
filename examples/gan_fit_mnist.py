"""A GAN on MNIST trained by model.fit: the GAN is a keras.Model whose train_step does both updates.

The pattern of the Keras guide "Customizing what happens in fit()" (its GAN
section), in our own words: GAN.compile() takes one optimizer per network and
the loss; train_step(self, real_images) draws noise with keras.random and a
SeedGenerator, updates the discriminator on generated and real images (labels 0
and 1, with a little label noise), then the generator through the frozen
discriminator (labels flipped), and returns the two losses, which fit logs. A
callback measures, after each epoch, the distance between the pixel histograms
of 1,000 generated images and of the data (20 bins over [-1, 1]; half the sum
of the absolute differences of the bin shares: 0 when they match, 1 when they
do not overlap).

    deepgrad run examples/gan_fit_mnist.py            # 3 epochs on all of MNIST
    deepgrad run examples/gan_fit_mnist.py 6000 1     # a quick look: 6,000 images, 1 epoch
"""
import sys

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

NOISE_DIM = 64
BINS = np.linspace(-1.0, 1.0, 21)


def histogram_distance(images, data_share):
    share = np.histogram(np.clip(images, -1, 1), BINS)[0] / images.size
    return 0.5 * np.abs(share - data_share).sum()


class GAN(keras.Model):
    def __init__(self, generator, discriminator, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, real_images):
        batch = ops.shape(real_images)[0]
        noise = keras.random.normal((batch, NOISE_DIM), seed=self.seed_generator)
        fake_images = self.generator(noise, training=False)
        images = ops.concatenate([fake_images, real_images], axis=0)
        labels = ops.concatenate([ops.zeros((batch, 1)), ops.ones((batch, 1))], axis=0)
        labels = labels + 0.05 * keras.random.uniform(ops.shape(labels), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            d_loss = self.loss_fn(labels, self.discriminator(images, training=True))
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        noise = keras.random.normal((batch, NOISE_DIM), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            g_loss = self.loss_fn(ops.ones((batch, 1)),
                                  self.discriminator(self.generator(noise, training=True), training=False))
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


class HistogramDistance(keras.callbacks.Callback):
    """After each epoch: the pixel-histogram distance of 1,000 generated images to the data."""

    def __init__(self, data_share):
        super().__init__()
        self.data_share = data_share
        self.noise = np.random.default_rng(1).normal(size=(1000, NOISE_DIM)).astype("float32")
        self.distances = []

    def on_train_begin(self, logs=None):
        self._report("before training")

    def on_epoch_end(self, epoch, logs=None):
        self._report(f"epoch {epoch + 1}")

    def _report(self, when):
        images = self.model.generator.predict(self.noise, batch_size=500, verbose=0)
        self.distances.append(histogram_distance(images, self.data_share))
        print(f"{when}: histogram distance {self.distances[-1]:.3f}")


def main(train_size=60000, epochs=3):
    keras.utils.set_random_seed(0)
    (x_train, _), _ = keras.datasets.mnist.load_data()
    images = (x_train[:train_size].reshape(-1, 784).astype("float32") - 127.5) / 127.5
    data_share = np.histogram(images, BINS)[0] / images.size

    generator = keras.Sequential([
        keras.Input(shape=(NOISE_DIM,)),
        layers.Dense(256), layers.BatchNormalization(), layers.LeakyReLU(0.2),
        layers.Dense(512), layers.BatchNormalization(), layers.LeakyReLU(0.2),
        layers.Dense(784, activation="tanh"),
    ], name="generator")
    discriminator = keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(512), layers.LeakyReLU(0.2),
        layers.Dense(256), layers.LeakyReLU(0.2),
        layers.Dense(1),
    ], name="discriminator")
    gan = GAN(generator, discriminator, seed=2)
    gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(5e-4, beta_1=0.5),
                loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
    tracker = HistogramDistance(data_share)
    history = gan.fit(images, batch_size=64, epochs=epochs, callbacks=[tracker], verbose=2)
    print(f"histogram distance {tracker.distances[0]:.3f} -> {tracker.distances[-1]:.3f}; "
          f"last epoch d_loss {history.history['d_loss'][-1]:.3f}, g_loss {history.history['g_loss'][-1]:.3f}")
    return tracker.distances, history.history


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
