"""Progbar: the progress line that fit, evaluate and predict print.

On a terminal the line rewrites itself with '\\r' as the steps go by:

    37/1875 [>.............................] - ETA: 3s - loss: 0.1234 - accuracy: 0.9876

and ends, when the epoch is done, as

    1875/1875 [==============================] - 12s 6ms/step - loss: 0.1234 - accuracy: 0.9876

When the output is not a terminal (a log file, CI, a pipe) nothing is printed
per step: one plain line comes at the end, so logs hold one line per epoch:

    1875/1875 - 12s - 6ms/step - loss: 0.1234 - accuracy: 0.9876

verbose=2 prints that plain line even on a terminal; verbose=0 prints nothing.
"""
import math
import os
import sys
import time


def is_dynamic_display(stream=None):
    """Whether `stream` (sys.stdout by default) can rewrite a line with '\\r'.

    True for a terminal, a Jupyter/Colab output stream and PyCharm's console;
    False for files, pipes and CI logs.
    """
    stream = sys.stdout if stream is None else stream
    try:
        if stream.isatty():
            return True
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        pass
    if type(stream).__module__.startswith("ipykernel"):
        return True
    return "PYCHARM_HOSTED" in os.environ


def format_metric(value):
    """A metric as Keras shows it: 4 decimals, or scientific notation when tiny."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


class Progbar:
    """Displays a progress bar.

    Args:
        target: total number of steps expected, None if unknown.
        width: width of the bar in characters.
        verbose: 0 (silent), 1 (a live bar on a terminal, one line per epoch
            elsewhere), 2 (one line per epoch).
        interval: minimum time in seconds between two redraws of a live bar.
        stateful_metrics: names of metrics shown as given. The others are
            averaged over the steps by the progress bar.
        stateless_metrics: names of metrics averaged by the progress bar; all
            others are shown as given. Pass one of the two lists at most. When
            neither is given every metric is averaged, as in Keras.
        unit_name: the name of a step in the time per step ('step', 'sample').

    Example:

    ```python
    bar = Progbar(target=100)
    for step in range(100):
        bar.update(step + 1, [("loss", loss_value)])
    ```
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Pass only one of `stateful_metrics` or `stateless_metrics`. "
                f"Received: stateful_metrics={stateful_metrics}, "
                f"stateless_metrics={stateless_metrics}"
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        if stateless_metrics is not None:
            self.stateful_metrics = None
            self.stateless_metrics = set(stateless_metrics)
        else:
            self.stateful_metrics = set(stateful_metrics or ())
            self.stateless_metrics = None
        self._dynamic_display = is_dynamic_display()
        self._values = {}  # name -> [sum of value * steps, steps]
        self._values_order = []
        self._seen_so_far = 0
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def _is_averaged(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def update(self, current, values=None, finalize=None):
        """Record progress up to step `current` and redraw if it is time.

        Args:
            current: the index of the current step (1-based count of steps done).
            values: list of `(name, value)` pairs for the last step (a dict works too).
            finalize: whether this is the last update; by default
                `current >= target`.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if isinstance(values, dict):
            values = list(values.items())
        for name, value in values or ():
            if name not in self._values_order:
                self._values_order.append(name)
            if self._is_averaged(name) and not finalize and _is_numeric(value):
                weight = max(current - self._seen_so_far, 1)
                total = self._values.get(name)
                if total is None or not _is_numeric(total[0]):
                    total = self._values[name] = [0.0, 0]
                total[0] = total[0] + value * weight
                total[1] += weight
            else:
                # Shown as given; on the last update the value (an epoch
                # average in fit's logs) replaces the running one, as in Keras.
                self._values[name] = [value, 1]
        self._seen_so_far = current

        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1 and self._dynamic_display:
            if now - self._last_update < self.interval and not finalize:
                return
            self._draw_live(current, now, time_per_unit, finalize)
        elif self.verbose in (1, 2) and finalize:
            self._write(self._plain_line(current, now, time_per_unit) + "\n")
        self._last_update = now

    def add(self, n, values=None):
        """Advance by `n` steps."""
        self.update(self._seen_so_far + n, values)

    # ---- drawing -----------------------------------------------------------
    def _draw_live(self, current, now, time_per_unit, finalize):
        if self.target is not None and self.target > 0:
            numdigits = int(math.log10(self.target)) + 1
            bar = f"{current:{numdigits}d}/{self.target} ["
            prog_width = int(self.width * min(current / self.target, 1.0))
            if prog_width > 0:
                bar += "=" * (prog_width - 1)
                bar += ">" if current < self.target else "="
            bar += "." * (self.width - prog_width) + "]"
        else:
            bar = f"{current:7d}/Unknown"
        if finalize or self.target is None:
            info = f" - {now - self._start:.0f}s{self._format_time(time_per_unit)}"
        else:
            info = f" - ETA: {self._format_eta(time_per_unit * (self.target - current))}"
        info += self._metrics_text()
        line = bar + info
        total_width = len(line)
        if self._prev_total_width > total_width:
            line += " " * (self._prev_total_width - total_width)  # wipe a longer previous line
        self._prev_total_width = total_width
        self._write("\r" + line + ("\n" if finalize else ""))

    def _plain_line(self, current, now, time_per_unit):
        if self.target is not None and self.target > 0:
            numdigits = int(math.log10(self.target)) + 1
            count = f"{current:{numdigits}d}/{self.target}"
        else:
            count = f"{current}/Unknown"
        line = f"{count} - {now - self._start:.0f}s -{self._format_time(time_per_unit)}"
        return line + self._metrics_text()

    def _metrics_text(self):
        text = ""
        for name in self._values_order:
            total, count = self._values[name]
            try:
                shown = format_metric(_mean(total) / max(1, count))
            except (TypeError, ValueError):
                shown = str(total)
            text += f" - {name}: {shown}"
        return text

    @staticmethod
    def _write(message):
        stream = sys.stdout
        try:
            stream.write(message)
        except UnicodeEncodeError:
            encoding = getattr(stream, "encoding", None) or "utf-8"
            stream.write(message.encode(encoding, errors="replace").decode(encoding))
        stream.flush()

    def _format_time(self, time_per_unit):
        """' 6ms/step' style duration of one unit."""
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{self.unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1e3:.0f}ms/{self.unit_name}"
        return f" {time_per_unit * 1e6:.0f}us/{self.unit_name}"

    @staticmethod
    def _format_eta(eta):
        if eta > 3600:
            return f"{int(eta // 3600)}:{int(eta % 3600 // 60):02d}:{int(eta % 60):02d}"
        if eta > 60:
            return f"{int(eta // 60)}:{int(eta % 60):02d}"
        return f"{int(eta)}s"

    def _estimate_step_duration(self, current, now):
        """Seconds per step, leaving out the first (often slow) step when possible."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            time_per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            time_per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return time_per_unit


def _is_numeric(value):
    try:
        float(_mean(value))
        return True
    except (TypeError, ValueError):
        return False


def _mean(value):
    """A number, or the mean of an array-like value."""
    if isinstance(value, (int, float)):
        return float(value)
    from ...backend import xp

    return float(xp.mean(xp.asarray(value)))
