"""Tests of symlab.tensor.subtensor: basic and advanced indexing, set_subtensor, inc_subtensor.

Basic indexing is checked against nested Python lists indexed item by item
(Python's own list indexing and slicing). Advanced indexing follows NumPy's
semantics by definition, so NumPy indexing of a concrete array is its oracle,
beside hand-written cases. Increments are checked with explicit loops over
the coordinates of the indexed region.
"""


import numpy as np
import pytest
from hypothesis import given, strategies as st

import symlab.tensor as T
from symlab import function
from symlab.graph.evaluate import evaluate
from symlab.tensor.subtensor import (AdvancedSubtensor, IncSubtensor, Subtensor, Sym, getitem,
                                     inc_subtensor, set_subtensor)
from symlab.tensor.type import TensorType

from nested_lists import flat, nested, tensor








# --------------------------------------------------- the list-based oracle


def expand_ellipsis(index, ndim):
    used = sum(1 for item in index if item is not None and item is not Ellipsis)
    out = []
    for item in index:
        if item is Ellipsis:
            out.extend([slice(None)] * (ndim - used))
        else:
            out.append(item)
    return out


def list_index(data, index, ndim):
    """Basic indexing of nested lists, one item at a time, with Python's list semantics."""
    index = expand_ellipsis(index, ndim)

    def walk(value, items):
        if not items:
            return value
        head, rest = items[0], items[1:]
        if head is None:
            return [walk(value, rest)]
        if isinstance(head, slice):
            return [walk(v, rest) for v in value[head]]
        return walk(value[head], rest)

    return walk(data, index)


def list_index_shape(shape, index):
    """The shape of a basic index result, by Python's ``range`` slicing."""
    index = expand_ellipsis(index, len(shape))
    out, axis = [], 0
    for item in index:
        if item is None:
            out.append(1)
            continue
        if isinstance(item, slice):
            out.append(len(range(shape[axis])[item]))
        axis += 1
    return tuple(out) + tuple(shape[axis:])


def check_static(var, value):
    value = np.asarray(value)
    assert value.ndim == var.type.ndim, (var.type, value.shape)
    assert value.dtype == var.type.dtype
    for want, got in zip(var.type.shape, value.shape):
        assert want is None or want == got, (var.type, value.shape)


# ------------------------------------------------------------ basic: cases


def test_int_and_slice_values():
    x = T.matrix("x")
    data = nested((3, 4))
    value = np.array(data)
    cases = [
        ((1,), data[1]),
        ((-1,), data[2]),
        ((1, 2), data[1][2]),
        ((slice(1, 3), 0), [data[1][0], data[2][0]]),
        ((slice(None), slice(None, None, 2)), [row[::2] for row in data]),
        ((slice(None, None, -1), -1), [data[2][3], data[1][3], data[0][3]]),
        ((Ellipsis, 1), [row[1] for row in data]),
        ((None, 0), [data[0]]),
        ((slice(5, 9),), []),
    ]
    for index, expected in cases:
        out = evaluate(x[index], {x: value})
        assert out.tolist() == expected, index
        check_static(x[index], out)


def test_scalar_result_is_0d_array():
    x = T.lvector("x")
    out = evaluate(x[1], {x: np.array([5, 6, 7])})
    assert isinstance(out, np.ndarray) and out.shape == () and out.dtype == np.int64
    assert out.tolist() == 6


def test_symbolic_index_and_bounds():
    x = T.matrix("x")
    i, j = T.lscalars("i", "j")
    data = nested((4, 5))
    given_ = {x: np.array(data), i: 1, j: -1}
    assert evaluate(x[i], given_).tolist() == data[1]
    assert evaluate(x[i:j, j], given_).tolist() == [data[1][-1], data[2][-1]]
    assert evaluate(x[::i + 1, i], given_).tolist() == [data[0][1], data[2][1]]
    k = T.iscalar("k")
    assert evaluate(x[k], {x: np.array(data), k: np.int32(-2)}).tolist() == data[-2]
    assert evaluate(x[T.constant(2)], {x: np.array(data)}).tolist() == data[2]


