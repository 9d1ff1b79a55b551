"""Test values: Theano's ``x.tag.test_value``, computed node by node as a graph is built.

With ``config.compute_test_value`` other than ``'off'``, every new node is
computed at once on the test values of its inputs (through ``Op.compute``,
the evaluators' one hook), and its outputs keep the results as their own
test values. A shape or dtype mistake then fails on the user's line, while
the graph is being built, instead of inside a compiled function later.

Where a test value comes from:

* a variable the user made: ``x.tag.test_value = value`` (checked against
  ``x.type`` when assigned);
* a constant: its data; a shared variable: its current value, read when
  asked (so ``set_value`` is reflected);
* a node's output: computed when the node was built.

An input without one (``test_value_of`` gives None) is handled as
``compute_test_value`` says: ``'ignore'`` builds the node without test
values, ``'warn'`` warns (pointing at the user's line), ``'raise'`` raises
ValueError naming the variable, ``'pdb'`` opens the debugger on that error
(then goes on without). Only graph inputs count as missing: a computed
input without a test value was built while test values were off (or by a
rewrite), so its node is skipped silently, and nothing is said twice.

Nodes built while compiling are not computed (Theano's default
``compute_test_value_opt='off'``): nodes built by rewrites (the rewrite
layer, ``inherited_origins``) or by the backends, and nodes rebuilt by
``Apply.with_inputs`` (cloning, ``FunctionGraph.replace``): they rebuild
what the user already built. ``suspended()`` turns the computation off in a
block. While ``grad`` builds, a node on a stand-in without a test value
(the gradient of a loop differentiates its body on stand-ins of its own) is
skipped silently; the gradient's nodes on the user's values are computed.
"""

import os
import sys
import warnings

import numpy as np

from symlab.config import config
from symlab.graph import basic
from symlab.graph.origins import origin_lines

__all__ = ["Tag", "test_value_of", "get_test_value", "get_debug_values", "test_value_info",
           "checked_test_value", "compute_node_test_values", "report_missing", "suspended"]


class Tag:
    """A variable's scratchpad (Theano's ``var.tag``): free attributes, ``test_value`` checked.

    Assigning ``test_value`` converts the value with the variable's type
    (``filter``) and raises TypeError/ValueError naming the variable, the
    expected type and the value's dtype and shape. Reading it on a constant
    or shared variable gives the variable's own value.
    """

    def __init__(self, variable):
        object.__setattr__(self, "_variable", variable)

    def __setattr__(self, key, value):
        if key == "test_value":
            value = checked_test_value(self._variable, value)
        object.__setattr__(self, key, value)

    def __getattr__(self, key):      # only for names not set on the tag
        if key == "test_value":
            value = _own_value(self.__dict__.get("_variable"))
            if value is not None:
                return value
            raise AttributeError(f"{self.__dict__.get('_variable')} has no test value "
                                 "(set it with var.tag.test_value = value)")
        raise AttributeError(key)

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_variable"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__dict__.setdefault("_variable", None)   # the variable links itself back

    def __repr__(self):
        fields = ", ".join(f"{k}={_describe(v) if k == 'test_value' else repr(v)}"
                           for k, v in self.__dict__.items() if k != "_variable")
        return f"Tag({fields})"


# ---------------------------------------------------------------- reading test values

def _own_value(var):
    """The value a constant or shared variable carries, or None for other variables."""
    return None if var is None else var._leaf_test_value()


def test_value_of(var):
    """Return the test value of ``var`` (a constant's data, a shared variable's value,
    or ``var.tag.test_value``), or None if it has none. Creates no tag."""
    value = var._leaf_test_value()
    if value is not None:
        return value
    tag = var.__dict__.get("_tag")
    return None if tag is None else tag.__dict__.get("test_value")


def get_test_value(var):
    """Theano's ``theano.gof.op.get_test_value``: ``var``'s test value, or AttributeError.

    A plain value (array, number) is turned into a constant first, so its
    test value is itself.
    """
    if not isinstance(var, basic.Variable):
        from symlab.tensor.variable import as_tensor_variable  # upward: tensors layer
        var = as_tensor_variable(var)
    value = test_value_of(var)
    if value is None:
        raise AttributeError(f"{var} has no test value{_where_var(var)}")
    return value


