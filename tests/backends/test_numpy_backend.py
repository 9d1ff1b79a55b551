"""The NumPy backend lowers a graph to one straight-line generated function."""

import ast

import numpy as np
import pytest

import symlab.tensor as T
from symlab import function
from symlab.backends import numpy_backend


def test_source_is_one_straight_line_function(monkeypatch):
    monkeypatch.setenv("SYMLAB_BLOCKED", "0")     # no block functions (tests/backends/test_blocked.py)
    x = T.dmatrix("x")
    f = function([x], 1 / (1 + T.exp(-x)), mode="NO_REWRITES")
    tree = ast.parse(f.source)
    (fn,) = tree.body
    assert isinstance(fn, ast.FunctionDef)
    assert [a.arg for a in fn.args.args] == ["x"]
    loops = [n for n in ast.walk(fn) if isinstance(n, (ast.For, ast.While))]
    assert loops == []
    calls = [n for n in fn.body if isinstance(n, ast.Assign)]
    assert len(calls) == 4           # neg, exp, add, true_div: one line each
    assert isinstance(fn.body[-1], ast.Return)


def test_user_names_appear_in_the_source():
    weights, bias = T.dvector("weights"), T.dscalar("bias")
    total = weights * 2 + bias
    total.name = "total"
    f = function([weights, bias], total)
    assert "def symlab_fn(weights, bias):" in f.source
    assert "total = " in f.source


def test_name_clashes_and_bad_identifiers_are_renamed():
    a = T.dscalar("x")
    b = T.dscalar("x")
    c = T.dscalar("not an identifier")
    f = function([a, b, c], a + b * c)
    assert "def symlab_fn(x, x_1, v" in f.source
    assert f(1.0, 2.0, 3.0) == 7.0


def test_code_objects_are_cached_by_source():
    x = T.dvector("x")
    before = len(numpy_backend._CODE_CACHE)
    f1 = function([x], T.exp(x) + 1)
    after_first = len(numpy_backend._CODE_CACHE)
    y = T.dvector("x")
    f2 = function([y], T.exp(y) + 1)
    assert f1.source == f2.source
    assert len(numpy_backend._CODE_CACHE) == after_first >= before
    np.testing.assert_allclose(f2(np.zeros(2)), [2.0, 2.0])


def test_zero_d_outputs_are_arrays_not_numpy_scalars():
    x, y = T.dscalars("x", "y")
    out = function([x, y], x + y)(1.0, 2.0)
    assert type(out) is np.ndarray and out.shape == () and out == 3.0


def test_outputs_aliasing_inputs_are_copied_unless_borrowed():
    from symlab import Out
    x = T.dvector("x")
    value = np.arange(3.0)
    f = function([x], x.T)
    out = f(value)
    out[0] = 42.0
    assert value[0] == 0.0
    g = function([x], Out(x.T, borrow=True))
    assert np.shares_memory(g(value), value)


# ---------------------------------------------------------------- deferred straight branches

def test_a_long_straight_branch_is_compiled_on_first_use_and_reads_as_shown():
    x, z = T.dvectors("x", "z")
    y = x
    for _ in range(20):
        y = T.tanh(y) + z
    f = function([x, z], y)
    assert "else:" in f.source and f.source.count("np.tanh(") >= 40   # both branches shown
    straight = f._lowered.env["_straight_1"]
    assert isinstance(straight, numpy_backend._Deferred)
    a, b = np.linspace(-1, 1, 11), np.linspace(0, 2, 11)
    want = a.copy()
    for _ in range(20):
        want = np.tanh(want) + b
    np.testing.assert_allclose(f(a, b), want, rtol=1e-13)
    np.testing.assert_allclose(f(a[::-1], b[::-1]), want[::-1], rtol=1e-13)  # not contiguous
    assert not isinstance(f._lowered.env["_straight_1"], numpy_backend._Deferred)
    with pytest.raises(ValueError, match="failed at node fused"):
        f(np.ones(10)[::2], np.ones(4))
    failure = f.last_failure
    assert failure is not None and "fused" in str(failure.node.op)