def test_symbolic_index_is_an_input_of_the_node():
    x = T.matrix("x")
    i = T.lscalar("i")
    y = x[i:, 2]
    assert isinstance(y.owner.op, Subtensor)
    assert y.owner.inputs == (x, i)
    assert y.owner.op.idx_spec == ((Sym("int64"), None, None), 2)


def test_subtensor_printing_and_names():
    x = T.matrix("x")
    i = T.lscalar("i")
    assert str(x[1:3, 0].owner.op) == "subtensor{1:3, 0}"
    assert str(x[i:, i].owner.op) == "subtensor{int64:, int64}"
    assert str(x[:, None, ::2].owner.op) == "subtensor{:, None, ::2}"
    assert str(x[..., -1].owner.op) == "subtensor{:, -1}"
    assert x[0].owner.op.name == "subtensor"
    assert str(x[[0, 1], 1:].owner.op) == "advanced_subtensor{int64[:], 1:}"
    assert x[[0, 1]].owner.op.name == "advanced_subtensor"
    assert str(set_subtensor(x[1:3, 0], 1.0).owner.op) == "set_subtensor{1:3, 0}"
    assert inc_subtensor(x[0], 1.0).owner.op.name == "inc_subtensor"
    assert str(inc_subtensor(x[[0]], 1.0).owner.op) == "inc_subtensor{int64[:]}"


def test_equal_indices_give_equal_ops():
    x, y = T.matrices("x", "y")
    a, b = x[1:3, 0].owner.op, y[1:3, 0].owner.op
    assert a == b and hash(a) == hash(b)
    assert x[1:3].owner.op != x[1:4].owner.op
    assert x[T.lscalar()].owner.op == y[T.lscalar()].owner.op
    assert x[[0]].owner.op == y[[1, 2]].owner.op
    assert hash(IncSubtensor(((1, None, None),), True, False)) == hash(
        IncSubtensor(((1, None, None),), True, False))


def test_ops_built_directly_accept_slice_objects():
    x = T.matrix("x")
    op = Subtensor([slice(1, 3), 0])
    assert op == x[1:3, 0].owner.op and hash(op) == hash(x[1:3, 0].owner.op)
    assert evaluate(op(x), {x: np.array(nested((3, 2)))}).tolist() == [2.0, 4.0]
    k = T.scalar("k", dtype="uint8")
    assert str(x[k].owner.op) == "subtensor{uint8}"
    with pytest.raises(TypeError, match="takes 1 index inputs; got 0"):
        Subtensor([Sym("int64")])(x)
    with pytest.raises(TypeError, match="index input 0 .*expects a 0-d int64"):
        Subtensor([Sym("int64")])(x, T.iscalar("j"))


def test_iterating_over_static_first_dimension():
    x = tensor((2, None))
    rows = list(x)
    assert len(rows) == 2
    value = np.array(nested((2, 3)))
    assert [evaluate(r, {x: value}).tolist() for r in rows] == nested((2, 3))


def test_subtensor_is_a_view():
    assert Subtensor.view_of_input and not AdvancedSubtensor.view_of_input
    x = T.matrix("x")
    value = np.arange(12.0).reshape(3, 4)
    assert np.shares_memory(evaluate(x[1:, ::2], {x: value}), value)


# ----------------------------------------------------------- static shapes


def test_static_shapes_basic():
    x = tensor((5, None, 1))
    assert x[1:3].type.shape == (2, None, 1)
    assert x[::-2].type.shape == (3, None, 1)
    assert x[:, 0].type.shape == (5, 1)
    assert x[:, :, :].type.shape == (5, None, 1)  # ':' keeps static sizes, static 1 included
    assert x[:, 1:].type.shape == (5, None, 1)
    assert x[None].type.shape == (1, 5, None, 1)
    assert x[..., None].type.shape == (5, None, 1, 1)
    assert x[T.lscalar():].type.shape == (None, None, 1)
    assert x[7:].type.shape == (0, None, 1)
    row = T.row("r")
    assert row[:, 1:3].broadcastable == (True, False)
    assert x.shape[0].type == TensorType("int64", ())


