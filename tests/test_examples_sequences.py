"""The sequence tutorials in examples/ (LSTM on MNIST rows, the addition GRU, text
classification), run unchanged through `deepgrad run` (in-process), and a
learning test of Embedding(mask_zero=True) + GlobalAveragePooling1D.

Fast tests compile each program and run it end to end on a sliver of its data
(one epoch of 256 examples): its imports are served by deepgrad, its layers fit
together, and it prints its accuracy on the last line. Slow tests train each
program for real and check the accuracy it reaches; the LSTM reads the real
MNIST from ../shared/datasets/mnist (tests/real_data.py).
"""
import py_compile
import re
import time

import numpy as np
import pytest

from deepgrad import keras
from deepgrad.keras import layers
from tests.example_runner import EXAMPLES, run_example

PROGRAMS = ["lstm_mnist.py", "sequence_addition.py", "text_classification.py"]
LAST_LINE = {"lstm_mnist.py": "Test accuracy", "text_classification.py": "Test accuracy",
             "sequence_addition.py": "Exact-match accuracy"}


# ----------------------------------------------------------------------------- helpers


def printed_accuracy(name, out):
    """The accuracy the program printed on its last line ("Test accuracy: 0.9812")."""
    last = out.strip().splitlines()[-1]
    match = re.fullmatch(re.escape(LAST_LINE[name]) + r": ([0-9.]+)", last)
    assert match, f"the last line is not '{LAST_LINE[name]}: X': {last!r}"
    return float(match.group(1))


def report(name, accuracy, elapsed):
    print(f"\n{name}: accuracy {accuracy:.4f} in {elapsed:.0f} s")


@pytest.fixture
def quick_fit(monkeypatch, fits):
    """Every fit() trains one epoch on the first 256 examples (validation: the first 64)."""
    from deepgrad.keras.models.trainer import Trainer

    recording_fit = Trainer.fit

    def one_short_epoch(self, x=None, y=None, **kwargs):
        kwargs["epochs"] = 1
        if kwargs.get("validation_data") is not None:
            kwargs["validation_data"] = tuple(part[:64] for part in kwargs["validation_data"])
        return recording_fit(self, x[:256], y[:256], **kwargs)

    monkeypatch.setattr(Trainer, "fit", one_short_epoch)
    return fits


@pytest.fixture
def mnist_sample(monkeypatch):
    """mnist.load_data() returns the shipped sample (no real MNIST needed)."""
    mnist = keras.datasets.mnist
    (x_train, y_train), (x_test, y_test) = mnist.load_data(sample=True)
    data = (x_train[:256], y_train[:256]), (x_test[:64], y_test[:64])
    monkeypatch.setattr(mnist, "load_data", lambda *args, **kwargs: data)


# ----------------------------------------------------------------------------- fast


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_compiles_and_is_written_for_tensorflow(name, tmp_path):
    py_compile.compile(str(EXAMPLES / name), cfile=str(tmp_path / "out.pyc"), doraise=True)
    source = (EXAMPLES / name).read_text()
    assert "import tensorflow as tf" in source
    assert "import deepgrad" not in source
    assert f"deepgrad run examples/{name}" in source
    assert f'print(f"{LAST_LINE[name]}: ' in source


@pytest.mark.parametrize("name, params", [("lstm_mnist.py", 81_674), ("sequence_addition.py", 155_148),
                                          ("text_classification.py", 16_289)])
def test_program_runs_end_to_end_on_a_sliver_of_its_data(name, params, mnist_sample, quick_fit, capsys):
    code, out, err, _ = run_example(name, capsys)
    assert code == 0, err
    assert 0.0 <= printed_accuracy(name, out) <= 1.0
    [(model, history)] = quick_fit
    assert model.count_params() == params
    assert len(history.history["loss"]) == 1 and np.isfinite(history.history["loss"][0])


# ----------------------------------------------------------------------------- slow: the programs learn


