"""Stabilize: rewrite expressions that overflow or lose precision into stable forms.

Each pattern is found through the shape ops and float casts that commonly
sit between its parts: ``log(reshape(1 + exp(x)))`` is still ``softplus``.
Those *wrappers* (dimshuffles, reshapes, casts to a float dtype) commute with
the elementwise functions involved, so the stable form is computed on the
inner expression and wrapped again in the same ops.

These rewrites make results *more* accurate: for finite inputs where the
original is finite the values agree within the dtype's tolerance, and where
the original overflows (``log(1 + exp(800))``) the stable form is finite.
"""

import symlab.tensor.math as tm
from symlab.graph.traversal import clone_replace
from symlab.rewrite.canonicalize import (as_replacement, constant_value, is_constant_equal,
                                         owner_row, row_name)
from symlab.tensor.elemwise import DimShuffle, Elemwise
from symlab.tensor.creation import Alloc, arange, zeros_like
from symlab.tensor.nnet import (CrossentropyCategorical1Hot, CrossentropyCategorical1HotGrad,
                               LogSoftmax, Softmax, SoftmaxGrad)
from symlab.tensor.reduction import Reduce
from symlab.tensor.reduction import max as reduce_max
from symlab.tensor.reduction import sum as reduce_sum
from symlab.tensor.shape import Reshape
from symlab.tensor.subtensor import inc_subtensor
from symlab.tensor.type import dtype_kind

__all__ = ["STABILIZE", "sigmoid_from_exp", "log1p_from_log", "expm1_from_exp",
           "softplus_from_log1p_exp",
           "log_sigmoid_to_softplus", "log1m_sigmoid_to_softplus", "logsumexp_shift",
           "log_softmax_from_log", "crossentropy_softmax", "crossentropy_softmax_grad",
           "softmax_grad_of_log", "exp_ratio_shift", "peel", "rewrap"]


# ---------------------------------------------------------------- wrappers

def _is_wrapper(node):
    op = node.op
    if isinstance(op, (DimShuffle, Reshape)):
        return True
    return (isinstance(op, Elemwise) and op.scalar_op.name == "identity"
            and op.dtype is not None and dtype_kind(op.dtype) == "float")


def peel(var):
    """Return ``(core, wrappers)``: ``var`` is ``core`` inside the shape ops and float
    casts ``wrappers`` (their nodes, innermost first)."""
    wrappers = []
    while var.owner is not None and _is_wrapper(var.owner):
        wrappers.append(var.owner)
        var = var.owner.inputs[0]
    return var, wrappers[::-1]


def rewrap(new_core, core, wrappers):
    """``new_core`` (standing for ``core``) inside the same ``wrappers``; None if it cannot be.

    It cannot be when it would broadcast differently from ``core`` or a
    wrapper refuses its type.
    """
    var = as_replacement(new_core, core)
    if var is None:
        return None
    try:
        for node in wrappers:
            var = node.op(var, *node.inputs[1:])
    except (TypeError, ValueError):
        return None
    return var


def _replace_through(node, var, build):
    """Replace ``node``'s output ``f(wrappers(core))`` by ``wrappers(build(core))``.

    ``var`` is the input of ``node`` to look through; ``build(core)``
    returns the stable form of ``f(core)`` or None when the core does not
    match. Returns the rewrite's result list, or None.
    """
    core, wrappers = peel(var)
    if dtype_kind(core.type.dtype) != "float":
        return None
    new_core = build(core)
    if new_core is None:
        return None
    wrapped = rewrap(new_core, core, wrappers)
    if wrapped is None:
        return None
    return [as_replacement(wrapped, node.outputs[0])]


def _scalar_like_one(var, value=1):
    """True if ``var`` is a one-element constant equal to ``value`` (it broadcasts like a scalar)."""
    data = constant_value(var)
    return data is not None and data.size == 1 and is_constant_equal(var, value)


