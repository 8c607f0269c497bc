"""Whole-model gradient check: backpropagation against central differences, weight by weight.

    from deepgrad.inspect import gradcheck_model
    report = gradcheck_model(model, x_batch, y_batch)    # prints a table, changes no weight
    report.ok, report.failed, report.suspect

For the compiled loss L of the batch (plus the model's `losses`), every trainable weight's
gradient dL/dW from one backward walk is compared with central differences

    numeric_j = (L(W + eps e_j) - L(W - eps e_j)) / (2 eps)

at up to `max_entries_per_weight` entries j of that weight (all of them for small weights, a
seeded random sample for large ones), one row per weight:

    relative error_j = |analytic_j - numeric_j| / max(|analytic_j|, |numeric_j|, atol)

and the verdict is ok when the largest one is at most `rtol`.

Everything runs in float64, as `deepgrad.gradcheck` does for functions: for the duration of the
check every layer's dtype is float64, every weight holds a float64 copy of its value, the inputs
are cast, and the default float type is float64; afterwards the original arrays (the same
objects, untouched) are put back, so no weight changes and float32 stays float32. In float64,
eps = 1e-5 keeps the truncation error (about eps^2) and the rounding error (about 1e-16 / eps)
near 1e-10, while a perturbation that small rarely crosses a kink of ReLU or max pooling.

Randomness is fixed: the loss is computed in training mode (Dropout drops, BatchNormalization
uses the batch's statistics) and every random generator the layers draw from (deepgrad's global
one and a layer's own seeded one) is reset to the same state before each evaluation, so every
evaluation sees the same Dropout masks; the generators are left as they were found.

A wrong vjp shows as FAIL on the weights of its layer and of every layer before it (their
gradients flow through it); the layers after it pass. `suspect` names the failing layer nearest
the output: the first place to look.
"""
import sys
from collections import namedtuple

from .. import backend
from ..backend import xp
from ..keras.layers.keras_tensor import map_structure
from ..keras.models.data_adapter import to_arrays
from ..tensor import Tensor, enable_grad, no_grad, run_backward
from .explain import _weight_owners

GradcheckRow = namedtuple("GradcheckRow", "layer weight shape checked max_relative_error max_abs_error ok")
"""One weight: its layer's name, its name, shape, the number of entries checked, the largest
relative and absolute errors among them, and the verdict."""


class GradcheckReport:
    """The result of `gradcheck_model`.

    Attributes:
        rows: GradcheckRow per trainable weight, in `model.trainable_weights` order.
        eps, rtol, atol: the settings of the check.
        loss: the loss (float64) at the weights as they are.
    """

    def __init__(self, rows, eps, rtol, atol, loss):
        self.rows = rows
        self.eps, self.rtol, self.atol = eps, rtol, atol
        self.loss = loss

    @property
    def ok(self):
        """True when every weight passed."""
        return all(row.ok for row in self.rows)

    @property
    def failed(self):
        """The names of the layers with a failing weight, in forward order, each once."""
        out = []
        for row in self.rows:
            if not row.ok and row.layer not in out:
                out.append(row.layer)
        return out

    @property
    def suspect(self):
        """The failing layer nearest the output (None when all pass): a wrong vjp there also
        spoils the gradients of the layers before it."""
        return self.failed[-1] if self.failed else None

    def table(self):
        """The report as a text table, with a closing verdict."""
        header = ("layer", "weight", "shape", "checked", "max rel. error", "verdict")
        body = [(r.layer, r.weight, str(r.shape), str(r.checked), f"{r.max_relative_error:.2e}",
                 "ok" if r.ok else "FAIL") for r in self.rows]
        widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(header)]
        line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
        out = [line(header), line(["-" * w for w in widths])] + [line(row) for row in body]
        if self.ok:
            out.append(f"all {len(self.rows)} weights agree with central differences "
                       f"(float64, eps={self.eps:g}, rtol={self.rtol:g})")
        else:
            out.append(f"FAIL in {', '.join(self.failed)}: a wrong gradient (vjp) in '{self.suspect}' "
                       "also spoils the gradients of the layers before it; look there first")
        return "\n".join(out)

    def __str__(self):
        return self.table()


