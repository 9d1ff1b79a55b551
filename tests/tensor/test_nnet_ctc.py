"""T.nnet.ctc: the CTC loss against a plain dynamic program in probability space and,
for tiny cases, against the sum over every alignment; gradients by central differences."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symlab as theano
import symlab.tensor as T
from symlab.gradient import verify_grad
from symlab.tensor.nnet.ctc import ConnectionistTemporalClassification, ctc, ctc_available


def softmax(acts):
    e = np.exp(acts - acts.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def collapse(path):
    """An alignment's labelling: repeats merged, then blanks (0) dropped."""
    merged = [s for i, s in enumerate(path) if i == 0 or s != path[i - 1]]
    return [s for s in merged if s != 0]


def brute_force_cost(acts, label):
    """-log of the summed probability of every alignment collapsing to ``label``."""
    probs = softmax(acts)
    steps, alphabet = probs.shape
    total = 0.0
    for path in itertools.product(range(alphabet), repeat=steps):
        if collapse(list(path)) == list(label):
            total += np.prod([probs[t, s] for t, s in enumerate(path)])
    return -np.log(total)


def dp_cost(acts, label):
    """Graves' forward recursion over the blank-padded labelling, in probabilities."""
    probs = softmax(acts)
    padded = [0]
    for s in label:
        padded += [s, 0]
    forward = np.zeros(len(padded))
    forward[0] = probs[0, 0]
    if len(padded) > 1:
        forward[1] = probs[0, padded[1]]
    for t in range(1, len(probs)):
        new = np.zeros_like(forward)
        for s, symbol in enumerate(padded):
            total = forward[s] + (forward[s - 1] if s >= 1 else 0.0)
            if s >= 2 and symbol != 0 and symbol != padded[s - 2]:
                total += forward[s - 2]
            new[s] = total * probs[t, symbol]
        forward = new
    return -np.log(forward[-1] + (forward[-2] if len(padded) > 1 else 0.0))


def symbols(dtype="float32"):
    return T.tensor3("acts", dtype=dtype), T.imatrix("labels"), T.ivector("lengths")


def run(acts, labels, lengths, dtype="float32"):
    a, l, n = symbols(dtype)
    return theano.function([a, l, n], ctc(a, l, n))(acts.astype(dtype),
                                                    np.asarray(labels, "int32"),
                                                    np.asarray(lengths, "int32"))


TINY = [([1], 3), ([1, 2], 3), ([2, 2], 4), ([1, 1], 3), ([], 3), ([2, 1, 2], 5),
        ([1, 2], 2)]


@pytest.mark.parametrize("label, steps", TINY)
def test_tiny_cases_against_every_alignment(label, steps):
    rng = np.random.default_rng(steps * 10 + len(label))
    acts = rng.normal(size=(steps, 1, 3))
    padded = np.full((1, max(1, len(label))), -1)
    padded[0, :len(label)] = label
    got = run(acts, padded, [steps], "float64")
    want = brute_force_cost(acts[:, 0], label)
    np.testing.assert_allclose(got, [want], rtol=1e-12)
    np.testing.assert_allclose(got, [dp_cost(acts[:, 0], label)], rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 4), st.integers(2, 6))
def test_batches_against_the_dynamic_program(seed, batch, alphabet):
    rng = np.random.default_rng(seed)
    steps = 8
    acts = rng.normal(size=(steps, batch, alphabet)) * 2
    lengths = rng.integers(3, steps + 1, size=batch)
    label_lengths = [int(rng.integers(0, (n + 1) // 2 + 1)) for n in lengths]
    labels = np.full((batch, max(label_lengths + [1])), -1)
    for b, k in enumerate(label_lengths):
        labels[b, :k] = rng.integers(1, alphabet, size=k)
    got = run(acts, labels, lengths, "float64")
    want = [dp_cost(acts[:n, b], labels[b][labels[b] >= 0]) for b, n in enumerate(lengths)]
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_float32_and_padding_in_the_middle():
    rng = np.random.default_rng(3)
    acts = rng.normal(size=(6, 2, 4))
    labels = [[1, -1, 3], [2, 2, -1]]
    got = run(acts, labels, [6, 5])
    assert got.dtype == np.float32
    want = [dp_cost(acts[:, 0], [1, 3]), dp_cost(acts[:5, 1], [2, 2])]
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_a_labelling_too_long_for_its_steps_costs_inf_with_zero_gradient():
    a, l, n = symbols("float64")
    cost = ctc(a, l, n)
    f = theano.function([a, l, n], [cost, theano.grad(cost.sum(), a)])
    got, g = f(np.zeros((2, 1, 3)), np.array([[1, 1]], "int32"), np.array([2], "int32"))
    assert got[0] == np.inf and not np.any(g)


def test_errors_name_the_inputs():
    a, l, n = symbols()
    f = theano.function([a, l, n], ctc(a, l, n))
    with pytest.raises(ValueError, match=r"lengths holds lengths \[4\], outside 0..3"):
        f(np.zeros((3, 1, 3), "float32"), np.array([[1]], "int32"), np.array([4], "int32"))
    with pytest.raises(ValueError, match=r"symbols must lie in 1..2 \(0 is the blank\)"):
        f(np.zeros((3, 1, 3), "float32"), np.array([[0]], "int32"), np.array([3], "int32"))
    with pytest.raises(ValueError, match="holds 1 sequences, but labels has 2 rows"):
        f(np.zeros((3, 1, 3), "float32"), np.zeros((2, 1), "int32"), np.array([3], "int32"))
    with pytest.raises(TypeError, match="activations must be a real 3-d tensor"):
        ctc(T.fmatrix("m"), l, n)
    with pytest.raises(TypeError, match="labels must be an integer matrix"):
        ctc(a, T.fmatrix("m"), n)
    assert ctc_available()


def test_gradient_by_central_differences():
    rng = np.random.default_rng(5)
    acts = rng.normal(size=(6, 3, 4))
    labels = np.array([[1, 2, 1], [3, -1, -1], [2, 2, -1]], "int32")
    lengths = np.array([6, 4, 5], "int32")
    l, n = T.constant(labels), T.constant(lengths)
    verify_grad(lambda a: ctc(a, l, n), [acts])


def test_gradient_is_softmax_minus_posterior_and_zero_past_the_length():
    rng = np.random.default_rng(6)
    acts = rng.normal(size=(5, 1, 3))
    a, l, n = symbols("float64")
    g = theano.function([a, l, n], theano.grad(ctc(a, l, n).sum(), a))(
        acts, np.array([[1]], "int32"), np.array([4], "int32"))
    assert not np.any(g[4])
    np.testing.assert_allclose(g[:4].sum(axis=-1), 0, atol=1e-12)   # softmax - posterior
    op = ConnectionistTemporalClassification()
    assert len(op(a, l, n)) == 2
