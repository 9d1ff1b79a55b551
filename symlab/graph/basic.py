"""The graph IR: ``Type``, ``Variable``, ``Constant``, ``Apply`` and ``Op``.

A graph is built once and never edited: an ``Apply`` node records an ``Op``
applied to input variables and owns the output variables it created. Editing
happens only by building new nodes; ``FunctionGraph.replace`` is the one place
that swaps them in (see ``symlab.graph.fgraph``).

Every variable and node carries an ``id`` that is unique in the process, so a
recorded trace of rewrites can name nodes across many versions of a graph.
"""

import os
import sys

from symlab.config import config as _config

__all__ = ["Type", "Variable", "Constant", "Apply", "Op", "GradientNotImplemented", "next_id",
           "inherited_origins", "merged_origins"]


class _IdCounter:
    """Hands out increasing integers; can be moved past ids read from a pickle."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0

    def __call__(self):
        self.value += 1
        return self.value

    def see(self, used_id):
        if used_id >= self.value:
            self.value = used_id + 1


next_id = _IdCounter()


class Type:
    """What a variable may hold. Subclasses define ``filter`` and equality."""

    variable_class = None  # set below, once Variable exists
    constant_class = None

    def filter(self, value, name="value", allow_downcast=None):
        """Return ``value`` converted to this type, or raise TypeError/ValueError."""
        raise NotImplementedError

    def make_variable(self, name=None, owner=None, index=None):
        """Return a new variable of this type."""
        return self.variable_class(self, owner=owner, index=index, name=name)

    def __call__(self, name=None):
        """Theano's idiom: ``TensorType('float64', (None,))('x')`` makes a variable."""
        return self.make_variable(name=name)


_SETTABLE = frozenset({"name", "tag", "default_update"})


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _user_origins():
    """``((filename, line),)`` of the nearest caller outside symlab, or ``()``.

    Walks raw frames (no source lookup), so recording it costs well under a
    microsecond per node.
    """
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR):
            return ((filename, frame.f_lineno),)
        frame = frame.f_back
    return ()


#: While non-empty, new nodes get no test values (``symlab.graph.test_value.suspended``;
#: ``Apply.with_inputs``, which rebuilds nodes the user already built).
TEST_VALUES_SUSPENDED = []


#: While a rewrite runs, the origins of the node it rewrites (innermost last): the
#: nodes it builds inherit them instead of the user's ``function(...)`` line.
_INHERITED = []
#: One flag per entry of ``_INHERITED``: True where a rewrite (not the user) builds.
_REWRITING = []


class inherited_origins:
    """``with inherited_origins(origins):`` nodes built in the block get ``origins``.

    The rewrite engine, fusion and the in-place pass use it, so that an
    optimized node still points at the user's lines that created what it
    replaced. ``origins`` is a tuple of ``(filename, line)``. With
    ``rewriting=False`` the block is still the user's own graph building
    (a custom op's ``make_node``, given the line that called the op), so
    test values are computed there as anywhere else in user code.
    """

    __slots__ = ("origins", "rewriting")

    def __init__(self, origins, rewriting=True):
        self.origins = tuple(origins)
        self.rewriting = rewriting

    def __enter__(self):
        _INHERITED.append(self.origins)
        _REWRITING.append(self.rewriting)
        return self.origins

    def __exit__(self, *exc):
        _INHERITED.pop()
        _REWRITING.pop()
        return False


def merged_origins(nodes):
    """The origins of ``nodes`` together, each ``(filename, line)`` once, in order."""
    seen = {}
    for node in nodes:
        for origin in node.origins:
            seen.setdefault(origin, None)
    return tuple(seen)


