"""Blocked, threaded evaluation of large elementwise kernels (the NumPy backend's runtime).

A large elementwise node (an ``Elemwise`` or a ``FusedElemwise``) runs as a
generated *block function*, ``_kernel_N(_out, x, y, _start, _stop)``, that
computes the flat elements ``[_start, _stop)`` of its result; ``run_blocked``
splits the work into blocks of ``BLOCK_ELEMENTS`` elements and runs them on
the calling thread and, for enough work, on a pool of helper threads too
(NumPy's ufuncs release the GIL while they loop). Both show in ``f.source``:
the node's lines become ``if <big and contiguous>: <run the kernel> else:
<the straight NumPy code of before>``, and the block functions follow the
main function.

Why blocks: a kernel over full arrays streams each step's temporary through
main memory, and a row computed by a slow function stays slow. Over blocks of
64k elements (512 kB of float64) a kernel's temporaries stay in the core's
L2 cache, and a sigmoid (SciPy's ``expit``, about 6 ns per element) is
computed as ``1 / (1 + exp(-x))`` by NumPy's SIMD ufuncs (about 2 ns): exp
overflows to inf for x < -709 (float64), giving 1 / inf = 0, which is what
``expit`` returns there; that overflow is silenced, and the results agree
with ``expit`` to a few ulps. Why threads: every core takes blocks from one
shared counter, so a core slowed by other work takes fewer of them.

What runs in blocks (``numpy_backend`` decides; everything else runs the
straight code): output and non-scalar inputs of one ndim, none broadcast by
its static type, 0-d inputs and size-1 constants used as scalars; at run time
every non-scalar input must have the same shape and be C-contiguous (its
flat view is then free), which leaves slices, transposes, runtime-broadcast
operands and 0-size arrays to the straight code; an in-place kernel also
needs its buffer to share no memory with the other inputs.

When, measured on the 2-core development machine (Xeon, 2 MB L2 per core,
shared with other jobs: each number is the best of several interleaved runs;
``benchmarks/bench_core.py`` prints the table):

* a kernel's work is its elements x its steps (ufunc calls per element; a
  sigmoid counts 4). Threads join from ``MIN_WORK`` = 1M of work (and
  ``MIN_ELEMENTS``, ``MIN_THREAD_ELEMENTS`` per thread): waking a helper costs
  tens of microseconds, so below that the second thread loses (x + y on 100k
  elements: 3x slower; 1M: 0.65x the straight time; 200 x (tanh(x) + 0.5) on
  5k elements: 1.16x, on 10k: 0.74x; logistic on 30k: 1.0x, on 300k: 0.28x).
* on one thread, blocks pay only for a sigmoid (logistic on 10k elements:
  0.55x, on 1M: 0.36x) or for temporaries larger than the cache
  (``exp(x) * 2 + sqrt(abs(x))`` on 1M: 0.6x); a one-step kernel is 5-30%
  slower in blocks. So a kernel with a sigmoid runs in blocks from
  ``MIN_ELEMENTS`` = 8192 elements, any other only where threads join.
* block size: 64k elements beat 32k with two threads (logistic on 1M: 0.22x
  against 0.35x of the straight time; fewer hand-overs of the GIL), 128k was
  no better, 8k-16k pay Python's cost per ufunc call per block.
* temporaries: each block's first step allocates its temporary (NumPy and
  malloc hand the block just freed back, still in cache); per-thread scratch
  buffers kept between blocks measured no faster (1.27 against 1.23-1.31 ms
  for the logistic on 1M, two threads), nor did using the output block as the
  temporary.
* small arrays pay one comparison (``x.size >= 8192``) per node, about 35 ns
  of a 1.35 us call of the logistic of a 2x2 matrix; no thread is started.
* the result (bench_core.py, same run): logistic 1000x1000 float64 1.45-2.2
  ms against 6.5 ms straight, 2.5 ms NumPy by hand and 1.05 ms for JAX jit
  (all its threads); 4000x4000 39 ms against 118 ms, 114 ms and 47 ms (a
  fresh 128 MB result costs about 30 ms to allocate and write, a copy into a
  kept buffer 11 ms); 200 x (tanh(x) + 0.5) on 10k elements 2.9 ms against
  3.65 ms, 3.9 ms and 6.3 ms.

Floating-point errors: NumPy keeps ``np.errstate`` per thread (per context in
NumPy 2), so a helper would not see the caller's settings. Each threaded call
reads the caller's (``np.geterr``, ``np.geterrcall``) and the helpers run its
blocks under the same: warnings, ``'raise'`` (the ``FloatingPointError``
reaches the caller) and ``'call'`` behave as on the caller's thread. A warning
is issued per block that meets it, so under the ``'always'`` warnings filter a
call may show it more than once.

Exceptions: the first exception raised in any block stops the blocks not yet
started, waits for those running, and is raised in the caller with its
traceback through the block function (so a failing call names the node).

The pool is created on first use, never at import, with ``os.cpu_count()``
daemon threads (a forked child makes its own). Settings are read when a
function is compiled, the environment over the module constants:
``SYMLAB_BLOCKED=1`` or ``0`` turns blocked kernels on or off (``ENABLED``, off
by default), ``SYMLAB_BLOCK_ELEMENTS``, ``SYMLAB_BLOCK_MIN_ELEMENTS`` and
``SYMLAB_BLOCK_MIN_WORK`` set the sizes; ``SYMLAB_THREADS`` (read at each call)
sets the threads per call (1: blocks on the caller's thread only; more than
``os.cpu_count()`` grows the pool).
"""

