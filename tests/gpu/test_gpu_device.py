"""The CuPy backend on a real GPU: parity with the NumPy backend. Skipped without CuPy or a device.

``benchmarks/gpu_check.sh`` runs these on a GPU machine. Every test takes the
``cupy`` fixture, which skips with the reason (CuPy missing, or no device).

1. Every row of the scalar-op table, on every dtype combination its rule
   accepts: all the kernels compiled in ONE module by NVRTC (the
   ``standalone_cuda`` wrappers, as nvcc compiles them in
   ``test_kernel_source.py``), run on the device on the sample values, and
   compared with NumPy (exact rows bit for bit; CUDA's math library within
   a few units in the last place). Then one function per row through the
   whole path (``function(..., device='cuda')``, CuPy's ElementwiseKernel).
2. Random graphs (``tests/rewrite/graph_generator.py``): compiled for the CPU
   and for 'cuda', with and without rewrites, same results.
3. Shared variables, inputs from CuPy / DLPack / ``__cuda_array_interface__``,
   outputs, the MLP step, random streams, errors.
4. Random draws on the device: the Philox kernel against NumPy's Philox,
   draws reproducible from the seed with their history, ``kind='philox'``
   giving the CPU's numbers, the statistics of a million draws.
"""

import numpy as np
import pytest

import symlab.tensor as T
from symlab import Mode, function, shared
from symlab.backends import cupy as backend
from symlab.backends.cuda_source import NVCC_FLAGS, standalone_cuda
from symlab.compile.shared import CudaTensorSharedVariable
from symlab.tensor.elemwise import Elemwise
from symlab.tensor.scalar_ops import SCALAR_OPS

import parity
from kernel_harness import row_cases, row_mismatches

pytestmark = [pytest.mark.gpu, pytest.mark.filterwarnings("ignore::RuntimeWarning")]

NO_REWRITES = Mode(optimizer=None)
#: CUDA's documented maximum errors are a few ulp (erfc, pow, the hyperbolics up to ~5).
ULP_RTOL = {"float32": 8 * 2.0 ** -23, "float64": 16 * 2.0 ** -52}

CASES = row_cases()


@pytest.fixture(scope="module")
def row_module():
    module, reason = _module_cupy()
    if module is None:
        pytest.skip(f"no GPU here: {reason}")
    return module, module.RawModule(code=standalone_cuda([c.kernel for c in CASES]),
                                    options=NVCC_FLAGS)


def _module_cupy():
    previous = backend._use_array_module(None)
    try:
        reason = backend.unavailable_reason()
        return (None if reason else backend.require()), reason
    finally:
        backend._restore(previous)


