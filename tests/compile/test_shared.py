"""Shared variables: types from values, borrow semantics, the registry, notifications."""

import gc

import numpy as np
import pytest

import symlab.tensor as T
from symlab import function, shared
from symlab.compile.shared import GenericSharedVariable


@pytest.mark.parametrize("value, dtype, ndim", [
    (0, "int64", 0), (0.5, "float64", 0), (True, "bool", 0),
    (np.float32(1.5), "float32", 0), (np.zeros((2, 3), dtype="int32"), "int32", 2),
    ([1.0, 2.0], "float64", 1),
])
def test_type_is_inferred_from_the_value(value, dtype, ndim):
    s = shared(value)
    assert s.type.dtype == dtype
    assert s.type.ndim == ndim
    assert s.type.shape == (None,) * ndim      # values may change shape


def test_broadcastable_and_shape_arguments():
    assert shared(np.zeros((1, 3)), broadcastable=(True, False)).type.shape == (1, None)
    assert shared(np.zeros((1, 3)), shape=(1, 3)).type.shape == (1, 3)


def test_get_value_copies_unless_borrowed():
    data = np.arange(3.0)
    s = shared(data)
    data[0] = 100.0                        # not borrowed: the shared value is a copy
    assert s.get_value()[0] == 0.0
    got = s.get_value()
    got[1] = 50.0
    assert s.get_value()[1] == 1.0
    assert s.get_value(borrow=True) is s.get_value(borrow=True)


def test_borrow_true_aliases_the_value():
    data = np.arange(3.0)
    s = shared(data, borrow=True)
    data[0] = 7.0
    assert s.get_value(borrow=True)[0] == 7.0
    new = np.ones(3)
    s.set_value(new, borrow=True)
    assert s.get_value(borrow=True) is new
    s.set_value(new)                        # not borrowed: a copy
    assert s.get_value(borrow=True) is not new


def test_output_of_shared_value_is_not_aliased():
    s = shared(np.arange(3.0))
    f = function([], s)
    out = f()
    out[0] = 99.0
    assert s.get_value()[0] == 0.0


def test_generic_objects_can_be_shared():
    rng = np.random.RandomState(3)
    s = shared(rng)
    assert isinstance(s, GenericSharedVariable)
    assert isinstance(s.get_value(), np.random.RandomState)
    with pytest.raises(TypeError, match="expected a RandomState"):
        s.set_value(3)


def test_registry_of_readers_and_updaters_is_weak():
    a = shared(1.0, name="a")
    b = shared(2.0, name="b")
    x = T.dscalar("x")
    reader = function([x], a * x)
    updater = function([x], b, updates=[(a, a + x)])
    assert set(a.functions_reading()) == {reader, updater}
    assert a.functions_updating() == [updater]
    assert b.functions_reading() == [updater]
    assert b.functions_updating() == []
    del reader
    gc.collect()
    assert a.functions_reading() == [updater]


def test_observers_hear_set_value_and_updates_only_after_success():
    s = shared(np.zeros(2), name="s")
    x = T.dvector("x")
    f = function([x], x.sum(), updates=[(s, s + x)])
    events = []
    s.observe(lambda var, event: events.append((var.name, event, var.get_value().tolist())))
    s.set_value(np.ones(2))
    f(np.array([1.0, 2.0]))
    with pytest.raises(TypeError):
        f(np.ones((2, 2)))                 # a failing call: no notification, no change
    assert events == [("s", "set_value", [1.0, 1.0]), ("s", "update", [2.0, 3.0])]


def test_shared_on_cuda_without_cupy_or_a_device_says_which_is_missing():
    from symlab.backends import cupy as backend
    if backend.is_available():
        pytest.skip("CuPy sees a CUDA device here (tests/gpu covers shared(..., device='cuda'))")
    with pytest.raises(backend.CudaUnavailableError, match=r"pip install 'symlab\[gpu\]'|device"):
        shared(1.0, device="cuda")


def test_default_update_and_no_default_updates():
    counter = shared(0, name="counter")
    counter.default_update = counter + 1
    f = function([], counter)
    assert f() == 0 and f() == 1
    assert counter.get_value() == 2
    g = function([], counter, no_default_updates=True)
    assert g() == 2 and counter.get_value() == 2
    h = function([], counter, no_default_updates=[counter])
    assert h() == 2 and counter.get_value() == 2
