"""Test values (Theano's ``compute_test_value``): ``x.tag.test_value``, computed while building.

References: NumPy by hand for every computed value, central differences for a
gradient's, the behaviour of Theano 1.0.5 (tried with the oracle) for what
each setting does.
"""

import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import symlab
import symlab as theano
import symlab.tensor as T
from symlab import config, function
from symlab.graph.basic import Apply
from symlab.graph import test_value as tv
from symlab.graph.traversal import ancestors
from symlab.ifelse import ifelse

HERE = os.path.abspath(__file__)


@pytest.fixture
def test_values():
    """Set ``config.compute_test_value`` for one test (``test_values('raise')``); restore it."""
    before = (config.compute_test_value, config.print_test_value)

    def set_mode(mode):
        config.compute_test_value = mode

    yield set_mode
    config.compute_test_value, config.print_test_value = before


def matrix(name, value, dtype="float64"):
    var = T.matrix(name, dtype=dtype)
    var.tag.test_value = np.asarray(value, dtype=dtype)
    return var


def this_line():
    """The number of the caller's line."""
    return sys._getframe(1).f_lineno


# ---------------------------------------------------------------- config

def test_the_settings_default_to_off_and_take_theanos_values(test_values):
    assert config.compute_test_value == "off" and config.print_test_value is False
    for mode in ("off", "ignore", "warn", "raise", "pdb"):
        config.compute_test_value = mode
        assert config.compute_test_value == mode
    with pytest.raises(ValueError, match="compute_test_value: expected one of off, ignore, "
                                         "warn, raise, pdb; got 'loud'"):
        config.compute_test_value = "loud"
    assert config.compute_test_value == "pdb"


def _run(flags, code):
    env = {k: v for k, v in os.environ.items() if k not in ("THEANO_FLAGS", "SYMLAB_FLAGS")}
    env["THEANO_FLAGS"] = flags
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)


def test_theano_flags_turn_test_values_on():
    code = ("import symlab, symlab.tensor as T\n"
            "print(symlab.config.compute_test_value, symlab.config.print_test_value)\n"
            "x = T.vector('x')\n"
            "try:\n    x + 1\nexcept ValueError as e:\n    print('raised:', e)\n")
    done = _run("compute_test_value=raise,print_test_value=True", code)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()[:2]
    assert first == "raise True"
    assert second.startswith("raised: input 0 (x) of add has no test value")
    bad = _run("compute_test_value=sometimes", "import symlab")
    assert bad.returncode != 0
    assert "THEANO_FLAGS: compute_test_value: expected one of off, ignore, warn, raise, pdb" \
        in bad.stderr


# ---------------------------------------------------------------- build-time errors

def test_a_shape_mismatch_is_caught_at_the_users_line_naming_the_op_and_both_shapes(
        test_values):
    test_values("raise")
    a = matrix("a", np.ones((3, 4)))
    b = matrix("b", np.ones((5, 2)))
    with pytest.raises(ValueError) as info:
        line = this_line() + 1
        T.dot(a, b)
    message = str(info.value)
    assert message.startswith("dot of (3, 4) and (5, 2) fails on the test values")
    assert f"at {HERE}:{line}: T.dot(a, b)" in message
    assert "input 0 (a): float64 (3, 4)" in message and "input 1 (b): float64 (5, 2)" in message
    assert isinstance(info.value.__cause__, ValueError)      # NumPy's (or dot's) own error


def test_an_elementwise_mismatch_deep_in_a_graph_names_its_own_line(test_values):
    test_values("raise")
    x = T.vector("x")
    x.tag.test_value = np.arange(3.0)
    y = T.vector("y")
    y.tag.test_value = np.arange(4.0)
    z = T.exp(x) * 2
    with pytest.raises(ValueError) as info:
        line = this_line() + 1
        z + y
    message = str(info.value)
    assert message.startswith("add of (3,) and (4,) fails on the test values")
    assert f"{HERE}:{line}: z + y" in message
    assert "input 0 (mul output): float64 (3,)" in message and "input 1 (y)" in message


def test_a_test_value_of_the_wrong_dtype_or_shape_is_refused_when_assigned():
    xf = T.fmatrix("xf")
    with pytest.raises(TypeError) as info:
        xf.tag.test_value = np.ones((2, 2))                  # float64 into float32
    message = str(info.value)
    assert message.startswith("xf.tag.test_value: float64 (2, 2) does not fit "
                              "TensorType(float32, (?, ?))")
    assert "could lose precision" in message and "allow_input_downcast" not in message
    with pytest.raises(TypeError, match=r"xf.tag.test_value: float32 \(3,\) does not fit .*"
                                        r"wrong number of dimensions"):
        xf.tag.test_value = np.ones(3, dtype="float32")
    with pytest.raises(ValueError, match=r"r.tag.test_value: float64 \(2, 3\) does not fit "
                                         r"TensorType\(float64, \(1, \?\)\)"):
        T.row("r").tag.test_value = np.ones((2, 3))
    assert not hasattr(xf.tag, "test_value")                 # a refused value is not kept
    xf.tag.test_value = [[1, 2], [3, 4]]                     # exact: converted to float32
    assert xf.tag.test_value.dtype == np.float32
    np.testing.assert_array_equal(xf.tag.test_value, [[1, 2], [3, 4]])