class Variable:
    """A symbolic value of a ``Type``: a graph input, or output ``index`` of ``owner``.

    Only ``name``, ``tag``, ``default_update`` (and private caches whose names
    start with ``_``) may be set after construction. ``tag`` is Theano's
    scratchpad (``x.tag.test_value = value``, see ``symlab.graph.test_value``),
    made on first use.
    """

    __array_priority__ = 1000  # so ``ndarray + variable`` calls our __radd__

    def __init__(self, type, owner=None, index=None, name=None):
        if not isinstance(type, Type):
            raise TypeError(f"Variable type must be a symlab Type; got {type!r}")
        d = self.__dict__
        d["type"] = type
        d["owner"] = owner
        d["index"] = index
        d["name"] = name
        d["id"] = next_id()

    def __setattr__(self, key, value):
        if key in _SETTABLE or key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            raise AttributeError(
                f"cannot set {key!r} on {self}: graph variables are immutable "
                "(build a new variable, or edit a FunctionGraph through replace)")

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_eval_cache"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        tag = state.get("_tag")
        if tag is not None:
            tag.__dict__["_variable"] = self
        next_id.see(state["id"])

    @property
    def tag(self):
        """Theano's scratchpad of free attributes (``symlab.graph.test_value.Tag``).

        Made when first read; ``tag.test_value`` is checked against the type.
        """
        tag = self.__dict__.get("_tag")
        if tag is None:
            from symlab.graph.test_value import Tag  # same layer; imported when first used
            tag = self.__dict__["_tag"] = Tag(self)
        return tag

    @tag.setter
    def tag(self, value):
        from symlab.graph.test_value import Tag
        fields = {k: v for k, v in vars(value).items() if k != "_variable"}
        tag = Tag(self)
        for key, field in fields.items():     # test_value is checked on the way
            setattr(tag, key, field)
        self.__dict__["_tag"] = tag

    def _leaf_test_value(self):
        """The value this variable carries itself as its test value (constants and shared
        variables), or None."""
        return None

    def __str__(self):
        if self.name is not None:
            return self.name
        if self.owner is not None:
            op = self.owner.op
            if len(self.owner.outputs) == 1:
                return f"{op}.out"
            return f"{op}.{self.index}"
        return f"<{self.type}>"

    def __repr__(self):
        """``str(self)``; with ``config.print_test_value``, the test value on a second line."""
        if _config._values["print_test_value"]:
            from symlab.graph.test_value import test_value_of
            value = test_value_of(self)
            if value is not None:
                return f"{self}\n{value!r}"
        return str(self)

    __hash__ = object.__hash__

    def clone(self, name=None):
        """Return a new owner-less variable of the same type (a fresh graph input).

        The clone gets a copy of the tag (its test value too), as in Theano.
        """
        new = type(self)(self.type, name=self.name if name is None else name)
        tag = self.__dict__.get("_tag")
        if tag is not None:
            new.tag = tag
        return new

    def eval(self, inputs_to_values=None):
        """Compile (cached) and evaluate this variable; return its value.

        ``inputs_to_values`` maps the graph's input variables to values.
        """
        from symlab.compile.function import eval_variable  # upward: compile layer
        return eval_variable(self, inputs_to_values)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from symlab.printing.display import mimebundle  # upward: printing layer
        return mimebundle(self, include=include, exclude=exclude)


class Constant(Variable):
    """A variable with a fixed value ``data`` (already converted to its type)."""

    def __init__(self, type, data, name=None):
        super().__init__(type, name=name)
        self.__dict__["data"] = data

    def _leaf_test_value(self):
        """A constant's test value is its data."""
        return self.data

    def __str__(self):
        if self.name is not None:
            return self.name
        return self.type.value_summary(self.data) if hasattr(
            self.type, "value_summary") else repr(self.data)

    def clone(self, name=None):
        """Constants are values: cloning returns the constant itself."""
        return self

    def signature(self):
        """A hashable key equal for constants of equal type and value."""
        return (self.type, self.type.value_key(self.data))


