"""The steppable history of random states: the data model of the notebook's RNG stepper.

``history(x)`` returns the history of a random variable (or of the shared
variable holding its state), an ``RngHistory``, or of a whole stream, a
``StreamHistory``. Both have the same interface::

    h.fingerprint    # a short stable hash of the current state(s)
    h.draws          # the number of the current step (steps so far, less steps undone)
    h.first, h.last  # the oldest step still kept, the newest step
    h.back(n)        # restore the states of n steps earlier: the next call redraws them
    h.forward(n)     # redo: re-apply later saved states
    h.replay(k)      # the values drawn at step k (a stream: {random variable: values});
                     # for a call that drew in a loop, the steps' values stacked
    h.replay_steps(k)  # the same as a list of arrays, one per draw (per step of a loop)
    h.reseed(s)      # seed anew (srng.seed(s) for a stream)

A *step* is one call of a compiled function that advanced the variable's
state (an ``update`` notification of its shared variable); for a stream,
one call that advanced any of its variables (the notifications of one call
are grouped: they share the same count of draws, ``draw_count()``, since
every random op counts its draws and a call stores updates only after its
last draw). A call that fails stores no update: it records no step.

Moving past either end raises ``IndexError``. A new step taken after going
back drops the steps after it (as a new edit drops the redo list). A value
set from outside (``set_value``, ``srng.seed``, Theano's ``rng.seed(...)``
then ``set_value``) replaces the current state, keeps the past and drops
the steps after it. Every change of state goes through the shared
variable, so its observers (the inspector, the stepper) are notified.

A draw inside a loop (``scan``) reads the state the step before gave: the
history follows that chain (``note_draw``), so the call's record holds
every step's draw (``symlab.random.draws.LoopDraws``) and ``replay`` gives
them stacked along a first axis, as ``scan`` stacks its outputs.

Memory is bounded: a variable keeps at most ``max_steps`` (``MAX_STEPS``)
past states; recorded values take at most ``max_value_bytes``
(``MAX_VALUE_BYTES``) per variable, a single draw is recorded only up to
``MAX_RECORDED_BYTES`` and one call's loop only up to ``MAX_LOOP_BYTES``;
older or larger values are redrawn by ``replay`` from the saved state, with
the recorded size and parameters.
"""

import hashlib
import weakref

import numpy as np

from symlab.compile.shared import SharedVariable
from symlab.random.draws import (MAX_LOOP_BYTES, MAX_RECORDED_BYTES, DeviceDraw, Draw,
                                  LoopDraws)
from symlab.random.state import fingerprint, is_rng, reseeded, restore, snapshot

__all__ = ["history", "RngHistory", "StreamHistory", "MAX_STEPS", "MAX_VALUE_BYTES",
           "MAX_RECORDED_BYTES", "MAX_LOOP_BYTES", "draw_count"]

#: Past states kept per variable (and steps kept per stream).
MAX_STEPS = 200
#: Bytes of recorded values kept per variable.
MAX_VALUE_BYTES = 1 << 20

_draws = 0
_tracked_states = {}  # id(state object) -> (weakref to its RngHistory, the state object)
_pending_states = {}  # id(a watched draw's new state) -> (weakref to the RngHistory, the state)


def draw_count():
    """How many random draws (performs of a random op) this process has made."""
    return _draws


def note_draw(rng_in, rng_out, op, size, params, values, device=None, looped=False):
    """Called by the random op after each draw: counts it, and keeps its recipe if watched.

    A draw is watched when ``rng_in`` is the state a history tracks, or the
    new state of a watched draw of the same call (a loop's next step, which
    reads the state the step before gave): the draws of such a chain are
    kept together (``LoopDraws``), as are those of a draw made inside a loop
    (``looped``: its state is not read from the shared variable itself), so
    a loop of one step is a loop too. ``device``: for a draw made on the
    device, ``(redraw_on, to_host)`` (see ``DeviceDraw``); its values stay
    where they are.
    """
    global _draws
    _draws += 1
    tracker, chained = _watching(rng_in)
    if tracker is None:
        return
    draw = Draw(op, size, params, values) if device is None else \
        DeviceDraw(op, size, params, values.shape, *device)
    if chained:
        kept = tracker._pending[1]
        if not isinstance(kept, LoopDraws):
            kept = _loop_of(kept)
    elif looped:
        kept = LoopDraws()
    else:
        kept = draw
    if kept is not draw:
        kept.add(draw)
    tracker._set_pending(rng_out, kept)


