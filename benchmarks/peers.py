"""symlab beside NumPy by hand, PyTensor, JAX and numexpr on issue 8's workloads.

Run in the bench environment (benchmarks/README.md says how to make it):
``/tmp/benchvenv/bin/python benchmarks/peers.py`` (``--quick`` for fewer
repeats, ``--only ROW`` for some rows, ``--write`` to save
``benchmarks/RESULTS.md``). Peers that are not installed are skipped with a
note; symlab's ``trust_input`` column is skipped while ``Function`` has no
such attribute.

It first checks every engine's outputs against NumPy (float64 rows to
rtol 1e-9, float32 rows to rtol 1e-4, random draws bit for bit where the
engine uses the same NumPy generator) and exits 1 on any mismatch. Then it
measures, all in this one run: the median time per call (adaptive: the
first call is not timed; each sample batches calls up to 1 ms; an engine is
sampled until its samples add up to 0.2 s and number at least 5, five times
more where a sample batches calls; ``--quick``: 0.05 s and 3), the
compile-plus-first-call time in fresh processes (the median of 3 after a
first one; ``--quick``: 1), and the import time in fresh processes (median
of 5; ``--quick``: 3). It prints the times, then the ratios symlab / peer.

Every row uses the same sizes with and without ``--quick``.

Threads: ``--threads 1`` (the default) runs every engine on one thread
(OpenBLAS, OpenMP, numexpr, Numba and XLA's thread pools, and symlab's
``SYMLAB_THREADS`` where symlab reads it), which gives steady
numbers on a small machine shared with other work; ``--threads 0`` leaves
each library its own default. The setting is made before NumPy is imported
and is inherited by the child processes. ``--clock cpu`` measures CPU time
instead of wall time (see ``clock``).
"""

import argparse
import datetime
import gc
import importlib
import importlib.metadata
import inspect
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("JAX_PLATFORMS", "cpu")  # no accelerator probing, here and in children


def limit_threads(argv):
    """Apply ``--threads N`` (default 1) through the environment, before any library loads."""
    threads = "1"
    for k, arg in enumerate(argv):
        if arg == "--threads" and k + 1 < len(argv):
            threads = argv[k + 1]
        elif arg.startswith("--threads="):
            threads = arg.split("=", 1)[1]
    if threads in ("0", ""):
        return
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                 "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS", "SYMLAB_THREADS"):
        os.environ[name] = threads
    if threads == "1":
        os.environ["XLA_FLAGS"] = " ".join(filter(None, [
            os.environ.get("XLA_FLAGS"), "--xla_cpu_multi_thread_eigen=false",
            "intra_op_parallelism_threads=1"]))


if __name__ == "__main__":
    limit_threads(sys.argv[1:])

import numpy as np  # noqa: E402  (after limit_threads: OpenBLAS reads its thread count on load)

SEED = 1234
N_CHECKED = 3          # successive calls compared with NumPy for rows that keep state
MIN_SAMPLE_SECONDS = 1e-3
LOAD_AT_START = 0.0


class NotApplicable(Exception):
    """The engine has no equivalent of this workload (the cell shows a dash)."""


# --------------------------------------------------------------------------- workloads' math
# Written once over a namespace ``m`` (numpy, symlab.tensor, pytensor.tensor, jax.numpy).

def add(m, a, b):
    return a + b


def logistic(m, x):
    return 1 / (1 + m.exp(-x))


def chain(n):
    """``x = tanh(x) + 0.5``, ``n`` times."""
    def fn(m, x):
        for _ in range(n):
            x = m.tanh(x) + 0.5
        return x
    fn.__name__ = f"chain{n}"
    return fn


def chain_source(n):
    """The same chain as one numexpr expression."""
    text = "x"
    for _ in range(n):
        text = f"tanh({text}) + 0.5"
    return text


def mlp_problem():
    """Issue 5's MLP (bench_mlp.py): parameters and 8 batches (x float32 128x784, y int32)."""
    sys.path.insert(0, HERE)
    import bench_mlp
    params, batches = bench_mlp.make_problem()
    return dict(params=params, batches=batches)


def scalar_inputs():
    return dict(fn=add, source=None, args=(np.array(1.5), np.array(2.25)))


def matrix_input(n, fn=logistic, source="1 / (1 + exp(-x))"):
    def make():
        x = np.random.default_rng(0).standard_normal((n, n))
        return dict(fn=fn, source=source, args=(x,))
    return make


