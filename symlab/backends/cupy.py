"""The CuPy backend: lowers an optimized FunctionGraph to one Python function over CuPy.

Like the NumPy backend, it writes ONE straight-line Python function, one
line (or a few) per node, that a user can read (``f.source``); above it, the
same source defines each elementwise kernel it calls as a CuPy
``ElementwiseKernel`` made from the text ``symlab.backends.cuda_source``
generates from the scalar-op table (so ``f.source`` shows every kernel
source too). CuPy is imported lazily: this module imports without it, and
``generate`` (the source and what it needs) never touches it; ``link``
(executing that source) does.

Where each value lives is decided per variable: tensors live on the device
(CuPy arrays), except the small integer values that describe shapes
(``shape(x)``, its entries, their products...): those stay on the host as
NumPy values, since ``reshape`` and ``alloc`` need them there, and a 0-d
host value goes into a kernel as a scalar argument. Random states and other
Python objects stay on the host.

Each op family lowers through ``lower_cuda`` (``functools.singledispatch``):
elementwise and fused nodes become kernels; reductions call CuPy's; ``dot``,
``matmul`` and ``tensordot`` call CuPy's (cuBLAS for floats; ``matmul`` first runs
the NumPy side's check of its runtime batch broadcasting); dimshuffle,
reshape and basic indexing make views; softmax, log-softmax and the
cross-entropies are written with CuPy calls; a random draw with a device
kernel (an op with ``device_callable``: ``uniform``, ``normal``) runs the
``cuda_random`` kernel keyed from its host state. An op with no device
lowering runs on the host, its inputs copied down and its tensor outputs
copied back up, and its lines say so (``# on the host: ...``).
"""

import functools
import hashlib
import time

import numpy as np

from symlab.backends.cuda_random import draw_kernel, launch
from symlab.backends.cuda_source import NVCC_FLAGS, kernel_for, kernel_inputs
from symlab.backends.numpy_backend import (Lowered, _broadcast_checks, _note_aliases,
                                           _probed, _raise_broadcast)
from symlab.graph.basic import Constant
from symlab.graph.user_op import Op as CustomOp
from symlab.tensor.elemwise import DimShuffle, Elemwise
from symlab.tensor.fused import FusedElemwise
from symlab.tensor.linalg import Dot, MatMul, TensorDot, _check_batch_broadcast
from symlab.tensor.reduction import Reduce
from symlab.tensor.shape import Reshape, Shape
from symlab.tensor.subtensor import AdvancedSubtensor, Subtensor, build_index
from symlab.tensor.type import TensorType, upcast

__all__ = ["CudaUnavailableError", "is_available", "unavailable_reason", "require",
           "array_module", "generate", "link", "lower", "Program", "lower_cuda",
           "device_filter", "to_host", "INSTALL_HINT"]

INSTALL_HINT = ("pip install 'symlab[gpu]' (CuPy for CUDA 13, cupy-cuda13x; with a CUDA 12 "
                "driver, pip install cupy-cuda12x instead)")


# ---------------------------------------------------------------- is CuPy there?

class CudaUnavailableError(RuntimeError):
    """``device='cuda'`` was asked for, but CuPy or a CUDA device is missing (the message
    says which, and how to install CuPy)."""


_state = {"probed": False, "module": None, "reason": None}


def _probe():
    if not _state["probed"]:
        module, reason = None, None
        try:
            import cupy as module
        except ImportError as exc:
            reason = f"CuPy is not installed ({exc}); install it with {INSTALL_HINT}"
        except Exception as exc:  # a broken installation: say what it raised
            reason = (f"CuPy is installed but fails to import ({type(exc).__name__}: {exc}); "
                      f"reinstall it with {INSTALL_HINT}")
        if module is not None:
            reason = _device_problem(module)
            if reason is not None:
                module = None
        _state.update(probed=True, module=module, reason=reason)
    return _state["module"], _state["reason"]


def _device_problem(cupy):
    """None if CuPy sees a CUDA device, else a sentence saying what is wrong."""
    version = getattr(cupy, "__version__", "?")
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:
        return (f"CuPy {version} is installed, but no CUDA device can be used "
                f"({type(exc).__name__}: {exc}); the GPU backend needs an NVIDIA GPU and its "
                "driver (symlab runs on the CPU with device='cpu', the default)")
    if count == 0:
        return (f"CuPy {version} is installed, but it finds no CUDA device; the GPU backend "
                "needs an NVIDIA GPU and its driver (symlab runs on the CPU with "
                "device='cpu', the default)")
    return None


def unavailable_reason():
    """None when the CuPy backend can run here; otherwise why not (without raising)."""
    return _probe()[1]


def is_available():
    """True if CuPy imports and sees a CUDA device. Never raises."""
    return unavailable_reason() is None


