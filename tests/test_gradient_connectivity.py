"""Gradients follow connection patterns: dropout masks, undefined gradients, grad_clip, Rop."""

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import function, shared
from symlab.gradient import (DisconnectedInputError, DisconnectedType, GradientNotImplemented,
                             NullType, NullTypeGradError, Rop, connection_pattern_of, grad,
                             grad_clip, grad_not_implemented, grad_undefined)
from symlab.graph.user_op import Op
from symlab.sandbox.rng_mrg import MRG_RandomStreams
from symlab.tensor.shared_randomstreams import RandomStreams


def numeric_gradient(fn, point, step=1e-6):
    """Central differences of the scalar ``fn`` at ``point`` (an array), element by element."""
    point = np.array(point, dtype="float64")
    result = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        up, down = point.copy(), point.copy()
        up[index] += step
        down[index] -= step
        result[index] = (float(fn(up)) - float(fn(down))) / (2 * step)
    return result


# ---------------------------------------------------------------- dropout masks

@pytest.mark.parametrize("streams", [RandomStreams, MRG_RandomStreams])
@pytest.mark.parametrize("draw", ["binomial", "uniform"])
def test_the_gradient_through_a_dropout_mask_matches_finite_differences(streams, draw):
    trng = streams(1234)
    x = T.dmatrix("x")
    W = shared(np.zeros((3, 4)), name="W")
    h = T.tanh(T.dot(x, W))
    if draw == "binomial":
        mask = trng.binomial(h.shape, p=0.5, n=1, dtype=h.dtype)
    else:
        mask = trng.uniform(size=h.shape)
    cost = T.sum((mask * h) ** 2) + T.sum(h)
    g = T.grad(cost, W)
    # no_default_updates: the state is not advanced, so every call draws the same mask
    f_cost = function([x], [cost, mask], no_default_updates=True)
    f_grad = function([x], g, no_default_updates=True)
    rng = np.random.default_rng(0)
    xv, wv = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)) * 0.5
    W.set_value(wv)
    _, m = f_cost(xv)
    if draw == "binomial":
        assert set(np.unique(m)) == {0.0, 1.0}

    def cost_at(w):
        W.set_value(w)
        return f_cost(xv)[0]

    expected = numeric_gradient(cost_at, wv)
    W.set_value(wv)
    np.testing.assert_allclose(f_grad(xv), expected, rtol=1e-6, atol=1e-8)
    # by hand: d/dh of sum((m h)^2) + sum(h) is 2 m^2 h + 1, through tanh and the dot
    hv = np.tanh(xv @ wv)
    np.testing.assert_allclose(f_grad(xv), xv.T @ ((2 * m ** 2 * hv + 1) * (1 - hv ** 2)),
                               rtol=1e-12)


def test_the_draw_is_never_asked_for_a_gradient_but_a_parameter_is_undefined():
    trng = RandomStreams(1)
    mu = T.dscalar("mu")
    values = trng.normal(size=(3,), avg=mu)
    with pytest.raises(NullTypeGradError, match=r"normal_rv.*input 2 \(mu\).*undefined.*avg"):
        grad(values.sum(), mu)
    # GradientNotImplemented too, as scan's callers expect, and a TypeError as in Theano
    with pytest.raises(GradientNotImplemented):
        grad(values.sum(), mu)
    with pytest.raises(TypeError):
        grad(values.sum(), mu)


def test_shape_and_random_ops_declare_their_inputs_disconnected():
    x = T.dmatrix("x")
    assert connection_pattern_of([x], [x.shape]) == [[False]]
    assert connection_pattern_of([x], [x.shape[0] * x]) == [[True]]
    trng = RandomStreams(3)
    p = T.dscalar("p")
    draw = trng.binomial(x.shape, p=p, n=1)
    node = draw.owner
    assert node.op.connection_pattern(node)[:2] == [[False, False], [False, False]]
    assert connection_pattern_of([x, p], [draw]) == [[False], [True]]


# ---------------------------------------------------------------- undefined gradients

class HalfKnown(Op):
    """a * b; the gradient is known for a, undefined (or not implemented) for b."""

    __props__ = ("missing",)
    itypes = [T.dvector, T.dvector]
    otypes = [T.dvector]

    def __init__(self, missing="undefined"):
        self.missing = missing

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * inputs[1]

    def grad(self, inputs, output_grads):
        a, b = inputs
        (g,) = output_grads
        make = grad_undefined if self.missing == "undefined" else grad_not_implemented
        return [g * b, make(self, 1, b, "b is a lookup key")]


def test_an_undefined_gradient_is_an_error_only_where_it_reaches_a_wrt():
    a, b = T.dvectors("a", "b")
    cost = T.sum(HalfKnown()(a, T.exp(b)))
    ga = grad(cost, a)
    av, bv = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    np.testing.assert_allclose(function([a, b], ga)(av, bv), np.exp(bv))
    with pytest.raises(NullTypeGradError,
                       match=r"'b'.*HalfKnown\{missing='undefined'\}: input 1 .*undefined: "
                             r"b is a lookup key"):
        grad(cost, b)
    with pytest.raises(NullTypeGradError):
        grad(cost, [a, b])


def test_a_gradient_not_implemented_raises_gradient_not_implemented_naming_the_op():
    a, b = T.dvectors("a", "b")
    cost = T.sum(HalfKnown("not_implemented")(a, b))
    grad(cost, a)
    with pytest.raises(GradientNotImplemented,
                       match=r"input 1 \(b\): the gradient is not implemented: b is a lookup"):
        grad(cost, b)