def vector_chain_input(n):
    def make():
        x = np.random.default_rng(0).standard_normal(10_000)
        return dict(fn=chain(n), source=chain_source(n), args=(x,))
    return make


def feed_increments(step, data):
    """Row 2 calls ``step(inc)`` with 1.5, 2.5, 3.5, ... (0-d float64 arrays)."""
    count = [0]

    def call():
        count[0] += 1
        return step(np.array(count[0] + 0.5))
    return call


def feed_batches(step, data):
    """Row 6 calls ``step(x, y)`` on the next batch, round robin."""
    batches, position = data["batches"], [0]

    def call():
        x, y = batches[position[0] % len(batches)]
        position[0] += 1
        return step(x, y)
    return call


def uniform_inputs(kind):
    return lambda: dict(kind=kind, shape=(1000, 1000))


def numpy_state(kind):
    """The NumPy generator that symlab's ``RandomStreams(SEED, kind)`` gives its first variable."""
    if kind == "randomstate":
        return np.random.RandomState(int(np.random.RandomState(SEED).randint(2 ** 30)))
    (child,) = np.random.SeedSequence(SEED).spawn(1)
    return np.random.Generator(np.random.PCG64(child))


@dataclass
class Row:
    key: str             # for --only (its number works too)
    number: str
    title: str
    method: str          # the Engine method that builds it
    make: object         # () -> keyword arguments of that method (made once, shared by all)
    check: str = "f64"   # f64, f32, random
    skip: frozenset = frozenset()   # engine keys that have no such row
    feed: object = None  # (engine's callable, data) -> a callable of no arguments
    compile_only: bool = False
    notes: list = field(default_factory=list)


SYMLAB = "symlab"
SYMLAB_VARIANTS = frozenset({"symlab_trusted", "symlab_borrow"})
PEERS = ("numpy", "pytensor_cvm", "pytensor_numba", "jax", "numexpr")
ARRAYS_ONLY = frozenset({"numexpr", "symlab_borrow"})   # engines for elementwise array rows only
ROWS = [
    Row("add", "1", "x + y, float64 scalars", "elementwise", scalar_inputs, skip=ARRAYS_ONLY),
    Row("acc", "2", "shared accumulator + update", "accumulate", lambda: {},
        skip=ARRAYS_ONLY, feed=feed_increments),
    Row("logistic1k", "3", "logistic 1000x1000", "elementwise", matrix_input(1000)),
    Row("logistic4k", "4", "logistic 4000x4000", "elementwise", matrix_input(4000)),
    Row("chain", "5", "200 x (tanh(x) + 0.5), 10k vector", "elementwise", vector_chain_input(200)),
    Row("mlp", "6", "MLP step 784-256-10 f32, batch 128", "mlp", mlp_problem, check="f32",
        skip=ARRAYS_ONLY, feed=feed_batches),
    Row("compile_logistic", "7a", "compile+1st call: logistic 1000x1000", "elementwise",
        matrix_input(1000), compile_only=True, skip=SYMLAB_VARIANTS),
    Row("compile_chain200", "7b", "compile+1st call: 200-op chain", "elementwise",
        vector_chain_input(200), compile_only=True, skip=SYMLAB_VARIANTS),
    Row("compile_chain800", "7c", "compile+1st call: 800-op chain", "elementwise",
        vector_chain_input(800), compile_only=True, skip=SYMLAB_VARIANTS),
    Row("compile_mlp", "7d", "compile+1st call: MLP step with grad", "mlp", mlp_problem,
        compile_only=True, skip=ARRAYS_ONLY | SYMLAB_VARIANTS, feed=feed_batches),
    Row("import", "8", "import (fresh process)", None, None),
    Row("random", "9", "uniform 1000x1000, RandomState (MT19937)", "uniform",
        uniform_inputs("randomstate"), check="random", skip=ARRAYS_ONLY),
    Row("random_gen", "9b", "uniform 1000x1000, Generator (PCG64)", "uniform",
        uniform_inputs("generator"), check="random", skip=ARRAYS_ONLY),
]
GROUPS = {"compile": [r.key for r in ROWS if r.compile_only],
          "random": ["random", "random_gen"], "7": [r.key for r in ROWS if r.compile_only],
          "9": ["random", "random_gen"]}


# --------------------------------------------------------------------------- engines
# Each engine builds, for one row, the callable its users would call (finished:
# JAX results are blocked on); the row's ``feed`` gives it its arguments.

