"""SharedInspector: rows, live refresh from the core's notifications, editing, sources."""

import gc
import json
import weakref

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab.notebook import SharedInspector
from symlab.notebook.shared_inspector import PREVIEW_LIMIT
from symlab.tensor.shared_randomstreams import RandomStreams

from widget_messages import send_custom



@pytest.fixture(autouse=True)
def at_once(monkeypatch):
    """Every notification refreshes at once, whether or not an IPython shell is running
    (inside one, the interval would defer some to the end of the cell)."""
    monkeypatch.setattr(SharedInspector, "refresh_interval", 0.0)

@pytest.fixture
def model():
    x = T.dvector("x")
    W = symlab.shared(np.array([[1.0, 2.0], [3.0, 4.0]]), name="W")
    b = symlab.shared(np.float32(0.5), name="b")
    n = symlab.shared(np.int64(0), name="n")
    step = symlab.function([x], T.dot(W, x).sum() + b, name="step",
                           updates=[(W, W * 2), (n, n + 1)])
    return step, W, b, n


def rows_by_name(inspector):
    return {row["name"]: row for row in inspector.rows}


def test_rows_of_a_compiled_function(model):
    step, W, b, n = model
    peek = symlab.function([], b * 2, name="peek")
    inspector = SharedInspector(step)
    rows = rows_by_name(inspector)
    assert set(rows) == {"W", "b", "n"}
    w = rows["W"]
    assert w["id"] == W.id and w["dtype"] == "float64" and w["shape"] == [2, 2]
    assert w["device"] == "cpu"
    assert w["summary"] == {"min": 1.0, "mean": 2.5, "max": 4.0}
    assert w["preview"] == [[1.0, 2.0], [3.0, 4.0]]
    assert w["readers"] == ["step"] and w["updaters"] == ["step"]
    assert w["editable"] and w["value_text"] == "[[1.0, 2.0], [3.0, 4.0]]"
    assert rows["b"]["readers"] == ["peek", "step"] and rows["b"]["updaters"] == []
    assert rows["b"]["shape"] == [] and rows["b"]["preview"] == [0.5]
    assert rows["n"]["dtype"] == "int64" and rows["n"]["value_text"] == "0"
    json.dumps(inspector.rows, allow_nan=False)
    del peek


def test_large_and_odd_values_are_summarized_as_data():
    big = symlab.shared(np.arange(100 * 70, dtype=np.float64).reshape(100, 70), name="big")
    cube = symlab.shared(np.ones((3, 4, 50)), name="cube")
    odd = symlab.shared(np.array([np.nan, 1.0, np.inf, -2.0]), name="odd")
    inspector = SharedInspector([big, cube, odd])
    rows = rows_by_name(inspector)
    preview = rows["big"]["preview"]
    assert len(preview) == PREVIEW_LIMIT and len(preview[0]) == PREVIEW_LIMIT
    assert preview[0][0] == 0.0 and preview[-1][-1] == 100 * 70 - 1  # the corners are kept
    assert rows["big"]["summary"]["max"] == 100 * 70 - 1
    assert not rows["big"]["editable"] and "float64 100x70" in rows["big"]["value_text"]
    assert np.shape(rows["cube"]["preview"]) == (12, PREVIEW_LIMIT)  # 3-d folded to 2-d
    assert rows["odd"]["summary"] == {"min": -2.0, "mean": -0.5, "max": 1.0}  # finite ones
    assert rows["odd"]["preview"] == [None, 1.0, None, -2.0]
    json.dumps(inspector.rows, allow_nan=False)


def test_random_states_are_listed_but_not_editable():
    rv = RandomStreams(3).uniform((2,))
    inspector = SharedInspector(symlab.function([], rv, name="draw"))
    (row,) = inspector.rows
    assert row["dtype"] is None and row["editable"] is False
    assert row["value_text"].startswith("RandomState state ")
    assert row["updaters"] == ["draw"]
    assert not inspector.edit(row["id"], "1")
    assert "not a tensor" in inspector.error