def _loop_of(draw):
    loop = LoopDraws()
    loop.add(draw)
    return loop


def _watching(rng_in):
    """The RngHistory watching draws from ``rng_in``, and whether ``rng_in`` is the new state
    of its pending draw (a chain), or ``(None, False)``."""
    for states, chained in ((_tracked_states, False), (_pending_states, True)):
        entry = states.get(id(rng_in))
        if entry is not None and entry[1] is rng_in:
            tracker = entry[0]()
            if tracker is None:
                return None, False
            if chained and (tracker._pending is None or tracker._pending[0] is not rng_in):
                return None, False
            return tracker, chained
    return None, False


class _Record:
    """A state in a timeline: the snapshot after a step, and the draw that led to it."""

    __slots__ = ("snap", "draw")

    def __init__(self, snap, draw):
        self.snap = snap
        self.draw = draw


def _check_count(n, what):
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"{what}: n must be a non-negative int; got {n!r}")
    return int(n)


class _Timeline:
    """What both histories share: the cursor and its checks."""

    def _target(self, n, sign, what):
        target = self.draws + sign * _check_count(n, what)
        if not self.first <= target <= self.last:
            raise IndexError(f"{what}({n}): the history holds steps {self.first} to "
                             f"{self.last} and the current step is {self.draws}")
        return target

    def _check_replay(self, k, method="replay"):
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
            raise TypeError(f"{method}: k must be an int; got {k!r}")
        if not self.first < k <= self.last:
            raise IndexError(f"{method}({k}): the history can replay steps {self.first + 1} to "
                             f"{self.last}" + (f" (older steps were dropped: max_steps="
                                               f"{self.max_steps})" if self.first else ""))
        return int(k)


