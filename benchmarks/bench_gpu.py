"""GPU benchmarks of the CuPy backend: run by ``benchmarks/gpu_check.sh`` on a GPU machine.

Needs CuPy and a CUDA device (exits with a message otherwise); nothing else
beyond NumPy. Each workload is first checked against NumPy, then timed:
every timing is the median of ``--repeat`` rounds, a round being ``number``
calls followed by one device synchronization, divided by ``number`` (so it
includes the Python call overhead a user pays, and no call is left queued).

1. Copy bandwidth: ``cupy.copyto`` of a 1 GiB array (read + write bytes per
   second): the card's practical ceiling for memory-bound kernels.
2. The logistic function ``1 / (1 + exp(-x))`` (float32) on a 4000x4000
   matrix and on a 16M-element vector: symlab's ONE fused kernel
   (``function(..., device='cuda')``, inputs and outputs on the device)
   against CuPy written by hand (``1 / (1 + cupy.exp(-x))``: four kernels
   and three temporaries) and against a hand-written ``ElementwiseKernel``;
   effective GB/s = (bytes read + bytes written by one pass) / time, and
   that as a share of the copy bandwidth.
3. The MLP training step of ``bench_mlp.py`` (784-256-10, tanh, softmax +
   cross-entropy, SGD on shared variables on the device), batch 128 and
   4096: symlab on 'cuda' against the same step written by hand with CuPy,
   and symlab on the CPU for scale.
4. Per-call overhead: ``x + 1`` on a 1-element vector, on 'cuda' (device
   input; and NumPy input with ``return_numpy=True``) against CuPy by hand
   and against symlab on the CPU.
5. Random draws on the device: ``srng.uniform((4000, 4000))`` (float64, and
   float32) drawn by symlab's Philox4x64-10 kernel keyed from the host
   state (a ``RandomState`` stream and a ``kind='philox'`` one), against
   ``cupy.random.uniform`` and CuPy's ``Generator.random`` by hand (cuRAND's
   XORWOW), and against symlab on the CPU (NumPy's draw, then the upload);
   GB/s = bytes written / time. Checked first: the mean and variance of
   each draw, and the symlab draws reproducible from the seed.

Usage: ``python benchmarks/bench_gpu.py [--quick] [--json FILE]``.
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import symlab  # noqa: E402
import symlab.tensor as T  # noqa: E402
from symlab.backends import cupy as backend  # noqa: E402


def timed(cp, fn, number, repeat):
    """Median seconds per call of ``fn()`` (``number`` calls, then a synchronize; ``repeat``
    rounds), after one warm-up round."""
    for _ in range(max(1, number // 4)):
        fn()
    cp.cuda.Device().synchronize()
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        cp.cuda.Device().synchronize()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def cpu_timed(fn, number, repeat):
    fn()
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def fmt(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    return f"{seconds * 1e3:.3f} ms"


# ---------------------------------------------------------------- 1. bandwidth

def copy_bandwidth(cp, repeat):
    n = (1 << 30) // 4
    a = cp.ones(n, dtype="float32")
    b = cp.empty_like(a)
    seconds = timed(cp, lambda: cp.copyto(b, a), 5, repeat)
    return 2 * a.nbytes / seconds / 1e9, seconds


# ---------------------------------------------------------------- 2. logistic

def logistic_rows(cp, bandwidth, repeat):
    x_sym = T.fmatrix("x")
    v_sym = T.fvector("v")
    f_matrix = symlab.function([x_sym], 1 / (1 + T.exp(-x_sym)), device="cuda")
    f_vector = symlab.function([v_sym], 1 / (1 + T.exp(-v_sym)), device="cuda")
    by_kernel = cp.ElementwiseKernel("float32 x", "float32 y", "y = 1.0f / (1.0f + expf(-x));",
                                     "hand_logistic")
    rows = []
    rng = np.random.default_rng(0)
    for label, f, shape in (("logistic 4000x4000", f_matrix, (4000, 4000)),
                            ("logistic 16M vector", f_vector, (16 * 1024 * 1024,))):
        host = rng.normal(0, 4, shape).astype("float32")
        x = cp.asarray(host)
        want = 1 / (1 + np.exp(-host.astype("float64")))
        for name, fn in (("symlab fused kernel", lambda: f(x)),
                         ("CuPy by hand (ufuncs)", lambda: 1 / (1 + cp.exp(-x))),
                         ("CuPy ElementwiseKernel by hand", lambda: by_kernel(x))):
            np.testing.assert_allclose(cp.asnumpy(fn()), want, rtol=2e-6, atol=1e-7,
                                       err_msg=f"{label}, {name}")
            seconds = timed(cp, fn, 20, repeat)
            gbs = 2 * host.nbytes / seconds / 1e9
            rows.append({"workload": label, "how": name, "seconds": seconds, "GB/s": gbs,
                         "of copy": gbs / bandwidth})
    return rows, f_matrix.source


# ---------------------------------------------------------------- 3. the MLP step

class CupyMLP:
    """bench_mlp's NumpyMLP with CuPy: forward, backward, in-place SGD, by hand."""

    def __init__(self, cp, params, rate):
        self.cp = cp
        self.params = [cp.asarray(p) for p in params]
        self.rate = rate

    def step(self, x, y):
        cp = self.cp
        w1, b1, w2, b2 = self.params
        hidden = cp.tanh(x @ w1 + b1)
        logits = hidden @ w2 + b2
        logits -= logits.max(axis=1, keepdims=True)
        e = cp.exp(logits)
        p = e / e.sum(axis=1, keepdims=True)
        rows = cp.arange(len(y))
        cost = -cp.log(p[rows, y]).mean()
        d_logits = p
        d_logits[rows, y] -= 1
        d_logits /= len(y)
        d_pre = (d_logits @ w2.T) * (1 - hidden * hidden)
        w2 -= self.rate * (hidden.T @ d_logits)
        b2 -= self.rate * d_logits.sum(axis=0)
        w1 -= self.rate * (x.T @ d_pre)
        b1 -= self.rate * d_pre.sum(axis=0)
        return cost