class Apply:
    """One application of ``op`` to ``inputs``, owning its fresh ``outputs``.

    ``outputs`` lists, per output, a ``Type`` (the node makes the variable)
    or a fresh owner-less variable (Theano's ``Apply(op, [x], [x.type()])``),
    which the node adopts as that output. Built once, never edited: setting
    any attribute raises AttributeError.
    """

    __slots__ = ("op", "inputs", "outputs", "id", "origins")

    def __init__(self, op, inputs, outputs, origins=None):
        for i, var in enumerate(inputs):
            if not isinstance(var, Variable):
                raise TypeError(
                    f"input {i} of {op} must be a symlab Variable; got {var!r}")
        outputs = list(outputs)
        for i, out in enumerate(outputs):
            _check_output(op, i, out, outputs)
        setter = object.__setattr__
        setter(self, "op", op)
        setter(self, "inputs", tuple(inputs))
        setter(self, "outputs", tuple(_adopt(self, i, out) for i, out in enumerate(outputs)))
        setter(self, "id", next_id())
        if origins is None:
            origins = _INHERITED[-1] if _INHERITED else _user_origins()
        # Where the user's code created this node: ((filename, line), ...); several
        # for a node a rewrite made of several (a fused kernel), () if unknown.
        setter(self, "origins", origins)
        if _config._values["compute_test_value"] != "off" and True not in _REWRITING \
                and not TEST_VALUES_SUSPENDED:
            from symlab.graph.test_value import compute_node_test_values
            compute_node_test_values(self)

    def __setattr__(self, key, value):
        raise AttributeError(
            "Apply nodes are immutable; edit graphs through FunctionGraph.replace")

    def __getstate__(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state):
        state = dict(state)
        if "origin" in state:  # pickled before nodes kept several origins
            origin = state.pop("origin")
            state["origins"] = (tuple(origin),) if origin else ()
        state.setdefault("origins", ())
        for k, v in state.items():
            object.__setattr__(self, k, v)
        next_id.see(state["id"])

    def with_inputs(self, inputs):
        """Return a new node of the same op and output types on other inputs.

        The new outputs keep the names of the old ones. It computes no test
        values: it rebuilds a node the user built (a clone, a replacement).
        """
        types = [o.type for o in self.outputs]
        if _config._values["compute_test_value"] == "off":
            node = Apply(self.op, inputs, types, origins=self.origins)
        else:
            TEST_VALUES_SUSPENDED.append(True)
            try:
                node = Apply(self.op, inputs, types, origins=self.origins)
            finally:
                TEST_VALUES_SUSPENDED.pop()
        for old, new in zip(self.outputs, node.outputs):
            new.name = old.name
        return node

    @property
    def out(self):
        """The single output of a one-output node."""
        (output,) = self.outputs
        return output

    def __repr__(self):
        return f"Apply({self.op}, [{', '.join(map(str, self.inputs))}])"


def _check_output(op, i, out, outputs):
    """Raise unless output ``i`` of a new node of ``op`` is a Type or a fresh variable."""
    if isinstance(out, Type):
        return
    if not isinstance(out, Variable):
        raise TypeError(f"output {i} of {op} must be a symlab Type or a fresh Variable "
                        f"(x.type()); got {out!r:.80}")
    if isinstance(out, Constant) or out.owner is not None:
        raise TypeError(f"output {i} of {op} must be a fresh variable (made by x.type(), "
                        f"with no owner); got {out}, which is "
                        f"{'a constant' if isinstance(out, Constant) else 'already an output'}")
    if any(other is out for other in outputs[:i]):
        raise TypeError(f"output {i} of {op}: the variable {out} is given twice")


def _adopt(node, i, out):
    """Output ``i`` of ``node``: a new variable of the Type ``out``, or ``out`` adopted."""
    if isinstance(out, Type):
        return out.make_variable(owner=node, index=i)
    fields = out.__dict__           # the one place an owner-less variable gets its owner
    fields["owner"] = node
    fields["index"] = i
    return out


Type.variable_class = Variable
Type.constant_class = Constant


class GradientNotImplemented(NotImplementedError):
    """An op in the path from a cost to a ``wrt`` variable has no gradient rule."""


