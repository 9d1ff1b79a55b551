"""scan(..., strict=True): which step functions are refused, and how, as in Theano 1.0.5.

Theano raises MissingInputError (a ValueError here, as symlab's) for a shared variable
the step reads, directly or through a value computed before the loop, that is not in
non_sequences; it lets through variables that are not shared, random states and the
shared variables the step updates. The outcomes were recorded by
dev/theano_reference/scan_strict.py.
"""

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import function, shared
from symlab.graph.fgraph import MissingInputError
from symlab.tensor.shared_randomstreams import RandomStreams

# name -> the shared variable Theano named as missing, or None where it accepted the step
THEANO_STRICT = {
    "shared": "W", "shared_given": None, "shared_via_outer": "W", "plain_input": None,
    "plain_computed": None, "random_inside": None, "random_outside": None,
    "updated_by_fn": None,
}


def cases():
    """The recorded cases, built on fresh variables: name -> (fn, non_sequences, inputs)."""
    x = T.dvector("x")
    W = shared(np.full(2, 3.0), name="W")
    count = shared(np.zeros(2), name="count")
    srng = RandomStreams(1)
    outside = srng.uniform((2,))
    doubled_W, doubled_x = W * 2, x * 2
    return {
        "shared": (lambda h: h * W, [], []),
        "shared_given": (lambda h, W: h * W, [W], []),
        "shared_via_outer": (lambda h: h + doubled_W, [], []),
        "plain_input": (lambda h: h * x, [], [x]),
        "plain_computed": (lambda h: h + doubled_x, [], [x]),
        "random_inside": (lambda h: h * srng.uniform((2,)), [], []),
        "random_outside": (lambda h: h + outside, [], []),
        "updated_by_fn": (lambda h: (h + count, {count: count + 1}), [], []),
    }


def build(fn, non_sequences):
    return symlab.scan(fn, outputs_info=T.zeros((2,)), non_sequences=non_sequences,
                       n_steps=2, strict=True)


@pytest.mark.parametrize("name", sorted(THEANO_STRICT))
def test_strict_refuses_what_theano_refused(name):
    fn, non_sequences, inputs = cases()[name]
    missing = THEANO_STRICT[name]
    if missing is None:
        out, updates = build(fn, non_sequences)
        value = function(inputs, out, updates=updates)(*[np.ones(2)] * len(inputs))
        assert value.shape == (2, 2)
        return
    with pytest.raises(MissingInputError) as info:
        build(fn, non_sequences)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert message.startswith("scan(strict=True): fn reads the shared variable(s) W")
    assert "non_sequences" in message


def test_the_value_read_through_is_named_too():
    W = shared(np.ones(2), name="W")
    scaled = (W * 2).astype("float64")
    scaled.name = "scaled_W"
    with pytest.raises(MissingInputError, match=r"shared variable\(s\) W \(through scaled_W\)"):
        build(lambda h: h + scaled, [])


def test_every_hidden_shared_variable_is_named_once():
    A, B = shared(np.ones(2), name="A"), shared(np.ones(2), name="B")
    with pytest.raises(MissingInputError, match=r"variable\(s\) A, B without"):
        build(lambda h: h * A + B * A, [])
    with pytest.raises(MissingInputError, match=r"variable\(s\) B without"):
        build(lambda h, A: h * A + B, [A])

