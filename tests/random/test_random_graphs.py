"""Random ops as graph nodes: printed, traced, never merged or folded; imports stay lazy."""

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.graph.basic import Constant
from symlab.printing import to_json
from symlab.random import RandomStreams, RandomVariable, RngType, random_variable, shared_rng
from symlab.rewrite.constant_folding import constant_fold


def test_two_equal_draws_are_two_draws_never_merged():
    srng = RandomStreams(5)
    a = srng.uniform((2,))
    b = srng.uniform((2,))
    assert a.owner.op == b.owner.op  # equal ops, equal constant inputs but the state
    f = theano.function([], [a, b, a - b])
    x, y, d = f()
    assert not np.allclose(x, y)
    np.testing.assert_array_equal(d, x - y)
    nodes = [n for n in f.fgraph.toposort() if isinstance(n.op, RandomVariable)]
    assert len(nodes) == 2


def test_the_same_state_drawn_twice_is_still_not_merged():
    # Two ops on one shared state (built by hand): the merge pass must keep both nodes.
    rng = shared_rng(np.random.RandomState(1))
    _, a = random_variable("uniform", rng, (2,), (0.0, 1.0))
    _, b = random_variable("uniform", rng, (2,), (0.0, 1.0))
    f = theano.function([], a + b, no_default_updates=True)
    assert len([n for n in f.fgraph.toposort() if isinstance(n.op, RandomVariable)]) == 2
    # Both copy the same input state, so here they draw the same numbers.
    expected = np.random.RandomState(1).uniform(0, 1, (2,))
    np.testing.assert_array_equal(f(), 2 * expected)


def test_random_ops_are_never_constant_folded():
    op = RandomVariable("uniform", "float64", 1)
    state = Constant(RngType(np.random.RandomState), np.random.RandomState(0))
    node = op.make_node(state, T.constant(np.array([3], dtype="int64")), T.constant(0.0),
                        T.constant(1.0))
    assert all(isinstance(v, Constant) for v in node.inputs)
    assert op.deterministic is False
    assert constant_fold(None, node) is None


def test_random_nodes_print_and_appear_in_the_trace_and_json():
    srng = RandomStreams(5)
    u = srng.uniform((3,))
    u.name = "u"
    f = theano.function([], u * 1 + 0)
    text = theano.debugprint(f, file="str")
    assert text.splitlines()[0].startswith("uniform_rv{float64}.0 [id A] 'u'")
    assert "TensorConstant{[3]}" in text
    assert "(update of <RngType(RandomState)>)" in text
    events = [e for e in f.trace if any(u in (old, new) for old, new in e.pairs)]
    assert [e.rewrite for e in events] == ["mul_by_one", "add_zero"]
    ops = [node["op"] for node in to_json(f)["nodes"].values()]
    assert "uniform_rv{float64}" in ops
    assert "uniform_rv" in theano.debugprint(u, file="str")


def test_eval_draws_and_advances():
    u = RandomStreams(5).uniform((2,))
    first, second = u.eval(), u.eval()
    by_hand = np.random.RandomState(int(np.random.RandomState(5).randint(2 ** 30)))
    np.testing.assert_array_equal(first, by_hand.uniform(0, 1, (2,)))
    np.testing.assert_array_equal(second, by_hand.uniform(0, 1, (2,)))


def test_a_pickled_function_draws_the_same_numbers_from_its_own_copy():
    srng = RandomStreams(5)
    f = theano.function([], srng.normal((3,)))
    g = pickle.loads(pickle.dumps(f))
    np.testing.assert_array_equal(g(), f())
    np.testing.assert_array_equal(g(), f())


def test_a_plain_shared_randomstate_is_refused_with_a_hint():
    plain = theano.shared(np.random.RandomState(0))
    with pytest.raises(TypeError, match="shared_rng"):
        random_variable("uniform", plain, (2,), (0.0, 1.0))


def test_the_random_layer_is_loaded_only_when_used():
    script = textwrap.dedent("""
        import sys
        import symlab, symlab.tensor
        print('symlab.random' in sys.modules)
        from symlab.tensor.shared_randomstreams import RandomStreams
        print('symlab.random' in sys.modules, symlab.RandomStreams is RandomStreams)
        from symlab.sandbox.rng_mrg import MRG_RandomStreams
        print(issubclass(MRG_RandomStreams, RandomStreams))
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "True", "True", "True"]


def test_a_distribution_added_to_the_table_becomes_a_stream_method():
    from symlab.random import distributions
    row = distributions.Distribution(
        "exponential_for_test", (distributions.Param("scale", 1.0),), distributions.FLOATX,
        lambda rng, size, scale: rng.exponential(scale, size),
        doc="Exponential: RandomState.exponential(scale, size).")
    distributions.register(row)
    try:
        srng = RandomStreams(8)
        rv = srng.exponential_for_test((4,), 2.0)
        out = theano.function([], rv)()
        by_hand = np.random.RandomState(int(np.random.RandomState(8).randint(2 ** 30)))
        np.testing.assert_array_equal(out, by_hand.exponential(2.0, (4,)))
        assert str(rv.owner.op) == "exponential_for_test_rv{float64}"
        with pytest.raises(ValueError, match="exists already"):
            distributions.register(row)
    finally:
        distributions.DISTRIBUTIONS.remove(row)


def test_a_pickled_stream_keeps_its_variables_and_gets_a_fresh_history():
    srng = RandomStreams(5)
    u = srng.uniform((2,))
    f = theano.function([], u)
    f()
    srng2, u2 = pickle.loads(pickle.dumps((srng, u)))
    assert u2.rng is srng2.state_updates[0][0] and u2.update == srng2.state_updates[0]
    f2 = theano.function([], u2)
    np.testing.assert_array_equal(f2(), f())
    from symlab.random import history
    assert history(srng2).draws == 1 and history(u2).draws == 1
    srng2.seed(5)
    first = theano.function([], RandomStreams(5).uniform((2,)))()
    np.testing.assert_array_equal(f2(), first)
