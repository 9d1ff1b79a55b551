"""Compile time of symlab functions: rewrites plus lowering, for growing graphs.

Run: ``.venv/bin/python benchmarks/bench_compile.py`` (add ``--quick`` for
fewer repeats, ``--wide`` for the wide graphs too). It first checks that
every compiled function gives the answer of the same computation written
in NumPy, then prints one table: for each case, the number of Apply nodes
before optimization, the number of rewrite events in the trace, the median
time of ``symlab.function(...)`` (the whole compile: graph checks,
rewrites, lowering; the import is not timed), the median time of the
rewrites alone (``symlab.rewrite.optimize`` on a fresh ``FunctionGraph``)
and of the lowering alone (``numpy_backend.lower`` of an optimized graph),
the compile time per node, and the growth of the compile time relative to
the previous, 4 times larger, graph of the same kind (linear growth reads
about 4.0x). The compile runs the default mode, so it measures whatever
passes ``symlab.rewrite.passes`` lists.

Cases:

* ``logistic``: ``1 / (1 + exp(-x))`` on a dmatrix, the tutorial function.
* ``chain N``: a chain of exactly N elementwise nodes on a dvector ``x``,
  cycling through eight steps that mix unary and binary ops, some of which
  the canonicalize rewrites touch::

      y = sin(y)           unary
      y = y * 1.0001       binary with a constant (sort_commutative_inputs puts it first,
                           in the one reordering event that ends canonicalize)
      y = y + x            binary on the input (sort_commutative_inputs puts x first)
      y = tanh(y)          unary
      y = y - 0.5          binary, not commutative
      y = exp(y)           unary
      y = log(y)           log_exp turns log(exp(y)) into y
      y = y * 1            mul_by_one drops it

  ``sin`` and ``tanh`` keep the values bounded however long the chain.
  (No step uses a value twice, as ``y * y`` would: fusing a long chain of
  those currently takes time and memory exponential in its length, in
  ``FusedElemwise.name``.)
  Canonicalize fires on every other node of the chain, but a local pass
  sweeps the graph at most ``engine.MAX_SWEEPS`` (50) times and on a chain
  each sweep applies one rewrite (the rest of that sweep lies downstream
  of it, rebuilt), so from 100 nodes on canonicalize stops after 50 events
  and leaves the rest of the chain as it was: the events column shows it.
* ``wide N`` (with ``--wide``): N/4 short branches ``sin(x * c_k) + x``
  summed by a balanced tree of adds, about N nodes. Each branch gives two
  rewrite events that rebuild only its path to the output: many events,
  each touching a small part of the graph.

Clock: wall time (``time.perf_counter``); ``--cpu`` times this process's
CPU time instead (``time.process_time``), steadier on a machine shared
with other work.

Fair timing: every run builds its graph afresh (new variables and nodes)
outside the timed region, and clears the backend's generated-code cache
(``numpy_backend._CODE_CACHE``) first, so each compile pays Python's
``compile()`` of the generated source as a first compile would. Each
timed region starts after a full garbage collection, so it pays for the
collections its own allocations cause (the rewrite engine pauses the
collector while rewriting: the compile column includes the collection
that follows), not for the garbage of earlier runs. Caches
that persist across a session in real use (``_natural_dtype``'s probe of
NumPy result dtypes) stay warm: one untimed compile runs first.
"""

import argparse
import gc
import statistics
import sys
import time

import numpy as np

import symlab
import symlab.tensor as T
from symlab.backends import numpy_backend
from symlab.graph.fgraph import FunctionGraph
from symlab.rewrite import optimize

#: The eight steps of a chain: (symbolic step, NumPy step), each one elementwise node.
CHAIN_STEPS = [
    (lambda y, x: T.sin(y), lambda y, x: np.sin(y)),
    (lambda y, x: y * 1.0001, lambda y, x: y * 1.0001),
    (lambda y, x: y + x, lambda y, x: y + x),
    (lambda y, x: T.tanh(y), lambda y, x: np.tanh(y)),
    (lambda y, x: y - 0.5, lambda y, x: y - 0.5),
    (lambda y, x: T.exp(y), lambda y, x: np.exp(y)),
    (lambda y, x: T.log(y), lambda y, x: np.log(y)),
    (lambda y, x: y * 1, lambda y, x: y * 1),
]

CHAIN_SIZES = (50, 200, 800, 3200)
WIDE_SIZES = (200, 800, 3200)


def build_logistic():
    """Return (inputs, outputs) of the logistic function on a fresh dmatrix."""
    x = T.dmatrix("x")
    return [x], [1 / (1 + T.exp(-x))]


def logistic_numpy(x):
    return 1 / (1 + np.exp(-x))


def build_chain(n):
    """Return (inputs, outputs) of a fresh chain of ``n`` elementwise nodes."""
    x = T.dvector("x")
    y = x
    for k in range(n):
        y = CHAIN_STEPS[k % len(CHAIN_STEPS)][0](y, x)
    return [x], [y]


def chain_numpy(n):
    """The NumPy twin of ``build_chain(n)``."""
    def run(x):
        y = x
        for k in range(n):
            y = CHAIN_STEPS[k % len(CHAIN_STEPS)][1](y, x)
        return y
    return run