def test_static_shapes_advanced():
    x = tensor((5, 6, 7))
    assert x[[0, 1]].type.shape == (2, 6, 7)
    assert x[[[0], [1]], [0, 1, 2]].type.shape == (2, 3, 7)
    assert x[:, [0, 1], [1, 2]].type.shape == (5, 2)
    assert x[[0, 1], :, [1, 2]].type.shape == (2, 6)  # separated: the array dims go first
    assert x[0, :, [1, 2]].type.shape == (2, 6)       # the int counts as an array index
    assert x[np.ones(5, bool)].type.shape == (5, 6, 7)
    assert x[:, np.array([[True, False, True, False, False, False, True]] * 6)].type.shape == (
        5, 18)
    v = T.lvector("v")
    assert x[v].type.shape == (None, 6, 7)
    assert x[T.bvector("m") > 0].type.shape == (None, 6, 7)
    assert x[None, v, 1:3].type.shape == (1, None, 2, 7)


# -------------------------------------------------------------- build errors


def test_out_of_range_constant_index_is_build_error():
    x = tensor((3, None), name="x")
    with pytest.raises(IndexError, match=r"index 3 is out of bounds for axis 0 of x .*\(3, \?\)"):
        x[3]
    with pytest.raises(IndexError, match="index -4 is out of bounds"):
        x[-4]
    x[-3], x[0, 100]  # unknown size: fine until run time
    with pytest.raises(IndexError, match="index 5 is out of bounds for axis 0 of x"):
        x[[0, 5]]
    with pytest.raises(IndexError, match="too many indices for x .* it is 2-d"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="too many indices"):
        T.scalar("s")[0]


def test_bad_index_types():
    x = T.matrix("x")
    with pytest.raises(TypeError, match="cannot index x .* with 1.5"):
        x[1.5]
    with pytest.raises(TypeError, match="cannot index x .* with index d .*expected an integer "
                                        "scalar"):
        x[T.dscalar("d")]
    with pytest.raises(TypeError, match="integer or boolean dtype"):
        x[[0.5, 1.0]]
    with pytest.raises(TypeError, match="slice stop"):
        x[:1.5]
    with pytest.raises(IndexError, match="only one Ellipsis"):
        x[..., ...]
    with pytest.raises(ValueError, match="step cannot be zero"):
        x[::0]
    with pytest.raises(IndexError, match="boolean index .* does not match"):
        tensor((3, 4))[np.array([True, False])]


def test_runtime_out_of_range_names_tensor():
    x = T.vector("x")
    i = T.lscalar("i")
    with pytest.raises(IndexError, match=r"subtensor\{int64\} of x \(runtime shape \(3,\)\)"):
        evaluate(x[i], {x: np.zeros(3), i: 3})
    with pytest.raises(IndexError, match=r"advanced_subtensor\{int64\[:\]\} of x"):
        evaluate(x[[0, 7]], {x: np.zeros(3)})


# ------------------------------------------------- basic: property (lists)


