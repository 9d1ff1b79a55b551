"""An input declared ``mutable`` is overwritten only when nothing else reads the same memory.

A caller may pass one array for two inputs, a view of it, or a shared variable's own
value; writing into the mutable one would then change what the others read. The
function copies it first (as Theano did), so results equal NumPy's on the original
values, and no shared value changes behind the caller's back.
"""

import numpy as np

import symlab as theano
import symlab.tensor as T
from symlab import In, function


def test_the_same_array_for_a_mutable_and_another_input():
    x, y = T.dvectors("x", "y")
    f = function([In(x, mutable=True), y], T.exp(x) + y)
    value = np.linspace(-1.0, 1.0, 7)
    expected = np.exp(value) + value
    np.testing.assert_allclose(f(value, value), expected, rtol=1e-15)


def test_a_view_of_the_mutable_input_passed_for_another():
    x, y = T.dvectors("x", "y")
    f = function([In(x, mutable=True), y], T.tanh(x) * 2 + y)
    value = np.linspace(-1.0, 1.0, 8)
    flipped = value[::-1]
    expected = np.tanh(value) * 2 + value[::-1]
    np.testing.assert_allclose(f(value, flipped), expected, rtol=1e-15)


def test_a_shared_value_passed_as_the_mutable_input_is_left_alone():
    w = theano.shared(np.linspace(0.0, 1.0, 5), name="w")
    x = T.dvector("x")
    f = function([In(x, mutable=True)], T.exp(x) + w)
    original = w.get_value()
    np.testing.assert_allclose(f(w.get_value(borrow=True)), np.exp(original) + original,
                               rtol=1e-15)
    np.testing.assert_array_equal(w.get_value(), original)


def test_separate_arrays_may_still_be_overwritten():
    x, y = T.dvectors("x", "y")
    f = function([In(x, mutable=True), y], T.exp(x) + y)
    a, b = np.zeros(4), np.ones(4)
    np.testing.assert_allclose(f(a, b), np.full(4, 2.0), rtol=1e-15)
    assert "_overlaps" in f.source   # the check is in the generated code, once per input