def require(what="device='cuda'"):
    """Return the CuPy module, or raise ``CudaUnavailableError`` saying what is missing."""
    module, reason = _probe()
    if module is None:
        raise CudaUnavailableError(f"{what}: {reason}")
    return module


array_module = require


def _use_array_module(module):
    """Run the backend on ``module`` instead of CuPy (tests: a CPU stand-in); None: probe
    again. Returns the previous state, for ``_restore``."""
    previous = dict(_state)
    if module is None:
        _state.update(probed=False, module=None, reason=None)
    else:
        _state.update(probed=True, module=module, reason=None)
    return previous


def _restore(previous):
    _state.update(previous)


# ---------------------------------------------------------------- values in and out

def to_host(value):
    """A NumPy copy of a device array (or of a NumPy array); other values as they are."""
    getter = getattr(value, "get", None)
    if getter is not None and hasattr(value, "__cuda_array_interface__"):
        return getter()
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


def _cuda_dlpack(value):
    """True if ``value`` exports DLPack memory on a CUDA device."""
    device = getattr(value, "__dlpack_device__", None)
    if device is None:
        return False
    try:
        kind = device()[0]
    except Exception:
        return False
    return int(kind) in (2, 3, 13)   # kDLCUDA, kDLCUDAHost, kDLCUDAManaged


def device_filter(cp, ttype, value, name="value", allow_downcast=None):
    """``value`` as a CuPy array of ``ttype`` (Theano's conversion rules, as on the host).

    CuPy arrays stay where they are; objects with ``__cuda_array_interface__``
    or CUDA ``__dlpack__`` are wrapped without a copy; anything else goes
    through the type's host ``filter`` and is copied to the device.
    """
    if isinstance(value, cp.ndarray):
        array = value
    elif hasattr(value, "__cuda_array_interface__") and not isinstance(value, np.ndarray):
        array = cp.asarray(value)
    elif not isinstance(value, np.ndarray) and _cuda_dlpack(value):
        array = cp.from_dlpack(value)
    else:
        return cp.asarray(ttype.filter(value, name=name, allow_downcast=allow_downcast))
    if array.dtype != ttype.numpy_dtype:
        if allow_downcast or upcast(ttype.dtype, str(array.dtype)) == ttype.dtype:
            array = array.astype(ttype.dtype)
        else:
            raise TypeError(
                f"{name}: expected {ttype}, got a device array of dtype {array.dtype}: storing "
                f"it as {ttype.dtype} could lose precision. Cast it explicitly "
                f"(value.astype('{ttype.dtype}')) or pass allow_input_downcast=True to function")
    if array.ndim != ttype.ndim:
        raise TypeError(f"{name}: expected {ttype} ({ttype.ndim}-d), got a device array of "
                        f"shape {tuple(array.shape)}: wrong number of dimensions")
    for axis, (want, got) in enumerate(zip(ttype.shape, array.shape)):
        if want is not None and want != got:
            raise ValueError(f"{name}: expected {ttype}, got a device array of shape "
                             f"{tuple(array.shape)}: dimension {axis} has size {got}, the "
                             f"static shape says {want}")
    return array


# ---------------------------------------------------------------- the program

class Program:
    """What ``generate`` makes, before any CuPy call: the source and its global names.

    ``source``: the whole module text (kernels, then the function);
    ``host_env``: names bound to host objects (NumPy constants, op callables);
    ``device_constants``: names to bind to device copies of NumPy values at
    link time; ``kernels``: ``{name: KernelSource}``; ``nodes``, ``spans``
    (absolute line ranges in ``source``), ``input_names``: as ``Lowered``;
    ``placement``: ``{variable: "host" or "device"}``; ``fallbacks``: the
    nodes run on the host because no device lowering exists.
    """

    def __init__(self, name, source, host_env, device_constants, kernels, nodes, spans,
                 input_names, placement, fallbacks, probe):
        self.name = name
        self.source = source
        self.host_env = host_env
        self.device_constants = device_constants
        self.kernels = kernels
        self.nodes = nodes
        self.spans = spans
        self.input_names = input_names
        self.placement = placement
        self.fallbacks = fallbacks
        self.probe = probe
        self.filename = f"<symlab generated (cuda): {name}>"


class _Namer:
    """Readable, unique Python identifiers for variables (as the NumPy backend names them)."""

    RESERVED = {"np", "cp"}

    def __init__(self):
        self.names = {}
        self.used = set()

    def name(self, var, prefix="v"):
        if var not in self.names:
            base = var.name if var.name else f"{prefix}{len(self.names)}"
            if not base.isidentifier() or base.startswith("_") or _is_keyword(base):
                base = "v"
            name, k = base, 1
            while name in self.used or name in self.RESERVED:
                name = f"{base}_{k}"
                k += 1
            self.used.add(name)
            self.names[var] = name
        return self.names[var]


