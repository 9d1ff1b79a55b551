"""T.nnet's submodules import under Theano's paths, and its names are the functions."""

import importlib
import subprocess
import sys

import symlab.tensor as T


def test_theano_import_paths():
    script = (
        "import symlab as theano\n"
        "from symlab.tensor.nnet import bn\n"
        "from symlab.tensor.nnet.neighbours import images2neibs, neibs2images\n"
        "from symlab.tensor.nnet.ctc import ctc\n"
        "from symlab.tensor.nnet.conv3d2d import conv3d\n"
        "from symlab.tensor.nnet.bn import batch_normalization_train\n"
        "import symlab.tensor as T\n"
        "print(T.nnet.bn is bn, T.nnet.ctc.ctc is ctc, T.nnet.conv3d2d.conv3d is conv3d,\n"
        "      T.nnet.neighbours.images2neibs is images2neibs, callable(T.nnet.conv3d))\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True"] * 5


def test_exported_names():
    for name in ("ultra_fast_sigmoid", "hard_sigmoid", "softsign", "elu", "selu", "relu",
                 "h_softmax", "images2neibs", "neibs2images", "conv3d", "conv2d_transpose"):
        assert callable(getattr(T.nnet, name)), name
    conv = importlib.import_module("symlab.tensor.nnet.conv")
    assert T.nnet.conv2d_transpose is conv.conv2d_transpose
    assert T.nnet.conv3d.__module__ == "symlab.tensor.nnet.conv3d"
