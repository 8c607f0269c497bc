"""Keras' call context: a layer called without `training` inherits the flag of the call around it,
so Dropout and augmentation inside a subclassed model act in fit and not in predict, as in Keras."""
import numpy as np

import deepgrad.keras as keras


class Wrapped(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(8, kernel_initializer="ones")
        self.drop = keras.layers.Dropout(0.5, seed=1)

    def call(self, x, training=None):
        return self.drop(self.dense(x))  # no training= passed on: inherited


def test_inner_layers_inherit_the_outer_training_flag():
    model, x = Wrapped(), np.ones((16, 4), "float32")
    assert (model(x, training=True).numpy() == 0).sum() > 20  # about half of 128 dropped
    assert (model(x, training=False).numpy() == 0).sum() == 0
    assert (model(x).numpy() == 0).sum() == 0  # no flag anywhere: inference, as Keras
    assert (model.predict(x, verbose=0) == 0).sum() == 0


def test_an_explicit_flag_wins_over_the_inherited_one():
    class Explicit(Wrapped):
        def call(self, x, training=None):
            return self.drop(self.dense(x), training=False)

    assert (Explicit()(np.ones((16, 4), "float32"), training=True).numpy() == 0).sum() == 0


def test_the_flag_is_restored_after_a_call():
    model, x = Wrapped(), np.ones((16, 4), "float32")
    model(x, training=True)
    assert (model.drop(model.dense(x)).numpy() == 0).sum() == 0
