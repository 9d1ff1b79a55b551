"""Build, compile and run the generated elementwise kernels without a GPU.

* ``row_cases()``: for every row of the scalar-op table, one ``Elemwise``
  node per accepted combination of input dtypes (the dtype rule refuses the
  rest), with sample values (special values, extremes of each integer
  dtype, random numbers) arranged so that every value of one input meets
  every value of the others.
* ``compile_cuda(kernels)``: ``nvcc -arch=sm_90 -cubin`` on one translation
  unit holding every kernel (``standalone_cuda``); raises with nvcc's
  output on failure.
* ``HostLibrary(kernels)``: the same kernel bodies compiled for the host by
  ``g++`` (``standalone_host``) and called through ctypes on NumPy arrays.

nvcc and g++ are looked up on PATH (nvcc also at /usr/local/cuda/bin).
"""

import ctypes
import os
import shutil
import subprocess
import tempfile

import numpy as np

from symlab.backends.cuda_source import NVCC_FLAGS, kernel_for, standalone_cuda, standalone_host
from symlab.tensor.elemwise import Elemwise
from symlab.tensor.scalar_ops import SCALAR_OPS
from symlab.tensor.type import TensorType

DTYPES = ["bool", "int8", "uint8", "int16", "int32", "uint32", "int64", "uint64",
          "float32", "float64"]
MIXED_PAIRS = [("int8", "float32"), ("int64", "float32"), ("int32", "float64"),
               ("uint8", "int8"), ("bool", "int8"), ("int16", "uint16"),
               ("float32", "float64"), ("bool", "float64"), ("uint32", "int32"),
               ("int64", "uint64")]

_FLOAT_SAMPLES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.0, -3.0, 7.0,
                  -7.0, 0.1, 0.7, -0.3, 2.0, 100.0, -100.0, 1e-30, 1e30, -1e30, 88.5, -88.5,
                  710.0, -745.5, np.inf, -np.inf, np.nan]


def samples(dtype, rng):
    """Values of ``dtype`` that matter for the rows: signs, halves, extremes, NaN, random."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.array([False, True])
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        base = [0, 1, 2, 3, 5, 7, 100, info.max, info.max - 1]
        if dtype.kind == "i":
            base += [-1, -2, -3, -7, -100, info.min, info.min + 1]
        values = [v for v in base if info.min <= v <= info.max]
        values += list(rng.integers(max(info.min, -1000), min(info.max, 1000), 4))
        return np.array(sorted(set(values)), dtype=dtype)
    values = list(_FLOAT_SAMPLES) + list(rng.normal(0, 10, 4))
    with np.errstate(over="ignore"):
        return np.array(values, dtype=dtype)


def _dtype_combos(row):
    if row.nin == 1:
        return [(d,) for d in DTYPES]
    if row.nin in (2, -1):
        combos = [(d, d) for d in DTYPES] + MIXED_PAIRS
        if row.nin == -1:
            combos += [("float64", "float64", "float64"), ("int8", "int8", "int8"),
                       ("bool", "bool", "bool"), ("int32", "float32", "int8")]
        return combos
    if row.name == "switch":
        return [("bool", d, d) for d in DTYPES] + [("float64", "int8", "float32"),
                                                   ("int32", "float64", "int64")]
    return [(d, d, d) for d in DTYPES] + [("float64", "int8", "float32")]


class Case:
    """One row on one combination of input dtypes: the node, its kernel, its sample inputs."""

    def __init__(self, row, dtypes, node, kernel, inputs):
        self.row = row
        self.dtypes = dtypes
        self.node = node
        self.kernel = kernel
        self.inputs = inputs

    @property
    def id(self):
        return f"{self.row.name}[{','.join(self.dtypes)}]"


def _grid(arrays):
    """Every combination of the values of ``arrays``, one flat array per input."""
    mesh = np.meshgrid(*arrays, indexing="ij")
    return [m.reshape(-1) for m in mesh]


#: The rows of the incomplete gamma functions, and the position of their shape parameter.
SHAPE_PARAMETER = {"gammainc": 0, "gammaincc": 0, "chi2sf": 1}


def _kept(row, dtypes, values):
    """Drop the elements where NumPy's result is not defined or not portable."""
    keep = np.ones(values[0].shape, bool)
    if row.name == "pow" and all(np.dtype(d).kind in "biu" for d in dtypes):
        keep &= values[1].astype("float64") >= 0       # NumPy raises for negative exponents
    if row.name in SHAPE_PARAMETER:
        # The kernels' series and continued fraction lose accuracy for huge shape parameters
        # (SciPy switches to Temme's expansion there): a > 1e4 is not compared.
        a = np.abs(values[SHAPE_PARAMETER[row.name]].astype("float64"))
        keep &= ~(np.isfinite(a) & (a > 1e4))
    return [v[keep] for v in values]


