"""The CUDA C generated for elementwise kernels (``symlab/backends/cuda_source.py``), without a GPU.

Two independent checks of every row of the scalar-op table, on every
combination of input dtypes its rule accepts (``kernel_harness.row_cases``):

* ``nvcc -arch=sm_90`` compiles all the kernels, each inside a plain
  ``__global__`` wrapper of our own (``standalone_cuda``: no CuPy header);
  skipped only where nvcc is missing;
* g++ compiles the same kernel bodies for the host (``standalone_host``),
  and each kernel runs on sample values (signs, halves, extremes of each
  integer dtype, infinities, NaN) against the NumPy semantics of the row
  (``Elemwise.perform``, what the NumPy backend and the reference evaluator
  compute): integers, booleans and the exactly rounded float rows bit for
  bit, the transcendental functions within a few units in the last place
  (the C library and NumPy's own loops may differ there), NaN where NumPy
  gives NaN, infinities with their signs.

Then fused kernels from real graphs (casts, broadcasting, array constants,
variadic add, switch, in-place nodes) go through both compilers too, and
their host results are compared with the reference evaluator.
"""

import shutil

import numpy as np
import pytest

import symlab.tensor as T
from symlab import Mode, function
from symlab.backends.cuda_source import (C_TYPES, KernelSource, c_literal, helper_source,
                                         kernel_for, kernel_inputs, loop_dtype, standalone_cuda)
from symlab.graph.basic import Constant
from symlab.tensor.elemwise import Elemwise
from symlab.tensor.fused import FusedElemwise
from symlab.tensor.scalar_ops import SCALAR_OPS

from kernel_harness import HostLibrary, compile_cuda, nvcc_path, row_cases, row_mismatches

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

needs_nvcc = pytest.mark.skipif(nvcc_path() is None, reason="nvcc (the CUDA compiler) is not "
                                "installed; the kernels' CUDA source is not compiled")
needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed; the "
                               "kernels are not run on the host")

CASES = row_cases()

#: Float tolerance of the host-compiled kernels against NumPy (a few ulp: C's libm and NumPy's).
HOST_RTOL = {"float32": 4e-7, "float64": 4e-15}


@pytest.fixture(scope="module")
def host_library():
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed")
    library = HostLibrary([case.kernel for case in CASES])
    yield library
    library.close()


# ---------------------------------------------------------------- the table's C column

def test_every_row_gets_kernels_for_float_and_the_dtypes_its_rule_accepts():
    covered = {}
    for case in CASES:
        covered.setdefault(case.row.name, set()).add(case.dtypes)
    assert set(covered) == set(SCALAR_OPS), set(SCALAR_OPS) - set(covered)
    for name, combos in covered.items():
        if SCALAR_OPS[name].dtype_rule == "int_or_bool":
            continue                      # the bitwise rows refuse floats
        assert any(c[-1] == "float64" and c[0] == "float64" for c in combos) \
            or name == "switch", name
        assert any("float32" in c for c in combos), name
    # Rows taking integers are checked on integers too (floor division, modulo, powers...).
    for name in ("int_div", "mod", "pow", "maximum", "abs", "sign", "clip", "invert", "and_"):
        assert any(all(d.startswith(("int", "uint")) for d in c) for c in covered[name]), name


def test_each_kernel_body_is_built_from_its_rows_c_expression():
    for case in CASES:
        row = case.row
        call = row.c.split("(")[0] if "(" in row.c and not row.c.startswith("(") else None
        if call:
            assert f"{call}(" in case.kernel.body, (case.id, case.kernel.body)
        elif row.symbol and row.nin != 1:
            assert f" {row.symbol} " in case.kernel.body or row.name == "switch", case.id


@needs_nvcc
def test_nvcc_compiles_the_kernel_of_every_row_for_sm_90():
    kernels = [case.kernel for case in CASES]
    assert compile_cuda(kernels, arch="sm_90") > 0


@needs_gxx
@pytest.mark.parametrize("row_name", list(SCALAR_OPS))
def test_host_run_of_every_rows_kernels_matches_numpy(host_library, row_name):
    problems = []
    for case in (c for c in CASES if c.row.name == row_name):
        got = host_library.run(case.kernel, case.inputs)
        want = case.node.op.perform(case.node, case.inputs)[0]
        problems += row_mismatches(case, got, want, HOST_RTOL)
    assert not problems, "\n".join(problems[:20])


# ---------------------------------------------------------------- semantics in detail

def _kernel_of(expression, *variables):
    node = expression.owner
    kernel, why = kernel_for(node)
    assert kernel is not None, why
    return kernel


