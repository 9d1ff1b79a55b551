"""Time per call of compiled symlab functions beside hand-written NumPy.

Run: ``.venv/bin/python benchmarks/bench_core.py`` (add ``--quick`` for fewer repeats).
It first checks that each compiled function gives NumPy's answer, then
prints one table: median time per call and the ratio symlab / NumPy,
all measured in this one run.
"""

import argparse
import statistics
import sys
import timeit

import numpy as np

import symlab
import symlab.tensor as T


def logistic_numpy(x):
    return 1 / (1 + np.exp(-x))


def build_workloads():
    """Return (name, symlab callable, numpy callable, args) for each workload."""
    rng = np.random.default_rng(0)
    x = T.dmatrix("x")
    logistic = symlab.function([x], 1 / (1 + T.exp(-x)))
    a, b = T.dscalars("a", "b")
    add = symlab.function([a, b], a + b)
    small = rng.standard_normal((2, 2))
    large = rng.standard_normal((1000, 1000))
    sa, sb = np.float64(1.5), np.float64(2.25)
    return [
        ("logistic 2x2 float64", logistic, logistic_numpy, (small,)),
        ("logistic 1000x1000 float64", logistic, logistic_numpy, (large,)),
        ("x + y on float64 scalars", add, np.add, (sa, sb)),
    ]


def check(workloads):
    """Raise AssertionError unless every compiled function matches its NumPy twin."""
    for name, compiled, by_hand, args in workloads:
        got, want = compiled(*args), by_hand(*args)
        np.testing.assert_allclose(got, want, rtol=1e-14, err_msg=name)
        assert np.asarray(got).dtype == np.asarray(want).dtype, name


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
