"""A CPU stand-in for the part of CuPy the CuPy backend calls, to run its code without a GPU.

NOT CuPy: "device arrays" are NumPy arrays. What it checks is everything
between the graph and the device: the generated Python (placement of each
value, transfers, reductions, views, dtypes, copies, what is returned), the
call path of ``CudaFunction`` and of shared variables on 'cuda', and the
kernels' C bodies themselves: ``ElementwiseKernel`` compiles them with g++
(``standalone_host``, the same text CuPy would get, with the host shims) and
runs them over broadcast NumPy arrays, as CuPy's loop does, checking the
argument dtypes as CuPy does. Kernels made before their first call are
compiled together, in one g++ run.

CuPy returns 0-d arrays where NumPy returns scalars (a full reduction, a
dot of vectors): the stand-in does too.
"""

import ctypes
import hashlib
import os
import subprocess
import tempfile
import types

import numpy as np

from symlab.backends.cuda_source import helpers_called, standalone_host

__version__ = "host stand-in"
ndarray = np.ndarray

_LIBRARIES = {}          # kernel name -> ctypes function
_PENDING = []            # kernels made but not compiled yet
_DIR = tempfile.mkdtemp(prefix="symlab-host-cupy-")


def _zero_d(fn):
    def wrapped(*args, **kwargs):
        result = fn(*args, **kwargs)
        return np.asarray(result) if np.isscalar(result) or isinstance(result, np.generic) \
            else result
    wrapped.__name__ = fn.__name__
    return wrapped


sum = _zero_d(np.sum)      # noqa: A001 (CuPy's names)
prod = _zero_d(np.prod)
max = _zero_d(np.max)      # noqa: A001
min = _zero_d(np.min)      # noqa: A001
all = _zero_d(np.all)      # noqa: A001
any = _zero_d(np.any)      # noqa: A001
argmax = _zero_d(np.argmax)
argmin = _zero_d(np.argmin)
dot = _zero_d(np.dot)
matmul = _zero_d(np.matmul)
tensordot = _zero_d(np.tensordot)
log = np.log
add = np.add
exp = np.exp
arange = np.arange
zeros = np.zeros
empty = np.empty
concatenate = np.concatenate
from_dlpack = np.from_dlpack
float32, float64, int64 = np.float32, np.float64, np.int64


def asarray(value, dtype=None):
    """A "device" array: a NumPy array, never a scalar."""
    return np.asarray(value, dtype=dtype)


def asnumpy(value):
    """A host copy, as ``cupy.asnumpy`` makes."""
    return np.array(value, copy=True)


class _Device:
    def synchronize(self):
        pass


cuda = types.SimpleNamespace(
    Device=_Device,
    is_available=lambda: True,
    runtime=types.SimpleNamespace(getDeviceCount=lambda: 1))


def _params(text):
    result = []
    for part in text.split(","):
        dtype, name = part.split()
        result.append((str(np.dtype(dtype)), name))
    return result


class ElementwiseKernel:
    """CuPy's ``ElementwiseKernel`` (fixed dtypes only), its body compiled with g++."""

    def __init__(self, in_params, out_params, operation, name, preamble="", options=()):
        self.inputs = _params(in_params)
        (self.output,) = _params(out_params)
        self.body = operation
        self.name = name
        self.options = options
        self.helpers = helpers_called(preamble + operation)
        self.constants = []
        if name not in _LIBRARIES:
            _PENDING.append(self)

    def __call__(self, *args):
        nin = len(self.inputs)
        if len(args) not in (nin, nin + 1):
            raise TypeError(f"Wrong number of arguments for {self.name!r}: {len(args)}")
        values = []
        for arg, (dtype, pname) in zip(args[:nin], self.inputs):
            if isinstance(arg, np.ndarray):
                if arg.dtype != np.dtype(dtype):
                    raise TypeError(f"Type is mismatched. {pname} {arg.dtype} {dtype}")
                values.append(arg)
            elif isinstance(arg, (np.generic, int, float, bool)):
                values.append(np.asarray(arg).astype(dtype)[()])
            else:
                raise TypeError(f"Unsupported type {type(arg)}")
        arrays = [v for v in values if isinstance(v, np.ndarray)]
        out = args[nin] if len(args) > nin else None
        if not arrays and out is None:     # CuPy takes the size from an output array too
            raise ValueError("Loop size is undecided.")
        shapes = [a.shape for a in arrays] + ([out.shape] if out is not None else [])
        shape = np.broadcast_shapes(*shapes)
        if out is not None:
            if out.shape != shape:
                raise ValueError("Out shape is mismatched")
            if out.dtype != np.dtype(self.output[0]):
                raise TypeError(f"Type is mismatched. y {out.dtype} {self.output[0]}")
        result = np.empty(shape, dtype=self.output[0])
        if result.size:
            flat = [np.ascontiguousarray(np.broadcast_to(np.asarray(v, dtype=d), shape)).ravel()
                    for v, (d, _) in zip(values, self.inputs)]
            fn = _function(self)
            fn(*[a.ctypes.data_as(ctypes.c_void_p) for a in flat],
               result.ctypes.data_as(ctypes.c_void_p), ctypes.c_longlong(result.size))
        if out is None:
            return result
        out[...] = result
        return out


def _function(kernel):
    fn = _LIBRARIES.get(kernel.name)
    if fn is None:
        batch = [k for k in _PENDING if k.name not in _LIBRARIES] or [kernel]
        if kernel not in batch:
            batch.append(kernel)
        _compile(batch)
        _PENDING.clear()
        fn = _LIBRARIES[kernel.name]
    return fn


def _compile(kernels):
    unique = {k.name: k for k in kernels}
    source = standalone_host(list(unique.values()))
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    path = os.path.join(_DIR, f"k{digest}")
    if not os.path.exists(path + ".so"):
        with open(path + ".cpp", "w") as f:
            f.write(source)
        run = subprocess.run(["g++", "-O1", "-fwrapv", "-ffp-contract=off", "-shared", "-fPIC",
                              path + ".cpp", "-o", path + ".so"], capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"g++ failed on the kernels:\n{run.stderr[-4000:]}")
    library = ctypes.CDLL(path + ".so")
    for name in unique:
        _LIBRARIES[name] = getattr(library, name)
