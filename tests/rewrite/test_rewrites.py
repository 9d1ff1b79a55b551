"""Each rewrite before and after, on printed graphs written by hand; the trace; modes."""

import math

import numpy as np
import pytest

import symlab.tensor as T
from symlab import Mode, function, shared
from symlab.graph import evaluate
from symlab.printing import debugprint, pp
from symlab.rewrite import pass_names, rewrite_graph, rewrite_names


def only(*names):
    """A mode running just the named rewrites (and nothing else)."""
    return Mode(optimizer=None, include=names)


def after(outputs, *names):
    new, trace = rewrite_graph(outputs, mode=only(*names))
    return new, trace


x, y, z = T.dvectors("x", "y", "z")
a, b = T.dscalars("a", "b")
i = T.ivector("i")


@pytest.mark.parametrize("rewrite, build, expected", [
    ("mul_by_one", lambda: x * 1, "x"),
    ("mul_by_one", lambda: (x * 1) * y, "x * y"),
    ("add_zero", lambda: 0 + x, "x"),
    ("add_zero", lambda: x + 0 + y, "x + y"),
    ("neg_neg", lambda: -(-x), "x"),
    ("exp_log", lambda: T.exp(T.log(x)), "x"),
    ("log_exp", lambda: T.log(T.exp(x)), "x"),
    ("mul_self_to_sqr", lambda: x * x, "sqr(x)"),
    ("collect_constants", lambda: 2 * x * 3, "6.0 * x"),
    ("collect_constants", lambda: 1 + x + 2 + y, "3.0 + x + y"),
    ("useless_dimshuffle", lambda: x.dimshuffle(0), "x"),
    ("useless_identity", lambda: x.copy(), "x"),
])
def test_rewrite_before_and_after(rewrite, build, expected):
    before = build()
    new, trace = after(before, rewrite)
    assert pp(new) == expected
    assert trace.rewrite_names() and set(trace.rewrite_names()) == {rewrite}
    assert pp(before) != expected            # the original graph itself is untouched


def test_sub_self_gives_zeros_of_the_shape():
    new, trace = after(x - x, "sub_self")
    assert trace.rewrite_names() == ["sub_self"]
    np.testing.assert_array_equal(evaluate(new, {x: [1.0, -2.0, 3.0]}), [0.0, 0.0, 0.0])


def test_a_cast_keeps_the_type_when_an_int_stands_for_a_float():
    new, _ = after(i * 1.0, "mul_by_one")     # int32 * float32 is float64 (Theano's upcast)
    assert new.type == (i * 1.0).type
    assert debugprint(new, file="str") == "cast{float64} [id A]\n |i [id B]\n"


def test_no_rewrite_that_would_change_broadcasting():
    # row + zeros of a matrix is a matrix: dropping the zeros would leave a row.
    r = T.drow("r")
    zeros_matrix = T.constant(np.zeros((4, 3)))
    new, trace = after(r + zeros_matrix, "add_zero")
    assert trace.rewrite_names() == []
    assert new.type.shape == (4, 3)


def test_dimshuffle_of_dimshuffle_composes():
    m = T.dmatrix("m")
    new, _ = after(m.T.dimshuffle(0, "x", 1), "dimshuffle_dimshuffle")
    assert debugprint(new, file="str") == "dimshuffle{1,x,0} [id A]\n |m [id B]\n"


def test_sort_commutative_inputs_makes_equal_graphs_print_equally():
    first, _ = after(y + x, "sort_commutative_inputs")
    second, _ = after(x + y, "sort_commutative_inputs")
    assert pp(first) == pp(second) == "x + y"


def test_sorting_a_chain_is_one_event_that_rebuilds_once():
    chain, half = x, T.constant(0.5)         # one constant: merge_constants has nothing to do
    adds = []
    for _ in range(60):
        chain = T.tanh(chain) + half          # the constant second: every add is out of order
        adds.append(chain.owner)
    f = function([x], chain, mode=Mode(exclude=["fuse_elementwise", "inplace"]))
    events = [e for e in f.trace if e.rewrite == "sort_commutative_inputs"]
    assert len(events) == 1
    (event,) = events
    assert [old.owner for old, _ in event.pairs] == adds       # the reorderings, in order
    assert event.pass_name == "canonicalize"
    new_adds = [n for n in f.graph_after.apply_nodes if str(n.op) == "add"]
    assert len(new_adds) == 60
    assert all(isinstance(n.inputs[0], T.TensorConstant) for n in new_adds)
    # Each node after the first tanh was rebuilt once: 60 adds and 59 tanh left and joined.
    assert len(event.removed) == len(event.added) == 119
    np.testing.assert_allclose(f([0.3]), _tanh_chain(0.3, 60))


def _tanh_chain(value, n):
    for _ in range(n):
        value = math.tanh(value) + 0.5
    return [value]


def test_merge_common_subexpressions_and_constants():
    e1 = T.exp(x) + 2
    e2 = T.exp(x) + 2
    out = e1 * e2
    new, trace = rewrite_graph(out, mode=only("merge_constants", "merge"))
    assert debugprint(new, file="str") == (
        "mul [id A]\n"
        " |add [id B]\n"
        " | |exp [id C]\n"
        " | | |x [id D]\n"
        " | |TensorConstant{2} [id E]\n"
        " |add [id B]\n"
    )
    assert set(trace.rewrite_names()) == {"merge_constants", "merge_equal_nodes"}


