"""Unsafe: rewrites that change results for some finite inputs. Off by default.

Include them with ``Mode(include=["unsafe"])`` (or by rewrite name) when the
inputs are known to avoid the cases named in each docstring.
"""

from symlab.rewrite.canonicalize import as_replacement, is_constant_equal, row_name
from symlab.tensor.creation import ones_like, zeros_like

__all__ = ["UNSAFE", "div_self", "mul_zero"]


def div_self(fgraph, node):
    """x / x -> 1 (wrong where x is 0: the original gives nan)."""
    if row_name(node) != "true_div" or node.inputs[0] is not node.inputs[1]:
        return None
    return [as_replacement(ones_like(node.inputs[0], dtype=node.outputs[0].type.dtype),
                           node.outputs[0])]


def mul_zero(fgraph, node):
    """x * 0 -> 0 (wrong where x is inf or nan: the original gives nan)."""
    if row_name(node) != "mul" or len(node.inputs) != 2:
        return None
    zero = [v for v in node.inputs if is_constant_equal(v, 0)]
    if not zero:
        return None
    other = node.inputs[1] if node.inputs[0] is zero[0] else node.inputs[0]
    return [as_replacement(zeros_like(other, dtype=node.outputs[0].type.dtype),
                                 node.outputs[0])]


UNSAFE = (div_self, mul_zero)
