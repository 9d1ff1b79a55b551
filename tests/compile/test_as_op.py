"""as_op: a NumPy function as an op (Theano's theano.compile.ops.as_op)."""

import pickle

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import function
from symlab.compile import as_op
from symlab.compile.ops import FromFunctionOp
from symlab.graph.evaluate import evaluate
from symlab.printing import debugprint


@as_op(itypes=[T.dmatrix, T.dvector], otypes=[T.dvector])
def solve(a, b):
    """Solve a x = b."""
    return np.linalg.solve(a, b)


def _split(x):
    return x[x >= 0], x[x < 0]


split = as_op(itypes=[T.dvector], otypes=[T.dvector, T.dvector])(_split)


def test_the_function_runs_as_an_op_compiled_and_in_the_reference_evaluator():
    a, b = T.dmatrix("a"), T.dvector("b")
    x = solve(a, b) * 2
    av, bv = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([9.0, 8.0])
    np.testing.assert_allclose(function([a, b], x)(av, bv), 2 * np.linalg.solve(av, bv))
    np.testing.assert_allclose(evaluate(x, {a: av, b: bv}), [4.0, 6.0])
    assert symlab.as_op is as_op and isinstance(solve, FromFunctionOp)
    assert str(solve) == "FromFunctionOp{solve}"
    assert "FromFunctionOp{solve}" in debugprint(x, file="str")


def test_several_outputs_come_back_as_a_list():
    v = T.dvector("v")
    positive, negative = split(v)
    got = function([v], [positive, negative])(np.array([1.0, -2.0, 3.0, -4.0]))
    np.testing.assert_array_equal(got[0], [1.0, 3.0])
    np.testing.assert_array_equal(got[1], [-2.0, -4.0])


def test_input_types_are_checked_and_a_wrong_count_of_results_is_named():
    with pytest.raises(TypeError, match=r"input 1 \(m\) has type TensorType\(float64, "
                                        r"\(\?, \?\)\); expected TensorType\(float64, \(\?,\)\)"):
        solve(T.dmatrix("a"), T.dmatrix("m"))
    wrong = as_op(itypes=[T.dvector], otypes=[T.dvector, T.dvector])(lambda x: x)
    v = T.dvector("v")
    with pytest.raises(ValueError, match="returned 1 value.*declares 2 output"):
        function([v], wrong(v))(np.ones(2))
    with pytest.raises(TypeError, match="lists of types"):
        as_op(itypes=T.dvector, otypes=[T.dvector])


def test_infer_shape_is_passed_through():
    shaped = as_op(itypes=[T.dvector], otypes=[T.dvector],
                   infer_shape=lambda node, shapes: [shapes[0]])(np.sort)
    v = T.dvector("v")
    node = shaped(v).owner
    (shape,) = node.op.output_shapes(node)
    assert int(evaluate(shape[0], {v: np.ones(5)})) == 5
    assert shaped(v).owner.op == shaped and shaped != solve


def test_a_function_using_a_module_level_op_pickles_and_a_local_one_says_why_not():
    a, b = T.dmatrix("a"), T.dvector("b")
    f = function([a, b], solve(a, b))
    loaded = pickle.loads(pickle.dumps(f))
    av, bv = np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([2.0, 2.0])
    np.testing.assert_allclose(loaded(av, bv), [1.0, 0.5])
    assert pickle.loads(pickle.dumps(solve)) is solve            # by reference
    assert pickle.loads(pickle.dumps(split)).fn is _split        # the plain function is kept

    def local(x):
        return x

    op = as_op(itypes=[T.dvector], otypes=[T.dvector])(local)
    with pytest.raises(pickle.PicklingError, match="define the function at the top level"):
        pickle.dumps(op)


def test_an_as_op_has_no_gradient_and_says_so():
    a, b = T.dmatrix("a"), T.dvector("b")
    with pytest.raises(symlab.gradient.GradientNotImplemented, match="FromFunctionOp"):
        T.grad(T.sum(solve(a, b)), b)
