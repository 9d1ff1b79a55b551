"""theano.printing.pprint against Theano 1.0.5's texts (dev/theano_reference/printing_text.py).

Op names are symlab's where they differ from Theano's (``sum(x)``, not
``Sum{acc_dtype=float64}(x)``); every case below prints the same in both.
"""

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import function
from symlab.printing import PPrinter, pp, pprint

x, y = T.dvectors("x", "y")
m, s = T.dmatrix("m"), T.dscalar("s")

THEANO_TEXT = [
    (x + y + x, "((x + y) + x)"),
    (x - (y - x), "(x - (y - x))"),
    (x / y / x, "((x / y) / x)"),
    (-x, "(-x)"),
    (x ** 2, "(x ** TensorConstant{2})"),
    (x > y, "gt(x, y)"),
    (T.exp(x + 1), "exp((x + TensorConstant{1}))"),
    (T.dot(m, x), "(m \\dot x)"),
    (m.T, "m.T"),
    (2.0 * s, "(TensorConstant{2.0} * s)"),
    (x % y, "mod(x, y)"),
    (x // y, "(x // y)"),
    (abs(x), "|x|"),
    (-(x + y), "(-(x + y))"),
    (x * y * s, "((x * y) * s)"),
    (T.switch(x > 0, x, y), "switch(gt(x, TensorConstant{0}), x, y)"),
    (T.tanh(x), "tanh(x)"),
]


@pytest.mark.parametrize("var,text", THEANO_TEXT, ids=[t for _, t in THEANO_TEXT])
def test_pprint_writes_theano_s_text(var, text):
    assert pprint(var) == text


def test_the_documented_compiled_gradient():
    # library/printing.txt: pp(f.maker.fgraph.outputs[0]) == '(TensorConstant{2.0} * x)'
    xs = T.dscalar("x")
    f = function([xs], T.grad(xs ** 2, xs))
    assert pprint(f.maker.fgraph.outputs[0]) == "(TensorConstant{2.0} * x)"
    assert symlab.printing.pprint is pprint


def test_the_gradient_before_optimization_reads_as_theano_s_formula():
    # Theano's gy: ((fill(x ** 2, 1.0) * 2) * (x ** (2 - 1))); symlab's grad writes alloc
    xs = T.dscalar("x")
    gy = T.grad(xs ** 2, xs)
    text = pprint(gy)
    assert text.startswith("((") and text.endswith("))")
    assert "(x ** (TensorConstant{2} - TensorConstant{1" in text
    assert gy.eval({xs: 3.0}) == pytest.approx(6.0)


def test_an_unnamed_input_prints_its_type():
    v = T.dvector()
    assert pprint(v + 1) == "(<TensorType(float64, (?,))> + TensorConstant{1})"


def test_pprint_and_pp_differ_only_in_parentheses_and_constants():
    expr = (x + y) * T.exp(x) - 1
    assert pp(expr) == "(x + y) * exp(x) - 1"
    assert pprint(expr) == "(((x + y) * exp(x)) - TensorConstant{1})"


def test_process_graph_prints_a_program_with_updates():
    z = x + y
    z.name = "z"
    w = symlab.shared(np.zeros(2), name="w")
    text = pprint([x, y], [z * 2, T.exp(z)], {w: w + z})
    assert text == ("z = (x + y)\n"
                    "w <- (w + z)\n"
                    "out[0] = (z * TensorConstant{2})\n"
                    "out[1] = exp(z)")
    assert pprint([x, y], [z * 2]) == "z = (x + y)\nreturn (z * TensorConstant{2})"


def test_a_custom_printer_assigned_to_an_op():
    class Arrow:
        def process(self, var, pstate):
            inner = pstate.pprinter.process(var.owner.inputs[0], pstate)
            return f"exp<{inner}>"

    printer = pprint.clone_assign(T.exp(x).owner.op, Arrow())
    assert isinstance(printer, PPrinter)
    assert printer(T.exp(x) + 1) == "(exp<x> + TensorConstant{1})"
    assert pprint(T.exp(x) + 1) == "(exp(x) + TensorConstant{1})"   # the original is unchanged


def test_a_condition_printer():
    class Hidden:
        def process(self, var, pstate):
            return "?"

    printer = PPrinter()
    printer.assign(lambda pstate, var: var.name == "y", Hidden())
    assert printer(x + y) == "(x + ?)"


def test_a_compiled_function_and_a_list_print_one_line_per_output():
    a, b = T.dscalars("a", "b")
    f = function([a, b], [a + b, a * b])
    assert pprint(f) == "(a + b)\n(a * b)"
    assert pprint([a - b, -a]) == "(a - b)\n(-a)"


def test_a_deep_chain_prints_without_recursion():
    v = x
    for _ in range(5000):
        v = T.exp(v)
    assert pprint(v) == "exp(" * 5000 + "x" + ")" * 5000
    assert pp(v) == "exp(" * 5000 + "x" + ")" * 5000


def test_calling_with_nothing_is_an_error():
    with pytest.raises(TypeError, match="pprint: expected"):
        pprint()
