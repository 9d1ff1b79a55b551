"""Theano's ``T.nnet.neighbours``: images cut into patches (``images2neibs``) and back.

``images2neibs(ten4, neib_shape, neib_step=None, mode='valid')`` takes a
4-d tensor (batch, channels, rows, columns) and returns a matrix with one
flattened ``neib_shape`` patch per row, rows ordered by batch, channel,
patch row, patch column (Theano's layout). Patches start every
``neib_step`` pixels (default: ``neib_shape``, disjoint patches). Modes, as
in Theano 1.0.5:

- ``'valid'``: patches inside the image; the sides must fit exactly
  (``size - neib`` a multiple of the step), else a ``ValueError``;
- ``'ignore_borders'``: like 'valid', dropping what does not fit;
- ``'wrap_centered'``: one patch centred on every ``step``-th pixel, the
  image wrapped around its borders (odd patch sides only, image at least
  as large as the patch);
- ``'half'``: zero padding of ``neib // 2`` on each side;
- ``'full'``: zero padding of ``neib - 1`` on each side.

Both ops gather or scatter through one index table per axis (an index of
-1 reads a zero pad); ``Images2NeibsGrad`` adds each patch back where it was
taken from, which is the gradient of ``Images2Neibs`` (in every mode; Theano
had it for 'valid' and 'ignore_borders' only) and, for disjoint patches,
``neibs2images``, Theano's inverse of ``images2neibs``.
"""

import numpy as np

from symlab.graph.basic import Apply, Constant, Op
from symlab.tensor.shape import shape as shape_of
from symlab.tensor.type import TensorType, dtype_kind
from symlab.tensor.variable import as_tensor_variable

__all__ = ["Images2Neibs", "Images2NeibsGrad", "images2neibs", "neibs2images"]

MODES = ("valid", "ignore_borders", "wrap_centered", "half", "full")


def _describe(var):
    return f"{var} of type {var.type}"


def _check_mode(caller, mode, allowed=MODES):
    if mode not in allowed:
        raise ValueError(f"{caller}: mode must be one of {', '.join(map(repr, allowed))}; "
                         f"got {mode!r}")
    return mode


def _int_vector(caller, value, length, role):
    """``value`` as an integer vector variable of static length ``length``."""
    var = as_tensor_variable(value)
    if var.type.ndim != 1 or dtype_kind(var.type.dtype) not in ("int", "uint") \
            or var.type.shape[0] not in (None, length):
        raise TypeError(f"{caller}: {role} must be {length} ints; got {_describe(var)}")
    return var


def _static_pair(var):
    """The pair of ints a constant vector holds, else None."""
    if isinstance(var, Constant):
        return tuple(int(v) for v in np.asarray(var.data).ravel())
    return None


