"""A headless tour of symlab, for a terminal without a browser (``python -m symlab.demo``).

It builds the logistic function, compiles it, prints its graph and generated
source, and runs the shared-variable accumulator of Theano's tutorial.
"""

import numpy as np

import symlab as theano
import symlab.tensor as T


def main():
    """Run the tour, printing each step; returns 0."""
    print(f"symlab {theano.__version__}: a headless demo (no browser found, or CI is set)\n")
    x = T.dmatrix("x")
    s = 1 / (1 + T.exp(-x))
    print("The logistic function, as infix math:   ", theano.pp(s))
    logistic = theano.function([x], s, name="logistic")
    print("logistic([[0, 1], [-1, -2]]) =\n", logistic([[0, 1], [-1, -2]]), "\n")
    print("Its graph (debugprint):")
    theano.dprint(logistic)
    print("\nThe Python the NumPy backend generated for it (logistic.source):")
    print(logistic.source)

    state = theano.shared(0, name="state")
    inc = T.iscalar("inc")
    accumulator = theano.function([inc], state, updates=[(state, state + inc)])
    for step in (1, 300, -1):
        before = accumulator(step)
        print(f"accumulator({step}) returned {before}; state is now {state.get_value()}")
    assert state.get_value() == 300
    assert np.allclose(logistic([[0.0]]), 0.5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
