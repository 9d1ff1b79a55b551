"""debugprint's depth, print_type and test values, against Theano 1.0.5's texts.

The expected texts are Theano's (recorded by dev/theano_reference/printing_text.py)
with its op and type names written as symlab's: ``Elemwise{mul,no_inplace} [id A] ''``
is ``mul [id A]``, ``TensorType(float64, vector)`` is ``TensorType(float64, (?,))``.
"""

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab.printing import debugprint

FULL = ("mul [id A]\n"
        " |add [id B]\n"
        " | |x [id C]\n"
        " | |y [id D]\n"
        " |exp [id E]\n"
        "   |x [id C]\n")

BY_DEPTH = {
    -1: FULL,
    0: "",
    1: "mul [id A]\n",
    2: "mul [id A]\n |add [id B]\n |exp [id C]\n",
    3: FULL,
    4: FULL,
}


def _z():
    x, y = T.dvectors("x", "y")
    return (x + y) * T.exp(x)


@pytest.mark.parametrize("depth", sorted(BY_DEPTH))
def test_depth_prints_the_levels_theano_prints(depth):
    assert debugprint(_z(), depth=depth, file="str") == BY_DEPTH[depth]


def test_depth_two_of_the_documented_gradient_prints_two_levels():
    # Theano's library/printing.txt: debugprint(gy, depth=2) shows the output and its inputs.
    x = T.dscalar("x")
    gy = T.grad(x ** 2, x)
    lines = debugprint(gy, depth=2, file="str").splitlines()
    full = debugprint(gy, file="str").splitlines()
    assert lines[0] == full[0]
    assert len(lines) == 1 + len(gy.owner.inputs)
    assert all(line.startswith(" |") and not line.startswith(" | |") for line in lines[1:])


def test_depth_limits_inner_graphs_too():
    x = T.dvector("x")
    r, _ = symlab.scan(lambda a, h: T.tanh(a + h), sequences=x,
                       outputs_info=T.constant(np.float64(0)))
    lines = debugprint(r, depth=1, file="str").splitlines()
    # As Theano: the scan's line alone, then its inner graph's output lines alone.
    assert lines[0] == "scan.0 [id A]"
    assert lines[1:4] == ["", "Inner graphs:", ""]
    assert lines[4] == "scan [id A]"
    assert lines[5:] and all(line.startswith(" >") and " |" not in line
                             for line in lines[5:])


def test_depth_must_be_an_int():
    with pytest.raises(TypeError, match="depth must be an int"):
        debugprint(_z(), depth=1.5, file="str")


def test_print_type_puts_the_type_after_the_tag_as_theano():
    expected = ("mul [id A] <TensorType(float64, (?,))>\n"
                " |add [id B] <TensorType(float64, (?,))>\n"
                " | |x [id C] <TensorType(float64, (?,))>\n"
                " | |y [id D] <TensorType(float64, (?,))>\n"
                " |exp [id E] <TensorType(float64, (?,))>\n"
                "   |x [id C] <TensorType(float64, (?,))>\n")
    assert debugprint(_z(), print_type=True, file="str") == expected


def test_print_type_comes_before_a_named_node_s_name():
    x, y = T.dvectors("x", "y")
    w = x * y
    w.name = "w"
    expected = ("exp [id A] <TensorType(float64, (?,))>\n"
                " |mul [id B] <TensorType(float64, (?,))> 'w'\n"
                "   |x [id C] <TensorType(float64, (?,))>\n"
                "   |y [id D] <TensorType(float64, (?,))>\n")
    assert debugprint(T.exp(w), print_type=True, file="str") == expected


def test_print_type_shows_static_shapes_and_dtypes():
    m = T.dmatrix("m")
    r = T.frow("r")
    text = debugprint(m + r, print_type=True, file="str")
    assert " |m [id B] <TensorType(float64, (?, ?))>" in text
    assert " |r [id C] <TensorType(float32, (1, ?))>" in text


def test_test_values_printed_on_request_and_by_the_config_flag():
    x = T.dvector("x")
    x.tag.test_value = np.array([1.0, 2.0])
    out = x * 3
    assert "test_value" not in debugprint(out, file="str")
    text = debugprint(out, file="str", print_test_value=True)
    assert " |x [id B] test_value=array([1., 2.])\n" in text
    assert "TensorConstant{3} [id C]\n" in text      # a constant's line shows its value
    config = symlab.config
    if "print_test_value" not in dir(config) and not hasattr(config, "print_test_value"):
        pytest.skip("config.print_test_value is not defined yet")
    old = config.print_test_value
    try:
        config.print_test_value = True
        assert debugprint(out, file="str") == text
        assert "test_value" not in debugprint(out, file="str", print_test_value=False)
    finally:
        config.print_test_value = old


def test_a_long_test_value_stays_on_one_shortened_line():
    m = T.dmatrix("m")
    m.tag.test_value = np.arange(400.0).reshape(20, 20)
    line = debugprint(m, file="str", print_test_value=True).rstrip("\n")
    assert "\n" not in line
    assert line.endswith("...")
    assert len(line) < 120


def test_a_variable_without_a_tag_prints():
    from symlab.printing.debugprint import test_value_text

    class Bare:
        pass

    assert test_value_text(Bare()) == ""


def test_a_deep_chain_prints_without_recursion():
    x = T.dvector("x")
    y = x
    for _ in range(3000):
        y = y + 1
    lines = debugprint(y, file="str").splitlines()
    assert len(lines) == 1 + 2 * 3000
    # the 3000 adds nest one under the other, then x, then each add's constant
    assert [line.lstrip(" |").split(" ")[0] for line in lines[:3001]] == ["add"] * 3000 + ["x"]
    assert lines[3000].startswith(" |" * 3000)
    assert debugprint(y, depth=3, file="str").count("\n") == 5
