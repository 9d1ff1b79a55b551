"""``Mode``: which rewrites run and which backend lowers the graph.

A mode starts from FAST_RUN and includes or excludes pass names or rewrite
names (``symlab.rewrite.passes`` lists them, in order), or Theano's names for
them (``symlab.rewrite.passes.THEANO_NAMES``), which the mode stores as
symlab's. Subclasses (``NanGuardMode``, ``DebugMode``, ``MonitorMode``) keep
their class and their own settings through ``including``, ``excluding`` and
``clone``, and instrument the functions compiled with them (``instrument``).
"""

from symlab.config import config

__all__ = ["Mode", "get_mode", "FAST_RUN", "FAST_COMPILE", "NO_REWRITES", "MODE_NAMES"]


#: The predefined modes' names, and the optimizer each stands for.
_MODE_NAMES = {"FAST_RUN": "fast_run", "FAST_COMPILE": "fast_compile", "NO_REWRITES": None}

#: Theano's optimizer settings (``config.optimizer``) as a Mode's ``optimizer``.
_CONFIG_OPTIMIZERS = {"FAST_RUN": "fast_run", "FAST_COMPILE": "fast_compile",
                      "NO_REWRITES": None}


def _resolve(names, argument):
    """``names`` as symlab's pass and rewrite names (Theano's names translated)."""
    if not names:
        return ()
    # Loaded here, not at import: `import symlab` need not load every rewrite.
    from symlab.rewrite.passes import resolve_names
    return resolve_names(names, argument)


def default_optimizer():
    """The optimizer ``symlab.config.optimizer`` names: 'fast_run', 'fast_compile' or None."""
    from symlab.config import OPTIMIZER_MODES
    return _CONFIG_OPTIMIZERS[OPTIMIZER_MODES[config.optimizer]]


class Mode:
    """A compilation mode: ``include``/``exclude`` name passes or rewrites.

    ``including(*names)``, ``excluding(*names)`` and ``clone(...)`` return a
    new mode of the same class with the same settings. Theano's names for
    rewrites ('local_elemwise_fusion', 'fast_run'...) are read as symlab's.
    """

    def __init__(self, linker="numpy", optimizer="fast_run", include=(), exclude=(), name=None):
        if linker is None:
            linker = "numpy"
        if linker not in ("numpy", "py", "c", "cvm", "vm", "c|py", "cvm_nogc", "c|py_nogc"):
            if isinstance(linker, str) and linker.upper() in _MODE_NAMES:
                raise ValueError(
                    f"Mode: the first argument is the linker, and {linker!r} names a whole mode: "
                    f"pass mode={linker.upper()!r} to function(), or write "
                    f"Mode(optimizer={_MODE_NAMES[linker.upper()]!r})")
            raise ValueError(f"Mode: unknown linker {linker!r}; symlab lowers to 'numpy'")
        if optimizer == "default":
            optimizer = default_optimizer()
        if optimizer == "None":
            optimizer = None
        if optimizer not in ("fast_run", "fast_compile", None):
            raise ValueError(f"Mode: optimizer must be 'fast_run', 'fast_compile' or None "
                             f"(no rewrites); got {optimizer!r}")
        cls = type(self).__name__
        self.linker = "numpy"
        self.optimizer = optimizer
        self.include = _resolve(include, f"{cls}(include=...)")
        self.exclude = _resolve(exclude, f"{cls}(exclude=...)")
        self.name = name or (optimizer or "no_rewrites").upper()

    # ------------------------------------------------------------ copies

    def _arguments(self):
        """The keyword arguments that rebuild this mode (subclasses add their settings)."""
        return {"optimizer": self.optimizer, "include": self.include, "exclude": self.exclude}

    def clone(self, link_kwargs=None, optimizer="", **settings):
        """Return a new mode of this class with the same settings but those given.

        ``optimizer`` ('' keeps this mode's) and any constructor argument of the
        class (``include=``, ``exclude=``, ``nan_is_error=``...) may be given;
        ``link_kwargs`` is accepted for Theano's signature and ignored.
        """
        arguments = self._arguments()
        if optimizer != "":
            arguments["optimizer"] = optimizer
        unknown = [k for k in settings if k not in arguments]
        if unknown:
            raise TypeError(f"{type(self).__name__}.clone: unknown setting(s) "
                            f"{', '.join(map(repr, unknown))}; settings are "
                            f"{', '.join(arguments)}")
        arguments.update(settings)
        return type(self)(**arguments)

    def including(self, *names):
        """Return a copy of this mode (same class, same settings) that also runs the rewrites
        or passes ``names``."""
        arguments = self._arguments()
        added = _resolve(names, f"{type(self).__name__}.including")
        return self.clone(include=tuple(arguments["include"]) + added)

    def excluding(self, *names):
        """Return a copy of this mode (same class, same settings) that skips the rewrites or
        passes ``names``."""
        arguments = self._arguments()
        added = _resolve(names, f"{type(self).__name__}.excluding")
        return self.clone(exclude=tuple(arguments["exclude"]) + added)

    # ------------------------------------------------------------ compiled functions

    def instrument(self, function, nodes):
        """What a function compiled with this mode runs beside its generated code, or None.

        Subclasses return an object with ``after_node(k, inputs, outputs)``
        (called once node ``k`` of ``nodes``, the lowered order, has run) and
        ``wrap(fn)`` (returns the callable a call runs instead of the generated
        ``fn(*values)``). ``function`` is the ``Function`` being compiled.
        A plain Mode returns None.
        """
        return None

    # ------------------------------------------------------------ comparing

    def _key(self):
        return tuple(sorted((k, _hashable(v)) for k, v in self._arguments().items()))

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self):
        return hash((type(self).__name__, self._key()))

    def __repr__(self):
        parts = [repr(self.optimizer)]
        if self.include:
            parts.append(f"include={list(self.include)}")
        if self.exclude:
            parts.append(f"exclude={list(self.exclude)}")
        return f"Mode({', '.join(parts)})"


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