def _is_keyword(text):
    import keyword
    return keyword.iskeyword(text)


class _Context:
    """What ``lower_cuda`` implementations use: names, constants, kernels, placement."""

    def __init__(self):
        self.host_env = {"np": np}
        self.device_constants = {}
        self.kernels = {}           # name -> KernelSource
        self._kernel_names = {}     # KernelSource.key -> name
        self.preambles = {}         # preamble text -> name
        self.placement = {}         # variable -> "host" | "device"
        self._constants = {}        # (id of Constant, place) -> name
        self._count = 0

    def fresh(self, prefix):
        self._count += 1
        return f"_{prefix}{self._count}"

    def bind(self, prefix, value):
        """A global name holding the host object ``value``."""
        name = self.fresh(prefix)
        self.host_env[name] = value
        return name

    def constant(self, var, place):
        """A global name for the Constant ``var``, on the host or the device."""
        key = (id(var), place)
        if key not in self._constants:
            value = np.asarray(var.data)
            if place == "device":
                name = self.fresh("d")
                self.device_constants[name] = value
            else:
                name = self.bind("c", value)
            self._constants[key] = name
        return self._constants[key]

    def device_array(self, value):
        """A global name for a device copy of the NumPy ``value``."""
        name = self.fresh("d")
        self.device_constants[name] = np.asarray(value)
        return name

    def kernel(self, source):
        """The global name of the kernel compiled from ``source`` (one per distinct source)."""
        name = self._kernel_names.get(source.key)
        if name is None:
            name = self.fresh("k")
            self._kernel_names[source.key] = name
            self.kernels[name] = source
            if source.preamble and source.preamble not in self.preambles:
                self.preambles[source.preamble] = self.fresh("preamble")
        return name

    def where(self, var):
        if isinstance(var, Constant):
            return "constant"
        return self.placement[var]

    def value(self, var, name, place):
        """The expression for ``var`` (named ``name``) where ``place`` ("host"/"device") wants it."""
        where = self.where(var)
        if where == "constant":
            return self.constant(var, place)
        if where == place or not isinstance(var.type, TensorType):
            return name
        return f"_host({name})" if place == "host" else f"cp.asarray({name})"


# ---------------------------------------------------------------- placement

def _small(var):
    """Values kept on the host when computed from host values: 0-d, or integer vectors."""
    t = var.type
    if not isinstance(t, TensorType):
        return True
    return t.ndim == 0 or (t.ndim == 1 and t.numpy_dtype.kind in "biu")


def _place(node, placement):
    """Where ``node`` runs: "host" (its outputs host values) or "device"."""
    if isinstance(node.op, Shape):
        return "host"
    if _is_draw(node.op) and draw_kernel(node)[0] is not None:
        return "device"        # even a 0-d draw: a device draw's numbers are not the CPU's
    places = [placement[v] for v in node.inputs if not isinstance(v, Constant)
              and isinstance(v.type, TensorType)]
    if places and all(p == "host" for p in places) and all(_small(o) for o in node.outputs):
        return "host"
    return "device"


# ---------------------------------------------------------------- lowering per op family

@functools.singledispatch
def lower_cuda(op, node, ins, outs, ctx):
    """Source lines computing ``outs`` from ``ins`` on the device, or None (no lowering:
    the node runs on the host)."""
    if _is_draw(op):
        return _lower_draw(op, node, ins, outs, ctx)
    return None


def _is_draw(op):
    """A random op (``symlab.random.ops.RandomVariable``, above this layer: duck-typed)."""
    return callable(getattr(op, "device_callable", None))


def _lower_draw(op, node, ins, outs, ctx):
    """The draw as one kernel keyed by two words of the host state (``cuda_random``)."""
    source, _why = draw_kernel(node)
    if source is None:
        return None
    rng, size, *params = node.inputs
    args = [ins[0], ctx.value(size, ins[1], "host")]
    for var, name in zip(params, ins[2:]):
        by_value = var.type.ndim == 0 and ctx.where(var) in ("host", "constant")
        args.append(ctx.value(var, name, "host" if by_value else "device"))
    kernel = ctx.kernel(source)
    fn = ctx.bind(f"{_safe(op.name)}_",
                  op.device_callable(node, functools.partial(launch, op.dtype)))
    return [f"# {op}: on the device, Philox4x64-10 keyed by two words of the host state",
            f"{outs[0]}, {outs[1]} = {fn}(cp, {kernel}, {', '.join(args)})"]


