"""Theano's interface for writing ops: the ``Op`` users subclass (``symlab.Op``).

An op written for Theano runs here as written::

    class Double(symlab.Op):
        __props__ = ()

        def make_node(self, x):
            x = T.as_tensor_variable(x)
            return symlab.Apply(self, [x], [x.type()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0] * 2

        def grad(self, inputs, output_grads):
            return [output_grads[0] * 2]

This class sits on symlab's own base op (``symlab.graph.basic.Op``: a
2-argument ``perform`` returning a list, ``grad(node, output_grads)``) and
adapts it through the base op's hooks, so a custom op works wherever a
built-in one does: ``compute`` runs the 3-argument ``perform``,
``node_grad`` calls ``L_op`` (which calls ``grad``), ``node_rop`` calls
``R_op``, ``view_of``/``writes_into`` read ``view_map``/``destroy_map``.

What it supports, and symlab's decisions (docs/custom-ops.md says more):

* ``__props__``: equality, hashing (merging) and ``str`` (``Name{p=v}``);
  without ``__props__`` two instances are equal only if they are the same
  object, as in Theano.
* ``itypes``/``otypes``: ``make_node`` is generated; it converts the inputs
  to tensors and checks their types. Entries may be types or Theano's type
  names (``T.dmatrix``).
* Output gradients of outputs that do not reach the cost are given to
  ``grad``/``L_op`` as zeros shaped like the output (Theano gave a
  ``DisconnectedType`` variable to ops that asked; zeros work with any
  formula). Answers may be variables, None or ``DisconnectedType()()`` (no
  gradient), or ``grad_undefined(...)`` (an error only where it reaches a
  ``wrt``).
* ``perform`` gets fresh output storage at each call (``[None]`` per
  output): symlab keeps no buffers between calls.
* ``destroy_map``: the destroyed inputs are copied before ``perform``
  runs, unless the in-place pass found them dead after the node (then
  ``perform`` may overwrite them). ``view_map``: the backends treat the
  output as sharing the input's memory (a function's output is copied).
* ``do_constant_folding(node)`` returning False keeps the node from folding.
* ``default_output``: calling the op returns that output only.
* ``elementwise = True`` or ``blockwise = "(m,n),(n)->(m)"``: declarations
  recorded for a chunked backend (nothing splits an op by them yet); the
  fuser never fuses a custom op.
* C ops are not supported: an op defining ``c_code`` and no ``perform``
  raises ``NotImplementedError`` when built or compiled.
"""

import copy

import numpy as np

from symlab.graph.basic import (Apply, GradientNotImplemented, Type, Variable, _user_origins,
                                inherited_origins)
from symlab.graph.basic import Op as BaseOp

__all__ = ["Op", "COpNotSupported", "as_type", "type_fits"]


class COpNotSupported(NotImplementedError):
    """An op that defines ``c_code`` but no ``perform``: symlab compiles no C."""


def as_type(entry, what, k, op_name):
    """``entry`` of ``itypes``/``otypes`` as a Type (a type name like T.dmatrix is called)."""
    if isinstance(entry, Type):
        return entry
    if callable(entry):
        made = entry()
        if isinstance(made, Variable):
            return made.type
    raise TypeError(f"{op_name}: {what}[{k}] must be a symlab Type or a type constructor "
                    f"such as T.dmatrix; got {entry!r:.80}")


def type_fits(expected, given):
    """True if a variable of type ``given`` may be an input declared ``expected``."""
    if expected == given:
        return True
    accepts = getattr(expected, "accepts_replacement", None)
    return accepts is not None and accepts(given)


