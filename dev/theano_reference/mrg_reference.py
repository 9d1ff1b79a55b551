"""Record Theano 1.0.5's ``MRG_RandomStreams`` numbers for symlab's tests.

Run with the oracle interpreter (not part of the test command), from the repository root:

    THEANO_FLAGS=base_compiledir=/tmp/thc-mrg /work/theano-oracle/bin/python \\
        dev/theano_reference/mrg_reference.py

It writes ``tests/random/data/mrg_theano.json``: for each case of ``CASES``, the
case itself (a small description that ``tests/random/test_mrg_theano.py`` builds
again with symlab), then what Theano gave: after building, the stream's
``rstate`` and the shape of each variable's state; then, for each call of the
compiled function, each draw's dtype, shape and values (flattened). Theano runs
with its C code (a C compiler is present), its default.

A case: ``seed`` and ``floatX``; ``inputs`` (name -> dtype and ndim); ``draws``,
each a stream method and its arguments, where ``{"shape_of": name}`` stands for
``name.shape``, ``{"input": name}`` for the input itself; ``steps``, each either
``{"call": {name: value}}`` (a value being ``{"zeros": shape}`` or a nested list)
or ``{"seed": s}`` (``srng.seed(s)``). A method's ``dtype="floatX"`` means
``theano.config.floatX``.
"""

import json
import os
import sys

import numpy as np
import theano
import theano.tensor as T
from theano.sandbox.rng_mrg import MRG_RandomStreams

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "random", "data",
                   "mrg_theano.json")

P34 = [[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]]
P45 = [[0.1, 0.2, 0.3, 0.15, 0.25], [0.5, 0.1, 0.1, 0.2, 0.1],
       [0.05, 0.05, 0.8, 0.05, 0.05], [0.2, 0.2, 0.2, 0.2, 0.2]]
X23 = {"x": {"dtype": "floatX", "ndim": 2}}


def case(name, draws, steps=3, seed=1234, floatX="float64", inputs=None, calls=None):
    """One case; ``steps`` plain calls unless ``calls`` (a list of steps) is given."""
    return {"name": name, "seed": seed, "floatX": floatX, "inputs": inputs or {},
            "draws": draws, "steps": calls or [{"call": {}}] * steps}


def draw(method, **kwargs):
    return {"method": method, "kwargs": kwargs}


CASES = []
for fx in ("float64", "float32"):
    CASES += [
        case(f"uniform_{fx}", [draw("uniform", size=[3]), draw("uniform", size=[7]),
                               draw("uniform", size=[4, 5]), draw("uniform", size=[50])],
             floatX=fx),
        case(f"uniform_bounds_{fx}", [draw("uniform", size=[2, 3], low=-1.5, high=2.25),
                                      draw("uniform", size=[13], low=0.3, high=2.7)],
             floatX=fx, seed=42),
        case(f"uniform_nstreams_{fx}", [draw("uniform", size=[10], nstreams=3),
                                        draw("uniform", size=[5, 3], nstreams=1),
                                        draw("uniform", size=[9], nstreams=20)],
             floatX=fx, seed=[1, 2, 3, 4, 5, 6]),
        case(f"uniform_symbolic_{fx}", [draw("uniform", size={"shape_of": "x"})], inputs=X23,
             floatX=fx, calls=[{"call": {"x": {"zeros": [2, 3]}}},
                               {"call": {"x": {"zeros": [0, 3]}}},
                               {"call": {"x": {"zeros": [3, 4]}}}]),
        case(f"symbolic_parameters_{fx}",
             [draw("uniform", size=[6], low={"input": "lo"}, high={"input": "hi"}),
              draw("normal", size=[5], avg={"input": "mu"}, std={"input": "sigma"}),
              draw("binomial", size=[8], p={"input": "q"})],
             inputs={k: {"dtype": "floatX", "ndim": 0} for k in ("lo", "hi", "mu", "sigma",
                                                                 "q")},
             floatX=fx, calls=[{"call": {"lo": -0.5, "hi": 3.0, "mu": 1.25, "sigma": 0.5,
                                         "q": 0.4}},
                               {"call": {"lo": 0.1, "hi": 0.2, "mu": -3.0, "sigma": 7.0,
                                         "q": 0.9}}]),
        case(f"normal_{fx}", [draw("normal", size=[5]), draw("normal", size=[3, 3]),
                              draw("normal", size=[1]), draw("normal", size=[4, 2]),
                              draw("normal", size=[7], avg=1.5, std=0.25),
                              draw("normal", size=[6], nstreams=4)],
             floatX=fx),
        case(f"normal_symbolic_{fx}", [draw("normal", size={"shape_of": "x"}, avg=-2.0,
                                            std=3.0)],
             inputs=X23, floatX=fx, calls=[{"call": {"x": {"zeros": [3, 5]}}},
                                           {"call": {"x": {"zeros": [2, 2]}}}]),
        case(f"normal_truncated_{fx}", [draw("normal", size=[400], truncate=True),
                                        draw("truncated_normal", size=[9, 7], std=2.0),
                                        draw("normal", size=[401], truncate=True, nstreams=7)],
             floatX=fx, steps=2),
        case(f"binomial_{fx}", [draw("binomial", size=[4, 6], p=0.5),
                                draw("binomial", size=[25], p=0.3, dtype="float32"),
                                draw("binomial", size={"shape_of": "x"}, p=0.75)],
             inputs=X23, floatX=fx, calls=[{"call": {"x": {"zeros": [3, 4]}}}] * 2),
        case(f"multinomial_{fx}", [draw("multinomial", pvals={"input": "p"}),
                                   draw("multinomial", pvals={"input": "p"}, n=5),
                                   draw("multinomial", pvals={"input": "p"}, dtype="auto")],
             inputs={"p": {"dtype": "floatX", "ndim": 2}}, floatX=fx,
             calls=[{"call": {"p": P34}}] * 3),
        case(f"choice_{fx}", [draw("choice", size=1, p={"input": "p"}, replace=False),
                              draw("choice", size=3, p={"input": "p"}, replace=False),
                              draw("choice", size=5, p={"input": "p"}, replace=False),
                              draw("multinomial_wo_replacement", n=2, pvals={"input": "p"})],
             inputs={"p": {"dtype": "floatX", "ndim": 2}}, floatX=fx,
             calls=[{"call": {"p": P45}}] * 3),
    ]