def test_an_undefined_gradient_passes_through_later_nodes_to_the_wrt():
    a, b = T.dvectors("a", "b")
    hidden = HalfKnown()(a, b * 2)
    cost = T.sum(T.tanh(hidden) * 3)
    with pytest.raises(NullTypeGradError, match="b is a lookup key"):
        grad(cost, b)


def test_disconnected_type_answers_and_connection_patterns_limit_what_is_asked():
    asked = []

    class Split(Op):
        """(2a, 3b): output 0 depends on a only, output 1 on b only."""

        __props__ = ()
        itypes = [T.dvector, T.dvector]
        otypes = [T.dvector, T.dvector]

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = 2 * inputs[0]
            output_storage[1][0] = 3 * inputs[1]

        def connection_pattern(self, node):
            return [[True, False], [False, True]]

        def grad(self, inputs, output_grads):
            asked.append(output_grads)
            g0, g1 = output_grads
            return [g0 * 2, g1 * 3]

    a, b = T.dvectors("a", "b")
    first, second = Split()(a, b)
    with pytest.raises(DisconnectedInputError, match="'b'"):
        grad(T.sum(first), b)
    assert asked == []          # b reaches no output that has a gradient: nobody asked
    (ga,) = grad(T.sum(first), [a])
    np.testing.assert_array_equal(function([a, b], ga, on_unused_input="ignore")(
        np.ones(2), np.ones(2)), [2.0, 2.0])
    assert len(asked) == 1      # the output without a gradient was given zeros
    np.testing.assert_array_equal(function([a, b], asked[0][1], on_unused_input="ignore")(
        np.ones(2), np.ones(2)), [0.0, 0.0])

    class Gate(Op):
        """a * b whose rule says b gets no gradient (DisconnectedType)."""

        itypes = [T.dvector, T.dvector]
        otypes = [T.dvector]

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0] * inputs[1]

        def grad(self, inputs, output_grads):
            return [output_grads[0] * inputs[1], DisconnectedType()()]

    cost = T.sum(Gate()(a, b))
    with pytest.raises(DisconnectedInputError):
        grad(cost, b)
    assert isinstance(grad(cost, b, disconnected_inputs="ignore").type, T.TensorType)


def test_null_and_disconnected_types_hold_no_value():
    with pytest.raises(TypeError, match="NullType variable holds no value: why"):
        NullType("why").filter(1.0)
    with pytest.raises(TypeError, match="DisconnectedType variable holds no value"):
        DisconnectedType().filter(1.0)
    assert NullType("a") == NullType("a") != NullType("b")


# ---------------------------------------------------------------- grad_clip

def test_grad_clip_is_the_identity_forward_and_clips_the_gradient():
    x = T.dvector("x")
    clipped = grad_clip(x, -1.0, 0.5)
    value = np.array([-2.0, 0.25, 3.0])
    np.testing.assert_array_equal(function([x], clipped)(value), value)
    weights = np.array([5.0, 0.2, -3.0])
    g = grad(T.sum(clipped * weights), x)
    np.testing.assert_array_equal(function([x], g, on_unused_input="ignore")(value),
                                  np.clip(weights, -1.0, 0.5))
    # through a nonlinearity: the clip applies to the gradient arriving at the clip
    g2 = grad(T.sum(T.exp(grad_clip(x * 2, -1, 1))), x)
    np.testing.assert_allclose(function([x], g2)(value),
                               2 * np.clip(np.exp(2 * value), -1, 1))
    with pytest.raises(ValueError, match="lower"):
        grad_clip(x, 1, -1)


# ---------------------------------------------------------------- Rop through R_op

class Cube(Op):
    """x ** 3 with its own R_op (and a gradient, for the reverse path)."""

    __props__ = ()
    itypes = [T.dvector]
    otypes = [T.dvector]

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] ** 3

    def grad(self, inputs, output_grads):
        return [3 * inputs[0] ** 2 * output_grads[0]]

    def R_op(self, inputs, eval_points):
        return [3 * inputs[0] ** 2 * eval_points[0]]


def test_rop_uses_a_custom_r_op_and_agrees_with_finite_differences():
    x, v = T.dvectors("x", "v")
    y = T.sin(Cube()(T.exp(x)))
    jvp = Rop(y, x, v)
    assert any(isinstance(n.op, Cube) and n.op.name == "Cube" for n in
               symlab.graph.toposort([jvp]))
    xv, vv = np.array([0.1, -0.3, 0.2]), np.array([1.0, 2.0, -0.5])
    got = function([x, v], jvp)(xv, vv)
    expected = np.cos(np.exp(3 * xv)) * 3 * np.exp(3 * xv) * vv
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    step = 1e-6
    f = function([x], y)
    numeric = (f(xv + step * vv) - f(xv - step * vv)) / (2 * step)
    np.testing.assert_allclose(got, numeric, rtol=1e-6)


def test_a_gradient_rule_returning_the_wrong_rank_is_refused_naming_the_op():
    import symlab as theano

    class SumsItsGradient(theano.Op):
        """Identity forward; its (wrong) gradient rule sums the incoming gradient to a scalar."""

        __props__ = ()

        def make_node(self, x):
            x = T.as_tensor_variable(x)
            return theano.Apply(self, [x], [x.type()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0].copy()

        def grad(self, inputs, output_grads):
            return [output_grads[0].sum()]

    x = T.dvector("x")
    with pytest.raises(ValueError, match=r"SumsItsGradient.grad returned, for input 0 "
                                         r".*'x'.*0 dimensions.*1 dim"):
        T.grad(SumsItsGradient()(x).sum(), x)