import itertools
import os
import threading
from collections import namedtuple

import numpy as np

__all__ = ["run_blocked", "settings", "threads", "threads_from", "Settings", "ENABLED",
           "BLOCK_ELEMENTS", "MIN_WORK", "MIN_ELEMENTS", "MIN_THREAD_ELEMENTS"]

#: Blocked kernels are generated for large nodes (``SYMLAB_BLOCKED=0`` turns them off, and the
#: generated source is then the straight code, line for line).
ENABLED = True
#: Elements per block.
BLOCK_ELEMENTS = 65536
#: Threads share a kernel's blocks from this much work on (elements x steps); a kernel
#: without a sigmoid runs in blocks only from there too.
MIN_WORK = 1_000_000
#: No kernel runs in blocks on fewer elements than this.
MIN_ELEMENTS = 8192
#: Each thread of a call gets at least this many elements (read at each call).
MIN_THREAD_ELEMENTS = 4096

Settings = namedtuple("Settings", "enabled block_elements min_elements min_work")


def settings():
    """The blocking settings now: module constants, overridden by the environment."""
    env = os.environ
    enabled = ENABLED
    if env.get("SYMLAB_BLOCKED", "").strip():
        enabled = env["SYMLAB_BLOCKED"].strip().lower() not in ("0", "false", "no", "off")
    return Settings(enabled,
                    max(1, _env_int("SYMLAB_BLOCK_ELEMENTS", BLOCK_ELEMENTS)),
                    max(1, _env_int("SYMLAB_BLOCK_MIN_ELEMENTS", MIN_ELEMENTS)),
                    max(0, _env_int("SYMLAB_BLOCK_MIN_WORK", MIN_WORK)))


def _env_int(name, default):
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name} must be an integer; got {text!r}") from None


def threads():
    """How many threads one call may use, the caller's included: ``SYMLAB_THREADS`` if set
    (1 or more), else ``os.cpu_count()``."""
    count = _env_int("SYMLAB_THREADS", 0)
    return count if count > 0 else (os.cpu_count() or 1)


