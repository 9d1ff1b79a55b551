"""The CuPy backend's lowering (``symlab/backends/cupy.py``), without a GPU.

1. The generated source, read as text (``generate`` never touches CuPy):
   where each value lives, kernels defined once and reused, reductions and
   products through CuPy, the host fallback marked, what is returned.
2. The same source executed on ``host_cupy``, a CPU stand-in for CuPy whose
   kernels are the generated C compiled with g++ (``host_backend``): random
   graphs from ``tests/rewrite/graph_generator.py`` (shared variables,
   updates, gradients, indexing, softmax...) compiled for the CPU and for
   'cuda' agree; the MLP training step agrees; shared variables on 'cuda',
   ``return_numpy``, input conversion, errors naming the node.
"""

import pickle

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import Mode, function, shared
from symlab.backends import cupy as backend
from symlab.backends.numpy_backend import Probe
from symlab.compile.function import CudaFunction
from symlab.compile.shared import CudaTensorSharedVariable

import parity

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

NO_REWRITES = Mode(optimizer=None)


def _mlp(device="cpu", params=None, seed=0):
    rng = np.random.default_rng(seed)
    params = params or [rng.uniform(-0.1, 0.1, (20, 16)).astype("float32"),
                        np.zeros(16, "float32"),
                        rng.uniform(-0.1, 0.1, (16, 5)).astype("float32"),
                        np.zeros(5, "float32")]
    x, y = T.fmatrix("x"), T.ivector("y")
    w1, b1, w2, b2 = [shared(p.copy(), name=n, device=device)
                      for p, n in zip(params, ("W1", "b1", "W2", "b2"))]
    hidden = T.tanh(T.dot(x, w1) + b1)
    p = T.nnet.softmax(T.dot(hidden, w2) + b2)
    cost = T.nnet.categorical_crossentropy(p, y).mean()
    grads = T.grad(cost, [w1, b1, w2, b2])
    rate = np.float32(0.1)
    updates = [(v, v - rate * g) for v, g in zip((w1, b1, w2, b2), grads)]
    return x, y, cost, updates, [w1, b1, w2, b2], params


def _program(inputs, outputs, mode="FAST_RUN", **kwargs):
    """The CuPy program for a graph compiled by the NumPy path (no CuPy call)."""
    f = function(inputs, outputs, mode=mode)
    return backend.generate(f.fgraph, name="fn", **kwargs), f


# ---------------------------------------------------------------- 1. the source, as text

def test_the_mlp_step_lowers_with_no_host_fallback_and_reads_well():
    x, y, cost, updates, _, _ = _mlp()
    step = function([x, y], cost, updates=updates)
    program = backend.generate(step.fgraph, name="step", return_numpy=True, n_outputs=1)
    source = program.source
    assert program.fallbacks == []
    assert "# on the host" not in source
    assert "v6 = cp.dot(x, W1)" in source or "cp.dot(x, W1)" in source
    assert 'ElementwiseKernel' in source and '_kernel("float32 a0, float32 a1", "float32 y"' \
        in source
    # The four SGD updates are one kernel, defined once and called four times.
    (kernel,) = [name for name, k in program.kernels.items()
                 if k.label.startswith("fused{i1 - 0.10000000149011612 * i0}")]
    assert source.count(f"{kernel} = _kernel(") == 1
    assert source.count(f"= {kernel}(") == 4
    # Updates stay on the device; the cost comes back as NumPy.
    assert source.rstrip().splitlines()[-1].startswith("    return (_to_host(")
    assert "cp.sum(" in source
    compile(source, "<test>", "exec")


def test_the_logistic_function_is_one_kernel():
    x = T.dmatrix("x")
    program, _ = _program([x], [1 / (1 + T.exp(-x))])
    (kernel,) = program.kernels.values()
    assert kernel.body == "y = sl_sigmoid(a0);"
    assert "sl_sigmoid(double x)" in kernel.preamble
    lines = program.source.splitlines()
    body = lines[lines.index("def fn(x):") + 1:]
    assert body == ["    # sigmoid", "    v1 = _k1(x)", "    return (v1,)"]


def test_shape_arithmetic_stays_on_the_host_and_a_host_scalar_enters_a_kernel_by_value():
    x = T.dmatrix("x")
    program, _ = _program([x], [x.sum() / x.shape[0], T.ones_like(x).reshape((-1,))])
    source = program.source
    shape_vars = [v for v, where in program.placement.items()
                  if where == "host" and v.owner is not None]
    assert shape_vars and all(v.type.dtype in ("int64", "float64") and v.type.ndim <= 1
                              for v in shape_vars)
    assert "[()])" in source                    # the host scalar goes into the kernel by value
    assert "_host(" not in source               # nothing is copied down to the host
    assert "# on the host" not in source


