"""``In`` and ``Out``: how a compiled function takes an input and gives an output."""

from symlab.graph.basic import Variable

__all__ = ["In", "Out"]


class In:
    """An input of a compiled function, with an optional default ``value`` and ``name``.

    ``name`` (default: the variable's name) is the keyword a call may use.
    ``mutable=True`` allows the function to overwrite the array passed in
    (the ``inplace`` pass then may write a result into it, as ``f.source``
    shows); an input with a default value is never overwritten, since the
    default is reused by later calls. ``borrow=True`` is accepted and
    recorded: outputs that could alias an input are copied regardless.
    """

    def __init__(self, variable, name=None, value=None, mutable=False, borrow=False,
                 strict=False, allow_downcast=None, implicit=False):
        if not isinstance(variable, Variable):
            raise TypeError(f"In: expected a symbolic variable, got {variable!r:.60}")
        if implicit:
            raise NotImplementedError("In(implicit=True) is not supported; use shared variables")
        self.variable = variable
        self.name = variable.name if name is None else name
        self.value = value
        self.mutable = mutable
        self.borrow = borrow
        self.strict = strict
        self.allow_downcast = allow_downcast

    @property
    def has_default(self):
        """True if the input has a default value."""
        return self.value is not None

    def __repr__(self):
        default = f", value={self.value!r}" if self.has_default else ""
        return f"In({self.variable}{default})"


class Out:
    """An output of a compiled function; ``borrow=True`` lets it alias internal storage.

    With ``borrow=True`` the function may also reuse the output's buffer
    across calls (Theano's semantics): the array a call returned may be
    overwritten by a later call. The NumPy backend does so exactly where
    the output is computed by a blocked elementwise kernel that writes into
    no input, and the variable is no other output or update of the
    function; it makes a new buffer (and keeps that one) when the kept one
    has another shape or shares memory with an input of the kernel (a
    result passed back in). Calls of one function from several threads at
    once then share that buffer. A borrowed output never aliases an input
    or a shared value (such outputs are copied, as without ``borrow``).
    """

    def __init__(self, variable, borrow=False):
        if not isinstance(variable, Variable):
            raise TypeError(f"Out: expected a symbolic variable, got {variable!r:.60}")
        self.variable = variable
        self.borrow = borrow

    def __repr__(self):
        return f"Out({self.variable}, borrow={self.borrow})"
