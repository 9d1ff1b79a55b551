"""``In`` and ``Out``: how a compiled function takes an input and gives an output."""

from symlab.graph.basic import Variable

__all__ = ["In", "Out", "as_in"]


class In:
    """An input of a compiled function, with an optional default ``value`` and ``name``.

    ``name`` (default: the variable's name, unless ``autoname=False``, when
    the name is exactly ``name``, possibly None) is the keyword a call may use.
    ``update``: an expression whose value replaces the input's value after
    each successful call, so the input is a state kept by the function
    (Theano's semantics): a call that omits the input uses the kept value,
    a call that passes one uses it for that call, and either way the kept
    value becomes ``update``'s. Without ``value`` the first call must pass
    one. ``f[var]`` (or ``f[name]``, ``f[position]``) reads the kept value
    and ``f[var] = v`` sets it. ``mutable=True`` allows the function to
    overwrite the array passed in (the ``inplace`` pass then may write a
    result into it, as ``f.source`` shows); an input with a default value is
    never overwritten, since the default is reused by later calls.
    ``borrow=True`` is accepted and recorded: outputs that could alias an
    input are copied regardless. ``implicit=True`` (an input the caller may
    not pass) is not supported.
    """

    def __init__(self, variable, name=None, value=None, update=None, mutable=False,
                 strict=False, autoname=True, implicit=None, borrow=False,
                 allow_downcast=None):
        if not isinstance(variable, Variable):
            raise TypeError(f"In: expected a symbolic variable, got {variable!r:.60}")
        if implicit:
            raise NotImplementedError("In(implicit=True) is not supported; use shared variables "
                                      "or In(update=...) with a value")
        if update is not None and not isinstance(update, Variable):
            raise TypeError(f"In({variable}): update must be a symbolic expression of the "
                            f"input's type; got {update!r:.60}")
        self.variable = variable
        self.autoname = bool(autoname)
        self.name = variable.name if name is None and autoname else name
        self.value = value
        self.update = update
        self.mutable = mutable
        self.borrow = borrow
        self.strict = strict
        self.allow_downcast = allow_downcast
        self.implicit = implicit

    @property
    def has_default(self):
        """True if the input has a default value."""
        return self.value is not None

    def __repr__(self):
        default = f", value={self.value!r}" if self.has_default else ""
        update = f", update={self.update}" if self.update is not None else ""
        return f"In({self.variable}{default}{update})"


def as_in(item, position):
    """``item`` as an ``In``, by Theano's input shortcuts; raises TypeError for anything else.

    A variable ``r`` is ``In(r)``; ``(name, r)`` is ``In(r, name=name)``;
    ``(r, value)`` is ``In(r, value=value)``; ``((r, update), value)`` is
    ``In(r, value=value, update=update)``; ``(name, r, value)`` and
    ``(name, (r, update), value)`` add the name. Returns the ``In``.
    """
    if isinstance(item, In):
        return item
    if isinstance(item, Variable):
        return In(item)
    if isinstance(item, tuple):
        name = None
        if len(item) == 3 and isinstance(item[0], str):
            name, item = item[0], item[1:]
        if len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], Variable) \
                and name is None:
            return In(item[1], name=item[0])
        if len(item) == 2:
            target, value = item
            if isinstance(target, Variable):
                return In(target, name=name, value=value)
            if isinstance(target, tuple) and len(target) == 2 \
                    and isinstance(target[0], Variable):
                return In(target[0], name=name, value=value, update=target[1])
    raise TypeError(f"function: input {position} must be a symbolic variable, an In, or one of "
                    f"Theano's tuples ((name, var), (var, value), ((var, update), value), "
                    f"(name, var, value)); got {item!r:.80}")


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
