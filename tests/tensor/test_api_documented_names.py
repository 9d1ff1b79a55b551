"""Every name Theano's ``doc/library/tensor/basic.txt`` documents is found in ``symlab.tensor``,
so a later gap shows. The list is data written here from reading that page (Theano 1.0)."""

import pytest

import symlab.tensor as T

# Functions, classes and objects of doc/library/tensor/basic.txt, section by section.
BASIC_TXT = {
    "creation": ["scalar", "vector", "row", "col", "matrix", "tensor3", "tensor4", "tensor5",
                 "tensor6", "tensor7", "iscalars", "lscalars", "fscalars", "dscalars",
                 "ivectors", "lvectors", "fvectors", "dvectors", "irows", "lrows", "frows",
                 "drows", "icols", "lcols", "fcols", "dcols", "imatrices", "lmatrices",
                 "fmatrices", "dmatrices", "as_tensor_variable", "TensorType",
                 "TensorVariable", "TensorConstant", "TensorSharedVariable"],
    "typed": [p + kind for p in "bwildfcz" for kind in
              ("scalar", "vector", "row", "col", "matrix", "tensor3", "tensor4", "tensor5",
               "tensor6", "tensor7")],
    "shaping": ["shape", "reshape", "shape_padleft", "shape_padright", "shape_padaxis",
                "unbroadcast", "addbroadcast", "patternbroadcast", "flatten", "tile", "roll"],
    "creating": ["zeros_like", "ones_like", "zeros", "ones", "fill", "alloc", "eye",
                 "identity_like", "stack", "concatenate", "stacklists", "choose"],
    "reductions": ["max", "argmax", "max_and_argmax", "min", "argmin", "sum", "prod", "mean",
                   "var", "std", "all", "any", "ptp"],
    "indexing": ["set_subtensor", "inc_subtensor"],
    "elementwise": ["cast", "real", "imag", "lt", "gt", "le", "ge", "eq", "neq", "isnan",
                    "isinf", "isclose", "allclose", "switch", "where", "clip", "and_", "or_",
                    "xor", "invert", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
                    "abs_", "angle", "exp", "maximum", "minimum", "neg", "inv", "log", "log2",
                    "log10", "sgn", "ceil", "floor", "round", "iround", "sqr", "sqrt", "cos",
                    "sin", "tan", "cosh", "sinh", "tanh", "erf", "erfc"],
    "linear algebra": ["dot", "outer", "tensordot", "batched_dot", "batched_tensordot",
                       "mgrid", "ogrid"],
}
# (The page's special functions, erfinv ... chi2sf, are another part of issue 20 and are
# listed by its tests.)


@pytest.mark.parametrize("name", sorted({n for names in BASIC_TXT.values() for n in names}))
def test_documented_name_exists(name):
    assert hasattr(T, name), f"symlab.tensor lacks {name}, documented in Theano's basic.txt"


def test_extra_ops_module_names():
    for name in ("cumsum", "cumprod", "repeat", "searchsorted", "compress", "diff"):
        assert hasattr(T.extra_ops, name)


def test_the_documented_mask_recipe_runs():
    # basic.txt's "Getting a Theano result like NumPy": t[(t > 4).nonzero()]
    t = T.arange(9).reshape((3, 3))
    assert t[(t > 4).nonzero()].eval().tolist() == [5, 6, 7, 8]