def gradcheck_model(model, x, y=None, sample_weight=None, eps=1e-5, rtol=1e-4, atol=1e-6,
                    max_entries_per_weight=20, seed=0, file=None):
    """Compare every trainable weight's backprop gradient of the compiled loss with central differences.

    Changes no weight (trainable or not, BatchNormalization's moving statistics included) and
    leaves the random generators as they were.

    Args:
        model: a compiled, built model.
        x, y, sample_weight: one batch (keep it small: each checked entry costs two forward passes).
        eps: the finite-difference step (in float64).
        rtol: the largest relative error that passes.
        atol: the floor of the relative error's denominator, so entries whose gradient is
            about 0 are judged by their absolute error.
        max_entries_per_weight: the entries checked per weight (a seeded random sample when
            the weight has more).
        seed: seeds the sample of entries and the random draws (Dropout) of every evaluation.
        file: where to print the table (default sys.stdout); the report is returned either way.

    Returns:
        A GradcheckReport.
    """
    if not getattr(model, "compiled", False):
        raise RuntimeError(
            "gradcheck_model: the model must be compiled (its loss is what is differentiated). "
            f"Received: model '{model.name}', not compiled"
        )
    if eps <= 0 or max_entries_per_weight < 1:
        raise ValueError("gradcheck_model: eps must be > 0 and max_entries_per_weight >= 1. "
                         f"Received: eps={eps}, max_entries_per_weight={max_entries_per_weight}")
    x64, y64, sw64 = (_as_float64(to_arrays(a)) for a in (x, y, sample_weight))
    if not model.built:
        model(map_structure(Tensor, x64) if x64 is not None else x64)
    with _float64_model(model), _fixed_random(model, seed) as reset:
        def loss_of(track):
            reset()
            with (enable_grad() if track else no_grad()):
                inputs = map_structure(Tensor, x64)
                y_pred = model(inputs, training=True)
                targets = map_structure(Tensor, y64) if y64 is not None else None
                return model._compute_loss(x=inputs, y=targets, y_pred=y_pred, sample_weight=sw64, training=True)

        loss = loss_of(True)
        trainable = model.trainable_weights
        found = run_backward(loss) if loss.requires_grad else {}
        owners = _weight_owners(model)
        picker = xp.random.default_rng(seed)
        rows = []
        for v in trainable:
            analytic = found[id(v)][1] if id(v) in found else xp.zeros_like(v.data)
            flat = v.data.reshape(-1)
            if flat.size > max_entries_per_weight:
                entries = xp.sort(picker.choice(flat.size, max_entries_per_weight, replace=False))
            else:
                entries = xp.arange(flat.size)
            a = analytic.reshape(-1)[entries]
            numeric = xp.empty(len(entries))
            for k, j in enumerate(entries):
                original = flat[j]
                flat[j] = original + eps
                plus = float(loss_of(False).data)
                flat[j] = original - eps
                minus = float(loss_of(False).data)
                flat[j] = original
                numeric[k] = (plus - minus) / (2 * eps)
            abs_error = xp.abs(a - numeric)
            rel_error = abs_error / xp.maximum(xp.maximum(xp.abs(a), xp.abs(numeric)), atol)
            worst = float(xp.max(rel_error)) if rel_error.size else 0.0
            worst = worst if xp.all(xp.isfinite(a)) else float("inf")
            owner = owners.get(id(v))
            rows.append(GradcheckRow(owner.name if owner is not None else model.name, v.name.rsplit("/", 1)[-1],
                                     tuple(v.shape), len(entries), worst,
                                     float(xp.max(abs_error)) if abs_error.size else 0.0, worst <= rtol))
        report = GradcheckReport(rows, eps, rtol, atol, float(loss.data))
    print(report.table(), file=file if file is not None else sys.stdout)
    return report


def _as_float64(data):
    """Float arrays (inside any nesting) as float64; other arrays as they are."""
    if data is None:
        return None
    return map_structure(lambda a: a.astype(xp.float64) if isinstance(a, xp.ndarray) and a.dtype.kind == "f" else a,
                         data)


class _float64_model:
    """Context: the model's layers compute in float64 on float64 copies of every weight; on exit
    each weight gets its original array object back and each layer its dtype."""

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        self.layers = [(layer, layer.dtype) for layer in self.model._flatten_layers()]
        self.weights = [(v, v.data) for v in self.model.weights]
        self.floatx = backend.floatx()
        backend.set_floatx("float64")
        for layer, _ in self.layers:
            layer.dtype = "float64"
        for v, data in self.weights:
            if data.dtype.kind == "f":
                v.data = data.astype(xp.float64)
        return self

    def __exit__(self, *exc):
        for v, data in self.weights:
            v.data = data
        for layer, dtype in self.layers:
            layer.dtype = dtype
        backend.set_floatx(self.floatx)
        return False


class _fixed_random:
    """Context giving a `reset()` that puts every random generator the layers may draw from
    (deepgrad's global one, each layer's own seeded one) in the same state, so each evaluation
    draws the same Dropout masks; on exit the generators are left as they were found."""

    def __init__(self, model, seed):
        self.model, self.seed = model, seed

    def __enter__(self):
        generators = [backend.rng()]
        for layer in self.model._flatten_layers():
            own = getattr(getattr(layer, "_random", None), "_generator", None)
            if own is not None:
                generators.append(own)
        self.saved = [(g, g.bit_generator.state) for g in generators]
        fixed = [xp.random.default_rng([self.seed, k]).bit_generator.state for k in range(len(generators))]

        def reset():
            for (g, _), state in zip(self.saved, fixed):
                g.bit_generator.state = state

        return reset

    def __exit__(self, *exc):
        for g, state in self.saved:
            g.bit_generator.state = state
        return False