def build_wide(n):
    """Return (inputs, outputs) of a fresh tree of ``n // 4`` branches (about n nodes)."""
    x = T.dvector("x")
    branches = n // 4
    terms = [T.sin(x * (1.0 + k / branches)) + x for k in range(branches)]
    return [x], [_tree_sum(terms, lambda a, b: a + b)]


def wide_numpy(n):
    """The NumPy twin of ``build_wide(n)``."""
    def run(x):
        branches = n // 4
        terms = [np.sin(x * (1.0 + k / branches)) + x for k in range(branches)]
        return _tree_sum(terms, np.add)
    return run


def _tree_sum(terms, add):
    while len(terms) > 1:
        terms = [add(terms[i], terms[i + 1]) if i + 1 < len(terms) else terms[i]
                 for i in range(0, len(terms), 2)]
    return terms[0]


def cases(wide=False):
    """Return (name, build, numpy function, argument) for each case."""
    rng = np.random.default_rng(0)
    result = [("logistic", build_logistic, logistic_numpy, rng.standard_normal((3, 4)))]
    for n in CHAIN_SIZES:
        result.append((f"chain {n}", lambda n=n: build_chain(n), chain_numpy(n),
                       rng.standard_normal(5)))
    for n in WIDE_SIZES if wide else ():
        result.append((f"wide {n}", lambda n=n: build_wide(n), wide_numpy(n),
                       rng.standard_normal(5)))
    return result


def check(all_cases):
    """Return {case name: error} for the cases that fail to compile.

    Raises AssertionError unless every function that compiles matches its
    NumPy twin.
    """
    failures = {}
    for name, build, by_hand, arg in all_cases:
        inputs, outputs = build()
        try:
            compiled = symlab.function(inputs, outputs[0])
        except Exception as exc:            # reported in the table, and by the exit status
            failures[name] = f"{type(exc).__name__}: {exc}".splitlines()[0][:70]
            continue
        got, want = compiled(arg), by_hand(arg)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)
        assert np.asarray(got).dtype == np.asarray(want).dtype, name
    return failures


def _fresh():
    numpy_backend._CODE_CACHE.clear()


def time_compile(build, clock=time.perf_counter):
    """Seconds for one ``symlab.function`` of a freshly built graph."""
    inputs, outputs = build()
    _fresh()
    gc.collect()
    start = clock()
    symlab.function(inputs, outputs[0])
    return clock() - start


def count_events(build):
    """The number of rewrite events compiling a fresh graph records."""
    inputs, outputs = build()
    return len(symlab.function(inputs, outputs[0]).trace)


def time_rewrites(build, clock=time.perf_counter):
    """Seconds for the default rewrites on a fresh FunctionGraph of a fresh graph."""
    inputs, outputs = build()
    fgraph = FunctionGraph(inputs, outputs)
    gc.collect()
    start = clock()
    optimize(fgraph)
    return clock() - start


def time_lowering(build, clock=time.perf_counter):
    """Seconds for lowering an optimized graph (rewrites done outside the timed region)."""
    inputs, outputs = build()
    fgraph = FunctionGraph(inputs, outputs)
    optimize(fgraph)
    _fresh()
    gc.collect()
    start = clock()
    numpy_backend.lower(fgraph, copy_outputs=[0])
    return clock() - start


def median(measure, build, repeat, clock):
    return statistics.median(measure(build, clock) for _ in range(repeat))


def main(argv=None):
    """Check, measure and print the table; return 0, or 1 if a case failed to compile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    parser.add_argument("--wide", action="store_true", help="also the wide graphs")
    parser.add_argument("--cpu", action="store_true",
                        help="time CPU time (time.process_time) instead of wall time")
    args = parser.parse_args(argv)
    clock = time.process_time if args.cpu else time.perf_counter
    repeat = 3 if args.quick else 7
    all_cases = cases(wide=args.wide)
    failures = check(all_cases)
    print("outputs checked against NumPy: ok" + (" (where it compiled)" if failures else ""))
    print(f"{'case':<12} {'nodes':>6} {'events':>7} {'compile ms':>11} {'rewrites ms':>12} "
          f"{'lowering ms':>12} {'us/node':>8} {'growth':>7}")
    previous = {}
    for name, build, _, _ in all_cases:
        nodes = len(FunctionGraph(*build()).apply_nodes)
        if name in failures:                   # the rewrites alone may still be timed
            rewrites = median(time_rewrites, build, repeat, clock)
            print(f"{name:<12} {nodes:>6} {'':>7} {'FAILED':>11} {rewrites * 1e3:>12.2f}"
                  f"   compile: {failures[name][:40]}")
            continue
        events = count_events(build)           # also warms process-wide caches
        total = median(time_compile, build, repeat, clock)
        rewrites = median(time_rewrites, build, repeat, clock)
        lowering = median(time_lowering, build, repeat, clock)
        kind = name.split()[0]
        growth = f"{total / previous[kind]:.2f}x" if kind in previous else ""
        previous[kind] = total
        print(f"{name:<12} {nodes:>6} {events:>7} {total * 1e3:>11.2f} {rewrites * 1e3:>12.2f} "
              f"{lowering * 1e3:>12.2f} {total / nodes * 1e6:>8.1f} {growth:>7}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