@lower_cuda.register(Elemwise)
@lower_cuda.register(FusedElemwise)
def _lower_elementwise(op, node, ins, outs, ctx):
    source, _why = kernel_for(node)
    if source is None:
        return None
    name_of = dict(zip(node.inputs, ins))
    args = []
    device_args = 0
    for var in kernel_inputs(node):
        if ctx.where(var) == "host" and var.type.ndim == 0:
            args.append(f"{name_of[var]}[()]")      # a host scalar goes in by value
        else:
            args.append(ctx.value(var, name_of[var], "device"))
            device_args += 1
    args += [ctx.device_array(value) for value in source.constants]
    device_args += len(source.constants)
    if device_args == 0:                             # CuPy needs one array for the shape
        first = kernel_inputs(node)[0]
        args[0] = f"cp.asarray({name_of[first]})"
    (out,) = outs
    target = None
    if op.inplace is not None:
        var = node.inputs[op.inplace]
        if ctx.where(var) == "device":
            target = name_of[var]
    kernel = ctx.kernel(source)
    call = f"{kernel}({', '.join(args + ([target] if target else []))})"
    lines = [f"# {op.name}", f"{out} = {call}"]
    checks = _broadcast_checks(node, ins, out)
    if checks or target:
        fail = ctx.bind("bcast_error_", functools.partial(_broadcast_failure, node))
        values = f"({', '.join(ins)},)"
        if target and len(node.inputs) > 1:
            lines = (lines[:1] + ["try:", f"    {lines[1]}", "except ValueError:",
                                  f"    {fail}({values}, None)", "    raise"])
        if checks:
            lines.append(f"if {' or '.join(checks)}: {fail}({values}, {out})")
    return lines


@lower_cuda.register(DimShuffle)
def _lower_dimshuffle(op, node, ins, outs, ctx):
    x, (out,) = ctx.value(node.inputs[0], ins[0], "device"), outs
    ndim = node.inputs[0].type.ndim
    kept = [a for a in op.new_order if a != "x"]
    dropped = tuple(a for a in range(ndim) if a not in kept)
    expr = x
    if dropped:
        expr = f"{expr}.squeeze(axis={dropped!r})"
        remaining = [a for a in range(ndim) if a not in dropped]
        kept = [remaining.index(a) for a in kept]
    if kept != sorted(kept):
        expr = f"{expr}.transpose({tuple(kept)!r})"
    if "x" in op.new_order:
        index = ", ".join("None" if a == "x" else ":" for a in op.new_order)
        expr = f"{expr}[{index}]"
    if expr == x:
        expr = f"{x}.view()"
    return [f"{out} = {expr}"]


@lower_cuda.register(Reduce)
def _lower_reduce(op, node, ins, outs, ctx):
    x, (out,) = ctx.value(node.inputs[0], ins[0], "device"), outs
    kind, axis = op.kind, op.axis
    out_dtype = node.outputs[0].type.dtype
    if kind in ("sum", "prod"):
        return [f"{out} = cp.{kind}({x}, axis={axis!r}, dtype={out_dtype!r})"]
    if kind in ("max", "min", "all", "any"):
        return [f"{out} = cp.{kind}({x}, axis={axis!r})"]
    fn = ctx.bind(f"{kind}_", functools.partial(_argreduce, kind))
    return [f"{out} = {fn}(cp, {x}, {axis!r})"]


def _argreduce(kind, cp, x, axis):
    """argmax/argmin over ``axis`` (None, or a tuple read as one flattened block), as int64."""
    fn = getattr(cp, kind)
    if axis is None:
        result = fn(x, axis=None)
    elif len(axis) == 1:
        result = fn(x, axis=axis[0])
    else:
        kept = [a for a in range(x.ndim) if a not in axis]
        moved = x.transpose(kept + list(axis))
        result = fn(moved.reshape([x.shape[a] for a in kept] + [-1]), axis=-1)
    return result.astype("int64", copy=False)


_PRODUCTS = {Dot: "cp.dot({a}, {b})", MatMul: "cp.matmul({a}, {b})"}


@lower_cuda.register(Dot)
@lower_cuda.register(MatMul)
@lower_cuda.register(TensorDot)
def _lower_product(op, node, ins, outs, ctx):
    out_dtype = node.outputs[0].type.dtype
    args = []
    for var, name in zip(node.inputs, ins):
        expr = ctx.value(var, name, "device")
        if var.type.dtype != out_dtype:
            expr = f"{expr}.astype({out_dtype!r})"
        args.append(expr)
    a, b = args
    if isinstance(op, TensorDot):
        expr = f"cp.tensordot({a}, {b}, axes={op.axes!r})"
    else:
        expr = _PRODUCTS[type(op)].format(a=a, b=b)
    lines = [f"{outs[0]} = {expr}"]
    if isinstance(op, MatMul) and min(v.type.ndim for v in node.inputs) >= 3:
        # The NumPy backend's check (it reads shapes only): a runtime size-1 batch axis
        # broadcasts only where its type allows it.
        check = ctx.bind("batch_check_", functools.partial(_check_batch_broadcast, node))
        lines.insert(0, f"{check}(({', '.join(ins)}))")
    return lines


