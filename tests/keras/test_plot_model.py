"""model_to_dot / plot_model, compared with Keras 3's on the same architectures.

Node names are id(layer) in both, so the graphs are compared through their labels: the
boxes' labels (Keras' HTML-like tables: name, class, shapes, dtype, activation, trainable)
in the order Keras emits them, and the edges as (source title, destination title) pairs.
Rendering needs Graphviz's `dot` program; those tests skip, naming the install, without it.
"""
import os
import re
import shutil
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import pytest  # noqa: E402

import deepgrad.keras as dk  # noqa: E402
from deepgrad.keras import utils  # noqa: E402

pydot = pytest.importorskip("pydot", reason="model_to_dot needs pydot: pip install pydot")
keras = pytest.importorskip("keras", reason="Keras 3 is the oracle: pip install keras")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")
needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None,
                                    reason="rendering needs Graphviz: apt-get install graphviz")


def branchy(k):
    """Two inputs, a shared branch, a nested functional model and a nested Sequential."""
    inner_in = k.Input((8,), name="inner_in")
    inner = k.Model(inner_in, k.layers.Dense(5, name="inner_dense")(inner_in), name="inner")
    seq = k.Sequential([k.layers.Dense(6, name="s1"), k.layers.Dense(7, name="s2")], name="seq")
    a, b = k.Input((4,), name="a"), k.Input((3,), name="b")
    x = k.layers.Dense(8, activation="relu", name="d1")(a)
    y = k.layers.Dense(8, name="d2")(b)
    z = seq(inner(k.layers.Add(name="add")([x, y])))
    out = k.layers.Dense(2, activation="softmax", name="out")(k.layers.Concatenate(name="cat")([z, x]))
    return k.Model([a, b], out, name="m")


def sequential(k):
    model = k.Sequential([k.Input((3,)), k.layers.Dense(4, name="x1"), k.layers.Dropout(0.1, name="x2"),
                          k.layers.Dense(1, name="x3")], name="sq")
    model.layers[1].trainable = False
    return model


def frozen_multi_output(k):
    inp = k.Input((5,), name="inp")
    hidden = k.layers.Dense(4, name="h", trainable=False)(inp)
    return k.Model(inp, {"p": k.layers.Dense(2, name="p")(hidden), "q": k.layers.Dense(1, name="q")(hidden)})


def graph_view(dot):
    """(labels in order, sorted edges by box title, cluster names) of a pydot graph."""
    def nodes(graph):
        found = [(n.get_name(), n.get("label")) for n in graph.get_nodes()
                 if n.get_name() not in ("node", "graph", "edge")]
        for sub in graph.get_subgraphs():
            found += nodes(sub)
        return found

    def edges(graph):
        found = [(e.get_source(), e.get_destination()) for e in graph.get_edges()]
        for sub in graph.get_subgraphs():
            found += edges(sub)
        return found

    listed = nodes(dot)
    title = {name: re.search(r"<b>([^<]*)</b>", label).group(1) for name, label in listed}
    return ([label for _, label in listed], sorted((title[s], title[d]) for s, d in edges(dot)),
            [s.get_name() for s in dot.get_subgraphs()])


OPTIONS = [dict(), dict(show_shapes=True), dict(show_shapes=True, show_dtype=True, show_layer_activations=True,
                                                show_trainable=True),
           dict(show_layer_names=False), dict(expand_nested=True), dict(expand_nested=True, show_shapes=True),
           dict(rankdir="LR", dpi=96, splines="curved")]


@pytest.mark.parametrize("builder", [branchy, sequential, frozen_multi_output])
@pytest.mark.parametrize("options", OPTIONS)
def test_model_to_dot_matches_keras(builder, options):
    ours = utils.model_to_dot(builder(dk), **options)
    theirs = keras.utils.model_to_dot(builder(keras), **options)
    our_labels, our_edges, our_clusters = graph_view(ours)
    their_labels, their_edges, their_clusters = graph_view(theirs)
    assert our_labels == their_labels
    assert our_edges == their_edges
    assert our_clusters == their_clusters
    for key in ("rankdir", "dpi", "splines", "concentrate"):
        assert str(ours.get(key)) == str(theirs.get(key))


def test_dot_text_names_shapes_and_edges():
    text = utils.model_to_dot(branchy(dk), show_shapes=True).to_string()
    assert "<b>d1</b> (Dense)" in text and "<b>inner</b> (Functional)" in text
    assert "Input shape: <b>[(None, 8), (None, 8)]</b>" in text  # the Add layer
    assert "Output shape: <b>(None, 2)</b>" in text
    assert text.count(" -> ") == 9


def test_subclassed_model_is_one_box():
    class Net(dk.Model):
        def __init__(self):
            super().__init__()
            self.dense = dk.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    net = Net()
    net.build((None, 3))
    labels, edges, _ = graph_view(utils.model_to_dot(net))
    assert len(labels) == 1 and "(Net)" in labels[0] and edges == []


def test_errors():
    unbuilt = dk.Sequential([dk.layers.Dense(2)])
    with pytest.raises(ValueError, match="has not yet been built"):
        utils.model_to_dot(unbuilt)
    with pytest.raises(ValueError, match="`layer_range` is no longer supported"):
        utils.model_to_dot(sequential(dk), layer_range=["x1", "x3"])
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        utils.model_to_dot(sequential(dk), show_colors=True)


def test_missing_pydot_names_the_install(monkeypatch):
    for name in ("pydot", "pydot_ng", "pydotplus"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"pip install pydot"):
        utils.model_to_dot(sequential(dk))
    with pytest.raises(ImportError, match=r"pip install pydot"):
        utils.plot_model(sequential(dk), to_file="unused.png")


def test_missing_graphviz_names_the_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` program on the PATH
    with pytest.raises(ImportError, match="install graphviz"):
        utils.plot_model(sequential(dk), to_file=str(tmp_path / "m.png"))


@needs_graphviz
@pytest.mark.parametrize("name,magic", [("m.png", b"\x89PNG"), ("m.svg", b"<?xml"), ("m", b"\x89PNG"),
                                        ("m.pdf", b"%PDF")])
def test_plot_model_writes_the_file(tmp_path, name, magic):
    path = tmp_path / name
    utils.plot_model(branchy(dk), to_file=str(path), show_shapes=True, expand_nested=True)
    assert path.read_bytes().startswith(magic)


@needs_graphviz
def test_plot_model_svg_shows_layers_and_shapes(tmp_path):
    path = tmp_path / "m.svg"
    utils.plot_model(branchy(dk), to_file=str(path), show_shapes=True, show_layer_names=True)
    svg = path.read_text()
    for text in ("d1", "Dense", "Concatenate", "(None, 2)"):
        assert text in svg
