"""One graph compiled for the CPU and for 'cuda', called on the same values, compared.

Used with the host stand-in for CuPy here (``host_backend``) and with real
CuPy on a GPU (``cupy``): ``check_case`` takes a ``graph_generator.Case``
(random well-typed graphs with shared variables and updates, from
``tests/rewrite/graph_generator.py``), gives each shared variable a twin on
'cuda' (the same value; ``givens`` swaps it in), compiles both functions with
the same mode and compares every output and every updated value: integers
and booleans exactly, floats within a tolerance scaled by the largest value
they were computed from (the GPU's math library and its reduction order
differ from NumPy's by a few units in the last place).
"""

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "rewrite"))

from graph_generator import EPS, RngChooser, generate  # noqa: E402

from symlab import function, shared  # noqa: E402

RTOL = {"float32": 1e-4, "float64": 1e-10}


def cases(seeds):
    """Generated cases, one per seed."""
    for seed in seeds:
        yield seed, generate(RngChooser(np.random.default_rng(seed)))


def _rtol(expr):
    return RTOL["float32"] if expr.eps > EPS["float64"] else RTOL["float64"]


def compare(label, got, want, expr):
    """Problems (strings) with the device result ``got`` against the CPU's ``want``."""
    got, want = np.asarray(got), np.asarray(want)
    if got.dtype != want.dtype or got.shape != want.shape:
        return [f"{label}: {got.dtype}{got.shape} on the device, {want.dtype}{want.shape} on "
                "the CPU"]
    if want.dtype.kind != "f":
        if not np.array_equal(got, want):
            return [f"{label}: {got!r} on the device, {want!r} on the CPU"]
        return []
    rtol = _rtol(expr)
    scale = max(float(expr.mag), 1.0)
    with np.errstate(all="ignore"):
        same = (got == want) | (np.isnan(got) & np.isnan(want))
        close = same | (np.isfinite(got) & np.isfinite(want)
                        & (np.abs(got - want) <= rtol * (np.abs(want) + scale)))
    if np.all(close):
        return []
    where = [tuple(int(i) for i in p) for p in np.argwhere(~close)[:4]]
    return [f"{label}: {int(np.sum(~close))} of {want.size} values differ: "
            + "; ".join(f"at {p}: device {got[p]!r}, CPU {want[p]!r}" for p in where)]


def check_case(case, mode, to_host):
    """Problems (strings) comparing ``case`` compiled for the CPU and for 'cuda'."""
    outputs = [e.var for e in case.outputs]
    twins = {var: shared(value.copy(), name=f"{var.name}_cuda", device="cuda")
             for var, value in case.shared}
    case.reset_shared()
    cpu = function(case.inputs, outputs, updates=[(var, e.var) for var, e in case.updates],
                   mode=mode)
    gpu = function(case.inputs, outputs,
                   updates=[(twins[var], e.var) for var, e in case.updates],
                   givens=list(twins.items()), mode=mode, device="cuda", return_numpy=True)
    with np.errstate(all="ignore"):
        want = cpu(*[v.copy() for v in case.values])
        got = gpu(*[v.copy() for v in case.values])
    problems = []
    for k, (g, w, expr) in enumerate(zip(got, want, case.outputs)):
        if not isinstance(g, np.ndarray):
            problems.append(f"output {k}: a {type(g).__name__}, not a NumPy array "
                            "(return_numpy=True)")
        problems += compare(f"output {k}", g, w, expr)
    for var, expr in case.updates:
        problems += compare(f"update of {var}", to_host(twins[var].get_value()),
                            var.get_value(), expr)
    return problems, gpu