@lower_cuda.register(Reshape)
def _lower_reshape(op, node, ins, outs, ctx):
    x = ctx.value(node.inputs[0], ins[0], "device")
    shape = ctx.value(node.inputs[1], ins[1], "host")
    fn = ctx.bind("reshape_", functools.partial(_reshape, op, node))
    return [f"{outs[0]} = {fn}({x}, {shape})"]


def _reshape(op, node, x, shape):
    shape = tuple(int(s) for s in shape)
    if len(shape) != op.ndim:
        raise ValueError(f"{op}: the shape {node.inputs[1]} has {len(shape)} entries at "
                         f"run time, expected {op.ndim}")
    try:
        return x.reshape(shape)
    except ValueError as exc:
        raise ValueError(f"{op}: cannot reshape {node.inputs[0]} (runtime shape "
                         f"{tuple(x.shape)}) into {shape}: {exc}") from None


@lower_cuda.register(Subtensor)
@lower_cuda.register(AdvancedSubtensor)
def _lower_subtensor(op, node, ins, outs, ctx):
    x = ctx.value(node.inputs[0], ins[0], "device")
    values = [ctx.value(var, name, "device" if var.type.ndim else "host")
              for var, name in zip(node.inputs[1:], ins[1:])]
    fn = ctx.bind("index_", functools.partial(_index, op, node))
    return [f"{outs[0]} = {fn}({', '.join([x] + values)})"]


def _index(op, node, x, *values):
    index = build_index(op.idx_spec, values)
    if isinstance(op, Subtensor):
        index += (Ellipsis,)
    try:
        return x[index]
    except IndexError as exc:
        raise IndexError(f"{op} of {node.inputs[0]} (runtime shape {tuple(x.shape)}): "
                         f"{exc}") from None


def _register_late():
    """Lowerings of ops defined above the tensor core (nnet, creation): registered on
    first use so that importing this module stays light."""
    if _register_late.done:
        return
    from symlab.gradient import GradientMarker
    from symlab.tensor.creation import Alloc
    from symlab.tensor.nnet import (CrossentropyCategorical1Hot, CrossentropyCategorical1HotGrad,
                                    LogSoftmax, Softmax, SoftmaxGrad)
    from symlab.tensor.shape import Join
    from symlab.tensor.subtensor import IncSubtensor

    @lower_cuda.register(GradientMarker)
    def _lower_marker(op, node, ins, outs, ctx):
        return [f"{outs[0]} = {ctx.value(node.inputs[0], ins[0], 'device')}  # {op.name}"]

    @lower_cuda.register(IncSubtensor)
    def _lower_inc_subtensor(op, node, ins, outs, ctx):
        x, y = (ctx.value(v, n, "device") for v, n in zip(node.inputs[:2], ins[:2]))
        values = [ctx.value(var, name, "device" if var.type.ndim else "host")
                  for var, name in zip(node.inputs[2:], ins[2:])]
        fn = ctx.bind(f"{op.name}_", functools.partial(_inc_subtensor, op, node))
        return [f"{outs[0]} = {fn}(cp, {', '.join([x, y] + values)})"]

    @lower_cuda.register(Softmax)
    @lower_cuda.register(LogSoftmax)
    def _lower_softmax(op, node, ins, outs, ctx):
        x = ctx.value(node.inputs[0], ins[0], "device")
        fn = ctx.bind(f"{op.name}_", functools.partial(
            _softmax, op.axis, isinstance(op, LogSoftmax), node.outputs[0].type.dtype))
        return [f"{outs[0]} = {fn}(cp, {x})"]

    @lower_cuda.register(SoftmaxGrad)
    def _lower_softmax_grad(op, node, ins, outs, ctx):
        gz, y = (ctx.value(v, n, "device") for v, n in zip(node.inputs, ins))
        dtype = node.outputs[0].type.dtype
        return [f"{outs[0]} = (({gz} - ({gz} * {y}).sum(axis={op.axis!r}, keepdims=True)) "
                f"* {y}).astype({dtype!r}, copy=False)"]

    @lower_cuda.register(CrossentropyCategorical1Hot)
    def _lower_crossentropy(op, node, ins, outs, ctx):
        coding, idx = (ctx.value(v, n, "device") for v, n in zip(node.inputs, ins))
        fn = ctx.bind("crossentropy_", functools.partial(_crossentropy, op, node))
        return [f"{outs[0]} = {fn}(cp, {coding}, {idx})"]

    @lower_cuda.register(CrossentropyCategorical1HotGrad)
    def _lower_crossentropy_grad(op, node, ins, outs, ctx):
        g, coding, idx = (ctx.value(v, n, "device") for v, n in zip(node.inputs, ins))
        fn = ctx.bind("crossentropy_grad_", functools.partial(_crossentropy_grad, op, node))
        return [f"{outs[0]} = {fn}(cp, {g}, {coding}, {idx})"]

    @lower_cuda.register(Alloc)
    def _lower_alloc(op, node, ins, outs, ctx):
        value = ctx.value(node.inputs[0], ins[0], "device")
        shape = [ctx.value(v, n, "host") for v, n in zip(node.inputs[1:], ins[1:])]
        fn = ctx.bind("alloc_", functools.partial(_alloc, node))
        return [f"{outs[0]} = {fn}(cp, {', '.join([value] + shape)})"]

    @lower_cuda.register(Join)
    def _lower_join(op, node, ins, outs, ctx):
        values = [ctx.value(v, n, "device") for v, n in zip(node.inputs, ins)]
        dtype = node.outputs[0].type.dtype
        parts = [v if var.type.dtype == dtype else f"{v}.astype({dtype!r})"
                 for v, var in zip(values, node.inputs)]
        return [f"{outs[0]} = cp.concatenate([{', '.join(parts)}], axis={op.axis})"]

    _register_late.done = True


