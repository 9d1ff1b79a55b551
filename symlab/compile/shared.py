"""Shared variables: symbolic variables with a value that persists between calls.

``shared(value)`` infers the type from the value (``shared(0)`` is an int64
scalar). ``shared(value, device='cuda')`` keeps a tensor's value on the GPU
(a CuPy array, ``CudaTensorSharedVariable``) between calls. Each shared variable keeps a weak registry of the compiled functions
that read and update it, and calls its observers after every change of value
(``set_value``, an update applied by a call, an RNG step): widgets listen to
these notifications instead of polling.
"""

import copy
import weakref

import numpy as np

from symlab.config import config
from symlab.graph.basic import Type, Variable
from symlab.tensor.type import TensorType
from symlab.tensor.variable import TensorVariable

__all__ = ["SharedVariable", "TensorSharedVariable", "CudaTensorSharedVariable",
           "GenericSharedVariable", "ObjectType", "shared"]


class SharedVariable(Variable):
    """A graph leaf whose value lives in the variable and survives calls.

    ``default_update``, when set, is the update a function applies to this
    variable unless told otherwise (``no_default_updates``); random streams use it.
    """

    def __init__(self, type, value, name=None, device="cpu"):
        super().__init__(type, name=name)
        self._value = value
        self._device = device
        self._readers = weakref.WeakSet()
        self._updaters = weakref.WeakSet()
        self._observers = []
        self._default_update = None

    @property
    def device(self):
        """Where the value lives: 'cpu' (or 'cuda')."""
        return self._device

    @property
    def default_update(self):
        """The expression applied as this variable's update by default, or None."""
        return self._default_update

    @default_update.setter
    def default_update(self, expression):
        self._default_update = expression

    # ---------------------------------------------------------------- values

    def get_value(self, borrow=False, return_internal_type=False):
        """Return the value: a copy, unless ``borrow=True`` (then the stored object itself)."""
        if borrow:
            return self._value
        return copy.deepcopy(self._value)

    def set_value(self, value, borrow=False):
        """Store ``value`` (checked by the type; copied unless ``borrow=True``).

        A value the type refuses raises before anything changes.
        """
        new = self.type.filter(value, name=f"set_value of shared variable {self}",
                               allow_downcast=None)
        if not borrow and new is value:
            new = copy.deepcopy(new)
        self._value = new
        self.notify("set_value")

    def _leaf_test_value(self):
        """A shared variable's test value is its current value (on the host), read when asked."""
        return self.get_value(borrow=True)

    def _store(self, value, event):
        """Replace the value without checks (a compiled call's update) and notify."""
        self.__dict__["_value"] = value     # past Variable.__setattr__'s check: a hot path
        if self._observers:
            self.notify(event)

    # ---------------------------------------------------------------- registry

    def functions_reading(self):
        """The live compiled functions that read this variable."""
        return list(self._readers)

    def functions_updating(self):
        """The live compiled functions that update this variable."""
        return list(self._updaters)

    def _register(self, function, updates):
        self._readers.add(function)
        if updates:
            self._updaters.add(function)

    def observe(self, callback):
        """Call ``callback(variable, event)`` after each change of value; return ``callback``.

        ``event`` is 'set_value', 'update' or another word naming the change.
        """
        self._observers.append(callback)
        return callback

    def unobserve(self, callback):
        """Stop calling ``callback``."""
        self._observers.remove(callback)

    def notify(self, event):
        """Tell every observer that the value changed because of ``event``."""
        for callback in list(self._observers):
            callback(self, event)

    # ---------------------------------------------------------------- pickling

    def __getstate__(self):
        state = super().__getstate__()
        state["_readers"] = None
        state["_updaters"] = None
        state["_observers"] = []
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        self.__dict__["_readers"] = weakref.WeakSet()
        self.__dict__["_updaters"] = weakref.WeakSet()

    def clone(self, name=None):
        """Shared variables are identities: cloning returns the variable itself."""
        return self


class TensorSharedVariable(TensorVariable, SharedVariable):
    """A shared tensor: a SharedVariable with the tensor operators and methods."""

    def get_value(self, borrow=False, return_internal_type=False, return_cupy=False):
        """Return the array: a copy, unless ``borrow=True``."""
        if return_cupy:
            raise ValueError(f"get_value(return_cupy=True): the shared variable {self} lives "
                             "on the CPU; create it with shared(..., device='cuda') to keep "
                             "its value on the GPU")
        return self._value if borrow else self._value.copy()