class RngHistory(_Timeline):
    """The history of one shared random state (see the module docstring).

    Made by ``history(rv)``; one per shared variable, attached when the
    variable is created by a stream (or on the first ``history`` call).
    """

    def __init__(self, variable):
        self._variable = weakref.ref(variable)
        value = variable.get_value(borrow=True)
        self._records = [_Record(snapshot(value), None)]
        self.first = 0
        self.draws = 0
        self.max_steps = MAX_STEPS
        self.max_value_bytes = MAX_VALUE_BYTES
        self._value_bytes = 0
        self._pending = None
        self._restoring = False
        self._streams = weakref.WeakSet()
        self._key = [None, None]  # ids of the watched state and of the pending new state
        weakref.finalize(self, _forget, self._key)
        self._watch(value)
        variable.observe(self._on_change)

    # -------------------------------------------------------------- public

    @property
    def variable(self):
        """The shared variable whose state this is."""
        return self._variable()

    @property
    def last(self):
        """The newest step kept."""
        return self.first + len(self._records) - 1

    @property
    def fingerprint(self):
        """A short stable hash (12 hex digits) of the current state."""
        return fingerprint(self.variable.get_value(borrow=True))

    def back(self, n=1):
        """Restore the state of ``n`` steps earlier (IndexError past the oldest kept)."""
        self._move(self._target(n, -1, "back"))

    def forward(self, n=1):
        """Re-apply the state of ``n`` steps later (IndexError past the newest)."""
        self._move(self._target(n, +1, "forward"))

    def replay(self, k):
        """The values drawn at step ``k`` (recorded, or redrawn from the state before it): an
        array; for a call that drew in a loop, the steps' values stacked along a first axis
        (ValueError if the steps drew different shapes: see ``replay_steps``)."""
        return self._replayed(k, "replay")

    def replay_steps(self, k):
        """The values drawn at step ``k`` as a list with one array per draw: one for a call
        that drew once, one per step of the loop for a call that drew in a loop."""
        return self._replayed(k, "replay_steps")

    def _replayed(self, k, method):
        k = self._check_replay(k, method)
        draw = self._records[k - self.first].draw
        if draw is None:
            raise ValueError(f"{method}({k}): that step was not a draw symlab recorded")
        try:
            return getattr(draw, method)(
                lambda: restore(self._records[k - 1 - self.first].snap))
        except ValueError as exc:
            raise ValueError(f"{method}({k}): {exc}") from None

    def reseed(self, seed):
        """Replace the current state by a new one of the same kind seeded with ``seed``
        (``state.reseeded``: ``RandomState(seed)``, ``Generator(PCG64(seed))`` or
        ``Generator(Philox(seed))``; an MRG state keeps its substream counts and gets what
        ``MRG_RandomStreams(seed)`` gives its first variable of that shape)."""
        new = reseeded(self.variable.get_value(borrow=True), seed)
        self.variable.set_value(new, borrow=True)

    def __repr__(self):
        return (f"<RngHistory of {self.variable}: step {self.draws} of {self.first}..{self.last}"
                f", state {self.fingerprint}>")

    # -------------------------------------------------------------- internals

    @property
    def _current(self):
        return self._records[self.draws - self.first]

    def _watch(self, value):
        entry = _tracked_states.get(self._key[0])
        if entry is not None and entry[0]() is self:
            del _tracked_states[self._key[0]]
        self._key[0] = id(value)
        _tracked_states[id(value)] = (weakref.ref(self), value)

    def _set_pending(self, new_state, draw):
        """Keep ``draw`` (a Draw, DeviceDraw or LoopDraws) until an update stores
        ``new_state``, and watch draws from ``new_state`` (a loop's next step)."""
        self._clear_pending()
        self._pending = (new_state, draw)
        self._key[1] = id(new_state)
        _pending_states[id(new_state)] = (weakref.ref(self), new_state)

    def _clear_pending(self):
        """Forget the pending draw; return it as ``(new state, draw)``, or None."""
        pending, self._pending = self._pending, None
        if pending is not None:
            entry = _pending_states.get(id(pending[0]))
            if entry is not None and entry[1] is pending[0]:
                del _pending_states[id(pending[0])]
        return pending

    def _on_change(self, variable, event):
        value = variable.get_value(borrow=True)
        self._watch(value)
        if self._restoring:
            return
        if event == "update":
            pending = self._clear_pending()
            draw = pending[1] if pending is not None and pending[0] is value else None
            record = _Record(snapshot(value), draw)
            self._drop_after(self.draws)
            self._records.append(record)
            self.draws += 1
            if draw is not None:
                self._value_bytes += draw.kept_bytes
            self._trim()
            for stream in list(self._streams):
                stream._advanced(variable, record)
        else:
            record = _Record(snapshot(value), self._current.draw)
            self._replace_current(record)
            for stream in list(self._streams):
                stream._replaced(variable, record)

    def _replace_current(self, record):
        self._drop_after(self.draws)
        self._records[self.draws - self.first] = record

    def _drop_after(self, step):
        dropped = self._records[step - self.first + 1:]
        del self._records[step - self.first + 1:]
        for record in dropped:
            self._release(record)

    def _release(self, record):
        if record.draw is not None:
            self._value_bytes -= record.draw.kept_bytes
            record.draw.release()

    def _trim(self):
        while len(self._records) > self.max_steps + 1:
            self._release(self._records.pop(0))
            self.first += 1
        for record in self._records:
            if self._value_bytes <= self.max_value_bytes:
                break
            self._release(record)

    def _move(self, target, source=None):
        # The position first: observers notified by _set read it.
        previous, self.draws = self.draws, target
        try:
            self._set(self._records[target - self.first])
        except BaseException:
            self.draws = previous
            raise
        for stream in list(self._streams):
            if stream is not source:
                stream._replaced(self.variable, self._current)

    def _move_to_record(self, record, source):
        """Make ``record`` current: by moving there if it is in this timeline, else by
        replacing the current state (a change from outside this timeline)."""
        if record is self._current:
            return
        for k, mine in enumerate(self._records):
            if mine is record:
                self._move(self.first + k, source)
                return
        self._set(record)
        self._replace_current(record)
        for stream in list(self._streams):
            if stream is not source:
                stream._replaced(self.variable, record)

    def _set(self, record):
        self._clear_pending()
        self._restoring = True
        try:
            self.variable.set_value(restore(record.snap), borrow=True)
        finally:
            self._restoring = False


def _forget(key):
    for states, state_id in ((_tracked_states, key[0]), (_pending_states, key[1])):
        entry = states.get(state_id)
        if entry is not None and entry[0]() is None:
            del states[state_id]


def tracker_of(variable):
    """The RngHistory of the shared variable ``variable``, attached on first use."""
    found = _histories.get(variable)
    if found is None:
        if not isinstance(variable, SharedVariable) or not is_rng(
                variable.get_value(borrow=True)):
            raise TypeError(f"history: {variable!r:.60} is not a shared variable holding a "
                            "numpy RandomState or Generator")
        found = _histories[variable] = RngHistory(variable)
    return found


_histories = weakref.WeakKeyDictionary()


class _StreamStep:
    __slots__ = ("records", "drawn")

    def __init__(self, records, drawn):
        self.records = records  # shared variable -> _Record: the states set at this step
        self.drawn = drawn      # the shared variables that drew at this step