def threads_from(steps, config):
    """The fewest elements from which a kernel of ``steps`` steps per element uses threads."""
    return max(config.min_elements, -(-config.min_work // max(steps, 1)))


# ---------------------------------------------------------------- running

def run_blocked(kernel, out, args, block, threads_from=0):
    """Run ``kernel(out, *args, start, stop)`` over the flat elements of ``out``; return ``out``.

    Blocks of ``block`` elements go to the caller and, when ``out`` has at
    least ``threads_from`` elements, to helper threads too (each thread gets
    ``MIN_THREAD_ELEMENTS`` or more; blocks shrink so that each gets one).
    """
    size = out.size
    count = 1
    if size >= threads_from:
        count = min(threads(), max(1, size // max(MIN_THREAD_ELEMENTS, 1)))
    if count > 1:
        block = max(1, min(block, -(-size // count)))
    blocks = -(-size // block)
    if count <= 1 or blocks <= 1:
        for start in range(0, size, block):
            kernel(out, *args, start, min(start + block, size))
        return out
    _Call(kernel, out, args, size, block, blocks).run(min(count, blocks) - 1)
    return out


class _Call:
    """One call's blocks, shared by the caller and the helpers it asked for."""

    def __init__(self, kernel, out, args, size, block, blocks):
        self.kernel, self.out, self.args = kernel, out, args
        self.size, self.block, self.blocks = size, block, blocks
        self.take = itertools.count().__next__     # atomic under the GIL
        self.error = None
        self.lock = threading.Lock()
        self.closed = False                         # the caller has stopped waiting for starters
        self.busy = 0                               # helpers running blocks now
        self.idle = None                            # set when busy drops to 0 after closing

    def work(self):
        kernel, out, args = self.kernel, self.out, self.args
        size, block, blocks = self.size, self.block, self.blocks
        while self.error is None:
            k = self.take()
            if k >= blocks:
                return
            start = k * block
            kernel(out, *args, start, min(start + block, size))

    def help(self, errors, call):
        """A helper's part: blocks until none is left (nothing if the caller is done)."""
        with self.lock:
            if self.closed:
                return
            self.busy += 1
        try:
            with np.errstate(call=call, **errors):
                self.work()
        except BaseException as exc:       # noqa: BLE001 - handed to the caller
            if self.error is None:
                self.error = exc
        finally:
            with self.lock:
                self.busy -= 1
                if self.closed and self.busy == 0 and self.idle is not None:
                    self.idle.set()

    def run(self, helpers):
        errors, call = np.geterr(), np.geterrcall()
        pool = _pool(helpers)
        for _ in range(helpers):
            pool.submit(self.help, errors, call)
        try:
            self.work()
        except BaseException as exc:       # noqa: BLE001 - raised below, after the helpers
            if self.error is None:
                self.error = exc
        with self.lock:
            self.closed = True
            if self.busy:
                self.idle = threading.Event()
        if self.idle is not None:
            self.idle.wait()
        if self.error is not None:
            error, self.error = self.error, None
            raise error


class _Pool:
    """Daemon threads running submitted callables, first in first out."""

    def __init__(self):
        import queue
        self.tasks = queue.SimpleQueue()
        self.threads = []

    def grow(self, size):
        """Start threads until there are ``size``."""
        while len(self.threads) < size:
            thread = threading.Thread(target=self._serve, daemon=True,
                                      name=f"symlab-blocks-{len(self.threads)}")
            thread.start()
            self.threads.append(thread)

    def submit(self, fn, *args):
        self.tasks.put((fn, args))

    def _serve(self):
        while True:
            fn, args = self.tasks.get()
            fn(*args)
            del fn, args                   # drop the call's arrays while waiting


_POOL = None
_POOL_LOCK = threading.Lock()


def _pool(helpers):
    """The helper pool, started on first use with ``os.cpu_count()`` threads (more if
    ``helpers`` asks for more)."""
    global _POOL
    pool = _POOL
    if pool is None or len(pool.threads) < helpers:
        with _POOL_LOCK:
            if _POOL is None:
                _POOL = _Pool()
            _POOL.grow(max(os.cpu_count() or 1, helpers))
            pool = _POOL
    return pool


def _forget_pool():
    """In a forked child the parent's threads are gone: start a new pool when needed."""
    global _POOL, _POOL_LOCK
    _POOL, _POOL_LOCK = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