def test_an_op_with_no_device_lowering_runs_on_the_host_and_says_so():
    x = T.dvector("x")
    values, _ = symlab.scan(lambda v, acc: acc + v, sequences=x, outputs_info=T.zeros(()))
    program, _ = _program([x], [values[-1] * 2])
    assert [n.op.name for n in program.fallbacks] == ["scan"]
    lines = program.source.splitlines()
    at = next(k for k, line in enumerate(lines) if "# on the host: scan has no CuPy lowering"
              in line)
    assert "_host(x)" in lines[at + 1]
    assert "cp.asarray(" in lines[at + 2]


def test_float16_and_complex_nodes_run_on_the_host_and_say_why():
    h = T.TensorType("float16", (None,))("h")
    program, _ = _program([h], [h * h + h])
    assert len(program.fallbacks) == 1
    assert "no kernel (input 0 (h) has dtype float16" in program.source


def test_return_numpy_converts_outputs_never_updates():
    x = T.dvector("x")
    s = shared(np.zeros(3), name="s")
    f = function([x], [x * 2, x.sum()], updates=[(s, s + x)])
    device_side = backend.generate(f.fgraph, name="fn", n_outputs=2)
    host_side = backend.generate(f.fgraph, name="fn", n_outputs=2, return_numpy=True)
    assert device_side.source.splitlines()[-1].count("_to_host(") == 0
    last = host_side.source.splitlines()[-1]
    assert last.count("_to_host(") == 2 and last.endswith(", v2,)" ) or last.count(",") == 2


def test_each_line_of_the_function_maps_back_to_its_node():
    x = T.dmatrix("x")
    program, f = _program([x], [T.exp(x).sum(axis=0) + 1.0])
    lines = program.source.splitlines()
    for k, (first, last) in enumerate(program.spans):
        text = "\n".join(lines[first - 1:last])
        assert text.strip(), k
        assert lines[first - 1].startswith("    ")


def test_the_backend_module_imports_and_generates_without_cupy():
    import sys
    assert "cupy" not in sys.modules or backend.is_available()
    x = T.fvector("x")
    program, _ = _program([x], [T.tanh(x) * 2])
    assert program.kernels and "cupy" not in sys.modules or backend.is_available()


# ---------------------------------------------------------------- 2. executed on the stand-in

@pytest.mark.parametrize("seed", range(16))
def test_random_graphs_agree_on_the_cpu_and_on_cuda(host_backend, seed):
    (_, case), = parity.cases([seed])
    for mode in ("FAST_RUN", NO_REWRITES):
        problems, f = parity.check_case(case, mode, backend.to_host)
        assert isinstance(f, CudaFunction)
        assert not problems, "\n".join(problems) + "\n\n" + case.describe() + "\n\n" + f.source


def test_the_mlp_step_trains_the_same_on_cuda(host_backend):
    x, y, cost, updates, params, values = _mlp("cpu")
    cpu = function([x, y], cost, updates=updates)
    x2, y2, cost2, updates2, params2, _ = _mlp("cuda", values)
    gpu = function([x2, y2], cost2, updates=updates2, device="cuda")
    assert all(isinstance(p, CudaTensorSharedVariable) for p in params2)
    rng = np.random.default_rng(3)
    for _ in range(4):
        xb = rng.random((8, 20), dtype="float32")
        yb = rng.integers(0, 5, 8).astype("int32")
        want, got = cpu(xb, yb), gpu(xb, yb)
        assert isinstance(got, host_backend.ndarray) and got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-5)
    for p, q in zip(params, params2):
        np.testing.assert_allclose(q.get_value(), p.get_value(), rtol=1e-4, atol=1e-6)


def test_shared_on_cuda_keeps_its_value_on_the_device(host_backend):
    w = shared(np.arange(3.0), name="w", device="cuda")
    assert isinstance(w, CudaTensorSharedVariable) and w.device == "cuda"
    host = w.get_value()
    host[0] = 99.0                                    # a copy: the variable is unchanged
    assert w.get_value()[0] == 0.0
    device = w.get_value(return_cupy=True, borrow=True)
    assert device is w.get_value(borrow=True, return_internal_type=True)
    w.set_value(np.ones(3, "float32"))                # lossless: converted to float64
    assert w.get_value().dtype == np.float64
    with pytest.raises(TypeError, match="could lose precision"):
        w.set_value(np.ones(3, "int64").astype("complex64"))
    f = function([], w * 2, updates=[(w, w + 1)], device="cuda", return_numpy=True)
    assert f().tolist() == [2.0, 2.0, 2.0]
    assert w.get_value().tolist() == [2.0, 2.0, 2.0]
    restored = pickle.loads(pickle.dumps(w))
    assert isinstance(restored, CudaTensorSharedVariable)
    assert restored.get_value().tolist() == [2.0, 2.0, 2.0]
    cpu = shared(np.zeros(2), name="c")
    with pytest.raises(ValueError, match="lives on the CPU"):
        cpu.get_value(return_cupy=True)