def test_constant_folding_in_the_nodes_dtype():
    c = T.constant(np.float32(2.0)) * T.constant(np.float32(3.0))
    f = T.fvector("f")
    new, trace = after(f + c, "constant_fold")
    assert trace.rewrite_names() == ["constant_fold"]
    folded = new.owner.inputs[1]
    assert folded.data.dtype == np.float32 and folded.data == 6.0
    assert pp(new) == "f + 6.0"


def test_trace_events_and_graph_at_every_step_agree_with_the_original():
    state = shared(np.array([1.0, 2.0, 3.0]), name="state")
    expr = T.log(T.exp(x * 1)) + 0 + (y - y) + 2 * state * 3
    f = function([x, y], expr, updates=[(state, state * 1 + x)])
    assert len(f.trace) >= 4
    for event in f.trace:
        assert event.pass_name in pass_names() and event.rewrite in rewrite_names()
        assert event.removed and event.added is not None
    rng = np.random.default_rng(5)
    xv, yv = rng.standard_normal(3), rng.standard_normal(3)
    sv = state.get_value()
    expected = evaluate(f.graph_before.outputs, {x: xv, y: yv})
    for k in range(len(f.trace) + 1):
        got = evaluate(f.graph_at(k).outputs, {x: xv, y: yv})
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-14)
    assert f.graph_at(len(f.trace)).outputs == f.graph_after.outputs
    with pytest.raises(IndexError, match="from 0 to"):
        f.graph_at(len(f.trace) + 1)
    out = f(xv, yv)
    np.testing.assert_allclose(out, xv + 6 * sv, rtol=1e-14)
    np.testing.assert_allclose(state.get_value(), sv + xv)
    assert "canonicalize" in str(f.trace)


@pytest.mark.parametrize("name", rewrite_names() + pass_names())
def test_every_rewrite_and_pass_name_is_accepted_by_exclude(name):
    mode = Mode(exclude=[name])
    f = function([x], x * 1 + 0, mode=mode)
    assert name not in f.trace.rewrite_names()
    np.testing.assert_array_equal(f(np.array([1.0, 2.0])), [1.0, 2.0])


def test_unknown_names_are_refused_with_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown pass or rewrite 'nope'.*passes are merge"):
        Mode(exclude=["nope"])


def test_excluding_a_pass_stops_its_rewrites():
    f = function([x], x * 1, mode=Mode().excluding("canonicalize"))
    assert f.trace.rewrite_names() == []
    g = function([x], x * 1)
    assert "mul_by_one" in g.trace.rewrite_names()


def test_fast_compile_runs_only_merge_and_folding():
    f = function([x], x * 1 + T.constant(2.0) * 3.0, mode="FAST_COMPILE")
    assert set(f.trace.rewrite_names()) <= {"merge_constants", "merge_equal_nodes",
                                           "constant_fold"}
    assert "constant_fold" in f.trace.rewrite_names()


def test_outputs_rewritten_to_an_input_or_constant_are_not_aliased():
    f = function([x], x * 1)
    value = np.array([1.0, 2.0])
    out = f(value)
    assert f.graph_after.outputs == [x]
    out[0] = 50.0
    assert value[0] == 1.0
    g = function([], T.constant(2.0) * 3.0)
    result = g()
    result[...] = 0.0                   # a constant's value is read-only; the output is a copy
    assert g() == 6.0


def test_reshape_of_reshape_keeps_only_the_last():
    m = T.dmatrix("m")
    new, trace = after(m.reshape((-1,)).reshape((3, -1)), "reshape_reshape")
    assert trace.rewrite_names() == ["reshape_reshape"]
    assert new.owner.inputs[0] is m and new.owner.op.name == "reshape"
    value = np.arange(12.0).reshape(4, 3)
    np.testing.assert_array_equal(evaluate(new, {m: value}), [[0, 1, 2, 3], [4, 5, 6, 7],
                                                              [8, 9, 10, 11]])


def test_useless_reshape_to_the_known_shape():
    from symlab.tensor.type import TensorType
    fixed = TensorType("float64", (2, 3))("fixed")
    new, trace = after(fixed.reshape((2, 3)), "useless_reshape")
    assert new is fixed and trace.rewrite_names() == ["useless_reshape"]
    free = T.dmatrix("free")
    _, trace = after(free.reshape((2, 3)), "useless_reshape")
    assert trace.rewrite_names() == []       # free's shape is not known: the reshape may matter


def test_shapes_no_longer_need_the_values():
    m = T.dmatrix("m")
    new, trace = after(T.exp(m).shape, "shape_of_elemwise")
    assert trace.rewrite_names() == ["shape_of_elemwise"]
    assert debugprint(new, file="str") == "shape [id A]\n |m [id B]\n"
    new, trace = after(T.sum(m, axis=0).shape, "shape_of_reduce")
    assert trace.rewrite_names() == ["shape_of_reduce"]
    assert debugprint(new, file="str") == (
        "advanced_subtensor{int64[:]} [id A]\n"
        " |shape [id B]\n"
        " | |m [id C]\n"
        " |TensorConstant{[1]} [id D]\n")
    np.testing.assert_array_equal(evaluate(new, {m: np.zeros((2, 5))}), [5])


def test_shape_of_elemwise_keeps_a_broadcast_shape():
    r, c = T.drow("r"), T.dcol("c")
    new, trace = after((r + c).shape, "shape_of_elemwise")
    assert trace.rewrite_names() == []          # neither input alone has the result's shape


def test_gradient_markers_are_removed():
    from symlab.gradient import zero_grad
    new, trace = after(zero_grad(x) * y, "remove_gradient_marker")
    assert trace.rewrite_names() == ["remove_gradient_marker"]
    assert pp(new) == "x * y"