def mlp_rows(cp, repeat, quick):
    import bench_mlp
    rows = []
    for batch in (128, 4096):
        rng = np.random.default_rng(1)
        params, _ = bench_mlp.make_problem()
        xb = rng.random((batch, bench_mlp.N_IN), dtype="float32")
        yb = rng.integers(0, bench_mlp.N_OUT, batch).astype("int32")
        x_sym, y_sym = T.fmatrix("x"), T.ivector("y")
        steps = {}
        for device in ("cuda", "cpu"):
            shared = [symlab.shared(p.copy(), name=n, device=device)
                      for p, n in zip(params, ("W1", "b1", "W2", "b2"))]
            w1, b1, w2, b2 = shared
            hidden = T.tanh(T.dot(x_sym, w1) + b1)
            prob = T.nnet.softmax(T.dot(hidden, w2) + b2)
            cost = T.nnet.categorical_crossentropy(prob, y_sym).mean()
            grads = T.grad(cost, shared)
            steps[device] = symlab.function(
                [x_sym, y_sym], cost, device=device,
                updates=[(p, p - bench_mlp.RATE * g) for p, g in zip(shared, grads)])
        by_hand = CupyMLP(cp, params, bench_mlp.RATE)
        numpy_hand = bench_mlp.NumpyMLP(params)
        xd, yd = cp.asarray(xb), cp.asarray(yb)
        for _ in range(2):     # the same first steps: symlab on cuda, CuPy by hand, NumPy
            got, mine, ref = steps["cuda"](xd, yd), by_hand.step(xd, yd), numpy_hand.step(xb, yb)
            np.testing.assert_allclose(float(got), float(ref), rtol=1e-4)
            np.testing.assert_allclose(float(mine), float(ref), rtol=1e-4)
        number = 20 if quick else 100
        label = f"MLP step 784-256-10, batch {batch}"
        for name, fn, on_gpu in (("symlab on cuda", lambda: steps["cuda"](xd, yd), True),
                                 ("CuPy by hand", lambda: by_hand.step(xd, yd), True),
                                 ("symlab on the CPU", lambda: steps["cpu"](xb, yb), False)):
            if on_gpu:
                seconds = timed(cp, fn, number, repeat)
            else:
                seconds = cpu_timed(fn, max(3, number // 10), max(3, repeat // 2))
            rows.append({"workload": label, "how": name, "seconds": seconds})
    return rows


# ---------------------------------------------------------------- 4. per-call overhead

def overhead_rows(cp, repeat):
    v = T.fvector("v")
    on_gpu = symlab.function([v], v + 1, device="cuda")
    to_host = symlab.function([v], v + 1, device="cuda", return_numpy=True)
    on_cpu = symlab.function([v], v + 1)
    xd = cp.ones(1, dtype="float32")
    xh = np.ones(1, dtype="float32")
    label = "x + 1, 1 element (per call)"
    rows = []
    for name, fn, gpu in (("symlab on cuda, device in/out", lambda: on_gpu(xd), True),
                          ("symlab on cuda, NumPy in/out", lambda: to_host(xh), True),
                          ("CuPy by hand", lambda: xd + 1, True),
                          ("symlab on the CPU", lambda: on_cpu(xh), False)):
        seconds = timed(cp, fn, 2000, repeat) if gpu else cpu_timed(fn, 20000, repeat)
        rows.append({"workload": label, "how": name, "seconds": seconds})
    return rows


# ---------------------------------------------------------------- 5. random draws

def random_rows(cp, bandwidth, repeat):
    from symlab.random import RandomStreams
    shape = (4000, 4000)
    n = shape[0] * shape[1]
    label = "uniform 4000x4000"
    funcs = {}
    for kind, dtype in (("randomstate", "float64"), ("philox", "float64"),
                        ("randomstate", "float32")):
        srng = RandomStreams(seed=1234, kind=kind)
        funcs[kind, dtype] = (srng, symlab.function([], srng.uniform(shape, dtype=dtype),
                                                    device="cuda"))
    on_cpu = symlab.function([], RandomStreams(seed=1234).uniform(shape))
    cupy_generator = cp.random.default_rng(1234)
    cases = [("symlab on cuda (RandomState stream)", funcs["randomstate", "float64"][1], 8),
             ("symlab on cuda (kind='philox')", funcs["philox", "float64"][1], 8),
             ("symlab on cuda, float32", funcs["randomstate", "float32"][1], 4),
             ("cupy.random.uniform by hand", lambda: cp.random.uniform(size=shape), 8),
             ("CuPy Generator.random by hand", lambda: cupy_generator.random(shape), 8),
             ("symlab on the CPU, then uploaded", lambda: cp.asarray(on_cpu()), 8)]
    for kind_dtype, (stream, f) in funcs.items():        # reproducible from the seed
        first = cp.asnumpy(f()[:2, :4])
        stream.seed(1234)
        np.testing.assert_array_equal(cp.asnumpy(f()[:2, :4]), first, err_msg=str(kind_dtype))
    rows = []
    for name, fn, itemsize in cases:
        values = fn()
        mean, var = float(values.mean()), float(values.var())
        assert abs(mean - 0.5) < 5 * (1 / 12 / n) ** 0.5, (name, mean)
        assert abs(var - 1 / 12) < 0.002, (name, var)
        if "CPU" in name:
            seconds = timed(cp, fn, 2, max(3, repeat // 5))
        else:
            seconds = timed(cp, fn, 20, repeat)
        gbs = n * itemsize / seconds / 1e9
        rows.append({"workload": label, "how": name, "seconds": seconds, "GB/s": gbs,
                     "of copy": gbs / bandwidth})
    return rows


# ---------------------------------------------------------------- main

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args(argv)
    if not backend.is_available():
        print(f"bench_gpu: no GPU: {backend.unavailable_reason()}")
        return 2
    cp = backend.require()
    repeat = 5 if args.quick else 15
    props = cp.cuda.runtime.getDeviceProperties(0)
    card = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
    print(f"card: {card}, {props['totalGlobalMem'] / 2 ** 30:.0f} GiB, compute capability "
          f"{props['major']}.{props['minor']}; CuPy {cp.__version__}, NumPy {np.__version__}")
    bandwidth, copy_seconds = copy_bandwidth(cp, repeat)
    print(f"copy bandwidth (cupy.copyto, 1 GiB float32, read + write): {bandwidth:.0f} GB/s "
          f"({fmt(copy_seconds)} per copy)")
    rows, source = logistic_rows(cp, bandwidth, repeat)
    rows += mlp_rows(cp, repeat, args.quick)
    rows += overhead_rows(cp, repeat)
    rows += random_rows(cp, bandwidth, repeat)
    print()
    print(f"{'workload':<36} {'how':<32} {'time':>11} {'GB/s':>7} {'of copy':>8} {'vs symlab':>10}")
    base = {}
    for row in rows:
        if row["how"].startswith("symlab") and row["workload"] not in base:
            base[row["workload"]] = row["seconds"]
        gbs = f"{row['GB/s']:.0f}" if "GB/s" in row else ""
        share = f"{100 * row['of copy']:.0f}%" if "of copy" in row else ""
        ratio = row["seconds"] / base.get(row["workload"], row["seconds"])
        print(f"{row['workload']:<36} {row['how']:<32} {fmt(row['seconds']):>11} {gbs:>7} "
              f"{share:>8} {ratio:>9.2f}x")
    print("\n'vs symlab': time / the time of symlab on cuda for the same workload "
          "(above 1: slower than symlab).")
    print("\nThe fused logistic kernel symlab generated (f.source):\n")
    print(source)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"card": card, "copy GB/s": bandwidth, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
