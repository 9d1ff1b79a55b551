"""Complex numbers: ``real``, ``imag``, ``angle``, ``conj``, ``complex``, ``complex_from_polar``.

One op, ``ComplexOp``, whose ``kind`` picks a row of ``_KINDS`` (NumPy
function, result dtype, gradient). They are elementwise and should become rows
of the scalar-op table (``symlab/tensor/scalar_ops.py``) later; until then the
binary kinds broadcast here with the same static rule as elementwise ops.

Dtypes are Theano's: ``real``/``imag``/``conj`` of a real tensor keep its dtype
(``imag`` gives zeros), of a complex one give its real dtype; ``angle`` is
always float64; ``complex(a, b)`` is complex64 where ``a`` and ``b`` fit float32
(float32, int8, int16), else complex128. Gradients follow Theano's convention
for a real cost C of ``z = x + iy``: the gradient is ``dC/dx + i dC/dy``.
"""

import numpy as np

from symlab.graph.basic import Apply, Op
from symlab.tensor.creation import zeros_like
from symlab.tensor.elemwise import check_runtime_broadcast, is_differentiable, unbroadcast
from symlab.tensor.type import TensorType, dtype_kind, upcast
from symlab.tensor.variable import as_tensor_variable

__all__ = ["ComplexOp", "real", "imag", "angle", "conj", "complex", "complex_from_polar"]

_REAL_OF = {"complex64": "float32", "complex128": "float64"}
_COMPLEX_OF = {"float16": "complex64", "float32": "complex64", "float64": "complex128"}


def _same_or_real(dtypes):
    return _REAL_OF.get(dtypes[0], dtypes[0])


def _complex_dtype(dtypes):
    wide = upcast(*dtypes, "float16")
    if dtype_kind(wide) == "complex":
        raise TypeError(f"needs real inputs; got {', '.join(dtypes)}")
    return _COMPLEX_OF[wide]


def _polar(r, theta):
    return r * np.cos(theta) + 1j * r * np.sin(theta)


def _grad_real(z, g):
    return complex(g, zeros_like(g)) if dtype_kind(z.type.dtype) == "complex" else g


def _grad_imag(z, g):
    if dtype_kind(z.type.dtype) == "complex":
        return complex(zeros_like(g), g)
    return zeros_like(g)


def _grad_conj(z, g):
    return conj(g) if dtype_kind(z.type.dtype) == "complex" else g


def _grad_angle(z, g):
    if dtype_kind(z.type.dtype) != "complex":
        return zeros_like(g)
    x, y = real(z), imag(z)
    square = x * x + y * y
    return complex(-g * y / square, g * x / square)


# kind: (inputs, NumPy function, result dtype from the input dtypes)
_KINDS = {
    "real":      (1, np.real,     _same_or_real),
    "imag":      (1, np.imag,     _same_or_real),
    "conj":      (1, np.conj,     lambda dtypes: dtypes[0]),
    "angle":     (1, np.angle,    lambda dtypes: "float64"),
    "complex":   (2, lambda a, b: a + 1j * b, _complex_dtype),
    "complex_from_polar": (2, _polar, _complex_dtype),
}

_UNARY_GRADS = {"real": _grad_real, "imag": _grad_imag, "conj": _grad_conj,
                "angle": _grad_angle}


def _broadcast_static(shapes):
    ndim = max(len(s) for s in shapes)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    out = []
    for sizes in zip(*padded):
        known = {s for s in sizes if s not in (None, 1)}
        if len(known) > 1:
            raise ValueError(f"static sizes {sorted(known)} cannot broadcast")
        out.append(known.pop() if known else (1 if all(s == 1 for s in sizes) else None))
    return tuple(out)


class ComplexOp(Op):
    """The elementwise complex-number function ``kind`` (a key of ``_KINDS``)."""

    __props__ = ("kind",)

    def __init__(self, kind):
        if kind not in _KINDS:
            raise ValueError(f"ComplexOp: kind must be one of {sorted(_KINDS)}; got {kind!r}")
        self.kind = kind

    @property
    def name(self):
        return self.kind

    def make_node(self, *inputs):
        nin, _, rule = _KINDS[self.kind]
        if len(inputs) != nin:
            raise TypeError(f"{self.kind}: takes {nin} inputs; got {len(inputs)}")
        inputs = [as_tensor_variable(v) for v in inputs]
        dtypes = [v.type.dtype for v in inputs]
        try:
            dtype = rule(dtypes)
            shape = _broadcast_static([v.type.shape for v in inputs])
        except (TypeError, ValueError) as exc:
            described = ", ".join(f"{v} of type {v.type}" for v in inputs)
            raise type(exc)(f"{self.kind}({described}): {exc}") from None
        return Apply(self, inputs, [TensorType(dtype, shape)])

    def perform(self, node, inputs):
        _, numpy_fn, _ = _KINDS[self.kind]
        out = numpy_fn(*inputs)
        if len(inputs) > 1:
            check_runtime_broadcast(node, inputs, np.shape(out))
        return [np.asarray(out, dtype=node.outputs[0].type.numpy_dtype)]

    def grad(self, node, output_grads):
        """Theano's convention: a complex input gets ``dC/dx + i dC/dy``."""
        (g,) = output_grads
        if g is None:
            return [None] * len(node.inputs)
        if self.kind in _UNARY_GRADS:
            (z,) = node.inputs
            return [_UNARY_GRADS[self.kind](z, g) if is_differentiable(z) else None]
        a, b = node.inputs
        if self.kind == "complex":
            parts = [real(g), imag(g)]
        else:
            from symlab.tensor.math import cos, sin
            gx, gy = real(g), imag(g)
            parts = [gx * cos(b) + gy * sin(b), a * (gy * cos(b) - gx * sin(b))]
        return [unbroadcast(p, v) if is_differentiable(v) else None
                for p, v in zip(parts, (a, b))]


_OPS = {kind: ComplexOp(kind) for kind in _KINDS}


def real(z):
    """Return the real part of ``z`` (``z`` itself's values for a real tensor)."""
    return _OPS["real"](z)


def imag(z):
    """Return the imaginary part of ``z`` (zeros for a real tensor)."""
    return _OPS["imag"](z)


def angle(z):
    """Return the argument of ``z`` in radians, as float64 (Theano's dtype)."""
    return _OPS["angle"](z)


def conj(z):
    """Return the complex conjugate of ``z`` (``z``'s values for a real tensor)."""
    return _OPS["conj"](z)


def complex(real_part, imag_part):
    """Return the complex tensor ``real_part + 1j * imag_part`` (broadcast)."""
    return _OPS["complex"](real_part, imag_part)


def complex_from_polar(abs_value, angle_value):
    """Return the complex tensor of modulus ``abs_value`` and argument ``angle_value``."""
    return _OPS["complex_from_polar"](abs_value, angle_value)
