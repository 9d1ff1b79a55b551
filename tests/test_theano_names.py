"""Names Theano programs use: ``theano.scalar``, ``T.shared_randomstreams``, ``T.xlogx``.

``theano.scalar.upcast`` is compared with Theano 1.0.5's results over every pair of
dtypes, recorded by dev/theano_reference/scalar_upcast.py.
"""

import json
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T

ROOT = pathlib.Path(__file__).resolve().parent.parent
RECORDED = json.loads((ROOT / "dev" / "theano_reference" / "scalar_upcast.json").read_text())


@pytest.mark.parametrize("pair, expected", sorted(RECORDED["pairs"].items()))
def test_scalar_upcast_of_every_pair_is_theanos(pair, expected):
    assert theano.scalar.upcast(*pair.split(",")) == expected


@pytest.mark.parametrize("dtypes, expected", sorted(RECORDED["triples"].items()))
def test_scalar_upcast_of_several_dtypes_is_theanos(dtypes, expected):
    assert theano.scalar.upcast(*dtypes.split(",")) == expected


def test_scalar_upcast_takes_numpy_dtypes_and_needs_one():
    assert theano.scalar.upcast(np.dtype("float32"), "int8") == "float32"
    assert theano.scalar.upcast("int16") == "int16"
    with pytest.raises(TypeError):
        theano.scalar.upcast()


def test_the_hmc_tutorial_line_runs():
    # hmc.py: final_pos.dtype is upcast with the shared step size's dtype.
    stepsize = theano.shared(np.asarray(0.25, dtype="float32"))
    pos = T.fmatrix("pos")
    dtype = theano.scalar.upcast(pos.dtype, stepsize.dtype)
    assert dtype == "float32"
    assert T.cast(pos * stepsize, dtype).dtype == "float32"


@pytest.mark.parametrize("group, dtypes", sorted(RECORDED["groups"].items()))
def test_scalar_type_groups_hold_theanos_dtypes_in_order(group, dtypes):
    assert [t.dtype for t in getattr(theano.scalar, group)] == dtypes


def test_scalar_types_are_0d_tensor_types_that_make_variables():
    for name in RECORDED["groups"]["all_types"]:
        kind = getattr(theano.scalar, name)
        assert kind == T.TensorType(name, ()) and kind.ndim == 0
        x = kind("x")
        assert x.type is kind and x.name == "x"
    assert theano.scalar.get_scalar_type("int32") == T.iscalar
    assert theano.scalar.upgrade_to_float("int8") == "float32"


def test_shared_randomstreams_is_an_attribute_of_symlab_tensor_loaded_when_used():
    script = textwrap.dedent("""
        import sys
        import symlab.tensor as T
        print("symlab.random" in sys.modules, "symlab.tensor.shared_randomstreams" in sys.modules)
        RandomStreams = T.shared_randomstreams.RandomStreams
        import symlab.random
        print(RandomStreams is symlab.random.RandomStreams, "symlab.random" in sys.modules)
        print(T.shared_randomstreams is sys.modules["symlab.tensor.shared_randomstreams"])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=str(ROOT), timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "True", "True", "True"]


def test_an_unknown_tensor_attribute_is_still_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="'no_such_name'"):
        T.no_such_name


def test_xlogx_is_a_module_of_symlab_tensor_as_in_theano():
    import symlab.tensor.xlogx as module
    assert T.xlogx is module
    assert callable(T.xlogx.xlogx) and callable(T.xlogx.xlogy0)