CASES += [
    case("seed_float64", [draw("uniform", size=[4]), draw("normal", size=[3]),
                          draw("normal", size=[5], truncate=True)],
         seed=7, calls=[{"call": {}}, {"call": {}}, {"seed": 99}, {"call": {}},
                        {"seed": None}, {"call": {}}]),
    # Theano's denoising-autoencoder tutorial: theano_rng = MRG_RandomStreams(
    # numpy_rng.randint(2 ** 30)) with numpy_rng = RandomState(123); its corruption mask
    # binomial(size=input.shape, n=1, p=1 - 0.3, dtype=floatX) on a batch of 20 images.
    case("dA_corruption_float32",
         [draw("binomial", size={"shape_of": "x"}, n=1, p=1 - 0.3, dtype="floatX")],
         inputs=X23, floatX="float32", seed=int(np.random.RandomState(123).randint(2 ** 30)),
         calls=[{"call": {"x": {"zeros": [20, 784]}}}] * 2),
]


def build_size(spec, inputs):
    if isinstance(spec, dict):
        return inputs[spec["shape_of"]].shape
    return tuple(spec) if isinstance(spec, list) else spec


def build_arg(spec, inputs):
    if isinstance(spec, dict) and "input" in spec:
        return inputs[spec["input"]]
    return spec


def value_of(spec, dtype):
    if isinstance(spec, dict) and "zeros" in spec:
        return np.zeros(spec["zeros"], dtype=dtype)
    return np.asarray(spec, dtype=dtype)


def run(c):
    with theano.change_flags(floatX=c["floatX"]):
        srng = MRG_RandomStreams(c["seed"])
        inputs = {name: T.TensorType(theano.config.floatX if s["dtype"] == "floatX"
                                     else s["dtype"], (False,) * s["ndim"])(name)
                  for name, s in c["inputs"].items()}
        outs = []
        for d in c["draws"]:
            kwargs = {k: build_arg(v, inputs) for k, v in d["kwargs"].items()}
            if "size" in kwargs:
                kwargs["size"] = build_size(kwargs["size"], inputs)
            if kwargs.get("dtype") == "floatX":
                kwargs["dtype"] = theano.config.floatX
            if d["method"] == "multinomial_wo_replacement":
                import warnings
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    outs.append(getattr(srng, d["method"])(**kwargs))
            else:
                outs.append(getattr(srng, d["method"])(**kwargs))
        record = {"rstate": srng.rstate.tolist(),
                  "state_shapes": [list(su[0].get_value().shape) for su in srng.state_updates]}
        f = theano.function(list(inputs.values()), outs, on_unused_input="ignore")
        calls = []
        for step in c["steps"]:
            if "seed" in step:
                srng.seed(step["seed"])
                continue
            given = [value_of(step["call"][name], inputs[name].dtype) for name in inputs]
            calls.append([{"dtype": str(v.dtype), "shape": list(v.shape),
                           "values": v.reshape(-1).tolist()} for v in f(*given)])
        record["calls"] = calls
        return record


def main():
    results = []
    for c in CASES:
        c = dict(c)
        c["theano"] = run(c)
        results.append(c)
        print(c["name"], [o["values"][:2] for o in c["theano"]["calls"][0]], file=sys.stderr)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as out:
        json.dump({"theano": theano.__version__, "cases": results}, out,
                  separators=(",", ":"))
        out.write("\n")


if __name__ == "__main__":
    main()
