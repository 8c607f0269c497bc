"""The user's custom layer the saving tests move between frameworks, written once for Keras and for deepgrad."""


def scale_class(keras_module, package):
    """Scale, registered as '<package>>Scale' in `keras_module` (Keras' or deepgrad's): y = x * w * factor."""

    @keras_module.saving.register_keras_serializable(package=package)
    class Scale(keras_module.layers.Layer):
        """y = x * w * factor, w one weight per feature (a user's registered layer)."""

        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, inputs):
            return inputs * self.w * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    return Scale
