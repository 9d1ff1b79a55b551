"""Asking for 'cuda' where it cannot run: one clear error, and everything else keeps working.

Each case runs in a fresh Python process, with CuPy blocked, or replaced by a
fake module whose runtime finds no device (or fails to import), so that the
answer does not depend on this machine.
"""

import subprocess
import sys
import textwrap

import pytest

import symlab.tensor as T
from symlab import function
from symlab.backends import cupy as backend

BLOCK_CUPY = textwrap.dedent("""
    import sys
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "cupy":
                raise ImportError("No module named 'cupy' (blocked for the test)")
    sys.meta_path.insert(0, Block())
""")

FAKE_CUPY_WITHOUT_DEVICE = textwrap.dedent("""
    import sys, types
    class CUDARuntimeError(RuntimeError):
        pass
    def no_driver():
        raise CUDARuntimeError("cudaErrorInsufficientDriver: CUDA driver version is "
                               "insufficient for CUDA runtime version")
    cupy = types.ModuleType("cupy")
    cupy.__version__ = "14.2.0"
    cupy.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=no_driver),
                                      is_available=lambda: False)
    sys.modules["cupy"] = cupy
""")

FAKE_CUPY_NO_DEVICES = FAKE_CUPY_WITHOUT_DEVICE.replace("getDeviceCount=no_driver",
                                                        "getDeviceCount=lambda: 0")

BROKEN_CUPY = textwrap.dedent("""
    import sys
    class Broken:
        def find_spec(self, name, path=None, target=None):
            if name == "cupy":
                raise OSError("libcudart.so.13: cannot open shared object file")
    sys.meta_path.insert(0, Broken())
""")

ASK_EVERYWHERE = textwrap.dedent("""
    import numpy as np
    import symlab, symlab.tensor as T
    from symlab.backends import cupy as backend
    print("available", backend.is_available())
    x = T.dvector("x")
    for label, ask in [("function", lambda: symlab.function([x], x * 2, device="cuda")),
                       ("shared", lambda: symlab.shared(np.ones(2), device="cuda")),
                       ("config", lambda: setattr(symlab.config, "device", "cuda"))]:
        try:
            ask()
            print(label, "no error")
        except backend.CudaUnavailableError as exc:
            print(label, type(exc).__name__, "|", exc)
    print("config.device", symlab.config.device)
    f = symlab.function([x], 1 / (1 + T.exp(-x)))
    print("cpu", f(np.zeros(2)).tolist())
""")


def _run(prelude):
    run = subprocess.run([sys.executable, "-c", prelude + "\nimport sys\n" + ASK_EVERYWHERE],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


def _errors(lines):
    return {line.split()[0]: line for line in lines
            if line.split()[0] in ("function", "shared", "config")}


def test_without_cupy_asking_for_cuda_says_so_and_how_to_install():
    lines = _run(BLOCK_CUPY)
    assert lines[0] == "available False"
    errors = _errors(lines)
    for label, what in [("function", "function(..., device='cuda')"),
                        ("shared", "shared(..., device='cuda')"),
                        ("config", "config.device = 'cuda'")]:
        line = errors[label]
        assert f"CudaUnavailableError | {what}: CuPy is not installed" in line, line
        assert "pip install 'symlab[gpu]'" in line and "cupy-cuda13x" in line, line
    assert "config.device cpu" in lines          # the refused setting did not stick
    assert "cpu [0.5, 0.5]" in lines             # and the CPU works on


def test_with_cupy_but_no_usable_device_the_error_names_the_device_not_cupy():
    lines = _run(FAKE_CUPY_WITHOUT_DEVICE)
    assert lines[0] == "available False"
    line = _errors(lines)["function"]
    assert "CuPy 14.2.0 is installed, but no CUDA device can be used" in line, line
    assert "cudaErrorInsufficientDriver" in line and "pip install" not in line, line
    assert "cpu [0.5, 0.5]" in lines


def test_with_cupy_and_zero_devices():
    line = _errors(_run(FAKE_CUPY_NO_DEVICES))["shared"]
    assert "CuPy 14.2.0 is installed, but it finds no CUDA device" in line, line


def test_a_cupy_that_fails_to_import_is_reported_as_such():
    line = _errors(_run(BROKEN_CUPY))["function"]
    assert "CuPy is installed but fails to import (OSError: libcudart.so.13" in line, line
    assert "reinstall it with pip install 'symlab[gpu]'" in line, line


def test_the_error_is_one_type_a_runtime_error():
    assert issubclass(backend.CudaUnavailableError, RuntimeError)


def test_is_available_never_raises_and_agrees_with_the_reason():
    available = backend.is_available()
    assert isinstance(available, bool)
    assert (backend.unavailable_reason() is None) == available


def test_other_devices_and_bad_return_numpy_are_refused_plainly():
    x = T.dvector("x")
    with pytest.raises(ValueError, match="device must be 'cpu' or 'cuda'; got 'gpu'"):
        function([x], x, device="gpu")
    with pytest.raises(TypeError, match="return_numpy must be True, False or None"):
        function([x], x, return_numpy="yes")
    # On the CPU, outputs are NumPy arrays whatever return_numpy says.
    assert function([x], x * 2, return_numpy=False)([1.0]).tolist() == [2.0]
