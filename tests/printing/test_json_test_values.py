"""The JSON graph carries test values' dtypes and shapes, for the graph view's edges.

Only graphs built with test values carry them (a variable whose own tag holds one);
then every node with a test value is described, shared variables and constants too,
and a node computed on them gets the shape of its computed value.
"""

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.printing import to_json


@pytest.fixture
def test_values():
    saved = theano.config.compute_test_value
    theano.config.compute_test_value = "raise"
    yield
    theano.config.compute_test_value = saved


def _by_label(document):
    return {entry["label"]: entry for entry in document["nodes"].values() if entry["label"]}


def test_a_graph_built_with_test_values_carries_their_shapes(test_values):
    x = T.dmatrix("x")
    x.tag.test_value = np.ones((5, 3))
    w = theano.shared(np.ones((3, 2)), name="w")
    h = T.dot(x, w)
    h.name = "h"
    y = T.tanh(h)
    y.name = "y"
    nodes = _by_label(to_json(y))
    assert nodes["x"]["test_value"] == {"dtype": "float64", "shape": [5, 3]}
    assert nodes["w"]["test_value"] == {"dtype": "float64", "shape": [3, 2]}
    assert nodes["h"]["test_value"] == {"dtype": "float64", "shape": [5, 2]}
    assert nodes["y"]["test_value"] == {"dtype": "float64", "shape": [5, 2]}


def test_a_graph_without_test_values_carries_none_and_makes_no_tag():
    x = T.dmatrix("x")
    w = theano.shared(np.ones((3, 2)), name="w")
    document = to_json(T.tanh(T.dot(x, w)))
    assert all("test_value" not in entry for entry in document["nodes"].values())
    assert "_tag" not in x.__dict__ and "_tag" not in w.__dict__


class RowsAndTotal(theano.Op):
    """Two outputs: the matrix's row sums (a vector) and its total (a scalar)."""

    __props__ = ()

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return theano.Apply(self, [x], [T.dvector(), T.dscalar()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0].sum(axis=1)
        output_storage[1][0] = np.asarray(inputs[0].sum())


def test_a_multi_output_node_describes_each_output(test_values):
    x = T.dmatrix("x")
    x.tag.test_value = np.arange(6.0).reshape(2, 3)
    rows, total = RowsAndTotal()(x)
    document = to_json([rows, total])
    (entry,) = [e for e in document["nodes"].values() if e.get("outputs")]
    assert [out["test_value"] for out in entry["outputs"]] == [
        {"dtype": "float64", "shape": [2]}, {"dtype": "float64", "shape": []}]
