"""scan refuses bad input clearly: the argument, what was expected, what was given."""

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import function, shared

x = T.dvector("x")
h0 = T.dvector("h0")


def test_a_sequence_without_a_first_axis():
    with pytest.raises(TypeError, match=r"sequences\[1\] must have at least one dimension.*"
                                        r"s of type TensorType\(float64, \(\)\)"):
        symlab.scan(lambda a, b: a + b, sequences=[x, T.dscalar("s")])


def test_a_sequence_that_is_no_tensor():
    with pytest.raises(TypeError, match=r"sequences\[0\] must be a tensor or an array"):
        symlab.scan(lambda a: a, sequences=[object()])


def test_output_taps_must_be_negative():
    with pytest.raises(ValueError, match=r"outputs_info\[0\]: output taps must be negative.*"
                                         r"got \[0\]"):
        symlab.scan(lambda h: h, outputs_info=dict(initial=h0, taps=[0]), n_steps=2)


def test_unknown_keys_are_named():
    with pytest.raises(TypeError, match=r"outputs_info\[0\]: unknown key\(s\) \['tap'\]"):
        symlab.scan(lambda h: h, outputs_info=dict(initial=h0, tap=[-1]), n_steps=2)
    with pytest.raises(TypeError, match=r"sequences\[0\] must be a tensor or a dict with keys"):
        symlab.scan(lambda a: a, sequences=dict(inputs=x))


def test_a_window_needs_enough_initial_values():
    init = T.tensor("float64", shape=(1, 3), name="init")
    with pytest.raises(ValueError, match=r"taps \[-2, -1\] need 2 initial values; the initial "
                                         r"value has 1"):
        symlab.scan(lambda a, b: a + b, outputs_info=dict(initial=init, taps=[-2, -1]),
                    n_steps=3)


def test_the_number_of_steps_must_be_known():
    with pytest.raises(ValueError, match="number of steps is unknown: give sequences, or n_steps"):
        symlab.scan(lambda h: h * 2, outputs_info=h0)
    with pytest.raises(TypeError, match=r"n_steps must be an int or an integer scalar; got "
                                        r"n of type TensorType\(float64"):
        symlab.scan(lambda h: h * 2, outputs_info=h0, n_steps=T.dscalar("n"))


def test_as_many_outputs_as_outputs_info():
    with pytest.raises(ValueError, match=r"fn returned 2 output\(s\) but outputs_info has 1 "
                                         r"entry; give one entry per output, None"):
        symlab.scan(lambda a, h: [a, h], sequences=x, outputs_info=[T.dscalar()])


def test_a_fed_back_value_keeps_its_dtype():
    with pytest.raises(TypeError, match=r"fn returns .* of type TensorType\(float64, \(\)\) for "
                                        r"outputs_info\[0\] \(h\), whose values have dtype "
                                        r"float32.*np.float64\(0\)"):
        symlab.scan(lambda a, h: h + a, sequences=x, outputs_info=T.fscalar("h"))


def test_a_fed_back_value_keeps_its_number_of_dimensions():
    with pytest.raises(TypeError, match="whose values have 1 dimension"):
        symlab.scan(lambda a, h: T.outer(h, h), sequences=x, outputs_info=h0)


def test_updates_must_target_shared_variables():
    with pytest.raises(TypeError, match="updates must map shared variables"):
        symlab.scan(lambda a: [a, {T.dscalar("y"): a}], sequences=x)
    s = shared(np.float32(0), name="s")
    with pytest.raises(TypeError, match=r"update of the shared variable s .* cast it with "
                                        r"\.astype\('float32'\)"):
        symlab.scan(lambda a: [a, {s: s + a}], sequences=x)


def test_fn_must_be_callable():
    with pytest.raises(TypeError, match="fn must be callable"):
        symlab.scan(3, sequences=x)


def test_strict_names_the_shared_variables_not_passed():
    W = shared(np.eye(2), name="W")
    with pytest.raises(ValueError, match=r"strict=True.*shared variable\(s\) W"):
        symlab.scan(lambda a: T.dot(W, a), sequences=T.dmatrix(), strict=True)
    symlab.scan(lambda a, W: T.dot(W, a), sequences=T.dmatrix(), non_sequences=W, strict=True)


def test_a_sequence_shorter_than_n_steps_fails_when_called_naming_it():
    n = T.lscalar("n")
    out, _ = symlab.scan(lambda a: a * 2, sequences=x, n_steps=n)
    f = function([x, n], out)
    with pytest.raises(ValueError, match=r"sequences\[0\] \(x\) has 3 rows but the loop runs 5 "
                                         r"steps"):
        f(np.ones(3), 5)
    with pytest.raises(ValueError, match="n_steps is -1; it must be >= 0"):
        f(np.ones(3), -1)


def test_a_step_changing_the_shape_of_an_output_is_refused():
    out, _ = symlab.scan(lambda a: T.arange(a), sequences=T.lvector("k"))
    f = function([out.owner.inputs[1]], out)
    with pytest.raises(ValueError, match=r"output 0 has shape \(2,\) at step 1 but \(1,\) at "
                                         r"step 0; every step must give the same shape"):
        f(np.array([1, 2]))


def test_a_loop_computing_nothing():
    with pytest.raises(ValueError, match="fn returned no output and no update"):
        symlab.scan(lambda a: None, sequences=x)