def _launch(cp, module, kernel, inputs):
    n = inputs[0].size
    args = [cp.asarray(np.ascontiguousarray(a, dtype=d)) for a, (d, _) in
            zip(inputs, kernel.inputs)]
    out = cp.empty(n, dtype=kernel.output[0])
    if n:
        fn = module.get_function(kernel.name)
        threads = 128
        fn(((n + threads - 1) // threads,), (threads,), (*args, out, np.int64(n)))
    return cp.asnumpy(out)


@pytest.mark.parametrize("row_name", list(SCALAR_OPS))
def test_every_rows_kernels_on_the_device_match_numpy(row_module, row_name):
    cp, module = row_module
    problems = []
    for case in (c for c in CASES if c.row.name == row_name):
        got = _launch(cp, module, case.kernel, case.inputs)
        want = case.node.op.perform(case.node, case.inputs)[0]
        problems += row_mismatches(case, got, want, ULP_RTOL, tiny=4, source="device")
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("row_name", list(SCALAR_OPS))
def test_every_row_through_function_on_cuda_matches_the_cpu(cupy, row_name):
    row = SCALAR_OPS[row_name]
    done = 0
    for case in (c for c in CASES if c.row is row):
        if done == 2:
            break
        if len(set(case.dtypes)) > 1 and done:
            continue
        variables = [T.TensorType(d, (None,))(f"x{k}") for k, d in enumerate(case.dtypes)]
        out = Elemwise(row)(*variables)
        cpu = function(variables, out, mode=NO_REWRITES)
        gpu = function(variables, out, mode=NO_REWRITES, device="cuda")
        want = cpu(*case.inputs)
        got = gpu(*[cupy.asarray(v) for v in case.inputs])
        assert isinstance(got, cupy.ndarray)
        problems = row_mismatches(case, cupy.asnumpy(got), want, ULP_RTOL, tiny=4, source="device")
        assert not problems, "\n".join(problems[:10]) + "\n" + gpu.source
        done += 1


@pytest.mark.parametrize("seed", range(24))
def test_random_graphs_agree_on_the_cpu_and_on_the_gpu(cupy, seed):
    (_, case), = parity.cases([seed])
    for mode in ("FAST_RUN", NO_REWRITES):
        problems, f = parity.check_case(case, mode, backend.to_host)
        assert not problems, "\n".join(problems) + "\n\n" + case.describe() + "\n\n" + f.source


def test_shared_variables_live_on_the_device_and_updates_stay_there(cupy):
    w = shared(np.arange(4.0, dtype="float32"), name="w", device="cuda")
    assert isinstance(w, CudaTensorSharedVariable)
    assert isinstance(w.get_value(), np.ndarray)
    assert isinstance(w.get_value(return_cupy=True), cupy.ndarray)
    before = w.get_value(return_cupy=True, borrow=True)
    f = function([], w.sum(), updates=[(w, w * 2)], device="cuda")
    total = f()
    assert isinstance(total, cupy.ndarray) and float(total) == 6.0
    after = w.get_value(return_cupy=True, borrow=True)
    assert isinstance(after, cupy.ndarray)
    assert w.get_value().tolist() == [0.0, 2.0, 4.0, 6.0]
    assert before.tolist() == [0.0, 1.0, 2.0, 3.0]       # the old value was not overwritten
    w.set_value(cupy.ones(4, dtype="float32"))
    assert w.get_value().tolist() == [1.0] * 4
    assert shared(cupy.zeros(3), name="z").device == "cuda"   # a CuPy value stays there


def test_inputs_from_cupy_dlpack_and_the_cuda_array_interface(cupy):
    x = T.dvector("x")
    f = function([x], x * 2, device="cuda", return_numpy=True)
    data = cupy.arange(3.0)
    assert f(data).tolist() == [0.0, 2.0, 4.0]

    class Interface:
        def __init__(self, array):
            self.__cuda_array_interface__ = array.__cuda_array_interface__
            self.keep = array

    assert f(Interface(data)).tolist() == [0.0, 2.0, 4.0]

    class DLPack:
        def __init__(self, array):
            self.array = array

        def __dlpack__(self, stream=None, **kwargs):
            return self.array.__dlpack__(stream=stream) if stream is not None \
                else self.array.__dlpack__()

        def __dlpack_device__(self):
            return self.array.__dlpack_device__()

    assert f(DLPack(data)).tolist() == [0.0, 2.0, 4.0]
    assert f(np.arange(3.0)).tolist() == [0.0, 2.0, 4.0]
    y = T.fvector("y")
    with pytest.raises(TypeError, match="could lose precision"):
        function([y], y + 0, device="cuda")(data)                # float64 into float32


def test_the_mlp_step_matches_numpy_by_hand(cupy):
    import sys
    import pathlib
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "benchmarks"))
    import bench_mlp
    params, batches = bench_mlp.make_problem()
    x, y = T.fmatrix("x"), T.ivector("y")
    w1, b1, w2, b2 = [shared(p.copy(), name=n, device="cuda")
                      for p, n in zip(params, ("W1", "b1", "W2", "b2"))]
    hidden = T.tanh(T.dot(x, w1) + b1)
    p = T.nnet.softmax(T.dot(hidden, w2) + b2)
    cost = T.nnet.categorical_crossentropy(p, y).mean()
    grads = T.grad(cost, [w1, b1, w2, b2])
    step = function([x, y], cost, updates=[(v, v - bench_mlp.RATE * g)
                                           for v, g in zip((w1, b1, w2, b2), grads)],
                    device="cuda", return_numpy=True)
    assert "# on the host" not in step.source
    by_hand = bench_mlp.NumpyMLP(params)
    for k in range(3):
        xb, yb = batches[k]
        np.testing.assert_allclose(step(xb, yb), by_hand.step(xb, yb), rtol=1e-5)
    for var, ref in zip((w1, b1, w2, b2), by_hand.params):
        np.testing.assert_allclose(var.get_value(), ref, rtol=1e-4, atol=1e-6)


def test_random_streams_draw_reproducibly_on_cuda(cupy):
    from symlab.tensor.shared_randomstreams import RandomStreams
    srng = RandomStreams(seed=123)
    u = srng.uniform((5,))
    f = function([], u * 1, device="cuda", return_numpy=True)
    first = f()
    second = f()
    assert first.tolist() != second.tolist()
    srng.seed(123)
    assert f().tolist() == first.tolist()
    assert f().tolist() == second.tolist()


