"""``MonitorMode``: call your functions before and after each node of a compiled function.

Theano's module path: ``theano.compile.monitormode.MonitorMode`` (also
``theano.compile.MonitorMode``). ``MonitorMode(pre_func=f, post_func=g)`` calls
``f(i, node, fn)`` before node ``i`` runs and ``g(i, node, fn)`` after, where
``node`` is the Apply of the optimized graph (``f.fgraph``) and ``fn`` holds
the node's values as Theano's storage cells: ``fn.inputs[j][0]`` is input j's
value and ``fn.outputs[j][0]`` output j's (None before the node has run).
It uses the per-node probe of the generated code (``NanGuardMode`` uses the
same), so the function runs the code it runs in any other mode.
"""

import numpy as np

from symlab.compile.debug import Instruments, NodeValues
from symlab.compile.mode import Mode
from symlab.printing.debugprint import debugprint

__all__ = ["MonitorMode", "NodeCells", "detect_nan"]


class NodeCells:
    """One node's values during a call, as Theano's thunk showed them to MonitorMode.

    ``inputs`` and ``outputs``: a list per input (output) holding its value,
    ``[value]``; an output's cell holds None until the node has run. A 0-d
    value shows as a 0-d ndarray (``array(15.)``). The cells are read-only in
    effect: changing one changes nothing the function computes.
    """

    def __init__(self, inputs, outputs):
        self.inputs = [[_shown(v)] for v in inputs]
        self.outputs = [[_shown(v)] for v in outputs]

    def __repr__(self):
        return f"<NodeCells {len(self.inputs)} input(s), {len(self.outputs)} output(s)>"


def _shown(value):
    """A NumPy scalar as a 0-d ndarray (Theano's storage held arrays); anything else as is."""
    return np.asarray(value) if isinstance(value, np.generic) else value


class MonitorMode(Mode):
    """A mode that calls ``pre_func(i, node, fn)`` before and ``post_func(i, node, fn)``
    after each node of a compiled function runs (either may be None).

    ``i`` is the node's position in the order the nodes run
    (``f.fgraph.toposort()``), ``node`` the Apply, ``fn`` a ``NodeCells``
    (``fn.inputs[j][0]``, ``fn.outputs[j][0]``). ``optimizer``: 'default'
    (``symlab.config.optimizer``'s), 'fast_run', 'fast_compile' or None;
    ``linker`` is accepted for Theano's signature and must be None. Rewrites
    still fuse elementwise ops and compute in place: to see each operation
    as a node of its own with its inputs as they were, use
    ``.excluding('local_elemwise_fusion', 'inplace')``. ``including``,
    ``excluding`` and ``clone`` keep both functions. A callback that raises
    stops the call (no update is stored). CPU only.
    """

    def __init__(self, pre_func=None, post_func=None, optimizer="default", linker=None,
                 include=(), exclude=()):
        if linker is not None:
            raise ValueError(f"MonitorMode runs its own instrumentation; pass no linker "
                             f"(got {linker!r})")
        for name, value in (("pre_func", pre_func), ("post_func", post_func)):
            if value is not None and not callable(value):
                raise TypeError(f"MonitorMode: {name} must be a function of (i, node, fn) "
                                f"or None; got {value!r:.60}")
        super().__init__(optimizer=optimizer, include=include, exclude=exclude,
                         name="MonitorMode")
        self.pre_func = pre_func
        self.post_func = post_func

    def _arguments(self):
        return {"pre_func": self.pre_func, "post_func": self.post_func,
                "optimizer": self.optimizer, "include": self.include, "exclude": self.exclude}

    def instrument(self, function, nodes):
        """Call ``pre_func`` and ``post_func`` around each node of ``function``'s calls."""
        if function.device != "cpu":
            raise ValueError("MonitorMode runs on the CPU only; compile with device='cpu'")
        values = NodeValues(function.fgraph, nodes)
        pre, post = self.pre_func, self.post_func

        def before(k):
            if pre is not None and k < len(nodes):
                node = nodes[k]
                pre(k, node, NodeCells(values.inputs_of(k), [None] * len(node.outputs)))

        def after_node(k, inputs, outputs):
            values.record(k, outputs)
            if post is not None:
                post(k, nodes[k], NodeCells(inputs, outputs))
            before(k + 1)

        def wrap(fn):
            def monitored(*arguments):
                values.start(arguments)
                try:
                    before(0)
                    return fn(*arguments)
                finally:
                    values.stop()
            return monitored

        return Instruments(after_node, wrap)

    def __repr__(self):
        parts = [f"pre_func={self.pre_func!r}", f"post_func={self.post_func!r}",
                 f"optimizer={self.optimizer!r}"]
        if self.include:
            parts.append(f"include={list(self.include)}")
        if self.exclude:
            parts.append(f"exclude={list(self.exclude)}")
        return f"MonitorMode({', '.join(parts)})"


def detect_nan(i, node, fn):
    """A ``post_func`` for MonitorMode: print the first node whose output holds a NaN.

    Prints ``*** NaN detected ***``, the node (``debugprint``) and its input
    and output values, as Theano's ``detect_nan`` did. Returns None.
    """
    for cell in fn.outputs:
        value = cell[0]
        if isinstance(value, np.ndarray) and value.dtype.kind in "fc" \
                and np.isnan(value).any():
            print("*** NaN detected ***")
            debugprint(list(node.outputs))
            print(f"Inputs : {[c[0] for c in fn.inputs]}")
            print(f"Outputs: {[c[0] for c in fn.outputs]}")
            break
