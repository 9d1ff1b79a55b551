"""The MRG31k3p generator and the fused multiply-add, against independent references.

The generator is checked against a plain-Python step written the way Theano's C
code writes it (32-bit shifts, masks and wrap-around), not the way
``symlab.random.mrg31k3p`` computes it (residues of int64 products and jump
matrices); ``fma`` against exact rational arithmetic (``fractions``).
"""

from fractions import Fraction

import numpy as np
from hypothesis import given, strategies as st

from symlab.random import mrg31k3p
from symlab.random.fma import fma

M1, M2 = mrg31k3p.M1, mrg31k3p.M2


def _wrap(v):
    """``v`` as a C int32 holds it (two's complement wrap-around)."""
    return (v + 2 ** 31) % 2 ** 32 - 2 ** 31


def _reduce(y, m):
    return _wrap(y - m) if y < 0 or y >= m else y


def theano_step(state):
    """One step of MRG31k3p as Theano's C code computes it; returns (output k, new state)."""
    x11, x12, x13, x21, x22, x23 = state
    y1 = _wrap(((x12 & 511) << 22) + (x12 >> 9) + ((x13 & 16777215) << 7) + (x13 >> 24))
    y1 = _reduce(_wrap(_reduce(y1, M1) + x13), M1)
    z1 = _reduce(_wrap(((x21 & 65535) << 15) + 21069 * (x21 >> 16)), M2)
    z2 = _reduce(_wrap(((x23 & 65535) << 15) + 21069 * (x23 >> 16)), M2)
    z2 = _reduce(_wrap(z2 + x23), M2)
    z2 = _reduce(_wrap(z2 + z1), M2)
    new = [y1, x11, x12, z2, x21, x22]
    return (y1 - z2 + M1 if y1 <= z2 else y1 - z2), new


def reference_draw(rows, count):
    """Element i from row i % n, each row stepped in turn; returns (outputs, new rows)."""
    rows = [list(map(int, r)) for r in rows]
    out = []
    for i in range(count):
        k, rows[i % len(rows)] = theano_step(rows[i % len(rows)])
        out.append(k)
    return out, rows


def random_states(seed, n):
    rng = np.random.RandomState(seed)
    return np.concatenate([rng.randint(0, M1, (n, 3)), rng.randint(0, M2, (n, 3))], axis=1)


def test_draw_matches_theanos_step_row_by_row():
    rows = random_states(0, 3)
    for count in (0, 1, 2, 3, 10, 31):
        k, new = mrg31k3p.draw(rows, count)
        expected, expected_rows = reference_draw(rows, count)
        assert k.tolist() == expected and new.tolist() == expected_rows
        assert new.dtype == np.int32


def test_long_draws_from_few_rows_take_the_blocked_path_and_agree():
    rows = random_states(1, 2)
    count = 2 * (3 * mrg31k3p.BLOCK + 17) - 1      # row 0 gives one more than row 1
    k, new = mrg31k3p.draw(rows, count)
    expected, expected_rows = reference_draw(rows, count)
    assert k.tolist() == expected and new.tolist() == expected_rows


def test_outputs_are_in_one_to_m1():
    k, _ = mrg31k3p.draw(random_states(2, 50), 5000)
    assert k.min() >= 1 and k.max() <= M1


def test_jump_matrices_advance_as_many_steps():
    state = random_states(3, 1)
    for steps in (1, 2, 7, 300):
        _, expected = reference_draw(state, steps)
        assert mrg31k3p.jump(state, mrg31k3p.step_matrices(steps)).tolist() == expected


def test_jumps_compose_and_substreams_are_2_to_72_apart():
    state = random_states(4, 1)
    a, b = 2 ** 70 + 5, 2 ** 71 + 3
    twice = mrg31k3p.jump(mrg31k3p.jump(state, mrg31k3p.step_matrices(a)),
                          mrg31k3p.step_matrices(b))
    assert twice.tolist() == mrg31k3p.jump(state, mrg31k3p.step_matrices(a + b)).tolist()
    rows = mrg31k3p.substreams(state[0], 11)
    for i in (0, 1, 5, 10):
        direct = mrg31k3p.jump(state, mrg31k3p.step_matrices(i * 2 ** 72))
        assert rows[i].tolist() == direct[0].tolist()
    assert mrg31k3p.next_stream(state[0]).tolist() == \
        mrg31k3p.jump(state, mrg31k3p.step_matrices(2 ** 134))[0].tolist()


# ------------------------------------------------------------------ fma


def _round_to(exact, dtype):
    """The float of ``dtype`` nearest ``exact`` (a Fraction), ties to even."""
    guess = np.asarray(float(exact), dtype=dtype)
    low = np.nextafter(guess, np.asarray(-np.inf, dtype=dtype))
    high = np.nextafter(guess, np.asarray(np.inf, dtype=dtype))
    bits = np.int64 if dtype == np.float64 else np.int32

    def key(candidate):
        return (abs(Fraction(float(candidate)) - exact),
                int(np.asarray(candidate).view(bits)) & 1)

    return min((low, guess, high), key=key)


def _exact_fma(a, b, c, dtype):
    return _round_to(Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c)), dtype)


FLOATS32 = st.floats(-1e4, 1e4, width=32, allow_subnormal=False)
FLOATS64 = st.floats(-1e4, 1e4, allow_subnormal=False)


@given(FLOATS32, FLOATS32, FLOATS32)
def test_fma_float32_is_rounded_once(a, b, c):
    got = fma(a, b, c, np.float32)
    assert got.dtype == np.float32 and got == _exact_fma(a, b, c, np.float32)


@given(FLOATS64, FLOATS64, FLOATS64)
def test_fma_float64_is_rounded_once(a, b, c):
    got = fma(a, b, c, np.float64)
    assert got == _exact_fma(a, b, c, np.float64)


def test_fma_on_products_near_halfway_and_cancelling():
    # a * b + c lands (nearly) halfway between two floats, or cancels a * b almost exactly:
    # rounding the product first would give another result.
    for dtype, unit in ((np.float32, 2.0 ** -12), (np.float64, 2.0 ** -27)):
        a = np.full(200, 1 + unit, dtype=dtype)
        b = (1 + np.arange(200) * unit).astype(dtype)
        for c in (np.full(200, unit ** 2.5, dtype=dtype), -(a.astype(np.float64) * b)):
            c = np.asarray(c, dtype=dtype)
            expected = [_exact_fma(x, y, z, dtype) for x, y, z in zip(a, b, c)]
            np.testing.assert_array_equal(fma(a, b, c, dtype), expected)