@st.composite
def basic_cases(draw):
    ndim = draw(st.integers(0, 4))
    dims = tuple(draw(st.lists(st.integers(0, 4), min_size=ndim, max_size=ndim)))
    consumed = draw(st.integers(0, ndim))
    bound = st.one_of(st.none(), st.integers(-6, 6))
    items = []
    for axis in range(consumed):
        n = dims[axis]
        if n > 0 and draw(st.booleans()):
            items.append(draw(st.integers(-n, n - 1)))
        else:
            step = draw(st.one_of(st.none(), st.integers(-3, 3).filter(bool)))
            items.append(slice(draw(bound), draw(bound), step))
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), None)
    if draw(st.booleans()):
        # an Ellipsis shifts the items after it to the last dimensions: redraw those
        position = draw(st.integers(0, len(items)))
        after = [i for i in items[position:] if i is not None]
        shift = ndim - consumed
        if all(not isinstance(i, int) or -dims[a + shift] <= i < dims[a + shift]
               for a, i in zip(range(consumed - len(after), consumed), after)):
            items.insert(position, Ellipsis)
    symbolic = draw(st.lists(st.booleans(), min_size=3 * len(items), max_size=3 * len(items)))
    known = draw(st.lists(st.booleans(), min_size=ndim, max_size=ndim))
    return dims, tuple(items), symbolic, known


def symbolize(index, flags):
    """Replace ints and slice bounds by lscalar inputs where ``flags`` say so."""
    flags = iter(flags)
    given, out = {}, []

    def maybe(value):
        if value is None or not next(flags):
            return value
        var = T.lscalar(f"i{len(given)}")
        given[var] = value
        return var

    for item in index:
        if isinstance(item, int):
            out.append(maybe(item))
        elif isinstance(item, slice):
            out.append(slice(maybe(item.start), maybe(item.stop), maybe(item.step)))
        else:
            out.append(item)
    return tuple(out), given


@given(basic_cases())
def test_basic_indexing_matches_python_lists(case):
    dims, index, flags, known = case
    x = tensor(tuple(d if k else None for d, k in zip(dims, known)))
    sym_index, given_ = symbolize(index, flags)
    y = x[sym_index]
    assert isinstance(y.owner.op, Subtensor)
    data = nested(dims)
    out = evaluate(y, {x: np.array(data).reshape(dims), **given_})
    expected_shape = list_index_shape(dims, index)
    assert out.shape == expected_shape
    expected = list_index(data, index, len(dims))
    assert out.tolist() == expected
    check_static(y, out)
    if all(known) and not given_:
        assert y.type.shape == expected_shape


# ------------------------------------------------------------ advanced


def test_advanced_hand_written():
    x = T.matrix("x")
    data = nested((3, 4))
    value = np.array(data)
    assert evaluate(x[[2, 0, 2]], {x: value}).tolist() == [data[2], data[0], data[2]]
    assert evaluate(x[[0, 2], [1, 0]], {x: value}).tolist() == [data[0][1], data[2][0]]
    assert evaluate(x[:, [3, -1]], {x: value}).tolist() == [[r[3], r[3]] for r in data]
    mask = [True, False, True]
    assert evaluate(x[np.array(mask)], {x: value}).tolist() == [data[0], data[2]]
    assert evaluate(x[x > 5.5], {x: value}).tolist() == [v for v in flat(data) if v > 5.5]
    assert evaluate(x[[]], {x: value}).shape == (0, 4)
    idx = T.lmatrix("idx")
    out = evaluate(x[idx, 0], {x: value, idx: np.array([[0, 1], [2, 2]])})
    assert out.tolist() == [[data[0][0], data[1][0]], [data[2][0], data[2][0]]]
    i = T.lscalar("i")
    assert evaluate(x[[i, 0]], {x: value, i: 1}).tolist() == [data[1], data[0]]


def test_nonzero_values_uses_boolean_mask():
    x = T.matrix("x")
    value = np.array([[0.0, 2.0], [3.0, 0.0]])
    assert evaluate(x.nonzero_values(), {x: value}).tolist() == [2.0, 3.0]


