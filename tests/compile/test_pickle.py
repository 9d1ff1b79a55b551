"""Compiled functions and shared variables pickle, and keep working in a fresh process."""

import os
import pathlib
import pickle
import subprocess
import sys
import textwrap

import numpy as np

import symlab.tensor as T
from symlab import In, function, shared


def test_function_and_shared_survive_a_fresh_process(tmp_path):
    w = shared(np.array([1.0, 2.0, 3.0]), name="w")
    x = T.dvector("x")
    lr = T.dscalar("lr")
    f = function([x, In(lr, value=0.5)], (w * x).sum(),
                 updates=[(w, w - lr * x)], name="step")
    f(np.ones(3))                                   # w is now [0.5, 1.5, 2.5]
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps((f, w)))
    script = textwrap.dedent(f"""
        import pickle, numpy as np
        f, w = pickle.loads(open({str(path)!r}, "rb").read())
        print(repr(w.get_value().tolist()))
        out = f(np.array([2.0, 0.0, 0.0]))
        print(repr(np.asarray(out).tolist()))
        print(repr(w.get_value().tolist()))
        print(w in f.fgraph.inputs)
    """)
    repo = pathlib.Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(repo))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=str(tmp_path), env=env)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert lines[0] == "[0.5, 1.5, 2.5]"
    # The output uses w before the update: 0.5 * 2 (and zeros elsewhere).
    assert lines[1] == "1.0"
    # The update w - 0.5 * x applied to the unpickled shared variable itself.
    assert lines[2] == "[-0.5, 1.5, 2.5]"
    assert lines[3] == "True"
    # And the originals in this process were not touched.
    np.testing.assert_array_equal(w.get_value(), [0.5, 1.5, 2.5])


def test_pickled_graph_ids_do_not_collide_with_new_nodes():
    x = T.dscalar("x")
    y = T.exp(x)
    restored = pickle.loads(pickle.dumps(y))
    fresh = T.dscalar("z")
    assert fresh.id > restored.id
    assert restored.owner.op == y.owner.op