class CudaTensorSharedVariable(TensorSharedVariable):
    """A shared tensor whose value is a CuPy array on the GPU (``device='cuda'``).

    ``get_value()`` returns a NumPy copy; ``get_value(return_cupy=True)``
    (or Theano's ``return_internal_type=True``) the device array, a copy
    unless ``borrow=True``. ``set_value`` takes NumPy or device arrays.
    Pickled, it stores a NumPy copy and goes back to the device on load.
    """

    def get_value(self, borrow=False, return_internal_type=False, return_cupy=False):
        if return_cupy or return_internal_type:
            return self._value if borrow else self._value.copy()
        from symlab.backends.cupy import to_host
        return to_host(self._value)

    def set_value(self, value, borrow=False):
        """Store ``value`` on the device (converted by the type's rules; a device array is
        copied unless ``borrow=True``). A value the type refuses raises before anything
        changes."""
        from symlab.backends.cupy import device_filter, require
        cp = require("set_value of a shared variable on 'cuda'")
        new = device_filter(cp, self.type, value, name=f"set_value of shared variable {self}",
                            allow_downcast=None)
        if not borrow and new is value:
            new = new.copy()
        self._value = new
        self.notify("set_value")

    def __getstate__(self):
        from symlab.backends.cupy import to_host
        state = super().__getstate__()
        state["_value"] = to_host(state["_value"])
        return state

    def __setstate__(self, state):
        from symlab.backends.cupy import require
        state = dict(state)
        state["_value"] = require("unpickling a shared variable on 'cuda'").asarray(
            state["_value"])
        super().__setstate__(state)


class ObjectType(Type):
    """The type of shared non-array Python objects of one class (e.g. RandomState)."""

    def __init__(self, cls):
        self.cls = cls

    def filter(self, value, name="value", allow_downcast=None):
        """Return ``value`` if it is an instance of the class, else raise TypeError."""
        if not isinstance(value, self.cls):
            raise TypeError(f"{name}: expected a {self.cls.__name__}, got "
                            f"{type(value).__name__}")
        return value

    def __eq__(self, other):
        return type(self) is type(other) and self.cls is other.cls

    def __hash__(self):
        return hash((ObjectType, self.cls))

    def __str__(self):
        return f"ObjectType({self.cls.__name__})"

    def value_summary(self, value):
        """A short text for the object."""
        return f"<{type(value).__name__}>"


class GenericSharedVariable(SharedVariable):
    """A shared variable holding any Python object (no tensor operators)."""


ObjectType.variable_class = GenericSharedVariable


def _on_device(value):
    """True for a GPU array (CuPy's, or anything exposing ``__cuda_array_interface__``)."""
    return hasattr(value, "__cuda_array_interface__") and not isinstance(value, np.ndarray)


def _check_device(device, value):
    if device is None:
        device = "cuda" if _on_device(value) else config.device
    if device == "cpu":
        return device
    if device == "cuda":
        from symlab.backends.cupy import require  # lazily: CuPy loads only for the GPU
        require("shared(..., device='cuda')")
        return device
    raise ValueError(f"shared: device must be 'cpu' or 'cuda'; got {device!r}")


def shared(value, name=None, borrow=False, device=None, shape=None, broadcastable=None,
           strict=False, allow_downcast=None):
    """Return a shared variable holding ``value`` (copied unless ``borrow=True``).

    Arrays and numbers make a ``TensorSharedVariable`` of the value's dtype;
    its static shape is all None (values can change shape), unless ``shape=``
    or Theano's ``broadcastable=`` says otherwise. Other objects make a
    ``GenericSharedVariable``.

    ``device``: ``'cpu'`` or ``'cuda'`` (None: ``config.device``, or
    ``'cuda'`` for a CuPy array). On ``'cuda'`` a tensor's value is kept on
    the GPU (``CudaTensorSharedVariable``).
    """
    device = _check_device(device, value)
    if isinstance(value, Variable):
        raise TypeError(f"shared: expected a value, got the symbolic variable {value}; "
                        "shared variables hold values (use value.eval() first)")
    if _on_device(value):
        if device == "cuda":
            return _shared_on_device(value, name, borrow, shape, broadcastable)
        from symlab.backends.cupy import to_host
        value = to_host(value)
    if isinstance(value, (np.ndarray, np.generic, int, float, complex, bool, list, tuple)):
        data = np.asarray(value)
        if data.dtype == object or data.dtype.kind in "USV":
            raise TypeError(f"shared: cannot hold {value!r:.60} as a tensor")
        if shape is None and broadcastable is None:
            shape = (None,) * data.ndim
        ttype = TensorType(str(data.dtype), shape=shape, broadcastable=broadcastable)
        data = ttype.filter(data, name=f"shared {name or ''}".strip())
        if device == "cuda":
            from symlab.backends.cupy import require
            return CudaTensorSharedVariable(ttype, require().asarray(data), name=name,
                                            device=device)
        if not borrow:
            data = np.array(data, copy=True)
        return TensorSharedVariable(ttype, data, name=name, device=device)
    if not borrow:
        value = copy.deepcopy(value)
    return GenericSharedVariable(ObjectType(type(value)), value, name=name, device=device)


def _shared_on_device(value, name, borrow, shape, broadcastable):
    """A ``CudaTensorSharedVariable`` holding the device array ``value`` (copied unless
    ``borrow``)."""
    from symlab.backends.cupy import device_filter, require
    cp = require("shared(..., device='cuda')")
    array = value if isinstance(value, cp.ndarray) else cp.asarray(value)
    if shape is None and broadcastable is None:
        shape = (None,) * array.ndim
    ttype = TensorType(str(array.dtype), shape=shape, broadcastable=broadcastable)
    data = device_filter(cp, ttype, array, name=f"shared {name or ''}".strip())
    if not borrow and data is value:
        data = data.copy()
    return CudaTensorSharedVariable(ttype, data, name=name, device="cuda")
