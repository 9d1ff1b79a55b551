"""``pp``: a graph as one line of infix math, e.g. ``((x + y) * exp(x))``-like text.

Elementwise ops with a symbol in the scalar-op table print infix (or prefix
for unary ``-`` and ``~``), with parentheses only where precedence needs
them; other ops print as calls. Leaves print their name, constants their value.
"""

from symlab.graph.basic import Constant

__all__ = ["pp"]

_ATOM = 1000


def _row(node):
    op = node.op
    row = getattr(op, "scalar_op", None)
    if row is None or getattr(op, "dtype", None) is not None:
        return None
    return row


def _format(var, memo):
    if var in memo:
        return memo[var]
    node = var.owner
    if node is None:
        if isinstance(var, Constant) and var.name is None:
            text = var.type.value_summary(var.data) if hasattr(var.type, "value_summary") \
                else repr(var.data)
        else:
            text = var.name if var.name is not None else f"<{var.type}>"
        result = (text, _ATOM)
    else:
        row = _row(node)
        args = [_format(v, memo) for v in node.inputs]
        if row is not None and row.symbol is not None and len(args) >= 2:
            prec = row.precedence
            parts = []
            for k, (text, child_prec) in enumerate(args):
                needs = child_prec < prec or (child_prec == prec and (
                    k > 0 and not row.associative or row.symbol == "**"))
                parts.append(f"({text})" if needs else text)
            result = (f" {row.symbol} ".join(parts), prec)
        elif row is not None and row.symbol is not None and len(args) == 1:
            text, child_prec = args[0]
            inner = f"({text})" if child_prec < _ATOM else text
            result = (f"{row.symbol}{inner}", row.precedence)
        elif getattr(node.op, "new_order", None) is not None and \
                node.op.new_order == tuple(range(node.inputs[0].type.ndim))[::-1] and \
                len(node.op.new_order) > 1:
            text, child_prec = args[0]
            result = ((f"({text})" if child_prec < _ATOM else text) + ".T", _ATOM)
        else:
            call = ", ".join(text for text, _ in args)
            result = (f"{node.op}({call})", _ATOM)
        if len(node.outputs) > 1:
            result = (f"{result[0]}[{var.index}]", _ATOM)
    memo[var] = result
    return result


def pp(var):
    """Return ``var`` (a variable, a list of them, or a compiled function) as infix math."""
    fgraph = getattr(var, "fgraph", None)
    if fgraph is not None:
        n_out = len(getattr(var, "outputs", fgraph.outputs))
        return "\n".join(pp(o) for o in fgraph.outputs[:n_out])
    if isinstance(var, (list, tuple)):
        return "\n".join(pp(v) for v in var)
    return _format(var, {})[0]
