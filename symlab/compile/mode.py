"""``Mode``: which rewrites run and which backend lowers the graph.

A mode starts from FAST_RUN and includes or excludes pass names or rewrite
names (``symlab.rewrite.passes`` lists them, in order).
"""

from symlab.config import config

__all__ = ["Mode", "get_mode", "FAST_RUN", "FAST_COMPILE", "NO_REWRITES"]


#: The predefined modes' names, and the optimizer each stands for.
_MODE_NAMES = {"FAST_RUN": "fast_run", "FAST_COMPILE": "fast_compile", "NO_REWRITES": None}


class Mode:
    """A compilation mode: ``include``/``exclude`` name passes or rewrites."""

    def __init__(self, linker="numpy", optimizer="fast_run", include=(), exclude=(), name=None):
        if linker not in ("numpy", "py", "c", "cvm", "vm"):
            if isinstance(linker, str) and linker.upper() in _MODE_NAMES:
                raise ValueError(
                    f"Mode: the first argument is the linker, and {linker!r} names a whole mode: "
                    f"pass mode={linker.upper()!r} to function(), or write "
                    f"Mode(optimizer={_MODE_NAMES[linker.upper()]!r})")
            raise ValueError(f"Mode: unknown linker {linker!r}; symlab lowers to 'numpy'")
        if optimizer not in ("fast_run", "fast_compile", None):
            raise ValueError(f"Mode: optimizer must be 'fast_run', 'fast_compile' or None "
                             f"(no rewrites); got {optimizer!r}")
        if include or exclude:
            # Loaded here, not at import: `import symlab` need not load every rewrite.
            from symlab.rewrite.passes import check_names
            check_names(include, "Mode(include=...)")
            check_names(exclude, "Mode(exclude=...)")
        self.linker = "numpy"
        self.optimizer = optimizer
        self.include = tuple(include)
        self.exclude = tuple(exclude)
        self.name = name or (optimizer or "no_rewrites").upper()

    def including(self, *names):
        """Return a copy of this mode that also runs the rewrites or passes ``names``."""
        return Mode(self.linker, self.optimizer, self.include + names, self.exclude)

    def excluding(self, *names):
        """Return a copy of this mode that skips the rewrites or passes ``names``."""
        return Mode(self.linker, self.optimizer, self.include, self.exclude + names)

    def __eq__(self, other):
        return (isinstance(other, Mode) and (self.optimizer, self.include, self.exclude)
                == (other.optimizer, other.include, other.exclude))

    def __hash__(self):
        return hash((self.optimizer, self.include, self.exclude))

    def __repr__(self):
        parts = [repr(self.optimizer)]
        if self.include:
            parts.append(f"include={list(self.include)}")
        if self.exclude:
            parts.append(f"exclude={list(self.exclude)}")
        return f"Mode({', '.join(parts)})"


FAST_RUN = Mode(optimizer="fast_run", name="FAST_RUN")
FAST_COMPILE = Mode(optimizer="fast_compile", name="FAST_COMPILE")
#: No rewrites at all: the graph is lowered as built (the oracle's twin for tests).
NO_REWRITES = Mode(optimizer=None, name="NO_REWRITES")
_NAMED = {"FAST_RUN": FAST_RUN, "FAST_COMPILE": FAST_COMPILE, "NO_REWRITES": NO_REWRITES}


def get_mode(mode):
    """Return the Mode for ``mode`` (None, a name such as 'FAST_RUN', or a Mode)."""
    if mode is None:
        return _NAMED[config.mode]
    if isinstance(mode, Mode):
        return mode
    if isinstance(mode, str) and mode in _NAMED:
        return _NAMED[mode]
    raise ValueError(f"unknown mode {mode!r}; expected None, a Mode, or one of "
                     f"{', '.join(_NAMED)}")
