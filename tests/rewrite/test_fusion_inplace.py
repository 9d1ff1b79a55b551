"""fuse_elementwise and inplace: printed graphs written by hand, kernels in f.source,
and the aliasing rules (inputs, shared values and held outputs are never overwritten)."""

import numpy as np
import pytest

import symlab.tensor as T
from symlab import In, Mode, function, shared
from symlab.graph import evaluate
from symlab.printing import debugprint
from symlab.rewrite import rewrite_graph
from symlab.tensor.elemwise import BroadcastError

x, y, b = T.dvectors("x", "y", "b")
W, M = T.dmatrices("W", "M")


def after(outputs, *names):
    return rewrite_graph(outputs, mode=Mode(optimizer=None, include=names))


def test_a_chain_becomes_one_fused_node():
    new, trace = after(T.exp(x) * 2 + y, "fuse_elementwise")
    assert trace.rewrite_names() == ["fuse_elementwise"]
    assert debugprint(new, file="str") == (
        "fused{exp(i0) * 2 + i1} [id A]\n"
        " |x [id B]\n"
        " |y [id C]\n")


def test_a_value_needed_twice_is_a_group_boundary():
    z = T.exp(x)
    new, trace = after((z + 1) * (z - 1), "fuse_elementwise")
    assert trace.rewrite_names() == ["fuse_elementwise"]
    assert debugprint(new, file="str") == (
        "fused{(i0 + 1) * (i0 - 1)} [id A]\n"
        " |exp [id B]\n"
        "   |x [id C]\n")


def test_outputs_are_never_fused_away():
    z = T.exp(x)
    new, trace = after([z, z * 2], "fuse_elementwise")
    assert trace.rewrite_names() == []
    assert [v.owner.op.name for v in new] == ["exp", "mul"]


def test_the_fused_kernel_is_one_block_reusing_its_temporaries(monkeypatch):
    monkeypatch.setenv("SYMLAB_BLOCKED", "0")    # the straight code (large arrays: blocked)
    f = function([M], T.exp(-M) * 2 + T.sqrt(M))
    assert f.trace.rewrite_names()[-1] == "fuse_elementwise"
    body = f.source.splitlines()[1:-1]
    assert body[0] == "    # fused{2 * exp(-i0) + sqrt(i0)}"
    news = [line for line in body[1:] if "out=" not in line]
    assert [line.split(" = ")[1].split("(")[0] for line in news] == ["np.negative", "np.sqrt"]
    assert len(body) == 6                              # the comment and five steps
    value = np.array([[0.0, 2.0], [3.0, 40.0]])
    np.testing.assert_allclose(f(value), np.exp(-value) * 2 + np.sqrt(value), rtol=1e-15)


def test_the_logistic_function_becomes_one_sigmoid():
    f = function([M], 1 / (1 + T.exp(-M)))
    assert f.trace.rewrite_names() == ["merge_constants", "sigmoid_from_exp"]
    assert debugprint(f.graph_after.outputs[0], file="str") == "sigmoid [id A]\n |M [id B]\n"


def test_fused_broadcasting_matches_the_reference_and_errors_name_the_outer_input():
    r = T.drow("r")
    expr = T.tanh(M * 2 + r) - T.exp(r)
    f = function([M, r], expr)
    assert any(n.op.name.startswith("fused") for n in f.graph_after.apply_nodes)
    mv, rv = np.arange(6.0).reshape(2, 3) / 7, np.array([[0.5, -1.0, 2.0]])
    np.testing.assert_allclose(f(mv, rv), evaluate(expr, {M: mv, r: rv}), rtol=1e-15)
    g = function([M, x], T.exp(M) + x * 3)
    with pytest.raises(BroadcastError, match="'x'"):
        g(np.ones((2, 3)), np.ones(1))


def test_inplace_writes_into_a_dead_intermediate_and_shows_in_the_source():
    f = function([M, W, b], T.tanh(T.dot(M, W) + b))
    assert f.trace.rewrite_names()[-1] == "inplace_elemwise"
    dot_line = next(line for line in f.source.splitlines() if "_dot_" in line)
    buffer = dot_line.split("=")[0].strip()
    assert f"out={buffer}" in f.source
    rng = np.random.default_rng(0)
    mv, wv, bv = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal(2)
    copies = [mv.copy(), wv.copy(), bv.copy()]
    first = f(mv, wv, bv)
    np.testing.assert_allclose(first, np.tanh(mv @ wv + bv), rtol=1e-14)
    for given, kept in zip([mv, wv, bv], copies):
        np.testing.assert_array_equal(given, kept)          # inputs untouched
    held = first.copy()
    f(mv * 2, wv, bv)
    np.testing.assert_array_equal(first, held)              # an earlier result untouched


