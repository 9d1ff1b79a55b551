"""Theano's ``T.nnet.bn``: batch normalization, in training and in inference.

``batch_normalization_train`` normalizes with the mean and variance of the
batch (over ``axes``: ``'per-activation'`` is ``(0,)``, ``'spatial'`` is
``(0, 2, 3, ...)``, or a tuple of ints) and can return updated running
averages; ``batch_normalization_test`` normalizes with given statistics;
``batch_normalization`` is Theano's older form taking the mean and the
standard deviation. All three are compositions of elementwise ops and
reductions, so gradients come from ``T.grad`` (and the fuser merges the
elementwise parts); results keep the dtype of ``inputs``.

Parameters (``gamma``, ``beta``, the statistics) come either without the
normalized axes (``gamma.ndim == inputs.ndim - len(axes)``) or with them,
of size 1; the returned mean, inverse standard deviation and running
averages then have the same layout.
"""

import numbers

import numpy as np

from symlab.tensor import math as tm
from symlab.tensor.reduction import mean as reduce_mean
from symlab.tensor.reduction import var as reduce_var
from symlab.tensor.shape import reshape
from symlab.tensor.type import dtype_kind
from symlab.tensor.variable import as_tensor_variable, constant

__all__ = ["batch_normalization", "batch_normalization_train", "batch_normalization_test"]

_MIN_EPSILON = 1e-5     # Theano's (imposed by cuDNN)


def _axes(axes, ndim):
    """The sorted normalized axes and the others, from Theano's ``axes`` argument."""
    if isinstance(axes, str) and axes == "per-activation":
        axes = (0,)
    elif isinstance(axes, str) and axes == "spatial":
        axes = (0,) + tuple(range(2, ndim))
    elif isinstance(axes, (tuple, list, np.ndarray)) and all(
            isinstance(a, (numbers.Integral, np.integer)) for a in axes):
        axes = tuple(int(a) for a in axes)
    else:
        raise ValueError(f"batch normalization: axes must be 'per-activation', 'spatial' or "
                         f"a tuple of ints; got {axes!r}")
    axes = tuple(sorted(set(axes)))
    if not axes:
        raise ValueError("batch normalization: axes must name at least one axis")
    if axes[0] < 0 or axes[-1] >= ndim:
        raise ValueError(f"batch normalization: axes must lie in 0..{ndim - 1} for inputs "
                         f"with {ndim} dimensions; got {axes}")
    return axes, tuple(a for a in range(ndim) if a not in axes)


def _check_epsilon(epsilon):
    if not isinstance(epsilon, numbers.Real) or epsilon < _MIN_EPSILON:
        raise ValueError(f"batch normalization: epsilon must be a number >= {_MIN_EPSILON}; "
                         f"got {epsilon!r}")


def _params_ndim(inputs, axes, kept, named):
    """The dimensionality every parameter in ``named`` (name -> variable) must share."""
    first = next(iter(named.values()))
    ndim = inputs.type.ndim if first.type.ndim == inputs.type.ndim else len(kept)
    for name, var in named.items():
        if var.type.ndim != ndim:
            raise ValueError(f"batch normalization: {name} {var} of type {var.type} has "
                             f"{var.type.ndim} dimensions; expected {ndim} (the inputs' "
                             f"{inputs.type.ndim} less the {len(axes)} normalized axes "
                             f"{axes}, or all {inputs.type.ndim} with those of size 1)")
    return ndim


def _broadcastable(var, axes, kept, full):
    """``var`` laid out like the inputs, its normalized axes of static size 1."""
    if not full:
        pattern = ["x"] * (len(axes) + len(kept))
        for position, axis in enumerate(kept):
            pattern[axis] = position
        return var.dimshuffle(*pattern)
    if all(var.type.shape[a] == 1 for a in axes):
        return var
    return reshape(var, [1 if a in axes else var.shape[a] for a in range(var.type.ndim)])


def _params_layout(var, kept, full):
    """A statistic computed with keepdims, in the layout the parameters were given in."""
    return var if full else var.dimshuffle(*kept)


def _in_dtype(value, dtype):
    return constant(np.asarray(value, dtype=dtype))