def test_result_dtypes_follow_the_graphs_types(test_values):
    test_values("raise")
    i = T.ivector("i")
    i.tag.test_value = np.array([1, 2, 3], dtype="int32")
    f = T.fvector("f")
    f.tag.test_value = np.array([0.5, 0.25, 2.0], dtype="float32")
    cases = {i + f: np.float64(0), i / i: np.float64(0), f * 2.0: np.float32(0),
             T.sum(i): np.int64(0)}
    for var, kind in cases.items():
        value = var.tag.test_value
        assert value.dtype == var.type.dtype == kind.dtype, var
    np.testing.assert_array_equal((i + f).tag.test_value,
                                  np.array([1, 2, 3], "int32") + np.array([.5, .25, 2.]))


# ---------------------------------------------------------------- the settings

def test_off_computes_nothing_and_makes_no_tag(test_values):
    x = T.vector("x")
    y = x
    for _ in range(200):
        y = T.tanh(y) * 2.0 + x
    nodes = [v for v in ancestors([y])]
    assert len(nodes) > 600
    assert all("_tag" not in v.__dict__ for v in nodes)
    x.tag.test_value = np.ones(3)                            # assigned later: nothing runs
    z = y + 1
    assert tv.test_value_of(z) is None and not hasattr(z.tag, "test_value")


def test_raise_names_the_variable_without_a_test_value_and_builds_nothing(test_values):
    test_values("raise")
    x = T.vector("x")
    with pytest.raises(ValueError) as info:
        line = this_line() + 1
        T.exp(x)
    assert str(info.value) == (
        f"input 0 (x) of exp has no test value, at {HERE}:{line}: T.exp(x) "
        "(compute_test_value='raise'; set it with x.tag.test_value = value)")


def test_warn_warns_at_the_users_line_and_builds_without_values(test_values):
    test_values("warn")
    x = T.vector("x")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = this_line() + 1
        y = T.exp(x)
        z = y * 3                        # y has no value: said once, at the graph input
    assert [str(w.message).split(",")[0] for w in caught] == [
        "input 0 (x) of exp has no test value"]
    assert caught[0].category is UserWarning
    assert (caught[0].filename, caught[0].lineno) == (HERE, line)
    assert tv.test_value_of(y) is None and tv.test_value_of(z) is None