def _other_than_one(node, value=1):
    """For add(value, y...) return y (an add of the rest if several), else None."""
    ones = [v for v in node.inputs if _scalar_like_one(v, value)]
    if not ones:
        return None
    rest = list(node.inputs)
    rest.remove(ones[0])
    rest = rest[0] if len(rest) == 1 else tm.add(*rest)
    return _in_dtype(rest, node.outputs[0])


def _in_dtype(var, like):
    """``var`` cast to ``like``'s dtype, so a stable form computes in the original's precision."""
    return tm.cast(var, like.type.dtype)


# ---------------------------------------------------------------- rewrites

def log1p_from_log(fgraph, node):
    """log(1 + x) -> log1p(x)."""
    if row_name(node) != "log":
        return None

    def build(core):
        if owner_row(core) != "add":
            return None
        rest = _other_than_one(core.owner)
        return None if rest is None else tm.log1p(rest)

    return _replace_through(node, node.inputs[0], build)


def sigmoid_from_exp(fgraph, node):
    """1 / (1 + exp(-x)) -> sigmoid(x) (the logistic function written out)."""
    if row_name(node) != "true_div" or not _scalar_like_one(node.inputs[0]):
        return None

    def build(core):
        if owner_row(core) != "add":
            return None
        rest = _other_than_one(core.owner)
        if rest is None or owner_row(rest) != "exp":
            return None
        exponent = rest.owner.inputs[0]
        argument = exponent.owner.inputs[0] if owner_row(exponent) == "neg" else tm.neg(exponent)
        return tm.sigmoid(_in_dtype(argument, core))

    # 1 / wrap(1 + exp(-x)) == wrap(1 / (1 + exp(-x))): the wrappers go around sigmoid.
    return _replace_through(node, node.inputs[1], build)


def expm1_from_exp(fgraph, node):
    """exp(x) - 1 -> expm1(x); also -1 + exp(x)."""
    name = row_name(node)
    if name == "sub" and _scalar_like_one(node.inputs[1]):
        exp_var = node.inputs[0]
    elif name == "add" and len(node.inputs) == 2 and any(_scalar_like_one(v, -1)
                                                         for v in node.inputs):
        exp_var = next(v for v in node.inputs if not _scalar_like_one(v, -1))
    else:
        return None
    core, wrappers = peel(exp_var)
    if owner_row(core) != "exp":
        return None
    wrapped = rewrap(tm.expm1(_in_dtype(core.owner.inputs[0], node.outputs[0])), core,
                     wrappers)
    if wrapped is None:
        return None
    return [as_replacement(wrapped, node.outputs[0])]


def softplus_from_log1p_exp(fgraph, node):
    """log1p(exp(x)) -> softplus(x) (so log(1 + exp(x)) ends as softplus(x))."""
    if row_name(node) != "log1p":
        return None

    def build(core):
        if owner_row(core) != "exp":
            return None
        return tm.softplus(core.owner.inputs[0])

    return _replace_through(node, node.inputs[0], build)


def log_sigmoid_to_softplus(fgraph, node):
    """log(sigmoid(x)) -> -softplus(-x)."""
    if row_name(node) != "log":
        return None

    def build(core):
        if owner_row(core) != "sigmoid":
            return None
        return tm.neg(tm.softplus(tm.neg(core.owner.inputs[0])))

    return _replace_through(node, node.inputs[0], build)


def log1m_sigmoid_to_softplus(fgraph, node):
    """log(1 - sigmoid(x)) -> -softplus(x)."""
    if row_name(node) != "log":
        return None

    def build(core):
        if owner_row(core) != "sub" or not _scalar_like_one(core.owner.inputs[0]):
            return None
        inner, wrappers = peel(core.owner.inputs[1])
        if owner_row(inner) != "sigmoid":
            return None
        argument = _in_dtype(inner.owner.inputs[0], core)
        return rewrap(tm.neg(tm.softplus(argument)), inner, wrappers)

    return _replace_through(node, node.inputs[0], build)


