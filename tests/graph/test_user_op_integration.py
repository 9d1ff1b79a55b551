"""A custom Op everywhere a built-in one goes: printing, JSON, grad, pickling, scan, CUDA."""

import pathlib
import pickle
import shutil
import sys

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import function, shared
from symlab.backends import cupy as backend
from symlab.graph.basic import Apply
from symlab.graph.evaluate import evaluate
from symlab.graph.user_op import Op
from symlab.printing import debugprint, pp, to_json


class SoftClip(Op):
    """limit * tanh(x / limit), with its gradient: a module-level op, so it pickles."""

    __props__ = ("limit",)

    def __init__(self, limit):
        self.limit = float(limit)

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = self.limit * np.tanh(inputs[0] / self.limit)

    def grad(self, inputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [g * (1 - T.tanh(x / self.limit) ** 2)]


def soft_clip(x, limit):
    return limit * np.tanh(x / limit)


def numeric_gradient(fn, point, step=1e-6):
    """Central differences of the scalar ``fn`` at ``point``, element by element."""
    point = np.array(point, dtype="float64")
    result = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        up, down = point.copy(), point.copy()
        up[index] += step
        down[index] -= step
        result[index] = (float(fn(up)) - float(fn(down))) / (2 * step)
    return result


def test_debugprint_and_pp_show_the_op_with_its_props():
    x = T.dvector("x")
    y = SoftClip(2.0)(x) * 3
    y.name = "y"
    text = debugprint(y, file="str")
    assert text.splitlines() == ["mul [id A] 'y'", " |SoftClip{limit=2.0} [id B]",
                                 " | |x [id C]", " |TensorConstant{3} [id D]"]
    assert pp(y) == "SoftClip{limit=2.0}(x) * 3"
    f = function([x], y)
    assert "SoftClip{limit=2.0} [id" in debugprint(f, file="str")


def test_the_json_graph_shows_an_opaque_node_named_with_its_props():
    x = T.dvector("x")
    y = SoftClip(2.0)(x)
    doc = to_json(y)
    entry = doc["nodes"][str(y.owner.id)]
    assert entry["kind"] == "apply" and entry["op"] == "SoftClip{limit=2.0}"
    assert entry["dtype"] == "float64" and entry["shape"] == [None]
    assert "inner" not in entry
    f = function([x], y + 1)
    after = to_json(f)
    assert "SoftClip{limit=2.0}" in [n["op"] for n in after["nodes"].values()]


def test_the_gradient_matches_finite_differences():
    x = T.dvector("x")
    cost = T.sum(SoftClip(1.5)(x * 2) ** 2)
    g = T.grad(cost, x)
    f_cost, f_grad = function([x], cost), function([x], g)
    point = np.array([0.3, -1.2, 2.5, 0.0])
    np.testing.assert_allclose(f_grad(point), numeric_gradient(f_cost, point), rtol=1e-6,
                               atol=1e-9)
    # by hand: d/dx sum(c(2x)^2) = 2 c(2x) c'(2x) 2
    c = soft_clip(2 * point, 1.5)
    np.testing.assert_allclose(f_grad(point), 4 * c * (1 - np.tanh(2 * point / 1.5) ** 2),
                               rtol=1e-12)
    np.testing.assert_allclose(evaluate(g, {x: point}), f_grad(point), rtol=1e-12)


def test_a_compiled_function_using_it_pickles_with_its_gradient():
    x = T.dvector("x")
    w = shared(np.array([0.5, -1.0]), name="w")
    cost = T.sum(SoftClip(1.0)(x * w))
    f = function([x], [cost, T.grad(cost, w)], updates=[(w, w - 0.1 * T.grad(cost, w))])
    loaded = pickle.loads(pickle.dumps(f))
    point = np.array([1.0, 2.0])
    expected_cost = np.sum(soft_clip(point * np.array([0.5, -1.0]), 1.0))
    got = loaded(point)
    np.testing.assert_allclose(got[0], expected_cost, rtol=1e-12)
    np.testing.assert_allclose(got[1], point * (1 - np.tanh(point * [0.5, -1.0]) ** 2),
                               rtol=1e-12)


def test_it_runs_in_a_scan_body_and_differentiates_through_it():
    xs = T.dmatrix("xs")
    h0 = T.dvector("h0")
    states, _ = symlab.scan(lambda x_t, h: SoftClip(1.0)(h + x_t), sequences=xs,
                            outputs_info=h0)
    cost = T.sum(states[-1] ** 2)
    f = function([xs, h0], states)
    f_cost = function([xs, h0], cost)
    f_grad = function([xs, h0], T.grad(cost, h0))
    xv, hv = np.array([[0.1, -0.4], [0.7, 0.2], [-1.5, 0.3]]), np.array([0.5, -0.2])
    expected, h = [], hv
    for row in xv:
        h = soft_clip(h + row, 1.0)
        expected.append(h)
    np.testing.assert_allclose(f(xv, hv), np.array(expected), rtol=1e-12)
    np.testing.assert_allclose(f_grad(xv, hv), numeric_gradient(lambda p: f_cost(xv, p), hv),
                               rtol=1e-6)
    assert "SoftClip{limit=1.0}" in debugprint(f, file="str")


def test_on_cuda_it_runs_on_the_host_and_the_source_says_so():
    x = T.dvector("x")
    f = function([x], T.exp(SoftClip(1.0)(x)) + 1)
    program = backend.generate(f.fgraph, name="fn")
    assert [n.op for n in program.fallbacks] == [SoftClip(1.0)]
    lines = program.source.splitlines()
    at = next(k for k, line in enumerate(lines)
              if "# on the host: SoftClip{limit=1.0} is a custom Op (its perform runs on the "
                 "host)" in line)
    assert "_host(x)" in lines[at + 1] and "cp.asarray(" in lines[at + 2]


def test_on_cuda_through_the_host_stand_in_the_values_are_numpys():
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed: the host stand-in for CuPy compiles its kernels "
                    "with it")
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "gpu"))
    try:
        import host_cupy
    finally:
        sys.path.pop(0)
    previous = backend._use_array_module(host_cupy)
    try:
        x = T.dvector("x")
        f = function([x], T.exp(SoftClip(1.0)(x)) + 1, device="cuda", return_numpy=True)
        point = np.array([0.5, -2.0, 3.0])
        np.testing.assert_allclose(f(point), np.exp(soft_clip(point, 1.0)) + 1, rtol=1e-12)
        assert "is a custom Op (its perform runs on the host)" in f.source
    finally:
        backend._restore(previous)