class Engine:
    key = label = module = ""
    import_statement = ""

    @classmethod
    def missing(cls):
        """None if the engine can run here, else why not."""
        try:
            importlib.import_module(cls.module)
        except ImportError as exc:
            return f"{cls.module} is not installed ({exc})"
        return None

    @classmethod
    def version(cls):
        return importlib.metadata.version(cls.module)

    def prepare(self):
        """Imports and one-time set-up, before any timed region."""

    def elementwise(self, **data):
        raise NotApplicable

    accumulate = mlp = uniform = elementwise


class NumpyEngine(Engine):
    key, label, module = "numpy", "NumPy", "numpy"
    import_statement = "import numpy"

    def elementwise(self, fn, source, args):
        return lambda: fn(np, *args)

    def accumulate(self):
        state = {"acc": np.float64(0.0)}

        def step(inc):
            old = state["acc"]
            state["acc"] = old + inc
            return old
        return step

    def mlp(self, params, **rest):
        import bench_mlp
        return bench_mlp.NumpyMLP(params).step

    def uniform(self, kind, shape):
        state = numpy_state(kind)   # seeded as symlab seeds its stream's first variable
        return lambda: state.uniform(size=shape)


class SymlabEngine(Engine):
    key, label, module = "symlab", "symlab", "symlab"
    import_statement = "import symlab, symlab.tensor"

    def prepare(self):
        global symlab, T
        import symlab
        import symlab.tensor as T

    def finish(self, f):
        """The variants change how the compiled function is called; this one validates."""
        return f

    def output(self, variable):
        return variable

    def elementwise(self, fn, source, args):
        inputs = [T.tensor(dtype=a.dtype.name, shape=(None,) * a.ndim) for a in args]
        f = self.finish(symlab.function(inputs, self.output(fn(T, *inputs))))
        return lambda: f(*args)

    def accumulate(self):
        acc = symlab.shared(0.0, name="acc")
        inc = T.dscalar("inc")
        return self.finish(symlab.function([inc], acc, updates=[(acc, acc + inc)]))

    def mlp(self, params, **rest):
        import bench_mlp
        step, _ = bench_mlp.build_symlab(params, mode=None)
        return self.finish(step)

    def uniform(self, kind, shape):
        from symlab.tensor.shared_randomstreams import RandomStreams
        f = self.finish(symlab.function([], RandomStreams(SEED, kind=kind).uniform(shape)))
        return f


class SymlabTrusted(SymlabEngine):
    key, label = "symlab_trusted", "symlab trust_input"

    @classmethod
    def missing(cls):
        why = super().missing()
        if why is None:
            import symlab
            import symlab.tensor as T
            x = T.dscalar()
            if not hasattr(symlab.function([x], x + 1), "trust_input"):
                return "symlab's Function has no trust_input attribute (yet)"
        return why

    def finish(self, f):
        f.trust_input = True
        return f


class SymlabBorrow(SymlabEngine):
    key, label = "symlab_borrow", "symlab Out(borrow)"

    def output(self, variable):
        return symlab.Out(variable, borrow=True)


class PytensorEngine(Engine):
    module = "pytensor"
    import_statement = "import pytensor, pytensor.tensor"

    def prepare(self):
        global pytensor, pt
        import pytensor
        import pytensor.tensor as pt
        warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS")
        if not pytensor.config.blas__ldflags:   # said once, in the notes
            self.note = ("PyTensor found no BLAS to link its C code with (blas__ldflags is "
                         "empty, as after a pip install), so the C VM's dot products run "
                         "through NumPy's")

    def function(self, *args, **kwargs):
        return pytensor.function(*args, mode=self.mode(), **kwargs)

    def elementwise(self, fn, source, args):
        inputs = [pt.tensor(dtype=a.dtype.name, shape=(None,) * a.ndim) for a in args]
        f = self.function(inputs, fn(pt, *inputs))
        return lambda: f(*args)

    def accumulate(self):
        acc = pytensor.shared(np.array(0.0), name="acc")
        inc = pt.dscalar("inc")
        return self.function([inc], acc, updates=[(acc, acc + inc)])

    def mlp(self, params, **rest):
        x, y = pt.fmatrix("x"), pt.ivector("y")
        shared = [pytensor.shared(p.copy()) for p in params]
        w1, b1, w2, b2 = shared
        hidden = pt.tanh(pt.dot(x, w1) + b1)
        probabilities = pt.special.softmax(pt.dot(hidden, w2) + b2, axis=-1)
        cost = -pt.log(probabilities[pt.arange(y.shape[0]), y]).mean()
        grads = pytensor.grad(cost, shared)
        rate = np.float32(0.1)
        return self.function([x, y], cost,
                             updates=[(p, p - rate * g) for p, g in zip(shared, grads)])

    def uniform(self, kind, shape):
        if kind != "generator":
            raise NotApplicable  # PyTensor's random variables draw from numpy Generators only
        import pytensor.tensor.random as ptr
        rng = ptr.shared_rng(numpy_state(kind))
        next_rng, draw = rng.uniform(size=shape)
        return self.function([], draw, updates={rng: next_rng})