@st.composite
def advanced_cases(draw):
    ndim = draw(st.integers(1, 3))
    dims = tuple(draw(st.lists(st.integers(1, 4), min_size=ndim, max_size=ndim)))
    block = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=2)))
    kinds = draw(st.lists(st.sampled_from(["int", "slice", "array", "mask", "none"]),
                          min_size=1, max_size=ndim + 2))
    if not any(k in ("array", "mask") for k in kinds):
        kinds[draw(st.integers(0, len(kinds) - 1))] = "array"
    if "mask" in kinds:  # a mask's length must broadcast with the other arrays: keep it alone
        kinds = ["int" if k == "array" else k for k in kinds]
        first = kinds.index("mask")
        kinds = [k if k != "mask" or i == first else "slice" for i, k in enumerate(kinds)]
    items, axis = [], 0
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    for kind in kinds:
        if kind == "none":
            items.append(None)
            continue
        if axis >= ndim:
            break
        n = dims[axis]
        if kind == "int":
            items.append(int(rng.integers(-n, n)))
        elif kind == "slice":
            items.append(slice(draw(st.one_of(st.none(), st.integers(-4, 4))),
                               draw(st.one_of(st.none(), st.integers(-4, 4))),
                               draw(st.sampled_from([None, 1, 2, -1]))))
        elif kind == "array":
            shape = tuple(s if draw(st.booleans()) else 1 for s in block)
            shape = shape[draw(st.integers(0, len(shape))):]
            items.append(rng.integers(-n, n, size=shape))
        else:
            k = draw(st.integers(1, ndim - axis))
            items.append(rng.random(dims[axis:axis + k]) > 0.4)
            axis += k - 1
        axis += 1
    modes = draw(st.lists(st.sampled_from(["constant", "list", "known", "unknown"]),
                          min_size=len(items), max_size=len(items)))
    return dims, items, modes, draw(st.booleans())


@given(advanced_cases())
def test_advanced_indexing_matches_numpy(case):
    dims, items, modes, known = case
    x = tensor(dims if known else (None,) * len(dims))
    index, given_ = [], {}
    for item, mode in zip(items, modes):
        if not isinstance(item, np.ndarray) or mode == "constant":
            index.append(item)
        elif mode == "list":
            index.append(item.tolist())
        else:
            shape = item.shape if mode == "known" else (None,) * item.ndim
            var = TensorType(str(item.dtype), shape)(f"a{len(given_)}")
            given_[var] = item
            index.append(var)
    value = np.arange(float(np.prod(dims))).reshape(dims)
    expected = value[tuple(items)]
    y = x[tuple(index)]
    # a 0-d integer array is an integer index (basic), as in NumPy
    advanced = any(isinstance(i, np.ndarray) and (i.ndim or i.dtype == bool) for i in items)
    assert isinstance(y.owner.op, AdvancedSubtensor if advanced else Subtensor)
    out = evaluate(y, {x: value, **given_})
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)
    check_static(y, out)
    if known and not given_:
        assert y.type.shape == expected.shape


# ---------------------------------------------------------- set and inc


def coordinates(dims):
    """Nested lists of coordinate tuples: entry (i, j, ...) holds (i, j, ...)."""
    def build(prefix, rest):
        if not rest:
            return prefix
        return [build(prefix + (i,), rest[1:]) for i in range(rest[0])]

    return build((), list(dims))


def expected_update(data_value, region_coords, y_values, set_):
    """Apply y to the listed coordinates one at a time (repeats accumulate)."""
    result = {c: v for c, v in np.ndenumerate(data_value)}
    for c, v in zip(region_coords, y_values):
        result[c] = v if set_ else result[c] + v
    out = np.empty(data_value.shape)
    for c, v in result.items():
        out[c] = v
    return out


def test_set_and_inc_basic_hand_written():
    x = T.matrix("x")
    value = np.zeros((2, 3))
    out = evaluate(set_subtensor(x[0, 1:], [5.0, 6.0]), {x: value})
    assert out.tolist() == [[0, 5, 6], [0, 0, 0]]
    out = evaluate(inc_subtensor(x[:, 0], 2.0), {x: value + 1})
    assert out.tolist() == [[3, 1, 1], [3, 1, 1]]
    assert value.tolist() == [[0, 0, 0], [0, 0, 0]]  # the input is not modified
    i = T.lscalar("i")
    out = evaluate(set_subtensor(x[i], 9.0), {x: value, i: -1})
    assert out.tolist() == [[0, 0, 0], [9, 9, 9]]


