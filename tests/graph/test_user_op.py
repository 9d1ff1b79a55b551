"""Theano's Op interface (symlab.Op): building, running, equality, memory maps, refusals."""

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import function
from symlab.compile.mode import Mode
from symlab.graph.basic import Apply, Variable
from symlab.graph.evaluate import evaluate
from symlab.graph.user_op import COpNotSupported, Op
from symlab.tensor.type import TensorType

NO_REWRITES = Mode(optimizer=None)


class Scale(Op):
    """x * factor, written the way Theano's tutorial writes ops."""

    __props__ = ("factor",)

    def __init__(self, factor):
        self.factor = factor

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * self.factor

    def infer_shape(self, node, input_shapes):
        return input_shapes


class AddSub(Op):
    """Two outputs (a + b, a - b), declared with itypes/otypes."""

    __props__ = ()
    itypes = [T.dvector, T.dvector]
    otypes = [T.dvector, T.dvector]

    def perform(self, node, inputs, output_storage):
        a, b = inputs
        output_storage[0][0] = a + b
        output_storage[1][0] = a - b


class Unprops(Op):
    """No __props__: equal only to itself, as in Theano."""

    itypes = [T.dvector]
    otypes = [T.dvector]

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] + 1


def test_apply_adopts_fresh_output_variables_and_still_takes_types():
    x = T.dvector("x")
    out = x.type()
    node = Apply(Scale(2.0), [x], [out])
    assert node.outputs == (out,) and out.owner is node and out.index == 0
    typed = Apply(Scale(2.0), [x], [x.type])
    assert typed.outputs[0].owner is typed and typed.outputs[0].type == x.type


def test_apply_refuses_an_output_that_already_has_an_owner_or_is_given_twice():
    x = T.dvector("x")
    y = x * 2
    with pytest.raises(TypeError, match="output 0 of Scale.*already an output"):
        Apply(Scale(2.0), [x], [y])
    fresh = x.type()
    with pytest.raises(TypeError, match="given twice"):
        Apply(Scale(2.0), [x], [fresh, fresh])
    assert fresh.owner is None          # a failing build adopts nothing
    with pytest.raises(TypeError, match="Type or a fresh Variable"):
        Apply(Scale(2.0), [x], ["float64"])


def test_three_argument_perform_runs_in_the_reference_evaluator_and_compiled():
    x = T.dvector("x")
    y = Scale(3.0)(x)
    value = np.array([1.0, -2.0, 0.5])
    np.testing.assert_array_equal(evaluate(y, {x: value}), value * 3.0)
    for mode in (None, "FAST_COMPILE", NO_REWRITES):
        np.testing.assert_array_equal(function([x], y, mode=mode)(value), value * 3.0)


def test_itypes_otypes_generate_make_node_and_check_the_input_types():
    a, b = T.dvectors("a", "b")
    s, d = AddSub()(a, b)
    f = function([a, b], [s, d])
    got = f([1.0, 2.0], [0.5, 4.0])
    np.testing.assert_array_equal(got[0], [1.5, 6.0])
    np.testing.assert_array_equal(got[1], [0.5, -2.0])
    with pytest.raises(TypeError, match=r"AddSub: input 1 \(m\) has type "
                                        r"TensorType\(float64, \(\?, \?\)\); expected"):
        AddSub()(a, T.dmatrix("m"))
    with pytest.raises(TypeError, match="expected 2 input"):
        AddSub()(a)
    with pytest.raises(TypeError, match=r"input 0 \(i\) has type TensorType\(int32"):
        AddSub()(T.ivector("i"), b)


def test_str_shows_the_props_and_equality_follows_them():
    assert str(Scale(2.0)) == "Scale{factor=2.0}"
    assert str(AddSub()) == "AddSub"
    assert Scale(2.0) == Scale(2.0) and hash(Scale(2.0)) == hash(Scale(2.0))
    assert Scale(2.0) != Scale(3.0)
    op = Unprops()
    assert op == op and Unprops() != Unprops()


def test_a_name_set_by_the_op_is_what_prints():
    class Named(Op):
        itypes = [T.dvector]
        otypes = [T.dvector]

        def __init__(self):
            self.name = "my_named_op"

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0]

    assert str(Named()) == "my_named_op"


