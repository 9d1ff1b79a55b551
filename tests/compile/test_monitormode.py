"""MonitorMode: ``pre_func(i, node, fn)`` and ``post_func(i, node, fn)`` around each node.

Theano's debugging FAQ steps through a compiled function with MonitorMode: the
callbacks get the node's position, the Apply and the thunk, whose
``fn.inputs[j][0]``/``fn.outputs[j][0]`` are the values; its NaN recipe finds the
first node producing a NaN with fusion and in-place rewrites excluded. Theano
1.0.5's callbacks on the same graphs are recorded by
``dev/theano_reference/debug_modes.py``.
"""

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab import function, shared
from symlab.compile import MonitorMode
from symlab.compile.monitormode import detect_nan

# Theano 1.0.5, 5 * y + 1 and sum(exp(y)) at y = [1, 2], fusion and in-place excluded:
# per node, (inputs, outputs) as post_func saw them (pre_func saw outputs [None]).
THEANO_CALLS = [([[5.0], [1.0, 2.0]], [[5.0, 10.0]]),
                ([[1.0], [5.0, 10.0]], [[6.0, 11.0]]),
                ([[1.0, 2.0]], [[2.718281828459045, 7.38905609893065]]),
                ([[2.718281828459045, 7.38905609893065]], [10.107337927389695])]


def flat(value):
    return np.ravel(np.asarray(value, dtype=float)).tolist()


def recorder():
    calls = []

    def pre(i, node, fn):
        calls.append(("pre", i, node, [c[0] for c in fn.inputs], [c[0] for c in fn.outputs]))

    def post(i, node, fn):
        calls.append(("post", i, node, [c[0] for c in fn.inputs], [c[0] for c in fn.outputs]))

    return calls, pre, post


def test_the_faq_example_sees_the_node_its_inputs_and_its_output():
    calls, pre, post = recorder()
    x = theano.tensor.dscalar("x")
    f = theano.function([x], [5 * x], mode=theano.compile.MonitorMode(pre_func=pre,
                                                                      post_func=post))
    assert f(3) == [15.0]
    (node,) = f.fgraph.toposort()
    assert [c[:2] for c in calls] == [("pre", 0), ("post", 0)]
    assert calls[0][2] is node and calls[1][2] is node
    assert [float(v) for v in calls[0][3]] == [5.0, 3.0]
    assert calls[0][4] == [None]                       # not computed yet
    assert isinstance(calls[1][4][0], np.ndarray) and calls[1][4][0].shape == ()
    assert float(calls[1][4][0]) == 15.0               # Theano: [array(15.)]


def test_each_node_in_order_with_the_values_theano_shows():
    calls, pre, post = recorder()
    y = T.dvector("y")
    mode = MonitorMode(pre_func=pre, post_func=post).excluding("fusion", "inplace")
    f = function([y], [5 * y + 1, T.exp(y).sum()], mode=mode)
    f(np.array([1.0, 2.0]))
    nodes = f.fgraph.toposort()
    assert [(c[0], c[1]) for c in calls] == [(kind, i) for i in range(len(nodes))
                                             for kind in ("pre", "post")]
    assert all(c[2] is nodes[c[1]] for c in calls)
    posts = [c for c in calls if c[0] == "post"]
    # flat lists: Theano's constants were (1,)-shaped, symlab's are 0-d
    seen = [([flat(v) for v in ins], [flat(v) for v in outs]) for *_, ins, outs in posts]
    assert seen == [([flat(v) for v in ins], [flat(v) for v in outs])
                    for ins, outs in THEANO_CALLS]
    for _, _, _, ins, outs in (c for c in calls if c[0] == "pre"):
        assert outs == [None]


def test_theano_s_nan_recipe_with_symlab_s_detect_nan(capsys):
    x = T.dscalar("x")
    mode = MonitorMode(post_func=detect_nan).excluding("local_elemwise_fusion", "inplace")
    f = function([x], [T.log(x) * x], mode=mode)
    with np.errstate(all="ignore"):
        f(0)
    printed = capsys.readouterr().out
    assert printed.startswith("*** NaN detected ***\nmul [id A]")
    assert "Inputs : [" in printed and "Outputs: [array(nan)]" in printed
    assert printed.count("*** NaN detected ***") == 1