@pytest.mark.slow
def test_lstm_mnist_reaches_97_percent_in_5_epochs(mnist_home, fits, capsys):
    code, out, err, elapsed = run_example("lstm_mnist.py", capsys)
    assert code == 0, err
    accuracy = printed_accuracy("lstm_mnist.py", out)
    with capsys.disabled():
        report("lstm_mnist.py", accuracy, elapsed)
    [(model, history)] = fits
    assert len(history.history["loss"]) == 5
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert accuracy >= 0.97


@pytest.mark.slow
def test_sequence_addition_gets_95_percent_of_held_out_sums_exactly_right(fits, capsys):
    code, out, err, elapsed = run_example("sequence_addition.py", capsys)
    assert code == 0, err
    accuracy = printed_accuracy("sequence_addition.py", out)
    with capsys.disabled():
        report("sequence_addition.py", accuracy, elapsed)
    shown = [line for line in out.splitlines() if re.fullmatch(r"\d+\+\d+ *= .*", line)]
    assert len(shown) == 8
    assert accuracy >= 0.95


@pytest.mark.slow
def test_text_classification_reaches_90_percent(fits, capsys):
    code, out, err, elapsed = run_example("text_classification.py", capsys)
    assert code == 0, err
    accuracy = printed_accuracy("text_classification.py", out)
    with capsys.disabled():
        report("text_classification.py", accuracy, elapsed)
    [(model, history)] = fits
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert accuracy >= 0.90


# ----------------------------------------------------------------------------- slow: Embedding + pooling

VOCABULARY, MAXLEN = 60, 40
POSITIVE, NEGATIVE = range(1, 6), range(6, 11)   # tokens 11..59 are neutral; 0 is padding


def marker_sequences(n, rng):
    """Integer sequences of 3 to 40 tokens; label 1 when positive markers outnumber negative ones."""
    sequences, labels = [], []
    while len(sequences) < n:
        tokens = rng.integers(11, VOCABULARY, rng.integers(2, MAXLEN - 4)).tolist()
        for _ in range(rng.integers(1, 5)):
            marker = int(rng.choice(POSITIVE if rng.random() < 0.5 else NEGATIVE))
            tokens.insert(int(rng.integers(0, len(tokens) + 1)), marker)
        score = sum(t in POSITIVE for t in tokens) - sum(t in NEGATIVE for t in tokens)
        if score != 0:
            sequences.append(tokens)
            labels.append(int(score > 0))
    return sequences, np.array(labels, dtype="float32")


@pytest.mark.slow
def test_embedding_with_masked_average_pooling_learns_a_vocabulary_task():
    rng = np.random.default_rng(0)
    train_sequences, y_train = marker_sequences(6000, rng)
    test_sequences, y_test = marker_sequences(1000, rng)
    x_train = keras.utils.pad_sequences(train_sequences, maxlen=MAXLEN)
    x_test = keras.utils.pad_sequences(test_sequences, maxlen=MAXLEN)
    assert (x_train == 0).any(), "some sequences are padded"

    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(None,), dtype="int32"),
        layers.Embedding(VOCABULARY, 16, mask_zero=True),
        layers.GlobalAveragePooling1D(),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=10, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    elapsed = time.perf_counter() - start
    print(f"\nEmbedding + GlobalAveragePooling1D: accuracy {accuracy:.4f} in {elapsed:.0f} s")
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert accuracy >= 0.90

    # The mask keeps the padding out of the average: more padding, on either side, changes nothing.
    short = keras.utils.pad_sequences(test_sequences[:20], maxlen=MAXLEN)
    long = keras.utils.pad_sequences(test_sequences[:20], maxlen=MAXLEN + 25, padding="post")
    np.testing.assert_allclose(model.predict(long, verbose=0), model.predict(short, verbose=0),
                               rtol=1e-5, atol=1e-6)
