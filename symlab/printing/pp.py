"""``pp``: a graph as one line of infix math, e.g. ``((x + y) * exp(x))``-like text.

Elementwise ops with a symbol in the scalar-op table print infix (or prefix
for unary ``-`` and ``~``), with parentheses only where precedence needs
them; other ops print as calls. Leaves print their name, constants their value.

The text is written by ``render``, a loop over an explicit stack (no
recursion, so a 10,000-deep chain prints): a *describe* function turns one
variable into its pieces (text, or input variables to expand in place).
``pprint`` (Theano's pretty printer, ``symlab/printing/pretty.py``) is the
same loop with another describe function.
"""

from symlab.graph.basic import Constant

__all__ = ["pp", "render", "is_transpose", "scalar_row"]

_ATOM = 1000


def render(var, describe):
    """Return the text of ``var``: ``describe(v)`` gives v's pieces, each a string or a
    variable (expanded in its turn, in place). Iterative: the stack holds what is left."""
    out, stack = [], [var]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        else:
            stack.extend(reversed(describe(item)))
    return "".join(out)


def scalar_row(node):
    """The scalar-op table row of an elementwise node (None for other nodes and casts)."""
    op = node.op
    row = getattr(op, "scalar_op", None)
    if row is None or getattr(op, "dtype", None) is not None:
        return None
    return row


def is_transpose(node):
    """True for a dimshuffle reversing all (two or more) axes of its input: ``x.T``."""
    order = getattr(node.op, "new_order", None)
    return order is not None and len(order) > 1 and \
        order == tuple(range(node.inputs[0].type.ndim))[::-1]


def _leaf_text(var):
    if isinstance(var, Constant) and var.name is None:
        return var.type.value_summary(var.data) if hasattr(var.type, "value_summary") \
            else repr(var.data)
    return var.name if var.name is not None else f"<{var.type}>"


def _precedence(var):
    """How tightly ``var``'s text binds (``_ATOM``: never needs parentheses)."""
    node = var.owner
    if node is None or len(node.outputs) > 1:
        return _ATOM
    row = scalar_row(node)
    if row is not None and row.symbol is not None and node.inputs:
        return row.precedence
    return _ATOM


def _wrapped(var, needs):
    return ["(", var, ")"] if needs else [var]


def _describe(var):
    node = var.owner
    if node is None:
        return [_leaf_text(var)]
    row = scalar_row(node)
    args = node.inputs
    if row is not None and row.symbol is not None and len(args) >= 2:
        prec = row.precedence
        pieces = []
        for k, child in enumerate(args):
            child_prec = _precedence(child)
            needs = child_prec < prec or (child_prec == prec and (
                k > 0 and not row.associative or row.symbol == "**"))
            if k:
                pieces.append(f" {row.symbol} ")
            pieces += _wrapped(child, needs)
    elif row is not None and row.symbol is not None and len(args) == 1:
        pieces = [row.symbol] + _wrapped(args[0], _precedence(args[0]) < _ATOM)
    elif is_transpose(node):
        pieces = _wrapped(args[0], _precedence(args[0]) < _ATOM) + [".T"]
    else:
        pieces = [f"{node.op}("]
        for k, child in enumerate(args):
            pieces += [", ", child] if k else [child]
        pieces.append(")")
    if len(node.outputs) > 1:
        pieces.append(f"[{var.index}]")
    return pieces


def pp(var):
    """Return ``var`` (a variable, a list of them, or a compiled function) as infix math."""
    fgraph = getattr(var, "fgraph", None)
    if fgraph is not None:
        n_out = len(getattr(var, "outputs", fgraph.outputs))
        return "\n".join(pp(o) for o in fgraph.outputs[:n_out])
    if isinstance(var, (list, tuple)):
        return "\n".join(pp(v) for v in var)
    return render(var, _describe)
