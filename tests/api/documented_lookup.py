"""Finding a dotted name (``"tensor.nnet.sigmoid"``) in a package such as symlab.

Shared by the documented-names test and ``dev/theano_reference/documented_names.py``
(which runs the same lookup in real Theano).
"""

import importlib
import types

#: Attributes set on instances (``x.ndim``, ``type.broadcastable``) are looked up on an
#: example instance of these classes when the class itself lacks them.
EXAMPLES = {
    "tensor.TensorVariable": lambda root: root.tensor.matrix(),
    "tensor.TensorType": lambda root: root.tensor.matrix().type,
    "compile.Function": lambda root: root.function([], root.tensor.constant(1.0) * 2),
}


def resolve(root, dotted):
    """The object ``root.<dotted>``, importing submodules on the way; raises LookupError
    naming the first part that is missing."""
    obj, path = root, root.__name__
    done = []
    for part in dotted.split("."):
        found = _attribute(obj, part)
        if found is _MISSING and isinstance(obj, types.ModuleType):
            try:
                found = importlib.import_module(f"{path}.{part}")
            except ImportError:
                found = _MISSING
        if found is _MISSING and ".".join(done) in EXAMPLES:
            found = _attribute(EXAMPLES[".".join(done)](root), part)
        if found is _MISSING:
            raise LookupError(f"{root.__name__}.{dotted}: no {part!r} in "
                              f"{root.__name__}{'.' if done else ''}{'.'.join(done)}")
        obj, path = found, f"{path}.{part}"
        done.append(part)
    return obj


def exists(root, dotted):
    """True if ``root.<dotted>`` resolves."""
    try:
        resolve(root, dotted)
    except LookupError:
        return False
    return True


_MISSING = object()


def _attribute(obj, name):
    try:
        return getattr(obj, name)
    except Exception:          # AttributeError, or a lazy attribute failing to load
        return _MISSING