def get_debug_values(*variables):
    """Theano's ``get_debug_values``: ``[]`` when test values are off or one is missing
    (reported as ``compute_test_value`` says), else a list of one entry: the single
    value, or the tuple of values of several variables."""
    if config.compute_test_value == "off":
        return []
    values = []
    for k, var in enumerate(variables):
        value = test_value_of(var)
        if value is None:
            report_missing(var, f"argument {k} ({var}) of get_debug_values")
            return []
        values.append(value)
    return [values[0] if len(values) == 1 else tuple(values)]


def test_value_info(var):
    """``{'dtype': str, 'shape': [int, ...]}`` of ``var``'s test value, or None.

    For the graph views (printing, notebook): a summary that is cheap to
    send; a value without a shape (a random state) gives its class name as
    ``dtype`` and ``shape`` None.
    """
    value = test_value_of(var)
    if value is None:
        return None
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    return {"dtype": str(dtype) if dtype is not None else type(value).__name__,
            "shape": None if shape is None else [int(s) for s in shape]}


# ---------------------------------------------------------------- assigning test values

def _describe(value):
    """``float64 (3, 4)`` for arrays and NumPy scalars, the class name otherwise."""
    dtype, shape = getattr(value, "dtype", None), getattr(value, "shape", None)
    if dtype is not None and shape is not None:
        return f"{dtype} {tuple(int(s) for s in shape)}"
    if isinstance(value, (bool, int, float, complex)):
        return f"a Python {type(value).__name__} {value!r:.40}"
    if isinstance(value, (list, tuple)):
        try:
            return f"a {type(value).__name__} of shape {np.shape(value)}"
        except ValueError:
            pass
    return f"a {type(value).__name__}"


def checked_test_value(var, value):
    """Return ``value`` converted to ``var.type`` (its ``filter``), ready to be a test value.

    Raises TypeError or ValueError naming ``var``, its type and the value's
    dtype and shape. A constant or shared variable refuses: its value is its
    test value.
    """
    if var is None:
        return value
    if var._leaf_test_value() is not None:
        what = "a constant" if isinstance(var, basic.Constant) else "a shared variable"
        fix = "" if isinstance(var, basic.Constant) else " (change it with set_value)"
        raise ValueError(f"{var}.tag.test_value: {var} is {what}; its test value is its "
                         f"value{fix}")
    label = f"{var}.tag.test_value"
    try:
        return var.type.filter(value, name=label)
    except NotImplementedError:
        return value            # a type that checks nothing (gradient markers)
    except (TypeError, ValueError) as exc:
        reason = str(exc).removeprefix(label + ": ").replace(
            " or pass allow_input_downcast=True to function", "")
        raise type(exc)(f"{label}: {_describe(value)} does not fit {var.type} "
                        f"({reason})") from None


# ---------------------------------------------------------------- computing test values

#: While non-empty (``suspended()``, ``Apply.with_inputs``), new nodes get no test values.
SUSPENDED = basic.TEST_VALUES_SUSPENDED


class suspended:
    """``with suspended():`` nodes built in the block get no test values.

    For code that rebuilds graphs the user already built (the compile
    layer, as Theano's ``compute_test_value_opt``), so their nodes are not
    computed twice.
    """

    __slots__ = ()

    def __enter__(self):
        SUSPENDED.append(True)
        return self

    def __exit__(self, *exc):
        SUSPENDED.pop()
        return False


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: Code that rebuilds graphs while compiling: nodes it builds get no test values.
_COMPILING = tuple(os.path.join(_PACKAGE_DIR, d) + os.sep for d in ("rewrite", "backends"))
#: Code that builds on stand-ins of its own (the gradient of a loop or of an inner graph):
#: a node it builds on a stand-in without a test value is skipped silently.
_OWN_STAND_INS = (os.path.join(_PACKAGE_DIR, "gradient.py"),)