def test_floor_division_and_modulo_follow_pythons_signs_and_numpys_zero_rules(host_library):
    a, b = T.lvector("a"), T.lvector("b")
    div, mod = _kernel_of(a // b), _kernel_of(a % b)
    x = np.array([7, -7, 7, -7, 5, -2 ** 63, -2 ** 63, 0], dtype="int64")
    y = np.array([2, 2, -2, -2, 0, -1, 1, 0], dtype="int64")
    library = HostLibrary([div, mod])
    try:
        assert library.run(div, [x, y]).tolist() == [3, -4, -4, 3, 0, -2 ** 63, -2 ** 63, 0]
        assert library.run(mod, [x, y]).tolist() == [1, 1, -1, -1, 0, 0, 0, 0]
        f, g = T.dvector("f"), T.dvector("g")
        fdiv, fmod = _kernel_of(f // g), _kernel_of(f % g)
        library2 = HostLibrary([fdiv, fmod])
        xs = np.array([7.5, -7.5, 1.0, -1.0, 0.0, -5.0, np.inf, 3.0])
        ys = np.array([2.0, 2.0, 0.0, 0.0, 0.0, np.inf, 2.0, -0.0])
        with np.errstate(all="ignore"):
            np.testing.assert_array_equal(library2.run(fdiv, [xs, ys]), np.floor_divide(xs, ys))
            np.testing.assert_array_equal(library2.run(fmod, [xs, ys]), np.mod(xs, ys))
        library2.close()
    finally:
        library.close()


def test_round_is_half_to_even_and_its_twin_half_away_from_zero(host_library):
    x = T.dvector("x")
    even, away = _kernel_of(T.round(x, mode="half_to_even")), _kernel_of(T.round(x, "half_away_from_zero"))
    values = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 0.49999999999999994])
    library = HostLibrary([even, away])
    try:
        assert library.run(even, [values]).tolist() == [0.0, 2.0, 2.0, -0.0, -2.0, 0.0]
        assert library.run(away, [values]).tolist() == [1.0, 2.0, 3.0, -1.0, -3.0, 0.0]
    finally:
        library.close()


def test_maximum_minimum_and_clip_propagate_nan():
    x, y = T.dvector("x"), T.dvector("y")
    kernels = [_kernel_of(T.maximum(x, y)), _kernel_of(T.minimum(x, y)),
               _kernel_of(T.clip(x, y, 3.0))]
    library = HostLibrary(kernels)
    try:
        xs = np.array([np.nan, 1.0, 2.0, 5.0])
        ys = np.array([1.0, np.nan, 1.0, np.nan])
        for kernel, want in zip(kernels, [np.maximum(xs, ys), np.minimum(xs, ys),
                                          np.clip(xs, ys, 3.0)]):
            np.testing.assert_array_equal(library.run(kernel, [xs, ys]), want)
    finally:
        library.close()


def test_loop_dtype_is_numpys_loop():
    row = SCALAR_OPS
    assert loop_dtype(row["int_div"], ["bool", "bool"]) == "int8"     # True // True is int8 1
    assert loop_dtype(row["lt"], ["int64", "float32"]) == "float64"   # compared as float64
    assert loop_dtype(row["add"], ["int8", "int8"]) == "int8"
    assert loop_dtype(row["isnan"], ["int32"]) == "int32"


def test_literals_are_exact_in_their_dtype():
    assert c_literal(0.1, "float32") == "0.1f"
    assert c_literal(0.1, "float64") == "0.1"
    assert c_literal(-2.5, "float64") == "(-2.5)"
    assert c_literal(1e300, "float64") == "1e+300"
    assert c_literal(3, "float32") == "3.0f"
    assert c_literal(np.inf, "float64") == "__longlong_as_double(0x7ff0000000000000LL)"
    assert c_literal(-np.inf, "float32") == "__int_as_float(0xff800000)"
    assert c_literal(np.nan, "float64").startswith("__longlong_as_double(0x7ff8")
    assert c_literal(True, "bool") == "true"
    assert c_literal(-2 ** 63, "int64") == "(-9223372036854775807LL - 1)"
    assert c_literal(2 ** 64 - 1, "uint64") == "((unsigned long long)18446744073709551615ULL)"
    assert c_literal(-3, "int8") == "((signed char)-3)"
    # Every float32 literal reads back as the same float32.
    for value in np.random.default_rng(1).normal(0, 1e3, 50).astype("float32"):
        text = c_literal(value, "float32").strip("()").rstrip("f")
        assert np.float32(float(text)) == value


def test_helpers_come_with_what_they_need():
    text = helper_source(["sl_clip"])
    assert text.index("sl_maximum(double") < text.index("sl_clip(double")
    assert "sl_floordiv" not in text
    for ctype in C_TYPES.values():
        assert f"sl_clip({ctype} x" in text


def test_float16_and_complex_get_no_kernel_and_say_why():
    for dtype in ("float16", "complex128"):
        x = T.TensorType(dtype, (None,))("x")
        kernel, why = kernel_for((x + x).owner)
        assert kernel is None and dtype in why


# ---------------------------------------------------------------- fused kernels from graphs