_register_late.done = False


def _softmax(axis, log, dtype, cp, x):
    """softmax or log-softmax along ``axis`` (None: all), shifted by the max, in ``dtype``."""
    x = x.astype(dtype, copy=False)
    if x.size == 0:
        return x.copy()
    shifted = x - x.max(axis=axis, keepdims=True)
    if log:
        return shifted - cp.log(cp.exp(shifted).sum(axis=axis, keepdims=True))
    e = cp.exp(shifted)
    e /= e.sum(axis=axis, keepdims=True)
    return e


def _crossentropy(op, node, cp, coding, idx):
    out_dtype = node.outputs[0].type.dtype
    if coding.shape[0] != idx.shape[0]:
        raise ValueError(f"{op.name}: {node.inputs[0]} has {coding.shape[0]} rows but "
                         f"{node.inputs[1]} has {idx.shape[0]} indices")
    if idx.size and bool(((idx < 0) | (idx >= coding.shape[1])).any()):
        bad = to_host(idx)
        bad = bad[(bad < 0) | (bad >= coding.shape[1])][0]
        raise IndexError(f"{op.name}: {node.inputs[1]} holds the class index {bad}, outside "
                         f"0..{coding.shape[1] - 1} (the columns of {node.inputs[0]})")
    picked = coding[cp.arange(coding.shape[0]), idx].astype(out_dtype, copy=False)
    return -picked if op.log_input else -cp.log(picked)


def _crossentropy_grad(op, node, cp, g, coding, idx):
    out = cp.zeros(coding.shape, dtype=node.outputs[0].type.dtype)
    rows = cp.arange(coding.shape[0])
    out[rows, idx] = -g if op.log_input else -g / coding[rows, idx]
    return out


def _inc_subtensor(op, node, cp, x, y, *values):
    """x with x[index] set to or incremented by y (repeated advanced indices accumulate)."""
    out = x.copy()
    dtype = node.outputs[0].type.dtype
    if y.dtype != dtype:
        y = y.astype(dtype)
    index = build_index(op.idx_spec, values)
    if not op.advanced:
        index += (Ellipsis,)
    try:
        op._check_broadcast(node, out, tuple(to_host(i) for i in index), y)
        if op.set_instead_of_inc:
            out[index] = y
        elif op.advanced:
            _add_at(cp)(out, index, y)
        else:
            out[index] += y
    except IndexError as exc:
        raise IndexError(f"{op} of {node.inputs[0]} (runtime shape {tuple(x.shape)}): "
                         f"{exc}") from None
    return out


def _add_at(cp):
    """``add.at`` (unbuffered: repeated indices accumulate): CuPy's, or cupyx.scatter_add."""
    at = getattr(getattr(cp, "add", None), "at", None)
    if at is not None:
        return at
    import cupyx
    return cupyx.scatter_add


def _alloc(node, cp, value, *shape):
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"alloc: negative size in the shape {shape} "
                         f"(shape inputs {', '.join(map(str, node.inputs[1:]))})")
    out = cp.empty(shape, dtype=node.outputs[0].type.dtype)
    try:
        out[...] = value
    except ValueError:
        raise ValueError(f"alloc: cannot broadcast the value {node.inputs[0]} of shape "
                         f"{tuple(value.shape)} to the shape {shape}") from None
    from symlab.tensor.elemwise import check_runtime_broadcast
    check_runtime_broadcast(node, [_Shaped(value)] + list(shape), shape)
    return out