def test_a_function_mixing_devices_is_refused_when_compiled_naming_the_variables(host_backend):
    a = shared(np.zeros(3), name="a")
    b = shared(np.zeros(3), name="b", device="cuda")
    with pytest.raises(ValueError, match=r"runs on 'cuda', but its shared variable\(s\) 'a' "
                                         r"live on 'cpu'"):
        function([], a + b, device="cuda")
    with pytest.raises(ValueError, match=r"runs on 'cpu', but its shared variable\(s\) 'b' "
                                         r"live on 'cuda'.*device='cuda'"):
        function([], a + b)
    # Random states are host objects: a cuda function may read them (its draws are keyed
    # from them; a 'philox' stream draws the CPU's numbers).
    from symlab.tensor.shared_randomstreams import RandomStreams
    srng = RandomStreams(seed=1, kind="philox")
    u = srng.uniform((3,))
    f = function([], u + b, device="cuda", return_numpy=True)
    g = function([], u)
    srng.seed(1)
    first = f()
    srng.seed(1)
    np.testing.assert_array_equal(first, g())


def test_outputs_are_device_arrays_unless_return_numpy(host_backend):
    x = T.dvector("x")
    f = function([x], [x + 1, x.sum(), x.shape[0]], device="cuda")
    values = f(np.arange(3.0))
    assert [v.tolist() for v in values] == [[1.0, 2.0, 3.0], 3.0, 3]
    assert all(isinstance(v, host_backend.ndarray) for v in values)
    assert values[1].shape == () and values[2].dtype == np.int64
    assert f.device == "cuda" and "cp." in f.source and f.kernel_sources
    g = f.copy()
    assert isinstance(g, CudaFunction)
    h = pickle.loads(pickle.dumps(f))
    assert isinstance(h, CudaFunction) and h(np.ones(2))[1] == 2.0


def test_inputs_are_converted_by_the_cpu_rules(host_backend):
    x = T.fvector("x")
    f = function([x], x * 2, device="cuda", return_numpy=True)
    assert f([1, 2]).dtype == np.float32                          # a list
    assert f(np.array([1, 2], "int8")).tolist() == [2.0, 4.0]     # lossless upcast
    with pytest.raises(TypeError, match="could lose precision"):
        f(np.array([1.0, 2.0]))                                   # float64 -> float32
    with pytest.raises(TypeError, match="wrong number of dimensions"):
        f(np.ones((2, 2), "float32"))
    g = function([x], x * 2, device="cuda", allow_input_downcast=True)
    assert g(np.array([1.0, 2.0])).dtype == np.float32


def test_the_device_filter_takes_cuda_array_interface_and_dlpack_objects(host_backend):
    class FakeDevice:
        """Stands for a CuPy array: the filter must use cp.asarray, not the host path."""
        __cuda_array_interface__ = {}

    seen = []
    cp = host_backend

    class Module:
        ndarray = cp.ndarray

        @staticmethod
        def asarray(value):
            seen.append(type(value).__name__)
            return np.arange(3.0)

        from_dlpack = staticmethod(lambda value: seen.append("dlpack") or np.arange(3.0))

    ttype = T.dvector().type
    assert backend.device_filter(Module, ttype, FakeDevice()).tolist() == [0.0, 1.0, 2.0]

    class FakeTorch:
        def __dlpack__(self, stream=None):
            raise AssertionError("not called by the filter")

        def __dlpack_device__(self):
            return (2, 0)          # kDLCUDA

    backend.device_filter(Module, ttype, FakeTorch())
    assert seen == ["FakeDevice", "dlpack"]


def test_an_error_inside_a_cuda_call_names_the_node(host_backend):
    x, i = T.dvector("x"), T.lscalar("i")
    f = function([x, i], x[i] * 2, device="cuda")
    with pytest.raises(IndexError) as info:
        f(np.arange(3.0), 7)
    assert "subtensor" in str(info.value) and f.last_failure is not None


def test_profile_and_nanguard_work_on_cuda(host_backend):
    from symlab.compile.debug import NanGuardError, NanGuardMode
    x = T.dvector("x")
    f = function([x], T.log(x) * 2, device="cuda", profile=True)
    f(np.ones(3))
    assert len(f.profile.node_times) == len(f.fgraph.toposort())
    g = function([x], T.log(x) * 2, device="cuda", mode=NanGuardMode())
    with pytest.raises(NanGuardError):
        g(np.array([-1.0]))


def test_generate_takes_a_probe_and_synchronizes_before_timing():
    x = T.dvector("x")
    f = function([x], T.exp(x) + 1)
    program = backend.generate(f.fgraph, name="fn", probe=Probe(times=[0.0]))
    assert "_sync()" in program.source and "_times[0] +=" in program.source


def test_an_illegal_runtime_broadcast_on_cuda_is_named_as_on_the_cpu(host_backend):
    from symlab.tensor.elemwise import BroadcastError
    x, y = T.dmatrix("x"), T.dmatrix("y")
    f = function([x, y], T.exp(x) + y, device="cuda")
    with pytest.raises(BroadcastError, match=r"input 1 'y'.*would have to broadcast"):
        f(np.ones((2, 3)), np.ones((1, 3)))
    g = function([x], T.alloc(x, 4, 2, 3), device="cuda")
    with pytest.raises(BroadcastError):
        g(np.ones((1, 3)))
