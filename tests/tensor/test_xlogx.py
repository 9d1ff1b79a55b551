"""``T.xlogx.xlogx`` and ``T.xlogx.xlogy0``: x log x and x log y, 0 where x is 0.

References: Python's ``math`` per element, the limit 0 at x = 0, central finite
differences for the gradients, and Theano 1.0.5's values at the edges (printed
by the oracle: xlogx(-1, inf, nan) = nan, inf, nan; the gradient of xlogx at 0 is
-inf; xlogy0's gradients at (0, 0) are -inf and nan).
"""

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import symlab as theano
import symlab.tensor as T
from symlab.backends.cuda_source import kernel_for
from symlab.printing import pp
from symlab.tensor.fused import FusedElemwise
from symlab.tensor.scalar_ops import SCALAR_OPS
from symlab.tensor.xlogx import xlogx, xlogy0

positive = st.floats(1e-3, 1e3)


def reference_xlogx(x):
    return 0.0 if x == 0 else x * math.log(x)


def reference_xlogy0(x, y):
    return 0.0 if x == 0 else x * math.log(y)


def test_reachable_where_theano_has_them():
    assert T.xlogx.xlogx is xlogx and T.xlogx.xlogy0 is xlogy0
    assert theano.tensor.xlogx.__name__ == "symlab.tensor.xlogx"


@given(st.lists(st.one_of(st.just(0.0), positive), min_size=1, max_size=8))
def test_xlogx_values(values):
    x = T.dvector("x")
    got = theano.function([x], xlogx(x))(np.array(values))
    np.testing.assert_allclose(got, [reference_xlogx(v) for v in values], rtol=1e-12)


@given(st.lists(st.tuples(st.one_of(st.just(0.0), st.floats(-1e3, 1e3)), positive),
                min_size=1, max_size=8))
def test_xlogy0_values(pairs):
    x, y = T.dvectors("x", "y")
    xs, ys = (np.array(v) for v in zip(*pairs))
    got = theano.function([x, y], xlogy0(x, y))(xs, ys)
    np.testing.assert_allclose(got, [reference_xlogy0(a, b) for a, b in pairs], rtol=1e-12)


def test_zero_wins_over_any_y_and_the_edges_are_theanos():
    x, y = T.dvectors("x", "y")
    f = theano.function([x, y], xlogy0(x, y))
    got = f([-1.0, 0.0, 0.0, 1.0, 0.0], [2.0, -1.0, np.nan, 0.0, np.inf])
    np.testing.assert_array_equal(got, [-math.log(2.0), 0.0, 0.0, -np.inf, 0.0])
    g = theano.function([x], xlogx(x))
    np.testing.assert_array_equal(g([-1.0, np.inf, np.nan, 0.0]), [np.nan, np.inf, np.nan, 0.0])


def central_difference(f, point, h=1e-6):
    return (f(point + h) - f(point - h)) / (2 * h)


@given(st.lists(positive, min_size=1, max_size=5))
def test_xlogx_gradient_matches_finite_differences(values):
    x = T.dvector("x")
    grad = theano.function([x], T.grad(xlogx(x).sum(), x))(np.array(values))
    expected = [central_difference(reference_xlogx, v) for v in values]
    np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-6)


