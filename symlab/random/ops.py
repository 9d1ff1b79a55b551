"""The random op: one graph node per draw, taking a state and returning the next one.

``RandomVariable(distribution, dtype, ndim)`` applied to ``(rng, size,
*params)`` has two outputs: the values, then the new state. ``rng`` is a
shared variable holding a ``numpy.random.RandomState`` (or a ``Generator``);
``size`` an int64 vector (empty: the parameters' shape). ``perform`` never
changes the state it is given: it draws from a copy and returns the copy as
the new state, so a call that fails later changes nothing, and the function
stores the new state (the rng's default update) only once every output is
computed.

The op is not deterministic (``deterministic = False``): the merge pass
never merges two draws and constant folding never folds one.

On the GPU, a draw whose row has a CUDA expression (``uniform``, ``normal``)
runs as a kernel: ``device_callable`` gives the function the CuPy backend
calls. It copies the state as ``perform`` does, draws the draw's key from
the copy (``philox.draw_key``: the host state advances by one key per draw)
and launches the kernel with it; the history keeps the recipe, and replays
it by running the kernel again.
"""

import numpy as np

from symlab.config import config
from symlab.graph.basic import Apply, Constant, Op, Variable
from symlab.compile.shared import GenericSharedVariable, ObjectType, SharedVariable
from symlab.tensor.shape import MakeVector, Shape
from symlab.tensor.type import TensorType, dtype_kind, upcast
from symlab.tensor.variable import TensorVariable, as_tensor_variable, constant
from symlab.random import distributions, philox
from symlab.random.history import note_draw
from symlab.random.state import RNG_CLASSES, copy_state

__all__ = ["RandomVariable", "random_variable", "RngType", "shared_rng"]


def _describe(var):
    return f"{var} of type {var.type}"


class RngType(ObjectType):
    """The type of random states in graphs: a RandomState or Generator class.

    An ``ObjectType`` whose graph variables are plain variables, so that a
    random op can output the new state (``ObjectType`` itself makes shared
    variables only).
    """

    variable_class = Variable
    #: Not a tensor: no dimensions (code that asks any output its ndim gets None).
    ndim = None

    def __init__(self, cls):
        if not (isinstance(cls, type) and issubclass(cls, RNG_CLASSES)):
            raise TypeError(f"RngType: expected the RandomState or Generator class; got {cls!r}")
        super().__init__(cls)

    def __str__(self):
        return f"RngType({self.cls.__name__})"


def shared_rng(value, name=None):
    """A shared variable holding the random state ``value`` (not copied), of type RngType.

    An int (or None) seeds a new RandomState. Random states are host objects:
    the variable lives on the CPU whatever ``config.device`` says.
    """
    if isinstance(value, (int, np.integer)) or value is None:
        value = np.random.RandomState(value)
    return GenericSharedVariable(RngType(type(value)), value, name=name, device="cpu")


