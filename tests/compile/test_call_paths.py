"""The call's fast paths give exactly what the full input filter gives, and refuse what it
refuses; ``trust_input`` skips the checks on purpose."""

import numpy as np
import pytest

import symlab
import symlab.tensor as T


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_python_floats_become_0d_arrays_of_the_input_dtype(dtype):
    x = T.scalar("x", dtype=dtype)
    f = symlab.function([x], x * 1)
    out = f(0.1)
    assert isinstance(out, np.ndarray) and out.shape == () and out.dtype == dtype
    assert out == np.array(0.1, dtype=dtype)       # rounded to the input's precision once


def test_a_python_float_into_float32_refused_when_downcast_is_forbidden():
    x = T.fscalar("x")
    f = symlab.function([x], x * 1, allow_input_downcast=False)
    with pytest.raises(TypeError, match="cannot hold exactly"):
        f(0.1)
    assert f(np.float32(0.5)) == 0.5


@pytest.mark.parametrize("dtype, value, fits", [
    ("int8", 127, True), ("int8", 128, False), ("int8", -129, False),
    ("uint8", -1, False), ("int64", 2 ** 63 - 1, True), ("int64", 2 ** 63, False)])
def test_python_ints_fit_or_are_refused(dtype, value, fits):
    i = T.scalar("i", dtype=dtype)
    f = symlab.function([i], i + 0)
    if fits:
        out = f(value)
        assert out.dtype == dtype and int(out) == value
    else:
        with pytest.raises((TypeError, OverflowError)):
            f(value)


def test_a_python_int_into_a_float_input_takes_the_full_filter():
    # Theano's rule: ints go into float64 (an upcast); into float32 only if exact.
    x, h = T.dscalar("x"), T.fscalar("h")
    assert symlab.function([x], x + 0)(3) == 3.0
    g = symlab.function([h], h + 0)
    assert g(2 ** 24) == 2.0 ** 24
    with pytest.raises(TypeError, match="cannot hold exactly"):
        g(2 ** 24 + 1)


def test_bools_and_numpy_scalars_take_the_full_filter():
    x = T.dscalar("x")
    f = symlab.function([x], x + 0)
    assert f(True) == 1.0 and f(np.float64(2.5)) == 2.5 and f(np.int32(3)) == 3.0


def test_trust_input_skips_the_checks_but_computes_the_same():
    x, y = T.dvectors("x", "y")
    w = symlab.shared(np.array([1.0, 2.0]), name="w")
    f = symlab.function([x, y], (x + y) * w, updates=[(w, w + 1)])
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    assert f.trust_input is False
    np.testing.assert_array_equal(f(a, b), [4.0, 12.0])
    f.trust_input = True
    np.testing.assert_array_equal(f(a, b), [8.0, 18.0])
    np.testing.assert_array_equal(f(x=a, y=b), [12.0, 24.0])   # keywords are still bound
    np.testing.assert_array_equal(w.get_value(), [4.0, 5.0])


# ---------------------------------------------------------------- the generated call

def test_the_generated_call_binds_converts_and_updates_like_the_step_by_step_call():
    x = T.dscalar("x")
    v = T.dvector("v")
    acc = symlab.shared(0.0, name="acc")
    f = symlab.function([x, symlab.In(v, value=np.array([1.0, 2.0]))], [acc, acc + x * v],
                        updates=[(acc, acc + x)])
    g = f.copy(name="twin")
    calls = [((1.5,), {}), ((np.float64(2.0), np.array([3.0, 4.0])), {}),
             ((), {"x": 1, "v": [5.0, 6.0]}), ((np.array(0.5),), {"v": (1, 2)})]
    acc_values = []
    for args, kwargs in calls:
        got = f(*args, **kwargs)
        acc_values.append(acc.get_value())
        assert isinstance(got, list) and len(got) == 2
    # the same calls, step by step (Function._generic_call), on the same shared variable
    acc.set_value(0.0)
    for (args, kwargs), after in zip(calls, acc_values):
        g._generic_call(args, kwargs)
        assert acc.get_value() == after
    assert acc_values == [1.5, 3.5, 4.5, 5.0]


def test_a_failing_call_changes_no_shared_state_and_keeps_every_message():
    x = T.dvector("x")
    s = symlab.shared(np.zeros(3), name="s")
    f = symlab.function([x], s * x, updates=[(s, s + x)])
    with pytest.raises(TypeError, match="takes at most 1 argument"):
        f(np.ones(3), np.ones(3))
    with pytest.raises(TypeError, match="Missing required input"):
        f()
    with pytest.raises(TypeError, match="has no input named 'y'"):
        f(y=np.ones(3))
    with pytest.raises(TypeError, match="wrong number of dimensions"):
        f(np.ones((3, 1)))
    with pytest.raises(TypeError, match="could lose precision"):
        f(np.ones(3, dtype=np.complex128))
    with pytest.raises(ValueError):
        f(np.ones(4))                               # fails inside the generated code
    assert f.last_failure is not None
    np.testing.assert_array_equal(s.get_value(), np.zeros(3))
    np.testing.assert_array_equal(f(np.ones(3)), np.zeros(3))
    assert f.last_failure is None
    np.testing.assert_array_equal(s.get_value(), np.ones(3))


def test_update_observers_and_trust_input_switching():
    x = T.dscalar("x")
    acc = symlab.shared(1.0, name="acc")
    f = symlab.function([x], acc * 2, updates=[(acc, acc + x)])
    seen = []
    acc.observe(lambda var, event: seen.append((event, float(var.get_value()))))
    assert f(np.array(2.0)) == 2.0
    f.trust_input = True
    assert f(np.array(1.0)) == 6.0
    f.trust_input = False
    assert f(1) == 8.0                              # converted again
    assert seen == [("update", 3.0), ("update", 4.0), ("update", 5.0)]


def test_0d_results_are_fresh_arrays_never_numpy_scalars():
    x, y = T.dscalars("x", "y")
    f = symlab.function([x, y], [x + y, T.exp(x), x * 2])
    outs = f(1.0, 2.0)
    for out, want in zip(outs, [3.0, np.exp(1.0), 2.0]):
        assert type(out) is np.ndarray and out.shape == () and out.dtype == np.float64
        assert out == want
    again = f(1.0, 2.0)
    assert all(not np.shares_memory(a, b) for a, b in zip(outs, again))
    i = T.iscalar("i")
    g = symlab.function([i], i / 2)                 # int32 / int -> float64, as NumPy
    assert g(3).dtype == np.float64 and g(3) == 1.5
