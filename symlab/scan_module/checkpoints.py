"""``scan_checkpoints``: Theano's memory-saving loop, as a loop of loops built on ``scan``.

The ``n`` steps run as ``ceil(n / save_every_N)`` blocks. An outer ``scan``
walks the blocks and keeps only the state at the end of each; inside a block an
inner ``scan`` runs up to ``save_every_N`` steps. The gradient of the outer
loop reruns each block's inner loop when it needs its steps, so it holds the
block-end states plus one block's steps instead of every step.
"""

from symlab.graph.basic import Variable
from symlab.scan_module.building import scan

__all__ = ["scan_checkpoints"]


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _checked(sequences, outputs_info, save_every_N):
    """Refuse what ``scan_checkpoints`` cannot do (taps, dict sequences, a bad block size)."""
    if isinstance(save_every_N, bool) or not isinstance(save_every_N, int) or save_every_N < 1:
        raise ValueError(f"scan_checkpoints: save_every_N must be a positive int; "
                         f"got {save_every_N!r}")
    for k, seq in enumerate(sequences):
        if not isinstance(seq, Variable):
            raise TypeError(f"scan_checkpoints: sequences[{k}] must be a symbolic variable "
                            f"(taps are not supported); got {seq!r:.60}")
    for k, info in enumerate(outputs_info):
        if isinstance(info, dict):
            raise TypeError(f"scan_checkpoints: outputs_info[{k}] is a dict; taps and dict "
                            f"entries are not supported, give the initial value itself")


def _blocks(sequence, n_steps, n_blocks, save_every_N):
    """The first ``n_steps`` rows of ``sequence``, padded with copies of the last of them to
    ``n_blocks * save_every_N`` rows, as ``(n_blocks, save_every_N, ...)``."""
    import symlab.tensor as T
    rest = [sequence.shape[i] for i in range(1, sequence.ndim)]
    rows = sequence[:n_steps]
    pad = n_blocks * save_every_N - n_steps
    padding = T.alloc(rows[n_steps - 1], pad, *rest)
    rows = T.concatenate([rows, padding], axis=0)
    return rows.reshape([n_blocks, save_every_N] + rest, ndim=sequence.ndim + 1)


def scan_checkpoints(fn, sequences=None, outputs_info=None, non_sequences=None,
                     name="checkpointscan_fn", n_steps=None, save_every_N=10, no_padding=False):
    """A ``scan`` that keeps one state in every ``save_every_N`` steps: Theano's memory saver.

    ``fn``, ``sequences``, ``outputs_info``, ``non_sequences`` and ``n_steps``
    are ``scan``'s (plain sequences and initial values: no taps, and ``fn``
    may not return updates). An outer ``scan`` walks blocks of
    ``save_every_N`` steps, each an inner ``scan``, and keeps each block's
    last value. When the steps are no whole number of blocks, the sequences
    are padded (a copy) with copies of their last row, so ``fn`` sees values
    like its real ones; the steps on the padding are computed and never used
    (not in the outputs, not in the gradients). ``no_padding`` (Theano's way
    to skip that copy when the length is a multiple of ``save_every_N``) is
    accepted and changes nothing. symlab's scan gradient keeps the inner
    loops' steps, so gradients equal ``scan``'s but use no less memory.

    Returns ``(outputs, updates)`` as ``scan`` does (``updates`` is empty),
    except that each output holds the value at the end of each block:
    steps ``save_every_N - 1``, ``2 * save_every_N - 1``, ..., and the last
    step. Its last row is ``scan``'s last row.
    """
    import symlab.tensor as T
    sequences, non_sequences = _as_list(sequences), _as_list(non_sequences)
    outputs_info = list(outputs_info) if isinstance(outputs_info, (list, tuple)) \
        else [outputs_info]
    _checked(sequences, outputs_info, save_every_N)
    sequences = [T.as_tensor_variable(s) for s in sequences]
    if n_steps is None:
        if not sequences:
            raise ValueError("scan_checkpoints: give n_steps or at least one sequence")
        n_steps = sequences[0].shape[0]
    n_steps = T.as_tensor_variable(n_steps).astype("int64")
    n_blocks = (n_steps + (save_every_N - 1)) // save_every_N
    # Steps per block: save_every_N, ..., then what is left for the last block.
    used = T.set_subtensor((T.ones((n_blocks,), dtype="int64") * save_every_N)[-1],
                           n_steps - (n_blocks - 1) * save_every_N)
    fed_back = [k for k, info in enumerate(outputs_info) if info is not None]
    n_seqs, n_fed = len(sequences), len(fed_back)

    def block(*args):
        rows, steps = list(args[:n_seqs]), args[n_seqs]
        states, constants = args[n_seqs + 1:n_seqs + 1 + n_fed], list(args[n_seqs + 1 + n_fed:])
        info = [None] * len(outputs_info)
        for k, state in zip(fed_back, states):
            info[k] = state
        # Always save_every_N steps (the padding included): every block's stored steps then
        # have one shape; the block's value is its last real step.
        outputs, updates = scan(fn, sequences=rows, outputs_info=info, non_sequences=constants,
                                n_steps=save_every_N, name=f"{name}_inner", return_list=True)
        if updates:
            raise NotImplementedError("scan_checkpoints: fn returns updates (random draws "
                                      "or shared-variable updates); use scan for such loops")
        return [out[steps - 1] for out in outputs]

    blocks = [_blocks(s, n_steps, n_blocks, save_every_N) for s in sequences]
    outputs, updates = scan(block, sequences=blocks + [used], outputs_info=outputs_info,
                            non_sequences=non_sequences, n_steps=n_blocks, name=f"{name}_outer",
                            return_list=True)
    return (outputs if len(outputs) != 1 else outputs[0]), updates