class RandomVariable(Op):
    """Draw from the distribution ``distribution`` (a row name of the table).

    ``dtype``: the output dtype; ``ndim``: the batch dimensions (the length
    of ``size``). The values have ``ndim + row.added_ndim`` dimensions.
    """

    __props__ = ("distribution", "dtype", "ndim")
    #: Two draws are two different numbers: never merged, never folded.
    deterministic = False

    def __init__(self, distribution, dtype, ndim):
        self.row = distributions.get(distribution)
        self.distribution = distribution
        self.dtype = str(np.dtype(dtype))
        self.ndim = int(ndim)

    def __getstate__(self):
        return {"distribution": self.distribution, "dtype": self.dtype, "ndim": self.ndim}

    def __setstate__(self, state):
        self.__init__(state["distribution"], state["dtype"], state["ndim"])

    @property
    def name(self):
        return f"{self.distribution}_rv"

    def __str__(self):
        return f"{self.name}{{{self.dtype}}}"

    def make_node(self, rng, size, *params):
        row = self.row
        if not isinstance(rng, Variable) or not isinstance(rng.type, RngType):
            hint = ""
            if isinstance(getattr(rng, "type", None), ObjectType) \
                    and issubclass(rng.type.cls, RNG_CLASSES):
                hint = ("; make the shared state with symlab.random.shared_rng(value) (its "
                        "type, RngType, lets the op output the new state)")
            raise TypeError(f"{self}: the state must be a variable of type RngType (a shared "
                            f"numpy RandomState or Generator); got {rng!r:.60}{hint}")
        size = as_tensor_variable(size)
        if size.type.ndim != 1 or dtype_kind(size.type.dtype) not in ("int", "uint"):
            raise TypeError(f"{self}: size must be an integer vector; got {_describe(size)}")
        if len(params) != len(row.params):
            raise TypeError(f"{self}: expected {len(row.params)} parameter(s) "
                            f"({', '.join(p.name for p in row.params)}); got {len(params)}")
        params = [as_tensor_variable(p) for p in params]
        length = size.type.shape[0]
        if length not in (None, 0, self.ndim):
            raise ValueError(f"{self}: size {size} has {length} entries; the draw has "
                             f"{self.ndim} dimension(s)")
        if length == 0 and self.ndim:
            batch = _static_batch(row, params, self.ndim, str(self))
        else:
            batch = _static_size(size, self.ndim)
        added = row.added_shape(*params) if row.added_shape else ()
        values_type = TensorType(self.dtype, tuple(batch) + tuple(added))
        return Apply(self, [rng, size, *params], [values_type, rng.type])

    def connection_pattern(self, node):
        """The state and the size carry no gradient; a parameter reaches the values only
        (so a ``wrt`` whose shape gives the size, a dropout mask's, reaches nothing)."""
        n_params = len(node.inputs) - 2
        return [[False, False], [False, False]] + [[True, False] for _ in range(n_params)]

    def grad(self, node, output_grads):
        """No gradient through a draw: undefined for the parameters (an error only if it
        must reach a ``wrt``), none for the state and the size."""
        from symlab.gradient import grad_undefined
        return [None, None] + [
            grad_undefined(self, k, var, f"no gradient flows through the random draw "
                                         f"{node.outputs[0]} to its parameter "
                                         f"{self.row.params[k - 2].name}")
            for k, var in enumerate(node.inputs[2:], start=2)]

    def perform(self, node, inputs):
        rng, size, *params = inputs
        new = copy_state(rng)
        values, resolved = distributions.sample(self.row, new, size, params, self.dtype,
                                                self.ndim, label=_label(node))
        note_draw(rng, new, self, resolved, params, values, looped=_in_loop(node))
        return [values, new]

    def device_callable(self, node, launch):
        """The function the CuPy backend calls to draw ``node`` on the device:
        ``(cp, kernel, rng, size, *params) -> (values, new state)``.

        ``launch(cp, kernel, key, shape, params)`` (the backend's) runs the
        kernel of this row's ``cuda`` expression and returns the device
        values; ``params`` are device arrays or host 0-d arrays. The state is
        never changed: the key is drawn from a copy, which is returned as the
        new state (stored only if the whole call succeeds).
        """
        row, label, looped = self.row, _label(node), _in_loop(node)

        def draw(cp, kernel, rng, size, params):
            resolved = distributions._resolve_size(row, size, params, self.ndim, label)
            shape = () if resolved is None else resolved
            philox.check_params(row.name, params, label)
            new = copy_state(rng)
            return new, launch(cp, kernel, philox.draw_key(new), shape, params, label)

        def perform_on_device(cp, kernel, rng, size, *params):
            params = [p if hasattr(p, "shape") else np.asarray(p) for p in params]
            new, values = draw(cp, kernel, rng, size, params)

            def redraw_on(state, kept_size, kept_params):
                return draw(cp, kernel, state, kept_size, kept_params)[1]

            note_draw(rng, new, self, size, params, values, device=(redraw_on, cp.asnumpy),
                      looped=looped)
            return values, new

        return perform_on_device


def _label(node):
    return f"{node.op} (drawing {node.outputs[0]})"


def _in_loop(node):
    """True if ``node`` reads its state from something other than a shared variable: the
    state a loop (scan) passes from step to step, for a draw in a loop's body."""
    return not isinstance(node.inputs[0], SharedVariable)


def _static_size(size, ndim):
    """The static batch shape given by a size vector: known where an entry is a constant."""
    if isinstance(size, Constant):
        return [int(s) if s >= 0 else None for s in np.asarray(size.data).reshape(-1)]
    owner = size.owner
    if owner is not None and isinstance(owner.op, Shape):
        return list(owner.inputs[0].type.shape)
    if owner is not None and isinstance(owner.op, MakeVector):
        return [int(v.data) if isinstance(v, Constant) and int(v.data) >= 0 else None
                for v in owner.inputs]
    return [None] * ndim


def _static_batch(row, params, ndim, label):
    """The static batch shape of the broadcast parameters (size=None)."""
    shapes = []
    for spec, var in zip(row.params, params):
        if spec.core_ndim is None:
            continue
        shape = var.type.shape[:var.type.ndim - spec.core_ndim]
        shapes.append((None,) * (ndim - len(shape)) + tuple(shape))
    batch = []
    for axis in range(ndim):
        sizes = [s[axis] for s in shapes]
        known = {s for s in sizes if s not in (None, 1)}
        if len(known) > 1:
            raise ValueError(f"{label}: the parameters have sizes {sorted(known)} in dimension "
                             f"{axis}; they do not broadcast")
        if known:
            batch.append(known.pop())
        elif sizes and all(s == 1 for s in sizes):
            batch.append(1)
        else:
            batch.append(None)
    return batch


# ------------------------------------------------------------------ building a draw