def test_ignore_skips_silently_and_computes_where_it_can(test_values):
    test_values("ignore")
    x = T.vector("x")
    w = T.vector("w")
    w.tag.test_value = np.array([1.0, -2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = T.exp(x) + w
        v = T.abs(w) * 2
    assert tv.test_value_of(y) is None
    np.testing.assert_array_equal(v.tag.test_value, [2.0, 4.0])


def test_errors_of_the_op_are_raised_in_every_mode_but_off(test_values):
    a = matrix("a", np.ones((2, 3)))
    b = matrix("b", np.ones((2, 3)))
    for mode in ("ignore", "warn", "raise"):
        test_values(mode)
        with pytest.raises(ValueError, match=r"dot of \(2, 3\) and \(2, 3\)"):
            T.dot(a, b)
    test_values("off")
    assert tv.test_value_of(T.dot(a, b)) is None                # found when it runs instead


# ---------------------------------------------------------------- where values come from

def test_shared_variables_read_their_current_value(test_values):
    test_values("raise")
    W = theano.shared(np.arange(6.0).reshape(2, 3), "W")
    np.testing.assert_array_equal(W.tag.test_value, np.arange(6.0).reshape(2, 3))
    x = matrix("x", np.ones((4, 2)))
    np.testing.assert_array_equal(T.dot(x, W).tag.test_value,
                                  np.ones((4, 2)) @ np.arange(6.0).reshape(2, 3))
    W.set_value(np.ones((2, 5)))
    assert W.tag.test_value.shape == (2, 5)
    assert T.dot(x, W).tag.test_value.shape == (4, 5)
    with pytest.raises(ValueError, match="W is a shared variable; its test value is its "
                                         r"value \(change it with set_value\)"):
        W.tag.test_value = np.zeros((2, 5))
    np.testing.assert_array_equal(W.get_value(), np.ones((2, 5)))


def test_constants_carry_their_data(test_values):
    test_values("raise")
    c = T.constant(np.array([1.0, 2.0, 4.0]))
    np.testing.assert_array_equal(c.tag.test_value, [1.0, 2.0, 4.0])
    with pytest.raises(ValueError, match="is a constant; its test value is its value"):
        c.tag.test_value = np.zeros(3)
    y = T.vector("y")
    y.tag.test_value = np.array([3.0, 1.0, 0.5])
    np.testing.assert_array_equal((c * y + 1).tag.test_value, [4.0, 3.0, 3.0])


def test_test_value_of_and_info_for_the_graph_view(test_values):
    test_values("raise")
    x = matrix("x", np.ones((2, 3)))
    y = T.sum(x, axis=0)
    assert tv.test_value_info(y) == {"dtype": "float64", "shape": [3]}
    assert tv.test_value_info(T.vector("free")) is None
    assert tv.test_value_of(T.constant(2.0)) == 2.0
    assert tv.get_test_value(3.0) == 3.0
    with pytest.raises(AttributeError, match="v has no test value"):
        tv.get_test_value(T.vector("v"))


def test_get_debug_values_is_theanos(test_values):
    x = matrix("x", np.eye(2))
    assert tv.get_debug_values(x) == []                         # off
    test_values("raise")
    (value,) = tv.get_debug_values(x)
    np.testing.assert_array_equal(value, np.eye(2))
    ((first, second),) = tv.get_debug_values(x, T.constant(1.0))
    assert second == 1.0
    with pytest.raises(ValueError, match=r"argument 1 \(free\) of get_debug_values has no "
                                         "test value"):
        tv.get_debug_values(x, T.vector("free"))
    test_values("ignore")
    assert tv.get_debug_values(x, T.vector("free")) == []


# ---------------------------------------------------------------- values equal NumPy's

@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2 ** 31 - 1))
def test_a_layer_and_its_loss_equal_numpy(n, k, m, seed):
    rng = np.random.default_rng(seed)
    xv, wv, bv = rng.normal(size=(n, k)), rng.normal(size=(k, m)), rng.normal(size=m)
    before = config.compute_test_value
    config.compute_test_value = "raise"
    try:
        x = matrix("x", xv)
        W = theano.shared(wv, "W")
        b = T.vector("b")
        b.tag.test_value = bv
        h = T.tanh(T.dot(x, W) + b)
        p = T.nnet.softmax(h)
        loss = -T.mean(T.log(p[:, 0])) + (W ** 2).sum()
    finally:
        config.compute_test_value = before
    hv = np.tanh(xv @ wv + bv)
    pv = np.exp(hv - hv.max(axis=1, keepdims=True))
    pv /= pv.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(h.tag.test_value, hv, rtol=1e-12)
    np.testing.assert_allclose(p.tag.test_value, pv, rtol=1e-12)
    np.testing.assert_allclose(loss.tag.test_value,
                               -np.mean(np.log(pv[:, 0])) + (wv ** 2).sum(), rtol=1e-12)


def test_indexing_shapes_and_reductions_equal_numpy(test_values):
    test_values("raise")
    v = np.arange(24.0).reshape(2, 3, 4)
    x = T.tensor3("x")
    x.tag.test_value = v
    cases = [(x[1, :, ::2], v[1, :, ::2]), (x.dimshuffle(2, 0, 1), v.transpose(2, 0, 1)),
             (x.flatten(2), v.reshape(2, 12)), (x.reshape((4, 6)), v.reshape(4, 6)),
             (T.max(x, axis=1), v.max(axis=1)), (x.shape, np.array(v.shape)),
             (T.concatenate([x, x], axis=2), np.concatenate([v, v], axis=2)),
             (T.switch(x > 5, x, -x), np.where(v > 5, v, -v))]
    for var, expected in cases:
        np.testing.assert_array_equal(var.tag.test_value, expected)