def batch_normalization_train(inputs, gamma, beta, axes="per-activation", epsilon=1e-4,
                              running_average_factor=0.1, running_mean=None,
                              running_var=None):
    """Normalize ``inputs`` by the statistics of the batch (Theano's signature).

    Returns ``(out, mean, invstd)``, or ``(out, mean, invstd, new_running_mean,
    new_running_var)`` when both running averages are given, where
    ``out = (inputs - mean) * gamma * invstd + beta``, ``invstd = 1 / sqrt(var
    + epsilon)`` (the biased variance over ``axes``), ``new_running_mean =
    running_mean * (1 - f) + mean * f`` and ``new_running_var = running_var *
    (1 - f) + m / (m - 1) * var * f``, with ``f = running_average_factor`` and
    ``m`` the number of values averaged per statistic.
    """
    inputs = as_tensor_variable(inputs)
    axes, kept = _axes(axes, inputs.type.ndim)
    _check_epsilon(epsilon)
    if (running_mean is None) != (running_var is None):
        raise ValueError("batch_normalization_train: give both running_mean and running_var, "
                         "or neither")
    named = {"gamma": as_tensor_variable(gamma), "beta": as_tensor_variable(beta)}
    if running_mean is not None:
        named["running_mean"] = as_tensor_variable(running_mean)
        named["running_var"] = as_tensor_variable(running_var)
    full = _params_ndim(inputs, axes, kept, named) == inputs.type.ndim
    params = {name: _broadcastable(var, axes, kept, full) for name, var in named.items()}
    dtype = inputs.type.dtype
    if dtype_kind(dtype) != "float":
        raise TypeError(f"batch_normalization_train: inputs must be floats; got {inputs} of "
                        f"type {inputs.type}")
    mean = reduce_mean(inputs, axis=axes, keepdims=True)
    var = reduce_var(inputs, axis=axes, keepdims=True)
    invstd = tm.reciprocal(tm.sqrt(tm.add(var, _in_dtype(epsilon, dtype))))
    out = tm.add(tm.mul(tm.sub(inputs, mean), tm.mul(params["gamma"], invstd)), params["beta"])
    results = [out, _params_layout(mean, kept, full), _params_layout(invstd, kept, full)]
    if running_mean is not None:
        factor = _in_dtype(running_average_factor, dtype)
        keep = _in_dtype(1.0 - running_average_factor, dtype)
        count = tm.cast(tm.mul(*[inputs.shape[a] for a in axes]) if len(axes) > 1
                        else inputs.shape[axes[0]], dtype)
        unbiased = tm.true_div(count, tm.sub(count, _in_dtype(1, dtype)))
        new_mean = tm.add(tm.mul(params["running_mean"], keep), tm.mul(mean, factor))
        new_var = tm.add(tm.mul(params["running_var"], keep),
                         tm.mul(tm.mul(unbiased, var), factor))
        results += [_params_layout(new_mean, kept, full), _params_layout(new_var, kept, full)]
    return tuple(results)


def batch_normalization_test(inputs, gamma, beta, mean, var, axes="per-activation",
                             epsilon=1e-4):
    """Normalize ``inputs`` by given statistics (Theano's signature): returns
    ``(inputs - mean) * gamma / sqrt(var + epsilon) + beta``."""
    inputs = as_tensor_variable(inputs)
    axes, kept = _axes(axes, inputs.type.ndim)
    _check_epsilon(epsilon)
    named = {name: as_tensor_variable(v) for name, v in
             (("gamma", gamma), ("beta", beta), ("mean", mean), ("var", var))}
    full = _params_ndim(inputs, axes, kept, named) == inputs.type.ndim
    p = {name: _broadcastable(v, axes, kept, full) for name, v in named.items()}
    dtype = inputs.type.dtype
    invstd = tm.reciprocal(tm.sqrt(tm.add(p["var"], _in_dtype(epsilon, dtype))))
    return tm.add(tm.mul(tm.sub(inputs, p["mean"]), tm.mul(p["gamma"], invstd)), p["beta"])


def batch_normalization(inputs, gamma, beta, mean, std, mode="low_mem"):
    """Return ``(inputs - mean) * (gamma / std) + beta`` (Theano's older form).

    All operands broadcast against ``inputs``. ``mode`` ('low_mem' or
    'high_mem') chose between two Theano kernels; here both give this graph,
    which the fuser makes one kernel.
    """
    if mode not in ("low_mem", "high_mem"):
        raise ValueError(f"batch_normalization: mode must be 'low_mem' or 'high_mem'; "
                         f"got {mode!r}")
    inputs = as_tensor_variable(inputs)
    return tm.add(tm.mul(tm.sub(inputs, mean), tm.true_div(gamma, std)), beta)
