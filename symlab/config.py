"""Global settings of symlab: Theano's ``theano.config`` (``floatX``, ``device``, ``mode``...).

The bottom layer: every other module may read it; it imports nothing of symlab
at import time. Every setting is one row of ``SETTINGS``: its Theano name
(dotted names form groups, ``config.warn.subtensor_merge_bug``), its default,
the function checking a value, and what symlab does with it. symlab uses
``floatX``, ``device``, ``mode``, ``optimizer``, ``compute_test_value``,
``print_test_value`` and ``language`` (the widgets' words); the other rows are Theano
flags that programs set routinely and that symlab accepts and ignores (it has
no C compiler, no compile cache, no old bugs to warn about). An unknown name is
an error naming it. docs/config.md lists the rows.

At import, ``THEANO_FLAGS`` and then ``SYMLAB_FLAGS`` (``name=value,name=value``)
set the config; where both name a flag, ``SYMLAB_FLAGS`` wins.
"""

import difflib
import os
import re
import warnings

__all__ = ["config", "Config", "SETTINGS", "apply_flags", "parse_flags"]


# ---------------------------------------------------------------- value checks
# Each takes a value (a Python value, or the text of a flag) and returns it checked.

def _bool(value):
    """True/False, 1/0, or their text ('True', 'false', '1'...)."""
    if isinstance(value, bool) or value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError(f"expected True or False; got {value!r}")


def _choice(*allowed):
    def check(value):
        text = "None" if value is None else str(value)
        if text not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}; got {value!r}")
        return text
    return check


def _text(value):
    return "" if value is None else str(value)


def _number(kind):
    def check(value):
        try:
            return kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"expected a number ({kind.__name__}); got {value!r}") from None
    return check


def _device(value):
    """'cpu', or 'cuda' (Theano's 'cuda0', 'cuda1'... name the same single device)."""
    text = str(value)
    if text == "cpu" or text == "cuda":
        return text
    if re.fullmatch(r"cuda\d+", text):
        return "cuda"
    if text.startswith("gpu"):
        raise ValueError(f"{value!r} is the name of Theano's old GPU back-end; "
                         "write device=cuda")
    raise ValueError(f"expected 'cpu' or 'cuda' (or Theano's 'cuda0'); got {value!r}")


# ---------------------------------------------------------------- the table

USED = "used"
IGNORED = "accepted, ignored"

#: What each Theano optimizer stands for, as one of symlab's modes.
OPTIMIZER_MODES = {"o4": "FAST_RUN", "o3": "FAST_RUN", "o2": "FAST_RUN", "fast_run": "FAST_RUN",
                   "unsafe": "FAST_RUN", "o1": "FAST_COMPILE", "fast_compile": "FAST_COMPILE",
                   "merge": "FAST_COMPILE", "None": "NO_REWRITES"}
MODES = ("FAST_RUN", "FAST_COMPILE", "NO_REWRITES", "DebugMode", "DEBUG_MODE", "NanGuardMode")


class Setting:
    """One row: ``default``, ``check`` (value -> checked value), ``effect`` and ``doc``."""

    __slots__ = ("default", "check", "effect", "doc")

    def __init__(self, default, check, effect, doc):
        self.default, self.check, self.effect, self.doc = default, check, effect, doc


_NO_COMPILER = "symlab generates Python over NumPy/CuPy: no C compiler, no compile cache"
_NO_OLD_BUGS = "a warning about a bug of an old Theano version; symlab never had it"
_OLD_GPU = "GPU memory and kernel choices of Theano's GPU back-ends; CuPy manages its own"
_WARN_BUGS = ("argmax_pushdown_bug", "gpusum_01_011_0111_bug", "sum_sum_bug",
              "sum_div_dimshuffle_bug", "subtensor_merge_bug", "gpu_set_subtensor1", "vm_gc_bug",
              "signal_conv2d_interface", "reduce_join", "inc_set_subtensor1", "round",
              "identify_1pexp_bug")