def test_a_gradient_has_test_values_equal_to_central_differences(test_values):
    test_values("raise")
    xv = np.array([0.3, -1.2, 2.0])
    x = T.vector("x")
    x.tag.test_value = xv
    cost = T.sum(T.sin(x) * x ** 2)
    (g,) = T.grad(cost, [x])

    def f(v):
        return np.sum(np.sin(v) * v ** 2)

    eps = 1e-6
    numeric = [(f(xv + eps * e) - f(xv - eps * e)) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(g.tag.test_value, numeric, rtol=1e-7)


def test_ifelse_outputs_get_test_values(test_values):
    test_values("raise")
    c = T.scalar("c")
    c.tag.test_value = 0.0
    x = T.vector("x")
    x.tag.test_value = np.array([1.0, 2.0])
    out = ifelse(T.gt(c, 0), x * 2, x - 1)
    np.testing.assert_array_equal(out.tag.test_value, [0.0, 1.0])


# ---------------------------------------------------------------- custom ops

class Outer(symlab.Op):
    """The outer product of two vectors, written as a Theano user writes an op."""

    __props__ = ()

    def make_node(self, a, b):
        a, b = T.as_tensor_variable(a), T.as_tensor_variable(b)
        return Apply(self, [a, b], [T.matrix(dtype=a.type.dtype)])

    def perform(self, node, inputs, output_storage):
        a, b = inputs
        output_storage[0][0] = np.outer(a, b)


class Reversed(symlab.Op):
    itypes = [T.dvector]
    otypes = [T.dvector]

    def perform(self, node, inputs, output_storage):
        if inputs[0].size == 0:
            raise ValueError("Reversed needs at least one element")
        output_storage[0][0] = inputs[0][::-1].copy()


def test_a_custom_op_gets_test_values_from_its_perform(test_values):
    test_values("raise")
    a = T.vector("a")
    a.tag.test_value = np.array([1.0, 2.0])
    b = T.vector("b")
    b.tag.test_value = np.array([3.0, 5.0, 7.0])
    out = Outer()(a, b) + 1
    np.testing.assert_array_equal(out.tag.test_value, np.outer([1, 2], [3, 5, 7]) + 1)
    np.testing.assert_array_equal(Reversed()(b).tag.test_value, [7.0, 5.0, 3.0])
    empty = T.dvector("empty")
    empty.tag.test_value = np.zeros(0)
    with pytest.raises(ValueError) as info:
        line = this_line() + 1
        Reversed()(empty)
    assert str(info.value).startswith("Reversed of (0,) fails on the test values: Reversed "
                                      "needs at least one element")
    assert f"{HERE}:{line}" in str(info.value)


# ---------------------------------------------------------------- tags: pickling, clones, repr

def test_a_variable_with_a_test_value_pickles(test_values):
    test_values("raise")
    x = matrix("x", np.arange(6.0).reshape(2, 3))
    x.tag.note = "kept"
    y = T.exp(x).sum(axis=1)
    x2, y2 = pickle.loads(pickle.dumps((x, y)))
    np.testing.assert_array_equal(x2.tag.test_value, x.tag.test_value)
    np.testing.assert_array_equal(y2.tag.test_value, np.exp(np.arange(6.0).reshape(2, 3))
                                  .sum(axis=1))
    assert x2.tag.note == "kept"
    with pytest.raises(TypeError, match="x.tag.test_value: float64 \\(3,\\) does not fit"):
        x2.tag.test_value = np.ones(3)                       # still checked by its type
    x2.tag.test_value = np.ones((2, 3))
    np.testing.assert_array_equal(T.exp(x2).tag.test_value, np.exp(np.ones((2, 3))))


def test_a_clone_copies_the_tag():
    x = matrix("x", np.eye(2))
    x.tag.note = 1
    y = x.clone()
    np.testing.assert_array_equal(y.tag.test_value, np.eye(2))
    y.tag.note = 2
    assert x.tag.note == 1


def test_print_test_value_shows_the_value_in_repr(test_values):
    test_values("raise")
    s = T.scalar("s")
    s.tag.test_value = 42
    doubled = s * 2
    assert repr(s) == "s" and repr(doubled) == "mul.out"
    config.print_test_value = True
    assert repr(s) == "s\narray(42.)"
    assert repr(doubled) == "mul.out\narray(84.)"
    assert str(s) == "s" and repr(T.vector("free")) == "free"


# ---------------------------------------------------------------- compiling

def test_compiling_with_test_values_on_gives_the_same_results(test_values):
    test_values("raise")
    xv = np.array([[0.5, -1.0], [2.0, 0.25]])
    x = matrix("x", xv)
    W = theano.shared(np.array([[1.0, 2.0], [3.0, 4.0]]), "W")
    y = T.log(1 + T.exp(T.dot(x, W))) * 2 + T.tanh(x).sum()
    f = function([x], y)                 # rewrites and fusion build nodes: not computed
    expected = np.log1p(np.exp(xv @ W.get_value())) * 2 + np.tanh(xv).sum()
    np.testing.assert_allclose(f(xv), expected, rtol=1e-12)
    np.testing.assert_allclose(y.tag.test_value, expected, rtol=1e-12)


def test_suspended_builds_without_test_values(test_values):
    test_values("raise")
    x = T.vector("x")
    with tv.suspended():
        y = T.exp(x)                     # no value, no error
    assert tv.test_value_of(y) is None
    with pytest.raises(ValueError, match="has no test value"):
        T.exp(x)
