"""Mode: the predefined modes, including/excluding, and the errors of a wrong argument."""

import numpy as np
import pytest

import symlab.tensor as T
from symlab import function
from symlab.compile.mode import FAST_COMPILE, FAST_RUN, NO_REWRITES, Mode, get_mode


def test_names_give_the_predefined_modes():
    assert get_mode("FAST_RUN") is FAST_RUN
    assert get_mode("FAST_COMPILE") is FAST_COMPILE
    assert get_mode("NO_REWRITES") is NO_REWRITES


def test_excluding_the_stabilize_pass_leaves_log1p_exp_unstable():
    x = T.dscalar("x")
    y = T.log(1 + T.exp(x))
    with np.errstate(over="ignore"):
        assert function([x], y, mode=Mode().excluding("stabilize"))(800.0) == np.inf
    assert function([x], y, mode=Mode())(800.0) == 800.0   # softplus(800) = 800 + log1p(exp(-800))


@pytest.mark.parametrize("name, optimizer", [("FAST_COMPILE", "fast_compile"), ("fast_run", "fast_run")])
def test_a_mode_name_given_as_the_linker_says_how_to_ask_for_that_mode(name, optimizer):
    with pytest.raises(ValueError, match=(rf"the first argument is the linker, and '{name}' names a whole mode: "
                                          rf"pass mode='{name.upper()}' to function\(\), or write "
                                          rf"Mode\(optimizer='{optimizer}'\)")):
        Mode(name)


def test_an_unknown_linker_is_named():
    with pytest.raises(ValueError, match="unknown linker 'llvm'; symlab lowers to 'numpy'"):
        Mode("llvm")
