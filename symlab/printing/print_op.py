"""``Print``: Theano's debugging op, which prints a value each time a function computes it.

``Print(message, attrs=("__str__",))(x)`` is a variable equal to ``x`` (the
same array, no copy). Each time a compiled function evaluates it, it prints
one line per name in ``attrs``::

    <message> <attr> = <getattr(value, attr), called if callable>

so ``Print("x")(x)`` prints ``x __str__ = [1. 2.]`` and
``Print("x", attrs=("shape",))(x)`` prints ``x shape = (2,)``. A
``global_fn(op, value)`` given to the constructor runs instead of printing.

The op has side effects (``has_side_effects = True``): constant folding does
not compute it at compile time, and merge does not make two Prints one, so
it prints at each call, once per Print the user wrote. Its gradient is the
identity.
"""

import sys

from symlab.graph.basic import Apply, Op, Variable
from symlab.tensor.elemwise import is_differentiable
from symlab.tensor.variable import as_tensor_variable

__all__ = ["Print"]


def _print_attrs(op, value):
    """The default ``global_fn``: one line per attr on ``sys.stdout`` as it is at call time."""
    for attr in op.attrs:
        shown = getattr(value, attr)
        if callable(shown):
            shown = shown()
        print(f"{op.message} {attr} = {shown}", file=sys.stdout)


class Print(Op):
    """Pass the input through unchanged, printing ``message`` and ``attrs`` of its value.

    ``attrs`` names attributes of the runtime value (an ndarray): ``"__str__"``,
    ``"shape"``, ``"dtype"``, ``"sum"``... (callables are called).
    ``global_fn``, when given, is called as ``global_fn(op, value)`` instead
    of printing.
    """

    __props__ = ("message", "attrs", "global_fn")
    view_of_input = True
    #: Rewrites must not fold, merge or drop this node: it must run at each call.
    has_side_effects = True

    def __init__(self, message="", attrs=("__str__",), global_fn=None):
        if isinstance(attrs, str):
            attrs = (attrs,)
        attrs = tuple(attrs)
        for attr in attrs:
            if not isinstance(attr, str):
                raise TypeError(f"Print({message!r}): attrs must be attribute names (strings); "
                                f"got {attr!r} in {attrs!r}")
        if global_fn is not None and not callable(global_fn):
            raise TypeError(f"Print({message!r}): global_fn must be callable as "
                            f"global_fn(op, value); got {global_fn!r}")
        self.message = str(message)
        self.attrs = attrs
        self.global_fn = global_fn

    @property
    def name(self):
        return "Print"

    def __str__(self):
        return f"Print{{{self.message}}}"

    def make_node(self, x):
        if not isinstance(x, Variable):
            x = as_tensor_variable(x)
        return Apply(self, [x], [x.type])

    def _show(self, value):
        (self.global_fn or _print_attrs)(self, value)

    def perform(self, node, inputs):
        (value,) = inputs
        self._show(value)
        return [value]

    def numpy_callable(self, node):
        show = self._show

        def print_and_pass(value):
            show(value)
            return value

        return print_and_pass

    def grad(self, node, output_grads):
        """The identity: the output's gradient is the input's (none for integer inputs)."""
        (g,) = output_grads
        if g is None or not is_differentiable(node.inputs[0]):
            return [None]
        return [g]
