"""Progbar: a live line on a terminal, one plain line per epoch everywhere else.

Output goes to sys.stdout, replaced here by a stream whose isatty() is chosen.
"""
import io
import re
import sys

import pytest

from deepgrad.keras.utils import Progbar
from deepgrad.keras.utils.progbar import format_metric


class FakeStream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self._tty = tty

    def isatty(self):
        return self._tty


def redirect(monkeypatch, tty):
    """sys.stdout -> a FakeStream. Called in the test body: pytest swaps its own
    capture stream in after fixtures run."""
    monkeypatch.delenv("PYCHARM_HOSTED", raising=False)
    stream = FakeStream(tty=tty)
    monkeypatch.setattr(sys, "stdout", stream)
    return stream


def run_epochs(epochs, steps, interval=0.0, verbose=1, **kwargs):
    """Per epoch a fresh bar, as ProgbarLogger does, fed running means as fit's logs hold."""
    for _ in range(epochs):
        bar = Progbar(target=steps, verbose=verbose, interval=interval, stateless_metrics=set(), **kwargs)
        for step in range(1, steps + 1):
            bar.update(step, [("loss", 0.1234 + 0.001 * (steps - step)), ("accuracy", 0.9876)],
                       finalize=False)
        bar.update(steps, [("loss", 0.1234), ("accuracy", 0.9876)], finalize=True)


PLAIN_LINE = re.compile(r"^200/200 - \d+s - \d+(us|ms|s)/step - loss: 0\.1234 - accuracy: 0\.9876$")


def test_not_a_terminal_prints_one_line_per_epoch(monkeypatch):
    logfile = redirect(monkeypatch, tty=False)
    run_epochs(epochs=3, steps=200)
    out = logfile.getvalue()
    assert "\r" not in out and "\b" not in out
    lines = out.split("\n")
    assert lines[-1] == ""
    assert len(lines[:-1]) == 3
    assert all(PLAIN_LINE.match(line) for line in lines[:-1]), lines


def test_not_a_terminal_prints_nothing_before_the_end(monkeypatch):
    logfile = redirect(monkeypatch, tty=False)
    bar = Progbar(target=10)
    for step in range(1, 10):
        bar.update(step, [("loss", 1.0)])
    assert logfile.getvalue() == ""
    bar.update(10, [("loss", 1.0)])  # reaching the target finalizes
    assert logfile.getvalue().count("\n") == 1


def test_terminal_rewrites_the_line(monkeypatch):
    terminal = redirect(monkeypatch, tty=True)
    run_epochs(epochs=1, steps=200)
    out = terminal.getvalue()
    assert out.count("\r") == 201  # every update drawn with interval=0, the final one too
    assert out.count("\n") == 1 and out.endswith("\n")
    frames = out.split("\r")[1:]
    assert frames[0].startswith("  1/200 [..............................] - ETA: ")
    assert frames[6].startswith("  7/200 [>.............................] - ETA: ")
    assert re.search(r"100/200 \[={14}>\.{15}\] - ETA: \d+s - loss: 0\.2234 - accuracy: 0\.9876", frames[99])
    assert frames[-1].endswith("\n")
    assert re.match(r"^200/200 \[={30}\] - \d+s \d+(us|ms|s)/step - loss: 0\.1234 - accuracy: 0\.9876$",
                    frames[-1].rstrip())


def test_terminal_pads_over_a_longer_previous_line(monkeypatch):
    terminal = redirect(monkeypatch, tty=True)
    bar = Progbar(target=3, interval=0.0, stateful_metrics=["note"])
    bar.update(1, [("note", "a much longer value than later")])
    bar.update(2, [("note", "short")])
    first, second = terminal.getvalue().split("\r")[1:]
    assert len(second) == len(first)
    assert second.rstrip().endswith("note: short")


def test_terminal_throttles_redraws(monkeypatch):
    terminal = redirect(monkeypatch, tty=True)
    run_epochs(epochs=2, steps=50, interval=60.0)
    out = terminal.getvalue()
    assert out.count("\r") == 4  # the first step and the final line of each epoch
    assert out.count("\n") == 2
    assert out.split("\r")[-1].rstrip().endswith("loss: 0.1234 - accuracy: 0.9876")


def test_verbose_2_one_line_per_epoch_even_on_a_terminal(monkeypatch):
    terminal = redirect(monkeypatch, tty=True)
    run_epochs(epochs=4, steps=200, verbose=2)
    lines = terminal.getvalue().split("\n")[:-1]
    assert "\r" not in terminal.getvalue()
    assert len(lines) == 4 and all(PLAIN_LINE.match(line) for line in lines)


@pytest.mark.parametrize("tty", [True, False])
def test_verbose_0_prints_nothing(tty, monkeypatch):
    stream = redirect(monkeypatch, tty)
    run_epochs(epochs=2, steps=20, verbose=0)
    assert stream.getvalue() == ""


def test_averaging_of_stateless_metrics(monkeypatch):
    terminal = redirect(monkeypatch, tty=True)
    # Without stateful/stateless lists every metric is averaged over the steps, weighted by steps.
    bar = Progbar(target=4, interval=0.0)
    bar.update(1, [("loss", 1.0), ("acc", 0.5)])
    bar.update(3, [("loss", 4.0), ("acc", 0.5)])  # counts for 2 steps: (1 + 8) / 3
    assert terminal.getvalue().split("\r")[-1].rstrip().endswith("loss: 3.0000 - acc: 0.5000")
    bar = Progbar(target=4, interval=0.0, stateful_metrics=["loss"])
    bar.update(1, [("loss", 1.0)])
    bar.update(3, [("loss", 4.0)])
    assert terminal.getvalue().split("\r")[-1].rstrip().endswith("loss: 4.0000")


def test_unknown_target_and_add(monkeypatch):
    terminal = redirect(monkeypatch, tty=True)
    bar = Progbar(target=None, interval=0.0)
    bar.add(5, [("loss", 2.0)])
    bar.add(5, [("loss", 2.0)])
    frame = terminal.getvalue().split("\r")[-1]
    assert frame.startswith("     10/Unknown - ") and frame.rstrip().endswith("loss: 2.0000")


def test_metric_format():
    assert format_metric(0.12345) == "0.1235"
    assert format_metric(-2.5) == "-2.5000"
    assert format_metric(0.0001) == "1.0000e-04"
    assert format_metric(0.0) == "0.0000e+00"
    assert format_metric(float("nan")) == "nan"
    assert format_metric("text") == "text"


def test_time_formats():
    bar = Progbar(target=1, verbose=0)
    assert bar._format_time(2.4) == " 2s/step"
    assert bar._format_time(0.006) == " 6ms/step"
    assert bar._format_time(0.00005) == " 50us/step"
    assert Progbar._format_eta(3) == "3s"
    assert Progbar._format_eta(125) == "2:05"
    assert Progbar._format_eta(3725) == "1:02:05"


def test_both_metric_lists_rejected():
    with pytest.raises(ValueError, match="stateful_metrics"):
        Progbar(10, stateful_metrics=["a"], stateless_metrics=["b"])
