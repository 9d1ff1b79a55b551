"""Theano's constructors and TensorType spellings (behaviour checked in Theano 1.0.5).

In Theano a prefixed constructor (``T.dscalar``, ``T.fmatrix``...) IS a
TensorType, and a variable made by calling it has exactly that type object;
an unprefixed one (``T.matrix``) is a function reading ``config.floatX`` when
called. Plural constructors take names, one string of one-letter names, or a
count.
"""

import numpy as np
import pytest

import symlab.tensor as T
from symlab import config
from symlab.tensor import TensorType

PREFIX_DTYPES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64",
                 "f": "float32", "d": "float64", "c": "complex64", "z": "complex128"}
KIND_SHAPES = {"scalar": (), "vector": (None,), "row": (1, None), "col": (None, 1),
               "matrix": (None, None), "tensor3": (None,) * 3, "tensor4": (None,) * 4,
               "tensor5": (None,) * 5}
PLURALS = {"scalar": "scalars", "vector": "vectors", "row": "rows", "col": "cols",
           "matrix": "matrices", "tensor3": "tensor3s", "tensor4": "tensor4s",
           "tensor5": "tensor5s"}
TYPED = [(p + k, d, s) for p, d in PREFIX_DTYPES.items() for k, s in KIND_SHAPES.items()]


@pytest.fixture
def float32_config():
    before = config.floatX
    config.floatX = "float32"
    yield
    config.floatX = before


@pytest.mark.parametrize("name, dtype, shape", TYPED)
def test_every_prefixed_constructor_is_a_tensor_type(name, dtype, shape):
    kind = getattr(T, name)
    assert isinstance(kind, TensorType)
    assert (kind.dtype, kind.shape) == (dtype, shape)
    assert kind.broadcastable == tuple(s == 1 for s in shape)
    x = kind("x")
    assert x.type is kind and x.name == "x"
    assert kind().name is None and kind(name="y").name == "y"


@pytest.mark.parametrize("kind, shape", KIND_SHAPES.items())
def test_unprefixed_constructors_are_functions_reading_floatx_when_called(kind, shape,
                                                                          float32_config):
    make = getattr(T, kind)
    assert not isinstance(make, TensorType) and callable(make)
    x = make("x")
    assert (x.dtype, x.type.shape) == ("float32", shape)
    config.floatX = "float64"
    assert make().dtype == "float64"
    assert make(dtype="int32").dtype == "int32"


@pytest.mark.parametrize("kind", KIND_SHAPES)
def test_every_plural_form_exists_for_every_prefix(kind):
    for prefix in [""] + list(PREFIX_DTYPES):
        many = getattr(T, prefix + PLURALS[kind])
        a, b = many("a", "b")
        assert (a.name, b.name) == ("a", "b")
        assert a.type == b.type == TensorType(PREFIX_DTYPES.get(prefix, config.floatX),
                                              KIND_SHAPES[kind])
        if prefix:
            assert a.type is getattr(T, prefix + kind)


def test_one_string_gives_one_variable_per_character():
    names = [v.name for v in T.scalars("abcd")]
    assert names == ["a", "b", "c", "d"]
    assert [v.name for v in T.dmatrices("XY")] == ["X", "Y"]
    assert all(v.type is T.iscalar for v in T.iscalars("ijk"))


def test_several_strings_are_whole_names():
    assert [v.name for v in T.scalars("ab", "c")] == ["ab", "c"]
    assert [v.name for v in T.fvectors("x_in", None)] == ["x_in", None]


def test_a_count_gives_that_many_unnamed_variables():
    made = T.dmatrices(3)
    assert len(made) == 3 and len(set(made)) == 3
    assert all(v.name is None and v.type is T.dmatrix for v in made)
    assert T.scalars() == []
    assert len(T.vectors(1)) == 1


def test_a_single_one_character_string_gives_one_variable_as_in_theano():
    x = T.dscalars("x")
    assert not isinstance(x, list) and x.name == "x" and x.type is T.dscalar


def test_commas_and_spaces_separate_names():
    # symlab's reading (Theano would make variables named ',' and ' ').
    assert [v.name for v in T.dvectors("u, v w")] == ["u", "v", "w"]


def test_a_prefixed_plural_refuses_a_dtype():
    with pytest.raises(TypeError, match="fixed dtype float64"):
        T.dmatrices("a", "b", dtype="float32")
    assert [v.dtype for v in T.matrices("ab", dtype="int8")] == ["int8", "int8"]


def test_a_prefixed_constructor_refuses_another_dtype_and_says_what_to_use():
    with pytest.raises(TypeError, match=r"fixed dtype float64.*T\.matrix\(name, dtype=\.\.\.\)"):
        T.dmatrix("x", dtype="float32")
    assert T.dmatrix("x", dtype="float64").type is T.dmatrix


@pytest.mark.parametrize("pattern, shape", [((), ()), ((False,), (None,)),
                                            ((True, False), (1, None)),
                                            ((False, True), (None, 1)),
                                            ([False, False], (None, None)),
                                            ((np.True_, np.False_), (1, None))])
def test_a_tuple_of_bools_is_a_broadcastable_pattern(pattern, shape):
    for kind in (TensorType("float64", pattern), TensorType("float64", broadcastable=pattern),
                 TensorType("float64", shape=pattern)):
        assert kind.shape == shape
        assert kind.broadcastable == tuple(bool(b) for b in pattern)
    assert TensorType("float64", pattern) == TensorType("float64", shape)


def test_theano_types_made_from_patterns_equal_the_constructors():
    assert TensorType("float32", (False, False)) == T.fmatrix
    assert TensorType("float64", (True, False)) == T.drow
    v = TensorType("float64", (False,))("v")
    assert v.name == "v" and v.type == T.dvector
    assert T.TensorType is TensorType


@pytest.mark.parametrize("mixed", [(True, 1), (None, False), (3, True, None)])
def test_a_shape_mixing_bools_and_sizes_is_an_error_saying_so(mixed):
    with pytest.raises(TypeError, match="mixes True/False with sizes"):
        TensorType("float64", mixed)


def test_broadcastable_and_shape_together_are_refused():
    with pytest.raises(TypeError, match="either shape= or broadcastable="):
        TensorType("float64", (None,), broadcastable=(False,))
    with pytest.raises(TypeError, match="only True/False"):
        TensorType("float64", broadcastable=(1, None))


def test_a_row_type_broadcasts_in_a_compiled_sum():
    r = T.drow("r")
    m = T.dmatrix("m")
    out = (r + m).eval({r: np.array([[1.0, 2.0]]), m: np.zeros((3, 2))})
    np.testing.assert_array_equal(out, [[1.0, 2.0]] * 3)