def _graphs():
    """Functions whose optimized graphs hold fused nodes of many shapes."""
    x, y = T.dmatrix("x"), T.fmatrix("y")
    r, c = T.drow("r"), T.dcol("c")
    i, v = T.ivector("i"), T.dvector("v")
    b = T.bvector("b")
    s = T.fscalar("s")
    w = np.array([[0.5, -1.0, 2.0]])
    yield "logistic", [x], [1 / (1 + T.exp(-x))], [np.linspace(-50, 50, 12).reshape(3, 4)]
    yield "broadcast row/col", [x, r, c], [T.tanh(x * r + c) - x / (1 + r * r)], [
        np.arange(12.0).reshape(3, 4) / 7, np.array([[0.5, -1.5, 2.0, 3.0]]),
        np.array([[1.0], [-2.0], [0.25]])]
    yield "casts and ints", [i, v, b], [T.cast(i // 3, "float32") * v + (i % 4) - b * 2], [
        np.array([-7, -1, 0, 5, 11], "int32"), np.linspace(-1, 1, 5), np.array([1, 0, 1, 1, 0],
                                                                                  "int8")]
    yield "array constant", [x], [T.exp(x * w + [[1.0, 2.0, 3.0]]) + x], [
        np.arange(6.0).reshape(2, 3) / 3]
    yield "switch and comparisons", [v], [T.switch(v > 0.5, T.sqrt(abs(v)), -v) * (v <= 2)], [
        np.array([-1.0, 0.0, 0.25, 0.75, 4.0, np.nan])]
    yield "float32 with a scalar", [y, s], [T.maximum(y * s, 0) + T.sqr(y) - s], [
        np.array([[1.5, -2.0], [np.inf, 0.5]], "float32"), np.float32(2.0)]
    yield "variadic add", [v], [v + T.exp(v) + T.sin(v) + T.cos(v) + 1.0], [np.linspace(0, 3, 7)]
    yield "mlp update", [x, v], [x - 0.1 * T.tanh(x) * v], [np.ones((2, 3)), np.ones(3)]
    # Theano's T.xlogx rows in one kernel: an entropy and a KL term, 0 where p is 0
    p, q = T.fvector("p"), T.fvector("q")
    yield "xlogx and xlogy0", [p, q], [T.xlogx.xlogx(p) - T.xlogx.xlogy0(p, q) * 2], [
        np.array([0.0, 0.25, 0.5, 1.0, 0.0, 2.0], "float32"),
        np.array([0.5, 0.0, 0.5, 3.0, np.nan, 1.0], "float32")]


def _fused_nodes():
    for label, inputs, outputs, values in _graphs():
        f = function(inputs, outputs)
        for node in f.fgraph.toposort():
            if isinstance(node.op, (FusedElemwise, Elemwise)):
                yield label, f, node, values


@needs_nvcc
def test_nvcc_compiles_the_fused_kernels_of_real_graphs():
    kernels = []
    for label, _f, node, _values in _fused_nodes():
        kernel, why = kernel_for(node)
        assert kernel is not None, f"{label}: {node.op}: {why}"
        kernels.append(kernel)
    assert any(len(k.body.splitlines()) >= 3 for k in kernels)
    assert compile_cuda(kernels, arch="sm_90") > 0


@needs_gxx
def test_fused_kernels_of_real_graphs_match_the_reference_on_the_host():
    from symlab.graph.evaluate import evaluate
    cases = []
    for label, f, node, values in _fused_nodes():
        kernel, _ = kernel_for(node)
        cases.append((label, f, node, values, kernel))
    library = HostLibrary([c[-1] for c in cases])
    try:
        for label, f, node, values, kernel in cases:
            given = dict(zip(f.fgraph.inputs, values))
            inputs = [evaluate([var], given)[0] if not isinstance(var, Constant) else var.data
                      for var in kernel_inputs(node)]
            want = node.op.perform(node, [evaluate([v], given)[0] if not isinstance(v, Constant)
                                          else v.data for v in node.inputs])[0]
            got = library.run(kernel, inputs)
            assert got.dtype == want.dtype, label
            np.testing.assert_allclose(got, want, rtol=1e-6 if want.dtype == np.float32
                                       else 1e-14, err_msg=f"{label}: {node.op}")
    finally:
        library.close()


def test_equal_kernels_share_one_source_and_name():
    x, y = T.dvector("x"), T.dvector("y")
    first = kernel_for((T.exp(x) * y).owner)[0]
    second = kernel_for((T.exp(y) * x).owner)[0]
    assert isinstance(first, KernelSource)
    assert first.key == second.key and first.name == second.name
    other = kernel_for((T.exp(x) + y).owner)[0]
    assert other.name != first.name
    assert standalone_cuda([first, second]).count(f"void {first.name}(") == 1


def test_a_constant_that_widens_the_result_is_an_array_parameter():
    v = T.dvector("v")
    f = function([v], v + np.array([[2.0]]), mode=Mode(optimizer=None))
    (node,) = f.fgraph.toposort()
    kernel = kernel_for(node)[0]
    assert [name for _, name in kernel.inputs] == ["a0", "k0"]
    assert kernel.constants[0].shape == (1, 1)