class PytensorCVM(PytensorEngine):
    key, label = "pytensor_cvm", "PyTensor C VM"

    def mode(self):
        from pytensor.compile.mode import Mode
        return Mode(linker="cvm", optimizer="fast_run")


class PytensorNumba(PytensorEngine):
    key, label = "pytensor_numba", "PyTensor Numba"
    import_statement = "import pytensor, pytensor.tensor, numba"

    def prepare(self):
        super().prepare()
        import pytensor.link.numba.linker  # noqa: F401  (imports numba: not a compile cost)

    def mode(self):
        return "NUMBA"


class JaxEngine(Engine):
    key, label, module = "jax", "JAX jit", "jax"
    import_statement = "import jax, jax.numpy; jax.devices()"

    def prepare(self):
        global jax, jnp
        import jax
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        jax.devices()

    def elementwise(self, fn, source, args):
        f = jax.jit(lambda *a: fn(jnp, *a))
        return lambda: f(*args).block_until_ready()

    def accumulate(self):
        step = jax.jit(lambda acc, inc: (acc, acc + inc))
        state = {"acc": jnp.float64(0.0)}

        def call(inc):
            out, state["acc"] = step(state["acc"], inc)
            return out.block_until_ready()
        return call

    def mlp(self, params, **rest):
        rate = np.float32(0.1)

        def loss(p, x, y):
            w1, b1, w2, b2 = p
            hidden = jnp.tanh(x @ w1 + b1)
            log_p = jax.nn.log_softmax(hidden @ w2 + b2, axis=-1)
            return -jnp.take_along_axis(log_p, y[:, None], axis=1).mean()

        def step(p, x, y):
            cost, grads = jax.value_and_grad(loss)(p, x, y)
            return cost, [w - rate * g for w, g in zip(p, grads)]
        jitted = jax.jit(step, donate_argnums=0)
        state = {"params": [jnp.asarray(p) for p in params]}

        def call(x, y):
            cost, state["params"] = jitted(state["params"], x, y)
            return jax.block_until_ready((cost, state["params"]))[0]
        return call

    def uniform(self, kind, shape):
        if kind != "generator":
            raise NotApplicable
        @jax.jit
        def draw(key):
            key, sub = jax.random.split(key)
            return key, jax.random.uniform(sub, shape, dtype=jnp.float64)
        state = {"key": jax.random.key(SEED)}

        def call():
            state["key"], values = draw(state["key"])
            return values.block_until_ready()
        call.other_stream = "threefry, not PCG64"
        return call


class NumexprEngine(Engine):
    key, label, module = "numexpr", "numexpr", "numexpr"
    import_statement = "import numexpr"

    def prepare(self):
        global numexpr
        import numexpr

    def elementwise(self, fn, source, args):
        if source is None:
            raise NotApplicable
        names = dict(zip(["x"], args))
        return lambda: numexpr.evaluate(source, local_dict=names)


ENGINES = [NumpyEngine, SymlabEngine, SymlabTrusted, SymlabBorrow, PytensorCVM, PytensorNumba,
           JaxEngine, NumexprEngine]


def build(engine, row, data):
    """The engine's callable for ``row``, fed: one call, no arguments (raises NotApplicable)."""
    if engine.key in row.skip:
        raise NotApplicable
    run = getattr(engine, row.method)(**data)
    return row.feed(run, data) if row.feed else run


# --------------------------------------------------------------------------- checking

TOLERANCES = {"f64": (np.float64, 1e-9, 1e-12), "f32": (np.float32, 1e-4, 1e-6)}


