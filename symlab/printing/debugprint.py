"""``debugprint``: a graph as text, one node per line, in Theano's layout.

Example (``z = (x + y) * exp(x)``, then ``debugprint(z)``)::

    mul [id A] 'z'
     |add [id B]
     | |x [id C]
     | |y [id D]
     |exp [id E]
       |x [id C]

Each line shows the op (or, for a leaf, its name or value), a tag
``[id X]``, and the variable's name in quotes when it has one. Inputs are
indented under the node using them. A node already printed is printed
again as one line with its tag, without its inputs. For a compiled function
each node's line ends with its position in the execution order, and the
graph printed is the optimized one, updates included.

A node holding graphs of its own (a scan's step, an ifelse's branches: ops
with ``inner_graphs()``) has them printed after the graph, under
``Inner graphs:``, as Theano does: a line naming the node (and the branch),
then the inner graph with its lines marked ``>``. An inner input's line
ends with ``-> [id X]``, the tag of the outer value that feeds it (for a
scan's sequence, one row of it per step)::

    scan [id A]
     |...
     |X [id C]
     |h0 [id D]
     |W [id E]

    Inner graphs:

    scan [id A]
     >tanh [id F]
     > |add [id G]
     > | |dot [id H]
     > | | |W [id I] -> [id E]
     > | | |h0[t-1] [id J] -> [id D]
     > | |X[t] [id K] -> [id C]
     >tanh [id F]
"""

import io
import sys

from symlab.graph.basic import Apply, Constant, Variable

__all__ = ["debugprint", "graph_of", "update_targets", "test_value_text"]


def update_targets(obj):
    """``{update output variable: shared variable it updates}`` for a compiled function.

    Empty for anything else. The update outputs follow the function's own
    outputs in its graph, in the order of ``obj._update_targets``.
    """
    fgraph = getattr(obj, "fgraph", None)
    targets = getattr(obj, "_update_targets", None)
    if fgraph is None or not targets:
        return {}
    n_out = len(getattr(obj, "outputs", fgraph.outputs))
    return dict(zip(fgraph.outputs[n_out:], targets))


def graph_of(obj, who="debugprint"):
    """Return ``(outputs, position_of_node, notes)`` for anything exposing a graph.

    Accepts a variable, a list of variables, an Apply node (its outputs, as
    Theano), a FunctionGraph, or any object with an ``fgraph`` attribute (a
    compiled function, an inner graph). ``who`` names the caller in the error.
    """
    notes = {}
    fgraph = getattr(obj, "fgraph", None)
    if fgraph is not None:
        for var, target in update_targets(obj).items():
            notes[var] = f"update of {target}"
        order = {node: k for k, node in enumerate(fgraph.toposort())}
        return list(fgraph.outputs), order, notes
    if hasattr(obj, "apply_nodes") and hasattr(obj, "outputs"):
        order = {node: k for k, node in enumerate(obj.toposort())}
        return list(obj.outputs), order, notes
    if isinstance(obj, Variable):
        return [obj], None, notes
    if isinstance(obj, Apply):
        return list(obj.outputs), None, notes
    if isinstance(obj, (list, tuple)) and all(isinstance(v, Variable) for v in obj):
        return list(obj), None, notes
    raise TypeError(f"{who}: expected a variable, a list of variables, an Apply node, a "
                    f"FunctionGraph or a compiled function; got {type(obj).__name__}")


def _char_tag(k):
    letters = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _label(var, print_type=False):
    """The op (``add``, ``scan.1`` for output 1), or a leaf's name, value or type."""
    if var.owner is not None:
        op = var.owner.op
        text = str(op) if len(var.owner.outputs) == 1 else f"{op}.{var.index}"
    elif isinstance(var, Constant):
        text = str(var) if var.name is None else var.name
    else:
        text = var.name if var.name is not None else f"<{var.type}>"
    return text


#: How many characters of a test value's one-line text a line shows.
TEST_VALUE_CHARS = 80


def test_value_text(var):
    """`` test_value=...`` (one line, shortened) for a variable with ``tag.test_value``;
    '' for one without (read defensively: a variable may have no ``tag`` at all) and for
    a constant (its line shows its value already)."""
    value = getattr(getattr(var, "tag", None), "test_value", None)
    if value is None or isinstance(var, Constant):
        return ""
    text = " ".join(repr(value).split())
    if len(text) > TEST_VALUE_CHARS:
        text = text[:TEST_VALUE_CHARS - 3] + "..."
    return f" test_value={text}"