@given(st.lists(st.tuples(st.floats(-10, 10), positive), min_size=1, max_size=5))
def test_xlogy0_gradients_match_finite_differences(pairs):
    x, y = T.dvectors("x", "y")
    xs, ys = (np.array(v) for v in zip(*pairs))
    gx, gy = theano.function([x, y], T.grad(xlogy0(x, y).sum(), [x, y]))(xs, ys)
    for (a, b), da, db in zip(pairs, gx, gy):
        np.testing.assert_allclose(da, central_difference(lambda t: reference_xlogy0(t, b), a)
                                   if a != 0 else math.log(b), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(db, central_difference(lambda t: reference_xlogy0(a, t), b),
                                   rtol=1e-4, atol=1e-6)


def test_gradients_at_zero_are_theanos():
    x, y = T.dvectors("x", "y")
    with np.errstate(all="ignore"):
        gx = theano.function([x], T.grad(xlogx(x).sum(), x))([0.0])
        dx, dy = theano.function([x, y], T.grad(xlogy0(x, y).sum(), [x, y]))([0.0], [0.0])
    assert gx[0] == -np.inf and dx[0] == -np.inf and np.isnan(dy[0])


def test_verify_grad_on_matrices():
    rng = np.random.RandomState(3)
    theano.gradient.verify_grad(lambda a, b: xlogy0(a, b),
                                [rng.uniform(0.5, 2, (3, 4)), rng.uniform(0.5, 2, (3, 4))],
                                rng=rng)
    theano.gradient.verify_grad(xlogx, [rng.uniform(0.5, 2, (2, 3))], rng=rng)


def test_the_gradient_of_a_broadcast_input_is_summed_over_the_broadcast_axis():
    r, m = T.drow("r"), T.dmatrix("m")
    ms = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    rs = np.array([[0.5, 2.0]])
    gr, gm = theano.function([r, m], T.grad(xlogy0(r, m).sum(), [r, m]))(rs, ms)
    np.testing.assert_allclose(gr, np.log(ms).sum(axis=0, keepdims=True))   # sum_i log m_ij
    np.testing.assert_allclose(gm, rs / ms)                                  # r_j / m_ij


@pytest.mark.parametrize("make, dtype", [(T.ivector, "float64"), (T.bvector, "float32"),
                                         (T.fvector, "float32"), (T.dvector, "float64")])
def test_result_dtypes_are_theanos(make, dtype):
    assert xlogx(make()).dtype == dtype
    assert xlogy0(make(), T.fvector()).dtype == ("float32" if dtype == "float32" else "float64")


def test_int_inputs_are_computed_in_float_and_have_no_gradient():
    i = T.ivector("i")
    out = theano.function([i], xlogx(i))(np.array([0, 1, 2], dtype="int32"))
    np.testing.assert_allclose(out, [0.0, 0.0, 2 * math.log(2)])
    assert xlogx(i).owner.op.grad(xlogx(i).owner, [T.dvector()]) == [None]


def test_shapes_broadcast_statically_and_at_run_time():
    r, m = T.drow("r"), T.dmatrix("m")
    out = xlogy0(r, m)
    assert out.type.shape == (None, None)
    got = out.eval({r: np.array([[0.0, 2.0]]), m: np.full((3, 2), math.e)})
    np.testing.assert_allclose(got, [[0.0, 2.0]] * 3)
    v, w = T.dvectors("v", "w")
    with pytest.raises(ValueError, match="broadcast"):
        theano.function([v, w], xlogy0(v, w))(np.ones(1), np.ones(3))


def test_complex_inputs_are_refused_naming_the_op_and_the_input():
    with pytest.raises(TypeError, match=r"xlogx is defined for real inputs only.*z \(complex"):
        xlogx(T.zvector("z"))
    with pytest.raises(TypeError, match=r"xlogy0 is defined for real inputs only.*z \(complex"):
        xlogy0(T.dvector("d"), T.zvector("z"))


def test_printed_by_name():
    x, y = T.dvectors("x", "y")
    assert theano.debugprint(xlogx(x), file="str").splitlines()[0].startswith("xlogx")
    assert pp(xlogy0(x, y)) == "xlogy0(x, y)"


def test_rows_of_the_scalar_table_exposed_here_and_not_as_names_of_t():
    assert xlogx(T.dvector()).owner.op.scalar_op is SCALAR_OPS["xlogx"]
    assert xlogy0(T.dvector(), T.dvector()).owner.op.scalar_op is SCALAR_OPS["xlogy0"]
    assert not hasattr(T, "xlogy0")          # as in Theano 1.0.5: only T.xlogx.xlogy0


def test_fused_with_their_neighbours_into_one_kernel():
    p, q = T.dvectors("p", "q")
    f = theano.function([p, q], xlogx(p) - 2 * xlogy0(p, q))
    (node,) = f.fgraph.toposort()
    assert isinstance(node.op, FusedElemwise), node.op
    ps, qs = [0.0, 0.5, 2.0, 0.0], [3.0, 0.25, 1.5, 0.0]
    want = [reference_xlogx(a) - 2 * reference_xlogy0(a, b) for a, b in zip(ps, qs)]
    np.testing.assert_allclose(f(np.array(ps), np.array(qs)), want, rtol=1e-14)
    kernel, why = kernel_for(node)
    assert kernel is not None, why
    assert "sl_xlogx(a0)" in kernel.body and "sl_xlogy0(a0, a1)" in kernel.body