def compare(row, got, want, other_stream=None):
    """None when ``got`` (one call's output) matches NumPy's ``want``, else what differs."""
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        return f"shape {got.shape}, NumPy {want.shape}"
    if row.check == "random":
        if got.dtype != np.float64:
            return f"dtype {got.dtype}, expected float64"
        if other_stream:      # a different generator: the draw only has to look uniform
            if not (0 <= got.min() and got.max() < 1 and abs(got.mean() - 0.5) < 0.01):
                return f"not uniform on [0, 1): min {got.min()}, max {got.max()}"
            return None
        return None if np.array_equal(got, want) else "numbers differ from the same generator's"
    dtype, rtol, atol = TOLERANCES[row.check]
    if got.dtype != dtype:
        return f"dtype {got.dtype}, expected {np.dtype(dtype)}"
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        return f"max abs difference {np.max(np.abs(got - want)):.3g} (rtol {rtol})"
    return None


def check_row(row, engines):
    """Build each engine's callable, compare its outputs with NumPy's; return (runs, failures)."""
    data = row.make()
    runs, failures = {}, []
    reference = None
    for engine in engines:
        try:
            run = build(engine, row, data)
            outputs = [np.array(run(), copy=True) for _ in range(N_CHECKED)]
        except NotApplicable:
            continue
        except Exception as exc:
            failures.append(f"row {row.number} ({row.title}), {engine.label}: "
                            f"{type(exc).__name__}: {exc}")
            continue
        if reference is None:     # NumPy comes first
            reference = outputs
        else:
            for k, (got, want) in enumerate(zip(outputs, reference)):
                problem = compare(row, got, want, getattr(run, "other_stream", None))
                if problem:
                    failures.append(f"row {row.number} ({row.title}), {engine.label}, "
                                    f"call {k + 1}: {problem}")
                    break
        if getattr(run, "other_stream", None):
            row.notes.append(f"{engine.label} draws with its own generator "
                             f"({run.other_stream}): checked for range and mean only")
        runs[engine.key] = run
    return runs, failures


# --------------------------------------------------------------------------- timing

def clock():
    """Seconds: wall time, or with ``--clock cpu`` (``PEERS_CLOCK=cpu``, which children
    inherit) the CPU time of this process and of its children that have finished
    (PyTensor's compiler runs). CPU time leaves out the time other work on the
    machine takes from a single-threaded engine.
    """
    if os.environ.get("PEERS_CLOCK") == "cpu":
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime
    return time.perf_counter()


def calls_per_sample(run):
    """How many calls one sample batches (up to ``MIN_SAMPLE_SECONDS``); the first call untimed."""
    run()
    start = clock()
    run()
    return max(1, int(MIN_SAMPLE_SECONDS / max(clock() - start, 1e-9)))


def median_seconds(runs, budget, min_samples):
    """Median seconds per call of each no-argument callable in ``runs`` (a dict).

    The callables take turns, one sample each, the order reversed every round,
    so that a busy machine slows them alike. Each gets at least ``min_samples``
    samples (five times more when a sample batches calls) and goes on until its
    samples add up to ``budget`` seconds.
    """
    number = {key: calls_per_sample(run) for key, run in runs.items()}
    wanted = {key: min_samples * (5 if number[key] > 1 else 1) for key in runs}
    samples = {key: [] for key in runs}

    def more(key):
        return len(samples[key]) < wanted[key] or (
            sum(samples[key]) * number[key] < budget and len(samples[key]) < 2000)

    order = list(runs)
    gc.collect()
    gc.disable()
    try:
        while any(more(key) for key in order):
            for key in [k for k in order if more(k)]:
                run, n = runs[key], number[key]
                start = clock()
                for _ in range(n):
                    run()
                samples[key].append((clock() - start) / n)
            order.reverse()
    finally:
        gc.enable()
    return {key: statistics.median(s) for key, s in samples.items()}


def bandwidth_floor(budget, min_samples):
    """Seconds of ``np.copyto(out, x)`` and of ``x + 0.0`` on 4000x4000 float64."""
    x = matrix_input(4000)()["args"][0]
    out = np.empty_like(x)
    times = median_seconds({"copy": lambda: np.copyto(out, x), "plus": lambda: x + 0.0},
                           budget, min_samples)
    return times["copy"], times["plus"], 2 * x.nbytes


def child_env(compiledir=None):
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    # Children run as a user's Python would: with bytecode caching. Where the
    # environment forbids it (PYTHONDONTWRITEBYTECODE, set on some CI machines),
    # an editable install recompiles every module of the package at each import
    # and every compile timing pays for it too.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if compiledir:
        flags = [f for f in env.get("PYTENSOR_FLAGS", "").split(",") if f]
        env["PYTENSOR_FLAGS"] = ",".join(flags + [f"base_compiledir={compiledir}"])
    return env


