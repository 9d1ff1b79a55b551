"""Backpropagation through time: the gradient of a ``Scan`` is a loop running backwards.

For a loop ``F`` whose body maps ``(row, carry, non-sequence)`` to
``(nit-sot, next carry)``, the gradient is a second loop ``B`` over the same
steps in the other order. Its body is the vector-Jacobian product of ``F``'s
body (``symlab.gradient.grad`` with ``known_grads``), and it carries:

* for each carry of ``F`` (a float tensor), the gradient of the cost with
  respect to the carry's value: it starts from the gradient of ``F``'s last
  value and ends as the gradient of ``F``'s first value;
* for each non-sequence, the gradient summed over the steps so far.

Its sequences are the gradients of ``F``'s stacked outputs and the values
of ``F``'s steps that the product needs; its stacked output is the gradient
of each sequence, row by row.

**Which values of F's steps?** The product reads some values of the body
(``tanh``'s output, the operands of a ``dot``...). A row of a sequence, a
non-sequence and a stacked output ``B`` gets from ``F``'s inputs and
outputs; a value computed from non-sequences alone (``W.T``) ``B``'s body
computes again. Any other value (a carry's value at the start of a step, an
intermediate result, a random draw) is *kept*: the gradient builds ``F'``,
the same loop stacking those values too, and reads them from it. ``F'``
computes all of ``F``'s outputs, from the same inputs (random states
included, so it draws the same numbers), and says so (``Scan.extends``):
the ``merge_scans`` rewrite then makes ``F`` and ``F'`` one loop in a
compiled function, so the forward loop runs once. The backward body reads
no random state: a draw the product needs is a kept value.

``truncate_gradient=k`` runs ``B`` over the last ``k`` steps of ``F`` only:
earlier rows of each sequence get a zero gradient, and so do the carries'
first values when the loop ran more than ``k`` steps.
"""

import numpy as np

from symlab.graph.basic import Constant, GradientNotImplemented, Variable
from symlab.graph.traversal import ancestors, clone_replace, toposort
from symlab.scan_module.op import Scan
from symlab.tensor.elemwise import is_differentiable
from symlab.tensor.type import TensorType

__all__ = ["scan_grad"]


def _float(var):
    return isinstance(var.type, TensorType) and is_differentiable(var)


def _like(var, name):
    """A fresh variable of ``var``'s type."""
    if isinstance(var.type, TensorType):
        return TensorType(var.type.dtype, var.type.shape)(name)
    return Variable(var.type, name=name)


def _row_name(var, prefix):
    return f"{prefix}{var.name}" if var.name else None