class Op(BaseOp):
    """The base class of ops written to Theano's interface (see the module docstring).

    Subclasses define ``make_node`` (or ``itypes`` and ``otypes``) and
    ``perform(node, inputs, output_storage)``; optionally ``grad(inputs,
    output_grads)`` or ``L_op(inputs, outputs, output_grads)``, ``R_op(inputs,
    eval_points)``, ``infer_shape(node, input_shapes)``,
    ``connection_pattern(node)``, ``destroy_map``, ``view_map``,
    ``do_constant_folding(node)``, ``default_output``.
    """

    __props__ = ()
    itypes = None
    otypes = None
    #: ``{output position: [input position]}``: the output overwrites that input.
    destroy_map = {}
    #: ``{output position: [input position]}``: the output is a view of that input.
    view_map = {}
    #: Calling the op returns only this output (None: all of them).
    default_output = None
    #: Declarations for a backend that splits work into chunks (recorded only):
    #: ``elementwise = True`` says each output element depends on the same
    #: elements of the inputs (inputs broadcast against each other);
    #: ``blockwise`` is a NumPy gufunc signature such as ``"(m,n),(n)->(m)"``:
    #: the op loops over the leading axes of its inputs.
    elementwise = False
    blockwise = None
    #: Set on the copy the in-place pass makes when the destroyed inputs are dead.
    _may_destroy = False
    _declares_props = False
    _c_only = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._declares_props = any("__props__" in vars(k) for k in cls.__mro__
                                  if k is not Op and issubclass(k, Op))
        cls._c_only = cls.perform is Op.perform and hasattr(cls, "c_code")
        if not isinstance(cls.elementwise, bool):
            raise TypeError(f"{cls.__name__}.elementwise must be True or False; "
                            f"got {cls.elementwise!r}")
        if cls.blockwise is not None and (not isinstance(cls.blockwise, str)
                                          or "->" not in cls.blockwise):
            raise TypeError(f"{cls.__name__}.blockwise must be a gufunc signature such as "
                            f"'(m,n),(n)->(m)'; got {cls.blockwise!r}")

    # ------------------------------------------------------------ naming, equality

    @property
    def name(self):
        """The op's name as printed: the class name, unless set (``self.name = ...``)."""
        return self.__dict__.get("_name") or type(self).__name__

    @name.setter
    def name(self, value):
        self.__dict__["_name"] = value

    def __eq__(self, other):
        if not self._declares_props:
            return self is other
        return super().__eq__(other)

    def __hash__(self):
        if not self._declares_props:
            return object.__hash__(self)
        return super().__hash__()

    # ------------------------------------------------------------ building

    def _refuse_c(self):
        if self._c_only:
            raise COpNotSupported(
                f"{self}: C ops are not supported in symlab (it compiles no C code); "
                f"define perform(self, node, inputs, output_storage) in NumPy instead")

    def make_node(self, *inputs):
        """The node of this op on ``inputs``, from ``itypes``/``otypes`` (types checked)."""
        if self.itypes is None or self.otypes is None:
            raise NotImplementedError(f"{self}: define make_node, or itypes and otypes")
        from symlab.tensor.variable import as_tensor_variable  # upward: tensors layer
        itypes = [as_type(t, "itypes", k, self) for k, t in enumerate(self.itypes)]
        otypes = [as_type(t, "otypes", k, self) for k, t in enumerate(self.otypes)]
        if len(inputs) != len(itypes):
            raise TypeError(f"{self}: expected {len(itypes)} input(s); got {len(inputs)}")
        converted = []
        for k, (value, expected) in enumerate(zip(inputs, itypes)):
            var = value if isinstance(value, Variable) else as_tensor_variable(value)
            if not type_fits(expected, var.type):
                raise TypeError(f"{self}: input {k} ({var}) has type {var.type}; "
                                f"expected {expected}")
            converted.append(var)
        return Apply(self, converted, [t() for t in otypes])

    def __call__(self, *inputs, **kwargs):
        """Build the node; return its output, its ``default_output``, or the list."""
        self._refuse_c()
        # The node's origin is the line calling the op, not the ``return Apply(...)``
        # inside the user's make_node (which is also outside symlab).
        with inherited_origins(_user_origins(), rewriting=False):
            node = self.make_node(*inputs, **kwargs)
        if self.default_output is not None:
            return node.outputs[self.default_output]
        if len(node.outputs) == 1:
            return node.outputs[0]
        return list(node.outputs)

    # ------------------------------------------------------------ running

    def perform(self, node, inputs, output_storage):
        """Write output ``i``'s value into ``output_storage[i][0]``."""
        self._refuse_c()
        raise NotImplementedError(f"{self}: define perform(self, node, inputs, output_storage)")

    def compute(self, node, inputs):
        """Run ``perform`` on fresh storage; return the output values (checked)."""
        self._refuse_c()
        inputs = list(inputs)
        if self.destroy_map and not self._may_destroy:
            for positions in self.destroy_map.values():
                for position in positions:
                    inputs[position] = np.array(inputs[position], copy=True)
        storage = [[None] for _ in node.outputs]
        self.perform(node, inputs, storage)
        return [self._checked(k, var, cell[0])
                for k, (var, cell) in enumerate(zip(node.outputs, storage))]

    def _checked(self, k, var, value):
        if value is None:
            raise ValueError(f"{self}.perform left output {k} ({var}) unset: write its "
                             f"value into output_storage[{k}][0]")
        dtype = getattr(var.type, "dtype", None)
        if dtype is None or (isinstance(value, np.ndarray) and value.dtype == dtype
                             and value.ndim == var.type.ndim):
            return value
        return var.type.filter(value, name=f"output {k} of {self}", allow_downcast=False)

    def numpy_callable(self, node):
        """The backends' callable (``compute`` wrapped); refuses an op with only C code."""
        self._refuse_c()
        return super().numpy_callable(node)

    # ------------------------------------------------------------ memory

    def view_of(self, node):
        """The first input ``view_map`` lists (an output may share its memory), or None."""
        for positions in self.view_map.values():
            if positions:
                return positions[0]
        return None

    def writes_into(self, node):
        """The input a destroying node overwrites, once the in-place pass allowed it."""
        if not self._may_destroy:
            return None
        for positions in self.destroy_map.values():
            if positions:
                return positions[0]
        return None

    def allowing_destruction(self):
        """A copy of this op whose ``perform`` may overwrite its ``destroy_map`` inputs."""
        op = copy.copy(self)
        op.__dict__["_may_destroy"] = True
        return op

    # ------------------------------------------------------------ gradients

    def node_grad(self, node, output_grads):
        """``L_op`` with zeros for the gradients of outputs that do not reach the cost."""
        from symlab.gradient import DisconnectedType, NullType  # upward: gradients layer
        from symlab.tensor.creation import zeros_like
        from symlab.tensor.math import cast
        from symlab.tensor.variable import as_tensor_variable
        given = [zeros_like(out) if g is None else g
                 for out, g in zip(node.outputs, output_grads)]
        answers = self.L_op(list(node.inputs), list(node.outputs), given)
        if not isinstance(answers, (list, tuple)) or len(answers) != len(node.inputs):
            raise ValueError(f"{self}.grad must return a list of one gradient per input "
                             f"({len(node.inputs)}); got {answers!r:.120}")
        result = []
        for k, (var, g) in enumerate(zip(node.inputs, answers)):
            if g is None or (isinstance(g, Variable) and isinstance(
                    g.type, (DisconnectedType, NullType))):
                result.append(g)
                continue
            g = as_tensor_variable(g)
            dtype = getattr(var.type, "dtype", "")
            if not dtype.startswith(("float", "complex")):
                result.append(None)      # an integer input carries no gradient
                continue
            result.append(g if g.type.dtype == dtype else cast(g, dtype))
        return result

    def L_op(self, inputs, outputs, output_grads):
        """The input gradients, given the outputs too; the default calls ``grad``."""
        return self.grad(inputs, output_grads)

    def grad(self, inputs, output_grads):
        """The gradient of the cost with respect to each input (define it to differentiate)."""
        raise GradientNotImplemented(
            f"{self}: no gradient: define grad(self, inputs, output_grads) or L_op")

    def R_op(self, inputs, eval_points):
        """The Jacobian-vector products of the outputs (define it for ``Rop``)."""
        raise NotImplementedError(f"{self}: no R_op")

    def has_rop(self, node):
        """True if the subclass defines ``R_op``."""
        return type(self).R_op is not Op.R_op

    def node_rop(self, node, eval_points):
        """``R_op`` on the node's inputs."""
        result = self.R_op(list(node.inputs), list(eval_points))
        if not isinstance(result, (list, tuple)) or len(result) != len(node.outputs):
            raise ValueError(f"{self}.R_op must return a list of one product per output "
                             f"({len(node.outputs)}); got {result!r:.120}")
        return list(result)

    # ------------------------------------------------------------ shapes

    def infer_shape(self, node, input_shapes):
        """The output shapes (a tuple of symbolic sizes per output) from the input shapes."""
        raise NotImplementedError(f"{self}: no infer_shape")

    def output_shapes(self, node):
        """``infer_shape`` called as Theano did: input shapes as tuples of symbolic sizes."""
        shapes = [tuple(var.shape[i] for i in range(var.type.ndim))
                  if getattr(var.type, "ndim", None) is not None else None
                  for var in node.inputs]
        return [tuple(s) for s in self.infer_shape(node, shapes)]
