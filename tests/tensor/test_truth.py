"""Truth of a symbolic variable, as in Theano 1.0.5 (checked there):

every variable is true (``if not W:`` is Theano's idiom for a missing argument),
except the result of the Python operators ``<``, ``<=``, ``>``, ``>=``, whose
truth raises, so that ``a < b < c`` cannot silently mean ``b < c``.
``T.lt(a, b)`` called by name is true, like any other variable.
"""

import operator

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.tensor.shared_randomstreams import RandomStreams

COMPARISONS = [(operator.lt, "<"), (operator.le, "<="), (operator.gt, ">"), (operator.ge, ">=")]


def test_inputs_results_constants_and_shared_variables_are_true():
    a, b = T.dscalars("a", "b")
    true_ones = [a, a + b, T.eq(a, b), T.neq(a, b), T.lt(a, b), T.ge(a, b),
                 T.and_(T.eq(a, 0), T.eq(b, 0)), T.constant(0), T.constant(np.zeros(0)),
                 T.constant(False), theano.shared(0.0), theano.shared(np.zeros(3)),
                 RandomStreams(1).uniform((2,)), (a < b).astype("float64"), T.dmatrix()]
    for variable in true_ones:
        assert bool(variable) is True, variable
        assert (not variable) is False, variable


@pytest.mark.parametrize("compare, symbol", COMPARISONS)
def test_the_result_of_a_comparison_operator_refuses_truth(compare, symbol):
    a, b = T.dscalars("a", "b")
    result = compare(a, b)
    with pytest.raises(TypeError, match="the result of a " + symbol + " b") as info:
        bool(result)
    message = str(info.value)
    assert "a < b < c" in message and "T.switch" in message and "symlab.ifelse" in message
    # Its type and value are those of the named function: only its truth differs.
    named = {"<": T.lt, "<=": T.le, ">": T.gt, ">=": T.ge}[symbol](a, b)
    assert result.type == named.type
    assert result.eval({a: 1.0, b: 2.0}) == named.eval({a: 1.0, b: 2.0})


@pytest.mark.parametrize("compare, symbol", COMPARISONS)
def test_if_and_or_not_on_a_comparison_all_raise(compare, symbol):
    x = T.dvector("x")
    with pytest.raises(TypeError):
        if compare(x, 0):
            pass
    with pytest.raises(TypeError):
        not compare(x, 0)
    with pytest.raises(TypeError):
        compare(x, 0) and x
    with pytest.raises(TypeError):
        compare(x, 0) or x


def test_a_chained_comparison_raises_instead_of_dropping_a_part():
    a, b, c = T.dscalars("a", "b", "c")
    with pytest.raises(TypeError, match="the result of a < b"):
        a < b < c


def test_a_number_on_the_left_is_reflected_and_named_in_the_message():
    x = T.dscalar("x")
    with pytest.raises(TypeError, match=r"the result of x < 2\)"):
        bool(2 > x)       # Python asks x.__lt__(2)


def test_theano_none_checks_run():
    # The deep-learning tutorials' idioms for optional arguments.
    def layer(input=None, W=None):
        if input is None or not input:
            input = T.dmatrix("input")
        if not W:
            W = theano.shared(np.ones((2, 2)), name="W")
        return T.dot(input, W)

    given = T.dmatrix("given")
    out = layer(given)
    assert out.owner.inputs[0] is given
    value = out.eval({given: np.eye(2)})
    np.testing.assert_array_equal(value, np.ones((2, 2)))


def test_a_clone_of_a_comparison_is_a_fresh_input_and_true():
    a, b = T.dscalars("a", "b")
    assert bool((a < b).clone()) is True
