"""Knowledge distillation on MNIST: a small student learns from a CNN teacher's softened predictions.

The pattern of the Keras example "Knowledge Distillation", in our own words: a
Distiller(keras.Model) whose compile() takes the student's loss, the
distillation loss, alpha and a temperature, and whose train_step(self, data)
mixes alpha * student loss with (1 - alpha) * T^2 * KL(teacher || student) on
softmax(logits / T), under a GradientTape over the student's weights only;
test_step reports the student's own loss and accuracy. A student of the same
size trained from scratch on the same data is the baseline.

    deepgrad run examples/knowledge_distillation.py             # all of MNIST
    deepgrad run examples/knowledge_distillation.py 6000 1      # a quick look: 6,000 images, 1 epoch each
"""
import sys

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops


class Distiller(keras.Model):
    def __init__(self, student, teacher, **kwargs):
        super().__init__(**kwargs)
        self.student = student
        self.teacher = teacher

    def compile(self, optimizer, metrics, student_loss_fn, distillation_loss_fn, alpha=0.1, temperature=3.0):
        super().compile(optimizer=optimizer, metrics=metrics)
        self.student_loss_fn = student_loss_fn
        self.distillation_loss_fn = distillation_loss_fn
        self.alpha = alpha
        self.temperature = temperature

    def call(self, x, training=False):
        return self.student(x, training=training)

    def train_step(self, data):
        x, y = data
        teacher_logits = self.teacher(x, training=False)
        with tf.GradientTape() as tape:
            student_logits = self.student(x, training=True)
            student_loss = self.student_loss_fn(y, student_logits)
            distillation_loss = self.distillation_loss_fn(
                ops.softmax(teacher_logits / self.temperature, axis=1),
                ops.softmax(student_logits / self.temperature, axis=1),
            ) * self.temperature ** 2
            loss = self.alpha * student_loss + (1 - self.alpha) * distillation_loss
        grads = tape.gradient(loss, self.student.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.student.trainable_weights))
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, student_logits)
        logs = {m.name: m.result() for m in self.metrics}
        logs.update(student_loss=student_loss, distillation_loss=distillation_loss)
        return logs

    def test_step(self, data):
        x, y = data
        logits = self.student(x, training=False)
        loss = self.student_loss_fn(y, logits)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, logits)
        return {m.name: m.result() for m in self.metrics}


def teacher_model():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10),
    ], name="teacher")


def student_model(name):
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Flatten(),
        layers.Dense(32, activation="relu"),
        layers.Dense(10),
    ], name=name)


def main(train_size=60000, epochs=3):
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train[:train_size, ..., None].astype("float32") / 255.0
    y_train = y_train[:train_size]
    x_test = x_test[..., None].astype("float32") / 255.0
    sparse_ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    teacher = teacher_model()
    teacher.compile(optimizer="adam", loss=sparse_ce, metrics=["sparse_categorical_accuracy"])
    teacher.fit(x_train, y_train, epochs=epochs, batch_size=128, verbose=2)
    teacher_accuracy = teacher.evaluate(x_test, y_test, verbose=0)[1]

    student = student_model("student")
    scratch = student_model("student_from_scratch")
    scratch.set_weights(student.get_weights())

    distiller = Distiller(student=student, teacher=teacher)
    distiller.compile(optimizer=keras.optimizers.Adam(), metrics=["sparse_categorical_accuracy"],
                      student_loss_fn=sparse_ce, distillation_loss_fn=keras.losses.KLDivergence(),
                      alpha=0.1, temperature=10.0)
    distiller.fit(x_train, y_train, epochs=epochs, batch_size=128, verbose=2)
    distilled_accuracy = distiller.evaluate(x_test, y_test, verbose=0, return_dict=True)["sparse_categorical_accuracy"]

    scratch.compile(optimizer=keras.optimizers.Adam(), loss=sparse_ce, metrics=["sparse_categorical_accuracy"])
    scratch.fit(x_train, y_train, epochs=epochs, batch_size=128, verbose=2)
    scratch_accuracy = scratch.evaluate(x_test, y_test, verbose=0)[1]
    agreement = np.mean(np.argmax(distiller.predict(x_test, verbose=0), -1)
                        == np.argmax(teacher.predict(x_test, verbose=0), -1))
    print(f"teacher test accuracy {teacher_accuracy:.4f}; distilled student {distilled_accuracy:.4f} "
          f"(agrees with the teacher on {agreement:.4f}); student from scratch {scratch_accuracy:.4f}")
    return teacher_accuracy, distilled_accuracy, scratch_accuracy


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