def _grid_1d(mode, size, neib, step, axis):
    """The number of patches along one axis (0: rows, 1: columns); a bad fit raises."""
    name = ("rows", "columns")[axis]
    if neib <= 0 or step <= 0:
        raise ValueError(f"images2neibs: neib_shape and neib_step must be positive; got "
                         f"{neib} and {step} for the {name}")
    if mode == "ignore_borders":
        return max(0, 1 + (size - neib) // step)
    if mode == "wrap_centered":
        if neib % 2 != 1:
            raise ValueError(f"images2neibs: mode 'wrap_centered' needs odd patch sides; got "
                             f"{neib} {name}")
        if size < neib:
            raise ValueError(f"images2neibs: mode 'wrap_centered' needs an image at least as "
                             f"large as the patch; got {size} {name} for a patch of {neib}")
        return -(-size // step)
    span = {"valid": size - neib, "half": size - neib % 2, "full": size + neib - 2}[mode]
    if size < neib or span % step:
        raise ValueError(f"images2neibs: in mode {mode!r} the {name} do not fit: {size} "
                         f"{name}, patches of {neib} every {step} (the image must be at least "
                         f"the patch and {span} a multiple of the step)")
    return 1 + span // step


def _index_table(mode, size, neib, step, axis):
    """A (patches, neib) table of the pixel each patch entry reads along one axis; -1 for
    a zero pad."""
    grid = _grid_1d(mode, size, neib, step, axis)
    shift = {"valid": 0, "ignore_borders": 0, "wrap_centered": neib // 2, "half": neib // 2,
             "full": neib - 1}[mode]
    table = np.arange(grid)[:, None] * step + np.arange(neib)[None, :] - shift
    if mode == "wrap_centered":
        return table % size
    return np.where((table >= 0) & (table < size), table, -1)


def _tables(mode, image_shape, neib_shape, neib_step):
    rows = _index_table(mode, image_shape[2], neib_shape[0], neib_step[0], 0)
    cols = _index_table(mode, image_shape[3], neib_shape[1], neib_step[1], 1)
    return rows, cols


def _pair_value(caller, var, value, role):
    pair = tuple(int(v) for v in np.asarray(value).ravel())
    if len(pair) != 2:
        raise ValueError(f"{caller}: {role} {var} must hold 2 ints; got {pair}")
    return pair


class Images2Neibs(Op):
    """``(ten4, neib_shape, neib_step) -> patches``: see the module's docstring."""

    __props__ = ("mode",)

    def __init__(self, mode="valid"):
        self.mode = _check_mode("Images2Neibs", mode)

    @property
    def name(self):
        return "images2neibs"

    def __str__(self):
        return f"images2neibs{{{self.mode}}}"

    def make_node(self, ten4, neib_shape, neib_step):
        ten4 = as_tensor_variable(ten4)
        if ten4.type.ndim != 4:
            raise TypeError(f"images2neibs: ten4 must be a 4-d tensor (batch, channels, rows, "
                            f"columns); got {_describe(ten4)}")
        neib_shape = _int_vector("images2neibs", neib_shape, 2, "neib_shape")
        neib_step = _int_vector("images2neibs", neib_step, 2, "neib_step")
        pair = _static_pair(neib_shape)
        columns = None if pair is None else pair[0] * pair[1]
        return Apply(self, [ten4, neib_shape, neib_step],
                     [TensorType(ten4.type.dtype, (None, columns))])

    def output_is_fresh(self, node):
        """The result is always a new array."""
        return True

    def perform(self, node, inputs):
        x_var, shape_var, step_var = node.inputs
        x = np.asarray(inputs[0])
        neib_shape = _pair_value(self.name, shape_var, inputs[1], "neib_shape")
        neib_step = _pair_value(self.name, step_var, inputs[2], "neib_step")
        if x.ndim != 4:
            raise ValueError(f"images2neibs: {x_var} must be 4-d; got shape {x.shape}")
        rows, cols = _tables(self.mode, x.shape, neib_shape, neib_step)
        padded = np.pad(x, ((0, 0), (0, 0), (0, 1), (0, 1)))
        patches = padded[:, :, rows[:, None, :, None], cols[None, :, None, :]]
        return [np.ascontiguousarray(patches).reshape(-1, neib_shape[0] * neib_shape[1])]

    def grad(self, node, output_grads):
        """Each patch's gradient added back where the patch was read (none for the ints)."""
        (g,) = output_grads
        x, neib_shape, neib_step = node.inputs
        if g is None or dtype_kind(x.type.dtype) != "float":
            return [None, None, None]
        return [Images2NeibsGrad(self.mode)(g, shape_of(x), neib_shape, neib_step), None, None]


class Images2NeibsGrad(Op):
    """``(patches, image shape, neib_shape, neib_step) -> image``: every patch entry added
    to the pixel ``Images2Neibs`` read it from (pads dropped); the adjoint of
    ``Images2Neibs``."""

    __props__ = ("mode",)

    def __init__(self, mode="valid"):
        self.mode = _check_mode("Images2NeibsGrad", mode)

    @property
    def name(self):
        return "images2neibs_grad"

    def __str__(self):
        return f"images2neibs_grad{{{self.mode}}}"

    def make_node(self, neibs, image_shape, neib_shape, neib_step):
        neibs = as_tensor_variable(neibs)
        if neibs.type.ndim != 2:
            raise TypeError(f"{self.name}: the patches must be a matrix (one patch per row); "
                            f"got {_describe(neibs)}")
        image_shape = _int_vector(self.name, image_shape, 4, "the image shape")
        neib_shape = _int_vector(self.name, neib_shape, 2, "neib_shape")
        neib_step = _int_vector(self.name, neib_step, 2, "neib_step")
        static = _static_pair(image_shape)
        shape = (None,) * 4 if static is None or len(static) != 4 else static
        return Apply(self, [neibs, image_shape, neib_shape, neib_step],
                     [TensorType(neibs.type.dtype, shape)])

    def output_is_fresh(self, node):
        """The result is always a new array."""
        return True

    def perform(self, node, inputs):
        g_var, image_var, shape_var, step_var = node.inputs
        g = np.asarray(inputs[0])
        image_shape = tuple(int(v) for v in np.asarray(inputs[1]).ravel())
        if len(image_shape) != 4 or min(image_shape) < 0:
            raise ValueError(f"{self.name}: {image_var} must hold a 4-d shape; got "
                             f"{image_shape}")
        neib_shape = _pair_value(self.name, shape_var, inputs[2], "neib_shape")
        neib_step = _pair_value(self.name, step_var, inputs[3], "neib_step")
        rows, cols = _tables(self.mode, image_shape, neib_shape, neib_step)
        batch, channels, height, width = image_shape
        expected = (batch * channels * rows.shape[0] * cols.shape[0],
                    neib_shape[0] * neib_shape[1])
        if g.shape != expected:
            raise ValueError(f"{self.name}: {g_var} has shape {g.shape}, but patches "
                             f"{neib_shape} every {neib_step} of an image of shape "
                             f"{image_shape} in mode {self.mode!r} give shape {expected}")
        flat = (rows % (height + 1))[:, None, :, None] * (width + 1) \
            + (cols % (width + 1))[None, :, None, :]
        out = np.zeros((batch * channels, (height + 1) * (width + 1)),
                       dtype=node.outputs[0].type.numpy_dtype)
        np.add.at(out, (slice(None), flat.ravel()), g.reshape(batch * channels, -1))
        out = out.reshape(batch, channels, height + 1, width + 1)[:, :, :height, :width]
        return [np.ascontiguousarray(out)]

    def grad(self, node, output_grads):
        """The patches' gradient: the image gradient cut into the same patches."""
        (g,) = output_grads
        neibs, _, neib_shape, neib_step = node.inputs
        if g is None or dtype_kind(neibs.type.dtype) != "float":
            return [None, None, None, None]
        return [Images2Neibs(self.mode)(g, neib_shape, neib_step), None, None, None]


def images2neibs(ten4, neib_shape, neib_step=None, mode="valid"):
    """Return the ``neib_shape`` patches of the 4-d ``ten4``, one flattened patch per row.

    ``neib_shape`` and ``neib_step`` (default: ``neib_shape``) are pairs of
    ints (rows, columns) or int vectors; ``mode`` is 'valid',
    'ignore_borders', 'wrap_centered', 'half' or 'full' (see the module's
    docstring). The result has ``neib_shape[0] * neib_shape[1]`` columns and
    one row per (image, channel, patch row, patch column), in that order.
    """
    _check_mode("images2neibs", mode)
    neib_shape = _int_vector("images2neibs", neib_shape, 2, "neib_shape")
    neib_step = neib_shape if neib_step is None else neib_step
    return Images2Neibs(mode)(ten4, neib_shape, neib_step)


def neibs2images(neibs, neib_shape, original_shape, mode="valid"):
    """Return the 4-d image of shape ``original_shape`` that ``images2neibs(image,
    neib_shape, mode=mode)`` cut into the disjoint patches ``neibs``.

    As in Theano, ``mode`` is 'valid' or 'ignore_borders' (whose dropped
    border comes back as zeros), and the patches are those of the default
    step (``neib_step == neib_shape``).
    """
    _check_mode("neibs2images", mode, ("valid", "ignore_borders"))
    neib_shape = _int_vector("neibs2images", neib_shape, 2, "neib_shape")
    original_shape = _int_vector("neibs2images", original_shape, 4, "original_shape")
    return Images2NeibsGrad(mode)(neibs, original_shape, neib_shape, neib_shape)
