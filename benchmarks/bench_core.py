"""Time per call of compiled symlab functions beside hand-written NumPy.

Run: ``.venv/bin/python benchmarks/bench_core.py`` (add ``--quick`` for fewer repeats).
It first checks that each compiled function gives NumPy's answer, then
prints one table: median time per call and the ratio symlab / NumPy,
all measured in this one run.

Each elementwise workload is compiled twice: ``straight`` with blocked
kernels off (``SYMLAB_BLOCKED=0``: the full-array NumPy code of before) and
``blocked`` with them on (``SYMLAB_BLOCKED=1``, the other settings as
``symlab.backends.blocked`` reads them: its constants or the environment).
The settings used are printed first. Each is called as users call it (a
fresh result per call) and through ``Out(expr, borrow=True)``. NumPy and
the variants of a row are timed in turns (``median_seconds``), so that a
machine busy with other work slows them alike.
"""

import argparse
import os
import statistics
import sys
import timeit

import numpy as np

import symlab
import symlab.tensor as T
from symlab.backends import blocked


def logistic_numpy(x):
    return 1 / (1 + np.exp(-x))


def chain_numpy(x):
    for _ in range(200):
        x = np.tanh(x) + 0.5
    return x


def compiled(inputs, output, blocking, borrow=False):
    """``symlab.function(inputs, output)`` compiled with blocked kernels on or off."""
    saved = os.environ.get("SYMLAB_BLOCKED")
    os.environ["SYMLAB_BLOCKED"] = "1" if blocking else "0"
    try:
        return symlab.function(inputs, symlab.Out(output, borrow=True) if borrow else output)
    finally:
        if saved is None:
            del os.environ["SYMLAB_BLOCKED"]
        else:
            os.environ["SYMLAB_BLOCKED"] = saved


def build_workloads():
    """Return (name, numpy callable, args, {variant: symlab callable}) for each workload."""
    rng = np.random.default_rng(0)
    x = T.dmatrix("x")
    logistic = 1 / (1 + T.exp(-x))
    v = T.dvector("v")
    chain = v
    for _ in range(200):
        chain = T.tanh(chain) + 0.5
    a, b = T.dscalars("a", "b")
    add = symlab.function([a, b], a + b)
    workloads = []
    for label, inputs, expr, by_hand, value in (
            ("logistic 2x2", [x], logistic, logistic_numpy, rng.standard_normal((2, 2))),
            ("logistic 1000x1000", [x], logistic, logistic_numpy,
             rng.standard_normal((1000, 1000))),
            ("logistic 4000x4000", [x], logistic, logistic_numpy,
             rng.standard_normal((4000, 4000))),
            ("200 x (tanh(x) + 0.5), 10k", [v], chain, chain_numpy,
             rng.standard_normal(10_000))):
        for borrow in (False, True):
            name = label + (", Out(borrow)" if borrow else "")
            variants = {"straight": compiled(inputs, expr, False, borrow),
                        "blocked": compiled(inputs, expr, True, borrow)}
            workloads.append((name, by_hand, (value,), variants))
    sa, sb = np.float64(1.5), np.float64(2.25)
    workloads.append(("x + y, float64 scalars", np.add, (sa, sb), {"straight": add}))
    return workloads


def check(workloads):
    """Raise AssertionError unless every compiled function matches its NumPy twin."""
    for name, by_hand, args, variants in workloads:
        want = by_hand(*args)
        for variant, fn in variants.items():
            got = fn(*args)
            label = f"{name} ({variant})"
            np.testing.assert_allclose(got, want, rtol=1e-13, err_msg=label)
            assert np.asarray(got).dtype == np.asarray(want).dtype, label


def median_seconds(callables, args, repeat):
    """Median seconds per call of each of ``callables``, timed in turns (one run of each
    per round, ``repeat`` rounds), so that a machine busy with other work slows them alike."""
    timers = [timeit.Timer(lambda fn=fn: fn(*args)) for fn in callables]
    number = max(t.autorange()[0] for t in timers)
    times = [[] for _ in callables]
    for _ in range(repeat):
        for timer, seen in zip(timers, times):
            seen.append(timer.timeit(number) / number)
    return [statistics.median(seen) for seen in times]


def fmt(seconds):
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    return f"{seconds * 1e3:.2f} ms"


def settings_line():
    """The blocked-kernel settings the 'blocked' column was compiled with."""
    saved = os.environ.get("SYMLAB_BLOCKED")
    os.environ["SYMLAB_BLOCKED"] = "1"
    try:
        config = blocked.settings()
    finally:
        if saved is None:
            del os.environ["SYMLAB_BLOCKED"]
        else:
            os.environ["SYMLAB_BLOCKED"] = saved
    return (f"blocked: SYMLAB_BLOCKED=1, blocks of {config.block_elements} elements; "
            f"kernels with a sigmoid in blocks from {config.min_elements} elements, others "
            f"from max({config.min_elements}, {config.min_work} / steps); threads from "
            f"max({config.min_elements}, {config.min_work} / steps) elements, "
            f"{blocked.threads()} per call (os.cpu_count() {os.cpu_count()}, SYMLAB_THREADS "
            f"{os.environ.get('SYMLAB_THREADS', 'unset')}), each with "
            f"{blocked.MIN_THREAD_ELEMENTS} elements or more\n"
            f"straight: SYMLAB_BLOCKED=0 (the full-array NumPy code)")


def main(argv=None):
    """Check, measure and print the table; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 7
    workloads = build_workloads()
    check(workloads)
    print("outputs checked against NumPy: ok")
    print(settings_line())
    header = (f"{'workload':<40} {'NumPy by hand':>13} {'straight':>11} {'blocked':>11} "
              f"{'straight/NumPy':>15} {'blocked/NumPy':>14}")
    print(header)
    print("-" * len(header))
    for name, by_hand, call_args, variants in workloads:
        t_numpy, *measured = median_seconds([by_hand, *variants.values()], call_args, repeat)
        times = dict(zip(variants, measured))
        straight, fast = times.get("straight"), times.get("blocked")
        ratios = [f"{t / t_numpy:.2f}x" if t is not None else "—" for t in (straight, fast)]
        print(f"{name:<40} {fmt(t_numpy):>13} {fmt(straight):>11} {fmt(fast):>11} "
              f"{ratios[0]:>15} {ratios[1]:>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
