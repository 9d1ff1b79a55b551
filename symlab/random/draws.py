"""What a step of the history drew: a draw's recipe and, when small enough, its values.

One call of a compiled function advances a random state by one draw, or,
when the draw runs inside a loop (``scan``), by one draw per step of the
loop, each reading the state the one before gave. The history keeps, per
call:

* ``Draw``: a draw made on the host, its recipe (distribution, dtype, size,
  parameters) and its values when they take at most ``MAX_RECORDED_BYTES``;
* ``DeviceDraw``: a draw made on the device, its recipe only (redrawn by
  running the kernel again);
* ``LoopDraws``: the draws a loop made in a row from one state, one per
  step, within ``MAX_LOOP_BYTES`` (recipes first, values while they fit).

All three answer the same questions: ``kept_bytes`` (the values they hold),
``release()`` (drop the values, keep the recipe), ``replay(before)`` (the
values: a copy of those kept, else drawn again from the state the call
started from, which ``before()`` returns; a loop's stacked along a first
axis) and ``replay_steps(before)`` (the same as a list, one array per draw).
"""

import numpy as np

from symlab.random import distributions, philox

__all__ = ["Draw", "DeviceDraw", "LoopDraws", "MAX_RECORDED_BYTES", "MAX_LOOP_BYTES"]

#: The largest draw (values, or parameters) recorded; larger values are redrawn on replay.
MAX_RECORDED_BYTES = 1 << 16
#: The most bytes one call's loop record keeps (its steps' recipes, then their values).
MAX_LOOP_BYTES = 1 << 20
#: What a step's recipe costs besides its arrays (the objects holding them), in bytes.
_STEP_OVERHEAD = 256


class Draw:
    """What a random op drew at one step: its recipe and, when small enough, its values."""

    __slots__ = ("distribution", "dtype", "ndim", "size", "params", "shape", "values")

    def __init__(self, op, size, params, values):
        self.distribution = op.distribution
        self.dtype = op.dtype
        self.ndim = op.ndim
        self.size = np.asarray(size if size is not None else (), dtype=np.int64)
        params = [np.asarray(p) for p in params]
        small = sum(p.nbytes for p in params) <= MAX_RECORDED_BYTES
        self.params = [np.array(p, copy=True) for p in params] if small else None
        self.shape = values.shape
        self.values = np.array(values, copy=True) if values.nbytes <= MAX_RECORDED_BYTES \
            else None

    @property
    def kept_bytes(self):
        """The bytes of the values kept (0 when they are not)."""
        return 0 if self.values is None else self.values.nbytes

    @property
    def recipe_bytes(self):
        """About what the recipe takes in memory, in bytes."""
        params = 0 if self.params is None else sum(p.nbytes for p in self.params)
        return _STEP_OVERHEAD + self.size.nbytes + params

    def release(self):
        """Drop the values (a replay then redraws them)."""
        self.values = None

    def replay(self, before):
        """The values: a copy of those kept, else ``redraw(before())``."""
        if self.values is not None:
            return self.values.copy()
        return self.redraw(before())

    def replay_steps(self, before):
        """``[replay(before)]``: one draw."""
        return [self.replay(before)]

    def redraw(self, rng):
        """Draw the values again from ``rng`` (a state equal to the one drawn from), which
        advances past the draw as the draw's own state did."""
        if self.params is None:
            raise ValueError("its parameters were too large to keep and its values are no "
                             "longer kept")
        row = distributions.get(self.distribution)
        values, _ = distributions.sample(row, rng, self.size, self.params, self.dtype,
                                         self.ndim)
        if values.shape != self.shape:
            raise AssertionError(f"replay drew shape {values.shape}, recorded {self.shape}")
        return values


