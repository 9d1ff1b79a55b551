"""``function_dump``: a function call's arguments pickled to a file, to be rerun elsewhere.

Theano's documented use: ``function_dump(filename, inputs, outputs, ...)`` writes
the arguments; loading the file gives a dict ``d`` and ``function(**d)`` compiles
the same function. Checked here by computing with the reloaded function and
comparing with NumPy, including updates and givens.
"""

import pickle

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T


def _reload(path):
    with open(path, "rb") as file:
        return pickle.load(file)


def test_reloaded_arguments_compile_the_same_function(tmp_path):
    x = T.dmatrix("x")
    w = theano.shared(np.arange(6.0).reshape(3, 2), name="w")
    path = tmp_path / "f.pkl"
    theano.function_dump(str(path), [x], T.tanh(x.dot(w)), updates=[(w, w * 0.5)], name="f")
    d = _reload(path)
    assert set(d) == {"inputs", "outputs", "updates", "no_default_updates", "name"}
    f = theano.function(**d)
    data = np.random.default_rng(1).normal(size=(4, 3))
    np.testing.assert_allclose(f(data), np.tanh(data @ (np.arange(6.0).reshape(3, 2))))
    # The reloaded graph has its own copy of w: the update changes that copy only.
    (w2,) = [v for v, _ in d["updates"]]
    np.testing.assert_allclose(w2.get_value(), np.arange(6.0).reshape(3, 2) * 0.5)
    np.testing.assert_allclose(w.get_value(), np.arange(6.0).reshape(3, 2))


def test_givens_mode_and_in_update_survive(tmp_path):
    a, b, s = T.dscalars("a", "b", "s")
    path = tmp_path / "g.pkl"
    theano.function_dump(path, [a, theano.In(s, value=1.0, update=s * a)], s + b,
                         givens={b: a * 10}, mode="FAST_COMPILE", on_unused_input="ignore")
    g = theano.function(**_reload(path))
    assert [float(g(2.0)) for _ in range(3)] == [21.0, 22.0, 24.0]


def test_theano_only_arguments_are_accepted_and_not_stored(tmp_path):
    x = T.dvector("x")
    path = tmp_path / "h.pkl"
    theano.function_dump(path, [x], x + 1, accept_inplace=True, rebuild_strict=False,
                         extra_tag_to_remove="test_value")
    d = _reload(path)
    assert "accept_inplace" not in d and "rebuild_strict" not in d
    np.testing.assert_array_equal(theano.function(**d)(np.ones(2)), [2.0, 2.0])


def test_a_bad_filename_is_refused():
    x = T.dvector("x")
    with pytest.raises(TypeError, match="filename must be a path"):
        theano.function_dump(3, [x], x)