FAST_RUN = Mode(optimizer="fast_run", name="FAST_RUN")
FAST_COMPILE = Mode(optimizer="fast_compile", name="FAST_COMPILE")
#: No rewrites at all: the graph is lowered as built (the oracle's twin for tests).
NO_REWRITES = Mode(optimizer=None, name="NO_REWRITES")


def _debug_mode(optimizer):
    from symlab.compile.debugmode import DebugMode    # same layer; loaded when asked for
    return DebugMode(optimizer=optimizer)


def _nan_guard_mode(optimizer):
    from symlab.compile.debug import NanGuardMode
    return NanGuardMode(True, True, True, optimizer=optimizer)


#: Every mode name ``get_mode`` (and ``function(mode=...)``) accepts, and how each is built.
#: Theano's: 'Mode' (the optimizer ``config.optimizer`` names), 'DebugMode' and
#: 'NanGuardMode' (with that optimizer too), 'DEBUG_MODE' (DebugMode on FAST_RUN).
MODE_NAMES = {
    "FAST_RUN": lambda: FAST_RUN,
    "FAST_COMPILE": lambda: FAST_COMPILE,
    "NO_REWRITES": lambda: NO_REWRITES,
    "Mode": lambda: Mode(optimizer=default_optimizer()),
    "DebugMode": lambda: _debug_mode(default_optimizer()),
    "DEBUG_MODE": lambda: _debug_mode("fast_run"),
    "NanGuardMode": lambda: _nan_guard_mode(default_optimizer()),
}


def get_mode(mode):
    """Return the Mode for ``mode``: None (``symlab.config.mode``), a Mode, or a name of
    ``MODE_NAMES`` ('FAST_RUN', 'FAST_COMPILE', 'NO_REWRITES', 'Mode', 'DebugMode',
    'DEBUG_MODE', 'NanGuardMode')."""
    if mode is None:
        mode = config.mode
    if isinstance(mode, Mode):
        return mode
    if isinstance(mode, str) and mode in MODE_NAMES:
        return MODE_NAMES[mode]()
    raise ValueError(f"unknown mode {mode!r}; expected None, a Mode, or one of "
                     f"{', '.join(MODE_NAMES)}")