class Failed(str):
    """A cell whose child process failed: the text is short, ``detail`` says why."""

    def __new__(cls, text, detail):
        cell = super().__new__(cls, text)
        cell.detail = detail
        return cell


def run_child(code, env, timeout):
    """Run ``code`` in a fresh interpreter; return the number on its last line, or Failed."""
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, timeout=timeout, cwd=HERE)
    except subprocess.TimeoutExpired:
        return Failed("timeout", f"no result within {timeout} s")
    if done.returncode != 0:
        lines = [ln.strip() for ln in done.stderr.splitlines() if ln.strip()]
        raised = [ln for ln in lines if re.match(r"[\w.]+(Error|Exception)\b", ln)]
        detail = str((raised or lines or [f"exit status {done.returncode}"])[-1])[:200]
        return Failed(f"fails ({detail.split(':')[0]})", detail)
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_compile(engine_key, row_key):
    """In a fresh process: print the seconds of build + compile + first call (imports untimed)."""
    engine = next(e for e in ENGINES if e.key == engine_key)()
    row = next(r for r in ROWS if r.key == row_key)
    engine.prepare()
    data = row.make()
    gc.collect()
    start = clock()
    build(engine, row, data)()
    print(json.dumps(clock() - start))


def compile_seconds(engine, row, compiledir, repeats, timeout):
    """(first child, median of the next ``repeats``): each its own process.

    PyTensor keeps compiled C modules and Numba code on disk: the first child
    starts with an empty cache for this graph, the later ones find it warm.
    """
    code = (f"import sys; sys.path.insert(0, {HERE!r}); import peers; "
            f"peers.child_compile({engine.key!r}, {row.key!r})")
    env = child_env(compiledir)
    first = run_child(code, env, timeout)
    if isinstance(first, str) or not repeats:
        return first, first
    warm = [run_child(code, env, timeout) for _ in range(repeats)]
    errors = [w for w in warm if isinstance(w, str)]
    return first, (errors[0] if errors else statistics.median(warm))


def import_seconds(engine, repeats, timeout):
    code = ("import json, os, resource, time\n" + inspect.getsource(clock)
            + f"start = clock()\n{engine.import_statement}\nprint(json.dumps(clock() - start))")
    run_child(code, child_env(), timeout)          # writes the bytecode caches, untimed
    times = [run_child(code, child_env(), timeout) for _ in range(repeats)]
    errors = [t for t in times if isinstance(t, str)]
    return errors[0] if errors else statistics.median(times)


# --------------------------------------------------------------------------- tables

def fmt(seconds):
    if isinstance(seconds, str):
        return seconds
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def table(header, rows):
    """A Markdown table (readable as text too)."""
    widths = [max(len(str(r[k])) for r in [header] + rows) for k in range(len(header))]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + \
        [line(r) for r in rows]


def times_table(rows, engines, results):
    header = ["#", "workload"] + [e.label for e in engines]
    body = [[r.number, r.title] + [fmt(results[r.key].get(e.key, "—")) for e in engines]
            for r in rows]
    return table(header, body)


def ratio_cell(result, peer):
    base = result.get(SYMLAB)
    if not isinstance(peer, float) or not isinstance(base, float):
        return "—"
    best = min([result[v] for v in SYMLAB_VARIANTS if isinstance(result.get(v), float)]
               + [base])
    cell = f"{base / peer:.2f}"
    return cell + (f" ({best / peer:.2f})" if best < base else "")


def ratios_table(rows, engines, results):
    peers = [e for e in engines if e.key in PEERS]
    header = ["#", "workload"] + [f"symlab / {e.label}" for e in peers]
    body = [[r.number, r.title] + [ratio_cell(results[r.key], results[r.key].get(e.key))
                                   for e in peers] for r in rows]
    return table(header, body)


# --------------------------------------------------------------------------- main

