"""``In(update=...)``, ``In(autoname=...)`` and Theano's input shortcuts.

Theano's documented behaviour (its ``compile/io`` page), in our words: an input
with ``update`` is a value the function keeps; a call that omits it uses the
kept value, a call that passes one uses that; after each call the kept value
becomes the update's. ``f[...]`` reads and sets kept values. Each check runs
the same recurrence by hand in plain Python/NumPy beside the function.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import symlab as theano
import symlab.tensor as T
from symlab import In, function


def test_kept_value_follows_a_python_loop():
    u, x, s = T.scalars("u", "x", "s")
    inc = function([u, In(x, value=3), In(s, update=s + x * u, value=10.0)], [])
    kept = 10.0
    for args in [(5,), (3, 4), (2,), (3, 4, 7), (1, 2)]:
        assert inc(*args) == []
        uu, xx = args[0], args[1] if len(args) > 1 else 3
        ss = args[2] if len(args) > 2 else kept
        kept = ss + xx * uu
        assert float(inc[s]) == kept
        assert float(inc[x]) == 3.0      # an override of x lasts one call


@given(st.lists(st.floats(-10, 10), min_size=1, max_size=8))
def test_outputs_read_the_value_before_the_update(steps):
    u, s = T.dscalars("u", "s")
    g = function([u, In(s, update=s + u, value=np.float64(0.5))], s * 2)
    total = 0.5
    for step in steps:
        assert float(g(step)) == pytest.approx(2 * total)
        total += step
    assert float(g[s]) == pytest.approx(total)


def test_vector_state_is_an_accumulator():
    x = T.dvector("x")
    acc = T.dvector("acc")
    f = function([x, In(acc, value=np.zeros(3), update=acc + x ** 2)], acc.sum())
    rng = np.random.default_rng(0)
    expected = np.zeros(3)
    for _ in range(4):
        v = rng.normal(size=3)
        assert float(f(v)) == pytest.approx(expected.sum())
        expected = expected + v ** 2
    np.testing.assert_allclose(f[acc], expected)


def test_keyword_and_indexing_by_name_variable_and_position():
    a, b, c = T.scalars("xys")                  # c's name is 's'
    fn = function([a, b, ((c, c + a + b), 10.0)], [])
    assert fn["s"] is fn.value[c]
    assert fn[2] is fn[c]
    fn(1, 2)
    assert float(fn["s"]) == 13.0
    fn["s"] = 99.0
    fn(1, 0)
    assert float(fn["s"]) == 100.0
    fn.value[c] = 99.0
    fn(1, 0)
    assert float(fn[c]) == 100.0
    assert fn(1, 0, s=5.0) == [] and float(fn[c]) == 6.0
    with pytest.raises(KeyError, match="no input"):
        fn["nope"]


def test_theanos_shortcut_example():
    x, y, z, w = T.scalar(), T.scalar("y"), T.scalar("z"), T.scalar("w")
    fn = theano.function([x, y, In(z, value=42), ((w, w + x), 0)], x + y + z)
    with pytest.raises(TypeError, match="Missing required input: y"):
        fn(1)
    got = [fn(1, 2), fn(1, y=2), fn(1, 2, 3), fn(1, z=3, y=2), fn(1, 2, w=400), fn(1, 2)]
    assert [float(v) for v in got] == [45.0, 45.0, 6.0, 6.0, 45.0, 45.0]
    assert float(fn[w]) == 402.0
    with pytest.raises(TypeError, match="no input named 'x'"):
        fn(x=1, y=2)


def test_name_shortcuts():
    x = T.dscalar("x")
    f = function([("a", x)], x + 1)
    assert float(f(a=2.0)) == 3.0
    g = function([("b", x, 5.0)], x * 2)
    assert float(g()) == 10.0 and float(g(b=1.0)) == 2.0
    s = T.dscalar("s")
    h = function([x, ("t", (s, s + x), 1.0)], s)
    assert float(h(2.0)) == 1.0 and float(h(t=10.0, x=0.5)) == 10.0 and float(h[s]) == 10.5
    with pytest.raises(TypeError, match="input 0"):
        function([(x, 1.0, 2.0, 3.0)], x)


def test_autoname_false_gives_no_keyword():
    a = T.scalar("a")
    assert In(a).name == "a"
    assert In(a, autoname=False).name is None
    assert In(a, name="b", autoname=False).name == "b"
    f = function([In(a, autoname=False)], a * 2)
    assert float(f(3)) == 6.0
    with pytest.raises(TypeError, match="no input named 'a'"):
        f(a=3)


def test_update_without_value_needs_the_first_call_to_pass_it():
    u, s = T.dscalars("u", "s")
    f = function([u, In(s, update=s * u)], s)
    assert f[s] is None
    with pytest.raises(TypeError, match="Missing required input"):
        f(2.0)
    assert float(f(2.0, 3.0)) == 3.0
    assert float(f(2.0)) == 6.0 and float(f[s]) == 12.0


def test_a_failing_call_keeps_the_kept_value():
    v, s = T.dvector("v"), T.dvector("s")
    f = function([v, In(s, value=np.ones(2), update=s + v)], s.sum())
    with pytest.raises(ValueError):
        f(np.ones(3))
    np.testing.assert_array_equal(f[s], np.ones(2))


def test_update_and_shared_update_together_and_printing():
    u, s = T.dscalars("u", "s")
    counter = theano.shared(0, name="counter")
    f = function([u, In(s, value=1.0, update=s * u)], s, updates=[(counter, counter + 1)])
    for _ in range(3):
        f(2.0)
    assert float(f[s]) == 8.0 and counter.get_value() == 3
    text = theano.printing.debugprint(f, file="str")
    assert "update of s" in text and "update of counter" in text
    theano.printing.to_json(f)      # the update targets are variables of the graph


def test_bad_updates_are_refused():
    s = T.dscalar("s")
    with pytest.raises(TypeError, match="update must be a symbolic expression"):
        In(s, value=1.0, update=3.0)
    v = T.dvector("v")
    with pytest.raises(TypeError, match="the update of input 0"):
        function([In(s, value=1.0, update=v)], s)
    with pytest.raises(NotImplementedError):
        In(s, value=1.0, implicit=True)
