"""A sequence-to-sequence GRU that learns to add: "123+45 " -> "168 ".

The classic Keras "addition RNN". A question is two numbers of up to 3 digits
written as characters and padded with spaces to 7 characters; the answer, up to
4 digits, is padded to 4. Each character is one-hot over the 12 symbols
"0123456789+ ". The question is fed reversed ("123+45 " becomes " 54+321"), which
shortens the path between the digits that must be added, as in the Keras example.

The model: an encoder GRU reads the question into one vector, RepeatVector
copies it once per answer character, a decoder GRU (return_sequences) unrolls
it over the 4 positions, and a TimeDistributed Dense softmax picks each
character.

The data is generated with a fixed seed: 50,000 distinct pairs (a + b and b + a
count as one), 45,000 for training and 5,000 held out, never seen in training.
A held-out answer counts as right only when all 4 characters are right.

Expected: exact-match accuracy about 98% on the held-out pairs (>= 95%).

Run:  deepgrad run examples/sequence_addition.py
(written against TensorFlow: `python examples/sequence_addition.py` runs it on TF).
"""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

tf.keras.utils.set_random_seed(1)

DIGITS = 3                      # numbers of up to 3 digits
QUESTION_LEN = 2 * DIGITS + 1   # "123+456"
ANSWER_LEN = DIGITS + 1         # 999 + 999 = 1998
CHARS = "0123456789+ "
INDEX = {c: i for i, c in enumerate(CHARS)}
PAIRS, HELD_OUT = 50_000, 5_000


def random_number(rng):
    """1 to DIGITS digits, each length equally likely (as the Keras example draws them)."""
    length = rng.integers(1, DIGITS + 1)
    return int("".join(rng.choice(list("0123456789"), length)))


def generate_pairs(n, seed):
    """n distinct unordered pairs (a, b), shuffled.

    Shuffled because the few pairs of small numbers are all drawn early: a split
    in drawing order would hold out all of them and train on none.
    """
    rng = np.random.default_rng(seed)
    seen, pairs = set(), []
    while len(pairs) < n:
        a, b = random_number(rng), random_number(rng)
        key = (min(a, b), max(a, b))
        if key not in seen:
            seen.add(key)
            pairs.append((a, b))
    return [pairs[i] for i in rng.permutation(n)]


def one_hot(strings, length):
    """Strings of `length` characters -> (n, length, len(CHARS)) float32 one-hot."""
    x = np.zeros((len(strings), length, len(CHARS)), dtype="float32")
    for i, s in enumerate(strings):
        for t, c in enumerate(s):
            x[i, t, INDEX[c]] = 1.0
    return x


def decode(probabilities):
    """(n, length, len(CHARS)) -> the n strings of the most likely characters."""
    return ["".join(CHARS[k] for k in row) for row in probabilities.argmax(axis=-1)]


pairs = generate_pairs(PAIRS, seed=1234)
questions = [f"{a}+{b}".ljust(QUESTION_LEN) for a, b in pairs]
answers = [str(a + b).ljust(ANSWER_LEN) for a, b in pairs]
x = one_hot([q[::-1] for q in questions], QUESTION_LEN)   # reversed questions
y = one_hot(answers, ANSWER_LEN)
x_train, y_train = x[HELD_OUT:], y[HELD_OUT:]
x_test, y_test = x[:HELD_OUT], y[:HELD_OUT]
print(f"{len(x_train)} training pairs, {len(x_test)} held out; x {x_train.shape}, y {y_train.shape}")

model = keras.Sequential([
    keras.Input(shape=(QUESTION_LEN, len(CHARS))),
    layers.GRU(128),                                   # the question as one vector
    layers.RepeatVector(ANSWER_LEN),                   # once per answer character
    layers.GRU(128, return_sequences=True),
    layers.TimeDistributed(layers.Dense(len(CHARS), activation="softmax")),
])
model.summary()
# 3e-3 at first, divided by 10 over the 20 epochs (352 steps each) to settle the last digits.
schedule = keras.optimizers.schedules.ExponentialDecay(3e-3, decay_steps=20 * 352, decay_rate=0.1)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule),
              loss="categorical_crossentropy", metrics=["accuracy"])

model.fit(x_train, y_train, epochs=20, batch_size=128, validation_data=(x_test, y_test), verbose=2)

predicted = decode(model.predict(x_test, verbose=0))
for question, guess, answer in list(zip(questions, predicted, answers))[:8]:
    print(f"{question} = {guess}  {'ok' if guess == answer else 'wrong, ' + answer}")
exact = np.mean([guess == answer for guess, answer in zip(predicted, answers[:HELD_OUT])])
print(f"Exact-match accuracy: {exact:.4f}")