def environment_lines(engines, skipped):
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip()
    versions = [f"Python {platform.python_version()}"] + \
        [f"{e.label} {e.version()}" for e in engines if e.key in ("numpy", "symlab")] + \
        list(dict.fromkeys(f"{e.module} {e.version()}" for e in engines
                           if e.key in PEERS and e.key != "numpy"))
    if any(e.key == "pytensor_numba" for e in engines):
        versions.append(f"numba {importlib.metadata.version('numba')}")
    if any(e.key == "jax" for e in engines):
        versions.append(f"jaxlib {importlib.metadata.version('jaxlib')}")
    package = os.path.dirname(symlab.__file__)
    git = lambda *words: subprocess.run(["git", *words], capture_output=True, text=True,
                                        cwd=package).stdout.strip()
    commit, dirty = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain", "--", ".")
    lines = [f"- date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
             f"- `uname -a`: {uname}",
             f"- CPUs: {os.cpu_count()}; load average (1 min) at the start {LOAD_AT_START:.2f}, "
             f"at the end {os.getloadavg()[0]:.2f}",
             f"- threads: {threads_line()}",
             "- clock: " + ("CPU time of the process and its finished children "
                            "(`time.process_time` + `getrusage(RUSAGE_CHILDREN)`)"
                            if os.environ.get("PEERS_CLOCK") == "cpu"
                            else "wall time (`time.perf_counter`)"),
             f"- versions: {', '.join(versions)}",
             f"- symlab from {package}, commit {commit or '?'}"
             + (" (symlab/ has uncommitted changes)" if dirty else "")]
    lines += [f"- skipped: {label}: {why}" for label, why in skipped]
    return lines


def threads_line():
    limit = os.environ.get("OPENBLAS_NUM_THREADS")
    if limit is None:
        return "each library's default (--threads 0)"
    text = (f"{limit} (OPENBLAS/OMP/MKL/NUMEXPR/NUMBA_NUM_THREADS, SYMLAB_THREADS" +
            (", XLA_FLAGS=--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1)"
             if limit == "1" else ")"))
    try:
        import numexpr
        text += f"; numexpr runs {numexpr.get_num_threads()} thread(s)"
    except ImportError:
        pass
    return text