def _size_vector(size, caller):
    """``size`` (None, an int, a tuple of ints/-1/symbolic scalars, or an int vector) as
    ``(int64 vector or None, its length or None)``."""
    if size is None:
        return None, None
    if isinstance(size, (int, np.integer)) and not isinstance(size, (bool, np.bool_)):
        size = (int(size),)
    if isinstance(size, np.ndarray):
        size = tuple(size.tolist()) if size.ndim == 1 else size
    if isinstance(size, TensorVariable):
        if size.type.ndim != 1 or dtype_kind(size.type.dtype) not in ("int", "uint"):
            raise TypeError(f"{caller}: size must be a tuple or an integer vector; got "
                            f"{_describe(size)}")
        if size.type.dtype != "int64":
            from symlab.tensor.math import cast
            size = cast(size, "int64")
        return size, size.type.shape[0]
    if not isinstance(size, (list, tuple)):
        raise TypeError(f"{caller}: size must be None, a tuple of ints or integer scalars, or "
                        f"an integer vector; got {size!r:.60}")
    entries = []
    for i, s in enumerate(size):
        if isinstance(s, Variable):
            var = as_tensor_variable(s)
            if var.type.ndim != 0 or dtype_kind(var.type.dtype) not in ("int", "uint"):
                raise TypeError(f"{caller}: size entry {i} must be an integer scalar; got "
                                f"{_describe(var)}")
            entries.append(var)
        elif isinstance(s, (int, np.integer)) and not isinstance(s, (bool, np.bool_)):
            if s < -1:
                raise ValueError(f"{caller}: size entry {i} is {s}; sizes are >= 0 "
                                 "(or -1: the parameters' size there)")
            entries.append(int(s))
        else:
            raise TypeError(f"{caller}: size entry {i} is {s!r:.40}; expected an int or a "
                            "symbolic integer scalar")
    if all(isinstance(e, int) for e in entries):
        return constant(np.array(entries, dtype="int64").reshape(len(entries))), len(entries)
    from symlab.tensor.math import cast
    scalars = [constant(np.int64(e)) if isinstance(e, int) else
               e if e.type.dtype == "int64" else cast(e, "int64") for e in entries]
    return MakeVector("int64")(*scalars), len(entries)


def random_variable(row, rng, size=None, params=(), ndim=None, dtype=None):
    """Build a draw of ``row`` from the state variable ``rng``: return ``(new_rng, values)``.

    Theano's rules: ``ndim`` comes from ``size`` (or, with ``size=None``,
    from the parameters' shapes); ``dtype=None`` means the row's default
    (``floatX`` rows: ``upcast(floatX, *parameter dtypes)``).
    """
    if isinstance(row, str):
        row = distributions.get(row)
    caller = row.name
    if len(params) != len(row.params):
        raise TypeError(f"{caller}: expected {len(row.params)} parameter(s) "
                        f"({', '.join(p.name for p in row.params)}); got {len(params)}")
    inputs = []
    for spec, value in zip(row.params, params):
        convert = spec.convert or as_tensor_variable
        try:
            inputs.append(convert(value))
        except TypeError as exc:
            raise TypeError(f"{caller}: parameter {spec.name}: {exc}") from None
    args_ndim = 0
    for spec, var in zip(row.params, inputs):
        if spec.core_ndim is not None:
            if var.type.ndim < spec.core_ndim:
                raise ValueError(f"{caller}: parameter {spec.name} ({_describe(var)}) needs at "
                                 f"least {spec.core_ndim} dimension(s)")
            args_ndim = max(args_ndim, var.type.ndim - spec.core_ndim)
    vector, length = _size_vector(size, caller)
    if vector is None:
        if ndim is not None and ndim != args_ndim:
            raise ValueError(f"{caller}: with size=None the draw takes the parameters' "
                             f"{args_ndim} dimension(s); ndim={ndim} contradicts it")
        ndim = args_ndim
        vector = constant(np.zeros(0, dtype="int64"))
    elif length is None:
        if ndim is None:
            raise ValueError(f"{caller}: the size {vector} has no static length, so the number "
                             "of dimensions is unknown; pass ndim=")
    elif ndim is None:
        ndim = length
    elif ndim != length:
        raise ValueError(f"{caller}: ndim={ndim} but size has {length} entries")
    if ndim < args_ndim:
        raise ValueError(f"{caller}: the parameters have {args_ndim} batch dimension(s), more "
                         f"than the {ndim} of size")
    if dtype is None and row.dtype == distributions.FLOATX:
        dtype = upcast(config.floatX, *[v.type.dtype for v in inputs])
    elif dtype is None:
        dtype = row.dtype
    elif dtype == "floatX":
        dtype = config.floatX
    op = RandomVariable(row.name, dtype, ndim)
    values, new_rng = op(rng, vector, *inputs)
    return new_rng, values
