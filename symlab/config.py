"""Global settings of symlab: ``symlab.config.floatX`` and ``symlab.config.device``.

The bottom layer: every other module may read it; it imports nothing of symlab.
"""

_FLOAT_DTYPES = ("float16", "float32", "float64")
_DEVICES = ("cpu", "cuda")
_MODES = ("FAST_RUN", "FAST_COMPILE", "NO_REWRITES")


class Config:
    """Mutable process-wide settings, checked on assignment."""

    __slots__ = ("_floatX", "_device", "_mode")

    def __init__(self):
        self._floatX = "float64"
        self._device = "cpu"
        self._mode = "FAST_RUN"

    @property
    def mode(self):
        """The compilation mode ``function`` uses when given none."""
        return self._mode

    @mode.setter
    def mode(self, value):
        if value not in _MODES:
            raise ValueError(f"config.mode must be one of {', '.join(_MODES)}; got {value!r}")
        self._mode = value

    @property
    def floatX(self):
        """The dtype of ``T.matrix()`` and friends when no dtype is given."""
        return self._floatX

    @floatX.setter
    def floatX(self, value):
        if value not in _FLOAT_DTYPES:
            raise ValueError(
                f"config.floatX must be one of {', '.join(_FLOAT_DTYPES)}; got {value!r}")
        self._floatX = value

    @property
    def device(self):
        """Where shared variables live and functions run when no device is given."""
        return self._device

    @device.setter
    def device(self, value):
        if value not in _DEVICES:
            raise ValueError(
                f"config.device must be one of {', '.join(_DEVICES)}; got {value!r}")
        if value == "cuda":
            # Upward and lazy, like Variable.eval: fail now, saying what is missing (CuPy
            # or a device), rather than at the first function or shared variable.
            from symlab.backends.cupy import require
            require("config.device = 'cuda'")
        self._device = value

    def __repr__(self):
        return f"Config(floatX={self._floatX!r}, device={self._device!r}, mode={self._mode!r})"


config = Config()