class Op:
    """An operation. Subclasses define ``make_node`` and ``perform``.

    ``__props__`` names the attributes that define equality and hashing, so
    two ops with equal props are interchangeable (the merge rewrite relies on
    it). ``perform`` is the reference semantics, in plain NumPy, in the node's
    own dtypes.

    The rest of symlab reaches an op through a few hooks, so that an op
    written to Theano's interface (``symlab.graph.user_op.Op``: a 3-argument
    ``perform``, ``grad(inputs, output_grads)``) works wherever a built-in
    one does: ``compute`` (every evaluator: the reference evaluator,
    constant folding, fused kernels, the backends' fallback), ``node_grad``
    (the gradient walker), ``connection_pattern`` (which inputs can reach
    which outputs), ``node_rop``/``has_rop`` (``Rop``), ``view_of`` and
    ``writes_into`` (memory sharing) and ``do_constant_folding``.
    """

    __props__ = ()
    #: True when an output may share memory with input 0 (a view).
    view_of_input = False

    def make_node(self, *inputs):
        """Return an ``Apply`` of this op to ``inputs`` (checked, typed)."""
        raise NotImplementedError

    def grad(self, node, output_grads):
        """Return the gradient of a scalar cost with respect to each input of ``node``.

        ``output_grads`` holds, per output, the gradient of the cost with
        respect to it (None where the output does not reach the cost). The
        result has one entry per input: a variable of the input's type (same
        dtype and static broadcast pattern), or None where no gradient flows
        (a disconnected, integer or index input). Ops without a rule raise
        ``GradientNotImplemented`` naming the op.
        """
        raise GradientNotImplemented(f"{self.name}: no gradient rule (in {node})")

    def node_grad(self, node, output_grads):
        """The gradient walker's one entry point: the input gradients of ``node``.

        Same contract as ``grad`` (which it calls); an entry may also be a
        ``symlab.gradient`` ``DisconnectedType`` variable (no gradient) or a
        ``NullType`` one (``grad_undefined``: an error only if it reaches a
        ``wrt``). Theano-style ops override it to call ``L_op``.
        """
        return self.grad(node, output_grads)

    def connection_pattern(self, node):
        """Which inputs can change which outputs: a list per input of a bool per output.

        Gradients flow, and a ``wrt`` is "in reach", only along connected
        pairs. The default connects every input to every output; ``shape(x)``
        and random draws declare their inputs disconnected.
        """
        return [[True] * len(node.outputs) for _ in node.inputs]

    def has_rop(self, node):
        """True if ``node_rop`` gives this node's Jacobian-vector product itself."""
        return False

    def node_rop(self, node, eval_points):
        """The Jacobian-vector products of ``node``'s outputs (``has_rop`` ops only).

        ``eval_points`` has one entry per input: a variable shaped like it, or
        None where the input does not vary. Returns one entry per output.
        """
        raise NotImplementedError(f"{self.name} has no R_op of its own")

    def writes_into(self, node):
        """The input position whose buffer this node's result overwrites, or None."""
        return None

    def view_of(self, node):
        """The input position whose memory an output may share (a view), or None."""
        return 0 if self.view_of_input and node.inputs else None

    def output_is_fresh(self, node):
        """True if the result is always a new array the graph owns (safe to overwrite later)."""
        return False

    def do_constant_folding(self, node):
        """False keeps ``node`` from being folded into a constant (Theano's hook)."""
        return True

    def perform(self, node, inputs):
        """Return the list of output values for input values ``inputs``."""
        raise NotImplementedError(f"{type(self).__name__} has no perform")

    def compute(self, node, inputs):
        """Return the list of output values of ``node`` for the input values ``inputs``.

        Every evaluator calls this one hook (the reference evaluator, constant
        folding, fused kernels, ``numpy_callable``); it calls ``perform``.
        Theano-style ops override it to run their 3-argument ``perform``.
        """
        return self.perform(node, inputs)

    def numpy_callable(self, node):
        """Return a fast function of the input values giving the output value.

        For one-output nodes it returns the value itself, otherwise a tuple.
        The NumPy backend calls it from generated code; the default wraps
        ``compute``. Ops override it to skip list packing (``np.dot``, say).
        """
        compute = self.compute
        if len(node.outputs) == 1:
            return lambda *values: compute(node, values)[0]
        return lambda *values: tuple(compute(node, values))

    def __call__(self, *inputs):
        """Build the node and return its output (or list of outputs)."""
        node = self.make_node(*inputs)
        if len(node.outputs) == 1:
            return node.outputs[0]
        return list(node.outputs)

    def _props(self):
        return tuple(getattr(self, p) for p in self.__props__)

    def __eq__(self, other):
        return type(self) is type(other) and self._props() == other._props()

    def __hash__(self):
        return hash((type(self), self._props()))

    @property
    def name(self):
        """The op's short name, as ``debugprint`` prints it."""
        return type(self).__name__.lower()

    def __str__(self):
        if not self.__props__:
            return self.name
        params = ", ".join(f"{p}={getattr(self, p)!r}" for p in self.__props__)
        return f"{self.name}{{{params}}}"

    def __repr__(self):
        return str(self)
