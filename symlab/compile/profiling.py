"""``ProfileStats``: time per node of a function compiled with ``profile=True``.

The generated code itself is instrumented: each node's lines are wrapped in
two ``time.perf_counter()`` reads whose difference is added to that node's
entry (``numpy_backend.Probe``), so the times are measured, not estimated.
The wrapper around the call measures the call's wall time, which includes
the argument checks, the update stores and the timing overhead itself; so
the nodes' times add up to less than the calls' time.
"""

import sys
import time

from symlab.compile.debug import node_text

__all__ = ["ProfileStats"]


class ProfileStats:
    """Per-node run times of a profiled function, summed over its calls.

    ``calls``: how many calls completed; ``call_time``: their total wall
    time in seconds; ``node_times``: one total per node, in run order
    (``nodes``); ``rows()`` and ``summary()`` present them.
    """

    def __init__(self, name, nodes):
        self.name = name
        self.nodes = list(nodes)
        self.node_times = [0.0] * len(self.nodes)
        self.calls = 0
        self.call_time = 0.0

    def timed(self, fn):
        """Wrap the generated function ``fn``: count each completed call and its wall time."""
        clock = time.perf_counter

        def profiled(*values):
            start = clock()
            results = fn(*values)
            self.call_time += clock() - start
            self.calls += 1
            return results

        return profiled

    def reset(self):
        """Forget every call measured so far."""
        self.node_times[:] = [0.0] * len(self.nodes)
        self.calls = 0
        self.call_time = 0.0

    def rows(self):
        """One dict per node, slowest first: ``id``, ``node`` (as debugprint names it),
        ``op``, ``time`` (total seconds), ``percent`` (of the calls' time), ``calls``."""
        total = self.call_time
        rows = []
        for node, seconds in zip(self.nodes, self.node_times):
            rows.append({"id": node.id, "node": node_text(node), "op": str(node.op),
                         "time": seconds, "percent": 100.0 * seconds / total if total else 0.0,
                         "calls": self.calls})
        rows.sort(key=lambda row: (-row["time"], row["id"]))
        return rows

    def summary(self, file=None, limit=None):
        """Print a table of the nodes, slowest first (``limit`` rows at most); return ``file``.

        ``file='str'`` returns the text instead.
        """
        rows = self.rows()
        shown = rows if limit is None else rows[:limit]
        node_time = sum(self.node_times)
        per_call = self.call_time / self.calls if self.calls else 0.0
        lines = [f"Profile of {self.name or 'the function'}: {self.calls} call(s), "
                 f"{self.call_time * 1e3:.3f} ms in all ({per_call * 1e6:.1f} us a call); "
                 f"nodes {node_time * 1e3:.3f} ms "
                 f"({100.0 * node_time / self.call_time if self.call_time else 0.0:.1f}%)",
                 f"{'time (ms)':>10} {'%':>6} {'per call (us)':>14}  node"]
        for row in shown:
            each = row["time"] / self.calls * 1e6 if self.calls else 0.0
            lines.append(f"{row['time'] * 1e3:>10.3f} {row['percent']:>6.1f} {each:>14.1f}  "
                         f"{row['node']}")
        if len(shown) < len(rows):
            lines.append(f"... {len(rows) - len(shown)} more node(s)")
        text = "\n".join(lines) + "\n"
        if file == "str":
            return text
        (file or sys.stdout).write(text)
        return file

    def __repr__(self):
        return f"<ProfileStats {self.name or ''}: {self.calls} call(s), {len(self.nodes)} nodes>"
