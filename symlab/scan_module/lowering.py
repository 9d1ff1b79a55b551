"""The NumPy lowering of ``Scan``: one line calling the loop, under the step function's source.

The loop itself is ``Scan.numpy_callable`` (Python iterating over the steps,
calling the step function the backend generated for the body). The step
function's source is written above the call as comments, so that
``f.source`` shows all the code a call runs.
"""

from symlab.backends.numpy_backend import lower_node
from symlab.scan_module.op import Scan

__all__ = []


@lower_node.register(Scan)
def _lower_scan(op, node, ins, outs, ctx):
    step = op.step_function()
    loop = ctx.bind("scan_", op.numpy_callable(node))
    lines = [f"# {op.name}: a loop over {ins[0]} steps calling _scan_step:"]
    lines += [f"#   {line}" for line in step.source.rstrip("\n").splitlines()]
    targets = outs[0] if len(outs) == 1 else ", ".join(outs)
    lines.append(f"{targets} = {loop}({', '.join(ins)})")
    return lines
