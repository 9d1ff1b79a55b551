"""Bad input gets a clear error naming the input, and no shared state changes."""

import numpy as np
import pytest

import symlab.tensor as T
from symlab import In, function, shared
from symlab.tensor.type import TensorType


@pytest.fixture
def f_and_state():
    x = T.dmatrix("x")
    y = T.dvector("y")
    state = shared(np.zeros(3), name="state")
    f = function([x, In(y, value=np.ones(3))], x + y, updates=[(state, state + y)], name="f")
    return f, state


def assert_state_kept(state, before):
    np.testing.assert_array_equal(state.get_value(), before)


def test_missing_required_input(f_and_state):
    f, state = f_and_state
    with pytest.raises(TypeError, match=r"Missing required input: x"):
        f()
    assert_state_kept(state, np.zeros(3))


def test_unknown_keyword_names_existing_inputs(f_and_state):
    f, state = f_and_state
    with pytest.raises(TypeError, match=r"no input named 'z'.*x, y"):
        f(np.ones((2, 3)), z=1)


def test_too_many_arguments(f_and_state):
    f, state = f_and_state
    with pytest.raises(TypeError, match=r"takes at most 2 argument.*got 3"):
        f(np.ones((2, 3)), np.ones(3), 5)


def test_two_values_for_one_input(f_and_state):
    f, _ = f_and_state
    with pytest.raises(TypeError, match=r"two values for input 'y'"):
        f(np.ones((2, 3)), np.ones(3), y=np.ones(3))


def test_wrong_number_of_dimensions(f_and_state):
    f, state = f_and_state
    with pytest.raises(TypeError, match=r"input 0 'x'.*TensorType\(float64, \(\?, \?\)\).*1-d "
                                        r"array.*wrong number of dimensions"):
        f(np.ones(3))
    assert_state_kept(state, np.zeros(3))


def test_dtype_that_would_lose_precision():
    x = T.fvector("x")
    f = function([x], x * 2)
    with pytest.raises(TypeError, match=r"input 0 'x'.*float32.*dtype float64.*lose precision"
                                        r".*allow_input_downcast=True"):
        f(np.ones(3, dtype="float64"))
    g = function([x], x * 2, allow_input_downcast=True)
    assert g(np.ones(3)).dtype == np.float32
    # Python floats may always go into a float input (Theano's rule).
    assert f([0.5, 1.5]).dtype == np.float32


def test_value_that_an_int_input_cannot_hold():
    i = T.iscalar("i")
    f = function([i], i + 1)
    assert f(3) == 4
    with pytest.raises(TypeError, match=r"input 0 'i'.*int32.*cannot hold exactly"):
        f(2.5)
    with pytest.raises(TypeError, match=r"input 0 'i'.*int32"):
        f(2 ** 40)


def test_shape_contradicting_static_shape():
    x = TensorType("float64", shape=(2, None))("x")
    f = function([x], x + 1)
    assert f(np.ones((2, 5))).shape == (2, 5)
    with pytest.raises(ValueError, match=r"input 0 'x'.*shape \(3, 5\).*dimension 0 has size 3"
                                         r".*static shape says 2"):
        f(np.ones((3, 5)))


def test_runtime_broadcast_not_allowed_by_type_keeps_state():
    x = T.dmatrix("x")
    y = T.dmatrix("y")
    state = shared(np.arange(3.0), name="state")
    f = function([x, y], x + y, updates=[(state, state * 10)])
    with pytest.raises(ValueError, match=r"'y'.*runtime shape \(1, 3\).*dimension 0.*broadcast.*"
                                         r"shape=\(1, None\).*T\.row"):
        f(np.ones((4, 3)), np.ones((1, 3)))
    assert_state_kept(state, np.arange(3.0))
    # The broadcastable type allows it.
    r = T.drow("r")
    g = function([x, r], x + r)
    np.testing.assert_array_equal(g(np.ones((4, 3)), np.ones((1, 3))), np.full((4, 3), 2.0))
    # A batch of one is fine when nothing has to broadcast.
    np.testing.assert_array_equal(f(np.ones((1, 3)), np.ones((1, 3))), np.full((1, 3), 2.0))


def test_failing_call_changes_no_shared_variable():
    a = shared(np.ones(2), name="a")
    b = shared(np.ones(2), name="b")
    x = T.dmatrix("x")
    # The first update is computable; the output fails at run time (shape mismatch in add).
    v = T.dvector("v")
    f = function([x, v], (x + v), updates=[(a, a + 1), (b, b + v)])
    with pytest.raises(ValueError):
        f(np.ones((2, 3)), np.ones(2))
    assert_state_kept(a, np.ones(2))
    assert_state_kept(b, np.ones(2))
    f(np.ones((2, 2)), np.ones(2))
    assert_state_kept(a, np.full(2, 2.0))


def test_bad_update_type_named():
    s = shared(0, name="count")
    x = T.dscalar("x")
    with pytest.raises(TypeError, match=r"update of shared variable count.*int64.*float64"
                                        r".*astype\('int64'\)"):
        function([x], x, updates=[(s, s + x)])


def test_update_target_must_be_shared():
    x = T.dscalar("x")
    with pytest.raises(TypeError, match=r"updates must target shared variables"):
        function([x], x, updates=[(x, x + 1)])


def test_shared_variable_as_explicit_input_is_refused():
    s = shared(1.0, name="s")
    with pytest.raises(TypeError, match=r"input 0 is the shared variable s.*givens"):
        function([s], s * 2)


def test_output_depending_on_a_missing_input():
    x, y = T.dscalars("x", "y")
    with pytest.raises(ValueError, match=r"depend on y.*not among the inputs \(x\)"):
        function([x], x + y)


def test_unused_input_policies():
    x, y = T.dscalars("x", "y")
    with pytest.raises(ValueError, match=r"input y is not used.*on_unused_input"):
        function([x, y], x * 2)
    with pytest.warns(UserWarning, match=r"input y is not used"):
        function([x, y], x * 2, on_unused_input="warn")
    assert function([x, y], x * 2, on_unused_input="ignore")(1, 2) == 2


def test_givens_type_mismatch():
    x = T.dscalar("x")
    i = T.iscalar("i")
    with pytest.raises(TypeError, match=r"givens for x.*float64.*int32"):
        function([i], x * 2, givens={x: i})


def test_set_value_refusing_a_value_keeps_the_old_one():
    s = shared(np.zeros((2, 2)), name="w")
    with pytest.raises(TypeError, match=r"set_value of shared variable w.*2-d.*1-d"):
        s.set_value(np.ones(3))
    np.testing.assert_array_equal(s.get_value(), np.zeros((2, 2)))


def test_bad_graph_fails_when_built():
    a = TensorType("float64", (2, 3))("a")
    b = TensorType("float64", (4, 3))("b")
    with pytest.raises(ValueError, match=r"incompatible static shapes.*'a' has shape \(2, 3\).*"
                                         r"'b' has shape \(4, 3\)"):
        a + b


def test_symbolic_truth_value_is_an_error():
    x = T.dscalar("x")
    with pytest.raises(TypeError, match="truth value of the symbolic variable gt.out"):
        if x > 0:
            pass