def logsumexp_shift(fgraph, node):
    """log(sum(exp(x), axis)) -> max(x, axis) + log(sum(exp(x - max(x, axis)), axis))."""
    if row_name(node) != "log":
        return None

    def build(core):
        summed = core.owner
        if summed is None or not isinstance(summed.op, Reduce) or summed.op.kind != "sum" \
                or summed.op.dtype is not None:
            return None
        exp_core, inner_wrappers = peel(summed.inputs[0])
        if owner_row(exp_core) != "exp":
            return None
        # exp commutes with the wrappers: sum(wrap(exp(x))) == sum(exp(wrap(x))).
        x = exp_core.owner.inputs[0]
        for wrapper in inner_wrappers:
            x = wrapper.op(x, *wrapper.inputs[1:])
        if dtype_kind(x.type.dtype) != "float" or _already_shifted(x):
            return None
        axis = summed.op.axis
        shift = reduce_max(x, axis=axis, keepdims=True)
        total = reduce_sum(tm.exp(tm.sub(x, shift)), axis=axis)
        return tm.add(reduce_max(x, axis=axis), tm.log(total))

    return _replace_through(node, node.inputs[0], build)


def _already_shifted(x):
    """True if ``x`` is ``a - max(a)`` (the form logsumexp_shift builds)."""
    if owner_row(x) != "sub":
        return False
    a, shift = x.owner.inputs
    shift_core, _ = peel(shift)
    owner = shift_core.owner
    return (owner is not None and isinstance(owner.op, Reduce) and owner.op.kind == "max"
            and owner.inputs[0] is a)


def log_softmax_from_log(fgraph, node):
    """log(softmax(x, axis)) -> log_softmax(x, axis)."""
    if row_name(node) != "log":
        return None

    def build(core):
        if core.owner is None or not isinstance(core.owner.op, Softmax):
            return None
        return LogSoftmax(core.owner.op.axis)(core.owner.inputs[0])

    return _replace_through(node, node.inputs[0], build)


def crossentropy_softmax(fgraph, node):
    """crossentropy_categorical_1hot(softmax(x), y) -> -log_softmax(x)[i, y[i]]."""
    op = node.op
    if not isinstance(op, CrossentropyCategorical1Hot) or op.log_input:
        return None
    core, wrappers = peel(node.inputs[0])
    if core.owner is None or not isinstance(core.owner.op, Softmax):
        return None
    log_probs = rewrap(LogSoftmax(core.owner.op.axis)(core.owner.inputs[0]), core, wrappers)
    if log_probs is None or log_probs.type.ndim != 2:
        return None
    out = CrossentropyCategorical1Hot(log_input=True)(log_probs, node.inputs[1])
    return [as_replacement(out, node.outputs[0])]


def crossentropy_softmax_grad(fgraph, node):
    """softmax_grad(crossentropy_grad(g, softmax(x), y), softmax(x)) -> (softmax(x) - onehot(y)) * g."""
    if not isinstance(node.op, SoftmaxGrad):
        return None
    gz, probs = node.inputs
    inner = gz.owner
    if inner is None or not isinstance(inner.op, CrossentropyCategorical1HotGrad) \
            or inner.op.log_input or inner.inputs[1] is not probs:
        return None
    if probs.owner is None or not isinstance(probs.owner.op, Softmax) \
            or probs.type.ndim != 2 or node.op.axis not in (1, -1):
        return None
    g, _, labels = inner.inputs
    onehot = inc_subtensor(zeros_like(probs)[arange(probs.shape[0]), labels], 1)
    out = tm.mul(tm.sub(probs, onehot), g.dimshuffle(0, "x"))
    return [as_replacement(out, node.outputs[0])]