class DeviceDraw:
    """What a random op drew on the device at one step: its recipe, never its values.

    Copying the values to the host at every call would cost a transfer and a
    synchronization; the draw is counter-based instead, so ``redraw`` runs
    the same kernel again from the state before the step (the same key, the
    same numbers) and returns a host copy. ``redraw_on(rng, params)``: the
    device draw, ``to_host`` its copy to NumPy; ``params`` are device copies
    (or host scalars), kept when they take at most ``MAX_RECORDED_BYTES``.
    """

    __slots__ = ("distribution", "dtype", "ndim", "size", "params", "shape", "values",
                 "_redraw_on", "_to_host")

    def __init__(self, op, size, params, shape, redraw_on, to_host):
        self.distribution = op.distribution
        self.dtype = op.dtype
        self.ndim = op.ndim
        self.size = np.array(size, dtype=np.int64)
        small = sum(int(getattr(p, "nbytes", 8)) for p in params) <= MAX_RECORDED_BYTES
        self.params = [p.copy() for p in params] if small else None
        self.shape = tuple(shape)
        self.values = None
        self._redraw_on = redraw_on
        self._to_host = to_host

    kept_bytes = 0

    @property
    def recipe_bytes(self):
        """About what the recipe takes in memory, in bytes."""
        params = 0 if self.params is None else sum(int(getattr(p, "nbytes", 8))
                                                   for p in self.params)
        return _STEP_OVERHEAD + self.size.nbytes + params

    def release(self):
        """Nothing to drop: device values are never kept."""

    def replay(self, before):
        """The values, drawn again on the device from ``before()``; a NumPy array."""
        return self.redraw(before())

    def replay_steps(self, before):
        """``[replay(before)]``: one draw."""
        return [self.replay(before)]

    def redraw(self, rng):
        """Draw the values again on the device from ``rng`` (the state before the step),
        advancing ``rng`` by the key the draw took; a NumPy array."""
        if self.params is None:
            raise ValueError("its parameters were too large to keep, and device draws are "
                             "redrawn, never recorded")
        values = self._to_host(self._redraw_on(rng, self.size, self.params))
        philox.draw_key(rng)
        if values.shape != self.shape:
            raise AssertionError(f"replay drew shape {values.shape}, recorded {self.shape}")
        return values


class LoopDraws:
    """The draws one call made in a row from one state: a loop's steps, in order.

    ``count`` is the number of draws; ``steps`` the ``Draw``s (or
    ``DeviceDraw``s) kept: all of them while their recipes fit in
    ``MAX_LOOP_BYTES``, the first ones only past it (``complete`` is then
    False and ``replay`` raises ``ValueError``). Values are kept while the
    recipes and the values fit together; when a recipe would not, every
    value is dropped first (they can be redrawn from the recipes).
    ``replay_steps(before)`` returns the steps' values, a list in order;
    ``replay(before)`` stacks them along a new first axis, as ``scan`` stacks
    its outputs (``ValueError`` if the steps drew different shapes).
    """

    __slots__ = ("steps", "count", "_recipe_bytes", "kept_bytes")

    def __init__(self):
        self.steps = []
        self.count = 0
        self._recipe_bytes = 0
        self.kept_bytes = 0

    @property
    def complete(self):
        """True while every draw's recipe is kept."""
        return len(self.steps) == self.count

    def add(self, draw):
        """Append the next step's draw (kept within ``MAX_LOOP_BYTES``)."""
        self.count += 1
        if len(self.steps) != self.count - 1:
            return                                  # an earlier step did not fit
        recipe = draw.recipe_bytes
        if self._recipe_bytes + recipe > MAX_LOOP_BYTES:
            self.release()
            return
        self._recipe_bytes += recipe
        if self._recipe_bytes + self.kept_bytes > MAX_LOOP_BYTES:
            self.release()
        if self._recipe_bytes + self.kept_bytes + draw.kept_bytes > MAX_LOOP_BYTES:
            draw.release()
        self.kept_bytes += draw.kept_bytes
        self.steps.append(draw)

    def release(self):
        """Drop every step's values (a replay then redraws them)."""
        for draw in self.steps:
            draw.release()
        self.kept_bytes = 0

    def replay_steps(self, before):
        """The values of every step, a list in order: kept copies, else every step drawn
        again in order from ``before()``."""
        if not self.complete:
            raise ValueError(f"the loop drew {self.count} times and the history kept the "
                             f"recipes of its first {len(self.steps)} steps only "
                             f"(MAX_LOOP_BYTES = {MAX_LOOP_BYTES})")
        if all(draw.values is not None for draw in self.steps):
            return [draw.values.copy() for draw in self.steps]
        rng = before()
        return [draw.redraw(rng) for draw in self.steps]

    def replay(self, before):
        """The values of every step stacked along a new first axis, as ``scan`` stacks its
        outputs; ValueError if the steps drew different shapes."""
        values = self.replay_steps(before)
        shapes = [v.shape for v in values]
        if len(set(shapes)) > 1:
            shown = ", ".join(map(str, shapes[:4])) + (", ..." if len(shapes) > 4 else "")
            raise ValueError(f"the loop's steps drew different shapes ({shown}), which do not "
                             "stack: replay_steps gives them as a list")
        return np.stack(values)
