"""``matmul`` on 'cuda' refuses a runtime size-1 batch axis its type does not broadcast,
as the NumPy backend does (the same check, the same ``BroadcastError``).

The generated source is read as text (``generate`` needs no CuPy), then run on
``host_cupy`` (the CPU stand-in for CuPy of ``tests/gpu/conftest.py``) against the
NumPy backend and ``np.matmul``.
"""

import numpy as np
import pytest

import symlab.tensor as T
from symlab import function
from symlab.backends import cupy as backend
from symlab.tensor.elemwise import BroadcastError

ANY3 = (None, None, None)
ANY4 = (None, None, None, None)

# a's static shape, b's, a's runtime shape, b's, and the input that may not broadcast
CASES = {
    "a batch of 1 against 4": (ANY3, ANY3, (1, 2, 3), (4, 3, 2), 0),
    "b batch of 1 against 4": (ANY3, ANY3, (4, 2, 3), (1, 3, 2), 1),
    "3-d against the inner batch axis of 4-d": (ANY3, ANY4, (1, 2, 3), (5, 4, 3, 2), 0),
    "4-d with an inner 1 against 3-d": (ANY4, ANY3, (5, 1, 2, 3), (4, 3, 2), 0),
    "a declared broadcastable": ((1, None, None), ANY3, (1, 2, 3), (4, 3, 2), None),
    "equal batches": (ANY3, ANY3, (4, 2, 3), (4, 3, 2), None),
    "both batches of 1": (ANY3, ANY3, (1, 2, 3), (1, 3, 2), None),
    "3-d against the outer batch axis of 4-d": (ANY3, ANY4, (4, 2, 3), (5, 4, 3, 2), None),
}


def _compile(case, device):
    a_static, b_static, a_shape, b_shape, _ = CASES[case]
    a = T.tensor("a", dtype="float64", shape=a_static)
    b = T.tensor("b", dtype="float64", shape=b_static)
    rng = np.random.default_rng(7)
    values = [rng.uniform(-1, 1, a_shape), rng.uniform(-1, 1, b_shape)]
    return function([a, b], T.matmul(a, b), device=device), values


@pytest.mark.parametrize("case", sorted(CASES))
def test_cuda_matmul_checks_batch_broadcasting_as_the_cpu_does(host_backend, case):
    bad = CASES[case][-1]
    cpu, values = _compile(case, "cpu")
    cuda, _ = _compile(case, "cuda")
    if bad is None:
        want = np.matmul(*values)
        np.testing.assert_allclose(np.asarray(cuda(*values)), want, rtol=1e-14)
        np.testing.assert_allclose(cpu(*values), want, rtol=1e-14)
        return
    with pytest.raises(BroadcastError) as on_cpu:
        cpu(*values)
    with pytest.raises(BroadcastError) as on_cuda:
        cuda(*values)
    message = str(on_cuda.value).splitlines()[0]    # then where it failed (node ids differ)
    assert message == str(on_cpu.value).splitlines()[0]
    name = "ab"[bad]
    assert f"input {bad} '{name}'" in message and "would have to broadcast" in message
    assert f"runtime shape {CASES[case][2 + bad]}" in message, message


def test_the_source_checks_before_the_product_only_where_batch_axes_meet():
    a, b = T.dtensor3("a"), T.dtensor3("b")
    m, n = T.dmatrices("m", "n")
    f = function([a, b, m, n], [T.matmul(a, b), T.matmul(m, n), T.matmul(a, n)])
    source = backend.generate(f.fgraph, name="fn").source
    products = [line.strip() for line in source.splitlines() if "cp.matmul(" in line]
    checks = [line.strip() for line in source.splitlines() if "_batch_check_" in line
              and "(" in line and "=" not in line]
    assert len(products) == 3 and len(checks) == 1, source
    lines = [line.strip() for line in source.splitlines()]
    assert lines.index(checks[0]) + 1 == lines.index(next(p for p in products if "a, b" in p))