def test_inc_advanced_accumulates_repeats():
    x = T.vector("x")
    out = evaluate(inc_subtensor(x[[0, 0, 2, 0]], 1.0), {x: np.zeros(4)})
    assert out.tolist() == [3, 0, 1, 0]
    out = evaluate(inc_subtensor(x[[1, 1]], np.array([2.0, 5.0])), {x: np.zeros(3)})
    assert out.tolist() == [0, 7, 0]
    m = T.matrix("m")
    out = evaluate(inc_subtensor(m[[0, 0], 1:], 1.0), {m: np.zeros((2, 3))})
    assert out.tolist() == [[0, 2, 2], [0, 0, 0]]
    out = evaluate(set_subtensor(m[m > 0], -1.0), {m: np.array([[1.0, 0.0], [0.0, 2.0]])})
    assert out.tolist() == [[-1, 0], [0, -1]]


def test_inc_result_type_and_input_order():
    x = tensor((None, 3), name="x")
    i = T.lscalar("i")
    z = inc_subtensor(x[i, 1:], 1.0)
    assert z.type == x.type
    assert z.owner.inputs[0] is x and z.owner.inputs[2] is i
    assert z.owner.op == IncSubtensor(((Sym("int64")), (1, None, None)), False, False)


def test_inc_dtype_rules():
    xi = T.imatrix("xi")
    with pytest.raises(TypeError, match=r"the value d .*float64.*downcast .*xi.*astype\('int32'\)"):
        set_subtensor(xi[0], T.dscalar("d"))
    with pytest.raises(TypeError, match="downcast"):
        set_subtensor(xi[0], 1.5)
    with pytest.raises(TypeError, match="downcast"):
        inc_subtensor(T.bvector("b")[0], 300)
    z = set_subtensor(xi[0], 2)  # a constant that fits
    out = evaluate(z, {xi: np.zeros((2, 2), "int32")})
    assert out.dtype == np.int32 and out.tolist() == [[2, 2], [0, 0]]
    xf = T.fmatrix("xf")
    z = inc_subtensor(xf[0], 0.1)  # a float literal may go into float32, as in filter
    assert z.type.dtype == "float32"
    assert evaluate(z, {xf: np.zeros((1, 1), "float32")}).dtype == np.float32
    z = set_subtensor(T.matrix("m")[0], T.ivector("iv"))  # int32 into float64 is fine
    assert z.type.dtype == "float64"


def test_inc_shape_errors():
    x = tensor((None, 3), name="x")
    with pytest.raises(ValueError, match=r"cannot be broadcast .*static shape is \(3,\)"):
        set_subtensor(x[0], tensor((4,), name="y"))
    with pytest.raises(ValueError, match="more dimensions than the indexed region"):
        set_subtensor(x[0], T.matrix("y"))
    y = T.vector("y")
    with pytest.raises(ValueError, match=r"the value y .* runtime shape \(1,\).*broadcastable"):
        evaluate(set_subtensor(x[0], y), {x: np.zeros((2, 3)), y: np.ones(1)})
    yb = tensor((1,), name="yb")
    out = evaluate(set_subtensor(x[0], yb), {x: np.zeros((2, 3)), yb: np.ones(1)})
    assert out.tolist() == [[1, 1, 1], [0, 0, 0]]


def test_set_subtensor_needs_an_indexed_variable():
    x = T.matrix("x")
    with pytest.raises(TypeError, match="set_subtensor: the first argument must be an indexed "
                                        r"tensor such as x\[1:3\].*got x, which is a graph input"):
        set_subtensor(x, 1.0)
    with pytest.raises(TypeError, match=r"inc_subtensor: .*which is the output of exp"):
        inc_subtensor(T.exp(x), 1.0)
    with pytest.raises(ValueError, match="inplace"):
        set_subtensor(x[0], 1.0, inplace=True)


