"""``RNGStepper``: a random variable's (or a stream's) state, drawn, undone, redone, reseeded.

Built on ``symlab.random.history`` (``docs/random.md``). Synced traits::

    fingerprint  12 hex digits of the current state(s)
    draws        the newest step the stepper shows (the steps taken since it was
                 made or last reseeded, less those dropped by a draw made after
                 going back)
    position     the current step, 0 to ``draws``: ``back`` lowers it, ``forward``
                 and ``draw`` raise it; a reseed starts again at step 0 of 0
    values       the numbers drawn at step ``position`` ([] at step 0, or when
                 they cannot be replayed): for a random variable, its values
                 (a scalar as [x], nested lists for 2-d and more), cut to the
                 first VALUES_LIMIT numbers (per axis: VALUES_LIMIT ** (1/ndim));
                 for a stream, one entry per variable, in ``labels`` order,
                 each such a list, or null if that variable did not draw then
    labels       the names of the variables, in order (one for a variable)
    histogram    {} for at most HISTOGRAM_MIN numbers, else {"counts": [int],
                 "edges": [float] (one more than counts), "label": name} of
                 all the numbers drawn (a stream: of its first variable that drew)
    can_back, can_forward   whether ``back()`` / ``forward()`` may move
    error        the message of the last failed action, or ""
    texts        the widget's words (``labels.widget_texts("rng")``), in the
                 language ``symlab.config.language`` names when the widget is made

Custom messages from the front end: ``{"action": "draw"}``, ``{"action":
"back"}``, ``{"action": "forward"}`` (both take an optional ``"n"``, default
1) and ``{"action": "reseed", "seed": <the seed box's text, or an int>}``.
The Python methods ``draw()``, ``back(n)``, ``forward(n)`` and
``reseed(seed)`` do the same; every failure sets ``error`` (the message the
widget shows) and the method raises it, a message from the front end only
sets it. A seed must be a whole number in the range of the state's kind
(``seed_range()``: 0 to 2**32 - 1 for a ``RandomState``, 1 to 2**31 - 21070
for an MRG state, 0 or more for a ``Generator``); an empty seed box, text
that is not a whole number and a seed out of range are refused, naming the
value and what a seed must be, and change nothing.

A reseed starts the stepper's count again: it shows step 0 of 0, no values,
and cannot step back past the reseed (``history`` still holds the earlier
states, for code that wants them). The history's own numbering is
``stepper.history.draws``.

``draw()`` compiles, once, a function of no inputs computing the
variable(s) with their default updates, and calls it: one step. The widget
listens to its states' notifications, so calls of the user's own functions
refresh it too; in IPython it also refreshes after each cell (``post_run_cell``),
for the moves of a history made by code, whose notifications come before the
history's cursor moves.
"""

import re
import time

import ipywidgets as widgets
import numpy as np
import traitlets

from symlab.compile import function
from symlab.compile.shared import SharedVariable
from symlab.graph.basic import Variable
from symlab.notebook._common import (MODULE, MODULE_VERSION, CellHook, WeakObserver, as_data,
                                     running_shell)
from symlab.notebook.labels import language, text, widget_texts
from symlab.random import StreamHistory, history
from symlab.random.mrg31k3p import M2
from symlab.random.mrg_draws import MRGState

__all__ = ["RNGStepper", "VALUES_LIMIT", "HISTOGRAM_MIN", "HISTOGRAM_BINS"]

#: The most numbers ``values`` shows per variable.
VALUES_LIMIT = 100
#: Draws of more numbers than this get a histogram.
HISTOGRAM_MIN = 20
#: Bins of a histogram (integers spanning fewer values get one bin per integer).
HISTOGRAM_BINS = 20