def test_the_first_nan_node_with_fusion_and_in_place_excluded():
    # Theano 1.0.5: node 1, the mul, inputs -inf and 0
    found = []

    def first_nan(i, node, fn):
        if not found and any(np.isnan(c[0]).any() for c in fn.outputs):
            found.append((i, node, [float(c[0]) for c in fn.inputs]))

    x = T.dscalar("x")
    mode = MonitorMode(post_func=first_nan).excluding("local_elemwise_fusion", "inplace")
    f = function([x], [T.log(x) * x], mode=mode)
    with np.errstate(all="ignore"):
        f(0.0)
    ((i, node, inputs),) = found
    assert node is f.fgraph.toposort()[i] and str(node.op) == "mul"
    assert sorted(inputs) == [-np.inf, 0.0]


def test_theano_s_nan_recipe_as_written(capsys):
    def detect_nan_as_in_theano_s_faq(i, node, fn):
        for output in fn.outputs:
            if (not isinstance(output[0], np.random.RandomState) and
                    np.isnan(output[0]).any()):
                print('*** NaN detected ***')
                theano.printing.debugprint(node)
                print('Inputs : %s' % [input[0] for input in fn.inputs])
                print('Outputs: %s' % [output[0] for output in fn.outputs])
                break

    x = theano.tensor.dscalar('x')
    mode = theano.compile.MonitorMode(post_func=detect_nan_as_in_theano_s_faq).excluding(
        'local_elemwise_fusion', 'inplace')
    f = theano.function([x], [theano.tensor.log(x) * x], mode=mode)
    with np.errstate(all="ignore"):
        f(0)
    printed = capsys.readouterr().out
    assert printed.startswith("*** NaN detected ***\nmul [id A]")
    assert printed.count("*** NaN detected ***") == 1
    assert "Outputs: [array(nan)]" in printed


def test_with_fusion_the_fused_node_is_seen_once():
    calls, pre, post = recorder()
    x = T.dvector("x")
    f = function([x], T.exp(x) * 2 + 1, mode=MonitorMode(post_func=post))
    f(np.array([0.0]))
    assert len(calls) == len(f.fgraph.toposort()) == 1
    assert str(calls[0][2].op).startswith("fused")
    np.testing.assert_array_equal(calls[0][4][0], [3.0])


def test_a_raising_callback_stops_the_call_and_stores_no_update():
    total = shared(np.zeros(2), name="total")
    x = T.dvector("x")

    def refuse_negative(i, node, fn):
        if any(np.any(np.asarray(c[0]) < 0) for c in fn.outputs):
            raise RuntimeError(f"node {i} went negative")

    f = function([x], x * 2, updates=[(total, total + x)],
                 mode=MonitorMode(post_func=refuse_negative))
    f(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(total.get_value(), [1.0, 2.0])
    with pytest.raises(RuntimeError, match="went negative"):
        f(np.array([1.0, -5.0]))
    np.testing.assert_array_equal(total.get_value(), [1.0, 2.0])
    f(np.array([1.0, 1.0]))           # the next call monitors from the start again
    np.testing.assert_array_equal(total.get_value(), [2.0, 3.0])


def test_results_are_those_of_the_same_rewrites_without_monitoring():
    x = T.dmatrix("x")
    y = T.nnet.softmax(x) * 2 + T.dot(x, x.T)
    value = np.array([[1.0, 2.0], [0.5, -1.0]])
    plain = function([x], y)(value)
    monitored = function([x], y, mode=MonitorMode(pre_func=lambda *a: None,
                                                  post_func=lambda *a: None))(value)
    np.testing.assert_array_equal(monitored, plain)


def test_theano_s_signature_and_checks():
    assert MonitorMode().pre_func is None and MonitorMode().post_func is None
    assert MonitorMode(optimizer="fast_compile").optimizer == "fast_compile"
    with pytest.raises(ValueError, match="no linker"):
        MonitorMode(linker="cvm")
    with pytest.raises(TypeError, match="post_func"):
        MonitorMode(post_func="print")
    assert theano.compile.monitormode.MonitorMode is MonitorMode