SETTINGS = {
    # name                  default      check                              effect
    "floatX": Setting("float64", _choice("float64", "float32", "float16"), USED,
                      "the dtype of T.matrix() and friends when no dtype is given"),
    "device": Setting("cpu", _device, USED,
                      "where shared variables live and functions run ('cuda0' means 'cuda')"),
    "mode": Setting("Mode", _choice("Mode", *MODES), USED,
                    "the mode function() uses when given none; 'Mode' (Theano's default) "
                    "means the one `optimizer` names"),
    "optimizer": Setting("o4", _choice(*OPTIMIZER_MODES), USED,
                         "read when mode is 'Mode': None gives NO_REWRITES, fast_compile "
                         "(o1, merge) FAST_COMPILE, fast_run (o2-o4, unsafe) FAST_RUN"),
    "compute_test_value": Setting("off", _choice("off", "ignore", "warn", "raise", "pdb"), USED,
                                  "compute each new node's test value from its inputs' "
                                  "tag.test_value as the graph is built; on a missing one: "
                                  "skip (ignore), warn, raise, or pdb"),
    "print_test_value": Setting(False, _bool, USED,
                                "repr(variable) shows its test value on a second line"),
    "language": Setting("en", _choice("en", "zh"), USED,
                        "the language of the notebook widgets' labels: en or zh (read when a "
                        "widget is made)"),
    "warn.ignore_bug_before": Setting("0.9", _text, IGNORED, _NO_OLD_BUGS),
    **{f"warn.{name}": Setting(False, _bool, IGNORED, _NO_OLD_BUGS) for name in _WARN_BUGS},
    "warn.inc_subtensor1_opt": Setting(True, _bool, IGNORED, _NO_OLD_BUGS),
    "warn_float64": Setting("ignore", _choice("ignore", "warn", "raise", "pdb"), IGNORED,
                            "symlab does not watch for float64 variables"),
    "exception_verbosity": Setting("low", _choice("low", "high"), IGNORED,
                                   "symlab's errors always name the node and its inputs"),
    "on_unused_input": Setting("raise", _choice("raise", "warn", "ignore"), IGNORED,
                               "function() keeps its own default ('raise'): pass "
                               "on_unused_input= to it"),
    "profile": Setting(False, _bool, IGNORED, "pass profile=True to function()"),
    "profile_memory": Setting(False, _bool, IGNORED, "pass profile=True to function()"),
    "profile_optimizer": Setting(False, _bool, IGNORED, "f.trace records every rewrite"),
    "optimizer_verbose": Setting(False, _bool, IGNORED, "print(f.trace) shows every rewrite"),
    "on_opt_error": Setting("warn", _choice("warn", "raise", "pdb", "ignore"), IGNORED,
                            "a failing rewrite is always an error"),
    "linker": Setting("cvm", _text, IGNORED, "symlab lowers every graph to Python over NumPy"),
    "allow_gc": Setting(True, _bool, IGNORED, "intermediate values are freed when unused"),
    "scan.allow_gc": Setting(False, _bool, IGNORED, "as allow_gc"),
    "scan.allow_output_prealloc": Setting(True, _bool, IGNORED, _NO_COMPILER),
    "deterministic": Setting("default", _choice("default", "more"), IGNORED,
                             "symlab's results do not depend on a kernel choice"),
    "base_compiledir": Setting("", _text, IGNORED, _NO_COMPILER),
    "compiledir": Setting("", _text, IGNORED, _NO_COMPILER),
    "compiledir_format": Setting("", _text, IGNORED, _NO_COMPILER),
    "cxx": Setting("", _text, IGNORED, _NO_COMPILER),
    "gcc.cxxflags": Setting("", _text, IGNORED, _NO_COMPILER),
    "nocleanup": Setting(False, _bool, IGNORED, _NO_COMPILER),
    "openmp": Setting(False, _bool, IGNORED, _NO_COMPILER),
    "openmp_elemwise_minsize": Setting(200000, _number(int), IGNORED, _NO_COMPILER),
    "blas.ldflags": Setting("", _text, IGNORED, "NumPy's BLAS is used"),
    "cmodule.warn_no_version": Setting(False, _bool, IGNORED, _NO_COMPILER),
    "cmodule.compilation_warning": Setting(False, _bool, IGNORED, _NO_COMPILER),
    "traceback.limit": Setting(8, _number(int), IGNORED,
                               "symlab records where each node was built (one frame)"),
    "lib.cnmem": Setting(0.0, _number(float), IGNORED, _OLD_GPU),
    "gpuarray.preallocate": Setting(0.0, _number(float), IGNORED, _OLD_GPU),
    "dnn.enabled": Setting("auto", _text, IGNORED, _OLD_GPU),
    "dnn.conv.algo_fwd": Setting("small", _text, IGNORED, _OLD_GPU),
    "dnn.conv.algo_bwd_data": Setting("none", _text, IGNORED, _OLD_GPU),
    "dnn.conv.algo_bwd_filter": Setting("none", _text, IGNORED, _OLD_GPU),
    "nvcc.fastmath": Setting(False, _bool, IGNORED, _OLD_GPU),
    "nvcc.flags": Setting("", _text, IGNORED, _OLD_GPU),
    "force_device": Setting(False, _bool, IGNORED, _OLD_GPU),
    "init_gpu_device": Setting("", _text, IGNORED, _OLD_GPU),
    "print_active_device": Setting(True, _bool, IGNORED, _OLD_GPU),
}

