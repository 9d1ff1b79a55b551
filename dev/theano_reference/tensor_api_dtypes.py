"""Record the result dtypes of Theano's array functions, complex parts and methods.

Run with the oracle: THEANO_FLAGS=cxx= /work/theano-oracle/bin/python
dev/theano_reference/tensor_api_dtypes.py > dev/theano_reference/tensor_api_dtypes.json

Each entry maps "<case>,<input dtype>" to the dtype (or list of dtypes) Theano 1.0.5
gives, or "error" where Theano refuses the dtype. The builders below are the
cases tests/tensor/test_api_dtypes.py builds in symlab with the same names.
"""

import json

import theano.tensor as T

DTYPES = ["int8", "int32", "int64", "float32", "float64", "complex64", "complex128"]

CASES = {
    "real": lambda x: T.real(x),
    "imag": lambda x: T.imag(x),
    "angle": lambda x: T.angle(x),
    "conj": lambda x: T.conj(x),
    "complex": lambda x: T.complex(x, x),
    "complex_from_polar": lambda x: T.complex_from_polar(x, x),
    "iround": lambda x: T.iround(x),
    "ptp": lambda x: T.ptp(x),
    "isclose": lambda x: T.isclose(x, x),
    "allclose": lambda x: T.allclose(x, x),
    "norm1": lambda x: x.norm(1),
    "norm2": lambda x: x.norm(2),
    "trace": lambda x: T.outer(x, x).trace(),
    "cumsum": lambda x: T.extra_ops.cumsum(x),
    "cumprod": lambda x: T.extra_ops.cumprod(x),
    "repeat": lambda x: T.extra_ops.repeat(x, 2),
    "sort": lambda x: T.sort(x),
    "argsort": lambda x: T.argsort(x),
    "nonzero": lambda x: list(T.nonzero(x)),
    "max_and_argmax": lambda x: T.max_and_argmax(x),
    "tile": lambda x: T.tile(x, (2, 3)),
    "roll": lambda x: T.roll(x, 1),
    "diagonal": lambda x: T.outer(x, x).diagonal(),
    "take": lambda x: x.take([0, 1]),
    "searchsorted": lambda x: T.extra_ops.searchsorted(x, x),
    "batched_dot": lambda x: T.batched_dot(T.tensor3(dtype=x.dtype), T.tensor3(dtype=x.dtype)),
    "deg2rad": lambda x: x.deg2rad(),
    "rad2deg": lambda x: x.rad2deg(),
    "identity_like": lambda x: T.identity_like(T.matrix(dtype=x.dtype)),
}


def record():
    """Return {"<case>,<dtype>": dtype, list of dtypes, or "error"}."""
    out = {}
    for name, build in CASES.items():
        for dtype in DTYPES:
            try:
                result = build(T.vector(dtype=dtype))
            except Exception:  # Theano refuses this dtype: record that it does
                out[f"{name},{dtype}"] = "error"
                continue
            if isinstance(result, (list, tuple)):
                out[f"{name},{dtype}"] = [r.dtype for r in result]
            else:
                out[f"{name},{dtype}"] = result.dtype
    out["mgrid"] = [v.dtype for v in T.mgrid[0:3, 0:2]]
    out["ogrid"] = [v.dtype for v in T.ogrid[0:3, 0:2]]
    return out


if __name__ == "__main__":
    print(json.dumps(record(), indent=1, sort_keys=True))
