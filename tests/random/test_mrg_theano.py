"""``MRG_RandomStreams`` draws Theano 1.0.5's numbers: recorded by the real Theano.

``tests/random/data/mrg_theano.json`` was written by
``dev/theano_reference/mrg_reference.py`` run on Theano 1.0.5 (its C code). Each
case is built again here with symlab from the same description (seed, floatX,
inputs, draws, then calls and reseeds) and compared: exactly for uniform,
binomial, multinomial and choice, and for the stream's ``rstate`` and the shapes
of the states; within a few units in the last place for normal, whose ``log``,
``cos`` and ``sin`` are the C library's in Theano and NumPy's here.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.sandbox.rng_mrg import MRG_RandomStreams

DATA = json.loads((Path(__file__).parent / "data" / "mrg_theano.json").read_text())
CASES = {case["name"]: case for case in DATA["cases"]}
#: Draws compared within a few ulp; every other draw must be equal.
TRANSCENDENTAL = {"normal", "truncated_normal"}


@pytest.fixture
def floatx():
    old = theano.config.floatX
    yield lambda value: setattr(theano.config, "floatX", value)
    theano.config.floatX = old


def _size(spec, inputs):
    if isinstance(spec, dict):
        return inputs[spec["shape_of"]].shape
    return tuple(spec) if isinstance(spec, list) else spec


def _argument(spec, inputs):
    return inputs[spec["input"]] if isinstance(spec, dict) and "input" in spec else spec


def _value(spec, dtype):
    if isinstance(spec, dict):
        return np.zeros(spec["zeros"], dtype=dtype)
    return np.asarray(spec, dtype=dtype)


def build(case):
    """The stream, the inputs, the draws and the compiled function of ``case``, as the
    reference script built them in Theano."""
    srng = MRG_RandomStreams(case["seed"])
    inputs = {name: T.tensor(dtype=theano.config.floatX if s["dtype"] == "floatX"
                             else s["dtype"], shape=(None,) * s["ndim"], name=name)
              for name, s in case["inputs"].items()}
    draws = []
    for spec in case["draws"]:
        kwargs = {k: _argument(v, inputs) for k, v in spec["kwargs"].items()}
        if "size" in kwargs:
            kwargs["size"] = _size(kwargs["size"], inputs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            draws.append(getattr(srng, spec["method"])(**kwargs))
    f = theano.function(list(inputs.values()), draws, on_unused_input="ignore")
    return srng, inputs, f


def _parameters(case, step, spec):
    """The avg and std of a normal draw at ``step`` (for its tolerance)."""
    values = [_argument(spec["kwargs"].get(k, default), step.get("call", {}))
              for k, default in (("avg", 0.0), ("std", 1.0))]
    scale = 1 / 0.87962566103423978 if spec["method"] == "truncated_normal" else 1
    return abs(float(values[0])), abs(float(values[1])) * scale


def check_case(case, floatx):
    floatx(case["floatX"])
    srng, inputs, f = build(case)
    recorded = case["theano"]
    np.testing.assert_array_equal(srng.rstate, recorded["rstate"])
    shapes = [[n, 6] for rng, _ in srng.state_updates
              for n in rng.get_value(borrow=True).n_streams]
    assert shapes == recorded["state_shapes"]
    calls = iter(recorded["calls"])
    for step in case["steps"]:
        if "seed" in step:
            srng.seed(step["seed"])
            continue
        given = [_value(step["call"][name], var.type.dtype) for name, var in inputs.items()]
        for spec, out, ref in zip(case["draws"], f(*given), next(calls)):
            expected = np.asarray(ref["values"], dtype=ref["dtype"]).reshape(ref["shape"])
            assert out.dtype == expected.dtype and out.shape == expected.shape, spec
            if spec["method"] in TRANSCENDENTAL:
                avg, std = _parameters(case, step, spec)
                eps = np.finfo(out.dtype).eps
                np.testing.assert_allclose(out, expected, rtol=8 * eps,
                                           atol=8 * eps * (avg + 3 * std), err_msg=str(spec))
            else:
                np.testing.assert_array_equal(out, expected, err_msg=str(spec))


@pytest.mark.parametrize("name", sorted(CASES))
def test_symlab_draws_theanos_numbers(name, floatx):
    check_case(CASES[name], floatx)


def test_the_recorded_data_covers_what_it_should():
    # Guards against a reference file that lost cases: every method, both dtypes.
    methods = {(d["method"], c["floatX"]) for c in CASES.values() for d in c["draws"]}
    for method in ("uniform", "normal", "truncated_normal", "binomial", "multinomial",
                   "choice", "multinomial_wo_replacement"):
        assert (method, "float64") in methods and (method, "float32") in methods
    assert DATA["theano"] == "1.0.5"


def test_the_denoising_autoencoder_tutorial_mask(floatx):
    # numpy_rng = RandomState(123); MRG_RandomStreams(numpy_rng.randint(2 ** 30)); the mask
    # binomial(size=x.shape, n=1, p=0.7, dtype=floatX) of a 20-image batch, two calls.
    case = CASES["dA_corruption_float32"]
    floatx("float32")
    srng = MRG_RandomStreams(np.random.RandomState(123).randint(2 ** 30))
    x = T.fmatrix("x")
    f = theano.function([x], srng.binomial(size=x.shape, n=1, p=1 - 0.3,
                                           dtype=theano.config.floatX) * x)
    batch = np.random.RandomState(0).uniform(size=(20, 784)).astype("float32")
    for recorded in case["theano"]["calls"]:
        mask = np.asarray(recorded[0]["values"], dtype="float32").reshape(20, 784)
        np.testing.assert_array_equal(f(batch), mask * batch)