def test_a_call_that_updates_refreshes_the_rows(model):
    step, W, b, n = model
    inspector = SharedInspector(step)
    step([1.0, 1.0])
    rows = rows_by_name(inspector)
    assert rows["W"]["preview"] == [[2.0, 4.0], [6.0, 8.0]]
    assert rows["n"]["value_text"] == "1"
    b.set_value(np.float32(3.0))
    assert rows_by_name(inspector)["b"]["preview"] == [3.0]


def test_a_failing_call_changes_nothing(model):
    step, W, b, n = model
    inspector = SharedInspector(step)
    before = inspector.rows
    with pytest.raises((TypeError, ValueError)):
        step([1.0, 2.0, 3.0])
    assert inspector.rows == before


def test_edit_with_the_right_value(model):
    step, W, b, n = model
    inspector = SharedInspector(step)
    assert inspector.edit("W", "[[0, 1], [2, 3.5]]")
    assert inspector.error == ""
    np.testing.assert_array_equal(W.get_value(), [[0, 1], [2, 3.5]])
    assert W.get_value().dtype == np.float64
    assert rows_by_name(inspector)["W"]["preview"] == [[0.0, 1.0], [2.0, 3.5]]
    assert inspector.edit(b.id, 0.1)  # a value, by id: rounds into float32
    assert b.get_value() == np.float32(0.1)
    assert inspector.edit(str(n.id), "7")
    assert n.get_value() == 7 and n.get_value().dtype == np.int64


def test_edit_of_the_wrong_shape_keeps_the_old_value(model):
    step, W, b, n = model
    inspector = SharedInspector(step)
    old_rows = inspector.rows
    assert not inspector.edit("W", "[1, 2, 3]")
    assert inspector.error == ("edit of 'W': expected shape (2, 2), given shape (3,); the old "
                               "value is kept")
    np.testing.assert_array_equal(W.get_value(), [[1, 2], [3, 4]])
    assert inspector.rows == old_rows
    assert inspector.edit("W", "[[1, 2], [3, 4]]") and inspector.error == ""


def test_edit_of_the_wrong_dtype_keeps_the_old_value(model):
    step, W, b, n = model
    inspector = SharedInspector(step)
    assert not inspector.edit("n", "2.5")
    assert "'n'" in inspector.error and "expected dtype int64, given float64" in inspector.error
    assert n.get_value() == 0
    assert inspector.edit("n", "3.0") and n.get_value() == 3  # a whole float fits an int
    small = symlab.shared(np.int8(1), name="small")
    inspector = SharedInspector([small])
    assert not inspector.edit("small", "300")
    assert "int8" in inspector.error and "out of its range" in inspector.error
    assert small.get_value() == 1
    assert not inspector.edit("small", "[[1, 2], [3]]")
    assert "rectangular" in inspector.error
    assert not inspector.edit("small", "import os")
    assert "could not read 'import os'" in inspector.error
    assert not inspector.edit("nothing", "1")
    assert "no shared variable with id or name 'nothing'" in inspector.error
    assert small.get_value() == 1


def test_value_text_reads_back_and_nothing_is_evaluated():
    v = symlab.shared(np.array([0.1, -2.0], dtype=np.float32), name="v")
    inspector = SharedInspector([v])
    assert inspector.rows[0]["value_text"] == "[0.1, -2.0]"
    assert inspector.edit("v", "[nan, -inf]")
    assert np.isnan(v.get_value()[0]) and v.get_value()[1] == -np.inf
    assert inspector.rows[0]["value_text"] == "[nan, -inf]"
    assert inspector.rows[0]["preview"] == [None, None]
    assert inspector.edit("v", inspector.rows[0]["value_text"].replace("nan", "(1)"))
    for text in ("__import__('os').system('true')", "[1, 2] * 2", "-[1, 2]", "{1, 2}"):
        assert not inspector.edit("v", text)
        assert "could not read" in inspector.error
    assert v.get_value()[0] == 1