def test_an_error_on_the_gpu_names_the_node(cupy):
    x, i = T.dvector("x"), T.lscalar("i")
    f = function([x, i], x[i] * 2, device="cuda")
    with pytest.raises(IndexError, match="subtensor"):
        f(np.arange(3.0), 7)
    assert f.last_failure is not None


# ---------------------------------------------------------------- 4. random draws on the device

def test_the_philox_kernel_on_the_device_is_numpys_philox(cupy):
    from symlab.backends.cuda_random import raw_kernel
    k = raw_kernel()
    kernel = cupy.ElementwiseKernel(k.in_params, k.out_params, k.body, k.name,
                                    preamble=k.preamble, options=NVCC_FLAGS)
    n = 64
    for key in ((0, 0), (2 ** 64 - 1, 12345)):
        for counter in (0, 2 ** 64 - 3, 2 ** 192 - 2, 2 ** 256 - 2):
            words = [np.uint64((counter >> (64 * j)) & (2 ** 64 - 1)) for j in range(4)]
            got = kernel(cupy.full(n, key[0], dtype="uint64"), np.uint64(key[1]), *words)
            want = np.random.Philox(key=np.array(key, np.uint64),
                                    counter=(counter - 1) % 2 ** 256).random_raw(n)
            np.testing.assert_array_equal(cupy.asnumpy(got), want)


def test_device_draws_are_reproducible_and_keep_their_history(cupy):
    from symlab.random import RandomStreams, history
    srng = RandomStreams(seed=42)
    u, n = srng.uniform((1000,)), srng.normal((3, 5), 1.0, 2.0)
    f = function([], [u, n], device="cuda")
    assert "on the device, Philox4x64-10" in f.source and "# on the host" not in f.source
    calls = [[cupy.asnumpy(v) for v in f()] for _ in range(4)]
    assert isinstance(f()[0], cupy.ndarray)
    srng.seed(42)
    for want in calls:
        got = [cupy.asnumpy(v) for v in f()]
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
    h = history(srng)
    np.testing.assert_array_equal(h.replay(h.draws - 1)[u], calls[2][0])
    h.back(2)
    np.testing.assert_array_equal(cupy.asnumpy(f()[1]), calls[2][1])


def test_the_philox_kind_draws_the_cpus_numbers_on_the_gpu(cupy):
    from symlab.random import RandomStreams

    def make():
        srng = RandomStreams(seed=7, kind="philox")
        return srng.uniform((500, 3), -2.0, 2.0), srng.normal((1001,), 0.5, 3.0), \
            srng.uniform((64,), dtype="float32")

    cpu = function([], list(make()))
    gpu = function([], list(make()), device="cuda", return_numpy=True)
    for _ in range(2):
        (cu, cn, c32), (gu, gn, g32) = cpu(), gpu()
        np.testing.assert_array_equal(gu, cu)            # bit for bit
        np.testing.assert_array_equal(g32, c32)
        # CUDA's log/cos/sin are within 2 ulp of the host's
        np.testing.assert_allclose(gn, cn, rtol=16 * 2.0 ** -52, atol=3.0 * 16 * 2.0 ** -52)


def test_a_million_device_draws_have_the_right_mean_and_variance(cupy):
    from symlab.random import RandomStreams
    srng = RandomStreams(seed=2024)
    n = 1 << 20
    f = function([], [srng.uniform((n,)), srng.normal((n,)), srng.normal((n,), 3.0, 0.5)],
                 device="cuda")
    u, z, w = f()
    assert float(u.min()) >= 0.0 and float(u.max()) < 1.0
    # Means within 5 standard errors, variances within 1%.
    assert abs(float(u.mean()) - 0.5) < 5 * (1 / 12 / n) ** 0.5
    assert abs(float(u.var()) - 1 / 12) < 0.01 / 12
    assert abs(float(z.mean())) < 5 / n ** 0.5
    assert abs(float(z.var()) - 1.0) < 0.01
    assert abs(float(w.mean()) - 3.0) < 5 * 0.5 / n ** 0.5
    assert abs(float(w.std()) - 0.5) < 0.005
    # Neighbouring values are not correlated (the Box-Muller pairs, the lanes of a block).
    zh = cupy.asnumpy(z)
    assert abs(np.corrcoef(zh[0::2], zh[1::2])[0, 1]) < 5 / (n / 2) ** 0.5
    uh = cupy.asnumpy(u)
    assert abs(np.corrcoef(uh[:-1], uh[1:])[0, 1]) < 5 / n ** 0.5