def test_default_output_picks_the_output_a_call_returns():
    class MinMax(Op):
        __props__ = ()
        itypes = [T.dvector]
        otypes = [T.dscalar, T.dscalar]
        default_output = 1

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = np.min(inputs[0])
            output_storage[1][0] = np.max(inputs[0])

    x = T.dvector("x")
    top = MinMax()(x)
    assert top.index == 1
    assert float(function([x], top)([3.0, -1.0, 7.0])) == 7.0


def test_a_perform_that_leaves_an_output_unset_says_which():
    class Lazy(Op):
        itypes = [T.dvector]
        otypes = [T.dvector]

        def perform(self, node, inputs, output_storage):
            pass

    x = T.dvector("x")
    with pytest.raises(ValueError, match=r"Lazy.perform left output 0 .*output_storage\[0\]\[0\]"):
        evaluate(Lazy()(x), {x: np.ones(2)})


def test_a_python_scalar_result_is_converted_to_the_output_type():
    class Total(Op):
        itypes = [T.dvector]
        otypes = [T.dscalar]

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = float(np.sum(inputs[0]))

    x = T.dvector("x")
    got = function([x], Total()(x) * 2)(np.array([1.0, 2.5]))
    assert got.dtype == np.float64 and float(got) == 7.0


def test_an_op_with_only_c_code_is_refused_with_a_clear_message():
    class COnly(Op):
        __props__ = ()

        def make_node(self, x):
            x = T.as_tensor_variable(x)
            return Apply(self, [x], [x.type()])

        def c_code(self, node, name, inputs, outputs, sub):
            return "..."

    x = T.dvector("x")
    with pytest.raises(COpNotSupported, match="C ops are not supported.*define perform"):
        COnly()(x)
    node = COnly().make_node(x)           # built by hand, refused when compiled
    with pytest.raises(COpNotSupported, match="C ops are not supported"):
        function([x], node.outputs[0])


def test_elementwise_and_blockwise_declarations_are_recorded_and_checked():
    class Ew(Op):
        elementwise = True
        itypes = [T.dvector]
        otypes = [T.dvector]

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0] + 1

    class Bw(Op):
        blockwise = "(m,n),(n)->(m)"

    assert Ew.elementwise is True and Ew.blockwise is None
    assert Bw.blockwise == "(m,n),(n)->(m)" and Bw.elementwise is False
    with pytest.raises(TypeError, match="elementwise must be True or False"):
        type("BadEw", (Op,), {"elementwise": "yes"})
    with pytest.raises(TypeError, match="gufunc signature"):
        type("BadBw", (Op,), {"blockwise": "(m,n)"})


def test_infer_shape_is_called_with_symbolic_input_shapes():
    x = T.dmatrix("x")
    node = Scale(2.0)(x).owner
    (shape,) = node.op.output_shapes(node)
    assert len(shape) == 2
    value = np.zeros((4, 7))
    assert [int(evaluate(s, {x: value})) for s in shape] == [4, 7]


# ---------------------------------------------------------------- destroy_map, view_map

class DoubleInPlace(Op):
    """Doubles its input in its own buffer (destroy_map)."""

    __props__ = ()
    destroy_map = {0: [0]}
    itypes = [T.dvector]
    otypes = [T.dvector]

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        x *= 2
        output_storage[0][0] = x


class Tail(Op):
    """x[1:], a view (view_map)."""

    __props__ = ()
    view_map = {0: [0]}
    itypes = [T.dvector]
    otypes = [T.dvector]

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0][1:]


def test_a_destroying_op_never_overwrites_a_function_input():
    x = T.dvector("x")
    value = np.array([1.0, 2.0, 3.0])
    for mode in (None, NO_REWRITES):
        f = function([x], DoubleInPlace()(x), mode=mode)
        np.testing.assert_array_equal(f(value), [2.0, 4.0, 6.0])
        np.testing.assert_array_equal(value, [1.0, 2.0, 3.0])