@given(basic_cases(), st.data())
def test_inc_and_set_basic_match_loops(case, data):
    dims, index, flags, known = case
    x = tensor(tuple(d if k else None for d, k in zip(dims, known)))
    sym_index, given_ = symbolize(index, flags)
    region_shape = list_index_shape(dims, index)
    # y: a trailing part of the region's shape, with some dims of size 1 (declared so)
    cut = data.draw(st.integers(0, len(region_shape)))
    y_shape = tuple(1 if data.draw(st.booleans()) else s for s in region_shape[cut:])
    y_var = TensorType("float64", tuple(1 if s == 1 else None for s in y_shape))("y")
    y_value = np.arange(1.0, 1.0 + np.prod(y_shape)).reshape(y_shape) * 10
    set_ = data.draw(st.booleans())
    z = (set_subtensor if set_ else inc_subtensor)(x[sym_index], y_var)
    value = np.array(nested(dims)).reshape(dims)
    out = evaluate(z, {x: value, y_var: y_value, **given_})
    region = flat(list_index(coordinates(dims), index, len(dims)))  # tuples are leaves
    y_values = np.broadcast_to(y_value, region_shape).reshape(-1).tolist()
    expected = expected_update(value, region, y_values, set_)
    np.testing.assert_array_equal(out, expected)
    assert value.tolist() == nested(dims)  # the input is not modified


def test_inc_advanced_matches_loops():
    x = T.tensor3("x")
    dims = (3, 4, 2)
    value = np.arange(24.0).reshape(dims)
    rows = np.array([0, 2, 0, 0])
    cols = np.array([1, 1, 1, 3])
    y = np.arange(4.0 * 2).reshape(4, 2)
    out = evaluate(inc_subtensor(x[rows, cols], y), {x: value})
    region = [(r, c, k) for r, c in zip(rows, cols) for k in range(2)]
    expected = expected_update(value, region, y.reshape(-1).tolist(), set_=False)
    np.testing.assert_array_equal(out, expected)


@given(advanced_cases())
def test_inc_advanced_property_matches_loops(case):
    dims, items, modes, known = case
    x = tensor(dims if known else (None,) * len(dims))
    index = tuple(item.tolist() if isinstance(item, np.ndarray) and mode == "list" else item
                  for item, mode in zip(items, modes))
    coords = np.empty(dims, dtype=object)
    for c in np.ndindex(*dims):
        coords[c] = c
    region = coords[tuple(items) + (Ellipsis,)]  # NumPy picks the coordinates (0-d: an array)
    y_value = np.arange(1.0, region.size + 1).reshape(region.shape)
    y = TensorType("float64", (None,) * region.ndim)("y")
    value = np.arange(float(np.prod(dims))).reshape(dims)
    out = evaluate(inc_subtensor(x[index], y), {x: value, y: y_value})
    expected = expected_update(value, region.reshape(-1).tolist(), y_value.reshape(-1).tolist(),
                               set_=False)  # repeated coordinates accumulate
    np.testing.assert_array_equal(out, expected)


# ------------------------------------------------------------ compiled path


def test_compiled_function_agrees_with_reference():
    x = T.matrix("x")
    i = T.lscalar("i")
    outs = [x[1:, i], x[[0, 2], i], x[x > 3], set_subtensor(x[i], 0.0),
            inc_subtensor(x[[0, 0]], 1.0), getitem(x, (Ellipsis, None))]
    f = function([x, i], outs)
    value = np.arange(12.0).reshape(3, 4)
    for got, want in zip(f(value, 1), evaluate(outs, {x: value, i: 1})):
        np.testing.assert_array_equal(got, want)
    assert value.tolist() == np.arange(12.0).reshape(3, 4).tolist()