class _Shaped:
    """Only the shape of a device array: what the broadcast checks read (``np.shape``
    of a CuPy array would ask CuPy through ``__array_function__``)."""

    __slots__ = ("shape",)

    def __init__(self, value):
        self.shape = tuple(np.shape(value)) if isinstance(value, (np.ndarray, np.generic)) \
            else tuple(getattr(value, "shape", ()))


def _broadcast_failure(node, values, out):
    """``numpy_backend._raise_broadcast`` on the shapes of device values."""
    return _raise_broadcast(node, [_Shaped(v) for v in values],
                            None if out is None else _Shaped(out))


# ---------------------------------------------------------------- host fallback

def _lower_on_host(node, ins, outs, ctx, why):
    """Lines running ``node``'s NumPy code on host copies of its inputs (a shape reads
    the device array's shape where it is)."""
    fn = ctx.bind(f"{_safe(node.op.name)}_", node.op.numpy_callable(node))
    if isinstance(node.op, Shape):
        args = list(ins)
    else:
        args = [ctx.value(v, n, "host") for v, n in zip(node.inputs, ins)]
    targets = outs[0] if len(outs) == 1 else ", ".join(outs)
    lines = [f"# on the host: {why}", f"{targets} = {fn}({', '.join(args)})"]
    return lines


def _safe(text):
    return "".join(c if c.isalnum() else "_" for c in text)


# ---------------------------------------------------------------- generate and link

def generate(fgraph, copy_outputs=(), name="symlab_fn", return_numpy=False, probe=None,
             n_outputs=None):
    """The ``Program`` computing ``fgraph`` with CuPy (no CuPy call is made).

    Parameters as ``numpy_backend.lower``. The function returns device
    arrays, except that with ``return_numpy`` the first ``n_outputs``
    results (default: all; the rest are update values, which stay on the
    device) are NumPy arrays. ``probe``: a ``numpy_backend.Probe`` (its run
    times synchronize the device first, and ``after_node`` sees host copies).
    """
    _register_late()
    ctx = _Context()
    namer = _Namer()
    placement = ctx.placement
    for var in fgraph.inputs:
        placement[var] = "device" if isinstance(var.type, TensorType) else "host"
    params = [namer.name(v, "i") for v in fgraph.inputs]
    body, spans, input_names, fallbacks = [], [], [], []
    nodes = fgraph.toposort()
    aliases = set(fgraph.inputs)
    roots = {}
    for k, node in enumerate(nodes):
        ins = []
        for var in node.inputs:
            if isinstance(var, Constant):
                aliases.add(var)
                ins.append(ctx.constant(var, "host"))
            else:
                ins.append(namer.name(var))
        outs = [namer.name(v) for v in node.outputs]
        place = _place(node, placement)
        lines = None
        if place == "device":
            lines = lower_cuda(node.op, node, ins, outs, ctx)
            if lines is None:
                why = _fallback_reason(node)
                fallbacks.append(node)
                lines = _lower_on_host(node, ins, outs, ctx, why)
                for var, out in zip(node.outputs, outs):
                    if isinstance(var.type, TensorType):
                        lines.append(f"{out} = cp.asarray({out})")
                    placement[var] = "device" if isinstance(var.type, TensorType) else "host"
            else:
                for var in node.outputs:
                    placement[var] = "device" if isinstance(var.type, TensorType) else "host"
        if lines is None:   # a small host value computed from host values
            lines = _lower_on_host(node, ins, outs, ctx, "shape arithmetic")[1:]
            for var in node.outputs:
                placement[var] = "host"
        if probe is not None:
            lines = _probed(k, lines, ins, outs, probe, settle=["_sync()"])
        first = len(body) + 1
        body.extend(lines)
        spans.append((first, len(body)))
        input_names.append(ins)
        _note_aliases(node, roots, aliases)
    n_outputs = len(fgraph.outputs) if n_outputs is None else n_outputs
    results = _results(fgraph, namer, ctx, aliases, roots, set(copy_outputs), return_numpy,
                       n_outputs)
    header = _header(ctx)
    offset = len(header) + 1          # the ``def`` line follows the header
    spans = [(first + offset, last + offset) for first, last in spans]
    lines = header + [f"def {name}({', '.join(params)}):"]
    lines += [f"    {line}" for line in body]
    trailing = "," if len(results) == 1 else ""
    lines.append(f"    return ({', '.join(results)}{trailing})")
    source = "\n".join(lines) + "\n"
    return Program(name, source, ctx.host_env, ctx.device_constants, ctx.kernels, nodes, spans,
                   input_names, placement, fallbacks, probe)