def _wants_test_values(print_test_value):
    if print_test_value is not None:
        return bool(print_test_value)
    from symlab.config import config   # read at call time: the flag may change
    return bool(getattr(config, "print_test_value", False))


def debugprint(obj, depth=-1, print_type=False, file=None, ids="CHAR",
               print_test_value=None):
    """Print the graph of ``obj`` in Theano's layout (see the module docstring).

    ``file``: a writable stream (default stdout), or ``'str'`` to return the
    text instead of printing it. ``ids``: 'CHAR' (A, B, ...), 'id' (symlab's
    stable node ids), or '' (no tags). ``depth``: how many levels to print,
    as Theano counts them (-1: all; 1: the outputs alone; 2: the outputs and
    their inputs; 0: nothing). ``print_type``: each line shows its variable's
    type after the tag, ``<TensorType(float64, (?,))>``. ``print_test_value``:
    each variable with a ``tag.test_value`` shows it at the end of its line
    (`` test_value=array([1., 2.])``, one line, shortened); None (the default)
    follows ``config.print_test_value``. Returns the text when ``file='str'``,
    ``file`` when one was given, and None when printing to stdout (as Theano
    did, so a notebook cell ending in ``dprint(f)`` shows the tree and nothing
    after it).
    """
    if isinstance(depth, bool) or not isinstance(depth, int):
        raise TypeError(f"debugprint: depth must be an int (-1 for all levels); "
                        f"got {depth!r}")
    outputs, order, notes = graph_of(obj)
    show_values = _wants_test_values(print_test_value)
    tags = {}
    printed = set()
    lines = []

    def tag_of(var):
        key = var.owner if var.owner is not None else var
        if ids == "":
            return ""
        if ids == "id":
            return f" [id {key.id}]"
        if key not in tags:
            tags[key] = _char_tag(len(tags))
        return f" [id {tags[key]}]"

    def line_of(var, prefix, feeds):
        text = prefix + _label(var, print_type) + tag_of(var)
        if print_type:
            text += f" <{var.type}>"
        if var.name is not None and var.owner is not None:
            text += f" '{var.name}'"
        node = var.owner
        if node is not None and order is not None and node in order:
            text += f"   {order[node]}"
        if var in notes:
            text += f"   ({notes[var]})"
        if feeds is not None and var in feeds:
            text += f" ->{tag_of(feeds[var]) or ' ' + str(feeds[var])}"
        if show_values:
            text += test_value_text(var)
        return text

    inner = []          # nodes holding inner graphs, in the order they were printed

    def visit(root, prefix, feeds=None):
        # (variable, its line's prefix, its inputs' prefix, its level: 1 for the root)
        stack = [(root, prefix, prefix, 1)]
        while stack:
            var, line_prefix, child_prefix, level = stack.pop()
            if 0 <= depth < level:
                continue
            lines.append(line_of(var, line_prefix, feeds))
            node = var.owner
            if node is None or node in printed:
                continue
            printed.add(node)
            if callable(getattr(node.op, "inner_graphs", None)):
                inner.append(node)
            n = len(node.inputs)
            for k in reversed(range(n)):
                last = k == n - 1
                stack.append((node.inputs[k], child_prefix + " |",
                              child_prefix + ("  " if last else " |"), level + 1))

    for out in outputs:
        visit(out, "")
    if inner:
        lines += ["", "Inner graphs:"]
    for node in inner:          # grows while nested ones are printed
        graphs = node.op.inner_graphs()
        for graph in graphs:
            role = f" ({graph.role})" if len(graphs) > 1 else ""
            lines += ["", f"{node.op}{tag_of(node.outputs[0])}{role}"]
            feeds = {var: node.inputs[position]
                     for var, position in zip(graph.inputs, graph.outer_inputs)
                     if position is not None}
            for out in graph.outputs:
                visit(out, " >", feeds)
    text = "\n".join(lines) + "\n" if lines else ""
    if file == "str":
        return text
    (sys.stdout if file is None else file).write(text)
    return file


def debugprint_text(obj, **kwargs):
    """Return ``debugprint``'s text for ``obj`` (a convenience for displays)."""
    buffer = io.StringIO()
    debugprint(obj, file=buffer, **kwargs)
    return buffer.getvalue()