def softmax_grad_of_log(fgraph, node):
    """softmax_grad(g / softmax(x), softmax(x)) -> g - sum(g, axis) * softmax(x)."""
    if not isinstance(node.op, SoftmaxGrad):
        return None
    gz, probs = node.inputs
    if owner_row(gz) != "true_div" or gz.owner.inputs[1] is not probs:
        return None
    if probs.owner is None or not isinstance(probs.owner.op, Softmax):
        return None
    g = gz.owner.inputs[0]
    out = tm.sub(g, tm.mul(reduce_sum(g, axis=node.op.axis, keepdims=True), probs))
    return [as_replacement(out, node.outputs[0])]


def _spread_of(var, target):
    """True if ``var`` is ``target`` seen through dimshuffles and additions of zeros."""
    while var is not target:
        owner = var.owner
        if owner is None:
            return False
        if isinstance(owner.op, DimShuffle):
            var = owner.inputs[0]
        elif row_name(owner) == "add":
            rest = [v for v in owner.inputs if not _is_zeros(v, Alloc)]
            if len(rest) != 1:
                return False
            var = rest[0]
        else:
            return False
    return True


def _is_zeros(var, alloc_class):
    if is_constant_equal(var, 0):
        return True
    owner = var.owner
    return owner is not None and isinstance(owner.op, alloc_class) \
        and is_constant_equal(owner.inputs[0], 0)


def exp_ratio_shift(fgraph, node):
    """exp(x) * (g / sum(exp(x))) -> exp(x - max(x)) * (g / sum(exp(x - max(x)))).

    The gradient of log(sum(exp(x))); the ratio is unchanged, and neither
    factor overflows.
    """
    if row_name(node) != "mul" or len(node.inputs) != 2:
        return None
    for k, exp_var in enumerate(node.inputs):
        if owner_row(exp_var) != "exp":
            continue
        x = exp_var.owner.inputs[0]
        if dtype_kind(x.type.dtype) != "float" or _already_shifted(x):
            continue
        factor = node.inputs[1 - k]
        ratio = _find_ratio(factor, exp_var, Reduce)
        if ratio is None or not _spread_of(factor, ratio):
            continue
        axis = ratio.owner.inputs[1].owner.op.axis
        shifted = tm.exp(tm.sub(x, reduce_max(x, axis=axis, keepdims=True)))
        new_ratio = tm.true_div(ratio.owner.inputs[0], reduce_sum(shifted, axis=axis))
        new_ratio = as_replacement(new_ratio, ratio)
        if new_ratio is None:
            continue
        (new_factor,) = clone_replace([factor], {ratio: new_ratio})
        out = tm.mul(shifted, new_factor) if k == 0 else tm.mul(new_factor, shifted)
        replacement = as_replacement(out, node.outputs[0])
        if replacement is not None:
            return [replacement]
    return None


def _find_ratio(factor, exp_var, reduce_class):
    """The g / sum(exp_var) variable that ``factor`` spreads, or None."""
    var = factor
    for _ in range(8):
        owner = var.owner
        if owner is None:
            return None
        if row_name(owner) == "true_div":
            summed = owner.inputs[1].owner
            if summed is not None and isinstance(summed.op, reduce_class) \
                    and summed.op.kind == "sum" and summed.op.dtype is None \
                    and summed.inputs[0] is exp_var:
                return var
            return None
        if isinstance(owner.op, DimShuffle):
            var = owner.inputs[0]
        elif row_name(owner) == "add":
            candidates = [v for v in owner.inputs if v.owner is not None
                          and (row_name(v.owner) in ("true_div", "add")
                               or isinstance(v.owner.op, DimShuffle))]
            if len(candidates) != 1:
                return None
            var = candidates[0]
        else:
            return None
    return None


STABILIZE = (sigmoid_from_exp, log1p_from_log, softplus_from_log1p_exp, expm1_from_exp,
             log_sigmoid_to_softplus,
             log1m_sigmoid_to_softplus, logsumexp_shift, log_softmax_from_log,
             crossentropy_softmax, crossentropy_softmax_grad, softmax_grad_of_log,
             exp_ratio_shift)