def scan_grad(op, node, output_grads):
    """The gradients of ``node``'s inputs (a ``Scan``) given its outputs' gradients."""
    from symlab.gradient import grad
    from symlab.tensor.creation import zeros_like
    from symlab.tensor.math import add, cast, le, minimum, switch
    from symlab.tensor.subtensor import set_subtensor
    from symlab.tensor.variable import constant

    n_nit, n_carry = op.n_nitsot, op.n_carry
    n_steps = node.inputs[0]
    outer_seqs, outer_inits, outer_nonseqs = op.split(node.inputs[1:])
    u_seqs, u_carries, u_nonseqs = op.split(op.inner_inputs)
    v_nits, v_carries = op.inner_outputs[:n_nit], op.inner_outputs[n_nit:n_nit + n_carry]
    g_nits, g_carries = output_grads[:n_nit], output_grads[n_nit:n_nit + n_carry]
    condition = list(op.inner_outputs[n_nit + n_carry:])      # until's, if any

    # -- the body's vector-Jacobian product, on stand-ins for one step's output gradients
    d_nits = [None if g is None or not _float(v) else _like(v, _row_name(v, "d"))
              for v, g in zip(v_nits, g_nits)]
    d_carries = [_like(u, _row_name(u, "d")) if _float(u) and _float(v) else None
                 for u, v in zip(u_carries, v_carries)]
    contributions = {}
    for v, d in list(zip(v_nits, d_nits)) + list(zip(v_carries, d_carries)):
        if d is not None:
            contributions.setdefault(v, []).append(d)
    wrt = [u for u in u_seqs if _float(u)]
    wrt += [u for u, d in zip(u_carries, d_carries) if d is not None]
    wrt += [u for u in u_nonseqs if _float(u)]
    none = [None] * len(node.inputs)
    if not contributions or not wrt:
        return none
    known = {v: ds[0] if len(ds) == 1 else add(*ds) for v, ds in contributions.items()}
    found = dict(zip(wrt, grad(None, wrt, known_grads=known, disconnected_inputs="ignore",
                               return_disconnected="none")))
    seq_grads = [found.get(u) for u in u_seqs]
    carry_grads = [found.get(u) if d is not None else None
                   for u, d in zip(u_carries, d_carries)]
    nonseq_grads = [found.get(u) for u in u_nonseqs]
    if all(g is None for g in seq_grads + nonseq_grads) and all(d is None for d in d_carries):
        return none

    # -- the values of F's steps that the product reads
    accumulators = [None if g is None else _like(u, _row_name(u, "sum_d"))
                    for u, g in zip(u_nonseqs, nonseq_grads)]
    carry_next = [None if d is None else (g if g is not None else zeros_like(d))
                  for d, g in zip(d_carries, carry_grads)]
    nonseq_next = [None if a is None else add(a, g)
                   for a, g in zip(accumulators, nonseq_grads)]
    exprs = [g for g in seq_grads if g is not None]
    exprs += [e for e in carry_next + nonseq_next if e is not None]
    forward = set(op.inner_inputs)
    forward.update(ancestors(op.inner_outputs, stop_at=forward))
    # A loop-invariant value (read from non-sequences only) is computed again by the
    # backward body rather than kept at every step (scan_pushout then takes it out).
    forward -= {v for n in op.invariant_nodes() for v in n.outputs}
    needed = {}
    for gnode in toposort(exprs, stop_at=forward):
        needed.update((v, None) for v in gnode.inputs if v in forward)
    needed.update((e, None) for e in exprs if e in forward)
    needed = [v for v in needed if not isinstance(v, Constant)]
    seq_index = {u: k for k, u in enumerate(u_seqs)}
    nonseq_index = {u: k for k, u in enumerate(u_nonseqs)}
    nit_index = {}
    for i, v in enumerate(v_nits):
        nit_index.setdefault(v, i)
    kept = [v for v in needed
            if v not in seq_index and v not in nonseq_index and v not in nit_index]
    for v in kept:
        if not isinstance(v.type, TensorType):
            raise GradientNotImplemented(
                f"{op.name}: the gradient needs the value of {v} (of type {v.type}) at each "
                "step, and only tensors can be kept; in symlab the backward loop never reads "
                "a random state")
    if kept:
        carry_of = {u: j for j, u in enumerate(u_carries)}
        forward_op = op.variant(
            outputs=list(v_nits) + kept + list(v_carries) + condition,
            n_nitsot=n_nit + len(kept),
            nitsot_like=tuple(op.nitsot_like) + tuple(carry_of.get(v) for v in kept),
            output_labels=(op.output_labels[:n_nit] + tuple(f"the kept value {v}" for v in kept)
                           + op.output_labels[n_nit:]),
            trace=None, before=None,
            base=(op, tuple(range(n_nit)) + tuple(n_nit + len(kept) + j
                                                 for j in range(n_carry + op.until))))
        forward_node = forward_op.make_node(*node.inputs)
    else:
        forward_node = node
    stacks = forward_node.outputs

    # -- which steps the backward loop runs over: all those run (until may end the loop
    #    early), or the last `truncate` of them
    truncate = op.truncate_gradient
    ran = stacks[-1] if op.until else n_steps
    if truncate == -1 and not op.until:
        steps, window = n_steps, None
    else:
        steps = ran if truncate == -1 else minimum(ran, constant(np.array(truncate, "int64")))
        window = slice(ran - steps, ran) if not op.reverse else slice(None, steps)

    def cut(seq):
        return seq if window is None else seq[window]

    # -- the backward loop: sequences | carries | non-sequences
    replace = {}
    seq_inputs, seq_outer, seq_labels = [], [], []
    nonseq_inputs, nonseq_outer, nonseq_labels = [], [], []
    for v in needed:
        stand_in = replace[v] = _like(v, v.name)
        if v in nonseq_index:
            nonseq_inputs.append(stand_in)
            nonseq_outer.append(outer_nonseqs[nonseq_index[v]])
            nonseq_labels.append(op.input_labels[op.n_seqs + n_carry + nonseq_index[v]])
            continue
        seq_inputs.append(stand_in)
        if v in seq_index:
            seq_outer.append(cut(outer_seqs[seq_index[v]]))
            seq_labels.append(op.input_labels[seq_index[v]])
        elif v in nit_index:
            seq_outer.append(cut(stacks[nit_index[v]]))
            seq_labels.append(f"the values of {op.output_labels[nit_index[v]]}")
        else:
            seq_outer.append(cut(stacks[n_nit + kept.index(v)]))
            seq_labels.append(f"the kept value {v}")
    for i, (d, g) in enumerate(zip(d_nits, g_nits)):
        if d is not None:
            seq_inputs.append(d)
            g = g if g.type.dtype == d.type.dtype else cast(g, d.type.dtype)
            seq_outer.append(cut(g))
            seq_labels.append(f"the gradient of {op.output_labels[i]}")
    carry_inputs, carry_outer, carry_out, carry_labels = [], [], [], []
    for j, d in enumerate(d_carries):
        if d is not None:
            carry_inputs.append(d)
            g = g_carries[j]
            carry_outer.append(zeros_like(outer_inits[j]) if g is None else g)
            carry_out.append(carry_next[j])
            carry_labels.append(f"the gradient of {op.output_labels[n_nit + j]}")
    for p, a in enumerate(accumulators):
        if a is not None:
            carry_inputs.append(a)
            carry_outer.append(zeros_like(outer_nonseqs[p]))
            carry_out.append(nonseq_next[p])
            carry_labels.append(f"the gradient of {op.input_labels[op.n_seqs + n_carry + p]}")
    nit_out = [g for g in seq_grads if g is not None]
    nit_labels = [f"the gradient of {op.input_labels[k]}"
                  for k, g in enumerate(seq_grads) if g is not None]
    body = clone_replace(nit_out + carry_out, replace)
    backward = Scan(seq_inputs + carry_inputs + nonseq_inputs, body, len(seq_inputs),
                    len(nit_out), len(carry_inputs), reverse=not op.reverse,
                    label=f"grad_of_{op.label}" if op.label else "grad",
                    input_labels=seq_labels + carry_labels + nonseq_labels,
                    output_labels=nit_labels + carry_labels)
    results = backward.make_node(steps, *seq_outer, *carry_outer, *nonseq_outer).outputs

    # -- the gradient of each input of F
    grads = [None]
    stacked = iter(results[:len(nit_out)])
    for k, g in enumerate(seq_grads):
        if g is None:
            grads.append(None)
            continue
        rows = next(stacked)
        grads.append(rows if window is None else
                     set_subtensor(zeros_like(outer_seqs[k])[window], rows))
    finals = iter(results[len(nit_out):])
    for j, d in enumerate(d_carries):
        if d is None:
            grads.append(None)
            continue
        first = next(finals)
        if truncate != -1:           # F ran past the truncation: no gradient reaches here
            first = switch(le(ran, steps), first, zeros_like(first))
        grads.append(first)
    for a in accumulators:
        grads.append(None if a is None else next(finals))
    return grads