def test_inputs_and_shared_values_are_never_overwritten():
    s = shared(np.array([0.5, 1.5]), name="s")
    f = function([x], [T.exp(x) * 2 + 1, T.exp(s) * 3 - s])
    assert "out=x" not in f.source and "out=s" not in f.source
    xv = np.array([1.0, 2.0])
    before = s.get_value(borrow=True)
    got = f(xv)
    np.testing.assert_array_equal(xv, [1.0, 2.0])
    np.testing.assert_array_equal(before, [0.5, 1.5])
    np.testing.assert_allclose(got[1], np.exp([0.5, 1.5]) * 3 - [0.5, 1.5], rtol=1e-15)


def test_a_mutable_input_is_written_into_only_when_declared():
    f = function([In(x, mutable=True)], T.exp(x) * 2)
    assert "out=x" in f.source
    xv = np.array([0.0, 1.0])
    out = f(xv)
    np.testing.assert_allclose(out, 2 * np.exp([0.0, 1.0]), rtol=1e-15)
    assert not np.shares_memory(out, xv)                    # the result is still its own
    with_default = function([In(x, value=np.array([0.0, 1.0]), mutable=True)], T.exp(x) * 2)
    assert "out=x" not in with_default.source               # a default is reused: kept
    np.testing.assert_allclose(with_default(), with_default(), rtol=0)


def test_no_inplace_into_a_value_that_is_also_an_output_or_read_twice():
    d = T.dot(M, W)
    f = function([M, W, b], [d, d + b])
    g = function([M, W, b], [T.tanh(d + b), d.sum()])
    assert "inplace_elemwise" not in f.trace.rewrite_names()
    assert "inplace_elemwise" not in g.trace.rewrite_names()
    mv, wv, bv = np.ones((2, 3)), np.arange(6.0).reshape(3, 2), np.array([1.0, -1.0])
    got_d, got_sum = f(mv, wv, bv)
    np.testing.assert_allclose(got_d, mv @ wv, rtol=1e-15)
    np.testing.assert_allclose(got_sum, mv @ wv + bv, rtol=1e-15)
    np.testing.assert_allclose(g(mv, wv, bv)[1], (mv @ wv).sum(), rtol=1e-15)


def test_no_inplace_into_a_view_or_a_scalar():
    views = function([M, W], T.dot(M, W).T + 1)            # a view of the dot: not its own
    assert "inplace_elemwise" not in views.trace.rewrite_names()
    np.testing.assert_allclose(views(np.eye(2), np.ones((2, 2))), np.full((2, 2), 2.0))
    scalar = function([x, y], T.dot(x, y) + 1)             # 0-d results are NumPy scalars
    assert "inplace_elemwise" not in scalar.trace.rewrite_names()
    np.testing.assert_allclose(scalar(np.ones(3), np.ones(3)), 4.0)


def test_no_inplace_into_a_buffer_that_would_have_to_stretch():
    # dot(b, W.T) is a vector added to a matrix: its buffer is too small for the result.
    f = function([b, W, M], T.exp(M) + T.dot(b, W.T))
    assert "inplace_elemwise" not in f.trace.rewrite_names()
    np.testing.assert_allclose(f(np.ones(3), np.ones((2, 3)), np.zeros((4, 2))),
                               np.full((4, 2), 4.0))


def test_updates_do_not_overwrite_a_value_the_user_holds():
    s = shared(np.array([1.0, 2.0]), name="s")
    f = function([M], [], updates=[(s, T.tanh(T.dot(M, s) + 1))])
    held = s.get_value(borrow=True)
    f(np.eye(2))
    np.testing.assert_array_equal(held, [1.0, 2.0])
    np.testing.assert_allclose(s.get_value(), np.tanh(np.array([1.0, 2.0]) + 1), rtol=1e-15)


def test_inplace_can_be_excluded_and_the_source_then_has_no_out_argument(monkeypatch):
    monkeypatch.setenv("SYMLAB_BLOCKED", "0")    # a blocked kernel writes its blocks with out=
    f = function([M, W, b], T.tanh(T.dot(M, W) + b), mode=Mode(exclude=["inplace"]))
    assert "inplace_elemwise" not in f.trace.rewrite_names()
    g = function([x], T.exp(x), mode=Mode(exclude=["fuse_elementwise", "inplace"]))
    assert "out=" not in g.source