def selected_rows(only):
    if not only:
        return ROWS
    wanted = set()
    for item in ",".join(only).split(","):
        keys = GROUPS.get(item) or [r.key for r in ROWS if item in (r.key, r.number)]
        if not keys:
            sys.exit(f"--only: unknown row {item!r}; rows: "
                     + ", ".join(f"{r.number}={r.key}" for r in ROWS) + ", compile, random")
        wanted.update(keys)
    return [r for r in ROWS if r.key in wanted]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats and child processes (same sizes)")
    parser.add_argument("--only", action="append", metavar="ROW",
                        help="row number or key (e.g. 4, logistic4k, compile, random); repeatable")
    parser.add_argument("--write", action="store_true", help="also write benchmarks/RESULTS.md")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per library (default 1; 0: each library's default)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall time (default), or CPU time: steadier on a shared machine")
    parser.add_argument("--timeout", type=int, default=300,
                        help="seconds allowed to one child process (default 300)")
    args = parser.parse_args(argv)
    global LOAD_AT_START
    LOAD_AT_START = os.getloadavg()[0]
    os.environ["PEERS_CLOCK"] = args.clock
    budget, min_samples = (0.05, 3) if args.quick else (0.2, 5)
    compile_repeats, import_repeats = (1, 3) if args.quick else (3, 5)
    rows = selected_rows(args.only)

    engines, skipped = [], []
    for cls in ENGINES:
        why = cls.missing()
        if why:
            skipped.append((cls.label, why))
            print(f"skipping {cls.label}: {why}")
        else:
            engines.append(cls())
    for engine in engines:
        engine.prepare()
    notes = list(dict.fromkeys(getattr(e, "note") for e in engines if hasattr(e, "note")))
    sys.path.insert(0, HERE)

    # 1. check
    runs, failures = {}, []
    for row in rows:
        if row.method and not row.compile_only:
            runs[row.key], problems = check_row(row, engines)
            failures += problems
    if failures:
        print("MISMATCH: outputs differ from NumPy's:")
        for problem in failures:
            print("  " + problem)
        return 1
    print(f"outputs checked against NumPy ({N_CHECKED} successive calls per row): ok")

    # 2. measure
    results = {row.key: {} for row in rows}
    compiledir = tempfile.mkdtemp(prefix="peers-pytensor-")
    if any(r.compile_only for r in rows):   # PyTensor's own C helpers, built once per directory
        for engine in engines:
            if engine.key.startswith("pytensor"):
                compile_seconds(engine, ROWS[0], compiledir, 0, args.timeout)
    cold = {}
    for row in rows:
        print(f"measuring {row.number}: {row.title}", flush=True)
        if row.key == "import":
            for engine in engines:
                if engine.key in SYMLAB_VARIANTS:
                    continue
                results[row.key][engine.key] = import_seconds(engine, import_repeats,
                                                              args.timeout)
        elif row.compile_only:
            cold[row.key] = {}
            for engine in engines:
                if engine.key in row.skip or engine.key == "numpy":
                    continue
                first, warm = compile_seconds(engine, row, compiledir, compile_repeats,
                                              args.timeout)
                cold[row.key][engine.key], results[row.key][engine.key] = first, warm
        else:
            results[row.key] = median_seconds(runs[row.key], budget, min_samples)
        if row.key == "logistic4k":
            copy, plus, nbytes = bandwidth_floor(budget, min_samples)
            notes.append(f"memory-bandwidth floor for row 4 (4000x4000 float64): "
                         f"`np.copyto(out, x)` into a preallocated `out` takes {fmt(copy)} "
                         f"({nbytes / copy / 1e9:.1f} GB/s read + written); `x + 0.0` "
                         f"(allocating its result, as the rows' engines do) takes {fmt(plus)}")
        notes += [f"row {row.number}: {n}" for n in row.notes]
        notes += [f"row {row.number}, {e.label}: {results[row.key][e.key].detail}"
                  for e in engines if isinstance(results[row.key].get(e.key), Failed)]

    # 3. report
    lines = ["## Time per call (median)", ""] + times_table(rows, engines, results)
    lines += ["", "## Ratios symlab / peer (same run)", "",
              "symlab's default call (validated inputs, outputs copied where they could "
              "alias); in parentheses, the fastest symlab variant (trust_input or "
              "Out(borrow=True)) where it is faster. Below 1: symlab is faster.", ""]
    lines += ratios_table(rows, engines, results)
    compile_rows = [r for r in rows if r.compile_only]
    if compile_rows:
        cold_results = {r.key: cold[r.key] for r in compile_rows}
        lines += ["", "## Compile + first call with PyTensor's on-disk cache empty for that graph "
                  "(one child each)", "",
                  "Rows 7a-7d above are the median of the children that came after it (the "
                  "cache warm); symlab, JAX and numexpr keep no compiled code on disk, so for "
                  "them the two are the same measurement.", ""]
        lines += times_table(compile_rows, [e for e in engines if e.key != "numpy"
                                            and e.key not in SYMLAB_VARIANTS], cold_results)
    lines += ["", "## Notes", ""] + [f"- {n}" for n in notes] + [
        "- rows 1-6, 9: median seconds per call after one untimed call; calls under 1 ms "
        "are timed in batches. Each engine is called the way its users call it: NumPy "
        "arrays in, results out; JAX results are blocked on (`block_until_ready`), its "
        "inputs are NumPy arrays copied in each call",
        "- row 2: symlab and PyTensor return the accumulator's old value and update it "
        "(shared variable); NumPy by hand keeps it in a dict; JAX carries it through a "
        "jitted `(acc, inc) -> (acc, acc + inc)`",
        "- row 6: symlab's step is bench_mlp.py's (softmax + categorical_crossentropy); "
        "PyTensor's uses `pt.special.softmax` and `-log(p[arange, y]).mean()`; JAX uses "
        "`jax.nn.log_softmax` and `value_and_grad`, parameters donated",
        "- rows 7a-7d: one fresh process per measurement; its imports (and, for PyTensor "
        "Numba, `import numba`; for JAX, `jax.devices()`) are not timed; the timed region "
        "builds the graph (and its gradient), compiles and makes the first call; PyTensor's "
        "first child uses a fresh compile directory (`base_compiledir`) for that graph, "
        "shared by the later children",
        "- row 8: median over fresh processes of the statements: " + "; ".join(
            f"{e.label}: `{e.import_statement}`" for e in engines
            if e.key not in SYMLAB_VARIANTS),
        "- rows 9, 9b: NumPy is seeded as symlab's `RandomStreams(1234)` seeds its first "
        "variable, so symlab must give the same numbers bit for bit; PyTensor gets the same "
        "Generator through `pytensor.tensor.random.shared_rng`",
    ]
    lines += ["", "## Environment", ""] + environment_lines(engines, skipped)
    command = "python benchmarks/peers.py " + " ".join(argv if argv is not None else sys.argv[1:])
    print()
    print("\n".join(lines))
    if args.write:
        path = os.path.join(HERE, "RESULTS.md")
        with open(path, "w") as out:
            out.write("# symlab beside its peers (issue 8)\n\nWritten by `"
                      + command.strip() + "` (see README.md in this folder).\n\n")
            out.write("\n".join(lines) + "\n")
        print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