#: Group names (``warn``, ``dnn``, ``dnn.conv``...) -> the names directly inside each.
GROUPS = {}
for _name in SETTINGS:
    _parts = _name.split(".")
    for _depth in range(1, len(_parts)):
        GROUPS.setdefault(".".join(_parts[:_depth]), set()).add(_parts[_depth])


def _unknown(name, where):
    close = difflib.get_close_matches(name, list(SETTINGS) + list(GROUPS), n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return (f"{where}: unknown setting {name!r}{hint} (docs/config.md lists the Theano "
            "flags symlab knows)")


# ---------------------------------------------------------------- the config object

class Config:
    """Mutable process-wide settings, checked on assignment.

    ``config.floatX`` etc. read and set a row of ``SETTINGS``; ``config.warn``
    is a group whose attributes are the rows named ``warn.*``. Setting or reading
    a name that is no row is an AttributeError naming it.
    """

    __slots__ = ("_values", "_device_from")

    def __init__(self):
        object.__setattr__(self, "_values", {n: s.default for n, s in SETTINGS.items()})
        object.__setattr__(self, "_device_from", None)

    # --- the settings symlab uses ---------------------------------------------
    @property
    def floatX(self):
        """The dtype of ``T.matrix()`` and friends when no dtype is given."""
        return self._values["floatX"]

    @floatX.setter
    def floatX(self, value):
        self._set("floatX", value)

    @property
    def mode(self):
        """The compilation mode ``function`` uses when given none: one of ``MODES``.

        Theano's default, 'Mode', reads as the mode ``optimizer`` stands for.
        """
        mode = self._values["mode"]
        return OPTIMIZER_MODES[self._values["optimizer"]] if mode == "Mode" else mode

    @mode.setter
    def mode(self, value):
        self._set("mode", value)

    @property
    def optimizer(self):
        """Theano's optimizer name (read when ``mode`` is 'Mode'); 'None' for no rewrites."""
        return self._values["optimizer"]

    @optimizer.setter
    def optimizer(self, value):
        self._set("optimizer", value)

    @property
    def device(self):
        """Where shared variables live and functions run when no device is given."""
        if self._device_from is not None:
            self._check_device_from_flags()
        return self._values["device"]

    @device.setter
    def device(self, value):
        value = _checked("device", value, "config.device")
        if value == "cuda":
            # Upward and lazy, like Variable.eval: fail now, saying what is missing (CuPy
            # or a device), rather than at the first function or shared variable.
            from symlab.backends.cupy import require
            require("config.device = 'cuda'")
        self._values["device"] = value
        object.__setattr__(self, "_device_from", None)

    def _check_device_from_flags(self):
        # device=cuda from the environment is checked on first use, once symlab is
        # imported; without CuPy or a GPU it warns and stays on the CPU, as Theano did.
        source = self._device_from
        object.__setattr__(self, "_device_from", None)
        from symlab.backends.cupy import CudaUnavailableError, require
        try:
            require(f"{source} device=cuda")
        except CudaUnavailableError as exc:
            warnings.warn(f"{exc}; symlab runs on the CPU (config.device = 'cpu')",
                          RuntimeWarning, stacklevel=3)
            self._values["device"] = "cpu"

    # --- every setting ---------------------------------------------------------
    def _get(self, name):
        if name in SETTINGS:
            return getattr(self, name) if isinstance(getattr(Config, name, None), property) \
                else self._values[name]
        if name in GROUPS:
            return _Group(self, name)
        raise AttributeError(_unknown(name, "config"))

    def _set(self, name, value):
        if name in GROUPS:
            raise AttributeError(f"config.{name} is a group of settings "
                                 f"({', '.join(sorted(GROUPS[name]))}); set one of them")
        if name not in SETTINGS:
            raise AttributeError(_unknown(name, "config"))
        if name == "device":
            self.device = value
        else:
            self._values[name] = _checked(name, value, f"config.{name}")

    def __getattr__(self, name):   # called only for names that are not properties
        if name.startswith("_"):
            raise AttributeError(name)
        return self._get(name)

    def __setattr__(self, name, value):
        if isinstance(getattr(Config, name, None), property):
            object.__setattr__(self, name, value)
        else:
            self._set(name, value)

    def __dir__(self):
        return sorted(set(object.__dir__(self)) | {n.split(".")[0] for n in SETTINGS})

    def __repr__(self):
        return f"Config(floatX={self.floatX!r}, device={self.device!r}, mode={self.mode!r})"


class _Group:
    """``config.warn`` and the like: the settings whose names start with ``prefix.``."""

    __slots__ = ("_config", "_prefix")

    def __init__(self, owner, prefix):
        object.__setattr__(self, "_config", owner)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._config._get(f"{self._prefix}.{name}")

    def __setattr__(self, name, value):
        self._config._set(f"{self._prefix}.{name}", value)

    def __dir__(self):
        return sorted(GROUPS[self._prefix])

    def __repr__(self):
        inside = ", ".join(f"{n}={self._config._values[f'{self._prefix}.{n}']!r}"
                           for n in sorted(GROUPS[self._prefix])
                           if f"{self._prefix}.{n}" in SETTINGS)
        return f"config.{self._prefix}({inside})"


def _checked(name, value, where):
    try:
        return SETTINGS[name].check(value)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


# ---------------------------------------------------------------- flags from the environment

def parse_flags(text, source="THEANO_FLAGS"):
    """Return the ``(name, checked value)`` pairs of a flags string ``name=value,...``.

    Empty items are skipped; a later item overrides an earlier one of the same
    name. Raises ValueError naming ``source`` and the flag for an item without
    ``=``, an unknown name or a bad value.
    """
    pairs = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        name, equals, value = item.partition("=")
        name = name.strip()
        if not equals:
            raise ValueError(f"{source}: {item!r} has no value (expected name=value)")
        if name not in SETTINGS:
            raise ValueError(_unknown(name, source))
        pairs[name] = _checked(name, value.strip(), f"{source}: {name}")
    return list(pairs.items())


def apply_flags(target, environ=None):
    """Set ``target`` (a Config) from ``THEANO_FLAGS``, then ``SYMLAB_FLAGS``, of ``environ``.

    Every flag is checked before any is set, so an error changes nothing.
    ``device=cuda`` is checked when the device is first read (see Config.device).
    """
    environ = os.environ if environ is None else environ
    merged, device_from = {}, None
    for source in ("THEANO_FLAGS", "SYMLAB_FLAGS"):
        for name, value in parse_flags(environ.get(source, ""), source):
            merged[name] = value
            if name == "device":
                device_from = source
    for name, value in merged.items():
        target._values[name] = value
    if merged.get("device") == "cuda":
        object.__setattr__(target, "_device_from", device_from)


config = Config()
apply_flags(config)
