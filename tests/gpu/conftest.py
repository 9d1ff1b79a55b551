"""Fixtures for the GPU backend's tests.

* ``host_backend``: the CuPy backend running on ``host_cupy`` (a CPU stand-in
  for CuPy whose kernels are the generated C compiled with g++), so that the
  generated code runs here; the real probe comes back afterwards.
* ``cupy``: the real CuPy module, when it imports and sees a CUDA device;
  otherwise the test is skipped, saying which is missing.
"""

import shutil

import pytest

from symlab.backends import cupy as backend


@pytest.fixture
def host_backend():
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed: the host stand-in for CuPy compiles its kernels "
                    "with it")
    import host_cupy
    previous = backend._use_array_module(host_cupy)
    try:
        yield host_cupy
    finally:
        backend._restore(previous)


def _real_cupy():
    previous = backend._use_array_module(None)      # probe for the real thing
    reason = backend.unavailable_reason()
    module = None if reason else backend.require()
    backend._restore(previous)
    return module, reason


@pytest.fixture
def cupy():
    module, reason = _real_cupy()
    if module is None:
        pytest.skip(f"no GPU here: {reason}")
    previous = backend._use_array_module(module)
    try:
        yield module
    finally:
        backend._restore(previous)