def _fallback_reason(node):
    op = node.op
    if isinstance(op, (Elemwise, FusedElemwise)):
        _, why = kernel_for(node)
        return f"no kernel ({why})"
    if _is_draw(op):
        return draw_kernel(node)[1]
    if isinstance(op, CustomOp):
        return f"{op} is a custom Op (its perform runs on the host)"
    return f"{op.name} has no CuPy lowering"


def _results(fgraph, namer, ctx, aliases, roots, copy_outputs, return_numpy, n_outputs):
    """The returned expressions: outputs copied where they could alias, on the asked side."""
    results, returned = [], set()
    for position, var in enumerate(fgraph.outputs):
        is_output = position < n_outputs
        if isinstance(var, Constant):
            aliases.add(var)
            expr = ctx.constant(var, "host")
            where = "host"
        else:
            expr = namer.name(var)
            where = ctx.placement.get(var, "device")
        root = roots.get(var, var)
        if (position in copy_outputs and var in aliases) or root in returned:
            expr = f"{expr}.copy()"
        returned.add(root)
        if not isinstance(var.type, TensorType):
            results.append(expr)
            continue
        host = return_numpy and is_output
        if host:
            expr = f"_to_host({expr})" if where == "device" else f"np.asarray({expr})"
        elif where == "host":
            expr = f"cp.asarray({expr})"
        results.append(expr)
    return results


def _header(ctx):
    """The lines defining the preambles and kernels, before the function."""
    if not ctx.kernels:
        return []
    lines = ["# Elementwise kernels: CuPy ElementwiseKernel(in_params, out_params, body, name,",
             "# preamble), compiled on first use and cached by source.", ""]
    for text, name in ctx.preambles.items():
        lines.append(f'{name} = """')
        lines.extend(text.rstrip("\n").splitlines())
        lines += ['"""', ""]
    for name, source in ctx.kernels.items():
        preamble = ctx.preambles.get(source.preamble, '""')
        lines.append(f"# {source.label}")
        lines.append(f'{name} = _kernel("{source.in_params}", "{source.out_params}", """')
        lines.extend(source.body.splitlines())
        lines.append(f'""", "{source.name}", {preamble})')
        lines.append("")
    return lines


# ---------------------------------------------------------------- link

_KERNEL_CACHE = {}


def _kernel_factory(cp):
    def make(in_params, out_params, body, name, preamble):
        key = (id(cp), in_params, out_params, body, name, preamble)
        kernel = _KERNEL_CACHE.get(key)
        if kernel is None:
            kernel = _KERNEL_CACHE[key] = cp.ElementwiseKernel(
                in_params, out_params, body, name, preamble=preamble, options=NVCC_FLAGS)
        return kernel
    return make


_CODE_CACHE = {}


class LoweredCuda(Lowered):
    """A ``Lowered`` whose function runs on CuPy; ``program`` is what it was made from."""

    def __init__(self, fn, program, env):
        super().__init__(fn, program.source, env, program.nodes, program.spans,
                         program.input_names, program.filename)
        self.program = program
        self.kernel_sources = dict(program.kernels)


def link(program, cp=None):
    """Execute ``program``'s source with CuPy (or ``cp``, an array module standing in for it)."""
    cp = require() if cp is None else cp
    env = dict(program.host_env)

    def host(value):
        return cp.asnumpy(value) if isinstance(value, cp.ndarray) else value

    env.update(cp=cp, _kernel=_kernel_factory(cp), _host=host,
               _to_host=lambda value: cp.asnumpy(value))
    for name, value in program.device_constants.items():
        env[name] = cp.asarray(value)
    probe = program.probe
    if probe is not None:
        if probe.times is not None:
            env["_clock"], env["_times"] = time.perf_counter, probe.times
            env["_sync"] = _synchronizer(cp)
        if probe.after_node is not None:
            after = probe.after_node
            env["_after_node"] = lambda k, ins, outs: after(
                k, tuple(host(v) for v in ins), tuple(host(v) for v in outs))
    key = hashlib.sha1(program.source.encode()).hexdigest()
    code = _CODE_CACHE.get(key)
    if code is None:
        code = _CODE_CACHE[key] = compile(program.source, program.filename, "exec")
    exec(code, env)
    return LoweredCuda(env[program.name], program, env)


def _synchronizer(cp):
    cuda = getattr(cp, "cuda", None)
    device = getattr(cuda, "Device", None)
    if device is None:
        return lambda: None
    return lambda: device().synchronize()


def lower(fgraph, copy_outputs=(), name="symlab_fn", probe=None, return_numpy=False,
          n_outputs=None, cp=None):
    """``link(generate(...))``: the CuPy twin of ``numpy_backend.lower``."""
    program = generate(fgraph, copy_outputs=copy_outputs, name=name, return_numpy=return_numpy,
                       probe=probe, n_outputs=n_outputs)
    return link(program, cp)
