"""``Print``: Theano's printing op, checked against output text written by hand."""

import pickle

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import function
from symlab.printing import Print, debugprint, to_json


def _print_nodes(f):
    return [node for node in f.graph_after.apply_nodes if isinstance(node.op, Print)]


def test_theano_spelling_reaches_print():
    import symlab as theano
    assert theano.printing.Print is Print


def test_prints_at_each_call_and_not_at_compile_time(capsys):
    x = T.dvector("x")
    f = function([x], Print("x is")(x) * 2)
    assert capsys.readouterr().out == ""
    out = f(np.array([1.0, 2.0]))
    assert capsys.readouterr().out == "x is __str__ = [1. 2.]\n"
    np.testing.assert_array_equal(out, [2.0, 4.0])
    f(np.array([3.0, 0.5]))
    f(np.array([3.0, 0.5]))
    assert capsys.readouterr().out == "x is __str__ = [3.  0.5]\n" * 2


def test_attrs_shape_and_dtype(capsys):
    x = T.dmatrix("x")
    f = function([x], Print("m", attrs=("shape", "dtype"))(x).sum())
    assert f(np.ones((2, 3))) == 6.0
    assert capsys.readouterr().out == "m shape = (2, 3)\nm dtype = float64\n"


def test_callable_attr_is_called(capsys):
    x = T.dvector("x")
    f = function([x], Print("v", attrs=("sum", "__len__"))(x))
    f(np.array([1.0, 2.0, 4.0]))
    assert capsys.readouterr().out == "v sum = 7.0\nv __len__ = 3\n"


def test_values_equal_the_unprinted_function(capsys):
    x = T.dvector("x")
    plain = function([x], T.exp(x) + x)
    printed = function([x], T.exp(Print("x")(x)) + Print("x")(x))
    value = np.array([-1.0, 0.0, 2.5])
    expected = np.exp(value) + value
    np.testing.assert_allclose(plain(value), expected)
    np.testing.assert_allclose(printed(value), expected)


def test_survives_fast_run_and_stays_in_the_optimized_graph(capsys):
    x = T.dvector("x")
    y = Print("y")(x * 1 + 0)      # the rewrites simplify around it
    f = function([x], T.exp(y))
    assert len(_print_nodes(f)) == 1
    np.testing.assert_allclose(f(np.array([0.0])), [1.0])
    assert capsys.readouterr().out == "y __str__ = [0.]\n"


def test_prints_in_dependency_order(capsys):
    x = T.dvector("x")
    f = function([x], Print("a")(Print("b")(x) * 2))
    np.testing.assert_array_equal(f(np.array([1.0, 3.0])), [2.0, 6.0])
    assert capsys.readouterr().out == "b __str__ = [1. 3.]\na __str__ = [2. 6.]\n"


def test_two_equal_prints_are_not_merged(capsys):
    x = T.dvector("x")
    f = function([x], Print("p")(x) + Print("p")(x))
    assert len(_print_nodes(f)) == 2
    np.testing.assert_array_equal(f(np.array([1.5])), [3.0])
    assert capsys.readouterr().out == "p __str__ = [1.5]\n" * 2


def test_print_of_a_constant_is_not_folded(capsys):
    c = T.constant(np.array([1.0, 2.0]))
    f = function([], Print("c")(c) + 1)
    assert capsys.readouterr().out == ""
    assert len(_print_nodes(f)) == 1
    np.testing.assert_array_equal(f(), [2.0, 3.0])
    np.testing.assert_array_equal(f(), [2.0, 3.0])
    assert capsys.readouterr().out == "c __str__ = [1. 2.]\n" * 2


def test_unused_print_is_dropped(capsys):
    x = T.dvector("x")
    Print("unused")(x)
    f = function([x], x * 3)
    f(np.array([1.0]))
    assert _print_nodes(f) == []
    assert capsys.readouterr().out == ""


