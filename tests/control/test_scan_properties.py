"""Random loops (taps on sequences and outputs, direction, step count) against NumPy.

The NumPy side follows Theano's documented rules by hand: each sequence tap
is the input cut so that row t is the value at t + tap (reversed for
``go_backwards``), an output with taps down to -d starts from d initial
values, and the loop runs over the shortest cut sequence or ``n_steps``.
A quarter of the loops also have their gradient checked by finite
differences. 40 loops by default; ``SYMLAB_LOOP_EXAMPLES=1000`` (with
``HYPOTHESIS_PROFILE=dev`` for new ones each run) hunts longer.
"""

import os

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import symlab
import symlab.tensor as T
from symlab import Mode, function
from symlab.gradient import verify_grad
from symlab.graph.evaluate import evaluate

NO_REWRITES = Mode(optimizer=None)

loops = st.fixed_dictionaries({
    "seq_taps": st.lists(st.integers(-2, 2), min_size=1, max_size=3, unique=True),
    "out_taps": st.lists(st.integers(-3, -1), min_size=1, max_size=3, unique=True),
    "backwards": st.booleans(),
    "cut": st.integers(0, 2),          # n_steps this many fewer than the sequence allows
    "give_n_steps": st.booleans(),
    "length": st.integers(3, 7),
    "seed": st.integers(0, 2 ** 16),
})


def numpy_loop(xs, init, seq_taps, out_taps, backwards, n, coefficients):
    low, high = min(min(seq_taps), 0), max(max(seq_taps), 0)
    length = len(xs)
    slices = []
    for tap in seq_taps:
        piece = xs[tap - low:length - (high - tap)]
        slices.append(piece[::-1] if backwards else piece)
    depth = -min(out_taps)
    values = list(init) if out_taps != [-1] else [init]
    a, b = coefficients
    for t in range(n):
        total = sum(c * s[t] for c, s in zip(a, slices))
        total += sum(c * values[depth + t + o] for c, o in zip(b, out_taps))
        values.append(np.tanh(total))
    return np.array(values[depth:])


@settings(max_examples=int(os.environ.get("SYMLAB_LOOP_EXAMPLES", "40")), deadline=None)
@given(loop=loops)
def test_random_loops_agree_with_numpy(loop):
    rng = np.random.default_rng(loop["seed"])
    seq_taps, out_taps = loop["seq_taps"], loop["out_taps"]
    available = loop["length"] - (max(max(seq_taps), 0) - min(min(seq_taps), 0))
    if available < 1:
        return
    n = max(available - loop["cut"], 0)
    a = rng.uniform(-1, 1, len(seq_taps))
    b = rng.uniform(-1, 1, len(out_taps))
    x = T.dvector("x")
    depth = -min(out_taps)
    window = out_taps != [-1]
    init = T.dvector("init") if window else T.dscalar("init")

    def step(*args):
        seq_args, out_args = args[:len(seq_taps)], args[len(seq_taps):]
        total = sum(c * v for c, v in zip(a, seq_args))
        total = total + sum(c * v for c, v in zip(b, out_args))
        return T.tanh(total)

    def loop_of(x, init):
        out, _ = symlab.scan(step, sequences=dict(input=x, taps=seq_taps),
                             outputs_info=dict(initial=init, taps=out_taps),
                             n_steps=n if loop["give_n_steps"] else None,
                             go_backwards=loop["backwards"])
        return out

    out = loop_of(x, init)
    xs = rng.standard_normal(loop["length"])
    init_value = rng.standard_normal(depth) if window else np.float64(rng.standard_normal())
    if loop["seed"] % 4 == 0:       # a quarter of them: the gradient by finite differences
        verify_grad(loop_of, [xs, init_value], n_tests=1)
    steps = n if loop["give_n_steps"] else available
    expected = numpy_loop(xs, init_value, seq_taps, out_taps, loop["backwards"], steps, (a, b))
    for got in (function([x, init], out)(xs, init_value),
                function([x, init], out, mode=NO_REWRITES)(xs, init_value),
                evaluate(out, {x: xs, init: init_value})):
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)