def test_edit_messages_from_the_front_end(model):
    step, W, b, n = model
    inspector = SharedInspector(step)
    send_custom(inspector, {"action": "edit", "id": W.id, "text": "[[5, 6], [7, 8]]"})
    np.testing.assert_array_equal(W.get_value(), [[5, 6], [7, 8]])
    send_custom(inspector, {"action": "edit", "id": str(W.id), "text": "[[5, 6]]"})
    assert "expected shape (2, 2), given shape (1, 2)" in inspector.error
    np.testing.assert_array_equal(W.get_value(), [[5, 6], [7, 8]])
    send_custom(inspector, {"action": "explode"})
    assert "unknown message 'explode'" in inspector.error
    send_custom(inspector, {"action": "edit", "id": W.id})
    assert "needs an 'id' and a 'text'" in inspector.error


def test_a_namespace_is_scanned_again_on_refresh():
    a = symlab.shared(1.0, name="a")
    namespace = {"a": a, "_hidden": symlab.shared(2.0), "x": 3, "f": print}
    inspector = SharedInspector(namespace)
    assert [r["name"] for r in inspector.rows] == ["a"]
    namespace["unnamed"] = symlab.shared(np.zeros(3))
    inspector.refresh()
    assert [r["name"] for r in inspector.rows] == ["a", "unnamed"]  # the key names it
    del namespace["a"]
    inspector.refresh()
    assert [r["name"] for r in inspector.rows] == ["unnamed"]
    a.set_value(5.0)  # no longer shown, no longer observed
    assert [r["name"] for r in inspector.rows] == ["unnamed"]


def test_new_readers_appear_at_the_next_notification(model):
    step, W, b, n = model
    inspector = SharedInspector([W])
    double = symlab.function([], W * 2, updates=[(W, W + 1)], name="grow")
    assert rows_by_name(inspector)["W"]["readers"] == ["step"]
    double()
    assert rows_by_name(inspector)["W"]["readers"] == ["grow", "step"]
    assert rows_by_name(inspector)["W"]["updaters"] == ["grow", "step"]


def test_close_unsubscribes(model):
    step, W, b, n = model
    observers = len(W._observers)
    inspector = SharedInspector(step)
    assert len(W._observers) == observers + 1
    inspector.close()
    assert len(W._observers) == observers
    rows = inspector.rows
    step([1.0, 1.0])
    assert inspector.rows == rows


def test_the_inspector_keeps_no_function_alive():
    W = symlab.shared(np.zeros(2), name="W")
    f = symlab.function([], W + 1, updates=[(W, W + 1)], name="f")
    gone = weakref.ref(f)
    inspector = SharedInspector(f)
    assert rows_by_name(inspector)["W"]["readers"] == ["f"]
    del f
    gc.collect()
    assert gone() is None
    W.set_value(np.ones(2))
    assert rows_by_name(inspector)["W"]["readers"] == []


def test_the_wrong_kind_of_source_is_refused():
    with pytest.raises(TypeError, match="expected a compiled function, a namespace dict"):
        SharedInspector(3)
    with pytest.raises(TypeError, match="the list holds a int"):
        SharedInspector([symlab.shared(1.0), 3])


def test_the_column_heads_come_from_the_label_table(model):
    from symlab.notebook.labels import LABELS
    step = model[0]
    inspector = SharedInspector(step)
    assert set(inspector.texts) == {k for k in LABELS if k.startswith(("shared_", "common_"))}
    assert inspector.texts["shared_readers"] == "read by"
    symlab.config.language = "zh"
    try:
        chinese = SharedInspector(step)
    finally:
        symlab.config.language = "en"
    assert chinese.texts["shared_readers"] == "读取它的函数"
    assert chinese.texts["common_saved_notice"] == "已保存的视图：运行这个单元格才能使用"
    assert inspector.texts["shared_readers"] == "read by"  # a widget keeps its language
    json.dumps(chinese.get_state(), allow_nan=False)