def test_gradient_passes_through(capsys):
    x = T.dvector("x")
    cost = (Print("x")(x) ** 3).sum()
    g = T.grad(cost, x)
    f = function([x], g)
    value = np.array([-2.0, 0.5, 3.0])
    np.testing.assert_allclose(f(value), 3 * value ** 2)   # d/dx sum(x^3) = 3x^2
    capsys.readouterr()


def test_gradient_with_print_equals_gradient_without(capsys):
    x = T.dscalar("x")
    with_print = T.grad(T.sin(Print("x")(x)) * x, x)
    without = T.grad(T.sin(x) * x, x)
    f = function([x], [with_print, without])
    a, b = f(0.7)
    expected = np.cos(0.7) * 0.7 + np.sin(0.7)              # d/dx x sin x
    assert a == pytest.approx(expected)
    assert b == pytest.approx(expected)
    capsys.readouterr()


def test_global_fn_is_called_with_the_value(capsys):
    seen = []

    def record(op, value):
        seen.append((op.message, np.array(value)))

    x = T.dvector("x")
    op = Print("rec", global_fn=record)
    f = function([x], op(x) + 1)
    np.testing.assert_array_equal(f(np.array([4.0, 5.0])), [5.0, 6.0])
    assert capsys.readouterr().out == ""
    assert len(seen) == 1
    assert seen[0][0] == "rec"
    np.testing.assert_array_equal(seen[0][1], [4.0, 5.0])


def test_int_vector_and_scalar(capsys):
    i = T.ivector("i")
    s = T.dscalar("s")
    f = function([i, s], [Print("i", attrs=("__str__", "dtype"))(i) + 1, Print("s")(s) * 2])
    out_i, out_s = f(np.array([1, 2, 3], dtype="int32"), 2.5)
    np.testing.assert_array_equal(out_i, [2, 3, 4])
    assert out_s == 5.0
    printed = capsys.readouterr().out.splitlines()
    assert sorted(printed) == ["i __str__ = [1 2 3]", "i dtype = int32", "s __str__ = 2.5"]


def test_print_passes_the_same_array(capsys):
    x = T.dvector("x")
    node = Print("x")(x).owner
    value = np.array([1.0, 2.0])
    assert node.op.numpy_callable(node)(value) is value
    assert node.outputs[0].type == x.type


def test_debugprint_and_json_name(capsys):
    x = T.dvector("x")
    y = Print("my msg")(x)
    assert debugprint(y, file="str") == "Print{my msg} [id A]\n |x [id B]\n"
    ops = [n["op"] for n in to_json(y)["nodes"].values() if n["kind"] == "apply"]
    assert ops == ["Print{my msg}"]


def test_equal_props_and_default_attrs():
    assert Print("a") == Print("a")
    assert hash(Print("a")) == hash(Print("a"))
    assert Print("a") != Print("b")
    assert Print("a").attrs == ("__str__",)
    assert Print("a", attrs="shape").attrs == ("shape",)
    assert Print.has_side_effects is True
    with pytest.raises(TypeError, match="attrs"):
        Print("a", attrs=(3,))


def test_pickled_function_still_prints(capsys):
    x = T.dvector("x")
    f = function([x], Print("pk", attrs=("shape",))(x) * 2)
    restored = pickle.loads(pickle.dumps(f))
    assert capsys.readouterr().out == ""
    np.testing.assert_array_equal(restored(np.array([1.0, 2.0, 3.0])), [2.0, 4.0, 6.0])
    assert capsys.readouterr().out == "pk shape = (3,)\n"


def test_eval_prints(capsys):
    x = T.dvector("x")
    y = Print("e")(x)
    np.testing.assert_array_equal(y.eval({x: np.array([7.0])}), [7.0])
    assert capsys.readouterr().out == "e __str__ = [7.]\n"


def test_fast_compile_keeps_it_too(capsys):
    x = T.dvector("x")
    c = T.constant(np.array([1.0]))
    f = function([x], Print("q")(x) + Print("q")(x) + Print("k")(c), mode="FAST_COMPILE")
    assert capsys.readouterr().out == ""
    f(np.array([2.0]))
    assert capsys.readouterr().out.count("\n") == 3
    assert isinstance(symlab.printing.Print("z"), Print)
