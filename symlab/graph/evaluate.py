"""The reference evaluator: runs any graph node by node with each op's ``perform``
(through ``Op.compute``, the one evaluation hook).

No rewrites, no fusion, no generated code: each node computes in plain NumPy
in its own dtype. It is the oracle that rewrites and backends are tested
against.
"""

from symlab.graph.basic import Constant
from symlab.graph.traversal import toposort

__all__ = ["evaluate"]


def leaf_value(var, given):
    """Return the value of the owner-less variable ``var``: given, constant or shared."""
    if var in given:
        return given[var]
    if isinstance(var, Constant):
        return var.data
    get_value = getattr(var, "get_value", None)
    if get_value is not None:
        return get_value(borrow=True)
    raise ValueError(f"evaluate: no value given for the input {var} "
                     f"of type {var.type}")


def evaluate(outputs, given=None):
    """Return the values of ``outputs`` (a variable or a list of them).

    ``given`` maps input variables to values; constants and shared variables
    supply their own. Values are converted with each input type's ``filter``.
    """
    single = not isinstance(outputs, (list, tuple))
    outs = [outputs] if single else list(outputs)
    given = {var: var.type.filter(value, name=str(var)) for var, value in (given or {}).items()}
    values = {}

    def value_of(var):
        if var in values:
            return values[var]
        return leaf_value(var, given)

    for node in toposort(outs, stop_at=given):
        results = node.op.compute(node, [value_of(v) for v in node.inputs])
        for var, val in zip(node.outputs, results):
            values[var] = val
    results = [value_of(o) for o in outs]
    return results[0] if single else results
