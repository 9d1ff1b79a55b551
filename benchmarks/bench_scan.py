"""Time per call of a 1,000-step scan beside the same loop written by hand in NumPy.

Run: ``.venv/bin/python benchmarks/bench_scan.py`` (``--quick`` for fewer repeats).
The recurrence is ``h[t] = tanh(W h[t-1] + x[t])`` with a hidden state of 32,
over 1,000 steps: the forward loop alone, and the loop with its gradient
(the cost ``sum(h ** 2)`` and its gradients for W, x and h0, by
backpropagation through time) beside a hand-written NumPy BPTT. It first
checks each compiled function against NumPy, then prints the median time
per call and the ratio symlab / NumPy, all measured in this one run.
"""

import argparse
import statistics
import sys
import timeit

import numpy as np

import symlab
import symlab.tensor as T
from symlab.gradient import grad

STEPS, HIDDEN = 1000, 32


def forward_numpy(x, W, h0):
    h, hs = h0, np.empty((len(x), len(h0)))
    for t in range(len(x)):
        h = np.tanh(W @ h + x[t])
        hs[t] = h
    return hs


def bptt_numpy(x, W, h0):
    hs = forward_numpy(x, W, h0)
    cost = np.sum(hs ** 2)
    dW, dx, dh = np.zeros_like(W), np.empty_like(x), np.zeros_like(h0)
    for t in range(len(x) - 1, -1, -1):
        du = (2 * hs[t] + dh) * (1 - hs[t] ** 2)
        dW += np.outer(du, hs[t - 1] if t else h0)
        dx[t] = du
        dh = W.T @ du
    return [cost, dW, dx, dh]


def build_workloads():
    """Return (name, symlab callable, numpy callable, args) for each workload."""
    rng = np.random.default_rng(0)
    X, W, h0 = T.dmatrix("x"), T.dmatrix("W"), T.dvector("h0")
    hs, _ = symlab.scan(lambda x_t, h, W: T.tanh(T.dot(W, h) + x_t), sequences=X,
                        outputs_info=h0, non_sequences=W, name="rnn")
    forward = symlab.function([X, W, h0], hs)
    cost = T.sum(hs ** 2)
    backward = symlab.function([X, W, h0], [cost] + grad(cost, [W, X, h0]))
    args = (rng.standard_normal((STEPS, HIDDEN)) * 0.5,
            rng.standard_normal((HIDDEN, HIDDEN)) / np.sqrt(HIDDEN), np.zeros(HIDDEN))
    return [
        (f"scan {STEPS} steps, hidden {HIDDEN}", forward, forward_numpy, args),
        ("  with BPTT gradients", backward, bptt_numpy, args),
    ]


def check(workloads):
    """Raise AssertionError unless every compiled function matches its NumPy twin."""
    for name, compiled, by_hand, args in workloads:
        got, want = compiled(*args), by_hand(*args)
        for g, w in zip(got if isinstance(got, list) else [got],
                        want if isinstance(want, list) else [want]):
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12, err_msg=name)


def median_seconds(fn, args, repeat):
    """Median seconds per call over ``repeat`` timing runs (each long enough to be stable)."""
    timer = timeit.Timer(lambda: fn(*args))
    number, _ = timer.autorange()
    return statistics.median(t / number for t in timer.repeat(repeat=repeat, number=number))


def fmt(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:9.2f} us"
    return f"{seconds * 1e3:9.2f} ms"


def main(argv=None):
    """Check, measure and print the table; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 7
    workloads = build_workloads()
    check(workloads)
    print("outputs checked against NumPy: ok")
    print(f"{'workload':<30} {'NumPy by hand':>14} {'symlab':>14} {'symlab/NumPy':>13}")
    for name, compiled, by_hand, call_args in workloads:
        t_numpy = median_seconds(by_hand, call_args, repeat)
        t_symlab = median_seconds(compiled, call_args, repeat)
        print(f"{name:<30} {fmt(t_numpy):>14} {fmt(t_symlab):>14} {t_symlab / t_numpy:>12.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
