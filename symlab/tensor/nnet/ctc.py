"""Theano's ``T.nnet.ctc``: the connectionist temporal classification (CTC) loss.

``ctc(activations, labels, input_lengths)`` returns, for each sequence of a
minibatch, ``-log p(labels | activations)``: the probability, summed over
every alignment of the labels to the time steps (repeats merged, blanks
dropped), under a softmax over the alphabet at each step. As in Theano
(which called Baidu's warp-ctc), ``activations`` are unnormalized, of shape
(time, batch, alphabet); the blank is symbol 0; ``labels`` is an integer
matrix (batch, max label length) whose negative entries are padding; and
``input_lengths`` gives each sequence's number of time steps.

Here it runs on the CPU in NumPy: the forward-backward recursions in log
space, one sequence at a time. The op returns the costs and their gradients
with respect to the activations (zero past a sequence's length); its
``grad`` scales the latter by the costs' gradient. A labelling that cannot
fit in its time steps has the cost ``inf`` and a zero gradient. Theano took
float32 activations and int32 integers only; any float and int dtypes work.
"""

import numpy as np

from symlab.graph.basic import Apply, Op
from symlab.tensor import math as tm
from symlab.tensor.scalar_ops import upgrade_to_float
from symlab.tensor.type import TensorType, dtype_kind
from symlab.tensor.variable import as_tensor_variable

__all__ = ["ConnectionistTemporalClassification", "ctc", "ctc_available"]

BLANK = 0


def ctc_available():
    """Return True: this CTC loss needs no outside library (Theano's needed warp-ctc)."""
    return True


def _describe(var):
    return f"{var} of type {var.type}"


def _logsumexp(stack):
    """log(sum(exp(stack), axis=0)) for a (k, n) array, -inf where every term is -inf."""
    top = np.max(stack, axis=0)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(np.sum(np.exp(stack - safe), axis=0))