def row_cases(seed=0):
    """Every row of the table on every dtype combination its rule accepts."""
    rng = np.random.default_rng(seed)
    cases = []
    for row in SCALAR_OPS.values():
        for dtypes in _dtype_combos(row):
            if row.dtype_rule == "bool" and set(dtypes) == {"int64", "uint64"}:
                continue  # NumPy compares int64 with uint64 exactly; the kernel in float64
            variables = [TensorType(d, (None,))(f"x{k}") for k, d in enumerate(dtypes)]
            try:
                node = Elemwise(row).make_node(*variables)
            except TypeError:
                continue  # the row's dtype rule refuses these inputs
            kernel, why = kernel_for(node)
            if kernel is None and "has no loop" not in why and "not supported" not in why:
                raise AssertionError(f"{row.name}{dtypes}: no kernel: {why}")
            if kernel is None:
                continue  # NumPy cannot compute it either (bitwise ops on int64 and uint64)
            arrays = [samples(d, rng) for d in dtypes]
            if len(arrays) == 3:
                arrays = [a[:: max(1, len(a) // 8)] for a in arrays]
            inputs = _kept(row, dtypes, _grid(arrays))
            cases.append(Case(row, dtypes, node, kernel, inputs))
    return cases


#: Rows whose float results are correctly rounded (or exact) in both C and NumPy.
EXACT_FLOAT_ROWS = {"add", "sub", "mul", "true_div", "int_div", "mod", "neg", "abs", "maximum",
                    "minimum", "lt", "le", "gt", "ge", "eq", "neq", "sqrt", "sqr", "reciprocal",
                    "floor", "ceil", "trunc", "round_half_to_even", "round_half_away_from_zero",
                    "sign", "isnan", "isinf", "clip", "switch", "identity"}


#: Rows whose float results may differ from NumPy's (SciPy's) by more than a few ulp, and by
#: how many times the tolerance: the libraries' far tails of erf and erfc; psi's recurrence
#: cancels near its root (1.4616...); the incomplete gamma functions' prefactor
#: exp(a log x - x - lgamma(a)) carries the rounding of a log x.
LOOSER = {"erf": 25, "erfc": 25, "psi": 16}
#: The same for float64 results only (float32 rounds the differences away): the incomplete
#: gamma functions (relative error ~ eps |a log x|; SciPy's own is ~1e-14 here).
LOOSER_FLOAT64 = {"gammainc": 1000, "gammaincc": 1000, "chi2sf": 1000}


def row_mismatches(case, got, want, rtol, tiny=1, source="kernel"):
    """Problems (strings, at most five) with ``got``, computed by ``source`` for a row case,
    against NumPy's ``want``.

    Dtype and shape must match. Integers, booleans and ``EXACT_FLOAT_ROWS`` must be equal
    (NaN matching NaN); other floats must be within ``rtol[dtype]`` of ``want``, relatively
    (``LOOSER`` times that for a few rows), plus ``tiny`` times
    the smallest normal number (below it, C libraries and NumPy may round differently).
    """
    if got.dtype != want.dtype or got.shape != want.shape:
        return [f"{case.id}: {got.dtype}{got.shape} where NumPy gives {want.dtype}{want.shape}"]
    if want.dtype.kind != "f":
        bad = np.flatnonzero(got != want)
    else:
        same = (got == want) | (np.isnan(got) & np.isnan(want))
        if case.row.name in EXACT_FLOAT_ROWS:
            ok = same
        else:
            looser = LOOSER_FLOAT64 if want.dtype == np.float64 else {}
            tolerance = rtol[str(want.dtype)] * looser.get(case.row.name, LOOSER.get(
                case.row.name, 1))
            floor = np.finfo(want.dtype).tiny * tiny
            with np.errstate(all="ignore"):
                near = np.abs(got.astype("float64") - want) <= tolerance * np.abs(want) + floor
            ok = same | (np.isfinite(got) & np.isfinite(want) & near)
        bad = np.flatnonzero(~ok)
    return [f"{case.id} at {tuple(x[i] for x in case.inputs)}: {source} {got[i]!r}, "
            f"NumPy {want[i]!r}" for i in bad[:5]]


# ---------------------------------------------------------------- compilers

def nvcc_path():
    """The nvcc program, or None."""
    found = shutil.which("nvcc")
    if found is None and os.path.exists("/usr/local/cuda/bin/nvcc"):
        found = "/usr/local/cuda/bin/nvcc"
    return found


def compile_cuda(kernels, arch="sm_90"):
    """Compile ``kernels`` for ``arch`` with nvcc into a cubin; return its size in bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "kernels.cu")
        with open(source, "w") as f:
            f.write(standalone_cuda(kernels))
        target = os.path.join(tmp, "kernels.cubin")
        run = subprocess.run([nvcc_path(), f"-arch={arch}", *NVCC_FLAGS, "-cubin", source,
                              "-o", target], capture_output=True, text=True)
        if run.returncode != 0:
            raise AssertionError(f"nvcc failed:\n{run.stderr[-6000:]}")
        return os.path.getsize(target)


class HostLibrary:
    """The kernels' bodies compiled for the CPU with g++ (-fwrapv: integers wrap, as on a GPU)."""

    def __init__(self, kernels):
        self._dir = tempfile.mkdtemp(prefix="symlab-kernels-")
        source = os.path.join(self._dir, "kernels.cpp")
        with open(source, "w") as f:
            f.write(standalone_host(kernels))
        target = os.path.join(self._dir, "kernels.so")
        run = subprocess.run(["g++", "-O1", "-fwrapv", "-ffp-contract=off", "-shared", "-fPIC",
                              source, "-o", target], capture_output=True, text=True)
        if run.returncode != 0:
            raise AssertionError(f"g++ failed:\n{run.stderr[-6000:]}")
        self._lib = ctypes.CDLL(target)

    def run(self, kernel, inputs):
        """Run ``kernel`` on ``inputs`` (arrays, broadcast together with its array constants)
        as CuPy would; return the result, shaped as the broadcast."""
        values = [np.asarray(a, dtype=dtype)
                  for a, (dtype, _) in zip(list(inputs) + list(kernel.constants), kernel.inputs)]
        shape = np.broadcast_shapes(*(v.shape for v in values))
        flat = [np.ascontiguousarray(np.broadcast_to(v, shape)).reshape(-1) for v in values]
        out = np.empty(shape, dtype=kernel.output[0])
        fn = getattr(self._lib, kernel.name)
        args = [a.ctypes.data_as(ctypes.c_void_p) for a in flat]
        fn(*args, out.ctypes.data_as(ctypes.c_void_p), ctypes.c_longlong(out.size))
        return out

    def close(self):
        shutil.rmtree(self._dir, ignore_errors=True)

