"""Looking inside training: explain one step, check a whole model's gradients, explain a prediction, pictures.

    import deepgrad.inspect as inspect
    inspect.explain_step(model, x, y)          # the four steps of one batch, with that batch's numbers
    inspect.gradcheck_model(model, x, y)       # backprop vs central differences, weight by weight
    inspect.integrated_gradients(model, x, target=3)
    inspect.plot_history(history, "curves.png")

Each name is loaded from its module on first use, so `import deepgrad.inspect` stays cheap.
"""
import importlib

_MODULES = {
    "explain_step": "explain",
    "StepExplanation": "explain",
    "gradcheck_model": "model_gradcheck",
    "GradcheckReport": "model_gradcheck",
    "saliency": "attribution",
    "integrated_gradients": "attribution",
    "grad_cam": "attribution",
    "plot_attribution": "plots",
    "plot_history": "plots",
    "plot_filters": "plots",
    "plot_activations": "plots",
    "plot_gradient_flow": "plots",
}

__all__ = sorted(_MODULES)


def __getattr__(name):
    if name in _MODULES:
        return getattr(importlib.import_module(f".{_MODULES[name]}", __name__), name)
    raise AttributeError(f"deepgrad does not implement deepgrad.inspect.{name}")


def __dir__():
    return __all__
