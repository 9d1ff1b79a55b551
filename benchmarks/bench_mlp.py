"""Time per training step of an MLP in symlab beside the same step in hand-written NumPy.

The model of issue 5: 784-256-10, tanh hidden layer, softmax + cross-entropy
on integer labels, batch 128, float32, plain SGD on shared variables.
Run: ``.venv/bin/python benchmarks/bench_mlp.py`` (add ``--quick`` for fewer steps).
It first checks a few steps of each compiled function against NumPy (float32
tolerances), then prints one table: median time per step (forward, backward
and update) and the ratio symlab / NumPy, the two steps timed in turns in
this one run, with the ratio of their best times (steadier on a busy
machine); and what the optimizer did to the FAST_RUN graph.
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

import symlab
import symlab.tensor as T
from symlab import Mode

N_IN, N_HIDDEN, N_OUT = 784, 256, 10
BATCH = 128
N_BATCHES = 8
RATE = np.float32(0.1)   # a float32 constant: a Python 0.1 would make the updates float64
CHECK_STEPS = 3
MODES = [("FAST_RUN", Mode(optimizer="fast_run")), ("no rewrites", Mode(optimizer=None))]


def make_problem(seed=0):
    """Initial parameters (Glorot-uniform weights, zero biases) and batches of MNIST-sized data."""
    rng = np.random.default_rng(seed)

    def glorot(n_in, n_out):
        bound = np.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-bound, bound, size=(n_in, n_out)).astype("float32")

    params = [glorot(N_IN, N_HIDDEN), np.zeros(N_HIDDEN, "float32"),
              glorot(N_HIDDEN, N_OUT), np.zeros(N_OUT, "float32")]
    batches = [(rng.random((BATCH, N_IN), dtype="float32"),
                rng.integers(0, N_OUT, size=BATCH).astype("int32")) for _ in range(N_BATCHES)]
    return params, batches


def build_symlab(params, mode):
    """The compiled training step (returns the mean cost) and its shared parameters."""
    x = T.fmatrix("x")
    y = T.ivector("y")
    shared = [symlab.shared(p.copy(), name=n) for p, n in zip(params, ("W1", "b1", "W2", "b2"))]
    w1, b1, w2, b2 = shared
    hidden = T.tanh(T.dot(x, w1) + b1)
    probabilities = T.nnet.softmax(T.dot(hidden, w2) + b2)
    cost = T.nnet.categorical_crossentropy(probabilities, y).mean()
    grads = T.grad(cost, shared)
    step = symlab.function([x, y], cost,
                           updates=[(p, p - RATE * g) for p, g in zip(shared, grads)], mode=mode)
    return step, shared


class NumpyMLP:
    """The same training step written by hand: forward, backward, in-place SGD update."""

    def __init__(self, params):
        self.params = [p.copy() for p in params]

    def step(self, x, y):
        w1, b1, w2, b2 = self.params
        hidden = np.tanh(x @ w1 + b1)
        logits = hidden @ w2 + b2
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        p = exp / exp.sum(axis=1, keepdims=True)
        rows = np.arange(len(y))
        cost = -np.log(p[rows, y]).mean()
        d_logits = p                       # softmax + cross-entropy: p - onehot(y), over the batch
        d_logits[rows, y] -= 1
        d_logits /= len(y)
        d_pre = (d_logits @ w2.T) * (1 - hidden * hidden)
        w2 -= RATE * (hidden.T @ d_logits)
        b2 -= RATE * d_logits.sum(axis=0)
        w1 -= RATE * (x.T @ d_pre)
        b1 -= RATE * d_pre.sum(axis=0)
        return cost


def check(params, batches):
    """Raise AssertionError unless each compiled step tracks NumPy for a few steps."""
    for label, mode in MODES:
        step, shared = build_symlab(params, mode)
        by_hand = NumpyMLP(params)
        for k in range(CHECK_STEPS):
            x, y = batches[k % len(batches)]
            got, want = step(x, y), by_hand.step(x, y)
            assert np.asarray(got).dtype == np.float32, f"{label}: cost is {np.asarray(got).dtype}"
            np.testing.assert_allclose(got, want, rtol=1e-5, err_msg=f"{label} cost, step {k}")
            for var, ref in zip(shared, by_hand.params):
                value = var.get_value()
                assert value.dtype == np.float32, f"{label}: {var.name} became {value.dtype}"
                np.testing.assert_allclose(value, ref, rtol=1e-4, atol=1e-6,
                                           err_msg=f"{label} {var.name}, step {k}")


def paired_step_seconds(steps, batches, n_steps, warmup=5):
    """Seconds of each call of each ``step(x, y)``: a list per step, ``n_steps`` long.

    The steps take turns (their order alternating from one round to the
    next), so that a busy machine slows them alike; compare medians or bests.
    """
    for k in range(warmup):
        for step in steps:
            step(*batches[k % len(batches)])
    times = [[] for _ in steps]
    for k in range(n_steps):
        x, y = batches[k % len(batches)]
        order = range(len(steps)) if k % 2 == 0 else reversed(range(len(steps)))
        for j in order:
            start = time.perf_counter()
            steps[j](x, y)
            times[j].append(time.perf_counter() - start)
    return times


def fmt(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:9.2f} us"
    return f"{seconds * 1e3:9.2f} ms"


def describe_graph(step):
    """One line: nodes before and after optimization, and how often fusion and inplace fired."""
    fired = step.trace.rewrite_names()
    return (f"FAST_RUN graph: {len(step.graph_before.apply_nodes)} nodes before rewrites, "
            f"{len(step.fgraph.apply_nodes)} after; fuse_elementwise fired "
            f"{fired.count('fuse_elementwise')}x, inplace_elemwise fired "
            f"{fired.count('inplace_elemwise')}x")


def main(argv=None):
    """Check, measure and print the table; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 timed steps instead of 200")
    args = parser.parse_args(argv)
    n_steps = 30 if args.quick else 200
    params, batches = make_problem()
    check(params, batches)
    print(f"{CHECK_STEPS} steps checked against NumPy (float32 tolerances): ok")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (a busy machine "
          f"widens the gap between median and best)")
    title = f"MLP {N_IN}-{N_HIDDEN}-{N_OUT} step, batch {BATCH}"
    print(f"{'workload (float32), median per step':<44} {'NumPy by hand':>14} {'symlab':>14} "
          f"{'symlab/NumPy':>13} {'best/best':>10}")
    for label, mode in MODES:
        step, _ = build_symlab(params, mode)
        t_numpy, t_symlab = paired_step_seconds([NumpyMLP(params).step, step], batches, n_steps)
        median_numpy, median_symlab = statistics.median(t_numpy), statistics.median(t_symlab)
        name = f"{title}, {label}"
        print(f"{name:<44} {fmt(median_numpy):>14} {fmt(median_symlab):>14} "
              f"{median_symlab / median_numpy:>12.2f}x {min(t_symlab) / min(t_numpy):>9.2f}x")
    print(describe_graph(build_symlab(params, MODES[0][1])[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
