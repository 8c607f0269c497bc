"""A variational autoencoder on MNIST whose custom train_step adds the KL term.

The pattern of the Keras guide "Customizing what happens in fit()", in our own
words: a Sampling layer draws z = mean + exp(log_var / 2) * eps with
keras.random and a SeedGenerator; a keras.Model subclass overrides
train_step(self, data) and test_step(self, data), computes the reconstruction
loss (binary cross-entropy summed over the 784 pixels) plus the KL divergence
to N(0, I) under a GradientTape, and tracks three Mean metrics that fit logs.

    deepgrad run examples/vae_mnist.py            # 5 epochs on all of MNIST
    deepgrad run examples/vae_mnist.py 6000 2     # a quick look: 6,000 images, 2 epochs
"""
import sys

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

LATENT = 2


class Sampling(layers.Layer):
    """z = mean + exp(log_var / 2) * eps, eps ~ N(0, I): the reparameterisation trick."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mean, log_var = inputs
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * eps


def build_encoder():
    inputs = keras.Input(shape=(784,))
    h = layers.Dense(512, activation="relu")(inputs)
    h = layers.Dense(256, activation="relu")(h)
    mean = layers.Dense(LATENT, name="z_mean")(h)
    log_var = layers.Dense(LATENT, name="z_log_var")(h)
    z = Sampling(seed=1)([mean, log_var])
    return keras.Model(inputs, [mean, log_var, z], name="encoder")


def build_decoder():
    latent = keras.Input(shape=(LATENT,))
    h = layers.Dense(256, activation="relu")(latent)
    h = layers.Dense(512, activation="relu")(h)
    logits = layers.Dense(784)(h)
    return keras.Model(latent, logits, name="decoder")


class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.total_loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [self.total_loss_tracker, self.reconstruction_loss_tracker, self.kl_loss_tracker]

    def losses_of(self, x):
        """(total, reconstruction, KL) per image, averaged over the batch."""
        mean, log_var, z = self.encoder(x)
        logits = self.decoder(z)
        reconstruction = ops.mean(ops.sum(
            keras.losses.binary_crossentropy(x[..., None], logits[..., None], from_logits=True), axis=1))
        kl = ops.mean(ops.sum(-0.5 * (1 + log_var - ops.square(mean) - ops.exp(log_var)), axis=1))
        return reconstruction + kl, reconstruction, kl

    def train_step(self, data):
        with tf.GradientTape() as tape:
            total, reconstruction, kl = self.losses_of(data)
        grads = tape.gradient(total, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return self._track(total, reconstruction, kl)

    def test_step(self, data):
        return self._track(*self.losses_of(data))

    def _track(self, total, reconstruction, kl):
        self.total_loss_tracker.update_state(total)
        self.reconstruction_loss_tracker.update_state(reconstruction)
        self.kl_loss_tracker.update_state(kl)
        return {m.name: m.result() for m in self.metrics}


def main(train_size=60000, epochs=5):
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train[:train_size].reshape(-1, 784).astype("float32") / 255.0
    x_test = x_test.reshape(-1, 784).astype("float32") / 255.0

    vae = VAE(build_encoder(), build_decoder())
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = vae.fit(x_train, epochs=epochs, batch_size=128, verbose=2)
    results = vae.evaluate(x_test, batch_size=500, verbose=0, return_dict=True)

    mean, _, _ = vae.encoder.predict(x_test, batch_size=500, verbose=0)
    centroids = np.stack([mean[y_test == d].mean(axis=0) for d in range(10)])
    nearest = np.argmin(((mean[:, None, :] - centroids[None]) ** 2).sum(-1), axis=1)
    print(f"first epoch: reconstruction loss {history.history['reconstruction_loss'][0]:.1f}, "
          f"KL {history.history['kl_loss'][0]:.2f}")
    print(f"test: reconstruction loss {results['reconstruction_loss']:.1f}, KL {results['kl_loss']:.2f}, "
          f"digits told apart by the nearest class mean in the 2-D latent space: {(nearest == y_test).mean():.4f}")
    return results


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