def _inside(paths):
    """True if the code building a node runs in a file under ``paths`` (frames walked: only
    when test values are on)."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.startswith(paths):
            return True
        frame = frame.f_back
    return False


def _where_var(var):
    """`` (built at file:line: source)`` for a computed variable, else ``''``."""
    if var.owner is None or not var.owner.origins:
        return ""
    return f" (built at {origin_lines(var.owner.origins[:1])[0]})"


def _input_label(var):
    if var.name is not None or var.owner is None:
        return str(var)
    return f"{var.owner.op} output" if len(var.owner.outputs) == 1 else \
        f"{var.owner.op} output {var.index}"


def report_missing(var, what, origins=()):
    """Handle a missing test value as ``compute_test_value`` says (see the module docstring).

    ``what`` names the variable and its use (``input 0 (x) of dot``);
    ``origins`` point at the user's line (the warning is reported there).
    Returns only if the mode lets the build go on.
    """
    mode = config.compute_test_value
    where = origin_lines(origins[:1])
    message = (f"{what} has no test value" + (f", at {where[0]}" if where else "")
               + f" (compute_test_value={mode!r}; set it with {var}.tag.test_value = value)")
    if mode == "raise":
        raise ValueError(message)
    if mode == "warn":
        if origins:
            filename, line = origins[0]
            warnings.warn_explicit(message, UserWarning, filename, line)
        else:
            warnings.warn(message, UserWarning, stacklevel=3)
    elif mode == "pdb":
        _post_mortem(ValueError(message))


def _post_mortem(exc):
    """Open pdb on ``exc`` (raised here so it has a traceback), as Theano's 'pdb' mode."""
    import pdb
    try:
        raise exc
    except type(exc) as raised:
        print(raised)
        pdb.post_mortem(raised.__traceback__)


def _shapes_text(values):
    shapes = [str(tuple(int(s) for s in v.shape)) if hasattr(v, "shape") else _describe(v)
              for v in values]
    if len(shapes) <= 1:
        return "".join(shapes)
    return ", ".join(shapes[:-1]) + " and " + shapes[-1]


def _failure(node, values, exc):
    """An exception of ``exc``'s type (ValueError if it takes no message) naming the op,
    the input shapes, the user's line and the original message."""
    lines = [f"{node.op.name} of {_shapes_text(values)} fails on the test values: {exc}"]
    where = origin_lines(node.origins)
    if where:
        lines.append("  at " + where[0])
        lines.extend(f"     and {w}" for w in where[1:])
    for k, (var, value) in enumerate(zip(node.inputs, values)):
        lines.append(f"  input {k} ({_input_label(var)}): {_describe(value)}")
    lines.append(f"  (compute_test_value={config.compute_test_value!r}: each node is computed "
                 "on its inputs' test values as it is built)")
    message = "\n".join(lines)
    try:
        new = type(exc)(message)
        if str(new) == message:
            return new
    except Exception:
        pass
    return ValueError(message)


def _output_value(node, k, var, value):
    """The test value of output ``k`` converted to its type; a value that does not fit
    (the op's result disagrees with the type it declared) raises TypeError naming the op."""
    try:
        return var.type.filter(value, name=f"output {k} of {node.op.name}")
    except NotImplementedError:
        return value
    except (TypeError, ValueError) as exc:
        where = origin_lines(node.origins[:1])
        raise TypeError(f"{node.op.name} computed a test value for output {k} that does not fit "
                        f"its type {var.type}: {_describe(value)} ({exc})"
                        + (f"\n  at {where[0]}" if where else "")) from None


def compute_node_test_values(node):
    """Give ``node``'s outputs test values computed from its inputs' (``Op.compute``).

    Called by ``Apply`` when ``compute_test_value`` is not 'off'. An input
    without a test value is reported (``report_missing``) if it is a graph
    input; the node then gets no test values. An error of the op is raised
    again naming the op, the input shapes and the user's line.
    """
    if _inside(_COMPILING):
        return
    values = []
    for k, var in enumerate(node.inputs):
        value = test_value_of(var)
        if value is None:
            if var.owner is None and not _inside(_OWN_STAND_INS):
                report_missing(var, f"input {k} ({var}) of {node.op.name}", node.origins)
            return
        values.append(value)
    destroyed = node.op.writes_into(node)
    if destroyed is not None:
        values[destroyed] = np.array(values[destroyed], copy=True)
    try:
        results = node.op.compute(node, list(values))
    except Exception as exc:
        failure = _failure(node, values, exc)
        if config.compute_test_value == "pdb":
            print(failure)
            import pdb
            pdb.post_mortem(exc.__traceback__)
        raise failure from exc
    for k, (var, value) in enumerate(zip(node.outputs, results)):
        var.tag.__dict__["test_value"] = _output_value(node, k, var, value)