class StreamHistory(_Timeline):
    """The history of a stream: a step is one call that advanced any of its variables."""

    def __init__(self, stream):
        self._stream = weakref.ref(stream)
        self._steps = [_StreamStep({}, set())]
        self._variables = {}  # shared variable -> (its RngHistory, the random variable)
        self.first = 0
        self.draws = 0
        self.max_steps = MAX_STEPS
        self._open = None  # draw_count() of the step still collecting one call's updates

    def add(self, variable, random_variable):
        """Follow ``variable`` (a state the stream created for ``random_variable``)."""
        tracker = tracker_of(variable)
        tracker._streams.add(self)
        self._variables[variable] = (tracker, random_variable)
        self._steps[0].records[variable] = tracker._current

    @property
    def last(self):
        """The newest step kept."""
        return self.first + len(self._steps) - 1

    @property
    def fingerprint(self):
        """A short stable hash (12 hex digits) of the states of every variable, in order."""
        digest = hashlib.sha1()
        for tracker, _ in self._variables.values():
            digest.update(tracker.fingerprint.encode())
        return digest.hexdigest()[:12]

    def back(self, n=1):
        """Restore every variable's state of ``n`` steps earlier."""
        self._move(self._target(n, -1, "back"))

    def forward(self, n=1):
        """Re-apply every variable's state of ``n`` steps later."""
        self._move(self._target(n, +1, "forward"))

    def replay(self, k):
        """``{random variable: values}`` for the variables that drew at step ``k`` (each as
        ``RngHistory.replay`` gives it)."""
        return self._replayed(k, "replay")

    def replay_steps(self, k):
        """``{random variable: [values of each draw]}`` for the variables that drew at step
        ``k`` (each as ``RngHistory.replay_steps`` gives it)."""
        return self._replayed(k, "replay_steps")

    def _replayed(self, k, method):
        k = self._check_replay(k, method)
        step = self._steps[k - self.first]
        result = {}
        for variable, (tracker, random_variable) in self._variables.items():
            if variable not in step.drawn:
                continue
            draw = step.records[variable].draw
            if draw is None:
                raise ValueError(f"{method}({k}): the step of {variable} was not a draw "
                                 "symlab recorded")
            try:
                result[random_variable] = getattr(draw, method)(
                    lambda: restore(self._as_of(k - 1, variable).snap))
            except ValueError as exc:
                raise ValueError(f"{method}({k}): {random_variable}: {exc}") from None
        return result

    def reseed(self, seed):
        """``srng.seed(seed)``: new states for every variable of the stream."""
        self._stream().seed(seed)

    def __repr__(self):
        return (f"<StreamHistory of {len(self._variables)} variable(s): step {self.draws} of "
                f"{self.first}..{self.last}, state {self.fingerprint}>")

    # -------------------------------------------------------------- internals

    def _as_of(self, step, variable):
        for k in range(step - self.first, -1, -1):
            record = self._steps[k].records.get(variable)
            if record is not None:
                return record
        raise AssertionError(f"{variable} has no state in the stream's history")

    def _drop_after(self, step):
        del self._steps[step - self.first + 1:]

    def _advanced(self, variable, record):
        current = self._steps[-1]
        if self._open == _draws and self.draws == self.last and variable not in current.drawn:
            current.records[variable] = record
            current.drawn.add(variable)
            return
        self._drop_after(self.draws)
        self._steps.append(_StreamStep({variable: record}, {variable}))
        self.draws += 1
        self._open = _draws
        while len(self._steps) > self.max_steps + 1:
            oldest = self._steps.pop(0)
            self._steps[0].records = {**oldest.records, **self._steps[0].records}
            self.first += 1

    def _replaced(self, variable, record):
        self._open = None
        self._drop_after(self.draws)
        self._steps[self.draws - self.first].records[variable] = record

    def _move(self, target):
        self._open = None
        self.draws = target     # first: observers notified by the moves read it
        for variable, (tracker, _) in self._variables.items():
            tracker._move_to_record(self._as_of(target, variable), source=self)


def history(x):
    """The history of ``x``: a random variable, a shared random state, or a stream."""
    found = getattr(x, "_stream_history", None)
    if isinstance(found, StreamHistory):
        return found
    rng = getattr(x, "rng", None)
    if isinstance(rng, SharedVariable):
        return tracker_of(rng)
    if isinstance(x, SharedVariable):
        return tracker_of(x)
    raise TypeError(f"history: expected a random variable, a shared random state or a "
                    f"RandomStreams; got {x!r:.60}")