def _log_softmax(acts):
    shifted = acts - np.max(acts, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _shifted(values, k):
    """``values`` moved ``k`` places later (``k`` < 0: earlier), -inf filling the gap."""
    out = np.full_like(values, -np.inf)
    if k > 0:
        out[k:] = values[:-k]
    else:
        out[:k] = values[-k:]
    return out[:len(values)]


def _extended(label):
    """The label sequence with blanks around and between its symbols."""
    ext = np.full(2 * len(label) + 1, BLANK, dtype=np.int64)
    ext[1::2] = label
    return ext


def _may_skip(ext):
    """Where the recursion may come from two states back: a symbol differing from the
    symbol two states earlier (so not a blank, and not a repeat)."""
    skip = np.zeros(len(ext), dtype=bool)
    skip[2:] = (ext[2:] != BLANK) & (ext[2:] != ext[:-2])
    return skip


def ctc_sequence(log_probs, label):
    """The CTC cost of one sequence and its gradient with respect to the activations.

    ``log_probs``: (time, alphabet) log-softmax of the activations; ``label``:
    the symbols (no padding). Returns ``(cost, grad)`` with ``grad`` shaped like
    ``log_probs``.
    """
    steps, alphabet = log_probs.shape
    ext = _extended(label)
    states = len(ext)
    skip = _may_skip(ext)
    emit = log_probs[:, ext]                           # (time, states)
    alpha = np.full((steps, states), -np.inf)
    beta = np.full((steps, states), -np.inf)
    if steps == 0:
        cost = 0.0 if len(label) == 0 else np.inf
        return cost, np.zeros_like(log_probs)
    alpha[0, :min(2, states)] = emit[0, :min(2, states)]
    for t in range(1, steps):
        prev = alpha[t - 1]
        two_back = np.where(skip, _shifted(prev, 2), -np.inf)
        alpha[t] = _logsumexp(np.stack([prev, _shifted(prev, 1), two_back])) + emit[t]
    beta[-1, max(0, states - 2):] = emit[-1, max(0, states - 2):]
    skip_ahead = np.zeros_like(skip)
    skip_ahead[:-2] = skip[2:]          # state s may jump to s + 2
    for t in range(steps - 2, -1, -1):
        nxt = beta[t + 1]
        two_on = np.where(skip_ahead, _shifted(nxt, -2), -np.inf)
        beta[t] = _logsumexp(np.stack([nxt, _shifted(nxt, -1), two_on])) + emit[t]
    log_likelihood = _logsumexp(alpha[-1, max(0, states - 2):][:, None])[0]
    if not np.isfinite(log_likelihood):
        return np.inf, np.zeros_like(log_probs)
    # occupancy of each state: alpha * beta / emission, as a probability
    occupancy = np.exp(alpha + beta - emit - log_likelihood)
    posterior = np.zeros_like(log_probs)
    for s in range(states):
        posterior[:, ext[s]] += occupancy[:, s]
    return -log_likelihood, np.exp(log_probs) - posterior


class ConnectionistTemporalClassification(Op):
    """``(activations, labels, input_lengths) -> (costs, gradients)``: see the module."""

    __props__ = ()

    @property
    def name(self):
        return "ctc"

    def make_node(self, activations, labels, input_lengths):
        acts = as_tensor_variable(activations)
        labels, lengths = as_tensor_variable(labels), as_tensor_variable(input_lengths)
        if acts.type.ndim != 3 or dtype_kind(acts.type.dtype) not in ("float", "int", "uint"):
            raise TypeError(f"ctc: activations must be a real 3-d tensor (time, batch, "
                            f"alphabet); got {_describe(acts)}")
        if labels.type.ndim != 2 or dtype_kind(labels.type.dtype) not in ("int", "uint"):
            raise TypeError(f"ctc: labels must be an integer matrix (batch, label length), "
                            f"padded with negative values; got {_describe(labels)}")
        if lengths.type.ndim != 1 or dtype_kind(lengths.type.dtype) not in ("int", "uint"):
            raise TypeError(f"ctc: input_lengths must be an integer vector (one length per "
                            f"sequence); got {_describe(lengths)}")
        dtype = upgrade_to_float(acts.type.dtype)
        batch = acts.type.shape[1]
        return Apply(self, [acts, labels, lengths],
                     [TensorType(dtype, (batch,)), TensorType(dtype, acts.type.shape)])

    def output_is_fresh(self, node):
        """The results are always new arrays."""
        return True

    def perform(self, node, inputs):
        acts_var, labels_var, lengths_var = node.inputs
        dtype = node.outputs[0].type.numpy_dtype
        acts = np.asarray(inputs[0], dtype=np.float64)
        labels, lengths = np.asarray(inputs[1]), np.asarray(inputs[2])
        steps, batch, alphabet = acts.shape
        if labels.shape[0] != batch or lengths.shape[0] != batch:
            raise ValueError(f"ctc: {acts_var} holds {batch} sequences, but {labels_var} has "
                             f"{labels.shape[0]} rows and {lengths_var} {lengths.shape[0]} "
                             f"entries")
        if np.any(lengths < 0) or np.any(lengths > steps):
            raise ValueError(f"ctc: {lengths_var} holds lengths {lengths.tolist()}, outside "
                             f"0..{steps} (the time steps of {acts_var})")
        costs = np.zeros(batch)
        grads = np.zeros_like(acts)
        for b in range(batch):
            label = labels[b][labels[b] >= 0]
            if np.any(label == BLANK) or np.any(label >= alphabet):
                raise ValueError(f"ctc: row {b} of {labels_var} holds the symbols "
                                 f"{label.tolist()}; symbols must lie in 1..{alphabet - 1} "
                                 f"(0 is the blank)")
            length = int(lengths[b])
            log_probs = _log_softmax(acts[:length, b])
            costs[b], grads[:length, b] = ctc_sequence(log_probs, label)
        return [costs.astype(dtype), grads.astype(dtype)]

    def grad(self, node, output_grads):
        """The activations' gradient: each sequence's gradient times its cost's gradient."""
        g_costs = output_grads[0]
        if len(output_grads) > 1 and output_grads[1] is not None:
            from symlab.graph.basic import GradientNotImplemented
            raise GradientNotImplemented("ctc: the gradients output has no gradient rule")
        acts = node.inputs[0]
        if g_costs is None or dtype_kind(acts.type.dtype) != "float":
            return [None, None, None]
        scaled = tm.mul(node.outputs[1], g_costs.dimshuffle("x", 0, "x"))
        return [tm.cast(scaled, acts.type.dtype), None, None]


def ctc(activations, labels, input_lengths):
    """Return the CTC loss of each sequence of the minibatch (Theano's ``ctc``).

    ``activations``: (time, batch, alphabet), unnormalized (a softmax over
    the alphabet is applied inside); ``labels``: integer matrix (batch, label
    length), negative entries are padding, 0 is the blank and not a label;
    ``input_lengths``: integer vector, the time steps of each sequence. The
    result is a vector of ``-log p(labels | activations)``, one per sequence.
    """
    return ConnectionistTemporalClassification()(activations, labels, input_lengths)[0]
