"""Check tests/api/theano_pages.py against real Theano 1.0.5: every listed name must exist.

Run with the oracle:
    THEANO_FLAGS=cxx=,base_compiledir=/tmp/theano-names \
        /work/theano-oracle/bin/python dev/theano_reference/documented_names.py
Prints each listed name Theano 1.0.5 lacks (none is the expected output) and, for the
pages excluded as removed before Theano 1.0, whether their module is indeed gone.
"""

import importlib.util
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "api" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    import theano
    pages, names = _load("theano_pages"), _load("documented_lookup")
    bad = [(page, name) for page, listed in sorted(pages.PAGES.items()) for name in listed
           if not names.exists(theano, name)]
    for page, name in bad:
        print(f"not in Theano {theano.__version__}: {name}  ({page})")
    for module in ("floatX", "compile.module", "tensor.signal.downsample",
                   "tensor.scipy_ndimage", "compile.profilemode"):
        print(f"theano.{module} exists: {names.exists(theano, module)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