def test_a_destroying_op_overwrites_a_dead_intermediate_only():
    x = T.dvector("x")
    dead = DoubleInPlace()(T.exp(x))
    f = function([x], dead)
    (node,) = [n for n in f.fgraph.toposort() if isinstance(n.op, DoubleInPlace)]
    assert node.op._may_destroy and "inplace_elemwise" in [e.rewrite for e in f.trace]
    value = np.array([0.0, 1.0])
    np.testing.assert_allclose(f(value), 2 * np.exp(value))

    y = T.exp(x)
    shared_use = DoubleInPlace()(y) + y        # y is read after the op: it must be copied
    g = function([x], shared_use)
    (node,) = [n for n in g.fgraph.toposort() if isinstance(n.op, DoubleInPlace)]
    assert not node.op._may_destroy
    np.testing.assert_allclose(g(value), 3 * np.exp(value))


def test_a_view_output_is_copied_before_it_is_returned():
    x = T.dvector("x")
    value = np.array([1.0, 2.0, 3.0])
    out = function([x], Tail()(x))(value)
    np.testing.assert_array_equal(out, [2.0, 3.0])
    assert not np.shares_memory(out, value)


# ---------------------------------------------------------------- constant folding

class Counting(Op):
    """x + 1, counting its calls; ``fold`` says whether it may be constant folded."""

    __props__ = ("fold",)
    itypes = [T.dvector]
    otypes = [T.dvector]
    calls = 0

    def __init__(self, fold=True):
        self.fold = fold

    def perform(self, node, inputs, output_storage):
        type(self).calls += 1
        output_storage[0][0] = inputs[0] + 1

    def do_constant_folding(self, node):
        return self.fold


def test_constant_folding_runs_a_custom_op_once_unless_it_says_no():
    c = T.constant(np.array([1.0, 2.0]))
    x = T.dvector("x")
    folded = function([x], x * Counting()(c))
    assert not any(isinstance(n.op, Counting) for n in folded.fgraph.toposort())
    np.testing.assert_array_equal(folded(np.ones(2)), [2.0, 3.0])
    kept = function([x], x * Counting(fold=False)(c))
    assert any(isinstance(n.op, Counting) for n in kept.fgraph.toposort())
    before = Counting.calls
    np.testing.assert_array_equal(kept(np.ones(2)), [2.0, 3.0])
    assert Counting.calls == before + 1


def test_merge_joins_equal_custom_nodes_and_keeps_unequal_ones():
    x = T.dvector("x")
    f = function([x], Scale(2.0)(x) + Scale(2.0)(x), mode="FAST_COMPILE")
    assert sum(isinstance(n.op, Scale) for n in f.fgraph.toposort()) == 1
    g = function([x], Unprops()(x) + Unprops()(x), mode="FAST_COMPILE")
    assert sum(isinstance(n.op, Unprops) for n in g.fgraph.toposort()) == 2
    op = Unprops()
    h = function([x], op(x) + op(x), mode="FAST_COMPILE")
    assert sum(isinstance(n.op, Unprops) for n in h.fgraph.toposort()) == 1
    np.testing.assert_array_equal(h(np.array([1.0])), [4.0])


def test_the_fuser_leaves_a_custom_op_alone_even_between_elementwise_ops():
    class Plus(Op):
        __props__ = ()
        elementwise = True
        itypes = [T.dvector]
        otypes = [T.dvector]

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0] + 1

    x = T.dvector("x")
    f = function([x], T.exp(Plus()(T.tanh(x) * 2)) * 3)
    ops = [n.op for n in f.fgraph.toposort()]
    assert sum(isinstance(op, Plus) for op in ops) == 1
    value = np.array([0.3, -0.2])
    np.testing.assert_allclose(f(value), np.exp(np.tanh(value) * 2 + 1) * 3)


def test_symlab_exports_the_theano_names():
    assert symlab.Op is Op and symlab.Apply is Apply
    from symlab import gof
    assert gof.Op is Op and gof.Apply is Apply and gof.Variable is Variable
    assert gof.graph.Apply is Apply
    assert isinstance(gof.Type, type)
    assert TensorType("float64", (None,)) == T.dvector().type


def test_a_custom_nodes_origin_is_the_line_calling_the_op_not_its_make_node():
    import inspect

    class Doubles(symlab.Op):
        __props__ = ()

        def make_node(self, x):
            x = T.as_tensor_variable(x)
            return symlab.Apply(self, [x], [x.type()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0] * 2

    v = T.dvector("v")
    calling_line = inspect.currentframe().f_lineno + 1
    doubled = Doubles()(v)
    assert doubled.owner.origins == ((__file__, calling_line),)