class RNGStepper(widgets.DOMWidget):
    """Step through the random states of a random variable or of a whole stream.

    ``RNGStepper(rv)``, ``RNGStepper(srng)`` or ``RNGStepper(rv.rng)``;
    see the module docstring for the synced traits and the messages.
    """

    _model_name = traitlets.Unicode("RNGStepperModel").tag(sync=True)
    _view_name = traitlets.Unicode("RNGStepperView").tag(sync=True)
    _model_module = traitlets.Unicode(MODULE).tag(sync=True)
    _view_module = traitlets.Unicode(MODULE).tag(sync=True)
    _model_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)
    _view_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)

    fingerprint = traitlets.Unicode("").tag(sync=True)
    draws = traitlets.Int(0).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)
    values = traitlets.List().tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    histogram = traitlets.Dict().tag(sync=True)
    can_back = traitlets.Bool(False).tag(sync=True)
    can_forward = traitlets.Bool(False).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    texts = traitlets.Dict().tag(sync=True)

    #: Seconds. Inside IPython, state changes notified sooner than this after the last
    #: refresh wait for the next one past it, or for the end of the cell (a loop of
    #: draws does not send a message per draw). The widget's own actions show at once.
    refresh_interval = 0.25

    # Until __init__ sets them: close() may run on a half-built widget.
    _observed = ()
    _cell_hook = None

    def __init__(self, rv_or_stream, **kwargs):
        try:
            self._history = history(rv_or_stream)
        except TypeError:
            raise TypeError(f"RNGStepper: expected a random variable (made by a RandomStreams), "
                            f"a RandomStreams or a shared random state; got "
                            f"{type(rv_or_stream).__name__}") from None
        super().__init__(**kwargs)
        self._language = language()  # the config's, when the widget is made
        self.texts = widget_texts("rng", lang=self._language)
        self._source = rv_or_stream
        self._origin = 0  # the history's step shown as step 0 (the last reseed's)
        self._draw_fn = None
        self._draw_for = ()
        self._observed = []
        self._observer = WeakObserver(self._on_change)
        self._last_change_refresh = -float("inf")
        self.on_msg(self._on_message)
        self._follow()
        shell = running_shell()
        if shell is not None:
            # A history moved by code (h.back()) notifies before its cursor moves: the
            # refresh after the cell shows where it ended.
            self._cell_hook = CellHook(self.refresh, shell)
        self.refresh()

    # ------------------------------------------------------------ what is followed

    @property
    def history(self):
        """The ``RngHistory`` or ``StreamHistory`` this widget steps."""
        return self._history

    @property
    def is_stream(self):
        """True when stepping a whole stream (``RNGStepper(srng)``)."""
        return isinstance(self._history, StreamHistory)

    def random_variables(self):
        """The random variables drawn by ``draw()``, in order (a stream's: creation order)."""
        source = self._source
        if self.is_stream:
            return [new.owner.outputs[0] for _, new in source.state_updates]
        if isinstance(source, SharedVariable):
            update = source.default_update
            owner = getattr(update, "owner", None)
            return [owner.outputs[0]] if owner is not None else []
        return [source]

    def _states(self):
        source = self._source
        if self.is_stream:
            return [rng for rng, _ in source.state_updates]
        if isinstance(source, SharedVariable):
            return [source]
        return [source.rng]

    def _follow(self):
        """Observe every state (a stream may have made new variables since)."""
        for state in self._states():
            if not any(state is mine for mine in self._observed):
                state.observe(self._observer)
                self._observed.append(state)

    def _on_change(self, variable, event):
        if self._cell_hook is not None and \
                time.monotonic() - self._last_change_refresh < self.refresh_interval:
            return  # the cell hook refreshes when the cell ends
        self.refresh()
        self._last_change_refresh = time.monotonic()

    def close(self):
        """Stop listening to the states, then close the widget."""
        for state in self._observed:
            try:
                state.unobserve(self._observer)
            except ValueError:
                pass
        self._observed = []
        self._draw_fn = None
        if self._cell_hook is not None:
            self._cell_hook.remove()
            self._cell_hook = None
        super().close()

    # ------------------------------------------------------------ actions

    def draw(self):
        """Draw the next values (one step); return them (a stream: a list, in order)."""
        variables = self.random_variables()
        if not variables:
            return self._fail(ValueError("RNGStepper.draw: no random variable is known for this "
                                         "state (its default_update is not a random draw)"))
        if self._draw_fn is None or len(self._draw_for) != len(variables) or any(
                a is not b for a, b in zip(self._draw_for, variables)):
            try:
                self._draw_fn = function([], list(variables), name="rng_stepper_draw")
            except (TypeError, ValueError) as exc:
                names = ", ".join(_label(v) for v in variables)
                return self._fail(ValueError(f"RNGStepper.draw: cannot draw {names} without "
                                             f"inputs: {exc}"))
            self._draw_for = tuple(variables)
            self._follow()
        try:
            drawn = self._draw_fn()
        except Exception as exc:
            return self._fail(exc)
        self.error = ""
        self.refresh()
        return drawn if self.is_stream else drawn[0]

    def back(self, n=1):
        """Restore the state(s) of ``n`` steps earlier: the next draw repeats those numbers."""
        self._move(self._history.back, n, -1, "back")

    def forward(self, n=1):
        """Re-apply the state(s) of ``n`` steps later (redo)."""
        self._move(self._history.forward, n, +1, "forward")

    def seed_range(self):
        """``(low, high)``: the seeds the state's kind takes (high None: no upper bound)."""
        kind = getattr(self._source, "kind", None) if self.is_stream else None
        states = self._states()
        value = states[0].get_value(borrow=True) if states else None
        if kind == "mrg31k3p" or isinstance(value, MRGState):
            return 1, M2 - 1
        if (kind is not None and kind != "randomstate") or isinstance(value, np.random.Generator):
            return 0, None
        return 0, 2 ** 32 - 1

    def reseed(self, seed):
        """Seed anew (a stream: ``srng.seed(seed)``; a variable: a new state from ``seed``)
        and start the count again at step 0 of 0. ``seed``: an int, or the text of the
        widget's seed box. A bad seed sets ``error`` and raises ValueError, changing nothing."""
        seed = self._checked_seed(seed)
        try:
            self._history.reseed(seed)
        except (TypeError, ValueError, OverflowError) as exc:
            return self._fail(ValueError(f"RNGStepper.reseed: seeding with {seed} failed: "
                                         f"{exc}"))
        self._origin = self._history.draws
        self.error = ""
        self.refresh()

    def _checked_seed(self, seed):
        """``seed`` as an int in ``seed_range()``, else ``_fail`` with the table's message."""
        low, high = self.seed_range()
        rule = text("rng_seed_rule_from", self._language, low=low) if high is None else \
            text("rng_seed_rule_range", self._language, low=low, high=high)
        if isinstance(seed, str):
            typed = seed.strip()
            if not typed:
                return self._fail(ValueError(
                    "RNGStepper.reseed: " + text("rng_seed_empty", self._language, rule=rule)))
            if re.fullmatch(r"[+-]?[0-9]+", typed) is None:
                return self._fail(ValueError("RNGStepper.reseed: " + text(
                    "rng_seed_not_whole", self._language, value=repr(typed[:40]), rule=rule)))
            shown, seed = typed, int(typed)
        elif isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)):
            shown, seed = str(int(seed)), int(seed)
        else:
            return self._fail(ValueError("RNGStepper.reseed: " + text(
                "rng_seed_not_whole", self._language, value=f"{seed!r:.40}", rule=rule)))
        if seed < low or (high is not None and seed > high):
            return self._fail(ValueError("RNGStepper.reseed: " + text(
                "rng_seed_out_of_range", self._language, value=shown, rule=rule)))
        return seed

    def _move(self, method, n, sign, what):
        h = self._history
        if not isinstance(n, (int, np.integer)) or isinstance(n, (bool, np.bool_)) or n < 0:
            return self._fail(ValueError(f"RNGStepper.{what}: " + text(
                "rng_bad_count", self._language, value=f"{n!r:.40}")))
        low = self._low()
        if not low <= h.draws + sign * int(n) <= h.last:
            return self._fail(IndexError(text(
                "rng_cannot_move", self._language, action=what, n=n, low=low - self._origin,
                high=h.last - self._origin, position=h.draws - self._origin)))
        try:
            method(int(n))
        except (IndexError, ValueError) as exc:
            return self._fail(exc)
        self.error = ""
        self.refresh()

    def _low(self):
        """The history's oldest step the stepper may show (its origin, or the oldest kept)."""
        return max(self._history.first, self._origin)

    def _fail(self, exc):
        self.error = str(exc)
        raise exc

    def _on_message(self, widget, content, buffers):
        action = content.get("action") if isinstance(content, dict) else None
        try:
            if action == "draw":
                self.draw()
            elif action in ("back", "forward"):
                getattr(self, action)(content.get("n", 1))
            elif action == "reseed":
                self.reseed(content.get("seed", ""))
            else:
                self.error = (f"RNGStepper: unknown message {action!r}; expected 'draw', "
                              "'back', 'forward' or 'reseed'")
        except Exception as exc:  # noqa: BLE001 (the page has no traceback: show every failure)
            if self.error != str(exc):  # not one of ours (_fail has set those)
                self.error = text("rng_failed", self._language, action=f"RNGStepper.{action}",
                                  error=f"{type(exc).__name__}: {exc}")

    # ------------------------------------------------------------ the synced state

    def refresh(self):
        """Read the history again (done after every action and every state notification)."""
        h = self._history
        if not self._origin <= h.draws <= h.last:
            self._origin = h.first  # code moved the history before the reseed: show it all
        variables = self.random_variables()
        values, histogram = [], {}
        drawn = self._values_at(h.draws, variables)
        if self.is_stream and any(d is not None for d in drawn):
            values = [None if d is None else _shown(d) for d in drawn]
        elif drawn and drawn[0] is not None:
            values = _shown(drawn[0])
        for variable, data in zip(variables, drawn):
            if data is not None and np.size(data) > HISTOGRAM_MIN:
                histogram = _histogram(data, _label(variable))
                break
        with self.hold_sync():
            self.fingerprint = h.fingerprint
            self.draws = h.last - self._origin
            self.position = h.draws - self._origin
            self.labels = [_label(v) for v in variables]
            self.values = values
            self.histogram = histogram
            self.can_back = h.draws > self._low()
            self.can_forward = h.draws < h.last

    def _values_at(self, step, variables):
        """The arrays drawn at ``step``, one per variable (None where unknown)."""
        if step <= self._low():
            return [None] * len(variables)
        try:
            replayed = self._history.replay(step)
        except (IndexError, ValueError):
            return [None] * len(variables)
        if not self.is_stream:
            return [replayed]
        return [replayed.get(v) for v in variables]

    def __repr__(self):
        step = text("rng_step", self._language, position=self.position, draws=self.draws)
        return f"<RNGStepper {', '.join(self.labels)}: {step}, state {self.fingerprint}>"


def _label(variable):
    if isinstance(variable, Variable) and variable.name:
        return variable.name
    return str(variable)


def _shown(array):
    """The first VALUES_LIMIT numbers of ``array`` as a list (a scalar as [x])."""
    array = np.asarray(array)
    if array.size > VALUES_LIMIT:
        per_axis = max(1, int(VALUES_LIMIT ** (1.0 / array.ndim)))
        array = array[tuple(slice(0, per_axis) for _ in range(array.ndim))]
    data = as_data(array)
    return data if isinstance(data, list) else [data]


def _histogram(array, label):
    data = np.asarray(array)
    if data.dtype.kind == "c":
        data = data.real
    data = data.astype(np.float64).ravel()
    data = data[np.isfinite(data)]
    if data.size == 0:
        return {}
    low, high = float(data.min()), float(data.max())
    if np.asarray(array).dtype.kind in "iub" and high - low < HISTOGRAM_BINS:
        edges = np.arange(low, high + 2) - 0.5
    else:
        edges = HISTOGRAM_BINS
    counts, edges = np.histogram(data, bins=edges)
    return {"counts": [int(c) for c in counts], "edges": [float(e) for e in edges],
            "label": label}
