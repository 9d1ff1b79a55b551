"""``patternbroadcast``, ``addbroadcast``, ``unbroadcast`` and ``specify_shape``.

The static shape is the broadcast pattern: each function changes the type only,
the value passes through unchanged, declared sizes are checked when run, and the
gradient comes back with the input's type.
"""

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_addbroadcast_makes_an_axis_broadcastable_and_passes_the_value(dtype):
    x = T.matrix("x", dtype=dtype)
    y = T.addbroadcast(x, 0)
    assert y.broadcastable == (True, False) and y.dtype == dtype
    m = T.matrix("m", dtype=dtype)
    f = theano.function([x, m], y + m)
    a = np.arange(3, dtype=dtype).reshape(1, 3)
    b = np.ones((4, 3), dtype=dtype)
    np.testing.assert_array_equal(f(a, b), a + b)


def test_addbroadcast_checks_the_size_when_run():
    x = T.matrix("x")
    f = theano.function([x], T.addbroadcast(x, 1) * 2)
    with pytest.raises(ValueError, match=r"addbroadcast: x has runtime shape \(2, 3\).*size 1"):
        f(np.ones((2, 3)))


def test_unbroadcast_forgets_the_size_one():
    r = T.row("r")
    u = T.unbroadcast(r, 0)
    assert u.broadcastable == (False, False)
    np.testing.assert_array_equal(u.eval({r: np.ones((1, 2))}), np.ones((1, 2)))
    assert T.unbroadcast(T.matrix(), 0).type.shape == (None, None)


def test_patternbroadcast_sets_the_whole_pattern_and_returns_x_when_unchanged():
    x = T.tensor3("x")
    y = T.patternbroadcast(x, (True, False, True))
    assert y.broadcastable == (True, False, True)
    assert T.patternbroadcast(x, (False,) * 3) is x
    assert T.patternbroadcast(y, (False, False, False)).broadcastable == (False,) * 3
    with pytest.raises(ValueError, match="3 dimensions"):
        T.patternbroadcast(x, (True,))


def test_axes_out_of_range_are_refused_naming_the_variable():
    x = T.matrix("x")
    with pytest.raises(ValueError, match="addbroadcast: axis 2 is out of range for x"):
        T.addbroadcast(x, 2)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradient_through_addbroadcast_has_the_input_type(dtype):
    x = T.matrix("x", dtype=dtype)
    y = T.addbroadcast(x, 0)
    cost = (y * np.asarray([[1.0, 2.0, 3.0]], dtype=dtype)).sum()
    g = T.grad(cost, x)
    assert g.type == x.type
    f = theano.function([x], g, on_unused_input="ignore")  # g is constant: static shapes
    np.testing.assert_allclose(f(np.ones((1, 3), dtype)), [[1, 2, 3]])


def test_gradient_through_unbroadcast_goes_back_to_the_row():
    r = T.row("r")
    u = T.unbroadcast(r, 0)
    g = T.grad((u ** 2).sum(), r)
    assert g.type == r.type
    np.testing.assert_allclose(g.eval({r: np.array([[1.0, -2.0]])}), [[2.0, -4.0]])


def test_specify_shape_with_ints_gives_a_static_shape_and_checks_it():
    x = T.matrix("x")
    y = T.specify_shape(x, (2, 3))
    assert y.type.shape == (2, 3)
    f = theano.function([x], y)
    np.testing.assert_array_equal(f(np.ones((2, 3))), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"runtime shape \(3, 3\).*\(2, 3\)"):
        f(np.ones((3, 3)))


def test_specify_shape_with_symbolic_sizes_checks_them_when_run():
    x = T.matrix("x")
    n = T.lscalar("n")
    y = T.specify_shape(x, (n, 3))
    assert y.type.shape == (None, 3)
    f = theano.function([x, n], y.sum())
    assert f(np.ones((2, 3)), 2) == 6
    with pytest.raises(ValueError, match="specify_shape"):
        f(np.ones((2, 3)), 4)
    v = T.lvector("v")
    g = theano.function([x, v], T.specify_shape(x, v))
    np.testing.assert_array_equal(g(np.ones((2, 3)), [2, 3]), np.ones((2, 3)))
    with pytest.raises(ValueError, match="specify_shape"):
        g(np.ones((2, 3)), [3, 2])


def test_specify_shape_refuses_a_contradiction_when_built():
    with pytest.raises(ValueError, match="static size 1"):
        T.specify_shape(T.row("r"), (2, 3))
    with pytest.raises(ValueError, match="2 dimensions"):
        T.specify_shape(T.matrix("x"), (2,))


def test_specify_shape_gradient_is_the_identity():
    x = T.matrix("x")
    g = T.grad((T.specify_shape(x, (2, 2)) ** 2).sum(), x)
    value = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(theano.function([x], g)(value), 2 * value)
